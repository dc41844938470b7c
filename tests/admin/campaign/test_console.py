"""The campaign's console pages for each role: what each may open, see and change."""

from __future__ import annotations

import io
import re
from datetime import date, datetime, timedelta, timezone

import pytest

from liangbiping.admin.extensions import db
from liangbiping.admin.models import AuditEntry, Rectification, Review, ReviewRound, User

from tests.factories import build_hall, make_user

from .conftest import add_rating


@pytest.fixture
def people(app):
    """Users: an admin, a leader of department 1, staff 张三 (dept 1) and 王五 (dept 2); ratings and entries.

    Built in a request context that is gone before the test's requests: a context left pushed would
    share its ``g`` with every request of the test client (Flask reuses an active app context).
    """
    with app.test_request_context("/"):
        hall = build_hall(app)
        now = datetime.now(timezone.utc)
        for i in range(40):
            add_rating(5 if i % 8 else 3, staff_id=hall.m1, window_id=hall.w1, at=now - timedelta(hours=i),
                       commit=False)
        add_rating(1, staff_id=hall.m1, window_id=hall.w1, reasons=["attitude"], comment="说话不耐烦", commit=False)
        add_rating(2, staff_id=hall.m3, window_id=hall.w3, reasons=["slow"], comment="<script>x</script>", commit=False)
        db.session.commit()
        out = {
            "admin": make_user("admin", username="boss").username,
            "leader": make_user("leader", departments=[hall.d1], username="lead1").username,
            "leader_id": db.session.query(User).filter_by(username="lead1").one().id,
            "zhang": make_user("staff", staff_id=hall.m1, username="zhang").username,
            "wang": make_user("staff", staff_id=hall.m3, username="wang").username,
            "hall": hall,
        }
        db.session.remove()
    return out


@pytest.fixture
def dbx(app):
    """dbx() -> a context manager giving the session in a fresh app context, for checks between requests."""
    from contextlib import contextmanager

    @contextmanager
    def use():
        with app.test_request_context("/"):
            yield db.session
            db.session.remove()

    return use


PAGES = ["/admin/", "/admin/stats/", "/admin/stats/?kind=year", "/admin/stats/?kind=day", "/admin/stats/?kind=week",
         "/admin/stats/?from=2026-01-01&to=2026-12-31", "/admin/boards/", "/admin/boards/?board=satisfaction&kind=month",
         "/admin/ledger/", "/admin/ledger/?state=active", "/admin/appeals/", "/admin/reviews/", "/admin/reminders"]
MANAGER_PAGES = ["/admin/reports/", "/admin/reports/?kind=year", "/admin/calendar/2026", "/admin/phases/",
                 "/admin/skills/", "/admin/performance/", "/admin/ledger/new"]
ADMIN_PAGES = ["/admin/campaign-settings"]


def test_every_page_opens_for_the_roles_that_may_open_it(sign_in, people):
    for who, extra, forbidden in (("admin", MANAGER_PAGES + ADMIN_PAGES, []),
                                  ("leader", MANAGER_PAGES, ADMIN_PAGES),
                                  ("zhang", [], MANAGER_PAGES + ADMIN_PAGES)):
        c = sign_in(people[who], lang="zh")
        for path in PAGES + extra:
            response = c.get(path)
            assert response.status_code == 200, (who, path, response.status_code)
            assert "<script>x</script>" not in response.get_data(as_text=True), (who, path)
        for path in forbidden:
            assert c.get(path).status_code == 403, (who, path)


