"""Every route, checked for everyone: who may open or act on it, and who only sees their own.

The table below names every route of the app (``app.url_map``: console, API, screens, kiosks,
phones) with what each of six people gets on the demo hall, about one member's data (刘晓燕,
综合受理科, window A01): an administrator (A), a leader of her department (L), a leader of another
department (O), the member herself (M), another member of her window (P, 王磊) and nobody signed
in (N). A route missing from the table fails the test: a new route needs a row.

Codes: ``y`` allowed (and, where the row names a marker, the marker is in the answer), ``f``
allowed but filtered (the marker must not be in the answer), ``n`` refused (401, 403, 404 or
the login page), ``*`` anyone (only no 5xx). Console requests carry a valid CSRF token, API
requests a bearer token of the person's role made for their user.
"""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import uuid
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from liangbiping.admin.app import create_app
from liangbiping.admin.config import TestingConfig
from liangbiping.admin.extensions import db
from tests.factories import DEMO_PASSWORD, csrf_token

PEOPLE = ("admin", "leader_here", "leader_other", "member", "other_member", "anon")


# --- the hall everyone is tried on ------------------------------------------------------------------

def _copy(src, dst):
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns("*.db", "*.db-wal", "*.db-shm", "*.log"))
    with sqlite3.connect(src / "liangbiping.db") as a, sqlite3.connect(dst / "liangbiping.db") as b:
        a.backup(b)


def _app(data_dir):
    return create_app(TestingConfig.from_env(data_dir, SKIP_MIGRATIONS=True))


