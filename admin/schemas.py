"""Request and response shapes (pydantic), shared by the API, the console and the OpenAPI document.

Input takes JSON's own types, as the document gives them: pydantic's lax mode would otherwise take
``true`` or ``"5"`` for a number, ``0`` or ``1`` for a boolean, ``0`` for 1970-01-01 and
``"1700000000"`` for a time. Values the services merge in from stored records (dates, times) are
Python's own and pass as they are. Query strings are turned into these types by ``query_input``.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from functools import cache
from typing import Annotated, Any, Literal, Mapping

from flask_babel import gettext as _
from pydantic import (AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints,
                      WithJsonSchema, model_validator)
from pydantic_core import PydanticCustomError

from .errors import Invalid
from .text import Line, Paragraph



# --- a citizen's contact: a mainland mobile number ----------------------------------------------

# A mainland mobile number (1, then 3-9, then nine digits), optionally after +86, 0086 or 86, with
# spaces, dashes and brackets anywhere; nothing but those is no number at all.
_SEP = "[ ()\\-\u3000]*"
CONTACT_PATTERN = (f"^{_SEP}(?:(?:(?:\\+{_SEP}|0{_SEP}0{_SEP})?8{_SEP}6{_SEP})?1{_SEP}[3-9](?:{_SEP}[0-9]){{9}})?{_SEP}$")


def clean_contact(value: str | None) -> str | None:
    """A mainland mobile number as 11 digits (spaces, dashes, brackets and +86 dropped); None when empty."""
    if value is None:
        return None
    if not re.match(CONTACT_PATTERN, value):
        raise ValueError(_("Must be an 11-digit mobile number."))
    digits = re.sub(r"[^0-9]", "", value)
    return digits[-11:] if digits else None


def contact_field(value) -> str | None:
    """A contact given outside a schema (a form, a service's own arguments): empty is None, and a
    bad one is refused as the field ``contact``, as the schemas' ``Contact`` refuses it."""
    if value is None or value == "":
        return None
    if not isinstance(value, str) or len(value) > 32:
        raise Invalid(_("Must be an 11-digit mobile number."), field="contact")
    try:
        return clean_contact(value)
    except ValueError as exc:
        raise Invalid(str(exc), field="contact") from None


# A contact in a schema: the same rules, the same pattern in the OpenAPI document.
Contact = Annotated[str | None, Field(None, max_length=32), AfterValidator(clean_contact),
                    WithJsonSchema({"anyOf": [{"type": "string", "maxLength": 32, "pattern": CONTACT_PATTERN},
                                              {"type": "null"}]})]


# --- JSON's types, strictly -------------------------------------------------------------------

def _number(value):
    if isinstance(value, (bool, str)):
        raise PydanticCustomError("int_type", "Input should be a valid integer")
    return value


def _truth(value):
    if not isinstance(value, bool):
        raise PydanticCustomError("bool_type", "Input should be a valid boolean")
    return value


def _year_range(first: int, last: int) -> str:
    centuries = range(first // 100, (last + 1) // 100)  # the whole ones
    return "(?:" + "|".join([f"{c}[0-9]{{2}}" for c in centuries] + ([str(last)] if last % 100 == 0 else [])) + ")"


def _leap_years(first: int, last: int) -> str:
    parts = []
    for c in range(first // 100, (last + 1) // 100):
        parts.append(f"{c}(?:0[48]|[2468][048]|[13579][26])" + (f"|{c}00" if c % 4 == 0 else ""))
    if last % 400 == 0:
        parts.append(str(last))
    return "(?:" + "|".join(parts) + ")"


def date_regex(first: int, last: int) -> str:
    """A regex (no anchors) for the real calendar days YYYY-MM-DD of the years ``first``..``last``
    (``first`` opens a century; ``last`` closes one or opens the next): months of 30 and 31 days,
    February 29 in leap years only. What the document says where a JSON Schema format cannot."""
    years = _year_range(first, last)
    return (f"(?:{years}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)"
            f"|02-(?:0[1-9]|1[0-9]|2[0-8]))|{_leap_years(first, last)}-02-29)")


# Dates the statistics, the ledger's calendar and times know: the years 2000 to 2200.
DAY_2000_2200 = date_regex(2000, 2200)
_TIME = r"T(?:[01][0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9](?:\.[0-9]{1,6})?)?(?:Z|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])?"
TIME_PATTERN = f"^{DAY_2000_2200}{_TIME}$"
_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_IN_RANGE_DAY = re.compile(f"^{DAY_2000_2200}$")
_IN_RANGE_TIME = re.compile(TIME_PATTERN)


def _iso_date(value):
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and _ISO_DAY.fullmatch(value):
        return value  # pydantic then checks the month and the day
    raise PydanticCustomError("date_parsing", "Input should be a valid date in the format YYYY-MM-DD")


def _day_in_range(value):
    if isinstance(value, date) and not isinstance(value, datetime):
        value = value.isoformat()
    if not isinstance(value, str) or not _ISO_DAY.fullmatch(value):
        raise PydanticCustomError("date_parsing", "Input should be a valid date in the format YYYY-MM-DD")
    if not _IN_RANGE_DAY.match(value):
        if _out_of_range(value, _IN_RANGE_DAY):
            raise ValueError(_("This date is out of range."))
        raise PydanticCustomError("date_parsing", "Input should be a valid date in the format YYYY-MM-DD")
    return value


def _out_of_range(value: str, pattern: re.Pattern) -> bool:
    """A well-formed date or time of a year before 2000 or after 2200."""
    year = value[:4]
    return year.isascii() and year.isdigit() and not 2000 <= int(year) <= 2200 and bool(pattern.match("2004" + value[4:]))


def _iso_time(value):
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and _IN_RANGE_TIME.match(value):
        return value
    if isinstance(value, str) and _out_of_range(value, _IN_RANGE_TIME):
        raise ValueError(_("This time is out of range."))
    raise PydanticCustomError("datetime_parsing", "Input should be a valid datetime")


Int = Annotated[int, BeforeValidator(_number)]
Bool = Annotated[bool, BeforeValidator(_truth)]


def whole(ge: int, le: int):
    """A JSON integer from ``ge`` to ``le`` (the bounds first, so that the document has them)."""
    return Annotated[int, Field(ge=ge, le=le), BeforeValidator(_number)]


Id = whole(1, 2**31 - 1)
# A calendar day, any year: a JSON string YYYY-MM-DD.
Day = Annotated[date, BeforeValidator(_iso_date), WithJsonSchema({"type": "string", "format": "date"})]
# A day of the years 2000-2200, kept as its text (the statistics' query strings).
DayText = Annotated[str, BeforeValidator(_day_in_range),
                    WithJsonSchema({"type": "string", "pattern": f"^{DAY_2000_2200}$"})]
# The same, documented only: the text is checked where it is read (stats.periods.parse_date), for
# the console's ratings list to tell which filter was wrong.
DayArg = Annotated[str, StringConstraints(min_length=1), WithJsonSchema({"type": "string", "pattern": f"^{DAY_2000_2200}$"})]
# A day of the years 2000-2200 as a date (campaign phases, the ledger's deadlines).
DayInRange = Annotated[date, BeforeValidator(_day_in_range),
                       WithJsonSchema({"type": "string", "pattern": f"^{DAY_2000_2200}$"})]
# A time of the years 2000-2200: YYYY-MM-DDTHH:MM[:SS[.ffffff]], with Z or an offset, or without
# one (then read in the hall's time zone).
Time = Annotated[datetime, BeforeValidator(_iso_time), WithJsonSchema({"type": "string", "pattern": TIME_PATTERN})]

Name = Line(64, min_length=1)
Text = Paragraph(5000)


def _clean_list(items: list[str]) -> list[str]:
    seen: list[str] = []
    for item in items:
        item = item.strip()
        if item and item not in seen:
            seen.append(item)
    return seen


StrList = Annotated[list[Line(500)], Field(max_length=50),
                    AfterValidator(_clean_list)]
Designation = Line(32, min_length=1)


class In(BaseModel):
    """Input: unknown fields are an error, so a typo never passes silently."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


# Rules across fields, in the document too. Where JSON Schema can say it (one of two fields, a
# field that another one's value needs) it says it; an order of two dates or times it cannot,
# so the document names the pair under "x-order" ("then" not before "first"; strictly after
# unless "may_equal").

def one_of(first: str, second: str) -> dict:
    """Exactly one of the two fields is given (an id, not null)."""
    def holds(mine: str, other: str) -> dict:
        return {"required": [mine], "properties": {mine: {"type": "integer"}, other: {"type": "null"}}}

    return {"oneOf": [holds(first, second), holds(second, first)]}


def order(first: str, then: str, *, may_equal: bool) -> dict:
    return {"first": first, "then": then, "may_equal": may_equal}


class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


# --- departments -----------------------------------------------------------------------------

class DepartmentIn(In):
    name: Name
    description: Text = ""
    sort_order: Int = Field(0, ge=-10000, le=10000)


class DepartmentOut(Out):
    id: int
    name: str
    description: str
    sort_order: int


# --- windows ---------------------------------------------------------------------------------

class WindowIn(In):
    number: Line(16, min_length=1)
    name: Name
    department_id: Id | None = None
    description: Text = ""
    service_item_ids: Annotated[list[Id], Field(max_length=200)] = []


class WindowOut(Out):
    id: int
    number: str
    name: str
    department_id: int | None
    description: str
    service_item_ids: list[int]


# --- staff -----------------------------------------------------------------------------------

class StaffIn(In):
    name: Line(32, min_length=1)
    title: Line(64) = ""
    employee_no: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=32,
                                                  pattern=r"^[A-Za-z0-9_\-]+$")]
    department_id: Id | None = None
    window_id: Id | None = None
    is_party_member: Bool = False
    party_post: Line(64) = ""
    designations: Annotated[list[Designation], Field(max_length=10), AfterValidator(_clean_list)] = []
    duties: Text = ""
    on_duty: Bool = False
    sort_order: Int = Field(0, ge=-10000, le=10000)


class StaffOut(Out):
    id: int
    name: str
    title: str
    employee_no: str
    department_id: int | None
    window_id: int | None
    is_party_member: bool
    party_post: str
    designations: list[str]
    duties: str
    on_duty: bool
    photo_url: str | None
    sort_order: int


# --- standards -------------------------------------------------------------------------------

class StandardIn(In):
    kind: Literal["service_item", "hall_rule"] = "service_item"
    item_name: Line(128, min_length=1)
    department_id: Id | None = None
    window_ids: Annotated[list[Id], Field(max_length=200)] = []
    description: Text = ""
    steps: StrList = []
    time_limit: Line(64) = ""
    materials: StrList = []
    fees: Line(128) = ""
    legal_basis: Text = ""
    service_language: Text = ""
    sort_order: Int = Field(0, ge=-10000, le=10000)


class StandardOut(Out):
    id: int
    kind: str
    item_name: str
    department_id: int | None
    window_ids: list[int]
    description: str
    steps: list[str]
    time_limit: str
    materials: list[str]
    fees: str
    legal_basis: str
    service_language: str
    sort_order: int


# --- pledges ---------------------------------------------------------------------------------

class PledgeIn(In):
    model_config = ConfigDict(json_schema_extra={"x-order": [order("period_start", "period_end", may_equal=True)]})

    staff_id: Id | None = Field(None, description="empty for the party organisation's pledge")
    text: Paragraph(2000, min_length=1)
    period_start: Day | None = None
    period_end: Day | None = None
    published: Bool = True

    @model_validator(mode="after")
    def _period(self):
        if self.period_start and self.period_end and self.period_end < self.period_start:
            raise ValueError("period_end is before period_start")
        return self


class PledgeOut(Out):
    id: int
    staff_id: int | None
    text: str
    period_start: date | None
    period_end: date | None
    published: bool


# --- honors ----------------------------------------------------------------------------------

class HonorIn(In):
    model_config = ConfigDict(json_schema_extra=one_of("staff_id", "window_id"))

    title: Line(128, min_length=1)
    staff_id: Id | None = None
    window_id: Id | None = None
    awarded_on: Day
    issuer: Line(128) = ""

    @model_validator(mode="after")
    def _holder(self):
        if (self.staff_id is None) == (self.window_id is None):
            raise ValueError("an honor goes to exactly one member or one window")
        return self


class HonorOut(Out):
    id: int
    title: str
    staff_id: int | None
    window_id: int | None
    awarded_on: date
    issuer: str


# --- notices ---------------------------------------------------------------------------------

class NoticeIn(In):
    model_config = ConfigDict(json_schema_extra={"x-order": [order("starts_at", "ends_at", may_equal=False)]})

    title: Line(128, min_length=1)
    text: Paragraph(2000) = ""
    priority: Literal["normal", "urgent"] = "normal"
    starts_at: Time | None = Field(None, description="ISO-8601; without an offset it is read in the hall's time zone")
    ends_at: Time | None = None

    @model_validator(mode="after")
    def _period(self):
        if self.starts_at and self.ends_at:
            start, end = self.starts_at, self.ends_at
            if (start.tzinfo is None) == (end.tzinfo is None) and end <= start:
                raise ValueError("ends_at must be after starts_at")
        return self


class NoticeOut(Out):
    id: int
    title: str
    text: str
    priority: str
    starts_at: datetime | None
    ends_at: datetime | None
    active: bool


# --- what screens show ----------------------------------------------------------------------

SlideKind = Literal["identity_wall", "member_spotlight", "standards", "pledges", "honor_board", "notices",
                    "banner", "satisfaction", "boards", "window", "wishes", "take_part"]
Clock = Annotated[str, StringConstraints(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")]


class SlideOptions(In):
    department_id: Id | None = None
    window_id: Id | None = None


class Slide(In):
    kind: SlideKind
    duration: Int = Field(15, ge=3, le=600, description="seconds")
    options: SlideOptions = SlideOptions()


class PlaylistIn(In):
    name: Name
    slides: Annotated[list[Slide], Field(min_length=1, max_length=50)]


class PlaylistOut(Out):
    id: int
    name: str
    slides: list[dict]


class ScreenGroupIn(In):
    name: Name


class ScreenGroupOut(Out):
    id: int
    name: str


class ScheduleIn(In):
    model_config = ConfigDict(json_schema_extra={**one_of("screen_id", "group_id"),
                                                  "x-order": [order("start_date", "end_date", may_equal=True)]})

    name: Line(64) = ""
    playlist_id: Id
    screen_id: Id | None = None
    group_id: Id | None = None
    weekdays: Annotated[list[whole(0, 6)], Field(min_length=1, max_length=7)] = [0, 1, 2, 3, 4, 5, 6]
    start_time: Clock | None = Field(None, description="HH:MM in the hall's time zone")
    end_time: Clock | None = None
    start_date: Day | None = None
    end_date: Day | None = None
    priority: Int = Field(0, ge=-100, le=100)

    @model_validator(mode="after")
    def _target(self):
        if (self.screen_id is None) == (self.group_id is None):
            raise ValueError("a schedule applies to exactly one screen or one group")
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValueError("period_end is before period_start")
        self.weekdays = sorted(set(self.weekdays))
        return self


class ScheduleOut(Out):
    id: int
    name: str
    playlist_id: int
    screen_id: int | None
    group_id: int | None
    weekdays: list[int]
    start_time: str | None
    end_time: str | None
    start_date: date | None
    end_date: date | None
    priority: int


# --- devices ---------------------------------------------------------------------------------

class ScreenIn(In):
    # A window screen names its window and always shows it (no playlist: catalog._hall_screens_only).
    model_config = ConfigDict(json_schema_extra={"anyOf": [
        {"properties": {"kind": {"const": "hall"}}},
        {"required": ["kind", "window_id"],
         "properties": {"kind": {"const": "window"}, "window_id": {"type": "integer"}, "playlist_id": {"type": "null"}}},
    ]})

    name: Name
    kind: Literal["hall", "window"] = "hall"
    window_id: Id | None = None
    group_id: Id | None = None
    playlist_id: Id | None = Field(None, description="shown when no schedule applies; empty for the default")
    enabled: Bool = Field(True, description="false cuts the screen off at once (its token refused) and keeps its settings")

    @model_validator(mode="after")
    def _window(self):
        if self.kind == "window" and self.window_id is None:
            raise ValueError("a window screen needs window_id")
        return self


class ScreenOut(Out):
    id: int
    name: str
    kind: str
    window_id: int | None
    group_id: int | None
    playlist_id: int | None
    enabled: bool
    status: str
    last_seen_at: datetime | None
    applied_version: int
    current_version: int | None
    current_slide: str
    resolution: str


class KioskIn(In):
    # A third-party evaluator device rates its window only: it needs one.
    model_config = ConfigDict(json_schema_extra={
        "if": {"required": ["kind"], "properties": {"kind": {"const": "device"}}},
        "then": {"required": ["window_id"], "properties": {"window_id": {"type": "integer"}}}})

    name: Name
    window_id: Id | None = Field(None, description="empty for a kiosk on the floor (the citizen picks the window)")
    enabled: Bool = Field(True, description="false cuts the kiosk off at once (its token refused) and keeps its settings")
    kind: Literal["kiosk", "device"] = Field(
        "kiosk", description="kiosk: the touch page; device: a third-party evaluator (评价器) that posts ratings "
                             "for its window with channel `device` (docs/INTEGRATION.md)")

    @model_validator(mode="after")
    def _device_has_a_window(self):
        if self.kind == "device" and self.window_id is None:
            raise ValueError(_("An evaluator device belongs to one window: choose it."))
        return self


class KioskOut(Out):
    id: int
    name: str
    window_id: int | None
    kind: str = "kiosk"
    enabled: bool
    status: str
    last_seen_at: datetime | None


PairingCodeField = Annotated[str, StringConstraints(strip_whitespace=True, to_upper=True, min_length=6, max_length=6,
                                                   pattern=r"^[A-Z0-9]{6}$")]


class ScreenPairIn(ScreenIn):
    code: PairingCodeField = Field(description="the 6-character code the screen shows")


class KioskPairIn(KioskIn):
    code: PairingCodeField = Field(description="the 6-character code the kiosk shows")


class DeviceCreated(BaseModel):
    token: str = Field(description="shown this once; stored hashed")


class ScreenCreated(ScreenOut, DeviceCreated):
    pass


class KioskCreated(KioskOut, DeviceCreated):
    pass


# --- ratings (read side; intake is its own route) ----------------------------------------------

class RatingOut(Out):
    id: str
    score: int
    staff_id: int | None
    window_id: int | None
    channel: str
    reasons: list[str]
    comment: str
    flagged: str | None
    prompted: bool
    rated_at: datetime
    received_at: datetime


# --- users and tokens ------------------------------------------------------------------------

# As typed: a password is not trimmed (the sign-in compares it as typed).
Password = Annotated[str, StringConstraints(strip_whitespace=False, min_length=8, max_length=128)]


class UserIn(In):
    # A staff user is linked to their member (services.accounts.save_user); the role is staff when left out.
    model_config = ConfigDict(json_schema_extra={"anyOf": [
        {"required": ["role"], "properties": {"role": {"enum": ["admin", "leader"]}}},
        {"required": ["staff_id"], "properties": {"role": {"const": "staff"}, "staff_id": {"type": "integer"}}},
    ]})

    username: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64,
                                               pattern=r"^[A-Za-z0-9_.\-@]+$")]
    display_name: Line(64) = ""
    role: Literal["admin", "leader", "staff"] = "staff"
    staff_id: Id | None = None
    active: Bool = True
    password: Password | None = None


class NewUserIn(UserIn):
    """A new user has a password (services.accounts.save_user)."""

    password: Password


class UserOut(Out):
    id: int
    username: str
    display_name: str
    role: str
    staff_id: int | None
    active: bool
    last_login_at: datetime | None


class TokenIn(In):
    # A leader's or a staff token acts for a user (services.accounts.create_token).
    model_config = ConfigDict(json_schema_extra={"anyOf": [
        {"properties": {"role": {"const": "admin"}}},
        {"properties": {"role": {"const": "integration"}, "user_id": {"type": "null"}}},  # a system's, nobody's
        {"required": ["user_id"], "properties": {"role": {"enum": ["admin", "leader", "staff"]},
                                                 "user_id": {"type": "integer"}}},
    ]})

    name: Name
    role: Literal["admin", "leader", "staff", "integration"]
    user_id: Id | None = Field(None, description="the user the token acts for, with their scope; "
                                                 "required for leader and staff tokens")


class TokenOut(Out):
    id: int
    name: str
    role: str
    user_id: int | None
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenCreated(TokenOut):
    token: str


class AuditOut(Out):
    id: int
    at: datetime
    actor: str
    action: str
    entity: str
    entity_id: str | None
    summary: str
    changes: dict


class Page(BaseModel):
    items: list
    total: int
    page: int
    per_page: int


class ErrorBody(BaseModel):
    code: str
    message: str
    details: list[dict] | None = None


class Error(BaseModel):
    error: ErrorBody


# --- query strings -------------------------------------------------------------------------------

@cache
def _query_types(model: type[BaseModel]) -> dict[str, str]:
    """The JSON type of each query parameter of ``model``, by its name in the URL."""
    out = {}
    for name, prop in model.model_json_schema(mode="validation").get("properties", {}).items():
        types = {branch.get("type") for branch in prop.get("anyOf", [prop])}
        out[name] = "integer" if "integer" in types else "boolean" if "boolean" in types else "string"
    return out


def query_input(model: type[BaseModel], args: Mapping[str, str]) -> dict[str, Any]:
    """A query string's values as the JSON values the document gives them: an integer is written in
    decimal digits (with a minus sign, at most 20 of them), a boolean as true or false; anything
    else stays text, which the model then refuses for a number or a boolean."""
    types = _query_types(model)
    out: dict[str, Any] = {}
    for key, value in args.items():
        kind = types.get(key)
        if kind == "integer" and re.fullmatch(r"-?[0-9]{1,20}", value):
            value = int(value)
        elif kind == "boolean" and value in ("true", "false"):
            value = value == "true"
        out[key] = value
    return out
