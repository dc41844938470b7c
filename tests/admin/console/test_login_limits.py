"""Sign-in throttling that protects without locking out (docs/SECURITY.md, "Limits"): failures from
one address throttle that address (for that account, and for all accounts when it sprays names);
the account itself is only slowed down, 1, 2, 4 ... seconds after each failure past the fifth, so
the right password from another address still works. Time moves by ageing the stored failures,
never by sleeping."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from liangbiping.admin.extensions import db
from liangbiping.admin.models import LoginAttempt
from tests.factories import csrf_token

RIGHT, WRONG = "correct-horse-1", "wrong-password"
HOME, AWAY = "198.51.100.10", "203.0.113.20"


def attempt(app, username, password, address):
    client = app.test_client()
    token = csrf_token(client, "/admin/login")
    return client.post("/admin/login", data={"username": username, "password": password, "csrf_token": token},
                       environ_base={"REMOTE_ADDR": address})


def later(app, seconds: float) -> None:
    """``seconds`` pass for the throttle: every failure it remembers is that much older."""
    with app.app_context():
        for row in db.session.scalars(select(LoginAttempt)):
            row.at -= timedelta(seconds=seconds)
        db.session.commit()


def wait_of(response) -> int:
    assert response.status_code == 429, response.status_code
    return int(response.headers["Retry-After"])


def test_failures_from_one_address_do_not_lock_the_account_out_elsewhere(app, make_user):
    make_user("admin", "director")
    for _ in range(5):
        assert attempt(app, "director", WRONG, HOME).status_code == 401
    # That address waits out the lock, even with the right password ...
    home = attempt(app, "director", RIGHT, HOME)
    assert wait_of(home) > 14 * 60
    # ... while the account is only slowed down: another address waits a second, then gets in.
    assert wait_of(attempt(app, "director", RIGHT, AWAY)) == 1
    later(app, 1.5)
    assert attempt(app, "director", RIGHT, AWAY).status_code == 302
    assert attempt(app, "director", RIGHT, HOME).status_code == 429, "the failing address is still throttled"
    later(app, 15 * 60)
    assert attempt(app, "director", RIGHT, HOME).status_code == 302


def test_the_accounts_delay_grows_after_each_failure_and_is_capped(app, make_user):
    app.config["LOGIN_MAX_DELAY_SECONDS"] = 10
    make_user("admin", "director")
    waits = []
    for i in range(10):  # a guesser with many addresses, one try each, as soon as allowed
        answer = attempt(app, "director", WRONG, f"192.0.2.{i + 1}")
        if answer.status_code == 429:
            waits.append(wait_of(answer))
            later(app, waits[-1])
            answer = attempt(app, "director", WRONG, f"192.0.2.{i + 1}")
        assert answer.status_code == 401
    assert waits == [1, 2, 4, 8, 10]
    # The administrator, anywhere, waits at most the cap: a delay, never a lock.
    assert wait_of(attempt(app, "director", RIGHT, AWAY)) <= 10
    later(app, 10)
    assert attempt(app, "director", RIGHT, AWAY).status_code == 302
    # Signed in: the account starts afresh (the guessers' addresses stay throttled by their own count).
    assert attempt(app, "director", WRONG, "192.0.2.200").status_code == 401
    assert attempt(app, "director", RIGHT, AWAY).status_code == 302


def test_spraying_names_from_one_address_throttles_that_address_only(app, make_user):
    make_user("admin", "director")
    for i in range(20):
        assert attempt(app, f"nobody{i}", WRONG, HOME).status_code == 401
    assert attempt(app, "director", RIGHT, HOME).status_code == 429
    assert attempt(app, "director", RIGHT, AWAY).status_code == 302


def test_behind_a_trusted_proxy_each_client_is_throttled_on_its_own(app, make_user):
    app.config["TRUSTED_PROXIES"] = ("10.0.0.1",)
    make_user("admin", "director")

    def via_proxy(password, client_address):
        client = app.test_client()
        token = csrf_token(client, "/admin/login")
        return client.post("/admin/login", data={"username": "director", "password": password, "csrf_token": token},
                           environ_base={"REMOTE_ADDR": "10.0.0.1"}, headers={"X-Forwarded-For": client_address})

    for _ in range(5):
        assert via_proxy(WRONG, HOME).status_code == 401
    assert via_proxy(RIGHT, HOME).status_code == 429
    later(app, 2)
    assert via_proxy(RIGHT, AWAY).status_code == 302, "the proxy's address is not everybody's"


def test_a_throttled_sign_in_says_when_to_try_again(app, make_user):
    make_user("admin", "director")
    for _ in range(5):
        attempt(app, "director", WRONG, HOME)
    page = attempt(app, "director", RIGHT, HOME)
    assert page.status_code == 429 and int(page.headers["Retry-After"]) >= 14 * 60
    assert 'role="alert"' in page.get_data(as_text=True)
    slowed = attempt(app, "director", RIGHT, AWAY)
    assert slowed.status_code == 429 and slowed.headers["Retry-After"] == "1"
