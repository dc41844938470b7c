"""Fixtures: an app on a real SQLite file (or PostgreSQL), clients, and tokens per role.

Set ``LIANGBIPING_TEST_DATABASE_URL`` to run the same tests on PostgreSQL.
"""

from __future__ import annotations

import os
import shutil
from datetime import datetime, timezone

import pytest
from sqlalchemy import text

from liangbiping.admin.app import create_app
from liangbiping.admin.config import TestingConfig
from liangbiping.admin.extensions import db

from . import factories
from .factories import DEMO_PASSWORD, PASSWORD, sign_in
from .livesrv import record_closings

PG_URL = os.environ.get("LIANGBIPING_TEST_DATABASE_URL")
IN_CI = os.environ.get("CI") == "true"


@pytest.fixture(scope="session")
def _template_db(tmp_path_factory):
    """Migrate once; each test then starts from a copy (SQLite) or truncated tables (PostgreSQL)."""
    root = tmp_path_factory.mktemp("template")
    overrides = {"SQLALCHEMY_DATABASE_URI": PG_URL} if PG_URL else {}
    app = create_app(TestingConfig.from_env(root, **overrides))
    with app.app_context():
        db.engine.dispose()
    return root / "liangbiping.db"


_RESTART_SEQUENCES = """
DO $$ DECLARE r record; BEGIN
  FOR r IN SELECT sequence_name FROM information_schema.sequences WHERE sequence_schema = 'public' LOOP
    EXECUTE format('ALTER SEQUENCE %I RESTART', r.sequence_name);
  END LOOP;
END $$;
"""


def _truncate_all(app) -> None:
    """Empty every table. DELETE, children first: TRUNCATE costs about a second per test on
    PostgreSQL (it rewrites every table's files), DELETE on near-empty tables a few ms."""
    with app.app_context():
        with db.engine.begin() as conn:
            for table in reversed(db.metadata.sorted_tables):
                conn.execute(table.delete())
            conn.execute(text(_RESTART_SEQUENCES))


@pytest.fixture(autouse=True)
def _quick_password_hashing(monkeypatch):
    """Cheap password hashes for the users tests make: sign-ins would otherwise spend most of a
    test's time in scrypt. (The demo hall, seeded once, keeps the real ones.)"""
    from werkzeug.security import generate_password_hash

    from liangbiping.admin.services import accounts

    monkeypatch.setattr(accounts, "generate_password_hash",
                        lambda password: generate_password_hash(password, method="pbkdf2:sha256:1000"))


@pytest.fixture
def app(tmp_path, _template_db):
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    if PG_URL:
        application = create_app(TestingConfig.from_env(data_dir, SQLALCHEMY_DATABASE_URI=PG_URL, SKIP_MIGRATIONS=True))
        _truncate_all(application)
    else:
        shutil.copy(_template_db, data_dir / "liangbiping.db")
        application = create_app(TestingConfig.from_env(data_dir, SKIP_MIGRATIONS=True))
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def make_token(app, make_user):
    """make_token(role, departments=None) -> bearer headers for a new token of that role.

    A leader or staff token acts for a new user of that role (admin.services.scope): a leader who
    looks after ``departments`` (none given: every department there is now), a staff user with a
    member of their own."""
    from liangbiping.admin.models import User
    from liangbiping.admin.services.accounts import create_token
    from liangbiping.admin.services.scope import set_leader_departments

    made = iter(range(1, 10_000))

    def make(role: str = "admin", departments: list[int] | None = None) -> dict:
        user_id = None if role == "admin" else make_user(role, f"token-{role}-{next(made)}")
        with app.app_context():
            user = db.session.get(User, user_id) if user_id else None
            if role == "leader" and departments is not None:
                set_leader_departments(user, departments, "test")
            _token, secret = create_token(f"test-{role}", role, actor="test", user=user)
        return {"Authorization": f"Bearer {secret}"}

    return make


@pytest.fixture
def admin_headers(make_token):
    return make_token("admin")


@pytest.fixture
def make_user(app):
    """make_user(role, username=..., password=...) -> the new user's id (see factories.make_user)."""
    def make(role: str = "admin", username: str | None = None, password: str = PASSWORD) -> int:
        with app.app_context():
            return factories.make_user(role, username=username or f"{role}1", password=password).id

    return make


@pytest.fixture
def login(app, client, make_user):
    """login(role) signs the test client into the console as a new user of that role."""

    def do(role: str = "admin", username: str | None = None):
        name = username or f"{role}1"
        make_user(role, name)
        return sign_in(app, name, client=client)

    return do


@pytest.fixture
def hall(app):
    """The small hall of ``factories.build_hall``."""
    return factories.build_hall(app)