def _build(app, root) -> dict:
    """People, their sessions and tokens, and one of each kind of record about 刘晓燕."""
    from liangbiping.admin.catalog import HONORS, PLAYLISTS, SCHEDULES, SCREEN_GROUPS
    from liangbiping.admin.console import badges as console_badges
    from liangbiping.admin.ledger import appeals, evidence
    from liangbiping.admin.models import (CampaignPhase, Department, Kiosk, Notice, Pledge, Rectification, Screen,
                                          Staff, Standard, User, Window)
    from liangbiping.admin.reviews import rounds
    from liangbiping.admin.services import accounts, records, roster
    from liangbiping.admin.services.scope import set_leader_departments, viewer_for_user
    from liangbiping.kiosk import intake, qrtokens
    from tests.conftest import reset_intake
    from liangbiping.kiosk.schemas import RatingIn

    ids = {}
    with app.test_request_context("/"):
        one = lambda model, *where: db.session.scalars(select(model).where(*where)).first()  # noqa: E731
        liu, wang = one(Staff, Staff.name == "刘晓燕"), one(Staff, Staff.name == "王磊")
        here, other = liu.department_id, one(Department, Department.name == "社保中心").id
        a01 = one(Window, Window.number == "A01")
        liu_id, wang_id, a01_id = liu.id, wang.id, a01.id
        users = {}
        for name, role, staff_id in (("leader-here", "leader", None), ("leader-other", "leader", None),
                                     ("wanglei", "staff", wang.id)):
            users[name] = accounts.save_user({"username": name, "password": DEMO_PASSWORD, "role": role,
                                              "staff_id": staff_id}, actor="test")
        set_leader_departments(users["leader-here"], [here], "test")
        set_leader_departments(users["leader-other"], [other], "test")
        user_ids = {name: user.id for name, user in users.items()}
        logins = {"admin": "admin", "leader_here": "leader-here", "leader_other": "leader-other",
                  "member": "liuxiaoyan", "other_member": "wanglei"}
        tokens = {}
        for person, username in logins.items():
            user = one(User, User.username == username)
            _t, secret = accounts.create_token(f"scope-{person}", user.role, "test",
                                               user=None if user.role == "admin" else user)
            tokens[person] = secret

        reset_intake()
        kiosk_token = json.loads((root / "demo-devices.json").read_text())["kiosks"][str(
            one(Kiosk, Kiosk.window_id == a01_id).id)]
        rating_id = str(uuid.uuid4())
        intake.receive(RatingIn.model_validate({
            "id": rating_id, "score": 1, "channel": "kiosk", "kiosk_token": kiosk_token, "staff_id": liu_id,
            "reasons": ["attitude"], "comment": "MARK-rating-comment", "contact": "13812345678"}))
        # The intake hands its session back while a kiosk rating is written: fetch what we hold again.
        liu, wang, a01 = db.session.get(Staff, liu_id), db.session.get(Staff, wang_id), db.session.get(Window, a01_id)
        entry = one(Rectification, Rectification.rating_id == rating_id)
        entry.evidence_photo = evidence.store(entry.id, _jpeg())
        db.session.commit()
        appeal = appeals.file(rating_id, next(iter(_appeal_kinds())), "MARK-appeal-reason",
                              viewer_for_user(one(User, User.username == "liuxiaoyan")))
        from liangbiping.kiosk import suggestions
        from liangbiping.kiosk.schemas import SuggestionIn

        suggestion = suggestions.submit(SuggestionIn.model_validate({
            "kind": "complaint", "text": "MARK-suggestion-text", "channel": "qr", "contact": "13900001111",
            "qr_token": qrtokens.badge_token(liu)}))
        survey, survey_response = _survey(liu.id, wang.id)
        wish = _wish(a01.id, a01.department_id, liu_id)
        supervisor, symposium, problem = _symposium(a01.id)
        honor = records.create(HONORS, {"title": "服务标兵", "staff_id": liu.id, "awarded_on": date.today().isoformat()},
                               "test")
        playlist = records.create(PLAYLISTS, {"name": "测试节目单", "slides": [{"kind": "banner", "duration": 10}]}, "test")
        group = records.create(SCREEN_GROUPS, {"name": "测试屏组"}, "test")
        schedule = records.create(SCHEDULES, {"name": "午间", "playlist_id": playlist.id, "group_id": group.id,
                                              "start_time": "12:00", "end_time": "13:00"}, "test")
        leader_round = rounds.open_round("leader", date.today() - timedelta(days=180), date.today(),
                                         date.today() + timedelta(days=10), "test")
        admin_user = one(User, User.username == "admin")
        upload = roster.read_upload("roster.xlsx", roster.template_xlsx())
        import_id = roster.store(upload, accounts.actor_of(admin_user))
        from liangbiping.admin.services import pairing

        screen_code, kiosk_code = pairing.open_code("screen")[0], pairing.open_code("kiosk")[0]
        from liangbiping.admin.integration import delivery as webhook_delivery, outbox, webhooks
        from liangbiping.kiosk.prompts import start_prompt

        prompt = start_prompt(liu, "test", "BJ-1")
        endpoint = webhooks.create({"url": "http://127.0.0.1:9/hook", "secret": "0123456789abcdef",
                                    "events": ["prompt.expired"]}, "test")
        outbox.write(db.session.connection(), [outbox.event("prompt.expired", {"id": prompt.id})])
        db.session.commit()
        webhook_delivery.fan_out()
        from liangbiping.admin.models import WebhookDelivery

        webhook_delivery_id = one(WebhookDelivery, WebhookDelivery.endpoint_id == endpoint.id).id  # not the demo's own
        job = uuid.uuid4().hex
        console_badges._jobs[job] = {"done": 1, "total": 1, "state": "done", "error": None, "user_id": admin_user.id}
        (console_badges._job_dir()).mkdir(parents=True, exist_ok=True)
        (console_badges._job_dir() / f"{job}.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
        ids.update(
            dept=here, other_dept=other, window=a01.id, staff=liu.id, other_staff=wang.id, rating=rating_id,
            entry=entry.id, evidence=entry.evidence_photo, appeal=appeal.id, suggestion=suggestion.id,
            receipt=suggestion.receipt, honor=honor.id, pledge=one(Pledge, Pledge.staff_id == liu.id).id,
            notice=one(Notice).id, standard=one(Standard).id, screen=one(Screen, Screen.window_id == a01.id).id,
            kiosk=one(Kiosk, Kiosk.window_id == a01.id).id, playlist=playlist.id, group=group.id,
            schedule=schedule.id, phase=one(CampaignPhase).id, round=leader_round.id,
            user=user_ids["wanglei"], leader_user=user_ids["leader-other"],
            token=one(__import__("liangbiping.admin.models", fromlist=["ApiToken"]).ApiToken).id,
            photo=liu.photo, badge=qrtokens.badge_token(liu), import_id=import_id, job=job,
            year=date.today().year, today=date.today().isoformat(), department_name="综合受理科",
            suggestion_marker=suggestion.receipt, survey=survey.id, survey_code=survey.code,
            survey_response=survey_response.id, wish=wish.id, wish_receipt=wish.receipt,
            supervisor=supervisor.id, symposium=symposium.id, follow_code=problem.follow_code, skill=_skill(liu.id),
            screen_code=screen_code, kiosk_code=kiosk_code, prompt=prompt.id, webhook=endpoint.id,
            delivery=webhook_delivery_id,
        )
        db.session.remove()
    cookies, csrf = {}, {}
    for person, username in logins.items():
        client = app.test_client()
        answer = client.post("/admin/login", data={"username": username, "password": DEMO_PASSWORD,
                                                    "csrf_token": csrf_token(client, "/admin/login")})
        assert answer.status_code == 302, (person, answer.status_code)
        csrf[person] = csrf_token(client, "/admin/")
        cookies[person] = client.get_cookie("session").value
    anon = app.test_client()
    csrf["anon"] = csrf_token(anon, "/admin/login")
    cookies["anon"] = anon.get_cookie("session").value
    with app.app_context():
        db.engine.dispose()
    return {"ids": ids, "cookies": cookies, "csrf": csrf, "tokens": tokens}


def _survey(liu_id, wang_id):
    """An open survey about two members, invitations on, with one answer about 刘晓燕 holding text."""
    from liangbiping.admin.surveys import answers, rounds

    survey = rounds.create({"title": "测评", "target_kind": "staff", "target_ids": [liu_id, wang_id],
                            "questions": [{"kind": "rating", "text": "总体评价", "dimension": "overall"},
                                          {"kind": "text", "text": "意见"}],
                            "period_start": date.today() - timedelta(days=30), "period_end": date.today(),
                            "open_public": True, "open_invited": True, "sheets_printed": 5}, "test")
    rounds.transition(survey, "open", "test")
    response = answers.answer(survey, channel="phone", answers={"q1": 1, "q2": "MARK-survey-text"},
                              target_id=liu_id, respondent_key="route-scope")
    return survey, response


def _wish(window_id, department_id, liu_id):
    """A wish at 刘晓燕's window, taken on by her."""
    from liangbiping.admin.models import Wish
    from liangbiping.admin.models.types import utcnow

    wish = Wish(receipt="WISH2345", kind="wish", text="MARK-wish-text", window_id=window_id, channel="web",
                department_id=department_id, state="claimed", staff_id=liu_id, claimed_at=utcnow(), done_note="", reopened=0, created_at=utcnow())
    db.session.add(wish)
    db.session.commit()
    return wish


def _symposium(window_id):
    """A supervisor in term, and a symposium with a problem about window A01 raised by someone with a contact."""
    from liangbiping.admin.services.scope import Viewer
    from liangbiping.admin.symposiums import service

    supervisor = service.save_supervisor({"name": "赵监督", "unit": "县人大", "contact": "13712345678",
                                          "term_start": date.today() - timedelta(days=10),
                                          "term_end": date.today() + timedelta(days=700)}, "test")
    symposium = service.create_symposium({"title": "座谈会", "held_on": date.today(),
                                          "attendees": [{"name": "赵监督", "unit": "县人大"}]}, "test")
    problem = service.raise_problem(symposium, {"problem": "午间无人值守", "contact": "13698765432",
                                                "window_id": window_id}, Viewer(role="admin", actor="test"))
    return supervisor, symposium, problem


def _appeal_kinds():
    from liangbiping.admin.ledger import labels

    return labels.APPEAL_KINDS


def _skill(staff_id):
    from liangbiping.admin.campaign import inputs
    from liangbiping.admin.models import SkillResult

    inputs.save_skill({"staff_id": staff_id, "contest": "业务技能比武", "held_on": date.today(), "score": 90,
                       "award": "", "title": "", "note": ""}, "test")
    return db.session.scalars(select(SkillResult.id)).first()


def _jpeg() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(out, "JPEG")
    return out.getvalue()


@pytest.fixture(scope="module")
def hall(tmp_path_factory, _demo_template):
    root = tmp_path_factory.mktemp("scope-template")
    _copy(_demo_template, root / "data")
    app = _app(root / "data")
    built = _build(app, root / "data")
    shared = tmp_path_factory.mktemp("scope-shared") / "data"
    _copy(root / "data", shared)
    return SimpleNamespace(template=root / "data", shared=_app(shared), tmp=tmp_path_factory, **built)


# --- the table ----------------------------------------------------------------------------------------

A_ONLY = "ynnnnn"
MANAGERS = "yyynnn"        # administrators and every leader: hall-wide management pages
SCOPED = "yynnnn"          # administrators and the leader of the member's department
OWN = "yynynn"             # ... and the member herself
SIGNED_IN = "yyyyyn"
PUBLIC = "yyyyyy"
ANYONE = "******"

CSRF_FORM = object()  # a POST form with only the CSRF token

# (method, rule, path, expected, marker, body). ``path`` is formatted with the hall's ids.
ROUTES = [
    # public pages, screens, kiosks and phones
    ("GET", "/", "/", PUBLIC, None, None),
    ("GET", "/healthz", "/healthz", PUBLIC, None, None),
    ("GET", "/assets/<path:filename>", "/assets/css/console.css", PUBLIC, None, None),
    ("GET", "/media/photos/<name>", "/media/photos/{photo}", PUBLIC, None, None),
    ("GET", "/display/", "/display/", PUBLIC, None, None),
    ("GET", "/display/<int:screen_id>", "/display/{screen}", PUBLIC, None, None),
    ("GET", "/display/sw.js", "/display/sw.js", PUBLIC, None, None),
    ("POST", "/pair/<kind>", "/pair/screen", ANYONE, None, {}),
    ("POST", "/pair/<kind>/collect", "/pair/kiosk/collect", ANYONE, None, {"code": "ABCDEF", "secret": "x"}),
    ("GET", "/kiosk/", "/kiosk/", PUBLIC, None, None),
    ("GET", "/kiosk/<int:kiosk_id>", "/kiosk/{kiosk}", PUBLIC, None, None),
    ("GET", "/q/<token>", "/q/{badge}", PUBLIC, None, None),
    ("GET", "/s/<receipt>", "/s/{receipt}", PUBLIC, None, None),
    ("GET", "/v/<code>", "/v/{survey_code}", PUBLIC, None, None),
    ("POST", "/v/<code>", "/v/{survey_code}", ANYONE, None, {"target_id": "{staff}", "q1": "5"}),
    ("GET", "/p/<code>", "/p/{follow_code}", PUBLIC, None, None),
    ("GET", "/w/", "/w/", PUBLIC, None, None),
    ("POST", "/w/", "/w/", ANYONE, None, {"text": "帮我复印材料"}),
    ("GET", "/w/<receipt>", "/w/{wish_receipt}", PUBLIC, None, None),
    ("POST", "/w/<receipt>", "/w/{wish_receipt}", ANYONE, None, {"verdict": "satisfied"}),
    ("GET", "/kiosk/<int:kiosk_id>/wish", "/kiosk/{kiosk}/wish", PUBLIC, None, None),
    ("POST", "/kiosk/<int:kiosk_id>/wish", "/kiosk/{kiosk}/wish", ANYONE, None, {"text": "帮我复印材料"}),
    ("GET", "/kiosk/<int:kiosk_id>/survey/<code>", "/kiosk/{kiosk}/survey/{survey_code}", PUBLIC, None, None),
    ("POST", "/kiosk/<int:kiosk_id>/survey/<code>", "/kiosk/{kiosk}/survey/{survey_code}", ANYONE, None,
     {"target_id": "{staff}", "q1": "5"}),

    # console: signing in and the member's own pages
    ("GET", "/admin/login", "/admin/login", PUBLIC, None, None),
    ("POST", "/admin/login", "/admin/login", ANYONE, None, {"username": "nobody", "password": "wrong"}),
    ("POST", "/admin/logout", "/admin/logout", ANYONE, None, CSRF_FORM),  # signing out: tests/admin/push/test_revocation.py
    ("GET", "/admin/", "/admin/", SIGNED_IN, None, None),
    ("POST", "/admin/my-duty", "/admin/my-duty", "nnnyyn", None, {"on_duty": "0"}),
    ("GET", "/admin/my-record", "/admin/my-record", "nnnyyn", None, None),
    ("GET", "/admin/members/<int:staff_id>", "/admin/members/{staff}", OWN, None, None),
    ("GET", "/admin/reminders", "/admin/reminders", SIGNED_IN, None, None),
    ("POST", "/admin/reminders/read", "/admin/reminders/read", SIGNED_IN, None, CSRF_FORM),

    # console: ratings, suggestions, prompts (raters' data)
    ("GET", "/admin/ratings/", "/admin/ratings/", "yyfnnn", "{rating}", None),
    ("GET", "/admin/ratings/counters", "/admin/ratings/counters", MANAGERS, None, None),
    ("GET", "/admin/ratings/<rating_id>", "/admin/ratings/{rating}", SCOPED, "MARK-rating-comment", None),
    ("POST", "/admin/ratings/<rating_id>/contact", "/admin/ratings/{rating}/contact", SCOPED, "13812345678", CSRF_FORM),
    ("GET", "/admin/suggestions/", "/admin/suggestions/", "yyfnnn", "{receipt}", None),
    ("GET", "/admin/suggestions/<int:suggestion_id>", "/admin/suggestions/{suggestion}", SCOPED, "MARK-suggestion-text", None),
    ("POST", "/admin/suggestions/<int:suggestion_id>", "/admin/suggestions/{suggestion}", SCOPED, None,
     {"action": "reply", "reply": "已收到，正在核实。"}),
    ("GET", "/admin/prompt", "/admin/prompt?staff_id={staff}", "yynyyn", None, None),
    ("POST", "/admin/prompt", "/admin/prompt", "yynyyn", None, {"staff_id": "{staff}", "case_no": "C-1"}),

    # console: the campaign
    ("GET", "/admin/appeals/", "/admin/appeals/", "yyfyfn", "MARK-appeal-reason", None),
    ("POST", "/admin/appeals/new", "/admin/appeals/new", "yynynn", None,
     {"rating_id": "{rating}", "kind": "mistaken", "reason": "不是我办理的"}),
    ("POST", "/admin/appeals/<int:appeal_id>/decide", "/admin/appeals/{appeal}/decide", "nynnnn", None,
     {"decision": "reject", "note": "评价属实"}),
    ("GET", "/admin/ledger/", "/admin/ledger/", "yyfyfn", 'href="/admin/ledger/{entry}"', None),
    ("GET", "/admin/ledger/<int:entry_id>", "/admin/ledger/{entry}", OWN, None, None),
    ("POST", "/admin/ledger/<int:entry_id>", "/admin/ledger/{entry}", SCOPED, None, {"measure": "加强服务礼仪培训"}),
    ("POST", "/admin/ledger/<int:entry_id>/do/<action>", "/admin/ledger/{entry}/do/verify", SCOPED, None, CSRF_FORM),
    ("GET", "/admin/ledger/<int:entry_id>/evidence/<name>", "/admin/ledger/{entry}/evidence/{evidence}", OWN, None, None),
    ("GET", "/admin/ledger/export.xlsx", "/admin/ledger/export.xlsx", MANAGERS, None, None),
    ("GET", "/admin/ledger/new", "/admin/ledger/new", MANAGERS, None, None),
    ("POST", "/admin/ledger/new", "/admin/ledger/new", SCOPED, None,
     {"problem": "窗口人员离岗未挂牌", "staff_id": "{staff}", "window_id": "{window}"}),
    ("GET", "/admin/stats/", "/admin/stats/", SIGNED_IN, None, None),
    ("GET", "/admin/boards/", "/admin/boards/", SIGNED_IN, None, None),
    ("POST", "/admin/boards/publish", "/admin/boards/publish", A_ONLY, None, {"board": "composite", "publish": "1"}),
    ("GET", "/admin/reports/", "/admin/reports/", MANAGERS, None, None),
    ("GET", "/admin/reports/report.xlsx", "/admin/reports/report.xlsx", MANAGERS, None, None),
    ("GET", "/admin/reviews/", "/admin/reviews/", SIGNED_IN, None, None),
    ("POST", "/admin/reviews/new", "/admin/reviews/new", A_ONLY, None, {"kind": "peer"}),
    ("GET", "/admin/reviews/<int:round_id>", "/admin/reviews/{round}", SIGNED_IN, None, None),
    ("GET", "/admin/reviews/<int:round_id>/write/<kind>/<int:subject_id>", "/admin/reviews/{round}/write/leader/{staff}",
     "nynnnn", None, None),
    ("POST", "/admin/reviews/<int:round_id>/write/<kind>/<int:subject_id>", "/admin/reviews/{round}/write/leader/{staff}",
     "nynnnn", None, {"grade": "good", "comment": "服务热情"}),
    ("POST", "/admin/reviews/<int:round_id>/close", "/admin/reviews/{round}/close", A_ONLY, None, CSRF_FORM),
    ("POST", "/admin/reviews/<int:round_id>/remind", "/admin/reviews/{round}/remind", MANAGERS, None, CSRF_FORM),
    ("GET", "/admin/skills/", "/admin/skills/", MANAGERS, None, None),
    ("POST", "/admin/skills/", "/admin/skills/", A_ONLY, None, {"staff_id": "{staff}", "contest": "比武"}),
    ("POST", "/admin/skills/<int:result_id>/delete", "/admin/skills/{skill}/delete", A_ONLY, None, CSRF_FORM),
    ("GET", "/admin/performance/", "/admin/performance/", MANAGERS, None, None),
    ("POST", "/admin/performance/", "/admin/performance/", A_ONLY, None, {"staff_id": "{staff}", "month": "2026-11"}),
    ("GET", "/admin/phases/", "/admin/phases/", MANAGERS, None, None),
    ("POST", "/admin/phases/", "/admin/phases/", A_ONLY, None, {"name": "动员部署"}),
    ("GET", "/admin/phases/<int:phase_id>", "/admin/phases/{phase}", A_ONLY, None, None),
    ("POST", "/admin/phases/<int:phase_id>", "/admin/phases/{phase}", A_ONLY, None, {"name": "动员部署"}),
    ("POST", "/admin/phases/<int:phase_id>/delete", "/admin/phases/{phase}/delete", A_ONLY, None, CSRF_FORM),
    ("GET", "/admin/calendar/", "/admin/calendar/", MANAGERS, None, None),
    ("GET", "/admin/calendar/<int:year>", "/admin/calendar/{year}", MANAGERS, None, None),
    ("POST", "/admin/calendar/day", "/admin/calendar/day", A_ONLY, None, {"day": "{today}", "working": "1"}),
    ("GET", "/admin/campaign-settings", "/admin/campaign-settings", A_ONLY, None, None),
    ("POST", "/admin/campaign-settings", "/admin/campaign-settings", A_ONLY, None, CSRF_FORM),
    ("POST", "/admin/campaign-settings/leader/<int:user_id>", "/admin/campaign-settings/leader/{leader_user}", A_ONLY,
     None, {"department_ids": "{other_dept}"}),
    ("POST", "/admin/campaign-settings/rebuild", "/admin/campaign-settings/rebuild", A_ONLY, None, CSRF_FORM),

    # console: survey rounds (free text about a member: within the reader's scope)
    ("GET", "/admin/surveys/", "/admin/surveys/", MANAGERS, None, None),
    ("POST", "/admin/surveys/new", "/admin/surveys/new", A_ONLY, None,
     {"title": "测评", "period_start": "{today}", "period_end": "{today}", "dim_overall": "1", "open_public": "1"}),
    ("GET", "/admin/surveys/<int:survey_id>", "/admin/surveys/{survey}", "yyfnnn", "MARK-survey-text", None),
    ("POST", "/admin/surveys/<int:survey_id>/do/<action>", "/admin/surveys/{survey}/do/close", A_ONLY, None, CSRF_FORM),
    ("POST", "/admin/surveys/<int:survey_id>/invitations", "/admin/surveys/{survey}/invitations", A_ONLY, None,
     {"people": "李监督, 县人大", "kind": "supervisor"}),
    ("GET", "/admin/surveys/<int:survey_id>/paper", "/admin/surveys/{survey}/paper", MANAGERS, None, None),
    ("POST", "/admin/surveys/<int:survey_id>/paper", "/admin/surveys/{survey}/paper", MANAGERS, None,
     {"paper_no": "1", "target_id": "{staff}", "q1": "5"}),
    ("GET", "/admin/surveys/<int:survey_id>/sheet", "/admin/surveys/{survey}/sheet", MANAGERS, None, None),
    ("POST", "/admin/surveys/<int:survey_id>/answers/<int:response_id>/ledger",
     "/admin/surveys/{survey}/answers/{survey_response}/ledger", SCOPED, None, CSRF_FORM),

    # console: wishes and errands (the department's members take them on; the one who did closes it)
    ("GET", "/admin/wishes/", "/admin/wishes/", "yyfyyn", "MARK-wish-text", None),
    ("POST", "/admin/wishes/<int:wish_id>/claim", "/admin/wishes/{wish}/claim", "nnnyyn", None, CSRF_FORM),
    ("POST", "/admin/wishes/<int:wish_id>/done", "/admin/wishes/{wish}/done", "yynynn", None, {"note": "已代为复印"}),

    # console: supervisors and symposiums
    ("GET", "/admin/supervisors/", "/admin/supervisors/", A_ONLY, None, None),
    ("POST", "/admin/supervisors/", "/admin/supervisors/", A_ONLY, None,
     {"name": "孙监督", "term_start": "{today}", "term_end": "{today}"}),
    ("GET", "/admin/supervisors/<int:supervisor_id>", "/admin/supervisors/{supervisor}", A_ONLY, None, None),
    ("POST", "/admin/supervisors/<int:supervisor_id>", "/admin/supervisors/{supervisor}", A_ONLY, None,
     {"name": "赵监督", "unit": "县人大", "term_start": "{today}", "term_end": "{today}"}),
    ("POST", "/admin/supervisors/<int:supervisor_id>/end", "/admin/supervisors/{supervisor}/end", A_ONLY, None,
     CSRF_FORM),
    ("GET", "/admin/symposiums/", "/admin/symposiums/", MANAGERS, None, None),
    ("POST", "/admin/symposiums/new", "/admin/symposiums/new", A_ONLY, None, {"title": "座谈会", "held_on": "{today}"}),
    ("GET", "/admin/symposiums/<int:symposium_id>", "/admin/symposiums/{symposium}", MANAGERS, None, None),
    ("POST", "/admin/symposiums/<int:symposium_id>/problems", "/admin/symposiums/{symposium}/problems", SCOPED, None,
     {"problem": "叫号屏不亮", "window_id": "{window}"}),
    ("POST", "/admin/surveys/<int:survey_id>/invite-supervisors", "/admin/surveys/{survey}/invite-supervisors", A_ONLY,
     None, CSRF_FORM),

    # console: badges
    ("GET", "/admin/badges/", "/admin/badges/", MANAGERS, None, None),
    ("POST", "/admin/badges/jobs", "/admin/badges/jobs", SCOPED, None, {"department_id": "{dept}"}),
    ("GET", "/admin/badges/jobs/<job_id>", "/admin/badges/jobs/{job}", A_ONLY, None, None),
    ("GET", "/admin/badges/jobs/<job_id>/badges.pdf", "/admin/badges/jobs/{job}/badges.pdf", A_ONLY, None, None),
    ("GET", "/admin/badges/<int:staff_id>.png", "/admin/badges/{staff}.png", SCOPED, None, None),
    ("POST", "/admin/badges/<int:staff_id>/rotate", "/admin/badges/{staff}/rotate", A_ONLY, None, CSRF_FORM),

    # console: devices and what screens show
    ("GET", "/admin/pair", "/admin/pair", A_ONLY, None, None),
    ("POST", "/admin/pair", "/admin/pair", A_ONLY, None, {"kind": "kiosk", "code": "{kiosk_code}", "name": "新评价器"}),
    ("POST", "/admin/screens/<int:record_id>/command/<name>", "/admin/screens/{screen}/command/reload", MANAGERS,
     None, CSRF_FORM),

    # console: administration
    ("GET", "/admin/settings", "/admin/settings", A_ONLY, None, None),
    ("POST", "/admin/settings", "/admin/settings", A_ONLY, None, {"hall_name": "青溪县政务服务中心"}),
    ("GET", "/admin/audit/", "/admin/audit/", A_ONLY, None, None),
    ("GET", "/admin/roster/", "/admin/roster/", A_ONLY, None, None),
    ("POST", "/admin/roster/", "/admin/roster/", A_ONLY, None, CSRF_FORM),
    ("GET", "/admin/roster/template.xlsx", "/admin/roster/template.xlsx", A_ONLY, None, None),
    ("GET", "/admin/roster/<import_id>", "/admin/roster/{import_id}", A_ONLY, None, None),
    ("POST", "/admin/roster/<import_id>/confirm", "/admin/roster/{import_id}/confirm", A_ONLY, None, CSRF_FORM),
    ("POST", "/admin/roster/<import_id>/cancel", "/admin/roster/{import_id}/cancel", A_ONLY, None, CSRF_FORM),
    ("POST", "/admin/tokens/<int:record_id>/revoke", "/admin/tokens/{token}/revoke", A_ONLY, None, CSRF_FORM),
    ("GET", "/admin/webhooks/", "/admin/webhooks/", A_ONLY, None, None),
    ("POST", "/admin/webhooks/", "/admin/webhooks/", A_ONLY, None,
     {"url": "http://10.0.0.9/hook", "secret": "0123456789abcdef", "events": "rating.created"}),
    ("GET", "/admin/webhooks/<int:endpoint_id>", "/admin/webhooks/{webhook}", A_ONLY, None, None),
    ("POST", "/admin/webhooks/<int:endpoint_id>/deliveries/<int:delivery_id>/replay",
     "/admin/webhooks/{webhook}/deliveries/{delivery}/replay", A_ONLY, None, CSRF_FORM),
    ("POST", "/admin/webhooks/<int:endpoint_id>/toggle", "/admin/webhooks/{webhook}/toggle", A_ONLY, None, CSRF_FORM),
    ("POST", "/admin/webhooks/<int:endpoint_id>/delete", "/admin/webhooks/{webhook}/delete", A_ONLY, None, CSRF_FORM),
]

# The record pages of the catalog: (collection, id key, who reads, who creates, who edits one, body).
RECORD_PAGES = [
    ("departments", "dept", SIGNED_IN, A_ONLY, A_ONLY, {"name": "新科室"}),
    ("windows", "window", SIGNED_IN, A_ONLY, A_ONLY, {"number": "Z09", "name": "新窗口"}),
    ("staff", "staff", SIGNED_IN, A_ONLY, A_ONLY, {"name": "新人", "employee_no": "Z0009"}),
    ("standards", "standard", SIGNED_IN, A_ONLY, A_ONLY, {"item_name": "新事项", "kind": "service_item"}),
    ("pledges", "pledge", SIGNED_IN, MANAGERS, SCOPED, {"text": "热情服务", "staff_id": "{staff}"}),
    ("honors", "honor", SIGNED_IN, MANAGERS, SCOPED, {"title": "服务之星", "staff_id": "{staff}", "awarded_on": "{today}"}),
    ("notices", "notice", SIGNED_IN, MANAGERS, MANAGERS, {"title": "通知", "text": "内容", "priority": "normal"}),
    ("screens", "screen", MANAGERS, A_ONLY, A_ONLY, {"name": "新屏", "kind": "hall"}),
    ("kiosks", "kiosk", MANAGERS, A_ONLY, A_ONLY, {"name": "新评价器"}),
    ("playlists", "playlist", MANAGERS, A_ONLY, A_ONLY, {"name": "新节目单"}),
    ("schedules", "schedule", MANAGERS, A_ONLY, A_ONLY, {"name": "新排期"}),
    ("screen-groups", "group", MANAGERS, A_ONLY, A_ONLY, {"name": "新屏组"}),
    ("users", "user", A_ONLY, A_ONLY, A_ONLY, {"username": "new-user", "role": "staff"}),
    ("tokens", None, A_ONLY, A_ONLY, None, {"name": "新令牌", "role": "admin"}),
]
for _name, _key, _read, _create, _edit, _body in RECORD_PAGES:
    # Who creates: the form for all of them; storing it (a leader: their own department's member only).
    _stores = SCOPED if _edit == SCOPED else _create
    ROUTES += [
        ("GET", f"/admin/{_name}/", f"/admin/{_name}/", _read, None, None),
        ("GET", f"/admin/{_name}/new", f"/admin/{_name}/new", _create, None, None),
        ("POST", f"/admin/{_name}/new", f"/admin/{_name}/new", _stores, None, _body),
    ]
    if _key is not None:
        ROUTES += [
            ("GET", f"/admin/{_name}/<int:record_id>", f"/admin/{_name}/{{{_key}}}", _read, None, None),
            ("POST", f"/admin/{_name}/<int:record_id>", f"/admin/{_name}/{{{_key}}}", _edit, None, _body),
            ("POST", f"/admin/{_name}/<int:record_id>/delete", f"/admin/{_name}/{{{_key}}}/delete", _edit, None,
             CSRF_FORM),
        ]

API = "/api/v1"
API_ROUTES = [
    ("GET", "/openapi.json", "/openapi.json", PUBLIC, None, None),
    ("POST", "/ratings", "/ratings", ANYONE, None, {"id": "{new_uuid}", "score": 5, "channel": "kiosk"}),
    ("GET", "/ratings", "/ratings", "yyfnnn", "{rating}", None),
    ("GET", "/ratings/<rating_id>", "/ratings/{rating}", SCOPED, None, None),
    ("POST", "/suggestions", "/suggestions", ANYONE, None, {"kind": "suggestion", "text": "建议", "channel": "qr"}),
    ("GET", "/suggestions", "/suggestions", "yyfnnn", "{receipt}", None),
    ("GET", "/suggestions/<int:suggestion_id>", "/suggestions/{suggestion}", SCOPED, None, None),
    ("PATCH", "/suggestions/<int:suggestion_id>", "/suggestions/{suggestion}", SCOPED, None, {"reply": "已收到"}),
    ("DELETE", "/suggestions/<int:suggestion_id>", "/suggestions/{suggestion}", A_ONLY, None, None),
    ("GET", "/rectifications", "/rectifications", "yyfnnn", '"id":{entry},', None),
    ("POST", "/rectifications", "/rectifications", SCOPED, None, {"problem": "离岗未挂牌", "staff_id": "{staff}"}),
    ("GET", "/rectifications/<int:entry_id>", "/rectifications/{entry}", SCOPED, None, None),
    ("PATCH", "/rectifications/<int:entry_id>", "/rectifications/{entry}", SCOPED, None, {"measure": "培训"}),
    ("DELETE", "/rectifications/<int:entry_id>", "/rectifications/{entry}", A_ONLY, None, None),
    ("POST", "/rectifications/<int:entry_id>/transition", "/rectifications/{entry}/transition", SCOPED, None,
     {"action": "verify"}),
    ("GET", "/rectifications/export.xlsx", "/rectifications/export.xlsx", MANAGERS, None, None),
    # other systems (the integration role is tried in tests/admin/integration)
    ("POST", "/prompts", "/prompts", A_ONLY, None, {"case_no": "BJ-2", "staff_id": "{staff}"}),
    ("GET", "/prompts/<int:prompt_id>", "/prompts/{prompt}", A_ONLY, None, None),
    ("POST", "/prompts/<int:prompt_id>/cancel", "/prompts/{prompt}/cancel", A_ONLY, None, None),
    ("GET", "/webhooks", "/webhooks", A_ONLY, None, None),
    ("POST", "/webhooks", "/webhooks", A_ONLY, None,
     {"url": "http://10.0.0.8/hook", "secret": "0123456789abcdef", "events": ["rating.created"]}),
    ("GET", "/webhooks/<int:endpoint_id>", "/webhooks/{webhook}", A_ONLY, None, None),
    ("PATCH", "/webhooks/<int:endpoint_id>", "/webhooks/{webhook}", A_ONLY, None, {"name": "省好差评平台"}),
    ("DELETE", "/webhooks/<int:endpoint_id>", "/webhooks/{webhook}", A_ONLY, None, None),
    ("GET", "/webhooks/<int:endpoint_id>/deliveries", "/webhooks/{webhook}/deliveries", A_ONLY, None, None),
    ("POST", "/webhooks/<int:endpoint_id>/deliveries/<int:delivery_id>/replay",
     "/webhooks/{webhook}/deliveries/{delivery}/replay", A_ONLY, None, None),
    ("GET", "/reports/<kind>.xlsx", "/reports/month.xlsx", MANAGERS, None, None),
    ("GET", "/appeals", "/appeals", "yyfnnn", "MARK-appeal-reason", None),
    ("POST", "/appeals", "/appeals", SCOPED, None, {"rating_id": "{rating}", "kind": "mistaken", "reason": "不是我"}),
    ("GET", "/appeals/<int:appeal_id>", "/appeals/{appeal}", SCOPED, None, None),
    ("POST", "/appeals/<int:appeal_id>/decision", "/appeals/{appeal}/decision", "nynnnn", None,
     {"upheld": False, "note": "属实"}),
    ("GET", "/audit", "/audit", A_ONLY, None, None),
    ("GET", "/surveys", "/surveys", MANAGERS, None, None),
    ("POST", "/surveys", "/surveys", A_ONLY, None, {"title": "测评", "questions": [{"kind": "text", "text": "意见"}]}),
    ("GET", "/surveys/<int:survey_id>", "/surveys/{survey}", MANAGERS, None, None),
    ("PATCH", "/surveys/<int:survey_id>", "/surveys/{survey}", A_ONLY, None, {"title": "新标题"}),
    ("POST", "/surveys/<int:survey_id>/transition", "/surveys/{survey}/transition", A_ONLY, None, {"action": "close"}),
    ("GET", "/surveys/<int:survey_id>/results", "/surveys/{survey}/results", "yyfnnn", "MARK-survey-text", None),
    ("GET", "/surveys/<int:survey_id>/invitations", "/surveys/{survey}/invitations", A_ONLY, None, None),
    ("POST", "/surveys/<int:survey_id>/invitations", "/surveys/{survey}/invitations", A_ONLY, None,
     {"people": [{"name": "李监督", "kind": "supervisor"}]}),
    ("POST", "/surveys/<int:survey_id>/paper", "/surveys/{survey}/paper", MANAGERS, None,
     {"paper_no": 1, "target_id": "{staff}", "answers": {"q1": 5}}),
    ("POST", "/surveys/<int:survey_id>/answers/<int:response_id>/rectification",
     "/surveys/{survey}/answers/{survey_response}/rectification", SCOPED, None, None),
    ("GET", "/supervisors", "/supervisors", A_ONLY, None, None),
    ("POST", "/supervisors", "/supervisors", A_ONLY, None,
     {"name": "孙监督", "term_start": "{today}", "term_end": "{today}"}),
    ("PATCH", "/supervisors/<int:supervisor_id>", "/supervisors/{supervisor}", A_ONLY, None, {"unit": "县政协"}),
    ("GET", "/symposiums", "/symposiums", MANAGERS, None, None),
    ("POST", "/symposiums", "/symposiums", A_ONLY, None, {"title": "座谈会", "held_on": "{today}"}),
    ("GET", "/symposiums/<int:symposium_id>", "/symposiums/{symposium}", MANAGERS, None, None),
    ("POST", "/symposiums/<int:symposium_id>/problems", "/symposiums/{symposium}/problems", SCOPED, None,
     {"problem": "叫号屏不亮", "window_id": "{window}"}),
    ("POST", "/surveys/<int:survey_id>/invitations/supervisors", "/surveys/{survey}/invitations/supervisors", A_ONLY,
     None, None),
    ("POST", "/wishes", "/wishes", ANYONE, None, {"text": "帮我复印材料"}),
    ("GET", "/wishes", "/wishes", "yyfyyn", "MARK-wish-text", None),
    ("GET", "/wishes/<int:wish_id>", "/wishes/{wish}", "yynyyn", None, None),
    ("POST", "/wishes/<int:wish_id>/transition", "/wishes/{wish}/transition", "yynynn", None,
     {"action": "complete", "note": "已代为复印"}),
    ("POST", "/wishes/confirm", "/wishes/confirm", ANYONE, None, {"receipt": "{wish_receipt}", "verdict": "satisfied"}),
    ("POST", "/survey-answers", "/survey-answers", ANYONE, None,
     {"survey": "{survey_code}", "channel": "phone", "target_id": "{staff}", "answers": {"q1": 5}}),
    ("GET", "/badges.pdf", "/badges.pdf?department_id={dept}", SCOPED, None, None),
    ("GET", "/staff/<int:staff_id>/badge.png", "/staff/{staff}/badge.png", SCOPED, None, None),
    ("POST", "/staff/<int:staff_id>/badge/rotate", "/staff/{staff}/badge/rotate", A_ONLY, None, None),
    ("PUT", "/staff/<int:record_id>/photo", "/staff/{staff}/photo", A_ONLY, None, None),
    ("GET", "/boards", "/boards", SIGNED_IN, None, None),
    ("GET", "/boards/<key>", "/boards/composite", SIGNED_IN, None, None),
    ("GET", "/calendar/<int:year>", "/calendar/{year}", SIGNED_IN, None, None),
    ("PUT", "/calendar/days/<day>", "/calendar/days/{today}", A_ONLY, None, {"working": True}),
    ("GET", "/campaign/phases", "/campaign/phases", SIGNED_IN, None, None),
    ("POST", "/campaign/phases", "/campaign/phases", A_ONLY, None, {"name": "总结提升"}),
    ("PATCH", "/campaign/phases/<int:phase_id>", "/campaign/phases/{phase}", A_ONLY, None, {"name": "总结提升"}),
    ("DELETE", "/campaign/phases/<int:phase_id>", "/campaign/phases/{phase}", A_ONLY, None, None),
    ("GET", "/stats/ranking", "/stats/ranking", MANAGERS, None, None),
    ("GET", "/stats/satisfaction", "/stats/satisfaction", SIGNED_IN, None, None),
    ("GET", "/stats/trend", "/stats/trend", SIGNED_IN, None, None),
    ("POST", "/screens/pair", "/screens/pair", A_ONLY, None, {"code": "{screen_code}", "name": "新屏"}),
    ("POST", "/kiosks/pair", "/kiosks/pair", A_ONLY, None, {"code": "{kiosk_code}", "name": "新评价器"}),
    ("GET", "/tokens", "/tokens", A_ONLY, None, None),
    ("POST", "/tokens", "/tokens", A_ONLY, None, {"name": "同步", "role": "admin"}),
    ("DELETE", "/tokens/<int:token_id>", "/tokens/{token}", A_ONLY, None, None),
    ("GET", "/users", "/users", A_ONLY, None, None),
    ("POST", "/users", "/users", A_ONLY, None, {"username": "x1", "password": "long-enough-1", "role": "admin"}),
    ("GET", "/users/<int:user_id>", "/users/{user}", A_ONLY, None, None),
    ("PATCH", "/users/<int:user_id>", "/users/{user}", A_ONLY, None, {"display_name": "王"}),
    ("DELETE", "/users/<int:user_id>", "/users/{user}", A_ONLY, None, None),
]
# The generic collections: (name, id key, who reads, who writes one, create body).
API_COLLECTIONS = [
    ("departments", "dept", SIGNED_IN, A_ONLY, {"name": "新科室"}),
    ("windows", "window", SIGNED_IN, A_ONLY, {"number": "Z09", "name": "新窗口"}),
    ("staff", "staff", SIGNED_IN, A_ONLY, {"name": "新人", "employee_no": "Z0009"}),
    ("standards", "standard", SIGNED_IN, A_ONLY, {"item_name": "新事项"}),
    ("pledges", "pledge", SIGNED_IN, SCOPED, {"text": "热情服务", "staff_id": "{staff}"}),
    ("honors", "honor", SIGNED_IN, SCOPED, {"title": "服务之星", "staff_id": "{staff}", "awarded_on": "{today}"}),
    ("notices", "notice", SIGNED_IN, MANAGERS, {"title": "通知", "text": "内容"}),
    ("screens", "screen", MANAGERS, A_ONLY, {"name": "新屏"}),
    ("kiosks", "kiosk", MANAGERS, A_ONLY, {"name": "新评价器"}),
    ("playlists", "playlist", MANAGERS, A_ONLY, {"name": "新节目单"}),
    ("schedules", "schedule", MANAGERS, A_ONLY, {"name": "新排期", "playlist_id": "{playlist}"}),
    ("screen-groups", "group", MANAGERS, A_ONLY, {"name": "新屏组"}),
]
for _name, _key, _read, _write, _body in API_COLLECTIONS:
    API_ROUTES += [
        ("GET", f"/{_name}", f"/{_name}", _read, None, None),
        ("POST", f"/{_name}", f"/{_name}", _write, None, _body),
        ("GET", f"/{_name}/<int:record_id>", f"/{_name}/{{{_key}}}", _read, None, None),
        ("PATCH", f"/{_name}/<int:record_id>", f"/{_name}/{{{_key}}}", _write, None, {}),
        ("DELETE", f"/{_name}/<int:record_id>", f"/{_name}/{{{_key}}}", _write, None, None),
    ]
ROUTES += [(m, API + rule, API + path, expect, marker, body) for m, rule, path, expect, marker, body in API_ROUTES]


# --- checking --------------------------------------------------------------------------------------

def _fill(value, ids):
    if isinstance(value, str) and re.fullmatch(r"\{(\w+)\}", value) and isinstance(ids.get(value[1:-1]), int):
        return ids[value[1:-1]]  # an id alone is a JSON number (forms get str() of it)
    if isinstance(value, str):
        return value.format(new_uuid=uuid.uuid4(), **ids)
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, ids) for v in value]
    return value