def test_staff_see_their_own_data_only(sign_in, people, dbx):
    hall = people["hall"]
    c = sign_in(people["zhang"])
    assert c.get(f"/admin/members/{hall.m1}").status_code == 200
    assert c.get(f"/admin/members/{hall.m3}").status_code == 404
    assert c.get("/admin/my-record").headers["Location"].endswith(f"/admin/members/{hall.m1}")
    ledger = c.get("/admin/ledger/").get_data(as_text=True)
    assert "说话不耐烦" in ledger and "&lt;script&gt;" not in ledger  # 王五's entry is not theirs
    with dbx() as s:
        mine = s.query(Rectification).filter_by(staff_id=hall.m1).one()
        theirs = s.query(Rectification).filter_by(staff_id=hall.m3).one()
    assert c.get(f"/admin/ledger/{mine.id}").status_code == 200
    assert c.get(f"/admin/ledger/{theirs.id}").status_code == 404
    assert c.get(f"/admin/stats/?scope=staff&id={hall.m3}").status_code == 200  # silently their own
    assert "王五" not in c.get(f"/admin/stats/?scope=staff&id={hall.m3}").get_data(as_text=True)
    assert c.get("/admin/stats/?pick=department:1").status_code == 200
    assert c.get("/admin/ledger/export.xlsx").status_code == 403


def test_leaders_see_their_departments(sign_in, people, dbx):
    hall = people["hall"]
    c = sign_in(people["leader"])
    assert c.get(f"/admin/members/{hall.m1}").status_code == 200
    assert c.get(f"/admin/members/{hall.m3}").status_code == 404
    assert c.get(f"/admin/stats/?pick=department:{hall.d2}").status_code == 404
    assert c.get(f"/admin/stats/?pick=department:{hall.d1}").status_code == 200
    page = c.get("/admin/ledger/").get_data(as_text=True)
    assert "说话不耐烦" in page and "&lt;script&gt;" not in page
    with dbx() as s:
        theirs = s.query(Rectification).filter_by(staff_id=hall.m3).one()
    assert c.get(f"/admin/ledger/{theirs.id}").status_code == 404
    assert sign_in(people["admin"]).get(f"/admin/ledger/{theirs.id}").status_code == 200


def test_working_an_entry_through_the_console(sign_in, people, dbx):
    from tests.factories import csrf_token

    hall = people["hall"]
    with dbx() as s:
        entry = s.query(Rectification).filter_by(staff_id=hall.m1).one()
        entry_id = entry.id
    c = sign_in(people["leader"])
    token = csrf_token(c, f"/admin/ledger/{entry.id}")
    refused = c.post(f"/admin/ledger/{entry.id}/do/verify", data={"csrf_token": token})
    assert refused.status_code == 303
    page = c.get(f"/admin/ledger/{entry.id}").get_data(as_text=True)
    assert "Set what to fix" in page, page[page.find("flash"):page.find("flash") + 300]
    bad = c.post(f"/admin/ledger/{entry.id}", data={"csrf_token": token, "problem": "x", "measure": "m",
                                                    "deadline": "not a date", "leader_id": "", "responsible_id": ""})
    assert bad.status_code == 422
    saved = c.post(f"/admin/ledger/{entry.id}", data={"csrf_token": token, "problem": "说话不耐烦", "measure": "服务礼仪培训",
                                                      "deadline": "2026-12-30", "leader_id": str(people["leader_id"]),
                                                      "responsible_id": str(hall.m1)})
    assert saved.status_code == 302
    assert c.post(f"/admin/ledger/{entry.id}/do/verify", data={"csrf_token": token}).status_code == 303
    with dbx() as s:
        assert s.get(Rectification, entry_id).state == "verified"
    # The responsible member starts and finishes it, with a photo as evidence.
    z = sign_in(people["zhang"])
    ztoken = csrf_token(z, f"/admin/ledger/{entry.id}")
    assert z.post(f"/admin/ledger/{entry.id}", data={"csrf_token": ztoken, "measure": "x"}).status_code == 403
    z.post(f"/admin/ledger/{entry.id}/do/start", data={"csrf_token": ztoken})
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (800, 600), (30, 120, 200)).save(buf, "PNG")
    done = z.post(f"/admin/ledger/{entry.id}/do/complete", data={"csrf_token": ztoken, "evidence": "",
                                                                 "photo": (io.BytesIO(buf.getvalue()), "fix.png")},
                  content_type="multipart/form-data")
    assert done.status_code == 303
    with dbx() as s:
        entry = s.get(Rectification, entry_id)
        assert entry.state == "done" and entry.evidence_photo
    photo = z.get(f"/admin/ledger/{entry.id}/evidence/{entry.evidence_photo}")
    assert photo.status_code == 200 and photo.mimetype == "image/jpeg"
    assert sign_in(people["wang"]).get(f"/admin/ledger/{entry.id}/evidence/{entry.evidence_photo}").status_code == 404
    # Only a leader dismisses; a member cannot revisit.
    z = sign_in(people["zhang"])
    assert z.post(f"/admin/ledger/{entry.id}/do/revisit", data={"csrf_token": csrf_token(z, "/admin/"),
                                                                "verdict": "satisfied"}).status_code == 403
    with dbx() as s:
        assert s.get(Rectification, entry_id).state == "done"
        assert s.query(AuditEntry).filter_by(entity="rectification", entity_id=str(entry_id)).count() >= 5


