"""Headers, cookies and proxies (docs/SECURITY.md): what each page kind carries, Secure cookies,
the console session's lifetime and idle limit, and X-Forwarded-For believed only from the hall's
own proxies. (tests/browser/test_csp.py shows the pages still work in Chromium under the policy.)"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from liangbiping.admin.client_address import forwarded_client, parse_networks
from liangbiping.admin.config import Config
from liangbiping.admin.extensions import db
from liangbiping.admin.models import ConsoleSession
from liangbiping.admin.models.types import utcnow
from tests.factories import PASSWORD, csrf_token, sign_in

PAGES = [  # path, kind, framed by others allowed
    ("/admin/login", "console", False),
    ("/admin/no-such-page", "console", False),
    ("/display/pair", "screen", True),
    ("/kiosk/pair", "kiosk", False),
    ("/s/NOSUCHCODE", "kiosk", False),
    ("/q/garbage", "kiosk", False),
    ("/no/such/path", "other", False),
]


@pytest.mark.parametrize("path, kind, frameable", PAGES)
def test_every_page_kind_has_its_policy(client, hall, path, kind, frameable):
    response = client.get(path)
    assert response.mimetype == "text/html", (path, response.status_code, response.mimetype)
    csp = response.headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";"))
    assert directives["script-src"] == "'self'" and "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert directives["object-src"] == "'none'" and directives["base-uri"] == "'none'"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    if frameable:
        assert "frame-ancestors" not in directives and "X-Frame-Options" not in response.headers
    else:
        assert directives["frame-ancestors"] == "'none'" and response.headers["X-Frame-Options"] == "DENY"
    expected_referrer = "no-referrer" if kind == "kiosk" else "same-origin"
    assert response.headers["Referrer-Policy"] == expected_referrer


def test_signed_in_console_pages_cannot_be_framed(app, login, hall):
    console = login("admin")
    for path in ("/admin/", "/admin/ratings/", "/admin/tokens/"):
        response = console.get(path)
        assert response.status_code == 200
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
        assert response.headers["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize("path", ["/healthz", "/api/v1/openapi.json", "/assets/js/console.js", "/api/v1/staff"])
def test_json_and_files_are_never_sniffed(client, path):
    response = client.get(path)
    assert response.headers["X-Content-Type-Options"] == "nosniff", path
    assert "Referrer-Policy" in response.headers


def test_no_inline_script_is_left_in_any_template():
    """The CSP would block them: every script is a file under /assets (JSON data blocks excepted)."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    offenders = []
    for template in [*root.glob("admin/templates/**/*.html"), *root.glob("display/templates/**/*.html"),
                     *root.glob("kiosk/templates/**/*.html")]:
        text = template.read_text()
        for tag in re.findall(r"<script\b[^>]*>", text):
            if "src=" not in tag and 'type="application/json"' not in tag:
                offenders.append(f"{template.name}: {tag}")
        if re.search(r"\son[a-z]+\s*=", text) or "javascript:" in text:
            offenders.append(f"{template.name}: an on…= handler or javascript: link")
    assert not offenders, offenders


def _session_cookie(response) -> str:
    return next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))


def test_cookies_are_secure_when_the_setting_says_so(app, make_user, hall):
    make_user("admin", "secadmin")
    client = app.test_client()
    plain = client.post("/admin/login", data={"username": "secadmin", "password": PASSWORD,
                                              "csrf_token": csrf_token(client, "/admin/login")})
    assert "Secure" not in _session_cookie(plain) and "HttpOnly" in _session_cookie(plain)
    app.config["SESSION_COOKIE_SECURE"] = True
    client = app.test_client()
    secure = client.post("/admin/login", data={"username": "secadmin", "password": PASSWORD,
                                               "csrf_token": csrf_token(client, "/admin/login")})
    assert "Secure" in _session_cookie(secure) and "SameSite=Lax" in _session_cookie(secure)


def test_cookies_are_secure_over_https_through_a_trusted_proxy(app, make_user, hall):
    make_user("admin", "proxied")
    app.config["TRUSTED_PROXIES"] = ("127.0.0.1",)
    client = app.test_client()
    # Over HTTPS Flask-WTF also wants a same-origin Referer (the console's Referrer-Policy sends it).
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "198.51.100.7",
               "Referer": "https://localhost/admin/login"}
    token = csrf_token(client, "/admin/login")
    answer = client.post("/admin/login", headers=headers,
                         data={"username": "proxied", "password": PASSWORD, "csrf_token": token})
    assert answer.status_code == 302 and "Secure" in _session_cookie(answer)


