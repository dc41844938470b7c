"""Request and response shapes of prompts from other systems, webhooks and work orders."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal, Optional

from pydantic import ConfigDict, Field, StringConstraints

from ..models.integration import EVENT_TYPES
from ..schemas import Bool, Id, In, Out, whole
from ..text import Line
from ..campaign.schemas import Query

EventType = Literal[EVENT_TYPES]
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_PORT = r"(?:[1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])"
# http(s), a host name or IPv4 address, an optional port, then anything printable.
URL_PATTERN = rf"^https?://{_LABEL}(?:\.{_LABEL})*(?::{_PORT})?(?:[/?#][\x21-\x7e]*)?$"
Url = Annotated[str, StringConstraints(strip_whitespace=True, min_length=8, max_length=500, pattern=URL_PATTERN)]
Secret = Annotated[str, StringConstraints(strip_whitespace=False, min_length=16, max_length=200,
                                          pattern=r"^[\x21-\x7e]+$")]


class PromptIn(In):
    # Who served: a member (by id or employee number), or a window, at least.
    model_config = ConfigDict(json_schema_extra={"anyOf": [
        {"required": ["staff_id"], "properties": {"staff_id": {"type": "integer"}}},
        {"required": ["employee_no"], "properties": {"employee_no": {"type": "string"}}},
        {"required": ["window_id"], "properties": {"window_id": {"type": "integer"}}}]})

    case_no: Line(64, min_length=1) = Field(description="办件编号: the business system's id of the case")
    service_item: Line(128) = Field("", description="事项: the service item's name")
    service_code: Line(64) = Field("", description="the service item's code (事项编码)")
    staff_id: Optional[Id] = Field(None, description="the member who served")
    employee_no: Optional[Line(32, min_length=1)] = Field(None, description="or the member's employee number")
    window_id: Optional[Id] = Field(None, description="the window; alone, the member on duty there")
    phone: Optional[Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^1[3-9][0-9]{9}$")]] = Field(
        None, description="the citizen's mobile number: the answer then carries an SMS-ready text (not stored)")
    expires_in: Optional[whole(60, 86400)] = Field(None, description="seconds the citizen has to rate (default 600)")


class PromptOut(Out):
    id: int
    case_no: str
    service_item: str
    service_code: str
    staff_id: Optional[int]
    window_id: Optional[int]
    state: Literal["open", "rated", "cancelled", "expired"]
    created_at: datetime
    expires_at: datetime
    cancelled_at: Optional[datetime] = None
    expired_at: Optional[datetime] = None
    rating_id: Optional[str] = None
    score: Optional[int] = None
    channel: Optional[str] = None
    rated_at: Optional[datetime] = None
    rating_url: Optional[str] = Field(None, description="the phone page for this prompt, while it is open")


class Sms(Out):
    phone: str
    text: str


class PromptCreated(PromptOut):
    sms: Optional[Sms] = None


class WebhookIn(In):
    url: Url
    secret: Secret = Field(description="HMAC-SHA256 key of the signature; kept to sign, never shown again")
    events: Annotated[list[EventType], Field(min_length=1, max_length=len(EVENT_TYPES))]
    name: Line(64) = ""
    format: Literal["standard", "national"] = Field("standard", description="national: the 好差评 platform's records")
    enabled: Bool = True
    send_contact: Bool = Field(False, description="national format: send the citizen's phone (评价人) when given")


class WebhookPatch(In):
    url: Optional[Url] = None
    secret: Optional[Secret] = None
    events: Optional[Annotated[list[EventType], Field(min_length=1, max_length=len(EVENT_TYPES))]] = None
    name: Optional[Line(64)] = None
    format: Optional[Literal["standard", "national"]] = None
    enabled: Optional[Bool] = None
    send_contact: Optional[Bool] = None


class WebhookOut(Out):
    id: int
    name: str
    url: str
    events: list[str]
    format: str
    enabled: bool
    send_contact: bool
    created_at: datetime
    delivered: int
    backlog: int
    failed: int


class DeliveryOut(Out):
    id: int
    event_id: str
    type: str
    state: Literal["pending", "delivered", "failed"]
    attempts: int
    next_attempt_at: Optional[datetime]
    last_attempt_at: Optional[datetime]
    last_status: Optional[int]
    last_error: str
    delivered_at: Optional[datetime]
    created_at: datetime


class DeliveryQuery(Query):
    page: whole(1, 100000) = 1
    per_page: whole(1, 200) = 50
    state: Optional[Literal["pending", "delivered", "failed"]] = None