@pytest.fixture
def socketio_client():
    """socketio_client(app, namespace, token=..., client=..., headers=...) -> a Flask-SocketIO test
    client on ``namespace``: a device with its ``token``, or a console user through a signed-in
    test ``client``. Every one still connected is disconnected after the test."""
    from liangbiping.admin.extensions import socketio

    opened = []

    def connect(app, namespace: str, *, token: str | None = None, client=None, headers=None):
        sock = socketio.test_client(app, namespace=namespace, auth={"token": token} if token is not None else None,
                                    flask_test_client=client, headers=headers)
        opened.append((sock, namespace))
        return sock

    yield connect
    for sock, namespace in opened:
        if sock.is_connected(namespace):
            sock.disconnect(namespace=namespace)


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


def reset_intake() -> None:
    """Forget what the rating intake keeps in this process (burst buckets, the kiosk token cache,
    the kiosks' phone codes, the sockets' and the receipt page's limits): each test's app has its
    own kiosks and secret key."""
    from liangbiping.kiosk import events, pages, rules, sources, state

    rules.limiter.reset()
    events.reset_limits()
    pages.receipt_limiter.reset()
    sources._kiosk_cache.clear()
    state._phone_codes.clear()


def wait_for(predicate, timeout=30.0, step=0.25):
    """The first truthy value of ``predicate()`` within ``timeout`` seconds (else its last value)."""
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    return predicate()


# --- the demo hall ---------------------------------------------------------------------------------
# Many members, windows with two members on duty (A01: 刘晓燕 and 王磊), several screens and kiosks:
# what a real hall looks like, seeded once per session and copied into each test that asks for it.

# A Monday morning in 2026, when the hall is open: the demo seeded at night has nobody on duty.
OPEN_MOMENT = datetime(2026, 12, 7, 2, 0, tzinfo=timezone.utc)  # 10:00 in Asia/Shanghai


@pytest.fixture(scope="session")
def _demo_template(tmp_path_factory):
    from liangbiping.admin.demo import seed_if_empty
    from liangbiping.admin.demo.seed import staff_the_windows

    root = tmp_path_factory.mktemp("demo-template")
    application = create_app(TestingConfig.from_env(root))
    with application.test_request_context("/"):
        assert seed_if_empty() is True
        staff_the_windows(OPEN_MOMENT)  # whatever the hour of the test run: the members at their windows
        record_closings()  # tests/livesrv.py: the members stay at their windows at any hour
        db.session.remove()
        db.engine.dispose()
    return root


@pytest.fixture
def demo(tmp_path, _demo_template):
    """The demo hall in a fresh copy: ``demo.app`` and what tests look up by name
    (``demo.window("A01")``, ``demo.member("王磊")``, ``demo.kiosk_token("A01")``, ``demo.screen_token(...)``)
    and ``demo.sign_in(username)``, a console client signed in with the demo's password."""
    import json
    import sqlite3
    from types import SimpleNamespace

    from liangbiping.admin.models import Kiosk, Screen, Staff, Window

    data_dir = tmp_path / "demo"
    shutil.copytree(_demo_template, data_dir, ignore=shutil.ignore_patterns("*.db-wal", "*.db-shm", "*.db"))
    with sqlite3.connect(_demo_template / "liangbiping.db") as src, sqlite3.connect(data_dir / "liangbiping.db") as dst:
        src.backup(dst)
    application = create_app(TestingConfig.from_env(data_dir, SKIP_MIGRATIONS=True))
    tokens = json.loads((data_dir / "demo-devices.json").read_text())

    def one(model, *where):
        with application.app_context():
            found = db.session.scalars(db.select(model).where(*where)).first()
            assert found is not None, where
            return found.id

    def window(number: str) -> int:
        return one(Window, Window.number == number)

    def member(name: str) -> int:
        return one(Staff, Staff.name == name)

    def kiosk(number: str | None) -> int:
        where = Kiosk.window_id.is_(None) if number is None else Kiosk.window_id == window(number)
        return one(Kiosk, where)

    def screen(number: str | None) -> int:
        where = Screen.kind == "hall" if number is None else Screen.window_id == window(number)
        return one(Screen, where)

    hall = SimpleNamespace(
        app=application, data_dir=data_dir, window=window, member=member, kiosk=kiosk, screen=screen,
        kiosk_token=lambda number: tokens["kiosks"][str(kiosk(number))],
        screen_token=lambda number: tokens["screens"][str(screen(number))],
        sign_in=lambda username, **kw: sign_in(application, username, DEMO_PASSWORD, **kw),
    )
    yield hall
    with application.app_context():
        db.session.remove()
        db.engine.dispose()
