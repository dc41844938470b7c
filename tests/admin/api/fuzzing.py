"""Generated testing of the API with schemathesis: every operation of /api/v1/openapi.json, in process.

Shared by tests/admin/api/test_schemathesis.py (a short run on SQLite, and on PostgreSQL in CI's
second pass) and bench/fuzz.py (the long run). Each operation gets positive cases (what the
document says is valid) and negative ones (what it says is not), and every answer is checked:

* ``not_a_server_error``: no 5xx, whatever is sent;
* ``status_code_conformance``, ``content_type_conformance``, ``response_schema_conformance``:
  the answer is one the document lists, of its media type and schema;
* ``positive_data_acceptance``: what the document calls valid is not refused as invalid;
* ``negative_data_rejection``: what the document calls invalid is refused.

The document states what JSON Schema has no keyword for (see admin/api/openapi_doc.py): text is
trimmed and cleaned before it is checked (``x-text``), some dates come in order (``x-order``), a
PATCH is validated merged with the record (``x-changes-of``), query dates span a limited range
(``x-date-range``), a parameter may be required by another's value (``x-required-when``).
``Documented`` applies all that to a request as sent; it is asked only when one of the two data
checks fails, and sets the verdict aside only when the whole document agrees with the server.
What no document can know is given to the positive cases instead: the ids of records that exist,
the record an item operation works on (its own, made for it), a real image for the photo upload,
and a leader's token for a leader's operation. Operations that render a file (PDF, PNG, XLSX) get a
fifth of the fuzzed examples: a case costs a rendering, and their input is a parameter or two.
"""

from __future__ import annotations

import collections
import re
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qs, urlsplit

import hypothesis
import jsonschema
import schemathesis
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.generation import derive_operation_seed
from schemathesis.generation.feedback import FeedbackSources
from schemathesis.generation.hypothesis.builder import HypothesisTestConfig, HypothesisTestMode, create_test
from schemathesis.generation.overrides import Override
from schemathesis.specs.openapi.checks import (content_type_conformance, negative_data_rejection,
                                               positive_data_acceptance, response_schema_conformance,
                                               status_code_conformance)

from liangbiping.admin.extensions import db
from liangbiping.admin.text import clean_line, clean_paragraph

from .support import API, sample

PYDANTIC_SPACE = "\t\n\x0b\x0c\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a" \
                 "\u2028\u2029\u202f\u205f\u3000"  # what str_strip_whitespace takes off (Unicode White_Space)


# --- the hall the cases run against ------------------------------------------------------------------

