"""Helpers for the screen tests, the screenshot script and the screen latency bench:
an API client on a live server, a small hall seeded through the API, and opening a screen page."""

from __future__ import annotations

from datetime import date, timedelta

from tests.livesrv import Api, LiveServer


def seed_small_hall(api: Api) -> dict:
    """Two departments, three windows, four members (two on duty at window 1), standards, a pledge."""
    social = api.post("/departments", {"name": "社保服务科"})
    civil = api.post("/departments", {"name": "不动产登记科"})
    w1 = api.post("/windows", {"number": "01", "name": "社保综合窗口", "department_id": social["id"]})
    w2 = api.post("/windows", {"number": "02", "name": "不动产登记窗口", "department_id": civil["id"]})
    w3 = api.post("/windows", {"number": "03", "name": "综合受理窗口", "department_id": social["id"]})
    members = [
        api.post("/staff", {"name": "王丽华", "title": "社保业务主办", "employee_no": "S001", "department_id": social["id"],
                            "window_id": w1["id"], "is_party_member": True, "party_post": "党支部组织委员",
                            "designations": ["党员先锋岗"], "on_duty": True}),
        api.post("/staff", {"name": "陈建国", "title": "窗口受理员", "employee_no": "S002", "department_id": social["id"],
                            "window_id": w1["id"], "on_duty": True}),
        api.post("/staff", {"name": "李明", "title": "登记审核员", "employee_no": "S003", "department_id": civil["id"],
                            "window_id": w2["id"], "is_party_member": True, "on_duty": True,
                            "designations": ["岗位能手"]}),
        api.post("/staff", {"name": "赵敏", "title": "综合受理员", "employee_no": "S004", "department_id": social["id"],
                            "window_id": w3["id"], "on_duty": False}),
    ]
    item = api.post("/standards", {
        "item_name": "城乡居民养老保险参保登记", "department_id": social["id"], "window_ids": [w1["id"]],
        "steps": ["提交申请", "窗口受理", "审核", "办结"], "time_limit": "即时办结",
        "materials": ["居民身份证", "户口簿"], "fees": "", "legal_basis": "《中华人民共和国社会保险法》"})
    api.post("/pledges", {"text": "亮身份、践承诺，全心全意为人民服务。"})
    api.post("/pledges", {"staff_id": members[0]["id"], "text": "微笑服务，一次讲清，限时办结。"})
    return {"departments": [social, civil], "windows": [w1, w2, w3], "members": members, "standards": [item]}


def demo_on_duty(api: Api) -> list[dict]:
    """The demo hall's rostered members, put on duty whatever the hour (outside opening hours the
    demo seeds them away): the identity wall then shows them all, and every kiosk has someone."""
    from liangbiping.admin.demo import hall

    rostered = {p["name"] for p in hall.STAFF if p["on_duty"]}
    members = [m for m in api.get("/staff?per_page=100")["items"] if m["name"] in rostered]
    for m in members:
        if not m["on_duty"]:
            api.patch(f"/staff/{m['id']}", {"on_duty": True})
    return members


def new_screen(api: Api, name: str = "大厅主屏", kind: str = "hall", window_id: int | None = None) -> dict:
    body = {"name": name, "kind": kind}
    if window_id:
        body["window_id"] = window_id
    return api.post("/screens", body)


def open_screen(page, server: LiveServer, screen: dict, slide: str | None = None, timeout: float = 10_000):
    """Open ``/display/<id>#token=...`` and wait until the page has applied a state."""
    query = f"?slide={slide}" if slide else ""
    page.goto(f"{server.url}/display/{screen['id']}{query}#token={screen['token']}")
    page.wait_for_function("() => window.lbpScreen && window.lbpScreen.model.version >= 0", timeout=timeout)
    return page


def days_ago(n: int) -> str:
    return (date.today() - timedelta(days=n)).isoformat()


def module_server(tmp_path_factory, name: str = "screens", console_admin: bool = False) -> LiveServer:
    """A live server, started; with ``console_admin`` also a console user (``admin`` / the tests' password)."""
    from tests.browser.conftest import ADMIN_PASSWORD

    server = LiveServer(tmp_path_factory.mktemp(name) / "data")
    if console_admin:
        server.cli("create-admin", "admin", "--password-stdin", stdin=ADMIN_PASSWORD + "\n")
    server.start()
    return server


def screen_context(browser, width: int = 1920, height: int = 1080):
    """A fresh browser profile (its own localStorage and service worker) at a screen's size."""
    return browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")


def wait_for_offline_copy(page, timeout: float = 10_000) -> None:
    """Until the service worker holds this page and its scripts (so a reload works offline)."""
    page.wait_for_function("""async () => {
        if (!navigator.serviceWorker.controller) return false;
        const pages = await caches.open("lbp-display-pages-v1");
        const files = await caches.open("lbp-display-files-v1");
        const page = await pages.match(location.origin + location.pathname);
        return !!page && (await files.keys()).length >= 4;
    }""", timeout=timeout, polling=200)
