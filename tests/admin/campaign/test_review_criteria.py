"""Each review round chooses its criteria: the 五带头, the 五个好, the third document's 评信念信仰 /
评责任担当 / 评遵纪守规, or a set an administrator writes; reviews are scored against the round's own
set, and the anonymous peer results name its criteria."""

from __future__ import annotations

from datetime import date

import pytest

from liangbiping.admin.errors import Invalid
from liangbiping.admin.extensions import db
from liangbiping.admin.models import Review, ReviewRound
from tests.factories import build_hall, csrf_token, make_user, sign_in


@pytest.fixture
def people(app):
    with app.test_request_context("/"):
        hall = build_hall(app)
        for name, staff_id in (("zhang", hall.m1), ("li", hall.m2)):
            make_user("staff", staff_id=staff_id, username=name)
        make_user("admin", username="boss")
        db.session.remove()
    return hall


def _open(app, admin, **form):
    page = admin.get("/admin/reviews/").get_data(as_text=True)
    assert 'name="criteria_set"' in page and "评遵纪守规" in page
    answer = admin.post("/admin/reviews/new", data={
        "csrf_token": csrf_token(admin, "/admin/reviews/"), "kind": "peer", "period_start": "2026-07-01",
        "period_end": "2026-09-30", "due_on": "2026-10-20", "include_all_staff": "1", **form})
    assert answer.status_code == 303, answer.get_data(as_text=True)[:300]
    with app.app_context():
        return db.session.query(ReviewRound).order_by(ReviewRound.id.desc()).first().id


def test_a_round_of_the_three_reviews(app, people):
    hall = people
    admin = sign_in(app, "boss")
    round_id = _open(app, admin, criteria_set="three_reviews")
    with app.app_context():
        assert db.session.get(ReviewRound, round_id).criteria_set == "three_reviews"
    zhang = sign_in(app, "zhang")
    base = f"/admin/reviews/{round_id}/write"
    form_page = zhang.get(f"{base}/peer/{hall.m2}").get_data(as_text=True)
    assert 'name="score_belief"' in form_page and 'name="score_study"' not in form_page
    token = csrf_token(zhang, "/admin/")
    five_leads = {f"score_{k}": "5" for k in ("study", "achieve", "serve", "discipline", "integrity")}
    assert zhang.post(f"{base}/peer/{hall.m2}", data={"csrf_token": token, **five_leads}).status_code == 422
    scores = {"score_belief": "5", "score_responsibility": "4", "score_discipline": "3"}
    assert zhang.post(f"{base}/peer/{hall.m2}", data={"csrf_token": token, **scores}).status_code == 303
    with app.app_context():
        review = db.session.query(Review).filter_by(round_id=round_id, kind="peer").one()
        assert review.scores == {"belief": 5, "responsibility": 4, "discipline": 3}
    assert "评遵纪守规" in admin.get(f"/admin/reviews/{round_id}").get_data(as_text=True)  # the round names its set


def test_a_set_the_administrator_writes(app, people):
    hall = people
    admin = sign_in(app, "boss")
    round_id = _open(app, admin, criteria_set="custom", custom_criteria="首问负责\n限时办结\n\n首问负责")
    with app.app_context():
        rnd = db.session.get(ReviewRound, round_id)
        assert rnd.custom_criteria == [{"key": "c1", "name": "首问负责"}, {"key": "c2", "name": "限时办结"}]
    li = sign_in(app, "li")
    answer = li.post(f"/admin/reviews/{round_id}/write/self/{hall.m2}",
                     data={"csrf_token": csrf_token(li, "/admin/"), "score_c1": "5", "score_c2": "4"})
    assert answer.status_code == 303
    with app.app_context():
        assert db.session.query(Review).filter_by(round_id=round_id).one().scores == {"c1": 5, "c2": 4}


def test_bad_sets_are_refused(app, people):
    from liangbiping.admin.reviews import rounds

    with app.test_request_context("/"):
        for kwargs in ({"criteria_set": "nonsense"}, {"criteria_set": "custom", "custom": []},
                       {"criteria_set": "custom", "custom": [f"标准{i}" for i in range(11)]},
                       {"criteria_set": "custom", "custom": ["x" * 40]}):
            with pytest.raises(Invalid):
                rounds.open_round("peer", date(2026, 7, 1), date(2026, 9, 30), date(2026, 10, 20), "t", **kwargs)
        db.session.rollback()
        assert db.session.query(ReviewRound).count() == 0
        # a round of before, with no set named, scores the 五带头
        rnd = rounds.open_round("leader", date(2026, 1, 1), date(2026, 6, 30), date(2026, 7, 20), "t")
        assert rnd.criteria_set == "five_leads" and "study" in rounds.criteria.for_round(rnd)
