"""The register of 行风监督员 in the console: appoint, edit, end; the contact shown masked and kept when
the form leaves it empty; every change audited; CSRF, roles and escaping as on every console page."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from liangbiping.admin.extensions import db
from liangbiping.admin.models import AuditEntry, Supervisor
from tests.factories import csrf_token, make_user, sign_in


def _supervisor(app, **where) -> Supervisor:
    with app.app_context():
        found = db.session.scalars(select(Supervisor).filter_by(**where)).one()
        db.session.expunge(found)
        return found


def _audit(app, supervisor_id) -> list[tuple[str, dict]]:
    with app.app_context():
        return [(e.action, e.changes) for e in db.session.scalars(
            select(AuditEntry).where(AuditEntry.entity == "supervisor", AuditEntry.entity_id == str(supervisor_id))
            .order_by(AuditEntry.id))]


def test_appoint_edit_and_end_a_supervisor(app, hall):
    with app.app_context():
        make_user("admin", username="boss")
    admin = sign_in(app, "boss")
    token = csrf_token(admin, "/admin/supervisors/")
    made = admin.post("/admin/supervisors/", data={
        "csrf_token": token, "name": "<script>alert(1)</script>赵监督", "unit": "县人大常委会",
        "contact": "13712345678", "term_start": "2026-01-01", "term_end": "2027-12-31"})
    assert made.status_code == 303
    first = _supervisor(app, unit="县人大常委会")
    listing = admin.get("/admin/supervisors/").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;赵监督" in listing and "<script>alert(1)" not in listing
    assert "13712345678" not in listing and "137****5678" in listing
    assert f'href="/admin/supervisors/{first.id}"' in listing

    page = admin.get(f"/admin/supervisors/{first.id}").get_data(as_text=True)
    assert "13712345678" not in page and 'placeholder="137****5678"' in page
    assert 'value="&lt;script&gt;alert(1)&lt;/script&gt;赵监督"' in page
    token = csrf_token(admin, f"/admin/supervisors/{first.id}")

    # empty contact: the number on record stays; the rest changes
    changed = admin.post(f"/admin/supervisors/{first.id}", data={
        "csrf_token": token, "name": "赵监督", "unit": "县政协", "contact": "",
        "term_start": "2026-01-01", "term_end": "2026-06-30"})
    assert changed.status_code == 303 and changed.headers["Location"].endswith("/admin/supervisors/")
    after = _supervisor(app, id=first.id)
    assert (after.name, after.unit, after.contact, after.term_end) == ("赵监督", "县政协", "13712345678",
                                                                        date(2026, 6, 30))
    # a new number replaces it; the log keeps it masked
    admin.post(f"/admin/supervisors/{first.id}", data={
        "csrf_token": token, "name": "赵监督", "unit": "县政协", "contact": "13900001111",
        "term_start": "2026-01-01", "term_end": "2026-06-30"})
    assert _supervisor(app, id=first.id).contact == "13900001111"
    # bad input: a term that ends before it starts, a number that is not one; nothing stored changes
    for bad in ({"term_start": "2026-07-01", "term_end": "2026-01-01"}, {"contact": "not a phone"},
                {"name": ""}, {"term_end": "31.12.2026"}):
        form = {"csrf_token": token, "name": "赵监督", "unit": "县政协", "term_start": "2026-01-01",
                "term_end": "2026-06-30", **bad}
        refused = admin.post(f"/admin/supervisors/{first.id}", data=form)
        assert refused.status_code == 303 and refused.headers["Location"].endswith(f"/admin/supervisors/{first.id}")
    kept = _supervisor(app, id=first.id)
    assert (kept.name, kept.contact, kept.term_start, kept.term_end) == ("赵监督", "13900001111", date(2026, 1, 1),
                                                                          date(2026, 6, 30))
    # clearing the number
    admin.post(f"/admin/supervisors/{first.id}", data={
        "csrf_token": token, "name": "赵监督", "unit": "县政协", "clear_contact": "on", "contact": "",
        "term_start": "2026-01-01", "term_end": "2026-06-30"})
    assert _supervisor(app, id=first.id).contact is None
    # ending the appointment keeps them on record
    assert admin.post(f"/admin/supervisors/{first.id}/end", data={"csrf_token": token}).status_code == 303
    ended = _supervisor(app, id=first.id)
    assert ended.active is False
    assert "已解聘" in admin.get("/admin/supervisors/").get_data(as_text=True)

    log = _audit(app, first.id)
    assert [action for action, _ in log] == ["create", "update", "update", "update", "update"]
    assert log[1][1]["unit"] == ["县人大常委会", "县政协"] and "contact" not in log[1][1]
    assert log[2][1]["contact"] == ["****", "****"]  # never the number itself
    assert "13712345678" not in str(log) and "13900001111" not in str(log)
    assert log[-1][1]["active"] == [True, False]
    assert admin.get("/admin/supervisors/999999").status_code == 404


def test_only_administrators_and_only_with_a_csrf_token(app, hall):
    with app.app_context():
        make_user("admin", username="boss")
        make_user("leader", username="lead")
        make_user("staff", username="clerk")
    admin = sign_in(app, "boss")
    admin.post("/admin/supervisors/", data={"csrf_token": csrf_token(admin, "/admin/supervisors/"), "name": "钱监督",
                                            "term_start": "2026-01-01", "term_end": "2027-12-31"})
    one = _supervisor(app, name="钱监督")
    refused = admin.post(f"/admin/supervisors/{one.id}", data={"name": "被篡改", "term_start": "2026-01-01",
                                                              "term_end": "2027-12-31"})
    assert refused.status_code == 400
    assert _supervisor(app, id=one.id).name == "钱监督"
    for username in ("lead", "clerk"):
        other = sign_in(app, username)
        assert other.get(f"/admin/supervisors/{one.id}").status_code == 403
        token = csrf_token(other, "/admin/")
        assert other.post(f"/admin/supervisors/{one.id}", data={"csrf_token": token, "name": "被篡改",
                                                               "term_start": "2026-01-01",
                                                               "term_end": "2027-12-31"}).status_code == 403
    assert _supervisor(app, id=one.id).name == "钱监督"
    assert app.test_client().get(f"/admin/supervisors/{one.id}").status_code in (302, 401)


def test_the_page_in_english(app, hall):
    with app.app_context():
        make_user("admin", username="boss")
    admin = sign_in(app, "boss", lang="en")
    admin.post("/admin/supervisors/", data={"csrf_token": csrf_token(admin, "/admin/supervisors/"), "name": "Sun",
                                            "contact": "13712345678", "term_start": "2026-01-01",
                                            "term_end": "2027-12-31"})
    page = admin.get(f"/admin/supervisors/{_supervisor(app, name='Sun').id}").get_data(as_text=True)
    assert "Leave empty to keep the number on record." in page and "Remove the number" in page
    zh = sign_in(app, "boss", lang="zh")
    assert "留空则保留原号码" in zh.get(f"/admin/supervisors/{_supervisor(app, name='Sun').id}").get_data(as_text=True)
