"""Request and response shapes of the campaign's API (statistics, ledger, appeals, boards, phases)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from ..schemas import Bool, DayInRange, DayText, Id, In, Int, Out, order, whole
from ..text import Line, Paragraph


class Query(BaseModel):
    """Query strings: extra parameters are ignored (cache busters and the like)."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True, populate_by_name=True)

ShortText = Paragraph(2000)


# --- statistics ------------------------------------------------------------------------------

class SatisfactionQuery(Query):
    scope: Literal["hall", "department", "window", "staff"] = "hall"
    id: Optional[Id] = None
    date_from: Optional[DayText] = Field(None, alias="from", description="YYYY-MM-DD, hall time zone, inclusive")
    date_to: Optional[DayText] = Field(None, alias="to", description="YYYY-MM-DD, hall time zone, inclusive")


class SatisfactionItemQuery(SatisfactionQuery):
    service_item: Optional[Line(128, min_length=1)] = Field(
        None, description="only the ratings of prompts for this service item (事项), by its name")


class TrendQuery(SatisfactionQuery):
    granularity: Literal["day", "week", "month", "quarter", "half", "year"] = "day"


class RankingQuery(Query):
    level: Literal["staff", "window", "department"] = "staff"
    date_from: Optional[DayText] = Field(None, alias="from")
    date_to: Optional[DayText] = Field(None, alias="to")
    min_sample: Optional[whole(0, 100000)] = None


class Wilson(BaseModel):
    low: float
    high: float


class SatisfactionOut(BaseModel):
    count: int
    distribution: dict[str, int]
    satisfied: int
    rate: Optional[float]
    satisfied_levels: list[int]
    wilson: Optional[Wilson]
    low_confidence: bool
    target: float
    meets_target: Optional[bool]
    reasons: dict[str, int] = {}
    service_item: Optional[str] = None
    scope: str
    id: Optional[int]
    date_from: str = Field(serialization_alias="from")
    date_to: str = Field(serialization_alias="to")

    model_config = ConfigDict(populate_by_name=True)


class TrendPoint(BaseModel):
    period: str
    label: str
    start: str
    end: str
    count: int
    satisfied: int
    rate: Optional[float]
    low_confidence: bool


class TrendOut(BaseModel):
    scope: str
    id: Optional[int]
    granularity: str
    points: list[TrendPoint]


class RankingRow(BaseModel):
    id: int
    name: str
    rank: Optional[int]
    ranked: bool
    count: int
    satisfied: int
    rate: Optional[float]
    wilson: Optional[Wilson]
    low_confidence: bool


class RankingOut(BaseModel):
    level: str
    date_from: str = Field(serialization_alias="from")
    date_to: str = Field(serialization_alias="to")
    min_sample: int
    rows: list[RankingRow]


# --- the ledger ------------------------------------------------------------------------------

class RectificationEventOut(Out):
    at: datetime
    actor: str
    action: str
    from_state: Optional[str]
    to_state: Optional[str]
    note: str


class RectificationOut(Out):
    id: int
    source: str
    rating_id: Optional[str]
    suggestion_id: Optional[int]
    staff_id: Optional[int]
    window_id: Optional[int]
    department_id: Optional[int]
    problem: str
    measure: str
    deadline: Optional[date]
    leader_id: Optional[int]
    responsible_id: Optional[int]
    four_clear: bool
    state: str
    overdue: bool
    overdue_since: Optional[date]
    dismissed_reason: str
    evidence: str
    has_evidence_photo: bool = False
    verdict: Optional[str]
    callback_note: str
    reopened: int
    opened_at: datetime
    verified_at: Optional[datetime]
    started_at: Optional[datetime]
    done_at: Optional[datetime]
    closed_at: Optional[datetime]
    events: list[RectificationEventOut]
    external_source: Optional[str] = None
    external_id: Optional[str] = None

    @model_validator(mode="before")
    @classmethod
    def _photo(cls, data):
        if not isinstance(data, dict) and hasattr(data, "evidence_photo"):
            return {**{k: getattr(data, k) for k in cls.model_fields if k != "has_evidence_photo"},
                    "has_evidence_photo": bool(data.evidence_photo)}
        return data


class RectificationIn(In):
    # A work order from outside names both its source and its id there (a repeat updates the entry).
    model_config = ConfigDict(json_schema_extra={"anyOf": [
        {"properties": {"external_source": {"type": "null"}, "external_id": {"type": "null"}}},
        {"required": ["external_source", "external_id"],
         "properties": {"external_source": {"type": "string"}, "external_id": {"type": "string"}}}]})

    problem: Paragraph(2000, min_length=1)
    staff_id: Optional[Id] = None
    window_id: Optional[Id] = None
    measure: ShortText = ""
    deadline: Optional[DayInRange] = None
    leader_id: Optional[Id] = None
    responsible_id: Optional[Id] = None
    external_source: Optional[Literal["hotline_12345", "platform", "other"]] = Field(
        None, description="a work order from outside: 12345 hotline, the 好差评 platform, or another system")
    external_id: Optional[Line(64, min_length=1)] = Field(
        None, description="its id in that system; the same id again updates the entry instead of adding one")

    @model_validator(mode="after")
    def _both_or_neither(self):
        if (self.external_source is None) != (self.external_id is None):
            from flask_babel import gettext as _

            raise ValueError(_("Give external_source and external_id together."))
        return self


