"""Screenshots of the kiosk, the phone page and a badge, taken from a real server in Debian's chromium.

    python docs/screenshots/make_kiosk.py        # writes docs/screenshots/kiosk-*.png, phone*.png, badge.png
"""

from __future__ import annotations

import io
import sys
import tempfile
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from tests.livesrv import LiveServer  # noqa: E402

OUT = Path(__file__).resolve().parent


def portrait(seed: str, sex: str, age: int, party: bool) -> bytes | None:
    """A drawn ID photo from the demo's portrait maker, when it is there."""
    try:
        from liangbiping.admin.demo.portraits import choose_look, render
    except ImportError:
        return None
    try:
        img = render(choose_look(seed, sex, age, party_badge=party), seed)
    except Exception:  # noqa: BLE001 - screenshots without photos are still screenshots
        return None
    out = io.BytesIO()
    img.convert("RGB").save(out, "JPEG", quality=92)
    return out.getvalue()


def build_hall(server: LiveServer) -> dict:
    token = server.cli("token", "create", "--name", "screenshots", "--role", "admin").stdout.strip().splitlines()[-1]
    h = {"Authorization": f"Bearer {token}"}
    s = requests.Session()

    def post(path, body):
        r = s.post(server.url + "/api/v1" + path, json=body, headers=h, timeout=30)
        r.raise_for_status()
        return r.json()

    dept = post("/departments", {"name": "社会保障服务科"})
    w1 = post("/windows", {"number": "A03", "name": "社保卡办理", "department_id": dept["id"]})
    w2 = post("/windows", {"number": "A04", "name": "养老保险", "department_id": dept["id"]})
    zhang = post("/staff", {"name": "张丽华", "title": "社保卡窗口 首席受理员", "employee_no": "SB0316",
                            "department_id": dept["id"], "window_id": w1["id"], "is_party_member": True, "on_duty": True,
                            "designations": ["党员先锋岗", "服务标兵"]})
    wang = post("/staff", {"name": "王建国", "title": "综合受理员", "employee_no": "SB0321", "department_id": dept["id"],
                           "window_id": w2["id"], "on_duty": True, "designations": ["岗位能手"]})
    for member, sex, age in ((zhang, "f", 34), (wang, "m", 45)):
        photo = portrait(member["employee_no"], sex, age, member["is_party_member"])
        if photo:
            s.put(f"{server.url}/api/v1/staff/{member['id']}/photo", data=photo, headers=dict(h, **{"Content-Type": "image/jpeg"}),
                  timeout=30).raise_for_status()
    post("/pledges", {"staff_id": zhang["id"], "text": "一次告知、限时办结；热情服务每一位群众，做到“最多跑一次”。"})
    kiosk = post("/kiosks", {"name": "A03 评价器", "window_id": w1["id"]})
    floor = post("/kiosks", {"name": "大厅评价器"})
    return {"headers": h, "zhang": zhang, "kiosk": kiosk, "floor": floor, "session": s}


def main() -> int:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        server = LiveServer(Path(tmp) / "data").start()
        try:
            hall = build_hall(server)
            s, h = hall["session"], hall["headers"]
            png = s.get(f"{server.url}/api/v1/staff/{hall['zhang']['id']}/badge.png", headers=h, timeout=60)
            png.raise_for_status()
            (OUT / "badge.png").write_bytes(png.content)
            kiosk_url = f"{server.url}/kiosk/{hall['kiosk']['id']}#token={hall['kiosk']['token']}"
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                ctx = browser.new_context(viewport={"width": 800, "height": 1280}, locale="zh-CN")
                page = ctx.new_page()
                page.goto(kiosk_url)
                page.wait_for_selector("#screen-start.active .member .name")
                page.wait_for_timeout(500)
                page.screenshot(path=str(OUT / "kiosk-start.png"))
                page.click('.level[data-score="2"]')
                page.click('.chip[data-reason="slow"]')
                page.click('.chip[data-reason="repeat_trips"]')
                page.fill("#comment", "材料要求没有一次说清楚，跑了两趟。")
                page.screenshot(path=str(OUT / "kiosk-reasons.png"))
                page.click("#reasons-send")
                page.wait_for_selector("#screen-thanks.active")
                page.wait_for_timeout(1200)
                page.screenshot(path=str(OUT / "kiosk-thanks.png"))
                ctx.close()

                ctx = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
                page = ctx.new_page()
                page.goto(kiosk_url)
                page.wait_for_selector("#screen-start.active .member .name")
                page.wait_for_timeout(500)
                page.screenshot(path=str(OUT / "kiosk-start-landscape.png"))
                page.click("#open-suggest")
                page.fill("#suggest-text", "建议在等候区增加老花镜和充电设备。")
                page.click("#suggest-send")
                page.wait_for_selector("#screen-receipt.active")
                page.screenshot(path=str(OUT / "kiosk-suggestion-receipt.png"))
                ctx.close()

                ctx = browser.new_context(viewport={"width": 800, "height": 1280}, locale="zh-CN")
                page = ctx.new_page()
                page.goto(f"{server.url}/kiosk/{hall['floor']['id']}#token={hall['floor']['token']}")
                page.wait_for_selector("#screen-floor.active .tile")
                page.wait_for_selector("#screen-floor.active #floor-phone-qr svg")
                floor_qr = page.locator("#floor-phone-qr").screenshot()
                page.click("#tiles .tile")
                page.wait_for_selector("#tiles .tile strong")
                page.wait_for_timeout(400)
                page.screenshot(path=str(OUT / "kiosk-floor-members.png"))
                ctx.close()

                import io

                from zxingcpp import read_barcodes
                from PIL import Image

                # The floor kiosk's phone code: the citizen picks the window, then the member.
                floor_url = read_barcodes(Image.open(io.BytesIO(floor_qr)))[0].text
                ctx = browser.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN", device_scale_factor=2)
                page = ctx.new_page()
                page.goto(floor_url)
                page.wait_for_selector("#pick-list .p-tile")
                page.screenshot(path=str(OUT / "phone-floor-windows.png"))
                ctx.close()

                url = read_barcodes(Image.open(OUT / "badge.png"))[0].text
                ctx = browser.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN", device_scale_factor=2)
                page = ctx.new_page()
                page.goto(url.replace("http://localhost", server.url) if url.startswith("http://localhost") else url)
                page.click('.p-level[data-score="2"]')
                page.click('.p-chip[data-reason="attitude"]')
                page.fill("#comment", "窗口人员态度有些急躁。")
                page.fill("#contact", "13812345678")
                page.screenshot(path=str(OUT / "phone.png"), full_page=True)
                ctx.close()
                browser.close()
        finally:
            server.stop()
    print("wrote", ", ".join(sorted(p.name for p in OUT.glob("*.png"))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
