"""Supervisors (行风监督员) and symposiums (座谈会) through the API: the register and its terms
(administrators), symposiums and the problems raised there, each a ledger entry (managers)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from flask import g
from pydantic import ConfigDict, Field, model_validator

from ..campaign.schemas import RectificationIn
from ..schemas import Bool, Contact, DayInRange, In, Out, order
from ..services.scope import current_viewer
from ..stats.periods import local_today
from ..surveys import rounds
from ..symposiums import service
from ..text import Line, Paragraph
from ..timefmt import hall_zone
from .framework import endpoint
from .survey_schemas import InvitationOut

MANAGERS = ("admin", "leader")
ID = {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}


class SupervisorIn(In):
    model_config = ConfigDict(json_schema_extra={"x-order": [order("term_start", "term_end", may_equal=True)]})

    name: Line(64, min_length=1)
    unit: Line(128) = ""
    contact: Contact = None
    term_start: DayInRange
    term_end: DayInRange
    active: Bool = True

    @model_validator(mode="after")
    def _term(self):
        if self.term_end < self.term_start:
            raise ValueError("term_end is before term_start")
        return self


class SupervisorPatch(In):
    name: Line(64, min_length=1) | None = Field(None, description="null or left out: unchanged")
    unit: Line(128) | None = Field(None, description="null or left out: unchanged")
    contact: Contact = Field(None, description="null clears it")
    active: Bool | None = Field(None, description="false ends the appointment; null or left out: unchanged")


class SupervisorOut(Out):
    id: int
    name: str
    unit: str
    contact_masked: str | None
    term_start: date
    term_end: date
    active: bool


class Attendee(In):
    name: Line(64, min_length=1)
    unit: Line(128) = ""


class SymposiumIn(In):
    title: Line(128, min_length=1)
    held_on: DayInRange
    place: Line(128) = ""
    attendees: Annotated[list[Attendee], Field(max_length=200)] = Field(default_factory=list)
    minutes: Paragraph(20000) = ""


class SymposiumOut(Out):
    id: int
    title: str
    held_on: date
    place: str
    attendees: list[dict]
    minutes: str
    created_at: datetime


class ProblemIn(RectificationIn):
    raised_by: Line(64) = Field("", description="the attendee who raised it")
    contact: Contact = Field(None, description="their mobile number: they get a follow code for /p/<code>")


class ProblemOut(Out):
    id: int
    symposium_id: int
    text: str
    raised_by: str
    contact_masked: str | None
    follow_code: str | None
    rectification_id: int | None
    created_at: datetime


def _day(value):
    return date.fromisoformat(value) if isinstance(value, str) else value


@endpoint("/supervisors", "GET", summary="List the conduct supervisors", tag="symposiums", roles=("admin",),
          response=SupervisorOut, paged=True, name="supervisors_list")
def list_supervisors():
    items = service.supervisors()
    return {"items": items, "total": len(items), "page": 1, "per_page": max(len(items), 1)}


@endpoint("/supervisors", "POST", summary="Appoint a conduct supervisor", tag="symposiums", roles=("admin",),
          body=SupervisorIn, response=SupervisorOut, status=201, name="supervisors_create")
def create_supervisor(body):
    values = body.model_dump()
    values["term_start"], values["term_end"] = _day(values["term_start"]), _day(values["term_end"])
    return service.save_supervisor(values, g.actor)


@endpoint("/supervisors/<int:supervisor_id>", "PATCH", summary="Change a conduct supervisor", tag="symposiums",
          roles=("admin",), body=SupervisorPatch, response=SupervisorOut, name="supervisors_update",
          path={"supervisor_id": ID}, description="`active` false ends the appointment early.")
def update_supervisor(supervisor_id, body):
    # null leaves a field as it is, but for the contact, which it clears
    values = {k: v for k, v in body.model_dump(exclude_unset=True).items() if v is not None or k == "contact"}
    return service.save_supervisor(values, g.actor, service.get_supervisor(supervisor_id))


@endpoint("/symposiums", "GET", summary="List symposiums", tag="symposiums", roles=MANAGERS, response=SymposiumOut,
          paged=True, name="symposiums_list")
def list_symposiums():
    items = service.symposiums(500)
    return {"items": items, "total": len(items), "page": 1, "per_page": max(len(items), 1)}


@endpoint("/symposiums", "POST", summary="Record a symposium", tag="symposiums", roles=("admin",), body=SymposiumIn,
          response=SymposiumOut, status=201, name="symposiums_create")
def create_symposium(body):
    values = body.model_dump()
    values["held_on"] = _day(values["held_on"])
    return service.create_symposium(values, g.actor)


@endpoint("/symposiums/<int:symposium_id>", "GET", summary="Read a symposium", tag="symposiums", roles=MANAGERS,
          response=SymposiumOut, name="symposiums_read", path={"symposium_id": ID})
def read_symposium(symposium_id):
    return service.get_symposium(symposium_id)


@endpoint("/symposiums/<int:symposium_id>/problems", "POST", summary="A problem raised at a symposium",
          tag="symposiums", roles=MANAGERS, body=ProblemIn, response=ProblemOut, status=201,
          name="symposiums_problem", path={"symposium_id": ID},
          description="Opens a ledger entry (source `symposium`) with the 四明确 given; with a contact, the "
                      "attendee gets `follow_code`, whose page /p/<code> shows the entry's progress.")
def raise_problem(symposium_id, body):
    values = body.model_dump(exclude_unset=True)
    if "deadline" in values:
        values["deadline"] = _day(values["deadline"])
    return service.raise_problem(service.get_symposium(symposium_id), values, current_viewer())


@endpoint("/surveys/<int:survey_id>/invitations/supervisors", "POST", summary="Invite the supervisors in their term",
          tag="surveys", roles=("admin",), response=InvitationOut, paged=True, status=201,
          name="surveys_invite_supervisors", path={"survey_id": ID}, errors=(409,),
          description="A single-use code for every supervisor whose term holds today and who is not invited yet.")
def invite_supervisors(survey_id):
    survey = rounds.get(survey_id)
    made = rounds.invite_supervisors(survey, local_today(hall_zone()), g.actor)
    items = [dict(InvitationOut.model_validate(i).model_dump(), link=rounds.public_link(survey, i)) for i in made]
    return {"items": items, "total": len(items), "page": 1, "per_page": max(len(items), 1)}
