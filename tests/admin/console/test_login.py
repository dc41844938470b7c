"""Console sign-in: hashed passwords, throttling after repeated failures, sessions ended by a password change."""

from sqlalchemy import select

from liangbiping.admin.extensions import db
from liangbiping.admin.models import AuditEntry, User
from tests.factories import csrf_token


def attempt(client, username, password):
    return client.post("/admin/login", data={"username": username, "password": password,
                                             "csrf_token": csrf_token(client, "/admin/login")})


def test_passwords_are_stored_hashed(app, make_user):
    user_id = make_user("admin", "director", password="s3cret-pass-word")
    with app.app_context():
        stored = db.session.get(User, user_id).password_hash
    assert "s3cret-pass-word" not in stored and stored.startswith(("scrypt:", "pbkdf2:"))


def test_wrong_password_is_refused_and_audited(app, client, make_user):
    make_user("admin", "director")
    response = attempt(client, "director", "wrong-password")
    assert response.status_code == 401
    assert "director" in response.get_data(as_text=True)  # the form keeps the username
    with app.app_context():
        entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "login_failed")).one()
        assert entry.summary == "director"


def test_sign_in_is_throttled_after_five_failures(client, make_user):
    make_user("admin", "director")
    for _ in range(5):
        assert attempt(client, "director", "wrong-password").status_code == 401
    locked = attempt(client, "director", "correct-horse-1")
    assert locked.status_code == 429, "even the right password waits out the lock"
    assert client.get("/admin/").status_code == 302


def test_unknown_users_count_towards_the_address_limit(client, make_user):
    make_user("admin", "director")
    for i in range(20):
        attempt(client, f"nobody{i}", "x")
    assert attempt(client, "director", "correct-horse-1").status_code == 429


def test_a_password_change_ends_other_sessions(app, client, make_user):
    from liangbiping.admin.services.accounts import save_user

    user_id = make_user("admin", "director")
    assert attempt(client, "director", "correct-horse-1").status_code == 302
    assert client.get("/admin/").status_code == 200
    with app.app_context():
        save_user({"password": "another-pass-1"}, "test", db.session.get(User, user_id))
    assert client.get("/admin/").status_code == 302


def test_next_parameter_cannot_leave_the_console(client, make_user):
    make_user("admin", "director")
    response = client.post("/admin/login?next=//evil.example/x", data={
        "username": "director", "password": "correct-horse-1", "csrf_token": csrf_token(client, "/admin/login")})
    assert response.status_code == 302 and response.location.endswith("/admin/")