def _request(app, hall, person, method, path, body):
    client = app.test_client()
    client.set_cookie("session", hall.cookies[person])
    if path.startswith(API):
        headers = {"Authorization": f"Bearer {hall.tokens[person]}"} if person != "anon" else {}
        return client.open(path, method=method, headers=headers,
                           json=_fill(body, hall.ids) if body is not None else None)
    data = None
    if method != "GET":
        data = {} if body is CSRF_FORM or body is None else {k: str(v) for k, v in _fill(body, hall.ids).items()}
        data["csrf_token"] = hall.csrf[person]
    return client.open(path, method=method, data=data)


def _outcome(response) -> str:
    if response.status_code >= 500:
        return "5xx"
    if response.status_code in (401, 403, 404):
        return "n"
    if response.status_code in (301, 302, 303) and "/admin/login" in response.headers.get("Location", ""):
        return "n"
    if response.status_code == 400 and b"CSRF" in response.data:
        return "csrf"  # the test's own mistake, never a pass
    return "y"


def _check(app, hall, method, path_template, expected, marker, body) -> list[str]:
    path = _fill(path_template, hall.ids)
    wanted_marker = _fill(marker, hall.ids) if marker else None
    problems = []
    for person, want in zip(PEOPLE, expected):
        response = _request(app, hall, person, method, path, body)
        got = _outcome(response)
        if want == "*":
            if got == "5xx":
                problems.append(f"{person}: {response.status_code}")
            continue
        if got != ("n" if want == "n" else "y"):
            problems.append(f"{person}: wanted {want}, got {response.status_code} "
                            f"{response.headers.get('Location', '')}")
            continue
        if wanted_marker and want in "yf":
            seen = wanted_marker in response.get_data(as_text=True)
            if seen != (want == "y"):
                problems.append(f"{person}: {'missing' if want == 'y' else 'leaks'} {wanted_marker!r}")
    return problems


