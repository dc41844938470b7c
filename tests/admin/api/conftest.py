"""Fixtures for the API tests: a token per role (the small hall is the shared ``hall`` fixture)."""

from __future__ import annotations

import pytest

from .support import ROLES


@pytest.fixture
def role_headers(make_token, hall):
    """{"admin": headers, "leader": headers, "staff": headers}; the leader looks after the hall's departments."""
    return {role: make_token(role) for role in ROLES}
