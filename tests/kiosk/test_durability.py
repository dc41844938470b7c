"""Only a 2xx means stored: every rating answered 2xx survives the server being killed (kill -9)."""

from __future__ import annotations

import sqlite3
import uuid
from concurrent.futures import ThreadPoolExecutor

import requests

from tests.livesrv import LiveServer, admin_token


def test_every_acknowledged_rating_survives_kill_9(tmp_path):
    server = LiveServer(tmp_path / "data", env={"LIANGBIPING_RATING_BURST_KIOSK": "0/0"})
    token = admin_token(server)
    server.start()
    try:
        h = {"Authorization": f"Bearer {token}"}
        w = requests.post(server.url + "/api/v1/windows", json={"number": "K1", "name": "窗口"}, headers=h, timeout=10).json()
        kiosk = requests.post(server.url + "/api/v1/kiosks", json={"name": "k", "window_id": w["id"]}, headers=h,
                              timeout=10).json()
        acknowledged: list[str] = []

        def post(_i):
            body = {"id": str(uuid.uuid4()), "score": 5, "channel": "kiosk", "kiosk_token": kiosk["token"]}
            try:
                r = requests.post(server.url + "/api/v1/ratings", json=body, timeout=10)
            except requests.RequestException:
                return None
            return body["id"] if 200 <= r.status_code < 300 else None

        with ThreadPoolExecutor(8) as pool:
            futures = [pool.submit(post, i) for i in range(200)]
            for i, future in enumerate(futures):
                if i == 120:
                    server.proc.kill()  # SIGKILL while requests are in flight
                    server.proc.wait()
                result = future.result()
                if result:
                    acknowledged.append(result)
        assert len(acknowledged) >= 100
    finally:
        server.stop()
    server.start()  # SQLite replays its WAL on the next open
    try:
        assert requests.get(server.url + "/healthz", timeout=10).status_code == 200
    finally:
        server.stop()
    with sqlite3.connect(tmp_path / "data" / "liangbiping.db") as db:
        stored = {row[0] for row in db.execute("SELECT id FROM ratings")}
    missing = [i for i in acknowledged if i not in stored]
    assert not missing, f"{len(missing)} acknowledged ratings were lost"