def test_the_table_names_every_route(hall):
    routes = {(m, str(r)) for r in hall.shared.url_map.iter_rules() for m in r.methods - {"HEAD", "OPTIONS"}
              if r.endpoint != "static" or str(r) == "/assets/<path:filename>"}
    table = {(m, rule) for m, rule, *_rest in ROUTES}
    assert not routes - table, f"routes without a row in the table: {sorted(routes - table)}"
    assert not table - routes, f"rows for routes that do not exist: {sorted(table - routes)}"


@pytest.mark.parametrize("method,rule,path,expected,marker,body",
                         [r for r in ROUTES if r[0] == "GET"], ids=lambda v: v if isinstance(v, str) else None)
def test_reading(hall, method, rule, path, expected, marker, body):
    assert _check(hall.shared, hall, method, path, expected, marker, body) == []


@pytest.fixture(scope="module")
def acting(hall, tmp_path_factory):
    """One app whose hall is put back from the template before each request."""
    data = tmp_path_factory.mktemp("scope-acting") / "data"
    _copy(hall.template, data)
    app = _app(data)

    def restore():
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        with sqlite3.connect(hall.template / "liangbiping.db") as a, sqlite3.connect(data / "liangbiping.db") as b:
            a.backup(b)
        for folder in ("imports", "evidence"):
            if (data / folder).exists():
                shutil.rmtree(data / folder)
            if (hall.template / folder).exists():
                shutil.copytree(hall.template / folder, data / folder)

    yield SimpleNamespace(app=app, restore=restore)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.mark.parametrize("method,rule,path,expected,marker,body",
                         [r for r in ROUTES if r[0] != "GET"], ids=lambda v: v if isinstance(v, str) else None)
