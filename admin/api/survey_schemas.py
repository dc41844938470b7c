"""Request and response shapes of survey rounds (the API and the OpenAPI document)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from liangbiping.kiosk.schemas import Token

from ..schemas import Bool, Contact, DayInRange, Id, In, Int, Out, order, whole
from ..text import Line, Paragraph
from ..surveys.questions import DIMENSIONS

Code = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=16)]


class QuestionIn(In):
    model_config = ConfigDict(json_schema_extra={
        # Choices need two to twelve options; other kinds ignore them.
        "if": {"required": ["kind"], "properties": {"kind": {"enum": ["single", "multiple"]}}},
        "then": {"required": ["options"], "properties": {"options": {"minItems": 2}}}})

    kind: Literal["rating", "single", "multiple", "text"] = Field(
        description="rating: the five levels; single or multiple choice; text")
    text: Line(200, min_length=1)
    dimension: Literal[tuple(DIMENSIONS)] | None = Field(
        None, description="a rating question's preset dimension: " + ", ".join(DIMENSIONS))
    options: Annotated[list[Line(100, min_length=1)], Field(max_length=12)] = Field(
        default_factory=list, description="the choices of a single or multiple choice question")
    required: Bool = False

    @model_validator(mode="after")
    def _choices(self):
        if self.kind in ("single", "multiple") and len(self.options) < 2:
            raise ValueError("options: a choice question needs 2 to 12 options")
        return self


TargetKind = Literal["hall", "department", "window", "staff"]


class SurveyIn(In):
    model_config = ConfigDict(json_schema_extra={
        "x-order": [order("period_start", "period_end", may_equal=True)],
        # Departments, windows or members: at least one of them (ids of records of that kind).
        "if": {"properties": {"target_kind": {"const": "hall"}}},
        "else": {"required": ["target_ids"], "properties": {"target_ids": {"minItems": 1}}}})

    title: Line(128, min_length=1)
    description: Paragraph(2000) = ""
    target_kind: TargetKind = Field("hall", description="what it evaluates")
    target_ids: Annotated[list[Id], Field(max_length=500)] = Field(
        default_factory=list, description="the departments, windows or members (by target_kind); empty for the hall")
    questions: Annotated[list[QuestionIn], Field(min_length=1, max_length=40)]
    period_start: DayInRange | None = Field(None, description="default: the half-year of today")
    period_end: DayInRange | None = None
    open_public: Bool = Field(True, description="citizens answer by QR code, kiosk and paper")
    open_invited: Bool = Field(False, description="invited respondents answer with single-use codes")
    sheets_printed: whole(0, 100000) = Field(0, description="paper sheets handed out: paper entries number 1..this")

    @model_validator(mode="after")
    def _rules(self):
        if self.period_start and self.period_end and self.period_end < self.period_start:
            raise ValueError("period_end is before period_start")
        if self.target_kind != "hall" and not self.target_ids:
            raise ValueError("target_ids: choose what the survey evaluates")
        return self


class SurveyPatch(In):
    title: Line(128, min_length=1) | None = None
    description: Paragraph(2000) | None = None
    sheets_printed: whole(0, 100000) | None = None


class SurveyOut(Out):
    id: int
    code: str
    title: str
    description: str
    target_kind: str
    target_ids: list[int]
    questions: list[dict]
    period_start: date
    period_end: date
    status: str
    open_public: bool
    open_invited: bool
    sheets_printed: int
    created_at: datetime
    opened_at: datetime | None
    closed_at: datetime | None
    published_at: datetime | None
    public_url: str | None = None


class SurveyTransition(In):
    action: Literal["open", "close", "publish", "unpublish"]


class Invitee(In):
    name: Line(64, min_length=1)
    unit: Line(128) = ""
    kind: Literal["supervisor", "deputy", "enterprise", "other"] = "other"


class InvitationsIn(In):
    people: Annotated[list[Invitee], Field(min_length=1, max_length=200)]


class InvitationOut(Out):
    id: int
    code: str
    name: str
    unit: str
    kind: str
    used_at: datetime | None
    link: str | None = None




class AnswerIn(In):
    survey: Code = Field(description="the survey's code (its QR code's /v/<code>)")
    channel: Literal["phone", "kiosk", "invitation"]
    target_id: Id | None = None
    answers: Annotated[dict[Annotated[str, StringConstraints(max_length=8)], Union[Int, list[Int], Paragraph(1000)]],
                       Field(max_length=40)] = Field(description="question key -> 1..5, a choice's index, "
                                                                 "a list of indexes, or text")
    contact: Contact = None
    invitation: Code | None = Field(None, description="the single-use invitation code (channel invitation)")
    kiosk_token: Token | None = None


class PaperIn(In):
    paper_no: whole(1, 100000) = Field(description="the number written in the sheet's box")
    target_id: Id | None = None
    answers: Annotated[dict[Annotated[str, StringConstraints(max_length=8)], Union[Int, list[Int], Paragraph(1000)]],
                       Field(max_length=40)]
    contact: Contact = None


class AnswerOut(Out):
    id: int
    survey_id: int
    channel: str
    target_id: int | None
    created_at: datetime


class SurveyResults(BaseModel):
    model_config = ConfigDict(extra="allow")

    survey_id: int
    answers: int
    channels: dict
    headline: dict
    invited: dict
    dimensions: dict
    questions: list
    low_answers: list
    previous: dict | None


class SurveyListQuery(BaseModel):
    model_config = {"extra": "ignore", "str_strip_whitespace": True}

    status: Literal["draft", "open", "closed"] | None = None
