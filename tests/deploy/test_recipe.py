"""The recipe of docs/deploy/ works as a province deploys it: nginx (Debian's package, the deploy
config) in front of two ``liangbiping serve --no-scheduler``, one ``liangbiping scheduler``,
PostgreSQL and Redis, all driven through nginx only.

Needs nginx, redis-server and PostgreSQL's server programs (it starts a cluster of its own);
``.ci/run`` installs them. Without them the tests are skipped, except in CI, where they fail.
"""

from __future__ import annotations

import time

import requests
import socketio

from tests.deploy.province import Screen, rating


def test_nginx_reaches_both_processes_and_every_edit_reaches_every_screen_in_order(province):
    api = province.api
    assert requests.get(province.url + "/healthz", timeout=10).json()["status"] == "ok"
    member = api.post("/staff", {"name": "李娜", "employee_no": "P1", "title": "受理员", "on_duty": True})
    tokens = [api.post("/screens", {"name": f"省厅{n}号屏"})["token"] for n in range(4)]
    # least_conn spreads the websockets over both processes (the kill test relies on it too).
    screens = [Screen(province.url, token) for token in tokens]
    try:
        for screen in screens:
            screen.until(lambda s: s.of("state"), what="first state")
        # From the first state on, even while the rounds for the new screens run: a connecting
        # screen gets none of its room's patches before its state (rooms.hold).
        marks = [0] * len(screens)
        titles = [f"受理员{n}" for n in range(6)]
        for title in titles:  # each PATCH goes to whichever process nginx picks
            api.patch(f"/staff/{member['id']}", {"title": title})
        for screen, mark in zip(screens, marks):
            screen.until(lambda s: s.latest_members().get(member["id"], {}).get("title") == titles[-1],
                         what="the last title")
            pushed = [(name, d.get("version")) for name, d in screen.events[mark:] if name in ("state", "patch")]
            versions = [version for _, version in pushed]
            assert versions == sorted(versions) and len(set(versions)) == len(versions), pushed
        assert len(set(province.nginx.upstreams("PATCH", "/api/v1/staff/"))) == 2  # both processes took edits
    finally:
        for screen in screens:
            screen.close()


def test_ratings_through_either_process_are_counted_once(province):
    api = province.api
    window = api.post("/windows", {"number": "S01", "name": "省级综合窗口"})
    kiosks = [api.post("/kiosks", {"name": f"S01 评价器{n}", "window_id": window["id"]})["token"] for n in range(2)]
    before = api.get("/ratings?per_page=1")["total"]
    sent = [rating(kiosks[n % 2], minutes_ago=3 * n + 1) for n in range(24)]
    session = requests.Session()
    for body in sent:
        response = session.post(province.url + "/api/v1/ratings", json=body, timeout=10)
        assert response.status_code == 201, response.text
    # Sent again (a kiosk that did not hear the answer): acknowledged, not stored twice.
    for body in sent[:6]:
        response = session.post(province.url + "/api/v1/ratings", json=body, timeout=10)
        assert response.status_code == 200, response.text
    assert len(set(province.nginx.upstreams("POST", "/api/v1/ratings"))) == 2
    assert api.get("/ratings?per_page=1")["total"] == before + len(sent)
    listed = api.get(f"/ratings?window_id={window['id']}&per_page=100")
    assert sorted(r["id"] for r in listed["items"]) == sorted(b["id"] for b in sent)
    figures = api.get(f"/stats/satisfaction?scope=window&id={window['id']}")
    assert figures["count"] == len(sent) and figures["distribution"]["5"] == len(sent), figures


