"""Survey rounds in the console: the builder, opening, typing in paper sheets, the printable A4 sheet,
the results (distribution, rate with its interval, free text within the reader's scope, masked
contacts), a ledger entry from an answer; and the citizen's phone page (/v/<code>) as a plain form."""

from __future__ import annotations

import re

from sqlalchemy import select

from liangbiping.admin.extensions import db
from liangbiping.admin.models import Rectification, Survey, SurveyResponse
from tests.factories import csrf_token, make_user, sign_in


def _build(app, client, hall, **extra):
    token = csrf_token(client, "/admin/surveys/")
    form = {"csrf_token": token, "title": "2026年下半年民意调查", "period_start": "2026-07-01",
            "period_end": "2026-12-31", "target_kind": "staff", "target_staff": [str(hall.m1), str(hall.m3)],
            "dim_attitude": "1", "dim_overall": "1", "open_public": "1", "sheets_printed": "3",
            "extra": "单选: 您办理的是什么业务？ | 社保 | 医保\n文字: 意见和建议", **extra}
    answer = client.post("/admin/surveys/new", data=form)
    assert answer.status_code == 303, answer.get_data(as_text=True)[:500]
    with app.app_context():
        survey = db.session.scalars(select(Survey).order_by(Survey.id.desc())).first()
        return survey.id, survey.code, [q["kind"] for q in survey.questions]


