"""Fixtures for the kiosk tests (the small hall, with its bound and floor kiosks, is the shared ``hall``)."""

from __future__ import annotations

import uuid

import pytest



@pytest.fixture(autouse=True)
def _fresh_limits():
    """Burst buckets and the kiosk token cache live in the process: each test starts clean."""
    from tests.conftest import reset_intake

    reset_intake()
    yield
    reset_intake()


def new_id() -> str:
    return str(uuid.uuid4())


def rating(**fields) -> dict:
    body = {"id": new_id(), "score": 5, "channel": "kiosk"}
    body.update(fields)
    return body
