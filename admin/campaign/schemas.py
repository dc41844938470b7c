"""Request and response shapes of the campaign's API (statistics, ledger, appeals, boards, phases)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from ..schemas import Id, In, Out
from ..text import Line, Paragraph


class Query(BaseModel):
    """Query strings: extra parameters are ignored (cache busters and the like)."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True, populate_by_name=True)

ShortText = Paragraph(2000)
DateText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=10)]


# --- statistics ------------------------------------------------------------------------------

class SatisfactionQuery(Query):
    scope: Literal["hall", "department", "window", "staff"] = "hall"
    id: Optional[Id] = None
    date_from: Optional[DateText] = Field(None, alias="from", description="YYYY-MM-DD, hall time zone, inclusive")
    date_to: Optional[DateText] = Field(None, alias="to", description="YYYY-MM-DD, hall time zone, inclusive")


class TrendQuery(SatisfactionQuery):
    granularity: Literal["day", "week", "month", "quarter", "year"] = "day"


class RankingQuery(Query):
    level: Literal["staff", "window", "department"] = "staff"
    date_from: Optional[DateText] = Field(None, alias="from")
    date_to: Optional[DateText] = Field(None, alias="to")
    min_sample: Optional[int] = Field(None, ge=0, le=100000)


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

    @model_validator(mode="before")
    @classmethod
    def _photo(cls, data):
        if not isinstance(data, dict) and hasattr(data, "evidence_photo"):
            return {**{k: getattr(data, k) for k in cls.model_fields if k != "has_evidence_photo"},
                    "has_evidence_photo": bool(data.evidence_photo)}
        return data


class RectificationIn(In):
    problem: ShortText = Field(min_length=1)
    staff_id: Optional[Id] = None
    window_id: Optional[Id] = None
    measure: ShortText = ""
    deadline: Optional[date] = None
    leader_id: Optional[Id] = None
    responsible_id: Optional[Id] = None


class RectificationPatch(In):
    problem: Optional[ShortText] = None
    staff_id: Optional[Id] = None
    window_id: Optional[Id] = None
    measure: Optional[ShortText] = None
    deadline: Optional[date] = None
    leader_id: Optional[Id] = None
    responsible_id: Optional[Id] = None


class TransitionIn(In):
    action: Literal["verify", "dismiss", "start", "complete", "revisit"]
    reason: Optional[ShortText] = None
    evidence: Optional[ShortText] = None
    verdict: Optional[Literal["satisfied", "basically_satisfied", "dissatisfied"]] = None
    note: Optional[ShortText] = None


class RectificationListQuery(Query):
    page: int = Field(1, ge=1, le=100000)
    per_page: int = Field(50, ge=1, le=200)
    state: Optional[Literal["open", "verified", "dismissed", "rectifying", "done", "revisited", "active"]] = None
    overdue: Optional[bool] = None
    source: Optional[Literal["rating", "suggestion", "manual"]] = None
    department_id: Optional[Id] = None
    staff_id: Optional[Id] = None
    rating_id: Optional[Annotated[str, StringConstraints(max_length=36)]] = None
    suggestion_id: Optional[Id] = None
    q: Optional[Annotated[str, StringConstraints(max_length=100)]] = None


class ExportQuery(Query):
    state: Optional[Literal["open", "verified", "dismissed", "rectifying", "done", "revisited", "active"]] = None
    date_from: Optional[DateText] = Field(None, alias="from")
    date_to: Optional[DateText] = Field(None, alias="to")


# --- appeals ---------------------------------------------------------------------------------

class AppealIn(In):
    rating_id: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=36)]
    kind: Literal["mistaken", "malicious"]
    reason: ShortText = Field(min_length=1)


class AppealDecision(In):
    upheld: bool
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
    page: int = Field(1, ge=1, le=100000)
    per_page: int = Field(50, ge=1, le=200)
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
    name: Line(64, min_length=1)
    stage: Literal["mobilize", "advance", "consolidate", "other"] = "other"
    starts_on: date
    ends_on: date
    description: Paragraph(2000) = ""

    @model_validator(mode="after")
    def _order(self):
        if self.ends_on < self.starts_on:
            raise ValueError("the phase ends before it starts")
        if not (date(2000, 1, 1) <= self.starts_on <= date(2200, 12, 31)
                and date(2000, 1, 1) <= self.ends_on <= date(2200, 12, 31)):
            raise ValueError("the phase is out of range")
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
    working: Optional[bool] = Field(None, description="true: a working day; false: a day off; null: the library decides")
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
