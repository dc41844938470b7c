"""Survey rounds through the API: building, opening, answering by phone, kiosk, invitation and paper,
closing; the bad input the issue names (a closed round, a used code, paper beyond the sheets printed,
publishing with no answers) refused in the error shape, with nothing stored lost."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from liangbiping.admin.extensions import db
from liangbiping.admin.models import AuditEntry, SurveyInvitation, SurveyResponse

API = "/api/v1"
QUESTIONS = [
    {"kind": "rating", "text": "服务态度", "dimension": "attitude", "required": True},
    {"kind": "rating", "text": "总体评价", "dimension": "overall"},
    {"kind": "single", "text": "您办理的是什么业务？", "options": ["社保", "医保", "其他"]},
    {"kind": "multiple", "text": "您希望改进哪些方面？", "options": ["排队时间", "指引标识", "网上办理"]},
    {"kind": "text", "text": "意见和建议"},
]


def _create(client, headers, **extra):
    body = {"title": "2026年下半年窗口单位民意调查", "questions": QUESTIONS, "open_invited": True,
            "sheets_printed": 2, **extra}
    answer = client.post(f"{API}/surveys", json=body, headers=headers)
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()


def _open(client, headers, survey_id, action="open"):
    answer = client.post(f"{API}/surveys/{survey_id}/transition", json={"action": action}, headers=headers)
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()


def _count(app, model, **where):
    with app.app_context():
        stmt = select(func.count()).select_from(model)
        for key, value in where.items():
            stmt = stmt.where(getattr(model, key) == value)
        return db.session.scalar(stmt)


def _error(answer, status, code=None):
    assert answer.status_code == status, answer.get_data(as_text=True)
    body = answer.get_json()
    assert set(body) == {"error"} and body["error"]["message"]
    if code:
        assert body["error"]["code"] == code, body


def test_a_round_from_draft_to_published(app, client, hall, admin_headers):
    survey = _create(client, admin_headers, target_kind="window", target_ids=[hall.w1, hall.w2])
    assert survey["status"] == "draft" and survey["public_url"].endswith(f"/v/{survey['code']}")
    assert [q["key"] for q in survey["questions"]] == ["q1", "q2", "q3", "q4", "q5"]
    assert survey["period_start"].endswith(("-01-01", "-07-01"))  # half-yearly by default
    code = survey["code"]

    # a draft takes no answers
    _error(client.post(f"{API}/survey-answers", json={"survey": code, "channel": "phone", "target_id": hall.w1,
                                                       "answers": {"q1": 5}}), 409, "survey_not_open")
    _open(client, admin_headers, survey["id"])

    phone = app.test_client()
    assert phone.get(f"/v/{code}").status_code == 200  # the page gives the phone its cookie
    first = phone.post(f"{API}/survey-answers", json={
        "survey": code, "channel": "phone", "target_id": hall.w1,
        "answers": {"q1": 5, "q2": 4, "q3": 0, "q4": [0, 2], "q5": "希望增加自助设备"}, "contact": "138 1234 5678"})
    assert first.status_code == 201, first.get_json()
    # one answer per phone per round
    _error(phone.post(f"{API}/survey-answers", json={"survey": code, "channel": "phone", "target_id": hall.w1,
                                                      "answers": {"q1": 1}}), 409, "already_answered")
    # another phone answers about the other window
    other = app.test_client()
    other.get(f"/v/{code}")
    assert other.post(f"{API}/survey-answers", json={"survey": code, "channel": "phone", "target_id": hall.w2,
                                                      "answers": {"q1": 2, "q2": 1}}).status_code == 201

    # the kiosk answers with its token, one after another
    for score in (5, 4):
        kiosk = client.post(f"{API}/survey-answers", json={"survey": code, "channel": "kiosk", "target_id": hall.w1,
                                                           "kiosk_token": hall.kiosk_token, "answers": {"q1": score}})
        assert kiosk.status_code == 201, kiosk.get_json()
    _error(client.post(f"{API}/survey-answers", json={"survey": code, "channel": "kiosk", "target_id": hall.w1,
                                                       "kiosk_token": "forged", "answers": {"q1": 5}}), 401)

    # an invitation code works once
    invited = client.post(f"{API}/surveys/{survey['id']}/invitations", headers=admin_headers, json={
        "people": [{"name": "李监督", "unit": "县人大", "kind": "supervisor"}, {"name": "王代表", "kind": "deputy"}]})
    assert invited.status_code == 201, invited.get_json()
    codes = [i["code"] for i in invited.get_json()["items"]]
    assert invited.get_json()["items"][0]["link"].endswith(f"/v/{code}?invite={codes[0]}")
    body = {"survey": code, "channel": "invitation", "invitation": codes[0], "target_id": hall.w1, "answers": {"q1": 5}}
    assert client.post(f"{API}/survey-answers", json=body).status_code == 201
    _error(client.post(f"{API}/survey-answers", json=body), 409, "invitation_used")
    _error(client.post(f"{API}/survey-answers", json=dict(body, invitation="NOPE2345")), 403, "invitation_unknown")

    # paper: one entry a sheet, within the sheets printed, with who entered it
    paper = {"paper_no": 1, "target_id": hall.w2, "answers": {"q1": 3, "q5": "窗口人员态度冷淡"}}
    entered = client.post(f"{API}/surveys/{survey['id']}/paper", json=paper, headers=admin_headers)
    assert entered.status_code == 201, entered.get_json()
    _error(client.post(f"{API}/surveys/{survey['id']}/paper", json=paper, headers=admin_headers), 409, "paper_entered")
    _error(client.post(f"{API}/surveys/{survey['id']}/paper", json=dict(paper, paper_no=3), headers=admin_headers),
           422)
    # the sheets printed cannot go below those entered
    _error(client.patch(f"{API}/surveys/{survey['id']}", json={"sheets_printed": 0}, headers=admin_headers), 422)
    with app.app_context():
        sheet = db.session.scalar(select(SurveyResponse).where(SurveyResponse.paper_no == 1))
        assert sheet.entered_by.startswith("token:") and sheet.channel == "paper"
    assert _count(app, SurveyResponse) == 6

    # bad answers: unknown question, out of range, no target, wrong target
    for answers, target in (({"q9": 5}, hall.w1), ({"q1": 6}, hall.w1), ({"q3": 7}, hall.w1), ({"q1": 5}, None),
                            ({"q1": 5}, hall.w3), ({"q2": 4}, hall.w1)):
        third = app.test_client()
        third.get(f"/v/{code}")
        _error(third.post(f"{API}/survey-answers", json={"survey": code, "channel": "phone", "target_id": target,
                                                          "answers": answers}), 422)
    assert _count(app, SurveyResponse) == 6

    # publishing needs a closed round; a closed round refuses answers
    _error(client.post(f"{API}/surveys/{survey['id']}/transition", json={"action": "publish"}, headers=admin_headers),
           409, "survey_not_closed")
    _open(client, admin_headers, survey["id"], "close")
    late = app.test_client()
    late.get(f"/v/{code}")
    _error(late.post(f"{API}/survey-answers", json={"survey": code, "channel": "phone", "target_id": hall.w1,
                                                     "answers": {"q1": 5}}), 409, "survey_closed")
    _error(client.post(f"{API}/surveys/{survey['id']}/paper", json=dict(paper, paper_no=2), headers=admin_headers),
           409, "survey_closed")
    assert _open(client, admin_headers, survey["id"], "publish")["published_at"]
    assert _count(app, SurveyResponse) == 6
    assert _count(app, SurveyInvitation) == 2
    with app.app_context():
        actions = {(a.entity, a.action) for a in db.session.scalars(select(AuditEntry).where(
            AuditEntry.entity.in_(["survey", "survey_invitation", "survey_response"])))}
    assert {("survey", "create"), ("survey", "update"), ("survey", "close"), ("survey_invitation", "create"),
            ("survey_response", "create")} <= actions


def test_no_answers_no_publishing_and_frozen_questions(client, hall, admin_headers):
    survey = _create(client, admin_headers)
    _open(client, admin_headers, survey["id"])
    assert client.patch(f"{API}/surveys/{survey['id']}", json={"title": "新标题"},
                        headers=admin_headers).get_json()["title"] == "新标题"
    _open(client, admin_headers, survey["id"], "close")
    _error(client.post(f"{API}/surveys/{survey['id']}/transition", json={"action": "publish"}, headers=admin_headers),
           409, "survey_no_answers")
    _error(client.post(f"{API}/surveys/{survey['id']}/transition", json={"action": "open"}, headers=admin_headers),
           409, "survey_not_draft")


@pytest.mark.parametrize("body", [
    {"title": "x", "questions": []},
    {"title": "x", "questions": [{"kind": "single", "text": "选一个", "options": ["只有一个"]}]},
    {"title": "x", "questions": [{"kind": "rating", "text": "态度", "dimension": "nonsense"}]},
    {"title": "x", "questions": [{"kind": "text", "text": ""}]},
    {"title": "x", "target_kind": "window", "questions": [{"kind": "text", "text": "意见"}]},
    {"title": "x", "target_kind": "window", "target_ids": [999999], "questions": [{"kind": "text", "text": "意见"}]},
    {"title": "\x00", "questions": [{"kind": "text", "text": "意见"}]},
    {"title": "x" * 5000, "questions": [{"kind": "text", "text": "意见"}]},
    {"title": "x", "questions": [{"kind": "text", "text": "意见"}], "period_start": "2026-12-01",
     "period_end": "2026-01-01"},
    {"title": "x", "questions": [{"kind": "text", "text": "意见"}], "sheets_printed": "5"},
])
def test_bad_rounds_are_refused(app, client, hall, admin_headers, body):
    _error(client.post(f"{API}/surveys", json=body, headers=admin_headers), 422)
    from liangbiping.admin.models import Survey

    assert _count(app, Survey) == 0


def test_who_may_do_what(client, hall, make_token, admin_headers):
    survey = _create(client, admin_headers)
    staff, leader = make_token("staff"), make_token("leader")
    assert client.get(f"{API}/surveys", headers=staff).status_code == 403
    assert client.get(f"{API}/surveys", headers=leader).status_code == 200
    assert client.post(f"{API}/surveys", json={"title": "x", "questions": QUESTIONS}, headers=leader).status_code == 403
    assert client.post(f"{API}/surveys/{survey['id']}/transition", json={"action": "open"},
                       headers=leader).status_code == 403
    assert client.get(f"{API}/surveys/{survey['id']}/invitations", headers=leader).status_code == 403
    assert client.get(f"{API}/surveys").status_code == 401
    _error(client.post(f"{API}/survey-answers", json={"survey": "NOSUCH", "channel": "phone", "answers": {"q1": 5}}),
           404)


def test_an_invitation_only_round_refuses_the_public(app, client, hall, admin_headers):
    survey = _create(client, admin_headers, open_public=False)
    _open(client, admin_headers, survey["id"])
    phone = app.test_client()
    phone.get(f"/v/{survey['code']}")
    _error(phone.post(f"{API}/survey-answers", json={"survey": survey["code"], "channel": "phone",
                                                      "answers": {"q1": 5}}), 403, "survey_invited_only")