@dataclass
class World:
    """The app, its small hall, the tokens, and the records each item operation works on."""

    app: object
    hall: object
    admin: str
    leader: str
    leader_id: int
    client: object = None
    made: collections.Counter = field(default_factory=collections.Counter)

    def headers(self, roles) -> dict:
        secret = self.leader if roles and "admin" not in roles else self.admin
        return {"Authorization": f"Bearer {secret}"}

    def post(self, path: str, body: dict, headers: dict | None = None) -> dict:
        response = self.client.post(API + path, json=body, headers=headers or self.headers(("admin",)))
        assert response.status_code in (200, 201), (path, body, response.get_data(as_text=True)[:500])
        return response.get_json()

    def n(self, kind: str) -> int:
        self.made[kind] += 1
        return 600 + self.made[kind]

    def rating(self) -> str:
        import uuid

        from tests.conftest import reset_intake

        reset_intake()  # the burst limits are for kiosks, not for this hall's setup
        at = datetime.now(timezone.utc) - timedelta(minutes=5 * self.n("ratings"))  # no repeated press
        return self.post("/ratings", {"id": str(uuid.uuid4()), "score": 2, "channel": "kiosk", "rated_at": at.isoformat(),
                                      "kiosk_token": self.hall.kiosk_token, "reasons": ["slow"]}, headers={})["id"]

    def record_for(self, operation) -> dict:
        """The URL's variables of an item operation: a record of its own (a DELETE removes it)."""
        path = operation.path.removeprefix(API)
        names = re.findall(r"{(\w+)}", path)
        if not names:
            return {}
        collection = path.strip("/").split("/")[0]
        from liangbiping.admin.catalog import RESOURCES

        if collection in RESOURCES:
            body = sample(collection, self.hall, self.n(collection))
            if collection == "kiosks":
                body.pop("window_id")  # a floor kiosk: window kiosks take their window's ratings
            return {names[0]: self.post(f"/{collection}", body)["id"]}
        if collection == "users":
            from tests.factories import make_user

            with self.app.app_context():
                return {"user_id": make_user("leader", username=f"fuzzed{self.n('users')}").id}
        if collection == "tokens":
            return {"token_id": self.post("/tokens", {"name": f"fuzzed {self.n('tokens')}", "role": "admin"})["id"]}
        if collection == "appeals":
            appeal = self.post("/appeals", {"rating_id": self.rating(), "kind": "mistaken", "reason": "按错了"})
            return {"appeal_id": appeal["id"]}
        if collection == "rectifications":  # with its 四明确, so that it can be verified
            entry = self.post("/rectifications", {"problem": f"问题 {self.n('entries')}", "staff_id": self.hall.m1,
                                                  "measure": "整改", "deadline": "2026-12-31",
                                                  "leader_id": self.leader_id, "responsible_id": self.hall.m1})
            return {"entry_id": entry["id"]}
        if collection == "suggestions":
            suggestion = self.post("/suggestions", {"text": "建议", "kiosk_token": self.hall.floor_token,
                                                    "channel": "kiosk"}, headers={})
            return {"suggestion_id": suggestion["id"]}
        if collection == "campaign":
            phase = self.post("/campaign/phases", {"name": f"阶段 {self.n('phases')}", "starts_on": "2026-01-01",
                                                   "ends_on": "2026-03-31"})
            return {"phase_id": phase["id"]}
        if collection == "ratings":
            return {"rating_id": self.rating()}
        if collection == "surveys":
            return self.survey(path)
        if collection == "supervisors":
            made = self.post("/supervisors", {"name": f"监督员 {self.n('supervisors')}", "term_start": "2026-01-01",
                                              "term_end": "2027-12-31"})
            return {"supervisor_id": made["id"]}
        if collection == "symposiums":
            made = self.post("/symposiums", {"title": f"座谈会 {self.n('symposiums')}", "held_on": "2026-12-01"})
            return {"symposium_id": made["id"]}
        if collection == "wishes" and "{wish_id}" in path:
            from tests.conftest import reset_intake

            reset_intake()  # the burst limits are for kiosks, not for this hall's setup
            wish = self.post("/wishes", {"text": f"心愿 {self.n('wishes')}", "channel": "kiosk",
                                         "kiosk_token": self.hall.floor_token}, headers={})
            return {"wish_id": wish["id"]}
        return {}  # boards/{key}, calendar/{year}, reports/{kind}: the document lists their values

    def survey(self, path: str) -> dict:
        """A survey round of its own: open, for invitations too; closed (refusing answers) for typing in
        paper, whose answers must fit its questionnaire; with a bad answer for opening a ledger entry."""
        survey = self.post("/surveys", {"title": f"测评 {self.n('surveys')}", "target_kind": "staff",
                                        "target_ids": [self.hall.m1], "open_invited": True, "sheets_printed": 5,
                                        "questions": [{"kind": "rating", "text": "总体评价", "dimension": "overall"},
                                                      {"kind": "text", "text": "意见"}]})
        self.post(f"/surveys/{survey['id']}/transition", {"action": "open"})
        ids = {"survey_id": survey["id"]}
        if "{response_id}" in path:
            ids["response_id"] = self.post(f"/surveys/{survey['id']}/paper", {
                "paper_no": 1, "target_id": self.hall.m1, "answers": {"q1": 1, "q2": "窗口无人"}})["id"]
        if path.endswith("/paper"):
            self.post(f"/surveys/{survey['id']}/transition", {"action": "close"})
        return ids

    def stored(self, path: str) -> dict | None:
        """The record at ``path`` as the API shows it (from its collection when it has no GET)."""
        answer = self.client.get(path, headers=self.headers(("admin",)))
        if answer.status_code == 405:
            parent, _slash, record_id = path.rpartition("/")
            listing = self.client.get(parent, headers=self.headers(("admin",))).get_json()
            return next((item for item in listing["items"] if str(item["id"]) == record_id), None)
        return answer.get_json() if answer.status_code == 200 else None

    def existing(self, model, **where) -> list:
        with self.app.app_context():
            stmt = db.select(model.id).order_by(model.id)
            for key, value in where.items():
                stmt = stmt.where(getattr(model, key) == value)
            ids = list(db.session.scalars(stmt))
            db.session.remove()
        return ids


