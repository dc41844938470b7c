"""Request and response shapes (pydantic), shared by the API, the console and the OpenAPI document."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, model_validator

from .text import Line, Paragraph

Name = Line(64, min_length=1)
Text = Paragraph(5000)
Id = Annotated[int, Field(ge=1, le=2**31 - 1)]


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


class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


# --- departments -----------------------------------------------------------------------------

class DepartmentIn(In):
    name: Name
    description: Text = ""
    sort_order: int = Field(0, ge=-10000, le=10000)


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
    is_party_member: bool = False
    party_post: Line(64) = ""
    designations: Annotated[list[Designation], Field(max_length=10), AfterValidator(_clean_list)] = []
    duties: Text = ""
    on_duty: bool = False
    sort_order: int = Field(0, ge=-10000, le=10000)


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
    sort_order: int = Field(0, ge=-10000, le=10000)


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
    staff_id: Id | None = Field(None, description="empty for the party organisation's pledge")
    text: Paragraph(2000, min_length=1)
    period_start: date | None = None
    period_end: date | None = None
    published: bool = True

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
    title: Line(128, min_length=1)
    staff_id: Id | None = None
    window_id: Id | None = None
    awarded_on: date
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
    title: Line(128, min_length=1)
    text: Paragraph(2000) = ""
    priority: Literal["normal", "urgent"] = "normal"
    starts_at: datetime | None = Field(None, description="ISO-8601; without an offset it is read in the hall's time zone")
    ends_at: datetime | None = None

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
                    "banner", "satisfaction", "boards", "window"]
Clock = Annotated[str, StringConstraints(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")]


class SlideOptions(In):
    department_id: Id | None = None
    window_id: Id | None = None


class Slide(In):
    kind: SlideKind
    duration: int = Field(15, ge=3, le=600, description="seconds")
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
    name: Line(64) = ""
    playlist_id: Id
    screen_id: Id | None = None
    group_id: Id | None = None
    weekdays: Annotated[list[Annotated[int, Field(ge=0, le=6)]], Field(min_length=1, max_length=7)] = [0, 1, 2, 3, 4, 5, 6]
    start_time: Clock | None = Field(None, description="HH:MM in the hall's time zone")
    end_time: Clock | None = None
    start_date: date | None = None
    end_date: date | None = None
    priority: int = Field(0, ge=-100, le=100)

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
    name: Name
    kind: Literal["hall", "window"] = "hall"
    window_id: Id | None = None
    group_id: Id | None = None
    playlist_id: Id | None = Field(None, description="shown when no schedule applies; empty for the default")
    enabled: bool = Field(True, description="false cuts the screen off at once (its token refused) and keeps its settings")

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
    name: Name
    window_id: Id | None = Field(None, description="empty for a kiosk on the floor (the citizen picks the window)")
    enabled: bool = Field(True, description="false cuts the kiosk off at once (its token refused) and keeps its settings")


class KioskOut(Out):
    id: int
    name: str
    window_id: int | None
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

class UserIn(In):
    username: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64,
                                               pattern=r"^[A-Za-z0-9_.\-@]+$")]
    display_name: Line(64) = ""
    role: Literal["admin", "leader", "staff"] = "staff"
    staff_id: Id | None = None
    active: bool = True
    password: Annotated[str | None, Field(min_length=8, max_length=128)] = None


class UserOut(Out):
    id: int
    username: str
    display_name: str
    role: str
    staff_id: int | None
    active: bool
    last_login_at: datetime | None


class TokenIn(In):
    name: Name
    role: Literal["admin", "leader", "staff"]
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
