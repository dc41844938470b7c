"""Request and response shapes of the rating intake, prompts and the suggestion box."""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Annotated, Literal, Optional

from flask_babel import gettext as _
from pydantic import AfterValidator, BaseModel, Field, StringConstraints, WithJsonSchema

from liangbiping.admin.schemas import Bool, Contact, DayArg, Id, In, Int, Out, RatingOut, Time, whole
from liangbiping.admin.text import Line, Paragraph

REASON_CODES = ("attitude", "slow", "unfamiliar", "repeat_trips", "facilities", "other")
CHANNELS = ("kiosk", "qr", "web", "device")

# Any text up to 4 kB: a token that proves nothing is a 401 (kiosk.sources), whatever it looks like.
Token = Annotated[str, StringConstraints(strip_whitespace=True, max_length=4096)]

# 32 hex digits, or 36 with the hyphens where a UUID has them; stored in the canonical form.
UUID_PATTERN = "^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|[0-9a-fA-F]{32})$"


def _uuid(value: str) -> str:
    if not re.match(UUID_PATTERN, value):
        raise ValueError(_("Must be a UUID such as 3f2b8a9e-1c4d-4e5f-8a6b-7c8d9e0f1a2b."))
    return str(uuid.UUID(value))


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))



class RatingIn(In):
    id: Annotated[str, StringConstraints(strip_whitespace=True), AfterValidator(_uuid),
                  WithJsonSchema({"type": "string", "pattern": UUID_PATTERN})] = Field(
        description="UUID chosen by the client: the idempotency key")
    score: whole(1, 5) = Field(
        description="5 非常满意, 4 满意, 3 基本满意, 2 不满意, 1 非常不满意")
    staff_id: Id | None = None
    window_id: Id | None = None
    channel: Literal["kiosk", "qr", "web", "device"]
    kiosk_token: Token | None = Field(None, description="a paired kiosk's token")
    qr_token: Token | None = Field(None, description="the signed token of a badge, prompt or kiosk QR code")
    reasons: Annotated[list[Literal[REASON_CODES]], Field(max_length=6), AfterValidator(_unique)] = Field(
        default_factory=list, description="reason codes: " + ", ".join(REASON_CODES))
    comment: Paragraph(500) = ""
    contact: Contact = Field(None, description="a mobile number for a call-back; stored, shown masked")
    rated_at: Time | None = Field(None, description="when the citizen pressed (ISO-8601; without an offset, the "
                                                    "hall's time); offline kiosks replay later, within 30 days")


class RatingDetail(RatingOut):
    kiosk_id: int | None
    prompt_id: int | None
    contact_masked: str | None
    case_no: str | None = Field(None, description="the case (办件编号) of the prompt the rating answered")
    service_item: str | None = Field(None, description="the service item (事项) of that case")


class RatingListQuery(BaseModel):
    model_config = {"extra": "ignore", "str_strip_whitespace": True}

    page: Int = Field(1, ge=1, le=100000)
    per_page: Int = Field(50, ge=1, le=500)
    staff_id: Id | None = None
    window_id: Id | None = None
    kiosk_id: Id | None = None
    score: whole(1, 5) | None = None
    channel: Literal["kiosk", "qr", "web", "device"] | None = None
    flagged: Bool | None = Field(None, description="true: only flagged; false: only unflagged")
    prompted: Bool | None = None
    service_item: Optional[Line(128, min_length=1)] = Field(
        None, description="only the ratings of prompts for this service item (事项), by its name")
    date_from: DayArg | None = Field(None, alias="from", description="YYYY-MM-DD, inclusive, in the hall's time zone")
    date_to: DayArg | None = Field(None, alias="to", description="YYYY-MM-DD, inclusive, in the hall's time zone")


class SuggestionIn(In):
    kind: Literal["suggestion", "complaint", "praise"] = "suggestion"
    text: Paragraph(1000, min_length=1)
    staff_id: Id | None = None
    window_id: Id | None = None
    contact: Contact = None
    channel: Literal["kiosk", "qr", "web", "device"] = "web"
    kiosk_token: Token | None = None
    qr_token: Token | None = None


class SuggestionReceipt(Out):
    id: int
    receipt: str
    kind: str
    status: str
    created_at: datetime


class SuggestionOut(Out):
    id: int
    receipt: str
    kind: str
    text: str
    staff_id: int | None
    window_id: int | None
    channel: str
    contact_masked: str | None
    status: str
    reply: str
    replied_at: datetime | None
    handled_at: datetime | None
    created_at: datetime


class SuggestionPatch(In):
    reply: Paragraph(2000, min_length=1) | None = None
    status: Literal["new", "replied", "handled"] | None = None


class SuggestionListQuery(BaseModel):
    model_config = {"extra": "ignore", "str_strip_whitespace": True}

    page: Int = Field(1, ge=1, le=100000)
    per_page: Int = Field(50, ge=1, le=200)
    status: Literal["new", "replied", "handled"] | None = None
    kind: Literal["suggestion", "complaint", "praise"] | None = None
    staff_id: Id | None = None
    window_id: Id | None = None


class BadgesQuery(BaseModel):
    model_config = {"extra": "ignore", "str_strip_whitespace": True}

    department_id: Id | None = Field(None, description="one department; everyone when left out")
