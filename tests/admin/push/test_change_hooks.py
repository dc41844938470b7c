"""What another server process committed (told by the change bus: ``PushHub.heard``) makes this
process forget the caches of those tables: the kiosk tokens' windows, the webhook subscriptions,
the hall's zone. The rows are changed here behind the session's back, as another process would."""

from __future__ import annotations

from sqlalchemy import text

from liangbiping.admin.extensions import db
from liangbiping.admin.integration import outbox
from liangbiping.admin.ledger import autoopen
from liangbiping.admin.push import hub_for
from liangbiping.kiosk import sources


def behind_our_back(sql: str, **params) -> None:
    with db.engine.begin() as conn:
        conn.execute(text(sql), params)


def test_another_process_s_changes_are_forgotten_when_heard(app, hall):
    with app.app_context():
        hub = hub_for(app)
        # Kiosk tokens: the window a kiosk rates.
        assert sources.kiosk_for_token(hall.kiosk_token)[1] == hall.w1
        behind_our_back("UPDATE kiosks SET window_id = :w WHERE id = :k", w=hall.w2, k=hall.kiosk)
        assert sources.kiosk_for_token(hall.kiosk_token)[1] == hall.w1  # remembered
        hub.heard({"kiosks"})
        assert sources.kiosk_for_token(hall.kiosk_token)[1] == hall.w2
        # Webhook subscriptions.
        with db.engine.connect() as conn:
            assert outbox.subscribed(conn) == frozenset()
        behind_our_back("INSERT INTO webhook_endpoints (name, url, secret, events, format, enabled, send_contact, "
                        "created_at, updated_at) VALUES ('', 'http://127.0.0.1:9/h', 'x', '[\"rating.created\"]', "
                        "'standard', true, false, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)")
        with db.engine.connect() as conn:
            assert outbox.subscribed(conn) == frozenset()
            hub.heard({"webhook_endpoints"})
            assert outbox.subscribed(conn) == {"rating.created"}
        # The hall's zone.
        with db.engine.connect() as conn:
            before = autoopen.hall_zone(conn).key
            behind_our_back("DELETE FROM settings WHERE key = 'timezone'")
            behind_our_back("INSERT INTO settings (key, value) VALUES ('timezone', '\"Asia/Urumqi\"')")
            assert autoopen.hall_zone(conn).key == before
            hub.heard({"settings"})
            assert autoopen.hall_zone(conn).key == "Asia/Urumqi"


def test_an_unknown_change_forgets_everything(app, hall):
    with app.app_context():
        assert sources.kiosk_for_token(hall.kiosk_token)[1] == hall.w1
        behind_our_back("UPDATE kiosks SET window_id = :w WHERE id = :k", w=hall.w2, k=hall.kiosk)
        hub_for(app).heard(None)  # listening again after Redis was away
        assert sources.kiosk_for_token(hall.kiosk_token)[1] == hall.w2


def test_another_process_s_change_runs_no_round_here_but_reaches_this_process_s_listeners(app, hall):
    """The process that committed pushes the change to every screen (its patches reach this
    process's screens through the queue): a round here too would push again from this process's
    own caches. Its kiosks are this process's to tell (tell_listeners)."""
    import threading

    with app.app_context():
        hub = hub_for(app)
        app.config["PUSH_WORKER"] = True
        hub._worker_started, hub._event = True, threading.Event()  # as in a server, without the worker
        try:
            hub.heard({"staff"})
            assert not hub._round_due and "staff" in hub._touched and hub._event.is_set()
            hub.changed({"staff"})  # committed here
            assert hub._round_due
            hub._round_due = False
            hub.heard(None)  # listening again after Redis was away: anything may have changed
            assert hub._round_due
        finally:
            app.config["PUSH_WORKER"] = False
            hub._worker_started, hub._round_due, hub._touched = False, False, set()
