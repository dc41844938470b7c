"""A small hall for the kiosk tests: a department, two windows, members, a bound and a floor kiosk."""

from __future__ import annotations

import uuid
from types import SimpleNamespace

import pytest

from admin.extensions import db


@pytest.fixture(autouse=True)
def _fresh_limits():
    """Burst buckets and the kiosk token cache live in the process: each test starts clean."""
    from kiosk import intake

    intake.limiter.reset()
    intake._kiosk_cache.clear()
    yield
    intake.limiter.reset()
    intake._kiosk_cache.clear()


@pytest.fixture
def hall(app, client, admin_headers):
    """Ids and tokens of a small hall, made through the API like an administrator would."""
    def post(path, body):
        response = client.post(path, json=body, headers=admin_headers)
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    dept = post("/api/v1/departments", {"name": "社会保障科"})
    w1 = post("/api/v1/windows", {"number": "A01", "name": "社保登记", "department_id": dept["id"]})
    w2 = post("/api/v1/windows", {"number": "A02", "name": "医保办理", "department_id": dept["id"]})
    zhang = post("/api/v1/staff", {"name": "张丽", "title": "窗口负责人", "employee_no": "S001", "department_id": dept["id"],
                                   "window_id": w1["id"], "is_party_member": True, "on_duty": True,
                                   "designations": ["党员先锋岗", "服务标兵"]})
    li = post("/api/v1/staff", {"name": "李强", "title": "综合受理员", "employee_no": "S002", "department_id": dept["id"],
                                "window_id": w2["id"], "on_duty": True})
    kiosk = post("/api/v1/kiosks", {"name": "A01 评价器", "window_id": w1["id"]})
    floor = post("/api/v1/kiosks", {"name": "大厅评价器"})
    return SimpleNamespace(dept=dept["id"], w1=w1["id"], w2=w2["id"], zhang=zhang["id"], li=li["id"],
                           kiosk=kiosk["id"], kiosk_token=kiosk["token"], floor=floor["id"], floor_token=floor["token"])


def new_id() -> str:
    return str(uuid.uuid4())


@pytest.fixture
def badge_token(app):
    def make(staff_id: int) -> str:
        from admin.models import Staff
        from kiosk.qrtokens import badge_token as token

        with app.test_request_context():
            return token(db.session.get(Staff, staff_id))

    return make


@pytest.fixture
def prompt_for(app):
    """prompt_for(staff_id, case_no="") -> (prompt id, token)."""
    def make(staff_id: int, case_no: str = "", kiosk_id=None):
        from admin.models import Staff
        from kiosk.prompts import start_prompt
        from kiosk.qrtokens import prompt_token

        with app.test_request_context():
            prompt = start_prompt(db.session.get(Staff, staff_id), "test", case_no, kiosk_id=kiosk_id)
            return prompt.id, prompt_token(prompt)

    return make


def rating(**fields) -> dict:
    body = {"id": new_id(), "score": 5, "channel": "kiosk"}
    body.update(fields)
    return body