def make_world(app) -> World:
    from liangbiping.admin.services.accounts import create_token
    from tests.factories import build_hall, make_user

    hall = build_hall(app)
    hall.p1, hall.g1  # made on first use: schedules and screens name a playlist and a group
    with app.app_context():
        _t, admin = create_token("fuzz admin", "admin", actor="test")
        leader = make_user("leader", username="fuzz-leader")
        make_user("staff", username="fuzz-staff")  # tokens act for users of their role
        make_user("admin", username="fuzz-admin")
        _t, leader_secret = create_token("fuzz leader", "leader", actor="test", user=leader)
        leader_id = leader.id
    world = World(app=app, hall=hall, admin=admin, leader=leader_secret, leader_id=leader_id, client=app.test_client())
    world.post("/screens", {"name": "大厅屏", "kind": "hall"})
    return world


# --- what the document says, beyond JSON Schema ----------------------------------------------------

class Documented:
    """Whether a request, as sent, is valid by the whole document: its JSON Schema after the
    trimming and cleaning it describes, its ``x-order`` rules, and for a PATCH (``x-changes-of``)
    the record merged with the changes."""

    def __init__(self, document: dict, world: World):
        from liangbiping.admin.timefmt import hall_zone

        self.document = document
        self.world = world
        with world.app.app_context():
            self.zone = hall_zone()

    def _resolve(self, schema: dict) -> dict:
        while "$ref" in schema:
            schema = self.document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
        return schema

    def _validator(self, schema: dict):
        return jsonschema.Draft202012Validator(dict(schema, components=self.document["components"]),
                                               format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)

    def _clean(self, value, schema: dict):
        """``value`` as the server checks it (None: it cannot be valid, a NUL is refused first)."""
        schema = self._resolve(schema) if isinstance(schema, dict) else {}
        if isinstance(value, str):
            if "\x00" in value:
                raise _Refused
            kind = schema.get("x-text") or next((b.get("x-text") for b in schema.get("anyOf", []) if "x-text" in b), None)
            if kind == "line":
                value = clean_line(value)
            elif kind == "paragraph":
                value = clean_paragraph(value)
            return value.strip(PYDANTIC_SPACE)
        if isinstance(value, dict):
            props = schema.get("properties", {})
            if not props:
                for branch in schema.get("anyOf", []):
                    props = self._resolve(branch).get("properties", props)
            out = {}
            for key, item in value.items():
                if "\x00" in key:
                    raise _Refused
                out[key] = self._clean(item, props.get(key, {}))
            return out
        if isinstance(value, list):
            items = schema.get("items") or next((b.get("items") for b in schema.get("anyOf", []) if "items" in b), {})
            return [self._clean(item, items) for item in value]
        return value

    def _ordered(self, schema: dict, body: dict) -> bool:
        for rule in self._resolve(schema).get("x-order", []):
            first, then = body.get(rule["first"]), body.get(rule["then"])
            if first is None or then is None:
                continue
            a, b = _moment(first, self.zone), _moment(then, self.zone)
            if b < a or (b == a and not rule["may_equal"]):
                return False
        return True

    def body_valid(self, operation, case, response) -> bool:
        content = operation.definition.raw.get("requestBody", {}).get("content", {})
        if "application/json" not in content or not isinstance(case.body, (dict, list, str, int, float, bool)):
            return True
        schema = content["application/json"]["schema"]
        try:
            body = self._clean(case.body, schema)
        except _Refused:
            return False
        if not self._validator(schema).is_valid(body):
            return False
        changes_of = self._resolve(schema).get("x-changes-of")
        if changes_of and isinstance(body, dict):
            whole = {"$ref": f"#/components/schemas/{changes_of}"}
            stored = self.world.stored(urlsplit(response.request.url).path)
            if stored is None:
                return True  # nothing to merge with: the answer is a 404, which the checks accept
            fields = self._resolve(whole).get("properties", {})
            merged = {k: v for k, v in stored.items() if k in fields and v is not None}
            merged.update(body)
            merged = {k: v for k, v in merged.items() if v is not None}
            return self._validator(whole).is_valid(merged) and self._ordered(whole, merged)
        return not isinstance(body, dict) or self._ordered(schema, body)

    def query_valid(self, operation, case, response) -> bool:
        sent = parse_qs(urlsplit(response.request.url).query, keep_blank_values=True)
        params = {p["name"]: p for p in operation.definition.raw.get("parameters", []) if p["in"] == "query"}
        values = {}
        for name, param in params.items():
            if name not in sent:
                continue
            try:
                value = self._clean(sent[name][0], param["schema"])  # the server reads the first of a repeated one
            except _Refused:
                return False
            kind = param["schema"].get("type")
            if kind == "integer" and re.fullmatch(r"-?[0-9]{1,20}", value):
                value = int(value)
            elif kind == "boolean" and value in ("true", "false"):
                value = value == "true"
            if not self._validator(param["schema"]).is_valid(value):
                return False
            values[name] = value
        given = {name: values.get(name, params[name]["schema"].get("default")) for name in params}
        for rule in operation.definition.raw.get("x-required-when", []):
            if values.get(rule["param"]) is None and all(given.get(k) in v for k, v in rule["when"].items()):
                return False
        span = operation.definition.raw.get("x-date-range")
        if span:
            from liangbiping.admin.stats.periods import local_today

            end = _moment(values[span["to"]], self.zone) if span["to"] in values else local_today(self.zone)
            start = _moment(values[span["from"]], self.zone) if span["from"] in values else end.replace(day=1)
            limits = [span["max_days"]] + [limit["max_days"] for limit in span.get("limits", [])
                                           if all(given.get(k) == v for k, v in limit["when"].items())]
            if start > end or (end - start).days > min(limits):
                return False
        return True

    def valid(self, operation, case, response) -> bool:
        return self.query_valid(operation, case, response) and self.body_valid(operation, case, response)