def _no_default(schema: dict) -> None:
    schema.pop("default", None)


class RectificationPatch(In):
    problem: Paragraph(2000, min_length=1) = Field(None, json_schema_extra=_no_default)  # left out, never null
    staff_id: Optional[Id] = None
    window_id: Optional[Id] = None
    measure: Optional[ShortText] = None
    deadline: Optional[DayInRange] = None
    leader_id: Optional[Id] = None
    responsible_id: Optional[Id] = None


class TransitionIn(In):
    # What each step needs from the body (the entry's state decides whether the step is possible: 409).
    model_config = ConfigDict(json_schema_extra={"anyOf": [
        {"properties": {"action": {"enum": ["verify", "start"]}}},
        {"required": ["reason"], "properties": {"action": {"const": "dismiss"}, "reason": {"type": "string", "minLength": 1}}},
        {"required": ["evidence"],
         "properties": {"action": {"const": "complete"}, "evidence": {"type": "string", "minLength": 1}}},
        {"required": ["verdict"], "properties": {"action": {"const": "revisit"}, "verdict": {"type": "string"}}},
    ]})

    action: Literal["verify", "dismiss", "start", "complete", "revisit"]
    reason: Optional[ShortText] = None
    evidence: Optional[ShortText] = None
    verdict: Optional[Literal["satisfied", "basically_satisfied", "dissatisfied"]] = None
    note: Optional[ShortText] = None


class RectificationListQuery(Query):
    page: Int = Field(1, ge=1, le=100000)
    per_page: Int = Field(50, ge=1, le=200)
    state: Optional[Literal["open", "verified", "dismissed", "rectifying", "done", "revisited", "active"]] = None
    overdue: Optional[Bool] = None
    source: Optional[Literal["rating", "suggestion", "manual", "external"]] = None
    department_id: Optional[Id] = None
    staff_id: Optional[Id] = None
    rating_id: Optional[Annotated[str, StringConstraints(max_length=36)]] = None
    suggestion_id: Optional[Id] = None
    q: Optional[Annotated[str, StringConstraints(max_length=100)]] = None


class ExportQuery(Query):
    state: Optional[Literal["open", "verified", "dismissed", "rectifying", "done", "revisited", "active"]] = None
    date_from: Optional[DayText] = Field(None, alias="from")
    date_to: Optional[DayText] = Field(None, alias="to")


# --- appeals ---------------------------------------------------------------------------------

class AppealIn(In):
    rating_id: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=36)]
    kind: Literal["mistaken", "malicious"]
    reason: Paragraph(2000, min_length=1)


class AppealDecision(In):
    upheld: Bool
    note: ShortText = ""


class AppealOut(Out):
    id: int
    rating_id: str
    staff_id: Optional[int]
    kind: str
    reason: str
    status: str
    submitted_by: str
    submitted_at: datetime
    decided_by: str
    decided_at: Optional[datetime]
    decision_note: str


class AppealListQuery(Query):
    page: Int = Field(1, ge=1, le=100000)
    per_page: Int = Field(50, ge=1, le=200)
    status: Optional[Literal["pending", "upheld", "rejected"]] = None
    staff_id: Optional[Id] = None


# --- boards and phases -----------------------------------------------------------------------

class BoardRow(BaseModel):
    rank: Optional[int]
    staff_id: int
    name: str
    department: str
    value: Optional[float]
    display: str
    sample: Optional[int] = None


class BoardOut(BaseModel):
    key: str
    title: str
    period: str
    unit: str
    published: bool
    rows: list[BoardRow]
    note: str = ""


class BoardsOut(BaseModel):
    boards: list[BoardOut]


class PhaseIn(In):
    model_config = ConfigDict(json_schema_extra={"x-order": [order("starts_on", "ends_on", may_equal=True)]})

    name: Line(64, min_length=1)
    stage: Literal["mobilize", "advance", "consolidate", "other"] = "other"
    starts_on: DayInRange
    ends_on: DayInRange
    description: Paragraph(2000) = ""

    @model_validator(mode="after")
    def _order(self):
        if self.ends_on < self.starts_on:
            raise ValueError("period_end is before period_start")
        return self


class PhaseOut(Out):
    id: int
    name: str
    stage: str
    starts_on: date
    ends_on: date
    description: str
    current: bool = False


class CalendarDayIn(In):
    working: Optional[Bool] = Field(None, description="true: a working day; false: a day off; null: the library decides")
    note: Line(64) = ""


class CalendarDayOut(BaseModel):
    day: date
    working: bool
    library: bool
    override: bool
    name: str
    note: str


class CalendarOut(BaseModel):
    year: int
    working_days: int
    days: list[CalendarDayOut]
