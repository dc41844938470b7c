"""Helpers for the console page tests: posting forms with their CSRF token, and small factories."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from liangbiping.admin import catalog
from liangbiping.admin.extensions import db
from liangbiping.admin.services import records
from tests.factories import csrf_token


def english(client) -> None:
    """Switch a signed-in client to the English console (remembered in the session): for tests
    that recognise a page by its English message. Chinese is the default."""
    assert client.get("/admin/?lang=en").status_code == 200


class Console:
    """A signed-in test client that fills in the CSRF token as a browser's form would."""

    def __init__(self, client):
        self.client = client
        self._token = None

    def token(self) -> str:
        if self._token is None:
            self._token = csrf_token(self.client, "/admin/")
        return self._token

    def english(self) -> "Console":
        english(self.client)
        return self

    def get(self, path: str, **kwargs):
        return self.client.get(path, **kwargs)

    def post(self, path: str, data: dict | None = None, **kwargs):
        data = dict(data or {})
        data.setdefault("csrf_token", self.token())
        return self.client.post(path, data=data, **kwargs)

    def text(self, path: str) -> str:
        response = self.client.get(path)
        assert response.status_code == 200, response.status_code
        return response.get_data(as_text=True)


@pytest.fixture
def console(login):
    """console(role="admin") -> a Console signed in with that role."""

    def make(role: str = "admin") -> Console:
        return Console(login(role))

    return make


@pytest.fixture
def admin(console) -> Console:
    return console("admin")


@pytest.fixture
def make(app):
    """make(collection, **fields) -> id of a record stored through the records service."""

    def create(collection: str, **data) -> int:
        with app.app_context():
            return records.create(catalog.RESOURCES[collection], data, "test").id

    return create


@pytest.fixture
def fetch(app):
    """fetch(collection, id) -> the stored record's fields as a dict (None when gone)."""

    def read(collection: str, record_id: int) -> dict | None:
        res = catalog.RESOURCES[collection]
        with app.app_context():
            obj = db.session.get(res.model, record_id)
            return None if obj is None else res.schema_out.model_validate(obj).model_dump()

    return read


@pytest.fixture
def count(app):
    """count(model) -> how many rows the table holds."""

    def number(model) -> int:
        with app.app_context():
            return db.session.query(model).count()

    return number


def image_bytes(kind: str = "PNG", size=(60, 80), color=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, kind)
    return out.getvalue()