def test_reviews_self_peer_and_leader_with_anonymous_results(sign_in, people, dbx):
    from liangbiping.admin.reviews import rounds
    from tests.factories import csrf_token

    hall = people["hall"]
    # A colleague for 张三 in department 1, with an account.
    with dbx():
        make_user("staff", staff_id=hall.m2, username="li")
        round_id = rounds.open_round("peer", date(2026, 7, 1), date(2026, 9, 30), date(2026, 10, 20), "test").id
    z = sign_in(people["zhang"])
    page = z.get(f"/admin/reviews/{round_id}").get_data(as_text=True)
    main = page[page.find("<main"):]
    assert "李四" in main and "王五" not in main, main[:600]  # colleagues of their own department only
    token = csrf_token(z, "/admin/")
    scores = {f"score_{k}": "5" for k in ("study", "achieve", "serve", "discipline", "integrity")}
    base = f"/admin/reviews/{round_id}/write"
    assert z.post(f"{base}/peer/{hall.m1}", data={"csrf_token": token, **scores}).status_code == 404  # not themselves
    assert z.post(f"{base}/peer/{hall.m3}", data={"csrf_token": token, **scores}).status_code == 404  # other dept
    assert z.post(f"{base}/peer/{hall.m2}", data={"csrf_token": token, "score_study": "5"}).status_code == 422
    assert z.post(f"{base}/peer/{hall.m2}", data={"csrf_token": token, **scores, "comment": "业务熟练"}).status_code == 303
    assert z.post(f"{base}/self/{hall.m1}", data={"csrf_token": token, **scores, "comment": "自评"}).status_code == 303
    with dbx() as s:
        rnd = rounds.get_round(round_id)
        assert rounds.completion(rnd)["reviewers"][f"s:{hall.m1}"] == {"written": 2, "total": 2}
        rounds.close_round(rnd, "test")
        assert s.query(Review).count() == 2
        assert s.query(AuditEntry).filter_by(entity="review").count() == 2
    # One peer review only: hidden from the reviewed, since it could not be anonymous.
    li_page = sign_in("li").get(f"/admin/members/{hall.m2}").get_data(as_text=True)
    assert "业务熟练" not in li_page and "Peer results show once" in li_page
    # Written after closing: refused.
    z = sign_in(people["zhang"])
    assert z.post(f"{base}/self/{hall.m1}", data={"csrf_token": csrf_token(z, "/admin/"), **scores}).status_code == 409


def test_reports_and_ledger_files_open_with_the_right_totals(sign_in, people, dbx):
    from openpyxl import load_workbook

    c = sign_in(people["admin"])
    day = datetime.now(timezone.utc).astimezone(__import__("zoneinfo").ZoneInfo("Asia/Shanghai")).date()
    response = c.get(f"/admin/reports/report.xlsx?kind=year&at={day.year}")
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.data))
    summary = {row[0]: row[1] for row in wb.worksheets[0].iter_rows(min_row=4, values_only=True) if row[0]}
    assert summary["Ratings"] == 42
    assert summary["Satisfied (counted)"] == 40  # 35 fives and 5 threes; the 1 and the 2 are not
    assert summary["Ledger entries opened"] == 2
    members = wb.worksheets[3]
    rows = {r[0]: r for r in members.iter_rows(min_row=2, values_only=True)}
    assert rows["张三"][3] == 41 and rows["王五"][3] == 1
    ledger = wb.worksheets[-1]
    assert ledger.max_row == 3 and ledger.cell(row=1, column=8).value == "What to fix"
    export = c.get("/admin/ledger/export.xlsx")
    sheet = load_workbook(io.BytesIO(export.data)).active
    assert [cell.value for cell in sheet[1]][7:11] == ["What to fix", "Deadline", "Responsible leader",
                                                       "Responsible person"]
    assert sheet.max_row == 3
    printable = c.get(f"/admin/reports/?kind=year&at={day.year}&print=1").get_data(as_text=True)
    assert "data-print-on-load" in printable and re.search(r">\s*42\s*<", printable)
    with dbx() as s:
        assert s.query(ReviewRound).count() == 0