def test_an_edit_through_either_process_reaches_each_kiosk_once(province):
    """Each process pushes fresh state to the kiosks it holds when it hears of a change, wherever
    the change was made: every kiosk gets it, once."""
    api = province.api
    window = api.post("/windows", {"number": "S03", "name": "省级三号窗口"})
    member = api.post("/staff", {"name": "周洁", "employee_no": "P3", "title": "受理员", "on_duty": True,
                                 "window_id": window["id"]})
    kiosks = []
    for n in range(4):  # least_conn spreads them over both processes
        token = api.post("/kiosks", {"name": f"S03 评价器{n}", "window_id": window["id"]})["token"]
        states: list = []
        client = socketio.Client(reconnection=False)
        client.on("state", states.append, namespace="/kiosk")
        client.connect(province.url, namespaces=["/kiosk"], auth={"token": token}, transports=["websocket"],
                       wait_timeout=10)
        kiosks.append((client, states))
    try:
        for title in ("综合窗口受理员", "首席受理员"):  # one edit through each process, most likely
            marks = [len(states) for _, states in kiosks]
            api.patch(f"/staff/{member['id']}", {"title": title})
            deadline = time.monotonic() + 10
            for (client, states), mark in zip(kiosks, marks):
                while not any(s["member"] and s["member"]["title"] == title for s in states[mark:]):
                    assert time.monotonic() < deadline, f"{title} did not reach a kiosk"
                    client.sleep(0.05)
            client.sleep(1.5)  # a second state for the same edit would come within the push round
            for (_client, states), mark in zip(kiosks, marks):
                assert [s["member"]["title"] for s in states[mark:]] == [title], states[mark:]
    finally:
        for client, _ in kiosks:
            client.disconnect()


def test_kiosks_on_long_polling_stay_with_one_process(province):
    """The kiosk page starts on HTTP long-polling: every request of its session must reach the
    process that holds it (nginx's sticky upstream), or the handshake fails with a 400."""
    api = province.api
    window = api.post("/windows", {"number": "S02", "name": "省级二号窗口"})
    kiosk = api.post("/kiosks", {"name": "S02 评价器", "window_id": window["id"]})
    for _ in range(4):
        client = socketio.Client(reconnection=False)
        client.connect(province.url, namespaces=["/kiosk"], auth={"token": kiosk["token"]},
                       transports=["polling"], wait_timeout=10)
        try:
            assert client.connected
            client.sleep(0.3)  # a few polls go back and forth
            assert client.connected
        finally:
            client.disconnect()


def test_screens_revoked_through_either_process_are_cut_off_on_every_process(province):
    import time

    api = province.api
    created = [api.post("/screens", {"name": f"省厅撤销{n}号屏"}) for n in range(4)]
    screens = [Screen(province.url, c["token"]) for c in created]
    try:
        for screen in screens:
            screen.until(lambda s: s.of("state"), what="first state")
            screen.sio.reconnection = False  # a revoked screen must stay away, not come back
        for c in created:  # each DELETE goes to whichever process nginx picks
            api.delete(f"/screens/{c['id']}")
        deadline = time.monotonic() + 5
        for screen in screens:
            screen.until(lambda s: s.of("revoked"), timeout=max(0.1, deadline - time.monotonic()), what="revoked")
        assert len(set(province.nginx.upstreams("DELETE", "/api/v1/screens/"))) == 2
        refused = socketio.Client(reconnection=False)
        try:
            refused.connect(province.url, namespaces=["/display"], auth={"token": created[0]["token"]},
                            transports=["websocket"], wait_timeout=5)
            connected = refused.connected and "/display" in refused.namespaces
        except socketio.exceptions.ConnectionError:
            connected = False
        finally:
            if refused.connected:
                refused.disconnect()
        assert not connected
    finally:
        for screen in screens:
            screen.close()


def board_samples(screen) -> dict:
    """{member: ratings counted} on the satisfaction board as the screen shows it now."""
    boards = None
    with screen.cond:
        for event, data in screen.events:
            if event in ("state", "patch") and "boards" in data.get("sections", {}):
                boards = data["sections"]["boards"]
    rows = next((b["rows"] for b in boards or [] if b.get("key") == "satisfaction"), [])
    return {row["staff_id"]: row["sample"] for row in rows}


