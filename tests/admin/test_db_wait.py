"""psycopg's wait on gevent's loop (admin/db_wait.py), in a process patched as ``liangbiping serve`` is:
against the real PostgreSQL (queries wait without blocking each other, a deadline is kept, a
connection whose backend was killed fails instead of hanging), and on plain sockets (each case of
the wait itself: parking, a full send buffer, deadlines, a socket closed under the wait)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import IN_CI

PG = os.environ.get("LIANGBIPING_PG_URL")

SCRIPT = r"""
from gevent import monkey
monkey.patch_all()
import json, sys, time
import gevent, psycopg, psycopg.waiting
from liangbiping.admin import db_wait

dsn = sys.argv[1]
out = {"installed": db_wait.install()}
out["wait"] = psycopg.waiting.wait.__qualname__

spans, ticks, ticks_at_first_answer = [], [], []

def sleeper(seconds):
    with psycopg.connect(dsn, autocommit=True) as conn:
        begun = time.monotonic()
        answer = conn.execute("SELECT pg_sleep(%s), 42", (seconds,)).fetchone()[1]
        ticks_at_first_answer.append(len(ticks))
        spans.append((begun, time.monotonic()))
        return answer

# Five queries of 0.4 s each: waiting on the hub, they overlap, and other greenlets run meanwhile.
jobs = [gevent.spawn(sleeper, 0.4) for _ in range(5)]
ticker = gevent.spawn(lambda: [ticks.append(gevent.sleep(0.05)) for _ in range(6)])
gevent.joinall(jobs + [ticker], raise_error=True)
out["overlap"] = max(begun for begun, _ in spans) < min(ended for _, ended in spans)
out["answers"] = [job.value for job in jobs]
out["ticks_at_first_answer"] = ticks_at_first_answer[0]
started = time.monotonic()

# A big answer and a big statement (the statement may fit the socket's buffer: tests below write).
with psycopg.connect(dsn, autocommit=True) as conn:
    out["rows"] = len(conn.execute("SELECT repeat('x', 1000) FROM generate_series(1, 20000)").fetchall())
    out["echo"] = len(conn.execute("SELECT %s::text", ("y" * 3_000_000,)).fetchone()[0])

# Waits with a deadline (psycopg's _WaitTimeout path): notifications for 0.3 s, none and then one.
with psycopg.connect(dsn, autocommit=True) as listener, psycopg.connect(dsn, autocommit=True) as sender:
    listener.execute("LISTEN db_wait_test")
    t = time.monotonic()
    out["quiet"] = [n.payload for n in listener.notifies(timeout=0.3)]
    out["quiet_took"] = time.monotonic() - t
    gevent.spawn_later(0.1, sender.execute, "NOTIFY db_wait_test, 'hello'")
    out["heard"] = [n.payload for n in listener.notifies(timeout=2, stop_after=1)]

# The backend killed under a query.
with psycopg.connect(dsn, autocommit=True) as victim, psycopg.connect(dsn, autocommit=True) as killer:
    pid = victim.info.backend_pid
    def kill():
        gevent.sleep(0.3)
        killer.execute("SELECT pg_terminate_backend(%s)", (pid,))
    gevent.spawn(kill)
    try:
        victim.execute("SELECT pg_sleep(30)")
        out["killed"] = "answered"
    except psycopg.OperationalError as exc:
        out["killed"] = type(exc).__name__  # AdminShutdown, one of them
out["after_kill"] = time.monotonic() - started
print(json.dumps(out))
"""


def test_queries_wait_on_the_hub_without_blocking_each_other():
    if not PG:
        if IN_CI:
            pytest.fail("LIANGBIPING_PG_URL is needed")
        pytest.skip("LIANGBIPING_PG_URL is needed")
    dsn = PG.replace("postgresql+psycopg://", "postgresql://")
    done = subprocess.run([sys.executable, "-c", SCRIPT, dsn], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["installed"] is True and "_waiter" in out["wait"]
    assert out["answers"] == [42] * 5
    # Every query began before any ended, and the ticker ran while they waited (blocking waits: 0).
    assert out["overlap"] is True and out["ticks_at_first_answer"] >= 1, out
    assert out["rows"] == 20000 and out["echo"] == 3_000_000
    assert out["quiet"] == [] and 0.25 < out["quiet_took"] < 10, out
    assert out["heard"] == ["hello"]
    assert out["killed"] == "AdminShutdown"  # an OperationalError, not a hang: pg_sleep(30) was cut short
    assert out["after_kill"] < 25, out  # pg_sleep(30) was not waited out


def test_nothing_changes_without_gevent():
    """The command line, the scheduler and the tests run threads: psycopg keeps its own wait."""
    done = subprocess.run([sys.executable, "-c", "import psycopg.waiting as w; from liangbiping.admin import db_wait;"
                           "print(db_wait.install(), w.wait.__name__)"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["False", "wait_c"]


SOCKETS = r"""
from gevent import monkey
monkey.patch_all()
import json, socket, time
import gevent, psycopg.errors, psycopg.waiting as w
from liangbiping.admin import db_wait

