"""Photo upload vs. the event loop: /healthz latency on a real ``liangbiping serve`` while a big PNG uploads.

Makes a noisy 6000 x 6600 PNG (39.6 megapixels, just under the 40-megapixel cap, about 9 MB:
heavy to inflate, to flatten on white and to scale), then, for each run, PUTs it as a member's
ID photo (``/api/v1/staff/<id>/photo``, multipart field ``photo``) from one thread while this
thread asks ``/healthz`` every few milliseconds on a keep-alive connection. Prints the idle
healthz latency, the healthz latency while the upload was in flight (min / median / max and
how many answers arrived), and how long the upload took.

The photo is decoded and re-encoded in a worker thread (admin/offload.py), so healthz should
answer in milliseconds throughout; were the work on the event loop, the in-flight healthz
answers would be few and the max would be about the upload's whole decoding time.

    python bench/photo_upload.py [--runs 3] [--interval 0.01] [--size 6000x6600]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.livesrv import Api, LiveServer, admin_token  # noqa: E402


def noisy_png(width: int, height: int, block: int = 5) -> bytes:
    """Random RGBA blocks of ``block`` px: nothing for a decoder to skip, yet small enough to upload."""
    w, h = -(-width // block), -(-height // block)
    small = Image.frombytes("RGBA", (w, h), os.urandom(w * h * 4))
    out = io.BytesIO()
    small.resize((w * block, h * block), Image.Resampling.NEAREST).crop((0, 0, width, height)).save(out, "PNG")
    return out.getvalue()


def healthz(session: requests.Session, url: str) -> tuple[float, float]:
    """One /healthz: (sent, answered), perf_counter seconds."""
    sent = time.perf_counter()
    session.get(url + "/healthz", timeout=30).raise_for_status()
    return sent, time.perf_counter()


def one_run(server: LiveServer, token: str, member: int, png: bytes, interval: float) -> dict:
    session = requests.Session()
    idle = [(answered - sent) * 1000 for sent, answered in (healthz(session, server.url) for _ in range(20))]
    times: dict = {}

    def upload():
        times["start"] = time.perf_counter()
        r = requests.put(f"{server.url}/api/v1/staff/{member}/photo", headers={"Authorization": f"Bearer {token}"},
                         files={"photo": ("big.png", png, "image/png")}, timeout=120)
        times["end"] = time.perf_counter()
        times["status"] = r.status_code

    thread = threading.Thread(target=upload)
    thread.start()
    polls = []
    while thread.is_alive():
        polls.append(healthz(session, server.url))
        time.sleep(interval)
    thread.join()
    # Every healthz asked while the upload was in flight, however late its answer came.
    during = [(answered - sent) * 1000 for sent, answered in polls if sent < times["end"]]
    in_flight = sum(1 for _, answered in polls if answered < times["end"])
    return {"idle_ms": idle, "during_ms": during, "answered_in_flight": in_flight, "upload_status": times["status"],
            "upload_s": times["end"] - times["start"]}


def summary(values: list[float]) -> str:
    if not values:
        return "no answers"
    return (f"min {min(values):7.1f}  median {statistics.median(values):7.1f}  max {max(values):7.1f} ms"
            f"  ({len(values)} answers)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--interval", type=float, default=0.01, help="seconds between healthz requests")
    parser.add_argument("--size", default="6000x6600", help="the PNG's width x height")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    width, height = (int(v) for v in args.size.lower().split("x"))

    start = time.perf_counter()
    png = noisy_png(width, height)
    print(f"PNG {width}x{height} ({width * height / 1e6:.1f} MP), {len(png) / 1e6:.1f} MB,"
          f" made in {time.perf_counter() - start:.1f} s")
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        server = LiveServer(Path(tmp) / "data")
        token = admin_token(server)
        server.start()
        try:
            member = Api(server, token).post("/staff", {"name": "王芳", "employee_no": "P0001"})["id"]
            for i in range(args.runs):
                run = one_run(server, token, member, png, args.interval)
                runs.append(run)
                print(f"run {i + 1}: upload {run['upload_status']} in {run['upload_s']:.2f} s")
                print(f"  healthz idle:          {summary(run['idle_ms'])}")
                print(f"  healthz during upload: {summary(run['during_ms'])},"
                      f" {run['answered_in_flight']} answered before the upload's own answer")
        finally:
            server.stop()
    during = [v for run in runs for v in run["during_ms"]]
    print(f"\nall runs, healthz during upload: {summary(during)}")
    print(f"upload duration: median {statistics.median(r['upload_s'] for r in runs):.2f} s")
    if args.json:
        Path(args.json).write_text(json.dumps(runs, indent=2))


if __name__ == "__main__":
    main()