def test_acting(hall, acting, method, rule, path, expected, marker, body):
    """Each person on the hall as it was, so that one's change (a deletion) cannot decide the
    next one's answer."""
    problems = []
    for person, want in zip(PEOPLE, expected):
        acting.restore()
        problems += _check_one(acting.app, hall, person, method, path, want, marker, body)
    assert problems == []


def _check_one(app, hall, person, method, path_template, want, marker, body) -> list[str]:
    path = _fill(path_template, hall.ids)
    response = _request(app, hall, person, method, path, body)
    got = _outcome(response)
    if want == "*":
        return [f"{person}: {response.status_code}"] if got == "5xx" else []
    if got != ("n" if want == "n" else "y"):
        return [f"{person}: wanted {want}, got {response.status_code} {response.get_data(as_text=True)[:200]}"]
    if marker and want == "y" and _fill(marker, hall.ids) not in response.get_data(as_text=True):
        return [f"{person}: missing {marker}"]
    return []


# --- every console page, in Chinese ---------------------------------------------------------------------

def _identifiers() -> set[str]:
    """Names the code stores that people must never read on a Chinese page: enum keys of every kind."""
    from liangbiping.admin.console.screen_content import SLIDE_LABELS
    from liangbiping.admin.ledger import labels
    from liangbiping.admin.services import audit_labels
    from liangbiping.admin.models.rating_terms import FLAGS, REASONS

    names = set(REASONS) | set(FLAGS) | set(labels.STATES) | set(labels.ACTIONS) | set(labels.SOURCES)
    names |= set(labels.VERDICTS) | set(labels.APPEAL_KINDS) | set(labels.APPEAL_STATUSES)
    names |= set(audit_labels.ACTIONS) | set(audit_labels.ENTITIES) | set(audit_labels.FIELDS)
    names |= {key for key, _label in SLIDE_LABELS()} | {"kiosk", "qr", "web", "device", "online", "offline",
                                                         "never_seen", "disconnected", "disabled", "pending"}
    # Words that are also people's user names in the demo hall, shown as such.
    return names - {"admin", "leader", "staff"}


