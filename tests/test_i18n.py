"""The Simplified Chinese catalog: every string the code has is translated, the shipped .mo is the
compiled .po, translations keep their placeholders, and pages come out in the language asked for.

When a test here fails after you add strings, follow docs/TRANSLATING.md (extract, update,
translate, compile).
"""

from __future__ import annotations

import io
import re
from collections import Counter
from gettext import GNUTranslations
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
CATALOG_DIR = ROOT / "admin" / "translations" / "zh_Hans_CN" / "LC_MESSAGES"
PO = CATALOG_DIR / "messages.po"
MO = CATALOG_DIR / "messages.mo"

# The same keywords as the extract command in docs/TRANSLATING.md.
KEYWORDS = dict(DEFAULT_KEYWORDS, _l=None, lazy_gettext=None, _n=(1, 2), lazy_ngettext=(1, 2),
                _p=((1, "c"), 2), lazy_pgettext=((1, "c"), 2))


def _source_messages() -> dict[tuple[str | None, str], list[str]]:
    """(context, msgid) -> where it occurs, for every translatable string babel.cfg covers."""
    with open(ROOT / "babel.cfg", encoding="utf-8") as f:
        method_map, options_map = parse_mapping_cfg(f, "babel.cfg")
    found: dict[tuple[str | None, str], list[str]] = {}
    for filename, lineno, message, _comments, context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=KEYWORDS):
        msgid = message[0] if isinstance(message, (list, tuple)) else message
        if msgid:
            found.setdefault((context, msgid), []).append(f"{filename}:{lineno}")
    return found


@pytest.fixture(scope="module")
def source():
    return _source_messages()


@pytest.fixture(scope="module")
def catalog():
    with open(PO, "rb") as f:
        return read_po(f, locale="zh_Hans_CN")


def _strings(message) -> list[str]:
    return list(message.string) if isinstance(message.string, (list, tuple)) else [message.string]


# --- (a) every string in the code is translated ------------------------------------------------

def test_the_extraction_reaches_every_kind_of_source(source):
    """What the tests below check is only as good as what babel.cfg and the keywords find: strings
    in the Python of each package, in the Jinja templates of each blueprint, with a context."""
    files = {where.rsplit(":", 1)[0] for places in source.values() for where in places}
    for folder in ("admin/console/", "admin/services/", "admin/templates/console/", "kiosk/templates/",
                   "display/templates/", "kiosk/", "display/"):
        assert any(f.startswith(folder) and f.endswith((".py", ".html")) for f in files), folder
    assert any(f.endswith(".html") for f in files) and any(f.endswith(".py") for f in files)
    assert "admin/console/reviews.py" in {w.rsplit(":", 1)[0] for w in source[(None, "Review saved.")]}
    assert ("person", "Name") in source and ("screen", "Our pledges") in source   # pgettext with its context


def test_every_source_string_has_a_chinese_translation(source, catalog):
    missing = []
    for (context, msgid), where in sorted(source.items(), key=lambda kv: (kv[0][0] or "", kv[0][1])):
        message = catalog.get(msgid, context=context)
        if message is None or message.fuzzy or not all(_strings(message)):
            label = f"[{context}] {msgid!r}" if context else repr(msgid)
            missing.append(f"{label}  ({where[0]})")
    assert not missing, (f"{len(missing)} strings have no zh_Hans_CN translation "
                         "(see docs/TRANSLATING.md):\n" + "\n".join(missing))


def test_catalog_has_no_fuzzy_or_obsolete_entries(catalog):
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert not fuzzy, f"fuzzy entries: {fuzzy}"
    assert not catalog.obsolete, f"obsolete entries: {list(catalog.obsolete)}"


def test_catalog_is_chinese_with_one_plural_form(catalog):
    assert str(catalog.locale) == "zh_Hans_CN"
    assert catalog.num_plurals == 1 and catalog.plural_expr == "0"


# --- (b) the shipped .mo is the compiled .po ---------------------------------------------------

def _mo_messages(data: bytes) -> dict:
    messages = dict(GNUTranslations(io.BytesIO(data))._catalog)
    messages.pop("", None)  # the header
    return messages


