"""Fixtures for the campaign tests: the small hall in a request context, ratings, signed-in clients."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone

import pytest

from liangbiping.admin.extensions import db
from liangbiping.admin.models import Rating
from tests import factories
from tests.factories import build_hall


@pytest.fixture
def ctx(app):
    """A request context (the services translate messages) for work straight on the database."""
    with app.test_request_context("/"):
        yield app


@pytest.fixture
def hall(ctx):
    """The small hall (tests.factories.build_hall), with a request context pushed."""
    return build_hall(ctx)


def add_rating(score: int, *, staff_id=None, window_id=None, at: datetime | None = None, flagged=None,
               reasons=(), comment="", commit=True) -> str:
    rid = str(uuid.uuid4())
    db.session.add(Rating(id=rid, score=score, staff_id=staff_id, window_id=window_id, channel="kiosk",
                          reasons=list(reasons), comment=comment, flagged=flagged,
                          rated_at=at or datetime.now(timezone.utc)))
    if commit:
        db.session.commit()
    return rid


@pytest.fixture
def sign_in(app):
    """sign_in(username, lang="en") -> a new console client (English keeps the assertions readable)."""
    return lambda username, lang="en": factories.sign_in(app, username, lang=lang)
