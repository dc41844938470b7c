"""The province of docs/deploy/ with one part broken at a time, driven through nginx: a server
process killed with -9 under a rating load, Redis stopped, the scheduler killed. Each test puts
the part back, so the next one starts from a whole province.

``LIANGBIPING_TEST_REDIS_OUTAGE`` (seconds, default 30) shortens the Redis outage on a laptop: what
is tested does not depend on its length once it is longer than the retry of every Redis client
(1 s for the queue's listener and the change bus, 2 s for a connection attempt).
"""

from __future__ import annotations

import os
import threading
import time
import uuid

import requests

from tests.deploy.province import Screen, rating

OUTAGE = float(os.environ.get("LIANGBIPING_TEST_REDIS_OUTAGE", "30"))


class RatingLoad:
    """Kiosks rating through nginx as fast as they are answered; a rating without a 2xx is sent
    again with the same id, as the kiosk page does. Keeps every acknowledged id."""

    def __init__(self, url: str, kiosk_tokens: list[str]):
        self.url = url + "/api/v1/ratings"
        self.acknowledged: set[str] = set()
        self.refused: list[int] = []  # statuses other than 2xx (answered while a process died)
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._kiosk, args=(token,), daemon=True) for token in kiosk_tokens]

    def __enter__(self):
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=30)

    def _kiosk(self, token: str) -> None:
        session = requests.Session()
        while not self._stop.is_set():
            body = {"id": str(uuid.uuid4()), "score": 5, "channel": "kiosk", "kiosk_token": token}
            while True:  # until this one is acknowledged, even after the load is told to stop
                try:
                    response = session.post(self.url, json=body, timeout=10)
                    if response.status_code in (200, 201):
                        self.acknowledged.add(body["id"])
                        break
                    self.refused.append(response.status_code)
                except requests.RequestException:
                    self.refused.append(0)
                    session = requests.Session()
                time.sleep(0.05)


def stored(api, window_id: int) -> list[str]:
    """The ids of every rating stored for the window (a list: a rating stored twice shows twice)."""
    ids, page = [], 1
    while True:
        listed = api.get(f"/ratings?window_id={window_id}&per_page=500&page={page}")
        ids += [r["id"] for r in listed["items"]]
        if page * 500 >= listed["total"]:
            return ids
        page += 1


def kiosks(api, number: str, count: int) -> tuple[int, list[str]]:
    window = api.post("/windows", {"number": number, "name": f"{number} 窗口"})
    return window["id"], [api.post("/kiosks", {"name": f"{number} 评价器{n}", "window_id": window["id"]})["token"]
                          for n in range(count)]


def title_is(member_id: int, title: str):
    return lambda screen: screen.latest_members().get(member_id, {}).get("title") == title


def test_kill_9_of_a_server_under_rating_load(province):
    api = province.api
    member = api.post("/staff", {"name": "赵强", "employee_no": "K9", "title": "受理员", "on_duty": True})
    screens = [Screen(province.url, api.post("/screens", {"name": f"K9 {n}号屏"})["token"]) for n in range(4)]
    victim = province.servers[0]
    try:
        for screen in screens:
            screen.until(lambda s: s.of("state"), what="first state")
        window_id, tokens = kiosks(api, "K9", 4)
        with RatingLoad(province.url, tokens) as load:
            time.sleep(2)
            victim.proc.kill()  # SIGKILL: no goodbye to its screens, its open requests cut
            victim.proc.wait()
            time.sleep(3)
        assert load.acknowledged
        # Its screens were on it (least_conn spreads them), the others were not.
        dropped = [s for s in screens if s.of("disconnect")]
        assert 0 < len(dropped) < len(screens), [len(s.of("disconnect")) for s in screens]
        api.patch(f"/staff/{member['id']}", {"title": "杀进程后"})
        for screen in screens:  # reconnected through nginx to the process left, and current
            screen.until(title_is(member["id"], "杀进程后"), timeout=10, what="current after the kill")
        for screen in dropped:
            assert len(screen.of("connect")) >= 1 and screen.sio.connected
        ids = stored(api, window_id)
        assert len(ids) == len(set(ids)) and not load.acknowledged - set(ids), "acknowledged ratings not stored once"
    finally:
        for screen in screens:
            screen.close()
        victim.start()  # systemd's Restart=always, for the tests that follow


