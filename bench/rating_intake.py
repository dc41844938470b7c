"""Rating intake benchmark: 50 concurrent clients post ratings to a real ``liangbiping serve`` for 30 s.

Reports committed ratings per second and p50/p99 latency, then inserts the same number of rows
straight into SQLite with the same durability settings (WAL, synchronous=NORMAL, one row per
transaction) as the baseline, and prints the ratio.

    python bench/rating_intake.py [--clients 50] [--seconds 30] [--json out.json]
    python bench/rating_intake.py --database-url postgresql+psycopg://user:pw@host/db   # on PostgreSQL
    python bench/rating_intake.py --floor      # also: the same clients against a bare gevent WSGI app

``--database-url`` runs the server on that database (it must be empty: the bench creates its hall
there) and takes the baseline there too (psycopg, one row per transaction). ``--floor`` measures
what no Python app behind the same server can beat: gevent's ``pywsgi`` with an app that answers
every request at once with a 201 and a rating-sized JSON body, nothing stored.

Each client is its own paired kiosk on a keep-alive connection. The per-kiosk burst limit is
switched off for the run (LIANGBIPING_RATING_BURST_KIOSK=0/0): it exists to refuse a stuck
button, and here we measure what the intake can commit. Every other rule runs as in production
(token check, the 3-second repeat-press query, validation, commit before the answer).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.livesrv import LiveServer, admin_token  # noqa: E402


def setup(server: LiveServer, kiosks: int) -> tuple[list[str], list[int]]:
    token = admin_token(server)
    h = {"Authorization": f"Bearer {token}"}

    def post(path, body):
        r = requests.post(server.url + "/api/v1" + path, json=body, headers=h, timeout=30)
        r.raise_for_status()
        return r.json()

    staff, tokens = [], []
    for i in range(kiosks):
        w = post("/windows", {"number": f"W{i:02d}", "name": f"窗口{i}"})
        staff.append(post("/staff", {"name": f"成员{i}", "employee_no": f"E{i:03d}", "window_id": w["id"], "on_duty": True})["id"])
        tokens.append(post("/kiosks", {"name": f"评价器{i}", "window_id": w["id"]})["token"])
    return tokens, staff


async def client(host: str, port: int, token: str, staff_id: int, until: float, lat: list, codes: dict,
                 first: datetime | None = None) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    rng = random.Random()
    sent = 0
    first = first or datetime.now(timezone.utc)
    try:
        while time.monotonic() < until:
            # Each rating a separate service: rated 3.5 s before the kiosk's previous one (the
            # kiosk is faster than any citizen), so none is a repeat press, however long the
            # answers take. Repeat presses are flagged and leave the statistics and the ledger
            # alone: a cheaper path than a real rating's, and not the one a hall's intake spends
            # its time on.
            rated_at = first - timedelta(seconds=3.5 * sent)
            sent += 1
            body = json.dumps({"id": str(uuid.uuid4()), "score": rng.choice((5, 5, 5, 4, 4, 3, 2, 1)), "channel": "kiosk",
                               "kiosk_token": token, "staff_id": staff_id, "rated_at": rated_at.isoformat()}).encode()
            request = (f"POST /api/v1/ratings HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/json\r\n"
                       f"Content-Length: {len(body)}\r\n\r\n").encode() + body
            start = time.perf_counter()
            writer.write(request)
            await writer.drain()
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head.split(b" ", 2)[1])
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            await reader.readexactly(length)
            lat.append(time.perf_counter() - start)
            codes[status] = codes.get(status, 0) + 1
    finally:
        writer.close()


async def load(url: str, tokens: list[str], staff: list[int], seconds: float) -> tuple[list, dict, float]:
    host, port = url.split("//")[1].split(":")
    lat: list[float] = []
    codes: dict[int, int] = {}
    start = time.monotonic()
    await asyncio.gather(*(client(host, int(port), t, s, start + seconds, lat, codes) for t, s in zip(tokens, staff)))
    return lat, codes, time.monotonic() - start


def server_cpu(pid: int) -> float:
    """CPU seconds the server process has used (user + system), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def baseline(rows: int, directory: Path) -> float:
    """The same number of rows, one transaction each, straight into SQLite (WAL, synchronous=NORMAL)."""
    path = directory / "baseline.db"
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("CREATE TABLE ratings (id VARCHAR(36) PRIMARY KEY, score INTEGER NOT NULL, staff_id INTEGER, window_id INTEGER,"
               " kiosk_id INTEGER, channel VARCHAR(16) NOT NULL, reasons JSON NOT NULL, comment TEXT NOT NULL, contact VARCHAR(32),"
               " prompted BOOLEAN NOT NULL, flagged VARCHAR(64), rated_at DATETIME NOT NULL, received_at DATETIME NOT NULL)")
    db.execute("CREATE INDEX ix_r_rated ON ratings (rated_at)")
    db.execute("CREATE INDEX ix_r_staff ON ratings (staff_id)")
    db.execute("CREATE INDEX ix_r_kiosk ON ratings (kiosk_id, rated_at)")
    now = "2026-11-26 10:00:00.000000"
    start = time.perf_counter()
    for i in range(rows):
        db.execute("BEGIN")
        db.execute("INSERT INTO ratings VALUES (?, ?, ?, ?, ?, 'kiosk', '[]', '', NULL, 0, NULL, ?, ?)",
                   (str(uuid.uuid4()), 5, i % 50 + 1, i % 50 + 1, i % 50 + 1, now, now))
        db.execute("COMMIT")
    elapsed = time.perf_counter() - start
    db.close()
    return rows / elapsed


