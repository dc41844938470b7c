"""The province recipe at scale: 1, 2 and 4 serve processes behind nginx, thousands of screens.

The recipe of docs/deploy/ started for real, as tests/deploy/ starts it (a PostgreSQL cluster and
a Redis of its own, ``liangbiping scheduler``, P ``liangbiping serve --no-scheduler`` behind
Debian's nginx with docs/deploy/nginx-liangbiping.conf), on the demo hall (``liangbiping demo``
seeds it into PostgreSQL) plus S hall screens and a few dozen kiosks. For each P:

1. S screens connect through nginx (python-socketio AsyncClients, websocket like the screen page,
   in ``--client-procs`` separate processes); the time to connect them all is printed.
2. Push: five times, a member's title is changed through nginx (the API) and every screen's
   arrival of the patch that carries it is timed from just before the request (one monotonic
   clock for all processes): p50, the median of the five per-change p99s, and the time to all.
3. Ratings: kiosks post ratings through nginx for ``--rating-seconds`` (raw keep-alive HTTP, as
   bench/rating_intake.py) while the screens stay connected and a change is pushed every second:
   ratings/s on PostgreSQL, their p50/p99, every 201 checked against the statistics' count, and
   the push latency under that load.
4. Reconnect storm: nginx's workers are killed (the master starts new ones at once), which drops
   every screen together; the screens reconnect as the page does (1 s, randomised by half, then
   backing off) and the time until every one holds the current version is printed, with the
   count of failed connection attempts.

Then the same screens against P bare python-socketio processes (bench/bare_broadcast.py, sharing
their clients through the same Redis) behind the same nginx configuration: the floor for 2 and 4.

    python bench/scale.py                                  # P = 1 2 4, 4,000 screens
    python bench/scale.py --processes 2 --screens 1000 --rating-seconds 10
    python bench/scale.py --json out.json

Needs nginx, redis-server and PostgreSQL's server programs (Debian packages), and a limit of open
files of at least about 2.5 x the screens (``ulimit -n``; 20,000 on the project machine).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import random
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

CHANGES = 5
# Where an edit's marker shows: a member's title, or the bare server's own section (looked at
# first, so that its clients do no more work than ours).
MARKED_SECTIONS = ("marker", "members", "all_members")
# A hall screen turns to its next slide about this often and acks it (the default lobby
# playlist, admin/push/playlists.py: 10–20 s a slide); 0: no slide acks (LIANGBIPING_BENCH_SLIDE_SECONDS).
SLIDE_SECONDS = float(os.environ.get("LIANGBIPING_BENCH_SLIDE_SECONDS", "15"))
BATCH = 50  # screens connecting at once per client process, when the fleet is first built


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))] if ordered else float("nan")


# --- the client processes ----------------------------------------------------------------------

class Fleet:
    """The screens of one client process, driven by line commands on stdin, answering JSON lines."""

    def __init__(self, url: str, tokens: list[str]):
        import socketio

        self.socketio = socketio
        self.url, self.tokens = url, tokens
        self.clients = []
        self.version: dict[int, int] = {}      # screen -> newest version seen
        self.marker = None
        self.arrived: dict[int, float] = {}    # screen -> when the marked patch arrived
        self.storm_from: dict[int, int] | None = None
        self.current: dict[int, float] = {}    # screen -> when it held the storm's version again
        self.errors = 0
        self.failed = 0
        self.received = {"state": 0, "patch": 0}  # events since the last "count"
        self.rotating = None

    def _client(self, i: int):
        fleet = self

        class PageLikeClient(self.socketio.AsyncClient):
            """Reconnects as the screen page's socket.io client does: 1 s randomised by half, then
            backing off to 30 s, and each attempt waits up to 20 s for the server (the JS
            client's ``timeout``; python-socketio's reconnects would give up after 1 s). A
            failed attempt is counted."""

            async def connect(self, *args, wait_timeout=20, **kwargs):
                try:
                    return await super().connect(*args, wait_timeout=wait_timeout, **kwargs)
                except Exception:
                    fleet.errors += 1
                    raise

        client = PageLikeClient(reconnection=True, reconnection_delay=1, reconnection_delay_max=30,
                                randomization_factor=0.5)

        async def on_state(data):
            self._saw(i, data, "state")
            await self._ack(client, i)

        async def on_patch(data):
            self._saw(i, data, "patch")
            await self._ack(client, i)

        client.on("state", on_state, namespace="/display")
        client.on("patch", on_patch, namespace="/display")
        return client

    def _saw(self, i: int, data, kind: str) -> None:
        now = time.monotonic()
        self.received[kind] += 1
        version = data.get("version", 0) if isinstance(data, dict) else 0
        self.version[i] = max(self.version.get(i, 0), version)
        if self.marker and kind == "patch" and i not in self.arrived and self._marked(data.get("sections")):
            self.arrived[i] = now
        if self.storm_from is not None and kind == "state" and i not in self.current \
                and version >= self.storm_from.get(i, 0):
            self.current[i] = now

    async def _ack(self, client, i: int) -> None:
        # As the screen page does after applying each state and patch, and at each slide it turns
        # to (rotate): thousands of events back to the server after each push.
        if client.connected:
            try:
                await client.emit("ack", {"version": self.version.get(i, 0), "slide": "members",
                                          "resolution": "1920x1080"}, namespace="/display")
            except Exception:  # noqa: BLE001 - a socket going away meanwhile: the page's ack is lost too
                pass

    async def rotate(self) -> None:
        """Each screen acks a slide change every SLIDE_SECONDS, spread evenly over the fleet."""
        if not self.clients:
            return
        i = 0
        while True:
            await asyncio.sleep(SLIDE_SECONDS / len(self.clients))
            i = (i + 1) % len(self.clients)
            if self.version.get(i):
                await self._ack(self.clients[i], i)

    def _marked(self, sections) -> bool:
        # Only the sections a title is in: encoding every patch (the boards' too) again to look for
        # the marker was CPU these simulated screens took from the server on the same two cores.
        if not isinstance(sections, dict):
            return False
        return any(self.marker in json.dumps(sections[name], ensure_ascii=False)
                   for name in MARKED_SECTIONS if name in sections)

    async def connect(self) -> dict:
        start = time.monotonic()
        self.clients = [self._client(i) for i in range(len(self.tokens))]

        async def one(i):
            try:
                await self.clients[i].connect(self.url, namespaces=["/display"],
                                              auth={"token": self.tokens[i], "resolution": "1920x1080"},
                                              transports=["websocket"], wait_timeout=60)
            except Exception:  # noqa: BLE001 - counted and reported, not fatal to the fleet
                self.failed += 1

        for first in range(0, len(self.clients), BATCH):
            await asyncio.gather(*(one(i) for i in range(first, min(first + BATCH, len(self.clients)))))
        gc.collect()
        gc.freeze()  # the clients' objects: a collector pause here would be charged to the server
        if SLIDE_SECONDS > 0:
            self.rotating = asyncio.ensure_future(self.rotate())
        return {"connected": sum(c.connected for c in self.clients), "failed": self.failed,
                "seconds": time.monotonic() - start}

    async def command(self, line: str) -> dict:
        verb, _, arg = line.strip().partition(" ")
        if verb == "connect":
            return await self.connect()
        if verb == "arm":
            self.marker, self.arrived = arg, {}
            return {"ok": True}
        if verb == "collect":
            deadline = time.monotonic() + float(arg or 30)
            while len(self.arrived) < len(self.clients) and time.monotonic() < deadline:
                await asyncio.sleep(0.005)
            return {"arrivals": list(self.arrived.values()), "missing": len(self.clients) - len(self.arrived)}
        if verb == "storm":
            self.storm_from = {i: (self.version.get(i, 0) if arg != "any" else 0) for i in range(len(self.clients))}
            self.current, self.errors = {}, 0
            return {"ok": True}
        if verb == "count":
            counted, self.received = self.received, {"state": 0, "patch": 0}
            return counted
        if verb == "status":
            return {"current": len(self.current), "of": len(self.clients), "errors": self.errors,
                    "last": max(self.current.values(), default=None)}
        if verb == "close":
            self.storm_from = None
            if self.rotating is not None:
                self.rotating.cancel()
            for client in self.clients:
                client.reconnection = False
            await asyncio.gather(*(c.disconnect() for c in self.clients), return_exceptions=True)
            return {"ok": True}
        return {"error": f"unknown command {verb}"}


async def client_main(url: str, tokens_file: str) -> None:
    fleet = Fleet(url, json.loads(Path(tokens_file).read_text()))
    loop = asyncio.get_running_loop()
    while True:
        line = await loop.run_in_executor(None, sys.stdin.readline)
        if not line:
            break
        answer = await fleet.command(line)
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()
        if line.startswith("close"):
            break


class Clients:
    """The client processes, commanded together."""

    def __init__(self, url: str, tokens: list[str], procs: int, workdir: Path):
        self.procs = []
        for n in range(procs):
            part = tokens[n::procs]
            path = workdir / f"tokens-{n}.json"
            path.write_text(json.dumps(part))
            self.procs.append(subprocess.Popen([sys.executable, __file__, "--client", url, str(path)],
                                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True))

    def ask(self, line: str) -> list[dict]:
        for proc in self.procs:
            proc.stdin.write(line + "\n")
            proc.stdin.flush()
        return [json.loads(proc.stdout.readline()) for proc in self.procs]

    def close(self) -> None:
        try:
            self.ask("close")
        except (OSError, ValueError):
            pass
        for proc in self.procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()


# --- the rating load -----------------------------------------------------------------------------

def ratings_main(url: str, kiosks_file: str, seconds: float, hours_back: float) -> None:
    """Post ratings through nginx from every kiosk for ``seconds``; print latencies and codes.
    Each kiosk's ratings go back in time from ``hours_back`` ago, 3.5 s apart: runs of one bench
    do not overlap, or the repeat-press rule would flag them (a cheaper path)."""
    from rating_intake import client

    kiosks = json.loads(Path(kiosks_file).read_text())
    host, port = url.split("//")[1].split(":")

    async def run():
        lat, codes = [], {}
        start = time.monotonic()
        first = datetime.now(timezone.utc) - timedelta(hours=hours_back)
        await asyncio.gather(*(client(host, int(port), k["token"], k["staff_id"], start + seconds, lat, codes, first)
                               for k in kiosks))
        return lat, codes, time.monotonic() - start

    lat, codes, took = asyncio.run(run())
    used = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({"latencies": lat, "codes": codes, "seconds": took, "cpu": used.ru_utime + used.ru_stime}))


# --- the province --------------------------------------------------------------------------------

class Bench:
    def __init__(self, workdir: Path, args):
        from tests.deploy.province import Postgres, Redis, Scheduler

        self.workdir, self.args = workdir, args
        self.postgres = Postgres(workdir / "postgres")
        self.redis = Redis(workdir / "redis")
        self.data_dir = workdir / "data"
        self.env = {**os.environ, "DATABASE_URL": self.postgres.url, "REDIS_URL": self.redis.url,
                    "SECRET_KEY": "bench-scale-secret", "LIANGBIPING_TRUSTED_PROXIES": "127.0.0.1",
                    "LIANGBIPING_RATING_BURST_KIOSK": "0/1"}
        self.scheduler = Scheduler(self.data_dir, self.env)
        self.servers, self.nginx = [], None
        self.rating_runs = 0

    # The hall: the demo hall, S more hall screens, kiosks at the windows where members are on duty.
    def seed(self) -> None:
        from tests.livesrv import Api, LiveServer, admin_token

        self.postgres.init()
        self.redis.start()
        demo = LiveServer(self.data_dir, env=self.env, command="demo", args=("--no-scheduler",))
        demo.start(timeout=120)
        self.scheduler.start()
        self.token = admin_token(demo)
        api = Api(demo, self.token)
        members = [m for m in api.get("/staff?per_page=100")["items"] if m["window_id"]]
        for m in members:
            if not m["on_duty"]:
                api.patch(f"/staff/{m['id']}", {"on_duty": True})
        self.member = members[0]
        started = time.monotonic()
        self.screens = asyncio.run(self._screens(demo.url, self.args.screens))
        print(f"seeded: the demo hall, {len(self.screens)} more hall screens "
              f"({time.monotonic() - started:.0f} s)", flush=True)
        by_window: dict[int, list[int]] = {}
        for m in members:
            by_window.setdefault(m["window_id"], []).append(m["id"])
        self.kiosks = []
        for n in range(self.args.kiosks):
            window = sorted(by_window)[n % len(by_window)]
            kiosk = api.post("/kiosks", {"name": f"压测评价器{n}", "window_id": window})
            staff = by_window[window][(n // len(by_window)) % len(by_window[window])]
            self.kiosks.append({"token": kiosk["token"], "staff_id": staff})
        demo.stop()

    async def _screens(self, url: str, n: int) -> list[str]:
        import aiohttp

        async with aiohttp.ClientSession(headers={"Authorization": f"Bearer {self.token}"}) as http:
            async def one(i):
                async with http.post(url + "/api/v1/screens", json={"name": f"压测屏{i:04d}"}) as r:
                    assert r.status == 201, await r.text()
                    return (await r.json())["token"]

            tokens = []
            for first in range(0, n, 20):
                tokens += await asyncio.gather(*(one(i) for i in range(first, min(first + 20, n))))
            return tokens

    def start(self, processes: int, bare: bool = False) -> str:
        from tests.deploy.province import Nginx, wait_port
        from tests.livesrv import LiveServer, free_port

        if bare:
            ports = [free_port() for _ in range(processes)]
            self.servers = [subprocess.Popen([sys.executable, str(ROOT / "bench" / "bare_broadcast.py"), str(p)]
                                             + ([self.redis.url] if processes > 1 else [])) for p in ports]
            for p in ports:
                wait_port(p)
        else:
            self.servers = [LiveServer(self.data_dir, env=self.env, args=("--no-scheduler",))
                            for _ in range(processes)]
            for server in self.servers:
                server.start(timeout=60)
            ports = [s.port for s in self.servers]
        self.nginx = Nginx(self.workdir / f"nginx-{processes}{'-bare' if bare else ''}", ports, workers=2,
                           connections=max(4096, 3 * self.args.screens)).start()
        return self.nginx.url

    def stop(self) -> None:
        if self.nginx:
            self.nginx.stop()
        for server in self.servers:
            if isinstance(server, subprocess.Popen):
                server.terminate()
                server.wait()
            else:
                server.stop()
        self.servers, self.nginx = [], None

    def close(self) -> None:
        self.stop()
        for part in (self.scheduler, self.redis, self.postgres):
            try:
                part.remove() if part is self.postgres else part.stop()
            except Exception as exc:  # noqa: BLE001 - stop the rest regardless
                print(f"({part.__class__.__name__} did not stop cleanly: {exc})", file=sys.stderr)

    # --- the measurements ---

    def change(self, url: str, marker: str) -> None:
        r = requests.patch(f"{url}/api/v1/staff/{self.member['id']}", json={"title": marker},
                           headers={"Authorization": f"Bearer {self.token}"}, timeout=30)
        r.raise_for_status()

    def push_once(self, clients: Clients, trigger, marker: str) -> tuple[list[float], int]:
        clients.ask(f"arm {marker}")
        t0 = time.monotonic()
        trigger()
        answers = clients.ask("collect 30")
        arrivals = [(t - t0) * 1000 for a in answers for t in a["arrivals"]]
        return arrivals, sum(a["missing"] for a in answers)

    def push(self, clients: Clients, trigger, label: str, changes: int = CHANGES, pause: float = 0.5) -> dict:
        runs, missing = [], 0
        for i in range(changes):
            marker = f"{label}标记{i}-{random.randrange(10**6)}"
            arrivals, lost = self.push_once(clients, lambda m=marker: trigger(m), marker)
            runs.append(arrivals)
            missing += lost
            time.sleep(pause)
        pooled = [ms for run in runs for ms in run]
        return {"p50": statistics.median(pooled), "p99": statistics.median(pct(r, 99) for r in runs),
                "pooled_p99": pct(pooled, 99), "all": statistics.median(max(r) for r in runs), "missing": missing}

    def storm(self, clients: Clients, any_version: bool = False, timeout: float = 120) -> dict:
        clients.ask("storm any" if any_version else "storm")
        master = self.nginx.proc.pid
        workers = [int(p) for p in subprocess.run(["pgrep", "-P", str(master)], capture_output=True,
                                                   text=True).stdout.split()]
        t0 = time.monotonic()
        for pid in workers:
            os.kill(pid, signal.SIGKILL)
        while True:
            time.sleep(0.25)
            answers = clients.ask("status")
            current, of = sum(a["current"] for a in answers), sum(a["of"] for a in answers)
            if current >= of or time.monotonic() - t0 > timeout:
                break
        last = max((a["last"] for a in answers if a["last"]), default=t0)
        return {"seconds": last - t0, "current": current, "of": of, "errors": sum(a["errors"] for a in answers),
                "workers_killed": len(workers)}

    def ratings(self, url: str, clients: Clients) -> tuple[dict, dict]:
        seconds = self.args.rating_seconds
        before, before_flagged = self.counted(url), self.stored(url, flagged="true")
        parts = self.parts()
        cpu_before = {part: {pid: cpu_seconds(pid) for pid in pids} for part, pids in parts.items()}
        screens_before = {p.pid: cpu_seconds(p.pid) for p in clients.procs}
        clients.ask("count")
        loads = []
        for n in range(self.args.rating_procs):
            part = self.workdir / f"kiosks-{n}.json"
            part.write_text(json.dumps(self.kiosks[n::self.args.rating_procs]))
            loads.append(subprocess.Popen([sys.executable, __file__, "--ratings", url, str(part), str(seconds),
                                           str(3 * self.rating_runs)],
                                          stdout=subprocess.PIPE, text=True))
        # A hall's content changes now and then, not all the time: two edits during the load,
        # each reaching every screen (at 4,000 screens a patch to all is ~70 MB through nginx).
        time.sleep(seconds / 3)
        pushes = self.push(clients, lambda m: self.change(url, m), "评价中", changes=2, pause=seconds / 4)
        results = [json.loads(load.communicate(timeout=seconds + 120)[0]) for load in loads]
        self.rating_runs += 1
        # CPU per rating, by part (PostgreSQL backends started meanwhile are counted from zero).
        now_parts = self.parts()
        cpu = {part: sum(cpu_seconds(pid) - cpu_before[part].get(pid, 0.0) for pid in pids)
               for part, pids in now_parts.items()}
        cpu["rating clients"] = sum(r["cpu"] for r in results)
        cpu["screen clients"] = sum(cpu_seconds(p.pid) - screens_before[p.pid] for p in clients.procs)
        # What reached the screens meanwhile: the two edits and a board patch every 10 s or so.
        received = clients.ask("count")
        per_screen = {kind: sum(a[kind] for a in received) / max(len(self.screens), 1) for kind in ("state", "patch")}
        result = {"latencies": [ms for r in results for ms in r["latencies"]], "codes": {},
                  "seconds": max(r["seconds"] for r in results)}
        for r in results:
            for code, n in r["codes"].items():
                result["codes"][code] = result["codes"].get(code, 0) + n
        created = result["codes"].get("201", 0)
        counted = self.counted(url) - before
        flagged = self.stored(url, flagged="true") - before_flagged
        lat = [s * 1000 for s in result["latencies"]]
        return ({"per_second": created / result["seconds"], "p50": pct(lat, 50), "p99": pct(lat, 99),
                 "created": created, "counted": counted, "flagged": flagged, "codes": result["codes"],
                 "per_screen": per_screen,
                 "cpu_ms_per_rating": {part: 1000 * seconds_used / max(created, 1) for part, seconds_used in cpu.items()},
                 "cpu_cores": {part: seconds_used / result["seconds"] for part, seconds_used in cpu.items()}}, pushes)

    def parts(self) -> dict[str, list[int]]:
        """The processes of each part of the province now: {part: [pid]} (PostgreSQL's backends too)."""
        out = {"serve": [s.pid if isinstance(s, subprocess.Popen) else s.proc.pid for s in self.servers]}
        out["nginx"] = children(self.nginx.proc.pid)
        postmaster = int((self.postgres.data / "postmaster.pid").read_text().split()[0])
        out["postgres"] = [postmaster, *children(postmaster)]
        out["redis"] = [self.redis.proc.pid]
        return out

    def stored(self, url: str, **filters) -> int:
        r = requests.get(f"{url}/api/v1/ratings", params={"per_page": 1, **filters},
                         headers={"Authorization": f"Bearer {self.token}"}, timeout=60)
        r.raise_for_status()
        return r.json()["total"]

    def counted(self, url: str) -> int:
        r = requests.get(f"{url}/api/v1/stats/satisfaction", params={"from": (date.today() - timedelta(days=60)).isoformat()},
                         headers={"Authorization": f"Bearer {self.token}"}, timeout=60)
        r.raise_for_status()
        return r.json()["count"]


def children(pid: int) -> list[int]:
    return [int(p) for p in subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()]


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process so far (0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_size(bench: Bench, processes: int, patch_payload: dict | None) -> dict:
    out = {"processes": processes}
    workdir = bench.workdir / f"p{processes}"
    workdir.mkdir(exist_ok=True)
    url = bench.start(processes)
    clients = Clients(url, bench.screens, bench.args.client_procs, workdir)
    try:
        answers = clients.ask("connect")
        out["connect"] = {"connected": sum(a["connected"] for a in answers), "failed": sum(a["failed"] for a in answers),
                          "seconds": max(a["seconds"] for a in answers)}
        print(f"  P={processes}: {out['connect']['connected']} screens connected in "
              f"{out['connect']['seconds']:.1f} s ({out['connect']['failed']} failed)", flush=True)
        time.sleep(2)
        out["push"] = bench.push(clients, lambda m: bench.change(url, m), "空闲")
        print(f"  P={processes}: push p50 {out['push']['p50']:.0f} ms, p99 {out['push']['p99']:.0f} ms, "
              f"all {out['push']['all']:.0f} ms, missing {out['push']['missing']}", flush=True)
        out["ratings"], out["push_under_load"] = bench.ratings(url, clients)
        r = out["ratings"]
        print(f"  P={processes}: CPU ms per rating: " + ", ".join(
            f"{part} {ms:.2f} ({r['cpu_cores'][part]:.2f} cores)" for part, ms in r["cpu_ms_per_rating"].items()),
            flush=True)
        print(f"  P={processes}: ratings {r['per_second']:.0f}/s (p50 {r['p50']:.0f} ms, p99 {r['p99']:.0f} ms), "
              f"{r['created']} acknowledged, {r['counted']} counted, {r['flagged']} flagged, codes {r['codes']}; "
              f"each screen got {r['per_screen']['patch']:.1f} patches and {r['per_screen']['state']:.1f} states; "
              f"push under load p50 "
              f"{out['push_under_load']['p50']:.0f} ms, p99 {out['push_under_load']['p99']:.0f} ms", flush=True)
        if not bench.args.no_storm:
            time.sleep(2)
            out["storm"] = bench.storm(clients)
            s = out["storm"]
            print(f"  P={processes}: reconnect storm: {s['current']}/{s['of']} current after {s['seconds']:.1f} s, "
                  f"{s['errors']} failed connection attempts", flush=True)
    finally:
        clients.close()
        bench.stop()
    if patch_payload is not None:
        out["bare"] = run_bare(bench, processes, patch_payload)
    return out


def run_bare(bench: Bench, processes: int, payload: dict) -> dict:
    workdir = bench.workdir / f"p{processes}-bare"
    workdir.mkdir(exist_ok=True)
    url = bench.start(processes, bare=True)
    clients = Clients(url, ["bare"] * len(bench.screens), bench.args.client_procs, workdir)
    out = {}
    try:
        answers = clients.ask("connect")
        out["connect"] = {"connected": sum(a["connected"] for a in answers),
                          "seconds": max(a["seconds"] for a in answers)}
        time.sleep(2)
        versions = iter(range(1, 10**6))

        def broadcast(marker):
            body = dict(payload, version=next(versions))
            body["sections"] = dict(payload.get("sections", {}), marker=marker)
            requests.post(url + "/broadcast", json=body, timeout=30).raise_for_status()

        out["push"] = bench.push(clients, broadcast, "bare")
        if not bench.args.no_storm:
            time.sleep(2)
            out["storm"] = bench.storm(clients, any_version=True)
        print(f"  P={processes} bare: {out['connect']['connected']} connected in {out['connect']['seconds']:.1f} s; "
              f"push p50 {out['push']['p50']:.0f} ms, p99 {out['push']['p99']:.0f} ms, all {out['push']['all']:.0f} ms"
              + (f"; storm {out['storm']['seconds']:.1f} s, {out['storm']['errors']} failed"
                 if "storm" in out else ""), flush=True)
    finally:
        clients.close()
        bench.stop()
    return out


def sample_patch(bench: Bench) -> dict:
    """The patch a screen gets for a member's new title: the bare servers broadcast the same bytes."""
    import socketio

    url = bench.start(1)
    got = {}
    try:
        client = socketio.Client()
        client.on("patch", lambda data: got.setdefault("patch", data), namespace="/display")
        client.connect(url, namespaces=["/display"], auth={"token": bench.screens[0], "resolution": "1920x1080"},
                       transports=["websocket"])
        time.sleep(1)
        bench.change(url, "样本标记")
        deadline = time.monotonic() + 10
        while "patch" not in got and time.monotonic() < deadline:
            time.sleep(0.05)
        client.disconnect()
    finally:
        bench.stop()
    return got["patch"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--screens", type=int, default=4000)
    parser.add_argument("--client-procs", type=int, default=4)
    parser.add_argument("--kiosks", type=int, default=200, help="kiosks posting ratings, each one at a time")
    parser.add_argument("--rating-procs", type=int, default=2, help="processes the kiosks are spread over")
    parser.add_argument("--rating-seconds", type=float, default=20)
    parser.add_argument("--no-bare", action="store_true")
    parser.add_argument("--only-bare", action="store_true", help="the bare python-socketio runs alone")
    parser.add_argument("--no-storm", action="store_true")
    parser.add_argument("--json", default=None)
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    print(f"bench/scale.py: {args.screens} screens, P = {args.processes}, {os.cpu_count()} cores, "
          f"load {os.getloadavg()[0]:.2f}, open files {hard}", flush=True)
    results = []
    with tempfile.TemporaryDirectory(prefix="lbp-scale-") as tmp:
        bench = Bench(Path(tmp), args)
        try:
            bench.seed()
            payload = None if args.no_bare else sample_patch(bench)
            if payload is not None:
                print(f"patch of a title change: {len(json.dumps(payload, ensure_ascii=False).encode())} B", flush=True)
            for processes in args.processes:
                if args.only_bare:
                    run_bare(bench, processes, payload)  # prints its figures
                    continue
                results.append(run_size(bench, processes, payload))
        finally:
            bench.close()
    print()
    print(f"{'P':>2} | {'connect s':>9} | {'push p50':>8} {'p99':>6} {'all':>6} | {'bare p50':>8} {'p99':>6} "
          f"{'all':>6} | {'p99 x':>5} | {'ratings/s':>9} {'p99':>5} {'lost':>4} | {'loaded p99':>10} | "
          f"{'storm s':>7} {'failed':>6} | {'bare storm':>10}")
    for r in results:
        bare = r.get("bare", {})
        ratio = r["push"]["p99"] / bare["push"]["p99"] if bare else float("nan")
        storm, bstorm = r.get("storm", {}), bare.get("storm", {})
        print(f"{r['processes']:>2} | {r['connect']['seconds']:>9.1f} | {r['push']['p50']:>8.0f} {r['push']['p99']:>6.0f} "
              f"{r['push']['all']:>6.0f} | {bare.get('push', {}).get('p50', float('nan')):>8.0f} "
              f"{bare.get('push', {}).get('p99', float('nan')):>6.0f} {bare.get('push', {}).get('all', float('nan')):>6.0f} | "
              f"{ratio:>5.2f} | {r['ratings']['per_second']:>9.0f} {r['ratings']['p99']:>5.0f} "
              f"{r['ratings']['created'] - r['ratings']['counted'] - r['ratings']['flagged']:>4} | {r['push_under_load']['p99']:>10.0f} | "
              f"{storm.get('seconds', float('nan')):>7.1f} {storm.get('errors', 0):>6} | "
              f"{bstorm.get('seconds', float('nan')):>10.1f}")
    print("(ms unless marked; push p99 = median of the per-change p99s; lost = acknowledged ratings neither counted nor flagged)")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    if len(sys.argv) > 1 and sys.argv[1] == "--client":
        asyncio.run(client_main(sys.argv[2], sys.argv[3]))
    elif len(sys.argv) > 1 and sys.argv[1] == "--ratings":
        ratings_main(sys.argv[2], sys.argv[3], float(sys.argv[4]), float(sys.argv[5]))
    else:
        main()
