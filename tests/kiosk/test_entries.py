"""The survey entries a kiosk is sent (kiosk.entries): a round open to citizens reaches the kiosks it
concerns, for each kind of target, and nothing else: not a draft, not a closed round, not a round for
invited respondents only, not a round about another department's window or member."""

from __future__ import annotations

from datetime import date

from liangbiping.admin.extensions import db
from liangbiping.admin.models import Kiosk
from liangbiping.admin.surveys import rounds

QUESTIONS = [{"kind": "rating", "text": "总体评价", "dimension": "overall"}]


def _round(title: str, kind: str = "hall", ids=(), open_public=True, action="open"):
    survey = rounds.create({"title": title, "target_kind": kind, "target_ids": list(ids), "questions": QUESTIONS,
                            "period_start": date(2026, 7, 1), "period_end": date(2026, 12, 31),
                            "open_public": open_public, "open_invited": not open_public}, "test")
    for step in {"open": ["open"], "closed": ["open", "close"], "draft": []}[action]:
        rounds.transition(survey, step, "test")
    return survey


def test_each_kiosk_gets_the_rounds_that_concern_it(app, hall):
    from liangbiping.kiosk.state import HallView, kiosk_state

    with app.test_request_context():
        made = {
            "hall": _round("全厅评议"),
            "dept1": _round("社会保障科评议", "department", [hall.d1]),
            "dept2": _round("医疗保障科评议", "department", [hall.d2]),
            "w1": _round("01窗口评议", "window", [hall.w1, hall.w4]),
            "w3": _round("03窗口评议", "window", [hall.w3]),
            "m1": _round("张三评议", "staff", [hall.m1]),
            "m3": _round("王五评议", "staff", [hall.m3, hall.m4]),
        }
        _round("监督员评议", open_public=False)
        _round("草稿", action="draft")
        _round("已结束", action="closed")
        view = HallView()
        at_w1, floor = (view.state(db.session.get(Kiosk, k)) for k in (hall.kiosk, hall.floor))
        titles = lambda state: sorted(s["title"] for s in state["surveys"])  # noqa: E731
        assert titles(at_w1) == sorted(made[k].title for k in ("hall", "dept1", "w1", "m1"))
        assert titles(floor) == sorted(s.title for s in made.values())  # the floor serves the whole hall
        entry = next(s for s in at_w1["surveys"] if s["code"] == made["w1"].code)
        assert entry == {"code": made["w1"].code, "title": "01窗口评议",
                         "url": f"/kiosk/{hall.kiosk}/survey/{made['w1'].code}"}
        assert at_w1["wish_url"] == f"/kiosk/{hall.kiosk}/wish"
        # the same answer without the shared read of the hall
        assert titles(kiosk_state(db.session.get(Kiosk, hall.kiosk))) == titles(at_w1)

        rounds.transition(made["w1"], "close", "test")
        assert made["w1"].code not in [s["code"] for s in kiosk_state(db.session.get(Kiosk, hall.kiosk))["surveys"]]


def test_the_kiosk_survey_page_leads_back_to_the_kiosk(app, client, hall):
    with app.test_request_context():
        code = _round("全厅评议").code
    page = client.get(f"/kiosk/{hall.kiosk}/survey/{code}").get_data(as_text=True)
    assert f'id="sv-home" href="/kiosk/{hall.kiosk}"' in page
    assert 'id="sv-home"' not in client.get(f"/v/{code}").get_data(as_text=True)
    assert f'id="sv-home" href="/kiosk/{hall.kiosk}"' in client.get(f"/kiosk/{hall.kiosk}/wish").get_data(as_text=True)


def test_a_kiosk_answers_only_the_rounds_that_concern_it(app, client, hall):
    with app.test_request_context():
        other = _round("医疗保障科评议", "department", [hall.d2]).code
        own = _round("社会保障科评议", "department", [hall.d1]).code

    def send(code, token, target):
        return client.post("/api/v1/survey-answers", json={"survey": code, "channel": "kiosk", "kiosk_token": token,
                                                          "target_id": target, "answers": {"q1": 5}})

    refused = send(other, hall.kiosk_token, hall.d2)  # the kiosk at window 01 (社会保障科)
    assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "survey_not_here"
    assert send(own, hall.kiosk_token, hall.d1).status_code == 201
    assert send(other, hall.floor_token, hall.d2).status_code == 201  # the floor kiosk serves the whole hall
    page = client.post(f"/kiosk/{hall.kiosk}/survey/{other}", data={"q1": "5", "target_id": str(hall.d2),
                                                                   "kiosk_token": hall.kiosk_token})
    assert page.status_code == 403 and "不是关于本窗口" in page.get_data(as_text=True)
    with app.app_context():
        from liangbiping.admin.models import SurveyResponse

        assert db.session.query(SurveyResponse).filter_by(channel="kiosk").count() == 2