FLOOR_APP = """
import json, socket, sys
from gevent import monkey; monkey.patch_all()
from gevent.pywsgi import WSGIHandler, WSGIServer
body = json.dumps({"id": "0" * 36, "score": 5, "staff_id": 1, "window_id": 1, "kiosk_id": 1, "channel": "kiosk",
                   "comment": "", "flagged": None, "prompted": False, "prompt_id": None, "reasons": [],
                   "contact_masked": None, "rated_at": "2026-12-06T10:00:00+00:00",
                   "received_at": "2026-12-06T10:00:00+00:00"}).encode()
def app(environ, start_response):
    environ["wsgi.input"].read()
    start_response("201 CREATED", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]
class NoDelay(WSGIHandler):  # as liangbiping's server: no delayed-ACK wait on keep-alive
    def handle(self):
        self.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return super().handle()
WSGIServer(("127.0.0.1", int(sys.argv[1])), app, log=None, handler_class=NoDelay).serve_forever()
"""


def floor(clients: int, seconds: float) -> dict:
    """The same clients against a bare gevent WSGI app: the most one such process can answer."""
    import subprocess

    from tests.livesrv import free_port

    port = free_port()
    proc = subprocess.Popen([sys.executable, "-c", FLOOR_APP, str(port)])
    try:
        for _ in range(100):
            try:
                requests.get(f"http://127.0.0.1:{port}/", timeout=1)
                break
            except requests.ConnectionError:
                time.sleep(0.1)
        cpu_before = server_cpu(proc.pid)
        lat, codes, elapsed = asyncio.run(load(f"http://127.0.0.1:{port}", ["-"] * clients, [1] * clients, seconds))
        cpu = server_cpu(proc.pid) - cpu_before
    finally:
        proc.terminate()
        proc.wait()
    ok = sum(n for code, n in codes.items() if 200 <= code < 300)
    lat.sort()
    return {"answers_per_s": round(ok / elapsed, 1), "cpu_ms_per_answer": round(1000 * cpu / max(1, ok), 3),
            "p50_ms": round(statistics.median(lat) * 1000, 1)}


