"""Survey rounds (测评 / 民意调查): the questionnaire, its invitations and its answers."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .rating_terms import mask_contact
from .types import UTCDateTime, utcnow

SURVEY_STATUSES = ("draft", "open", "closed")
TARGET_KINDS = ("hall", "department", "window", "staff")
QUESTION_KINDS = ("rating", "single", "multiple", "text")
ANSWER_CHANNELS = ("phone", "kiosk", "invitation", "paper")
INVITEE_KINDS = ("supervisor", "deputy", "enterprise", "other")


class Survey(db.Model):
    """One round of a questionnaire. ``questions`` is the list the builder made, each
    ``{"key", "kind", "text", "options", "required"}``; it is frozen once the round opens, so that
    every answer of a round answers the same questions. ``target_ids`` names the departments,
    windows or members evaluated (empty for the hall)."""

    __tablename__ = "surveys"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)  # in the public QR code: /v/<code>
    title: Mapped[str] = mapped_column(String(128))
    description: Mapped[str] = mapped_column(Text, default="")
    target_kind: Mapped[str] = mapped_column(String(16), default="hall")
    target_ids: Mapped[list] = mapped_column(JSON, default=list)
    questions: Mapped[list] = mapped_column(JSON, default=list)
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="draft", index=True)
    open_public: Mapped[bool] = mapped_column(Boolean, default=True)
    open_invited: Mapped[bool] = mapped_column(Boolean, default=False)
    sheets_printed: Mapped[int] = mapped_column(Integer, default=0)
    created_by: Mapped[str] = mapped_column(String(96), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SurveyInvitation(db.Model):
    """A single-use code for one invited respondent (行风监督员, a deputy, an enterprise's representative)."""

    __tablename__ = "survey_invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(64), default="")
    unit: Mapped[str] = mapped_column(String(128), default="")
    kind: Mapped[str] = mapped_column(String(16), default="other")
    supervisor_id: Mapped[int | None] = mapped_column(ForeignKey("supervisors.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SurveyResponse(db.Model):
    """One filled questionnaire. ``respondent_key`` (a keyed hash of the phone's cookie) makes one
    answer per phone per round; ``paper_no`` one entry per paper sheet; ``invitation_id`` one per code."""

    __tablename__ = "survey_responses"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    target_id: Mapped[int | None] = mapped_column(Integer)
    answers: Mapped[dict] = mapped_column(JSON, default=dict)
    contact: Mapped[str | None] = mapped_column(String(32))
    respondent_key: Mapped[str | None] = mapped_column(String(32))
    invitation_id: Mapped[int | None] = mapped_column(ForeignKey("survey_invitations.id", ondelete="SET NULL"),
                                                      unique=True)
    paper_no: Mapped[int | None] = mapped_column(Integer)
    entered_by: Mapped[str] = mapped_column(String(96), default="")
    kiosk_id: Mapped[int | None] = mapped_column(ForeignKey("kiosks.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    survey: Mapped[Survey] = relationship()
    invitation: Mapped["SurveyInvitation | None"] = relationship()

    __table_args__ = (UniqueConstraint("survey_id", "respondent_key", name="uq_survey_responses_respondent"),
                      UniqueConstraint("survey_id", "paper_no", name="uq_survey_responses_paper"))

    @property
    def contact_masked(self) -> str | None:
        return mask_contact(self.contact)
