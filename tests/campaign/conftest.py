"""Fixtures for the campaign tests: a small hall made through the ORM, ratings, users per role."""

from __future__ import annotations

import itertools
import uuid
from datetime import datetime, timezone
from types import SimpleNamespace

import pytest

from liangbiping.admin.extensions import db
from liangbiping.admin.models import Department, Rating, Staff, User, Window, leader_departments

_ids = itertools.count(1)


@pytest.fixture(autouse=True)
def _quick_password_hashing(monkeypatch):
    """Cheap password hashes: sign-ins would otherwise spend most of a test's time in scrypt."""
    from werkzeug.security import generate_password_hash

    from liangbiping.admin.services import accounts

    monkeypatch.setattr(accounts, "generate_password_hash",
                        lambda password: generate_password_hash(password, method="pbkdf2:sha256:1000"))


@pytest.fixture
def ctx(app):
    """A request context (the services translate messages) for work straight on the database."""
    with app.test_request_context("/"):
        yield app


@pytest.fixture
def hall(ctx):
    """Two departments; windows 01, 02 (dept 1), 03 (dept 2) and 04 (none); four members, all party members."""
    return build_hall()


def build_hall() -> SimpleNamespace:
    d1, d2 = Department(name="社保科"), Department(name="医保科")
    db.session.add_all([d1, d2])
    db.session.flush()
    w1 = Window(number="01", name="社保综合", department_id=d1.id)
    w2 = Window(number="02", name="社保卡", department_id=d1.id)
    w3 = Window(number="03", name="医保", department_id=d2.id)
    w4 = Window(number="04", name="咨询", department_id=None)
    db.session.add_all([w1, w2, w3, w4])
    db.session.flush()
    people = [Staff(name=n, employee_no=f"E{i}", department_id=d, window_id=w, is_party_member=True)
              for i, (n, d, w) in enumerate([("张三", d1.id, w1.id), ("李四", d1.id, w2.id),
                                             ("王五", d2.id, w3.id), ("赵六", d2.id, None)], start=1)]
    db.session.add_all(people)
    db.session.commit()
    return SimpleNamespace(d1=d1.id, d2=d2.id, w1=w1.id, w2=w2.id, w3=w3.id, w4=w4.id,
                           m1=people[0].id, m2=people[1].id, m3=people[2].id, m4=people[3].id)


def add_rating(score: int, *, staff_id=None, window_id=None, at: datetime | None = None, flagged=None,
               reasons=(), comment="", commit=True) -> str:
    rid = str(uuid.uuid4())
    db.session.add(Rating(id=rid, score=score, staff_id=staff_id, window_id=window_id, channel="kiosk",
                          reasons=list(reasons), comment=comment, flagged=flagged,
                          rated_at=at or datetime.now(timezone.utc)))
    if commit:
        db.session.commit()
    return rid


def make_user(role: str, *, staff_id=None, departments=(), username=None) -> User:
    from liangbiping.admin.services.accounts import save_user

    user = save_user({"username": username or f"{role}{next(_ids)}", "password": "correct-horse-1", "role": role,
                      "staff_id": staff_id}, actor="test")
    for dept in departments:
        db.session.execute(leader_departments.insert().values(user_id=user.id, department_id=dept))
    db.session.commit()
    return user


@pytest.fixture
def sign_in(app):
    """sign_in(username) -> a new test client signed into the console (the user exists already)."""
    from tests.conftest import csrf_token

    def do(username: str, lang: str = "en"):
        """``lang``: the console's language for this client (English keeps the assertions readable)."""
        client = app.test_client()
        response = client.post("/admin/login", data={"username": username, "password": "correct-horse-1",
                                                      "csrf_token": csrf_token(client, "/admin/login")})
        assert response.status_code == 302, response.get_data(as_text=True)[:300]
        client.get(f"/admin/?lang={lang}")
        return client

    return do