def _visible_text(html: str) -> str:
    import re

    html = re.sub(r"(?is)<(script|style|svg)\b.*?</\1>", " ", html)
    html = re.sub(r"(?s)<!--.*?-->", " ", html)
    return re.sub(r"(?s)<[^>]+>", " ", html)


def test_console_pages_show_no_stored_identifier_in_chinese(hall):
    """Every console page each person may open, in Chinese, on a hall with ratings, appeals, a
    ledger with evidence, suggestions and an audit log: no key the code stores (``view_contact``,
    ``api_token``, ``member_spotlight``, ``rectifying``...) shows up in the visible text."""
    import re

    names = _identifiers()
    word = re.compile(r"(?<![A-Za-z0-9_./:@-])[a-z][a-z0-9]*(?:_[a-z0-9]+)*(?![A-Za-z0-9_./:@-])")
    leaks = []
    for method, rule, path, expected, _marker, _body in ROUTES:
        if method != "GET" or not rule.startswith("/admin") or rule.endswith((".png", ".pdf", ".xlsx", "counters")) \
                or "evidence" in rule or rule.startswith("/admin/badges/jobs"):
            continue
        for person, want in zip(PEOPLE, expected):
            if want not in "yf" or person == "anon":
                continue
            response = _request(hall.shared, hall, person, "GET", _fill(path, hall.ids), None)
            if response.status_code != 200 or not response.mimetype.startswith("text/html"):
                continue
            text = _visible_text(response.get_data(as_text=True))
            for token in set(word.findall(text)):
                if token.startswith("lbp_"):
                    continue  # an API token's shown prefix (random letters after lbp_), not a stored key
                if token in names or "_" in token:
                    leaks.append(f"{path} ({person}): {token}")
    assert not leaks, "\n".join(sorted(set(leaks)))
