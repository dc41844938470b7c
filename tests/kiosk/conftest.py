"""Fixtures for the kiosk tests (the small hall, with its bound and floor kiosks, is the shared ``hall``)."""

from __future__ import annotations

import uuid

import pytest

from liangbiping.admin.extensions import db


@pytest.fixture(autouse=True)
def _fresh_limits():
    """Burst buckets and the kiosk token cache live in the process: each test starts clean."""
    from tests.conftest import reset_intake

    reset_intake()
    yield
    reset_intake()


def new_id() -> str:
    return str(uuid.uuid4())


@pytest.fixture
def badge_token(app):
    def make(staff_id: int) -> str:
        from liangbiping.admin.models import Staff
        from liangbiping.kiosk.qrtokens import badge_token as token

        with app.test_request_context():
            return token(db.session.get(Staff, staff_id))

    return make


@pytest.fixture
def prompt_for(app):
    """prompt_for(staff_id, case_no="") -> (prompt id, token)."""
    def make(staff_id: int, case_no: str = "", kiosk_id=None):
        from liangbiping.admin.models import Staff
        from liangbiping.kiosk.prompts import start_prompt
        from liangbiping.kiosk.qrtokens import prompt_token

        with app.test_request_context():
            prompt = start_prompt(db.session.get(Staff, staff_id), "test", case_no, kiosk_id=kiosk_id)
            return prompt.id, prompt_token(prompt)

    return make


def rating(**fields) -> dict:
    body = {"id": new_id(), "score": 5, "channel": "kiosk"}
    body.update(fields)
    return body
