"""A small hall for the kiosk tests: a department, two windows, members, a bound and a floor kiosk."""

from __future__ import annotations

import uuid
from types import SimpleNamespace

import pytest

from liangbiping.admin.extensions import db


@pytest.fixture(autouse=True)
def _fresh_limits():
    """Burst buckets and the kiosk token cache live in the process: each test starts clean."""
    from tests.conftest import reset_intake

    reset_intake()
    yield
    reset_intake()


@pytest.fixture
def hall(app):
    """Ids and tokens of a small hall, made by the records and devices services (the API's own
    path, minus HTTP) in a few transactions: every test starts from it, so it is kept cheap."""
    from liangbiping.admin.catalog import RESOURCES
    from liangbiping.admin.services import records
    from liangbiping.admin.services.devices import create_device

    def make(*items):
        with app.app_context():
            ids = [records.create(RESOURCES[name], body, "test", commit=False).id for name, body in items]
            db.session.commit()
        return ids

    (dept,) = make(("departments", {"name": "社会保障科"}))
    w1, w2 = make(("windows", {"number": "A01", "name": "社保登记", "department_id": dept}),
                  ("windows", {"number": "A02", "name": "医保办理", "department_id": dept}))
    zhang, li = make(
        ("staff", {"name": "张丽", "title": "窗口负责人", "employee_no": "S001", "department_id": dept, "window_id": w1,
                   "is_party_member": True, "on_duty": True, "designations": ["党员先锋岗", "服务标兵"]}),
        ("staff", {"name": "李强", "title": "综合受理员", "employee_no": "S002", "department_id": dept, "window_id": w2,
                   "on_duty": True}))
    with app.app_context():
        kiosk, kiosk_token = create_device(RESOURCES["kiosks"], {"name": "A01 评价器", "window_id": w1}, "test", commit=False)
        floor, floor_token = create_device(RESOURCES["kiosks"], {"name": "大厅评价器"}, "test", commit=False)
        db.session.commit()
        kiosk_id, floor_id = kiosk.id, floor.id
    return SimpleNamespace(dept=dept, w1=w1, w2=w2, zhang=zhang, li=li,
                           kiosk=kiosk_id, kiosk_token=kiosk_token, floor=floor_id, floor_token=floor_token)


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