class _Refused(Exception):
    pass


def _moment(text, zone):
    """A date, or a time (read in the hall's zone without an offset)."""
    value = datetime.fromisoformat(str(text))
    if len(str(text)) == 10:
        return value.date()
    return value if value.tzinfo else value.replace(tzinfo=zone)


# --- the positive cases' ids ------------------------------------------------------------------------

def _references():
    from liangbiping.admin import models as m

    return {"department_id": (m.Department, {}), "window_id": (m.Window, {}), "staff_id": (m.Staff, {}),
            "department": (m.Department, {}), "window": (m.Window, {}), "staff": (m.Staff, {}),
            "responsible_id": (m.Staff, {}), "leader_id": (m.User, {"role": "leader"}), "user_id": (m.User, {}),
            "playlist_id": (m.Playlist, {}), "group_id": (m.ScreenGroup, {}), "screen_id": (m.Screen, {"kind": "hall"}),
            "service_item_ids": (m.Standard, {}), "window_ids": (m.Window, {})}


def _whole(value) -> bool:
    return (isinstance(value, int) and not isinstance(value, bool)) or (isinstance(value, float) and value.is_integer())


def _pick(value, ids: list) -> int:
    return int(value) if value in ids else ids[int(value) % len(ids)]


def give_existing_ids(world: World, case) -> None:
    """A positive case's ids of other records name records that exist (the same id when it does)."""
    if not isinstance(case.body, dict):
        return
    refs = _references()
    if case.operation.path.endswith("/tokens"):  # a token acts for an active user of its role
        from liangbiping.admin.models import User

        refs["user_id"] = (User, {"role": case.body.get("role"), "active": True})
    for key, value in list(case.body.items()):
        if key not in refs or value is None:
            continue
        model, where = refs[key]
        ids = world.existing(model, **where)
        if not ids:
            continue
        if _whole(value):
            case.body[key] = _pick(value, ids)
        elif isinstance(value, list) and all(_whole(v) for v in value):
            case.body[key] = [_pick(v, ids) for v in value]
    if isinstance(case.body.get("employee_no"), str) and case.operation.path.endswith("/prompts"):
        from liangbiping.admin.models import Staff  # a prompt names a member who exists

        with world.app.app_context():
            numbers = list(db.session.scalars(db.select(Staff.employee_no).order_by(Staff.id)))
            db.session.remove()
        if numbers and case.body["employee_no"] not in numbers:
            case.body["employee_no"] = numbers[len(case.body["employee_no"]) % len(numbers)]
    kind = case.body.get("target_kind")
    if case.operation.path.endswith("/surveys") and kind in refs and isinstance(case.body.get("target_ids"), list):
        ids = world.existing(refs[kind][0])  # a survey's targets: departments, windows or members, by its kind
        if ids and all(_whole(v) for v in case.body["target_ids"]):
            case.body["target_ids"] = [_pick(v, ids) for v in case.body["target_ids"]]
    if isinstance(case.body.get("rating_id"), str) and case.operation.path.endswith("/appeals"):
        from liangbiping.admin.models import Rating

        with world.app.app_context():
            rated = list(db.session.scalars(db.select(Rating.id).order_by(Rating.rated_at)))
            db.session.remove()
        if rated and case.body["rating_id"] not in rated:
            case.body["rating_id"] = rated[len(str(case.body["rating_id"])) % len(rated)]


