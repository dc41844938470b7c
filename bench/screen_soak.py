"""Screen soak: a hall screen rotating its slides for more than a day's worth, in chromium, while
the hall changes under it; its JS heap and DOM nodes must end where they started (within 10 %).

    python bench/screen_soak.py [--changes 10000] [--warmup 3000] [--speed 1000] [--push-every 50]
                                [--samples 10] [--window-screens] [--json out.json]

Starts ``liangbiping demo`` in a temporary data dir (the demo hall: 19 members, 11 windows,
20 service items, pledges, honors, notices, one hall screen and four window screens), puts the
rostered members on duty (the demo seeds them away outside opening hours) and opens the hall
screen (1920x1080, its default playlist) in Debian's chromium.

Fast rotation: the page's slide timers run ``--speed`` times faster (``lbpScreen.pace.scale``, set
from the bench; only a script in the page can change it, see docs/PERFORMANCE.md). Playwright's
``page.clock`` does not do here: socket.io's ping timer runs on the same fake clock, so every
fake minute the screen drops its connection ("ping timeout") while the server's pings come in
real time, and the pushes would not reach it. Everything else is as on a hall's screen: the
page's own timers, its socket, the server's pushes.

While it rotates, every ``--push-every`` slide changes the bench edits the hall through the API
(``PATCH``), in turn: a member's post, a notice's title, a member going away and then back on
duty; each edit is waited for until the page has applied its patch.

Samples (start, ``--samples`` during, end): the rotation is brought to the first page of the
identity wall (same content each time; the member taken away is back on duty) and stays there,
at a hall's pace, for the measure. After a second (photos of the slides just replaced may still
be loading, and a loading image keeps its slide alive) chromium collects garbage (CDP
``HeapProfiler.collectGarbage``, twice), then CDP ``Performance.getMetrics`` gives the JS heap in
use, the DOM nodes alive (in the document or not) and the JS event listeners, and the page counts
the elements in its document. At start and end a heap snapshot splits the JS heap into compiled
code (bytecode, machine code and their tables) and the rest (objects, strings, closures, arrays).

The start sample follows a warm-up (``--warmup`` changes, by default 3,000, about 8 h at a hall's
pace): fonts and photos are loaded, and V8 has compiled the slide functions it runs most. It goes
on compiling the rarer ones (a slide kind's ``render`` runs once a rotation) for days of
rotation, so the heap's compiled code grows slowly while its objects stay flat; the split shows
which is which.

Exit status 1 when the heap or the node count moved by more than 10 % from start to end, the
page reloaded, or lost its connection by the end (an edit not applied stops the run).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from tests.browser.screen_support import demo_on_duty, screen_context  # noqa: E402
from tests.browser.test_screen_soak import TO_FIRST_PAGE  # noqa: E402 - one way to hold the rotation still
from tests.livesrv import Api, LiveServer, admin_token  # noqa: E402

LIMIT_PCT = 10.0

COUNTS = """() => ({
    elements: document.getElementsByTagName("*").length,
    changes: window.lbpScreen.rotation.changes,
    shown_ms: window.lbpScreen.rotation.shownMs,
    draws: window.__soakDraws,
    version: window.lbpScreen.model.version,
    applied: window.__soakApplied,
    connected: window.lbpScreen.socket.connected,
    same_page: window.__soakPage === window.__soakMarker,
    slide: window.lbpScreen.rotation.kind,
})"""


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=10_000, help="slide changes to drive (default 10,000)")
    parser.add_argument("--speed", type=float, default=1000, help="how many times faster than a hall the slides turn")
    parser.add_argument("--push-every", type=int, default=50, help="an edit through the API every N slide changes")
    parser.add_argument("--samples", type=int, default=10, help="samples during the run, besides start and end")
    parser.add_argument("--warmup", type=int, default=3000,
                        help="slide changes before the start sample (default 3,000: about 8 h at a hall's pace)")
    parser.add_argument("--window-screens", action="store_true",
                        help="also open the demo's four window screens (their idle redraw sped up the same way)")
    parser.add_argument("--json", help="also write the figures to this file")
    return parser.parse_args(argv)


class Screen:
    """One screen page with its CDP session."""

    def __init__(self, context, server: LiveServer, screen_id: str, token: str):
        self.page = context.new_page()
        self.page.add_init_script("""
            window.__soakApplied = 0;
            window.addEventListener("lbp:applied", () => { window.__soakApplied += 1; });
            // Every time the stage is drawn (a window screen redraws its one slide each minute).
            window.__soakDraws = 0;
            document.addEventListener("DOMContentLoaded", () => new MutationObserver(() => {
                window.__soakDraws += 1;
            }).observe(document.getElementById("stage"), {childList: true}));
        """)
        self.page.goto(f"{server.url}/display/{screen_id}#token={token}")
        self.page.wait_for_function("() => window.lbpScreen && window.lbpScreen.model.version >= 0 "
                                    "&& window.lbpScreen.socket.connected", timeout=30_000)
        # A reload would start a fresh page (and a fresh heap): the marker would be gone.
        self.page.evaluate("window.__soakMarker = window.__soakPage = Math.random()")
        self.cdp = context.new_cdp_session(self.page)
        self.cdp.send("Performance.enable")

    def speed(self, factor: float) -> None:
        self.factor = factor
        self.page.evaluate("f => { window.lbpScreen.pace.scale = 1 / f; window.lbpScreen.advance(); }", factor)

    def measure_still(self) -> dict:
        """A window screen's measure: its minute's redraw put back to a minute first."""
        self.page.evaluate("() => { window.lbpScreen.pace.scale = 1; }")
        self.page.wait_for_timeout(500)  # the redraw due within the sped-up minute, then a real minute
        figures = self.measure()
        figures["split"] = heap_split(self.cdp)
        self.speed(self.factor)
        return figures

    def counts(self) -> dict:
        return self.page.evaluate(COUNTS)

    def measure(self) -> dict:
        # Images of the slides just replaced may still be loading (on a busy machine, with slides
        # 20 ms apart): a loading image stays alive with its slide until it is done.
        self.page.wait_for_timeout(1000)
        for _ in range(2):
            self.cdp.send("HeapProfiler.collectGarbage")
            self.page.wait_for_timeout(100)
        metrics = {m["name"]: m["value"] for m in self.cdp.send("Performance.getMetrics")["metrics"]}
        figures = self.counts()
        figures.update(heap=metrics["JSHeapUsedSize"], heap_total=metrics["JSHeapTotalSize"],
                       nodes=int(metrics["Nodes"]), listeners=int(metrics["JSEventListeners"]),
                       documents=int(metrics["Documents"]), layout_objects=int(metrics["LayoutObjects"]))
        return figures


def heap_split(cdp) -> dict:
    """A heap snapshot summed by what its objects are: compiled code (``code``: bytecode, machine
    code and their tables, which V8 adds as functions get hot) and everything else in the JS heap
    (objects, closures, arrays, strings...). Blink's own objects (``native``) are left out, as
    they are from the JS heap figure."""
    chunks: list[str] = []

    def take(event):
        chunks.append(event["chunk"])

    cdp.on("HeapProfiler.addHeapSnapshotChunk", take)
    try:
        cdp.send("HeapProfiler.takeHeapSnapshot", {"reportProgress": False})
    finally:
        cdp.remove_listener("HeapProfiler.addHeapSnapshotChunk", take)
    snap = json.loads("".join(chunks))
    meta = snap["snapshot"]["meta"]
    fields = meta["node_fields"]
    width, kinds = len(fields), meta["node_types"][0]
    kind_at, size_at = fields.index("type"), fields.index("self_size")
    nodes = snap["nodes"]
    code = other = 0
    for i in range(0, len(nodes), width):
        kind = kinds[nodes[i + kind_at]]
        if kind == "code":
            code += nodes[i + size_at]
        elif kind not in ("native", "synthetic"):
            other += nodes[i + size_at]
    return {"code": code, "objects": other}


def showing(notice: dict) -> bool:
    """A normal notice running now: the screen shows it, so editing it pushes a patch."""
    now = datetime.now(timezone.utc)
    starts, ends = notice.get("starts_at"), notice.get("ends_at")
    return (notice["priority"] != "urgent" and notice.get("active", True)
            and (not starts or datetime.fromisoformat(starts) <= now) and (not ends or datetime.fromisoformat(ends) > now))


def pct(start: float, end: float) -> float:
    return (end - start) / start * 100 if start else 0.0


def hours(ms: float) -> str:
    return f"{ms / 3_600_000:.1f} h"


def main(argv=None) -> int:
    args = parse_args(argv)
    from playwright.sync_api import sync_playwright

    load_before = os.getloadavg()
    data = Path(tempfile.mkdtemp(prefix="lbp-screen-soak-")) / "data"
    server = LiveServer(data, command="demo")
    started = time.monotonic()
    server.start(timeout=180)
    print(f"demo hall seeded and served in {time.monotonic() - started:.1f} s ({server.url})")
    samples: list[dict] = []
    split: dict = {}
    windows: list[dict] = []
    pushes = 0
    try:
        api = Api(server, admin_token(server))
        members = demo_on_duty(api)
        member, away = members[0], members[-1]
        notice = next(n for n in api.get("/notices?per_page=100")["items"] if showing(n))
        devices = json.loads((data / "demo-devices.json").read_text())
        screens = api.get("/screens?per_page=100")["items"]
        hall_screen = next(s for s in screens if s["kind"] == "hall")

        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            context = screen_context(browser)
            screen = Screen(context, server, str(hall_screen["id"]), devices["screens"][str(hall_screen["id"])])
            others = []
            if args.window_screens:
                for s in screens:
                    if s["kind"] == "window":
                        other = Screen(context, server, str(s["id"]), devices["screens"][str(s["id"])])
                        other.name = s["name"]
                        others.append(other)
            loaded = screen.measure()
            print(f"loaded: heap {loaded['heap'] / 1e6:.2f} MB, {loaded['nodes']} nodes "
                  f"({loaded['elements']} elements in the document)")

            def wait_changes(n: int) -> int:
                """Until the page has made n slide changes (asked twice a second: the bench's own
                calls into the page stay few)."""
                while True:
                    changes = screen.page.evaluate("() => window.lbpScreen.rotation.changes")
                    if changes >= n:
                        return changes
                    screen.page.wait_for_timeout(500)

            def edit(step: int) -> None:
                """One edit through the API, then wait until the page has applied its patch."""
                nonlocal pushes
                before = screen.page.evaluate("() => window.__soakApplied")
                kind = step % 4
                if kind == 0:
                    api.patch(f"/staff/{member['id']}", {"title": f"窗口受理员（第{step // 4 + 1}次调整）"})
                elif kind == 1:
                    api.patch(f"/notices/{notice['id']}", {"title": f"{notice['title']}（更新{step // 4 + 1}）"})
                else:
                    api.patch(f"/staff/{away['id']}", {"on_duty": kind == 3})
                screen.page.wait_for_function("n => window.__soakApplied > n", arg=before, timeout=15_000,
                                              polling=50)
                pushes += 1

            def sample(label: str, snapshot: bool = False) -> dict:
                for _ in range(5):
                    at = screen.page.evaluate(TO_FIRST_PAGE)
                    figures = screen.measure()
                    if figures["changes"] == at == screen.counts()["changes"]:
                        break  # still the same page: the measure is of the identity wall's first page
                figures.update(label=label, seconds=time.monotonic() - run_started, load=os.getloadavg()[0])
                if snapshot:
                    split[label] = heap_split(screen.cdp)
                samples.append(figures)
                print(f"{label:>6}: {figures['changes']:>6} changes, {hours(figures['shown_ms'])} at a hall's pace, "
                      f"heap {figures['heap'] / 1e6:.2f} MB, {figures['nodes']} nodes, "
                      f"{figures['listeners']} listeners ({figures['seconds']:.0f} s)", flush=True)
                screen.speed(args.speed)
                return figures

            run_started = time.monotonic()
            for other in others:
                other.speed(args.speed)
            screen.speed(args.speed)
            wait_changes(args.warmup)
            sample("start", snapshot=True)
            windows_start = [other.measure_still() for other in others]
            first = samples[0]["changes"]
            goal = first + args.changes
            every = max(1, args.changes // (args.samples + 1))
            next_sample = first + every
            next_push = first + args.push_every
            step = 0
            while True:
                changes = wait_changes(min(next_push, next_sample, goal))
                if changes >= next_push:
                    edit(step)
                    step += 1
                    next_push = changes + args.push_every
                if step % 4 == 3:
                    continue  # a member is away: no sample until they are back
                if changes >= goal:
                    break
                if changes >= next_sample:
                    sample(f"{len(samples)}")
                    next_sample += every
            sample("end", snapshot=True)
            for other, before in zip(others, windows_start):
                windows.append({"name": other.name, "before": before, "after": other.measure_still()})
            browser.close()
    finally:
        server.stop()
    load_after = os.getloadavg()

    start, end = samples[0], samples[-1]
    print()
    print("| sample | slide changes | at a hall's pace | elapsed | load | JS heap used | DOM nodes (alive) "
          "| elements in the document | JS listeners | edits applied |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for s in samples:
        print(f"| {s['label']} | {s['changes'] - start['changes']:,} | {hours(s['shown_ms'] - start['shown_ms'])} "
              f"| {s['seconds'] - start['seconds']:.0f} s | {s['load']:.1f} | {s['heap'] / 1e6:.2f} MB | {s['nodes']:,} "
              f"| {s['elements']:,} | {s['listeners']} | {s['applied'] - start['applied']} |")
    heap_pct = pct(start["heap"], end["heap"])
    nodes_pct = pct(start["nodes"], end["nodes"])
    changes = end["changes"] - start["changes"]
    simulated = end["shown_ms"] - start["shown_ms"]
    print()
    print(f"warm-up: {start['changes']:,} slide changes before the start sample "
          f"(heap {loaded['heap'] / 1e6:.2f} MB and {loaded['nodes']} nodes just after loading)")
    print(f"slide changes: {changes:,} in {end['seconds'] - start['seconds']:.0f} s "
          f"({hours(simulated)} at a hall's pace), {pushes} edits pushed and applied")
    print(f"JS heap used: {start['heap'] / 1e6:.2f} MB -> {end['heap'] / 1e6:.2f} MB ({heap_pct:+.1f} %)")
    if "start" in split and "end" in split:
        a, b = split["start"], split["end"]
        print(f"  of which compiled code: {a['code'] / 1e3:.0f} kB -> {b['code'] / 1e3:.0f} kB "
              f"({pct(a['code'], b['code']):+.1f} %); objects, strings, closures and the rest: "
              f"{a['objects'] / 1e3:.0f} kB -> {b['objects'] / 1e3:.0f} kB ({pct(a['objects'], b['objects']):+.1f} %)")
    print(f"DOM nodes alive: {start['nodes']:,} -> {end['nodes']:,} ({nodes_pct:+.1f} %)")
    print(f"JS event listeners: {start['listeners']} -> {end['listeners']}")
    print(f"load average: {load_before[0]:.2f} before, {load_after[0]:.2f} after "
          f"(1/5/15 min after: {load_after[0]:.2f} {load_after[1]:.2f} {load_after[2]:.2f})")
    for w in windows:
        a, b = w["before"], w["after"]
        redraws = b["draws"] - a["draws"]
        print(f"{w['name']}: {redraws:,} redraws ({redraws / 60:.1f} h at a hall's pace, one a minute), "
              f"heap {a['heap'] / 1e6:.2f} -> {b['heap'] / 1e6:.2f} MB ({pct(a['heap'], b['heap']):+.1f} %), "
              f"nodes {a['nodes']:,} -> {b['nodes']:,} ({pct(a['nodes'], b['nodes']):+.1f} %); compiled code "
              f"{a['split']['code'] / 1e3:.0f} -> {b['split']['code'] / 1e3:.0f} kB, the rest "
              f"{a['split']['objects'] / 1e3:.0f} -> {b['split']['objects'] / 1e3:.0f} kB "
              f"({pct(a['split']['objects'], b['split']['objects']):+.1f} %)")

    problems = []
    if abs(heap_pct) > LIMIT_PCT:
        problems.append(f"JS heap moved {heap_pct:+.1f} % (limit {LIMIT_PCT:.0f} %)")
    if abs(nodes_pct) > LIMIT_PCT:
        problems.append(f"DOM nodes moved {nodes_pct:+.1f} % (limit {LIMIT_PCT:.0f} %)")
    if not end["same_page"]:
        problems.append("the page reloaded during the run")
    if not end["connected"]:
        problems.append("the screen was not connected at the end")
    if changes < args.changes:
        problems.append(f"only {changes} slide changes")
    for w in windows:
        if not w["after"]["same_page"]:
            problems.append("a window screen reloaded during the run")
    print()
    print("within 10 %: " + ("met" if not problems else "NOT met: " + "; ".join(problems)))
    if args.json:
        Path(args.json).write_text(json.dumps({
            "loaded": loaded, "samples": samples, "heap_split": split, "changes": changes,
            "simulated_ms": simulated, "pushes": pushes, "heap_pct": heap_pct, "nodes_pct": nodes_pct,
            "load_before": load_before, "load_after": load_after, "window_screens": windows,
            "problems": problems, "machine": f"{platform.system()} {platform.machine()}, Python {platform.python_version()}",
        }, indent=2))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
