"""What tests make: the small hall, users, signed-in console clients.

One small hall for the tests that want a few known records (the demo hall, in conftest, is for
tests that want a real hall's size); it is made by the records and devices services, the API's
own path minus HTTP, in two transactions, so that every test can afford it.
"""

from __future__ import annotations

import re
from types import SimpleNamespace

from liangbiping.admin.extensions import db

PASSWORD = "correct-horse-1"
DEMO_PASSWORD = "liangbiping-demo"


def make_records(app, *items) -> list[int]:
    """Create ``(collection, body)`` items with the records service in one transaction; their ids."""
    from liangbiping.admin.catalog import RESOURCES
    from liangbiping.admin.services import records

    with app.app_context():
        ids = [records.create(RESOURCES[name], body, "test", commit=False).id for name, body in items]
        db.session.commit()
    return ids


class Hall(SimpleNamespace):
    """Ids (and device tokens) of what ``build_hall`` made. Playlists (p1, p2) and screen groups
    (g1, g2) are made on first use: most tests never need them."""

    def __getattr__(self, name):
        lazy = {"p1": "playlists", "p2": "playlists", "g1": "screen-groups", "g2": "screen-groups"}
        if name.startswith("_") or name not in lazy:
            raise AttributeError(name)
        if lazy[name] == "playlists":
            slides = [{"kind": "identity_wall", "duration": 15, "options": {"department_id": None, "window_id": None}}]
            self.p1, self.p2 = make_records(self._app, ("playlists", {"name": "默认轮播", "slides": slides}),
                                            ("playlists", {"name": "窗口轮播", "slides": slides}))
        else:
            self.g1, self.g2 = make_records(self._app, ("screen-groups", {"name": "一楼"}),
                                            ("screen-groups", {"name": "二楼"}))
        return self.__dict__[name]


def build_hall(app) -> Hall:
    """The small hall:

    ====  =========================  ===========  ===============================================
    d1    社会保障科                  w1 01, w2 02  张三 (m1, E001, w1, on duty, party member, two
                                                  designations), 李四 (m2, E002, 副科长, w2, on duty,
                                                  party member); standard s1 on w1
    d2    医疗保障科                  w3 03        王五 (m3, E003, w3, party member), 赵六 (m4, E004,
                                                  no window, party member)
    —     (no department)            w4 04        nobody
    ====  =========================  ===========  ===============================================

    and two kiosks: ``kiosk`` bound to w1 and ``floor`` in the hall, with their tokens."""
    from liangbiping.admin.catalog import RESOURCES
    from liangbiping.admin.services.devices import create_device

    hall = Hall(_app=app)
    hall.d1, hall.d2 = make_records(app, ("departments", {"name": "社会保障科", "sort_order": 1}),
                                    ("departments", {"name": "医疗保障科", "sort_order": 2}))
    hall.w1, hall.w2, hall.w3, hall.w4 = make_records(
        app, ("windows", {"number": "01", "name": "社保综合窗口", "department_id": hall.d1}),
        ("windows", {"number": "02", "name": "养老待遇窗口", "department_id": hall.d1}),
        ("windows", {"number": "03", "name": "医保窗口", "department_id": hall.d2}),
        ("windows", {"number": "04", "name": "咨询引导台", "department_id": None}))
    hall.s1, hall.m1, hall.m2, hall.m3, hall.m4 = make_records(
        app, ("standards", {"item_name": "养老保险参保登记", "department_id": hall.d1, "window_ids": [hall.w1],
                            "steps": ["取号", "提交材料", "办结"], "time_limit": "即办"}),
        ("staff", {"name": "张三", "employee_no": "E001", "title": "窗口负责人", "department_id": hall.d1,
                   "window_id": hall.w1, "is_party_member": True, "on_duty": True,
                   "designations": ["党员先锋岗", "服务标兵"]}),
        ("staff", {"name": "李四", "employee_no": "E002", "title": "副科长", "department_id": hall.d1,
                   "window_id": hall.w2, "is_party_member": True, "on_duty": True}),
        ("staff", {"name": "王五", "employee_no": "E003", "title": "科员", "department_id": hall.d2,
                   "window_id": hall.w3, "is_party_member": True}),
        ("staff", {"name": "赵六", "employee_no": "E004", "title": "科员", "department_id": hall.d2,
                   "is_party_member": True}))
    with app.app_context():
        kiosk, hall.kiosk_token = create_device(RESOURCES["kiosks"], {"name": "01 评价器", "window_id": hall.w1},
                                                "test", commit=False)
        floor, hall.floor_token = create_device(RESOURCES["kiosks"], {"name": "大厅评价器"}, "test", commit=False)
        db.session.commit()
        hall.kiosk, hall.floor = kiosk.id, floor.id
    return hall


def make_user(role: str = "admin", *, username: str | None = None, password: str = PASSWORD, staff_id=None,
              departments=None):
    """A new console user (inside an app context). A staff user without ``staff_id`` gets a member
    of their own; a leader looks after ``departments`` (None: every department there is now)."""
    from liangbiping.admin.models import Department, Staff
    from liangbiping.admin.services.accounts import save_user
    from liangbiping.admin.services.scope import set_leader_departments

    if role == "staff" and staff_id is None:
        member = Staff(name="测试员", employee_no=f"T{db.session.query(Staff).count() + 1:04d}")
        db.session.add(member)
        db.session.commit()
        staff_id = member.id
    count = db.session.query(db.func.count()).select_from(db.metadata.tables["users"]).scalar()
    user = save_user({"username": username or f"{role}{count + 1}", "password": password, "role": role,
                      "staff_id": staff_id}, actor="test")
    if role == "leader":
        if departments is None:
            departments = list(db.session.scalars(db.select(Department.id)))
        set_leader_departments(user, list(departments), "test")
    return user


def csrf_token(client, path: str = "/admin/") -> str:
    """The CSRF token a console page carries (tests run with CSRF on, as production does)."""
    page = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf-token" content="([^"]+)"', page)
    assert match, "page has no csrf token"
    return match.group(1)


def sign_in(app, username: str, password: str = PASSWORD, *, lang: str | None = None, client=None):
    """A test client of ``app`` (a new one unless given) signed into the console as ``username``;
    ``lang`` sets the console's language (English keeps some assertions readable)."""
    client = client or app.test_client()
    with client.session_transaction() as sess:
        sess.pop("_user_id", None)
    answer = client.post("/admin/login", data={"username": username, "password": password,
                                                "csrf_token": csrf_token(client, "/admin/login")})
    assert answer.status_code == 302, (username, answer.status_code, answer.get_data(as_text=True)[:300])
    if lang:
        client.get(f"/admin/?lang={lang}")
    return client