def test_ratings_through_either_process_are_counted_once_on_every_process_s_boards(province, console):
    """The 比满意度 board on the hall screens: screens held by each process (connected to it
    directly, and through nginx) show the same counts, each the number of ratings sent."""
    api = province.api
    window = api.post("/windows", {"number": "B01", "name": "榜单窗口"})
    members = [api.post("/staff", {"name": name, "employee_no": f"B0{n}", "window_id": window["id"], "on_duty": True})
               for n, name in enumerate(("吴昊", "郑洁"))]
    kiosks = [api.post("/kiosks", {"name": f"B01 评价器{n}", "window_id": window["id"]})["token"] for n in range(2)]
    min_sample = console.form("/admin/campaign-settings", {"ranking_min_sample"})["ranking_min_sample"]
    console.post("/admin/campaign-settings", {"ranking_min_sample": "3"})
    console.post("/admin/boards/publish", {"board": "satisfaction", "publish": "1"}, page="/admin/boards")
    tokens = [api.post("/screens", {"name": f"榜单{n}号屏"})["token"] for n in range(4)]
    screens = [Screen(server.url, token) for server, token in zip(province.servers, tokens)]  # one on each
    screens += [Screen(province.url, token) for token in tokens[2:]]
    try:
        sent = {members[0]["id"]: 9, members[1]["id"]: 5}
        bodies = [dict(rating(kiosks[n % 2], minutes_ago=3 * n + 1), staff_id=member, window_id=window["id"])
                  for n, member in enumerate(m for m, count in sent.items() for _ in range(count))]
        session = requests.Session()
        mark = len(province.nginx.upstreams("POST", "/api/v1/ratings"))
        for body in bodies:
            response = session.post(province.url + "/api/v1/ratings", json=body, timeout=10)
            assert response.status_code == 201, response.text
        for body in bodies[:3]:  # sent again: acknowledged, not counted twice
            assert session.post(province.url + "/api/v1/ratings", json=body, timeout=10).status_code == 200
        assert len(set(province.nginx.upstreams("POST", "/api/v1/ratings")[mark:])) == 2  # both took ratings
        # Boards are rebuilt by the slow round (every 10 s at most), on whichever process.
        for screen in screens:
            screen.until(lambda s: board_samples(s) == sent, timeout=30, what="the board's counts")
        for member, count in sent.items():
            figures = api.get(f"/stats/satisfaction?scope=staff&id={member}")
            assert figures["count"] == count, figures
    finally:
        for screen in screens:
            screen.close()
        console.post("/admin/campaign-settings", {"ranking_min_sample": min_sample})


def test_the_console_lists_ratings_taken_by_either_process_live(province, console):
    """The console's live list sits on one process; ratings come in through both."""
    api = province.api
    window = api.post("/windows", {"number": "S04", "name": "省级四号窗口"})
    token = api.post("/kiosks", {"name": "S04 评价器", "window_id": window["id"]})["token"]
    cookie = "; ".join(f"{c.name}={c.value}" for c in console.session.cookies)
    seen: list = []
    listener = socketio.Client(reconnection=False)
    listener.on("rating", seen.append, namespace="/ratings")
    listener.connect(province.url, namespaces=["/ratings"], headers={"Cookie": cookie}, transports=["websocket"],
                     wait_timeout=10)
    try:
        sent = []
        for n, server in enumerate(province.servers * 2):  # straight to each process, twice
            body = dict(rating(token, minutes_ago=3 * n + 1, score=2), comment=f"第{n}条")
            assert requests.post(server.url + "/api/v1/ratings", json=body, timeout=10).status_code == 201
            sent.append(body["id"])
        deadline = time.monotonic() + 10
        while len(seen) < len(sent) and time.monotonic() < deadline:
            listener.sleep(0.05)
        listener.sleep(0.5)  # none twice
        assert sorted(r["id"] for r in seen) == sorted(sent), [r["comment"] for r in seen]
    finally:
        listener.disconnect()