_IMAGES: dict = {}


def give_a_real_photo(case) -> None:
    """A positive case of the photo upload sends an image: the document can only say "binary"."""
    from .support import image_bytes

    media = (case.media_type or "").split(";")[0]
    fmt = {"image/png": "PNG", "image/webp": "WEBP"}.get(media, "JPEG")
    data = _IMAGES.setdefault(fmt, image_bytes(fmt, size=(60, 80)))
    if media == "multipart/form-data" and isinstance(case.body, dict):
        case.body["photo"] = data
    elif media.startswith("image/"):
        case.body = data


# --- checks -----------------------------------------------------------------------------------------

def _documented_checks(documented: Documented, operation):
    def positive_data_acceptance_as_documented(ctx, response, case):
        try:
            return positive_data_acceptance(ctx, response, case)
        except Failure:
            if response.status_code in (400, 422) and not documented.valid(operation, case, response):
                return None  # invalid once trimmed, cleaned, ordered or merged, as the document says
            raise

    def negative_data_rejection_as_documented(ctx, response, case):
        try:
            return negative_data_rejection(ctx, response, case)
        except Failure:
            if documented.valid(operation, case, response):
                return None  # valid once trimmed and cleaned, as the document says
            raise

    return [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
            negative_data_rejection_as_documented, positive_data_acceptance_as_documented]


# --- running ----------------------------------------------------------------------------------------