def test_build_open_enter_paper_and_read_results(app, hall):
    with app.app_context():
        make_user("admin", username="boss")
        make_user("leader", username="lead-other", departments=[hall.d2])
    admin = sign_in(app, "boss")
    survey_id, code, kinds = _build(app, admin, hall)
    assert kinds == ["rating", "rating", "single", "text"]
    page = admin.get(f"/admin/surveys/{survey_id}").get_data(as_text=True)
    assert "<svg" in page and f"/v/{code}" in page
    csrf = csrf_token(admin, f"/admin/surveys/{survey_id}")
    assert admin.post(f"/admin/surveys/{survey_id}/do/open", data={"csrf_token": csrf}).status_code == 303

    # the citizen's phone page: a plain form, one answer per phone
    phone = app.test_client()
    form_page = phone.get(f"/v/{code}")
    assert form_page.status_code == 200 and "张三" in form_page.get_data(as_text=True)
    sent = phone.post(f"/v/{code}", data={"target_id": str(hall.m1), "q1": "1", "q2": "2", "q3": "0",
                                          "q4": "MARK-survey-text 窗口态度冷淡", "contact": "13912345678"})
    assert sent.status_code == 200 and "sv-thanks" in sent.get_data(as_text=True)
    again = phone.get(f"/v/{code}")
    assert "sv-done" in again.get_data(as_text=True)
    refused = phone.post(f"/v/{code}", data={"target_id": str(hall.m1), "q1": "5"})
    assert refused.status_code == 409
    missing = app.test_client().post(f"/v/{code}", data={"target_id": str(hall.m1), "q1": "5"})  # q2 总体评价 required
    assert missing.status_code == 422 and "sv-error" in missing.get_data(as_text=True)

    # paper: the sheet number, within the sheets printed, once; who entered it is kept
    paper = {"csrf_token": csrf_token(admin, f"/admin/surveys/{survey_id}/paper"), "paper_no": "2",
             "target_id": str(hall.m3), "q1": "5", "q2": "4"}
    assert admin.post(f"/admin/surveys/{survey_id}/paper", data=paper).status_code == 303
    assert admin.post(f"/admin/surveys/{survey_id}/paper", data=paper).status_code == 409
    assert admin.post(f"/admin/surveys/{survey_id}/paper", data=dict(paper, paper_no="4")).status_code == 422
    with app.app_context():
        rows = db.session.scalars(select(SurveyResponse).where(SurveyResponse.survey_id == survey_id)).all()
        assert sorted(r.channel for r in rows) == ["paper", "phone"]
        assert next(r for r in rows if r.channel == "paper").entered_by.endswith("boss")

    # the printable A4 sheet: its QR code and the box for the sheet's number
    sheet = admin.get(f"/admin/surveys/{survey_id}/sheet").get_data(as_text=True)
    assert "paper-no-box" in sheet and "<svg" in sheet and "意见和建议" in sheet and "非常满意" in sheet

    # results: the text with a masked contact for the admin; not for a leader of another department
    results = admin.get(f"/admin/surveys/{survey_id}").get_data(as_text=True)
    assert "MARK-survey-text" in results and "139****5678" in results and "13912345678" not in results
    other = sign_in(app, "lead-other")
    assert "MARK-survey-text" not in other.get(f"/admin/surveys/{survey_id}").get_data(as_text=True)
    api = app.test_client()
    with app.app_context():
        from liangbiping.admin.services.accounts import create_token

        _t, secret = create_token("r", "admin", actor="test")
    data = api.get(f"/api/v1/surveys/{survey_id}/results", headers={"Authorization": f"Bearer {secret}"}).get_json()
    attitude = data["questions"][0]
    assert attitude["all"]["distribution"] == {"1": 1, "2": 0, "3": 0, "4": 0, "5": 1}
    assert attitude["all"]["rate"] == 0.5 and attitude["all"]["low_sample"] is True
    assert 0 < attitude["all"]["low"] < 0.5 < attitude["all"]["high"] < 1
    assert sorted(t["n"] for t in attitude["targets"]) == [1, 1]  # one answer about each member

    # a 1–2 opens a ledger entry (source: survey), once
    with app.app_context():
        bad = db.session.scalar(select(SurveyResponse.id).where(SurveyResponse.channel == "phone"))
    form = {"csrf_token": csrf_token(other, f"/admin/surveys/{survey_id}")}
    assert other.post(f"/admin/surveys/{survey_id}/answers/{bad}/ledger", data=form).status_code == 404
    form = {"csrf_token": csrf_token(admin, f"/admin/surveys/{survey_id}")}
    opened = admin.post(f"/admin/surveys/{survey_id}/answers/{bad}/ledger", data=form)
    assert opened.status_code == 303 and re.search(r"/admin/ledger/\d+$", opened.headers["Location"])
    with app.app_context():
        entry = db.session.scalar(select(Rectification).where(Rectification.survey_response_id == bad))
        assert entry.source == "survey" and entry.staff_id == hall.m1 and "MARK-survey-text" in entry.problem
    again = admin.post(f"/admin/surveys/{survey_id}/answers/{bad}/ledger", data=form)
    assert again.status_code == 303 and "/admin/surveys/" in again.headers["Location"]
    with app.app_context():
        assert db.session.query(Rectification).filter_by(survey_response_id=bad).count() == 1

    # close, publish; the list shows the round and the year's figure
    for action in ("close", "publish"):
        assert admin.post(f"/admin/surveys/{survey_id}/do/{action}",
                          data={"csrf_token": csrf_token(admin, f"/admin/surveys/{survey_id}")}).status_code == 303
    listing = admin.get("/admin/surveys/").get_data(as_text=True)
    assert "2026年下半年民意调查" in listing and "year-figure" in listing


def test_the_kiosk_page_answers_with_the_kiosk_token(app, hall):
    with app.app_context():
        make_user("admin", username="boss")
    admin = sign_in(app, "boss")
    survey_id, code, _kinds = _build(app, admin, hall, target_kind="hall")
    admin.post(f"/admin/surveys/{survey_id}/do/open", data={"csrf_token": csrf_token(admin, "/admin/surveys/")})
    kiosk = app.test_client()
    page = kiosk.get(f"/kiosk/1/survey/{code}").get_data(as_text=True)
    assert 'id="sv-kiosk-token"' in page and "survey.js" in page and "<svg" in page
    assert kiosk.post(f"/kiosk/1/survey/{code}", data={"q1": "5", "kiosk_token": "forged"}).status_code == 401
    for _n in range(2):  # one after another
        done = kiosk.post(f"/kiosk/1/survey/{code}", data={"q1": "5", "q2": "4", "kiosk_token": hall.kiosk_token})
        assert done.status_code == 200 and 'http-equiv="refresh"' in done.get_data(as_text=True)
    with app.app_context():
        assert db.session.query(SurveyResponse).filter_by(survey_id=survey_id, channel="kiosk").count() == 2