def test_bad_addresses_and_forms_never_give_a_5xx(sign_in, people):
    """Odd query strings and forms come back as 4xx pages or as the form again, never as a 500."""

    bad = []
    for who in (people["admin"], people["zhang"]):
        c = sign_in(who)
        for path in ["/admin/stats/?kind=foo&at=zzz", "/admin/stats/?kind=week&at=2026-W99", "/admin/stats/?kind=month&at=9999-99",
                     "/admin/stats/?from=2026-01-01&to=1999-01-01", "/admin/stats/?pick=window:abc", "/admin/stats/?pick=staff:99999",
                     "/admin/stats/?scope=department&id=-1", "/admin/stats/?kind=year&at=0001", "/admin/stats/?kind=day&at=2200-12-31",
                     "/admin/boards/?board=x&kind=day", "/admin/boards/?kind=quarter&at=2026-Q9", "/admin/ledger/?page=abc&state=zz&department_id=x&overdue=7",
                     "/admin/ledger/999999", "/admin/ledger/0", "/admin/ledger/1/evidence/..%2Fx.jpg", "/admin/reports/?kind=week",
                     "/admin/reports/report.xlsx?kind=year&at=1900", "/admin/calendar/99999", "/admin/calendar/1999",
                     "/admin/members/0", "/admin/members/99999", "/admin/reviews/0", "/admin/reviews/1/write/peer/1",
                     "/admin/appeals/?status=zzz&page=-1", "/admin/phases/999", "/admin/stats/?kind=year&at=2200", "/admin/stats/?kind=month&at=2000-01"]:
            r = c.get(path)
            if r.status_code >= 500:
                bad.append((who, path, r.status_code))
        from tests.factories import csrf_token
        t = csrf_token(c, "/admin/")
        for path, data in [("/admin/ledger/1", {"deadline": "2026-02-30"}), ("/admin/ledger/1/do/zzz", {}),
                           ("/admin/ledger/1/do/revisit", {"verdict": "x"}), ("/admin/appeals/new", {"rating_id": "x" * 99, "kind": "?"}),
                           ("/admin/appeals/1/decide", {"decision": "x"}), ("/admin/reviews/new", {"kind": "peer", "period_start": "x"}),
                           ("/admin/calendar/day", {"day": "2026-13-01"}), ("/admin/calendar/day", {"day": "3000-01-01", "working": "1"}),
                           ("/admin/phases/", {"name": "", "starts_on": "x"}), ("/admin/phases/", {"standard": "1", "start": "x"}),
                           ("/admin/campaign-settings", {"satisfied_levels": "9", "target_satisfaction": "abc"}),
                           ("/admin/campaign-settings/leader/1", {"department_id": ["x", "999"]}),
                           ("/admin/skills/", {"staff_id": "x", "held_on": "y", "score": "z"}),
                           ("/admin/performance/", {"staff_id": "1", "month": "2026-13", "handled": "-1", "on_time": "x"}),
                           ("/admin/boards/publish", {"board": "x"}), ("/admin/ledger/new", {"problem": "", "deadline": "x"}),
                           ("/admin/ledger/new", {"problem": "p", "staff_id": "99999"}),
                           ("/admin/reviews/1/close", {}), ("/admin/reviews/1/remind", {})]:
            r = c.post(path, data=dict(data, csrf_token=t))
            if r.status_code >= 500:
                bad.append((who, "POST " + path, r.status_code))
    assert not bad, bad