def test_committed_mo_matches_the_po(catalog):
    assert MO.exists(), "admin/translations/zh_Hans_CN/LC_MESSAGES/messages.mo is missing: run pybabel compile"
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    expected, shipped = _mo_messages(compiled.getvalue()), _mo_messages(MO.read_bytes())
    stale = sorted(str(k) for k in expected.keys() | shipped.keys() if expected.get(k) != shipped.get(k))
    assert not stale, (f"messages.mo is out of date with messages.po in {len(stale)} messages; run "
                       "`pybabel compile -d admin/translations`:\n" + "\n".join(stale[:50]))


# --- (c) translations keep the msgid's placeholders and markup ---------------------------------

PERCENT = re.compile(r"%(?:\(\w+\))?[#0\- +]*(?:\d+|\*)?(?:\.\d+)?[diouxXeEfFgGcrsa%]")
BRACES = re.compile(r"\{[\w.\[\]!:]*\}")
MARKUP = re.compile(r"<[^<>]+>|&#?\w+;")


def _tokens(text: str) -> Counter:
    tokens = Counter(PERCENT.findall(text)) + Counter(BRACES.findall(text)) + Counter(MARKUP.findall(text))
    stray = text.count("%") - sum(t.count("%") for t in PERCENT.findall(text))
    if stray:
        tokens["stray %"] = stray
    return tokens


def test_translations_keep_placeholders(catalog):
    wrong = []
    for message in catalog:
        if not message.id:
            continue
        ids = list(message.id) if isinstance(message.id, (list, tuple)) else [message.id]
        for string in _strings(message):
            if string and _tokens(string) != _tokens(ids[0]):
                wrong.append(f"{ids[0]!r} -> {string!r}")
    assert not wrong, "translations that change placeholders or markup:\n" + "\n".join(wrong)


def test_screen_labels_match_their_chinese(catalog):
    """display/labels.py carries its own Chinese for every screen label; the catalog says the same."""
    from liangbiping.display.labels import LABELS

    differ = []
    for key, (msg, zh) in LABELS.items():
        context, msgid = msg._args
        message = catalog.get(msgid, context=context)
        if message is None or message.string != zh:
            differ.append(f"{key}: {msgid!r} -> {message.string if message else None!r}, labels.py says {zh!r}")
    assert not differ, "\n".join(differ)


# --- (d) pages come out in the language asked for ---------------------------------------------

def test_console_login_is_chinese_by_default(client):
    page = client.get("/admin/login").get_data(as_text=True)
    assert "登录" in page and "Sign in" not in page
    assert '<html lang="zh-CN">' in page


def test_console_login_in_english_when_asked(client):
    page = client.get("/admin/login?lang=en").get_data(as_text=True)
    assert "Sign in" in page and "登录" not in page
    assert '<html lang="en">' in page
    # the choice is remembered for the session
    assert "Sign in" in client.get("/admin/login").get_data(as_text=True)


def test_api_errors_are_chinese_by_default(client):
    response = client.get("/api/v1/departments")
    assert response.status_code == 401
    assert response.get_json()["error"]["message"] == "需要提供 Bearer 令牌。"


def test_api_errors_follow_accept_language(client):
    response = client.get("/api/v1/departments", headers={"Accept-Language": "en"})
    assert response.status_code == 401
    assert response.get_json()["error"]["message"] == "A bearer token is required."
    response = client.get("/api/v1/departments", headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"})
    assert response.get_json()["error"]["message"] == "需要提供 Bearer 令牌。"


def test_words_used_in_two_senses_read_right_in_each(app):
    """Message contexts keep apart what English says with one word: a review round is Open
    (进行中) while a ledger entry is Open (待核实); the screens head the campaign's 三亮 "Show"."""
    from flask_babel import gettext, pgettext

    with app.test_request_context("/admin/login"):
        assert gettext("Open") == "进行中"
        assert pgettext("ledger", "Open") == "待核实"
        assert pgettext("screen", "Show") == "三亮"
        assert gettext("Sign out") == "退出登录"
    with app.test_request_context("/admin/login?lang=en"):
        assert pgettext("ledger", "Open") == "Open"
        assert pgettext("screen", "Show") == "Show"