def pg_baseline(rows: int, url: str) -> float:
    """The same number of rows, one transaction each, straight into PostgreSQL with psycopg."""
    import psycopg

    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS bench_baseline")
        conn.execute("CREATE TABLE bench_baseline (id VARCHAR(36) PRIMARY KEY, score INTEGER NOT NULL, staff_id INTEGER,"
                     " window_id INTEGER, kiosk_id INTEGER, channel VARCHAR(16) NOT NULL, reasons JSON NOT NULL,"
                     " comment TEXT NOT NULL, contact VARCHAR(32), prompted BOOLEAN NOT NULL, flagged VARCHAR(64),"
                     " rated_at TIMESTAMPTZ NOT NULL, received_at TIMESTAMPTZ NOT NULL)")
        conn.execute("CREATE INDEX ix_bb_rated ON bench_baseline (rated_at)")
        conn.execute("CREATE INDEX ix_bb_kiosk ON bench_baseline (kiosk_id, rated_at)")
        now = "2026-11-26 10:00:00+00"
        start = time.perf_counter()
        for i in range(rows):
            with conn.transaction():
                conn.execute("INSERT INTO bench_baseline VALUES (%s, 5, %s, %s, %s, 'kiosk', '[]', '', NULL, false, NULL, %s, %s)",
                             (str(uuid.uuid4()), i % 50 + 1, i % 50 + 1, i % 50 + 1, now, now))
        elapsed = time.perf_counter() - start
        conn.execute("DROP TABLE bench_baseline")
    return rows / elapsed


