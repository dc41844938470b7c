"""Fixtures for the API tests: a small hall made through the API, and a token per role."""

from __future__ import annotations

import pytest

from .support import ROLES, build_hall


@pytest.fixture
def hall(app):
    return build_hall(app)


@pytest.fixture
def role_headers(make_token, hall):
    """{"admin": headers, "leader": headers, "staff": headers}; the leader looks after the hall's departments."""
    return {role: make_token(role) for role in ROLES}