def test_secure_cookies_follow_an_https_public_url(monkeypatch, tmp_path):
    monkeypatch.setenv("LIANGBIPING_PUBLIC_URL", "https://hall.example.cn")
    monkeypatch.delenv("LIANGBIPING_SECURE_COOKIES", raising=False)
    assert Config.environment(tmp_path)["SESSION_COOKIE_SECURE"] is True
    monkeypatch.setenv("LIANGBIPING_SECURE_COOKIES", "0")
    assert Config.environment(tmp_path)["SESSION_COOKIE_SECURE"] is False
    monkeypatch.setenv("LIANGBIPING_SECURE_COOKIES", "perhaps")
    with pytest.raises(ValueError, match="LIANGBIPING_SECURE_COOKIES"):
        Config.environment(tmp_path)


def _age_session(app, username: str, **ago) -> None:
    from liangbiping.admin.models import User

    with app.app_context():
        user_id = db.session.scalar(select(User.id).where(User.username == username))
        db.session.execute(update(ConsoleSession).where(ConsoleSession.user_id == user_id).values(
            **{column: utcnow() - delta for column, delta in ago.items()}))
        db.session.commit()


def test_an_idle_session_ends_and_its_row_goes(app, make_user, hall):
    make_user("admin", "idler")
    console = sign_in(app, "idler")
    assert console.get("/admin/").status_code == 200
    _age_session(app, "idler", last_seen_at=timedelta(minutes=Config.SESSION_IDLE_MINUTES - 5))
    assert console.get("/admin/").status_code == 200  # still within the idle limit: kept, and touched
    _age_session(app, "idler", last_seen_at=timedelta(minutes=Config.SESSION_IDLE_MINUTES + 1))
    assert console.get("/admin/").status_code == 302  # back to the sign-in page
    with app.app_context():
        assert db.session.scalar(select(ConsoleSession.id)) is None


def test_a_busy_session_still_ends_after_its_lifetime(app, make_user, hall):
    make_user("admin", "worker")
    console = sign_in(app, "worker")
    _age_session(app, "worker", created_at=timedelta(hours=12, minutes=1), last_seen_at=timedelta(0))
    assert console.get("/admin/").status_code == 302


def test_the_purge_job_ends_idle_and_old_sessions_only(app, make_user, hall):
    from liangbiping.admin.services.sessions import purge_idle

    for name in ("fresh", "stale", "ancient"):
        make_user("staff", name)
        sign_in(app, name)
    _age_session(app, "stale", last_seen_at=timedelta(hours=3))
    _age_session(app, "ancient", created_at=timedelta(days=1))
    with app.app_context():
        assert purge_idle() == 2
        assert db.session.scalar(select(db.func.count()).select_from(ConsoleSession)) == 1


def _address_of_last_session(app) -> str:
    with app.app_context():
        return db.session.scalars(select(ConsoleSession.address).order_by(ConsoleSession.created_at.desc())).first()


def test_x_forwarded_for_is_ignored_unless_the_peer_is_a_trusted_proxy(app, make_user, hall):
    make_user("admin", "fwd")
    forged = {"X-Forwarded-For": "203.0.113.9"}
    client = app.test_client()
    client.post("/admin/login", headers=forged, data={"username": "fwd", "password": PASSWORD,
                                                      "csrf_token": csrf_token(client, "/admin/login")})
    assert _address_of_last_session(app) == "127.0.0.1"
    app.config["TRUSTED_PROXIES"] = ("127.0.0.0/8",)
    client = app.test_client()
    client.post("/admin/login", headers={"X-Forwarded-For": "10.9.9.9, 203.0.113.9"},
                data={"username": "fwd", "password": PASSWORD, "csrf_token": csrf_token(client, "/admin/login")})
    assert _address_of_last_session(app) == "203.0.113.9"  # the nearest hop; what the client wrote is not believed


@pytest.mark.parametrize("peer, header, expected", [
    ("10.0.0.2", "203.0.113.9", "203.0.113.9"),
    ("10.0.0.2", "6.6.6.6, 203.0.113.9", "203.0.113.9"),
    ("10.0.0.2", "203.0.113.9, 10.0.0.3", "203.0.113.9"),  # two proxies of ours in a row
    ("10.0.0.2", "not-an-address", "10.0.0.2"),
    ("10.0.0.2", "", "10.0.0.2"),
    ("::ffff:10.0.0.2", "[2001:db8::1]:443", "2001:db8::1"),
    ("192.0.2.1", "203.0.113.9", None),  # not a proxy of ours
])
def test_forwarded_client(peer, header, expected):
    assert forwarded_client(peer, header, parse_networks(("10.0.0.0/8",))) == expected


def test_a_bad_trusted_proxy_entry_is_named():
    with pytest.raises(ValueError, match="nonsense"):
        parse_networks(("10.0.0.0/8", "nonsense"))