def test_redis_stopped_ratings_still_stored_and_screens_catch_up_when_it_returns(province):
    api = province.api
    member = api.post("/staff", {"name": "钱敏", "employee_no": "R1", "title": "受理员", "on_duty": True})
    screens = [Screen(province.url, api.post("/screens", {"name": f"R {n}号屏"})["token"]) for n in range(4)]
    window_id, tokens = kiosks(api, "R1", 2)
    try:
        for screen in screens:
            screen.until(title_is(member["id"], "受理员"), what="first state")
        province.redis.stop()
        began = time.monotonic()
        for server in province.servers:
            status, body = province.health(server)
            assert status == 503 and body["redis"] == "down" and body["database"] == "ok", body
            assert body["error"]["code"] == "unavailable"
        with RatingLoad(province.url, tokens) as load:
            api.patch(f"/staff/{member['id']}", {"title": "Redis 停了"})  # stored; the push cannot cross
            time.sleep(max(0.0, OUTAGE - (time.monotonic() - began)))
        assert load.acknowledged and not [s for s in load.refused if s != 0], load.refused[:10]
        province.redis.start()  # the same port, empty, as after a restart without persistence
        for screen in screens:  # every screen, on either process, without a reload
            screen.until(title_is(member["id"], "Redis 停了"), timeout=10, what="caught up after Redis")
            assert not screen.of("disconnect")
            versions = screen.versions()
            assert versions == sorted(versions), versions
        for server in province.servers:
            deadline = time.monotonic() + 10
            while province.health(server)[0] != 200 and time.monotonic() < deadline:
                time.sleep(0.2)
            status, body = province.health(server)
            assert status == 200 and body["redis"] == "ok" and body["database"] == "ok", body
        ids = stored(api, window_id)
        assert len(ids) == len(set(ids)) and not load.acknowledged - set(ids), "acknowledged ratings not stored once"
        # And the processes hear each other again: an edit reaches every screen.
        api.patch(f"/staff/{member['id']}", {"title": "Redis 回来了"})
        for screen in screens:
            screen.until(title_is(member["id"], "Redis 回来了"), timeout=10, what="pushes after Redis")
    finally:
        if province.redis.proc.poll() is not None:
            province.redis.start()
        for screen in screens:
            screen.close()


def test_postgres_restarted_requests_answer_503_and_kiosks_replay_their_queue(province):
    api = province.api
    member = api.post("/staff", {"name": "孙丽", "employee_no": "PG1", "title": "受理员", "on_duty": True})
    window = api.post("/windows", {"number": "PG1", "name": "PG1 窗口"})
    kiosk = api.post("/kiosks", {"name": "PG1 评价器", "window_id": window["id"]})["token"]
    screens = [Screen(province.url, api.post("/screens", {"name": f"PG {n}号屏"})["token"]) for n in range(2)]
    # Pressed minutes apart, so that none is flagged as a repeated press (flagged ones are not counted).
    queue = [rating(kiosk, minutes_ago=3 * n + 1, score=4) for n in range(12)]
    acknowledged = set()
    session = requests.Session()
    try:
        for screen in screens:
            screen.until(title_is(member["id"], "受理员"), what="first state")
        for body in queue[:4]:
            assert session.post(province.url + "/api/v1/ratings", json=body, timeout=10).status_code == 201
            acknowledged.add(body["id"])
        province.postgres.stop()
        try:
            for server in province.servers:
                status, body = province.health(server)
                assert status == 503 and body["database"] == "down" and body["redis"] == "ok", body
            # Through nginx: an answer in the error shape, soon, for reads, edits and ratings alike.
            for method, path, body in (("GET", "/api/v1/staff", None),
                                       ("PATCH", f"/api/v1/staff/{member['id']}", {"title": "半截"})):
                response = api.session.request(method, province.url + path, json=body, timeout=10)
                assert response.status_code == 503, (path, response.status_code, response.text[:300])
                assert response.json()["error"]["code"] == "database_unavailable"
            for body in queue[4:]:  # the kiosk keeps what was not acknowledged, to send again
                response = session.post(province.url + "/api/v1/ratings", json=body, timeout=10)
                assert response.status_code == 503, response.text[:300]
                assert response.json()["error"]["code"] == "database_unavailable"
        finally:
            province.postgres.start()
        for server in province.servers:  # each process recovers by itself
            deadline = time.monotonic() + 10
            while province.health(server)[0] != 200 and time.monotonic() < deadline:
                time.sleep(0.2)
            status, body = province.health(server)
            assert status == 200 and body["database"] == "ok", body
        for body in queue:  # the kiosk replays its whole queue: the first four were stored already
            deadline = time.monotonic() + 10
            while True:
                response = session.post(province.url + "/api/v1/ratings", json=body, timeout=10)
                if response.status_code in (200, 201) or time.monotonic() > deadline:
                    break
                time.sleep(0.2)  # a pooled connection from before the restart answers 503 once
            assert response.status_code == (200 if body["id"] in acknowledged else 201), response.text[:300]
        # Nothing half written: every rating once, and counted once in the statistics.
        listed = api.get(f"/ratings?window_id={window['id']}&per_page=100")
        assert sorted(r["id"] for r in listed["items"]) == sorted(b["id"] for b in queue)
        figures = api.get(f"/stats/satisfaction?scope=window&id={window['id']}")
        assert figures["count"] == len(queue), figures
        assert api.get(f"/staff/{member['id']}")["title"] == "受理员"  # the edit refused while down left nothing
        api.patch(f"/staff/{member['id']}", {"title": "数据库回来了"})
        for screen in screens:
            screen.until(title_is(member["id"], "数据库回来了"), timeout=10, what="pushes after the restart")
    finally:
        for screen in screens:
            screen.close()