def in_process(n: int = 500) -> None:
    """CPU per rating through the WSGI app in this process (no network), with and without the
    campaign's connection listeners (statistics rollups, ledger auto-open): who costs what."""
    import io
    import shutil

    os.environ["LIANGBIPING_RATING_BURST_KIOSK"] = "0/0"
    from liangbiping.admin.app import create_app
    from liangbiping.admin.config import Config
    from liangbiping.admin.services.accounts import create_token

    root = Path(tempfile.mkdtemp())
    try:
        app = create_app(Config.from_env(root, SOCKETIO_ASYNC_MODE="threading"))
        client = app.test_client()
        with app.app_context():
            _token, secret = create_token("bench", "admin", actor="bench")
        h = {"Authorization": f"Bearer {secret}"}
        w = client.post("/api/v1/windows", json={"number": "W1", "name": "w"}, headers=h).get_json()
        s = client.post("/api/v1/staff", json={"name": "a", "employee_no": "E1", "window_id": w["id"]}, headers=h).get_json()
        k = client.post("/api/v1/kiosks", json={"name": "k", "window_id": w["id"]}, headers=h).get_json()
        base = {"REQUEST_METHOD": "POST", "PATH_INFO": "/api/v1/ratings", "CONTENT_TYPE": "application/json",
                "SERVER_NAME": "localhost", "SERVER_PORT": "80", "wsgi.url_scheme": "http", "wsgi.errors": sys.stderr}
        rng = random.Random(1)

        def run(count):
            for _ in range(count):
                body = json.dumps({"id": str(uuid.uuid4()), "score": rng.choice((5, 5, 5, 4, 4, 3, 2, 1)),
                                   "channel": "kiosk", "kiosk_token": k["token"], "staff_id": s["id"]}).encode()
                b"".join(app(dict(base, **{"wsgi.input": io.BytesIO(body), "CONTENT_LENGTH": str(len(body))}),
                             lambda *a: None))

        def measure(label):
            run(50)
            best = min(_timed(run, n) for _ in range(3))
            print(f"{label:60s} {best * 1000 / n:6.2f} ms CPU per rating")

        measure("whole app, as served")
        from sqlalchemy import event

        from liangbiping.admin.campaign import follow_writes

        for target, name, hook in follow_writes._HOOKS:
            if event.contains(target, name, hook):
                event.remove(target, name, hook)
        measure("without the rollups and the ledger following the writes")
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _timed(fn, n) -> float:
    start = time.process_time()
    fn(n)
    return time.process_time() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument("--database-url", help="run the server on this (empty) database, e.g. PostgreSQL")
    parser.add_argument("--floor", action="store_true", help="also measure a bare gevent WSGI app with the same clients")
    parser.add_argument("--in-process", action="store_true",
                        help="instead: CPU per rating through the app in this process, by part")
    args = parser.parse_args()
    if args.in_process:
        in_process()
        return 0
    env = {"LIANGBIPING_RATING_BURST_KIOSK": "0/0"}
    if args.database_url:
        env["DATABASE_URL"] = args.database_url
    with tempfile.TemporaryDirectory() as tmp:
        server = LiveServer(Path(tmp) / "data", env=env)
        server.start()
        try:
            tokens, staff = setup(server, args.clients)
            cpu_before, own_before = server_cpu(server.proc.pid), time.process_time()
            lat, codes, elapsed = asyncio.run(load(server.url, tokens, staff, args.seconds))
            cpu, own = server_cpu(server.proc.pid) - cpu_before, time.process_time() - own_before
        finally:
            server.stop()
        from sqlalchemy import create_engine, text

        engine = create_engine(args.database_url or f"sqlite:///{Path(tmp) / 'data' / 'liangbiping.db'}")
        with engine.connect() as db:
            stored = db.execute(text("SELECT count(*) FROM ratings")).scalar()
            flagged = db.execute(text("SELECT count(*) FROM ratings WHERE flagged IS NOT NULL")).scalar()
            entries = db.execute(text("SELECT count(*) FROM rectifications")).scalar()
        engine.dispose()
        ok = sum(n for code, n in codes.items() if 200 <= code < 300)
        rate = ok / elapsed
        lat.sort()
        p50 = statistics.median(lat) * 1000
        p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))] * 1000
        base = pg_baseline(stored, args.database_url) if args.database_url else baseline(stored, Path(tmp))
        bare = floor(args.clients, args.seconds) if args.floor else None
    kind = "PostgreSQL" if args.database_url else "SQLite"
    figures = {"database": kind, "floor": bare,"clients": args.clients, "seconds": round(elapsed, 1), "committed": ok, "rows_in_db": stored,
               "flagged": flagged, "ledger_entries_opened": entries,
               "status_codes": codes, "ratings_per_s": round(rate, 1), "p50_ms": round(p50, 1), "p99_ms": round(p99, 1),
               "sqlite_baseline_commits_per_s": round(base, 1),
               "server_cpu_ms_per_rating": round(1000 * cpu / max(1, ok), 2),
               "one_core_ceiling_per_s": round(ok / cpu, 1) if cpu else None, "load_average": os.getloadavg()[0], "client_cpu_s": round(own, 1), "server_cpu_s": round(cpu, 1), "ratio": round(rate / base, 4), "cpus": os.cpu_count()}
    print(f"clients {args.clients}, {elapsed:.1f} s, committed {ok} ratings ({stored} rows in the database, "
          f"{flagged} flagged; {entries} ledger entries opened for the ratings of 1-2), codes {codes}")
    print(f"intake:   {rate:8.1f} ratings/s   p50 {p50:6.1f} ms   p99 {p99:6.1f} ms")
    print(f"server:   {1000 * cpu / max(1, ok):8.2f} ms CPU per rating ({cpu:.1f} s CPU in {elapsed:.1f} s); "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; the clients used {own:.1f} s CPU")
    print(f"ceiling:  {1000 / max(1e-9, 1000 * cpu / max(1, ok)):8.1f} ratings/s if the server had one core to itself "
          f"(1 / CPU per rating)")
    settings = "WAL, synchronous=NORMAL" if kind == "SQLite" else "psycopg, default settings"
    print(f"baseline: {base:8.1f} commits/s  (same {stored} rows straight into {kind}, {settings}, one per transaction)")
    print(f"ratio:    {rate / base:.3f} of the bare {kind} commit rate (target >= 0.3: "
          f"{'met' if rate / base >= 0.3 else 'NOT met'})")
    if bare:
        print(f"floor:    {bare['answers_per_s']:8.1f} answers/s from a bare gevent WSGI app with the same clients "
              f"({bare['cpu_ms_per_answer']:.3f} ms CPU per answer, p50 {bare['p50_ms']} ms): "
              f"{base * 0.3 / bare['answers_per_s']:.2f} of it would be 0.3 of the bare commit rate")
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2))
    return 0 if ok == stored else 1


if __name__ == "__main__":
    sys.exit(main())
