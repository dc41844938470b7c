"""The questionnaire: preset dimensions rated on the five levels, choices, free text; checking answers.

A question is ``{"key": "q1", "kind": "rating"|"single"|"multiple"|"text", "text": ..., "options": [...],
"required": bool}``; ``dimension`` names a preset (服务态度 ...) a rating question stands for, so that
rounds can be compared dimension by dimension.
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..errors import Invalid
from ..text import clean_line, clean_paragraph

# The dimensions national 好差评 practice rates, and the overall verdict (stored in Chinese: a
# questionnaire is printed and answered in the hall's language).
DIMENSIONS = {
    "attitude": ("服务态度", _l("Service attitude")),
    "efficiency": ("办事效率", _l("Efficiency")),
    "competence": ("业务水平", _l("Competence")),
    "integrity": ("廉洁自律", _l("Integrity")),
    "environment": ("环境设施", _l("Environment and facilities")),
    "overall": ("总体评价", _l("Overall")),
}
KIND_LABELS = {"rating": _l("Five levels"), "single": _l("Single choice"), "multiple": _l("Multiple choice"),
               "text": _l("Free text")}
LEVELS = {5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "非常不满意"}
SATISFIED = (4, 5)
MAX_QUESTIONS = 40
MAX_OPTIONS = 12
TEXT_MAX = 1000


def preset(dimension: str) -> dict:
    return {"kind": "rating", "text": DIMENSIONS[dimension][0], "dimension": dimension, "options": [],
            "required": dimension == "overall"}


def build(items: list[dict]) -> list[dict]:
    """The stored questions from what the builder sent (cleaned, checked, keyed q1..qN)."""
    if not isinstance(items, list) or not items:
        raise Invalid(_("A questionnaire needs at least one question."), field="questions")
    if len(items) > MAX_QUESTIONS:
        raise Invalid(_("At most %(n)s questions.", n=MAX_QUESTIONS), field="questions")
    out = []
    for n, item in enumerate(items, 1):
        kind = item.get("kind")
        if kind not in KIND_LABELS:
            raise Invalid(_("Must be one of: %(choices)s", choices=", ".join(KIND_LABELS)), field="questions")
        dimension = item.get("dimension") if kind == "rating" else None
        if dimension is not None and dimension not in DIMENSIONS:
            raise Invalid(_("Must be one of: %(choices)s", choices=", ".join(DIMENSIONS)), field="questions")
        text = clean_line(item.get("text") or "") or (DIMENSIONS[dimension][0] if dimension else "")
        if not text or len(text) > 200:
            raise Invalid(_("Question %(n)s needs a text of at most 200 characters.", n=n), field="questions")
        options = [clean_line(o)[:100] for o in (item.get("options") or []) if clean_line(o)]
        if kind in ("single", "multiple") and not 2 <= len(options) <= MAX_OPTIONS:
            raise Invalid(_("Question %(n)s needs 2 to %(max)s choices.", n=n, max=MAX_OPTIONS), field="questions")
        out.append({"key": f"q{n}", "kind": kind, "text": text, "dimension": dimension,
                    "options": options if kind in ("single", "multiple") else [],
                    "required": bool(item.get("required", False))})
    return out


def parse_builder_text(text: str) -> list[dict]:
    """The console builder's extra questions, one a line: ``单选: 问题 | 选项 | 选项``, ``多选: ...``,
    ``评分: 问题`` or ``文字: 问题`` (English prefixes single/multiple/rating/text also work)."""
    prefixes = {"单选": "single", "single": "single", "多选": "multiple", "multiple": "multiple",
                "评分": "rating", "rating": "rating", "文字": "text", "text": "text"}
    out = []
    for line in (text or "").splitlines():
        line = clean_line(line)
        if not line:
            continue
        head, sep, rest = line.replace("：", ":").partition(":")
        kind = prefixes.get(head.strip().lower()) if sep else None
        if kind is None:
            kind, rest = "text", line
        parts = [p.strip() for p in rest.split("|")]
        out.append({"kind": kind, "text": parts[0], "options": parts[1:], "required": False})
    return out


def check_answers(questions: list[dict], answers: dict) -> dict:
    """The answers to keep: each question's answer in its kind's shape; unknown keys and a missing
    required answer refused (422 naming the question)."""
    if not isinstance(answers, dict):
        raise Invalid(_("A JSON object is expected."), field="answers")
    by_key = {q["key"]: q for q in questions}
    unknown = sorted(set(answers) - set(by_key))
    if unknown:
        raise Invalid(_("No such question: %(key)s", key=unknown[0][:16]), field="answers")
    kept = {}
    for q in questions:
        value = answers.get(q["key"])
        if value is None or value == "" or value == []:
            if q["required"]:
                raise Invalid(_("Please answer: %(q)s", q=q["text"]), field=q["key"])
            continue
        kept[q["key"]] = _one(q, value)
    if not kept:
        raise Invalid(_("Please answer at least one question."), field="answers")
    return kept


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _one(q: dict, value):
    wrong = Invalid(_("Not an answer to: %(q)s", q=q["text"]), field=q["key"])
    if q["kind"] == "rating":
        if not _is_int(value) or not 1 <= value <= 5:
            raise wrong
        return value
    if q["kind"] == "single":
        if not _is_int(value) or not 0 <= value < len(q["options"]):
            raise wrong
        return value
    if q["kind"] == "multiple":
        if not isinstance(value, list) or not all(_is_int(v) and 0 <= v < len(q["options"]) for v in value):
            raise wrong
        return sorted(set(value))
    if not isinstance(value, str):
        raise wrong
    text = clean_paragraph(value)
    if "\x00" in value or len(text) > TEXT_MAX:
        raise Invalid(_("At most %(n)s characters.", n=TEXT_MAX), field=q["key"])
    return text


def form_answers(questions: list[dict], form) -> dict:
    """Answers from a page's form (the phone, the kiosk, a paper sheet typed in): fields named by the
    questions' keys; what is not a number where one is wanted is an answer that fails its check."""
    def number(raw: str):
        raw = (raw or "").strip()
        return int(raw) if raw.isdigit() and len(raw) < 4 else (raw or None)

    out = {}
    for q in questions:
        if q["kind"] == "multiple":
            values = [number(v) for v in form.getlist(q["key"])]
            out[q["key"]] = [v for v in values if v is not None]
        elif q["kind"] == "text":
            out[q["key"]] = form.get(q["key"], "")
        else:
            out[q["key"]] = number(form.get(q["key"], ""))
    return out
