"""The scheduler's ledger of timed runs: one row per job and due time, claimed before the run.

A second scheduler (a standby, or one restarted while the old one is still finishing) cannot
insert the same (job, due time) again, so it skips; see ``admin.services.job_runs``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .types import UTCDateTime


class JobRun(db.Model):
    __tablename__ = "job_runs"

    job: Mapped[str] = mapped_column(String(64), primary_key=True)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str] = mapped_column(String(100))
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
