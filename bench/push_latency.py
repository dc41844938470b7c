"""Push latency: N screens on a real ``liangbiping serve``, a change through the API, time to every screen.

For N in (100, 500, 1000) by default: connect N hall screens (python-socketio AsyncClient,
websocket), then five times change a member's post through the API and note, per screen,
the time from just before the API call to the arrival of the ``patch``. The same run does
the same against a bare python-socketio server broadcasting the same payload (the floor)
and prints the ratio of the p99s.

The p99 is taken per change (over the N screens) and the median of the five is reported, as
the floor in the project workspace's ../shared/FACTS.md was measured; the p99 of all 5 x N
arrivals pooled is printed too.
Both fleets freeze the benchmark process's own garbage after connecting, so that a pause of
the clients' collector (1,000 clients are many objects) is not charged to either server.

    python bench/push_latency.py                     # 100, 500, 1000
    python bench/push_latency.py --sizes 1000 --repeat 5
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
import socketio

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.livesrv import LiveServer, admin_token, free_port  # noqa: E402

CHANGES = 5


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


class Fleet:
    """N socket clients that time-stamp each ``patch`` they get."""

    def __init__(self, url: str, tokens: list[str]):
        self.url, self.tokens = url, tokens
        self.clients: list[socketio.AsyncClient] = []
        self.arrivals: list[float] = []
        self.payload = None

    async def connect(self):
        async def one(token):
            client = socketio.AsyncClient(reconnection=False)

            @client.on("patch", namespace="/display")
            async def patch(data):
                self.arrivals.append(time.perf_counter())
                self.payload = data

            await client.connect(self.url, namespaces=["/display"], auth={"token": token},
                                 transports=["websocket"], wait_timeout=60)
            self.clients.append(client)

        for start in range(0, len(self.tokens), 50):
            await asyncio.gather(*(one(t) for t in self.tokens[start:start + 50]))
        gc.collect()
        gc.freeze()

    async def measure(self, trigger) -> tuple[list[float], float]:
        """Latencies (ms) of one change to every client, and the time (ms) until the last had it."""
        self.arrivals = []
        t0 = time.perf_counter()
        await trigger()
        deadline = time.perf_counter() + 30
        while len(self.arrivals) < len(self.clients) and time.perf_counter() < deadline:
            await asyncio.sleep(0.002)
        if len(self.arrivals) < len(self.clients):
            raise RuntimeError(f"only {len(self.arrivals)} of {len(self.clients)} screens got the change")
        latencies = [(t - t0) * 1000 for t in self.arrivals]
        return latencies, max(latencies)

    async def close(self):
        await asyncio.gather(*(c.disconnect() for c in self.clients), return_exceptions=True)
        gc.unfreeze()


async def run_liangbiping(n: int, workdir: Path) -> tuple[dict, dict]:
    server = LiveServer(workdir / f"lbp-{n}")
    token = admin_token(server)
    server.start()
    headers = {"Authorization": f"Bearer {token}"}
    try:
        async with aiohttp.ClientSession(headers=headers) as http:
            async def api(method, path, body=None):
                async with http.request(method, server.url + "/api/v1" + path, json=body) as r:
                    assert r.status < 400, await r.text()
                    return await r.json()

            member = await api("POST", "/staff", {"name": "王芳", "employee_no": "B0001", "title": "窗口受理员",
                                                  "on_duty": True})
            tokens = []
            for i in range(n):
                tokens.append((await api("POST", "/screens", {"name": f"bench-{i}"}))["token"])
            fleet = Fleet(server.url, tokens)
            await fleet.connect()
            await asyncio.sleep(1.0)
            changes = []
            for i in range(CHANGES):
                changes.append(await fleet.measure(
                    lambda i=i: api("PATCH", f"/staff/{member['id']}", {"title": f"窗口受理员{i}"})))
                await asyncio.sleep(0.5)
            payload = fleet.payload
            await fleet.close()
    finally:
        try:
            server.stop()
        except Exception as exc:  # noqa: BLE001 - do not hide the measurement's own error
            print(f"(server did not stop cleanly: {exc})", file=sys.stderr)
    return summarise(changes), payload


async def run_bare(n: int, payload: dict) -> dict:
    port = free_port()
    proc = subprocess.Popen([sys.executable, str(ROOT / "bench" / "bare_broadcast.py"), str(port)])
    url = f"http://127.0.0.1:{port}"
    try:
        async with aiohttp.ClientSession() as http:
            for _ in range(100):
                try:
                    async with http.get(url + "/healthz") as r:
                        if r.status == 200:
                            break
                except aiohttp.ClientError:
                    await asyncio.sleep(0.1)
            fleet = Fleet(url, ["x"] * n)
            await fleet.connect()
            await asyncio.sleep(1.0)
            changes = []
            for i in range(CHANGES):
                body = dict(payload, version=payload["version"] + i)

                async def trigger(body=body):
                    async with http.post(url + "/broadcast", json=body) as r:
                        assert r.status == 204

                changes.append(await fleet.measure(trigger))
                await asyncio.sleep(0.5)
            await fleet.close()
    finally:
        proc.terminate()
        proc.wait()
    return summarise(changes)


def summarise(changes: list[tuple[list[float], float]]) -> dict:
    """p50 and pooled p99 over every arrival; p99 per change, median of the changes; time to all."""
    pooled = [ms for latencies, _total in changes for ms in latencies]
    return {"p50": statistics.median(pooled), "pooled": pct(pooled, 99),
            "p99": statistics.median(pct(latencies, 99) for latencies, _total in changes),
            "all": statistics.median(total for _latencies, total in changes)}


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 500, 1000])
    parser.add_argument("--repeat", type=int, default=1, help="runs per size (each: ours, then the bare server)")
    args = parser.parse_args()
    print(f"{'screens':>8} | {'liangbiping p50':>15} {'p99':>7} {'pooled':>7} {'all':>7} | {'bare p50':>8} {'p99':>7} "
          f"{'pooled':>7} {'all':>7} | {'p99 ratio':>9} {'pooled':>6}   (ms; {CHANGES} changes each; payload)")
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            for run in range(args.repeat):
                ours, payload = await run_liangbiping(n, Path(tmp) / f"run{run}")
                bare = await run_bare(n, payload)
                size = len(json.dumps(payload, ensure_ascii=False).encode())
                print(f"{n:>8} | {ours['p50']:>15.1f} {ours['p99']:>7.1f} {ours['pooled']:>7.1f} {ours['all']:>7.1f} | "
                      f"{bare['p50']:>8.1f} {bare['p99']:>7.1f} {bare['pooled']:>7.1f} {bare['all']:>7.1f} | "
                      f"{ours['p99'] / bare['p99']:>9.2f} {ours['pooled'] / bare['pooled']:>6.2f}   ({size} B)", flush=True)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    asyncio.run(main())
