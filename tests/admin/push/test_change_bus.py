"""The change bus between server processes when Redis is away: commits are never held up."""

from __future__ import annotations

import threading
import time

from liangbiping.admin.push.changes import ChangeBus
from tests.livesrv import free_port


def redis_url() -> str:
    """The test Redis (.ci/run starts one); without it the test fails in CI and is skipped elsewhere."""
    import os

    import pytest

    from tests.conftest import IN_CI

    url = os.environ.get("LIANGBIPING_REDIS_URL")
    if not url:
        if IN_CI:
            pytest.fail("LIANGBIPING_REDIS_URL is needed")
        pytest.skip("LIANGBIPING_REDIS_URL is needed")
    return url


def test_a_missing_redis_holds_up_nothing_and_is_retried():
    heard = []
    bus = ChangeBus(f"redis://127.0.0.1:{free_port()}/0", heard.append)  # nobody listens there

    started = time.monotonic()
    bus.publish({"staff"})  # what a commit does: note it, never wait for Redis
    assert time.monotonic() - started < 0.05

    sender = threading.Thread(target=bus.send_forever, args=(time.sleep,), daemon=True)
    sender.start()
    deadline = time.monotonic() + 5
    while bus._outbox and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not bus._outbox  # taken and tried; the failure was logged, the sender lives on
    assert sender.is_alive()

    try:
        bus.subscribe()
    except Exception:  # noqa: BLE001 - refused: it must not count as subscribed
        pass
    assert bus._pubsub is None and not bus.listening  # the kiosk token cache keeps its short limit

    listener = threading.Thread(target=bus.listen, args=(time.sleep,), daemon=True)
    listener.start()
    time.sleep(1.5)
    assert listener.is_alive() and heard == []  # still trying, nothing made up
    bus.close()
    for thread in (sender, listener):
        thread.join(timeout=5)
        assert not thread.is_alive()


def test_a_process_hears_the_others_changes_not_its_own():
    url = redis_url()
    heard_a, heard_b = [], []
    a, b = ChangeBus(url, heard_a.append), ChangeBus(url, heard_b.append)
    for bus in (a, b):
        bus.subscribe()
        threading.Thread(target=bus.listen, args=(time.sleep,), daemon=True).start()
        threading.Thread(target=bus.send_forever, args=(time.sleep,), daemon=True).start()
    a.publish({"staff", "windows"})
    a.publish({"ratings"}, slow_only=True)  # goes with the next send, at the latest in SLOW_PUBLISH
    deadline = time.monotonic() + 5
    while {"ratings"} - set().union(*heard_b) and time.monotonic() < deadline:
        time.sleep(0.02)
    try:
        assert set().union(*heard_b) == {"staff", "windows", "ratings"}
        assert heard_a == []
    finally:
        a.close()
        b.close()


def test_one_process_takes_a_turn_and_every_process_does_without_redis():
    """The boards' round for ratings: one process per interval, whichever asks first; with Redis
    away, every process (a round twice rather than a board left behind)."""
    import uuid

    url = redis_url()
    a, b = ChangeBus(url, lambda _: None), ChangeBus(url, lambda _: None)
    turn = f"test-{uuid.uuid4().hex}"
    assert a.take_turn(turn, 0.5) is True
    assert b.take_turn(turn, 0.5) is False and a.take_turn(turn, 0.5) is False
    time.sleep(0.6)
    assert b.take_turn(turn, 0.5) is True
    gone = ChangeBus(f"redis://127.0.0.1:{free_port()}/0", lambda _: None)
    assert gone.take_turn(turn, 0.5) is True and gone.take_turn(turn, 0.5) is True


def test_a_process_with_console_listeners_is_known_to_the_others_at_once():
    """The console's live list: a rating taken anywhere is sent only while some process holds a
    listener; one that starts listening is heard of at once, one killed is forgotten."""
    import uuid

    from liangbiping.admin.push import changes

    url = redis_url()
    a, b = ChangeBus(url, lambda _: None), ChangeBus(url, lambda _: None)
    b.subscribe()
    threading.Thread(target=b.listen, args=(time.sleep,), daemon=True).start()
    name = f"test-{uuid.uuid4().hex}"
    listening = [True]
    try:
        assert b.anyone_present(name) is False  # read now, trusted for PRESENCE_CHECK seconds
        a.keep_present(name, lambda: listening[0])
        deadline = time.monotonic() + 1.0  # well within PRESENCE_CHECK: the message says it
        while not b.anyone_present(name):
            assert time.monotonic() < deadline, "a new listener was not heard of at once"
            time.sleep(0.02)
        listening[0] = False
        a._say_present(force=True)
        time.sleep(changes.PRESENCE_CHECK + 0.1)
        assert b.anyone_present(name) is False
        # A process killed while present: its entry lapses after PRESENCE_TTL.
        a._redis.zadd(f"liangbiping:present:{name}", {"killed": time.time() - 1})
        b._seen.clear()
        assert b.anyone_present(name) is False
    finally:
        a.close()
        b.close()
        a._redis.delete(f"liangbiping:present:{name}")
    gone = ChangeBus(f"redis://127.0.0.1:{free_port()}/0", lambda _: None)
    assert gone.anyone_present(name) is True  # Redis away: sent for nothing rather than lost


def test_a_kiosk_token_is_remembered_for_the_caches_minute_only_while_the_bus_listens(app, hall):
    """A kiosk's token is looked up again after 10 s when no process could tell this one of a
    change (Redis away); with the bus listening, changes are told, and the minute's limit holds."""
    from liangbiping.admin.push.hub import hub_for
    from liangbiping.kiosk import sources

    bus = ChangeBus(redis_url(), lambda _: None)
    assert not bus.listening
    bus.subscribe()
    hub = hub_for(app)
    before, hub.bus = hub.bus, bus
    try:
        with app.test_request_context():
            assert bus.listening and sources._cache_seconds() == sources.KIOSK_CACHE_LISTENING == 60
            found = sources.kiosk_for_token(hall.kiosk_token)
            digest = next(iter(sources._kiosk_cache))
            kiosk_id, window_id, _at, kind = sources._kiosk_cache[digest]
            sources._kiosk_cache[digest] = (kiosk_id, window_id, time.monotonic() - 30, kind)  # read 30 s ago
            assert sources.kiosk_for_token(hall.kiosk_token) == found
            assert sources._kiosk_cache[digest][2] < time.monotonic() - 29  # not read again
            bus.close()
            assert not bus.listening and sources._cache_seconds() == 10
            assert sources.kiosk_for_token(hall.kiosk_token) == found
            assert sources._kiosk_cache[digest][2] > time.monotonic() - 5  # read again
    finally:
        hub.bus = before
        bus.close()