def notice_shown(notice_id: int):
    def check(screen) -> bool:
        with screen.cond:
            notices = None
            for event, data in screen.events:
                if event in ("state", "patch") and "notices" in data.get("sections", {}):
                    notices = data["sections"]["notices"]
        return any(n.get("id") == notice_id for n in notices or [])
    return check


def test_scheduler_killed_a_boundary_passes_it_runs_once_after_the_restart(province, tmp_path):
    """kill -9 of the scheduler, a notice's start passes while none is up; then it comes back,
    together with a standby started at the same moment: the boundary's round is run once, by one
    of them, and the screens show the notice; the daily jobs were not run again."""
    from datetime import datetime, timedelta, timezone

    from tests.deploy.province import Scheduler

    api = province.api
    screens = [Screen(province.url, api.post("/screens", {"name": f"S {n}号屏"})["token"]) for n in range(2)]
    standby = Scheduler(province.data_dir, province.env, name="standby")
    try:
        for screen in screens:
            screen.until(lambda s: s.of("state"), what="first state")
        starts = (datetime.now(timezone.utc) + timedelta(seconds=3)).replace(microsecond=0)
        notice = api.post("/notices", {"title": "调度器重启后", "starts_at": starts.isoformat()})
        province.scheduler.proc.kill()  # SIGKILL: its planned run for the boundary dies with it
        province.scheduler.proc.wait()
        time.sleep(max(0.0, (starts - datetime.now(timezone.utc)).total_seconds() + 1))
        province.scheduler.start()  # systemd's Restart=always
        standby.start()
        for screen in screens:
            screen.until(notice_shown(notice["id"]), timeout=15, what="the notice after the restart")
        due = starts.replace(tzinfo=None)  # stored as naive UTC
        claims = province.postgres.query(
            "SELECT claimed_by, finished_at FROM job_runs WHERE job = 'screen_boundary' AND due_at = %s", due)
        assert len(claims) == 1 and claims[0][1] is not None, claims
        logs = province.scheduler.log.read_text() + standby.log.read_text()
        assert logs.count(f"screen_boundary due {starts.isoformat()}: ran") == 1
        # Every due-time job ran once per due time recorded, across every start of the scheduler.
        for job in ("campaign_daily", "close_the_day"):
            dues = province.postgres.query("SELECT due_at FROM job_runs WHERE job = %s", job)
            ran = sum(logs.count(f"{job} due {d.replace(tzinfo=timezone.utc).isoformat()}: ran") for (d,) in dues)
            assert ran == len(dues), (job, dues)
        assert len(province.postgres.query("SELECT 1 FROM job_runs WHERE job = 'campaign_daily'")) >= 1
    finally:
        standby.stop()
        for screen in screens:
            screen.close()
        if province.scheduler.proc.poll() is not None:
            province.scheduler.start()
