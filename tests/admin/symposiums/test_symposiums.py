"""Supervisors on record and invited to a survey round; a symposium whose problems become ledger entries
with the 四明确 (source: symposium), the attendee following the entry's progress by code."""

from __future__ import annotations

from datetime import date, timedelta

from liangbiping.admin.extensions import db
from liangbiping.admin.models import AuditEntry, Rectification, SurveyInvitation
from tests.factories import csrf_token, make_user, sign_in

API = "/api/v1"


def test_supervisors_are_invited_to_a_round(app, client, hall, admin_headers):
    today = date.today()
    made = client.post(f"{API}/supervisors", headers=admin_headers, json={
        "name": "赵监督", "unit": "县人大常委会", "contact": "13712345678",
        "term_start": (today - timedelta(days=30)).isoformat(), "term_end": (today + timedelta(days=700)).isoformat()})
    assert made.status_code == 201 and made.get_json()["contact_masked"] == "137****5678"
    client.post(f"{API}/supervisors", headers=admin_headers, json={
        "name": "钱往届", "term_start": "2020-01-01", "term_end": "2021-12-31"})  # term over
    bad = client.post(f"{API}/supervisors", headers=admin_headers, json={
        "name": "孙", "term_start": "2026-12-01", "term_end": "2026-01-01"})
    assert bad.status_code == 422
    survey = client.post(f"{API}/surveys", headers=admin_headers, json={
        "title": "行风评议", "open_invited": True, "open_public": False,
        "questions": [{"kind": "rating", "text": "总体评价", "dimension": "overall"}]}).get_json()
    invited = client.post(f"{API}/surveys/{survey['id']}/invitations/supervisors", headers=admin_headers)
    assert invited.status_code == 201
    assert [i["name"] for i in invited.get_json()["items"]] == ["赵监督"]
    again = client.post(f"{API}/surveys/{survey['id']}/invitations/supervisors", headers=admin_headers)
    assert again.get_json()["items"] == []  # once each
    with app.app_context():
        invitation = db.session.query(SurveyInvitation).one()
        assert invitation.supervisor_id == made.get_json()["id"] and invitation.kind == "supervisor"
    ended = client.patch(f"{API}/supervisors/{made.get_json()['id']}", headers=admin_headers, json={"active": False})
    assert ended.status_code == 200 and ended.get_json()["active"] is False
    assert client.get(f"{API}/supervisors", headers=admin_headers).get_json()["total"] == 2


def test_a_symposium_s_problems_enter_the_ledger_and_reach_who_raised_them(app, hall):
    with app.app_context():
        make_user("admin", username="boss")
        leader_id = make_user("leader", username="lead1", departments=[hall.d1]).id
        make_user("leader", username="lead2", departments=[hall.d2])
    admin = sign_in(app, "boss")
    form = {"csrf_token": csrf_token(admin, "/admin/symposiums/"), "title": "2026年第四季度服务对象座谈会",
            "held_on": date.today().isoformat(), "place": "三楼会议室",
            "attendees": "赵监督, 县人大常委会\n李企业, 青溪制造\n", "minutes": "会议听取了意见。"}
    made = admin.post("/admin/symposiums/new", data=form)
    assert made.status_code == 303
    page_url = made.headers["Location"]
    page = admin.get(page_url).get_data(as_text=True)
    assert "赵监督" in page and "会议听取了意见。" in page
    symposium_id = int(page_url.rstrip("/").rsplit("/", 1)[1])

    # a leader of the department enters a problem with the 四明确; it becomes a ledger entry
    lead = sign_in(app, "lead1")
    problem = {"csrf_token": csrf_token(lead, page_url), "problem": "社保窗口午间无人值守", "raised_by": "李企业",
               "contact": "13698765432", "measure": "午间安排轮岗", "deadline": (date.today() + timedelta(days=7)).isoformat(),
               "leader_id": str(leader_id), "responsible_id": str(hall.m1), "window_id": str(hall.w1)}
    assert lead.post(f"/admin/symposiums/{symposium_id}/problems", data=problem).status_code == 303
    with app.app_context():
        entry = db.session.query(Rectification).filter_by(source="symposium").one()
        assert (entry.measure, entry.leader_id, entry.responsible_id, entry.window_id) == \
            ("午间安排轮岗", leader_id, hall.m1, hall.w1)
        assert entry.four_clear
        assert db.session.query(AuditEntry).filter_by(entity="symposium_problem").count() == 1
        entry_id = entry.id
    # a leader of another department may not put it on this department
    other = sign_in(app, "lead2")
    assert other.post(f"/admin/symposiums/{symposium_id}/problems",
                      data=dict(problem, csrf_token=csrf_token(other, page_url))).status_code == 403
    shown = admin.get(page_url).get_data(as_text=True)
    assert "136****5432" in shown and "13698765432" not in shown and f"#{entry_id}" in shown
    code = shown.split("/p/")[1][:8]

    # the attendee follows it: opened, then verified with the plan
    citizen = app.test_client()
    follow = citizen.get(f"/p/{code}")
    assert follow.status_code == 200 and "社保窗口午间无人值守" in follow.get_data(as_text=True)
    lead.post(f"/admin/ledger/{entry_id}/do/verify", data={"csrf_token": csrf_token(lead, "/admin/")})
    assert "午间安排轮岗" in citizen.get(f"/p/{code}").get_data(as_text=True)
    assert citizen.get("/p/NOSUCH22").status_code == 404


def test_bad_symposiums_are_refused(client, hall, admin_headers):
    for body in ({"title": "", "held_on": "2026-12-01"}, {"title": "x", "held_on": "2026-13-01"},
                 {"title": "x", "held_on": "2026-12-01", "attendees": [{"name": "\x00"}]},
                 {"title": "x" * 200, "held_on": "2026-12-01"}):
        answer = client.post(f"{API}/symposiums", headers=admin_headers, json=body)
        assert answer.status_code == 422 and set(answer.get_json()) == {"error"}
    made = client.post(f"{API}/symposiums", headers=admin_headers, json={"title": "座谈会", "held_on": "2026-12-01"})
    assert made.status_code == 201
    problem = client.post(f"{API}/symposiums/{made.get_json()['id']}/problems", headers=admin_headers,
                          json={"problem": "指引标识不清", "contact": "13612345678"})
    assert problem.status_code == 201 and problem.get_json()["follow_code"]
    assert client.post(f"{API}/symposiums/{made.get_json()['id']}/problems", headers=admin_headers,
                       json={"problem": ""}).status_code == 422
    assert client.post(f"{API}/symposiums/99999/problems", headers=admin_headers,
                       json={"problem": "x"}).status_code == 404