assert db_wait.install()
out = {}

def reads(sock):
    # A generator as psycopg writes them: it asks for a state until the socket has data.
    while not (ready := (yield w.WAIT_R)):
        pass
    return ready, sock.recv(10)

# An answer that comes later: the greenlet parks, the hub runs others meanwhile.
a, b = socket.socketpair()
ticks = []
ticker = gevent.spawn(lambda: [ticks.append(gevent.sleep(0.02)) for _ in range(5)])
gevent.spawn_later(0.2, b.send, b"answer")
started = time.monotonic()
out["answer"] = [w.wait(reads(a), a.fileno(), interval=0.1)[0], w.wait.__qualname__]
out["answer_took"] = time.monotonic() - started
ticker.join()
out["ticks"] = len(ticks)

# Writing into a full buffer: WAIT_W parks until the other side reads.
a.setblocking(False)
while True:
    try:
        a.send(b"x" * 65536)
    except BlockingIOError:
        break
def writes():
    while not (ready := (yield w.WAIT_W)):
        pass
    return ready
def drain():
    gevent.sleep(0.2)
    b.setblocking(False)
    try:
        while b.recv(1 << 20):
            pass
    except BlockingIOError:
        pass
gevent.spawn(drain)
out["write"] = w.wait(writes(), a.fileno(), interval=0.1)

# A deadline with nothing coming, and one on a socket that is always ready.
c, d = socket.socketpair()
started = time.monotonic()
try:
    w.wait(reads(c), c.fileno(), interval=0.1, timeout=0.3)
    out["quiet"] = "returned"
except psycopg.errors._WaitTimeout:
    out["quiet"] = "timeout"
out["quiet_took"] = time.monotonic() - started
def forever():
    while True:
        yield w.WAIT_W
ticks.clear()
ticker = gevent.spawn(lambda: [ticks.append(gevent.sleep(0)) for _ in range(3)])
started = time.monotonic()
try:
    w.wait(forever(), c.fileno(), interval=0.1, timeout=0.2)
    out["busy"] = "returned"
except psycopg.errors._WaitTimeout:
    out["busy"] = "timeout"
out["busy_took"] = time.monotonic() - started
out["busy_ticks"] = len(ticks)

# The socket closed by another greenlet while the wait is parked on it.
e, f = socket.socketpair()
gevent.spawn_later(0.2, e.close)
started = time.monotonic()
try:
    w.wait(reads(e), e.fileno(), interval=0.1)
    out["closed"] = "returned"
except psycopg.errors.OperationalError as exc:
    out["closed"] = type(exc).__name__
out["closed_took"] = time.monotonic() - started
print(json.dumps(out))
"""


def test_the_wait_parks_writes_keeps_deadlines_and_sees_a_closed_socket():
    """The wait's own cases on plain sockets (no database): the psycopg generators' protocol."""
    done = subprocess.run([sys.executable, "-c", SOCKETS], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["answer"] == [1, "_waiter.<locals>.wait"] and out["answer_took"] >= 0.15 and out["ticks"] == 5
    assert out["write"] == 2  # READY_W once the other side read
    assert out["quiet"] == "timeout" and 0.25 < out["quiet_took"] < 10
    # Always ready and never done: the deadline still holds, and other greenlets still ran.
    assert out["busy"] == "timeout" and out["busy_took"] < 10 and out["busy_ticks"] == 3
    # Closed under the wait: an error within about one interval, not a wait forever.
    assert out["closed"] == "OperationalError" and out["closed_took"] < 10, out