@dataclass
class Tally:
    cases: collections.Counter = field(default_factory=collections.Counter)
    seconds: collections.Counter = field(default_factory=collections.Counter)
    server_errors: int = 0
    failures: dict = field(default_factory=dict)  # (operation, check, title, status) -> [count, first report]

    @property
    def total(self) -> int:
        return sum(self.cases.values())

    def by_check(self) -> collections.Counter:
        out = collections.Counter()
        for (_op, check, _title, _status), (count, _report) in self.failures.items():
            out[check] += count
        return out

    def note(self, label: str, failure: Failure, status: int, report: str) -> None:
        key = (label, failure.checks[0] if failure.checks else type(failure).__name__, failure.title, status)
        entry = self.failures.setdefault(key, [0, report])
        entry[0] += 1

    def report(self, limit: int = 12) -> str:
        lines = []
        for (label, check, title, status), (count, report) in sorted(self.failures.items())[:limit]:
            lines.append(f"{label}: {check} ({title}, {status}) x{count}\n{report[:3000]}")
        return "\n\n".join(lines)


def load_schema(world: World, examples: int):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", world.app)
    schema.config.generation.update(max_examples=examples, database="none")
    return schema


def operations(schema) -> list:
    """Every operation, the DELETEs of a path after its other methods."""
    ops = [result.ok() for result in schema.get_all_operations()]
    return sorted(ops, key=lambda op: (op.path, op.method.upper() == "DELETE"))


def run_operation(world: World, schema, documented: Documented, operation, tally: Tally, seed: int | None = None) -> None:
    """Run the generated cases of one operation, noting every failure (no shrinking: all of them)."""
    checks = _documented_checks(documented, operation)
    roles = operation.definition.raw.get("x-roles")
    override = Override(headers=world.headers(roles) if roles else {},
                        path_parameters={k: str(v) for k, v in world.record_for(operation).items()})

    def test(case):
        if case.meta is not None and case.meta.generation.mode.is_positive:
            give_existing_ids(world, case)
            if operation.path.endswith("/photo"):
                give_a_real_photo(case)
        tally.cases[operation.label] += 1
        response = case.call()
        if response.status_code >= 500:
            tally.server_errors += 1
        try:
            case.validate_response(response, checks=checks)
        except FailureGroup as group:
            for failure in group.exceptions:
                tally.note(operation.label, failure, response.status_code, str(group))
        except Failure as failure:
            tally.note(operation.label, failure, response.status_code, str(failure))

    config = schema.config
    settings = config.get_hypothesis_settings(operation=operation, phase="fuzzing")
    if _renders_a_file(operation):  # a PDF or a spreadsheet a case, from a query of a parameter or two
        settings = hypothesis.settings(settings, max_examples=max(5, settings.max_examples // 5))
    hypothesis_test = create_test(operation=operation, test_func=test, config=HypothesisTestConfig(
        project=config, settings=settings, modes=[HypothesisTestMode.EXAMPLES, HypothesisTestMode.FUZZING,
                                                  HypothesisTestMode.COVERAGE],
        seed=derive_operation_seed(seed, operation.label) if seed is not None else None, override=override,
        feedback=FeedbackSources()))
    began = time.perf_counter()
    hypothesis_test()
    tally.seconds[operation.label] += time.perf_counter() - began


def _renders_a_file(operation) -> bool:
    answers = operation.definition.raw.get("responses", {}).get("200", {}).get("content", {})
    return any(media != "application/json" for media in answers)


def run(world: World, examples: int, only: str | None = None, progress=None, seed: int | None = None) -> Tally:
    schema = load_schema(world, examples)
    documented = Documented(world.client.get(f"{API}/openapi.json").get_json(), world)
    tally = Tally()
    for operation in operations(schema):
        if only and not re.search(only, operation.label):
            continue
        run_operation(world, schema, documented, operation, tally, seed)
        if progress:
            progress(operation.label, tally)
    return tally
