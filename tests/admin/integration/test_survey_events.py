"""``survey.answered``: each stored survey answer (phone, kiosk, invitation, paper) is one event in the
transaction that stores it, delivered to a real local receiver; a refused or rolled-back answer none."""

from __future__ import annotations

from sqlalchemy import func, select

from liangbiping.admin.extensions import db
from liangbiping.admin.models import OutboxEvent, SurveyResponse
from liangbiping.admin.models.types import utcnow
from tests.admin.integration.conftest import deliver

API = "/api/v1"
QUESTIONS = [{"kind": "rating", "text": "服务态度", "required": True},
             {"kind": "single", "text": "您办理的是什么业务？", "options": ["社保", "医保"]},
             {"kind": "text", "text": "意见和建议"}]


def _events(app) -> list[OutboxEvent]:
    with app.app_context():
        return [(e.type, e.data) for e in db.session.scalars(select(OutboxEvent).order_by(OutboxEvent.seq))]


def _answers(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(SurveyResponse))


def test_each_answer_by_phone_kiosk_invitation_and_paper_is_one_event(app, client, hall, receiver, subscribe,
                                                                       admin_headers):
    subscribe(receiver, ["survey.answered"])
    made = client.post(f"{API}/surveys", headers=admin_headers, json={
        "title": "窗口服务民意调查", "questions": QUESTIONS, "target_kind": "window", "target_ids": [hall.w1, hall.w2],
        "open_invited": True, "sheets_printed": 3})
    assert made.status_code == 201, made.get_json()
    survey = made.get_json()
    code = survey["code"]
    assert client.post(f"{API}/surveys/{survey['id']}/transition", headers=admin_headers,
                       json={"action": "open"}).status_code == 200

    phone = app.test_client()
    phone.get(f"/v/{code}")
    by_phone = phone.post(f"{API}/survey-answers", json={
        "survey": code, "channel": "phone", "target_id": hall.w1, "answers": {"q1": 5, "q2": 0, "q3": "很好"},
        "contact": "13812345678"})
    assert by_phone.status_code == 201, by_phone.get_json()
    by_kiosk = client.post(f"{API}/survey-answers", json={"survey": code, "channel": "kiosk", "target_id": hall.w2,
                                                           "kiosk_token": hall.kiosk_token, "answers": {"q1": 4}})
    assert by_kiosk.status_code == 201, by_kiosk.get_json()
    on_paper = client.post(f"{API}/surveys/{survey['id']}/paper", headers=admin_headers,
                           json={"paper_no": 2, "target_id": hall.w1, "answers": {"q1": 2, "q3": "排队太久"}})
    assert on_paper.status_code == 201, on_paper.get_json()
    invited = client.post(f"{API}/surveys/{survey['id']}/invitations", headers=admin_headers,
                          json={"people": [{"name": "李监督", "unit": "县人大", "kind": "supervisor"}]})
    invitation = invited.get_json()["items"][0]["code"]
    by_code = client.post(f"{API}/survey-answers", json={"survey": code, "channel": "invitation",
                                                          "invitation": invitation, "target_id": hall.w2,
                                                          "answers": {"q1": 3}})
    assert by_code.status_code == 201, by_code.get_json()

    events = _events(app)
    assert [t for t, _d in events] == ["survey.answered"] * 4
    with app.app_context():
        stored = {r.channel: r.id for r in db.session.scalars(select(SurveyResponse))}
    assert [d["id"] for _t, d in events] == [stored["phone"], stored["kiosk"], stored["paper"], stored["invitation"]]
    first = events[0][1]
    assert first["survey_id"] == survey["id"] and first["survey_code"] == code
    assert first["survey_title"] == "窗口服务民意调查" and first["target_kind"] == "window"
    assert first["target_id"] == hall.w1 and first["channel"] == "phone" and first["invited"] is False
    assert first["answers"] == {"q1": 5, "q2": 0, "q3": "很好"}
    assert "contact" not in first and "respondent_key" not in first  # who answered stays in the hall
    assert events[1][1]["kiosk_id"] == hall.kiosk and events[2][1]["paper_no"] == 2
    assert events[3][1]["invited"] is True

    assert deliver(app) == 4
    bodies = receiver.accepted()  # each signature checked
    assert [b["type"] for b in bodies] == ["survey.answered"] * 4
    assert [b["data"]["id"] for b in bodies] == [d["id"] for _t, d in events]
    assert {r["headers"]["X-Liangbiping-Event"] for r in receiver.received} == {"survey.answered"}

    # Refused answers store nothing and send nothing: the same phone again, the same sheet again, a
    # used invitation code, an answer out of range.
    refused = [
        phone.post(f"{API}/survey-answers", json={"survey": code, "channel": "phone", "target_id": hall.w1,
                                                  "answers": {"q1": 1}}),
        client.post(f"{API}/surveys/{survey['id']}/paper", headers=admin_headers,
                    json={"paper_no": 2, "target_id": hall.w1, "answers": {"q1": 1}}),
        client.post(f"{API}/survey-answers", json={"survey": code, "channel": "invitation", "invitation": invitation,
                                                   "target_id": hall.w2, "answers": {"q1": 1}}),
        client.post(f"{API}/survey-answers", json={"survey": code, "channel": "kiosk", "target_id": hall.w2,
                                                   "kiosk_token": hall.kiosk_token, "answers": {"q1": 9}}),
    ]
    assert [r.status_code for r in refused] == [409, 409, 409, 422]
    assert _answers(app) == 4 and len(_events(app)) == 4
    assert deliver(app) == 0 and len(receiver.received) == 4

    # Rolled back after the INSERT: no answer, no event.
    with app.app_context():
        db.session.add(SurveyResponse(survey_id=survey["id"], channel="paper", paper_no=3, target_id=hall.w1,
                                      answers={"q1": 5}, created_at=utcnow()))
        db.session.flush()
        db.session.rollback()
    assert _answers(app) == 4 and len(_events(app)) == 4
    # The same answer committed: its event comes with it.
    with app.app_context():
        db.session.add(SurveyResponse(survey_id=survey["id"], channel="paper", paper_no=3, target_id=hall.w1,
                                      answers={"q1": 5}, created_at=utcnow()))
        db.session.commit()
    assert _answers(app) == 5 and [t for t, _d in _events(app)] == ["survey.answered"] * 5


def test_no_subscriber_no_survey_event(app, client, hall, admin_headers, receiver, subscribe):
    subscribe(receiver, ["rating.created"])  # someone listens, but not to surveys
    survey = client.post(f"{API}/surveys", headers=admin_headers, json={
        "title": "大厅环境调查", "questions": QUESTIONS, "sheets_printed": 1}).get_json()
    client.post(f"{API}/surveys/{survey['id']}/transition", headers=admin_headers, json={"action": "open"})
    assert client.post(f"{API}/surveys/{survey['id']}/paper", headers=admin_headers,
                       json={"paper_no": 1, "answers": {"q1": 4}}).status_code == 201
    assert _answers(app) == 1 and _events(app) == []
