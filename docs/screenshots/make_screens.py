"""Screenshots of the lobby and window screens, made in Debian's chromium against a real server.

    python docs/screenshots/make_screens.py [--out docs/screenshots] [--own-data]

Starts ``liangbiping demo`` in a temporary data dir and shoots its screens; when the demo seeds
nothing (or with ``--own-data``) it starts ``liangbiping serve`` and seeds a small hall of its own
through the API. Each hall slide is pinned with ``/display/<id>?slide=<kind>``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from tests.browser.screen_support import new_screen, screen_context  # noqa: E402
from tests.livesrv import Api, admin_token  # noqa: E402
from tests.livesrv import LiveServer  # noqa: E402

HALL_SLIDES = ["identity_wall", "member_spotlight", "standards", "pledges", "honor_board", "notices", "banner", "boards",
               "satisfaction"]

DEPARTMENTS = ["社会保障科", "不动产登记中心", "市场监管分局", "税务服务科"]
WINDOWS = [  # number, name, department index
    ("A01", "社保综合窗口", 0), ("A02", "医保经办窗口", 0), ("B01", "不动产登记窗口", 1), ("B02", "抵押登记窗口", 1),
    ("C01", "企业开办窗口", 2), ("C02", "个体登记窗口", 2), ("D01", "税务综合窗口", 3),
]
STAFF = [  # name, sex, age, title, window index, party, party post, designations, on duty
    ("王丽华", "f", 38, "社保业务主办", 0, True, "党支部组织委员", ["党员先锋岗", "服务标兵"], True),
    ("陈建国", "m", 45, "窗口受理员", 0, False, "", [], True),
    ("刘芳", "f", 29, "医保经办员", 1, True, "", ["岗位能手"], True),
    ("张伟", "m", 33, "医保审核员", 1, False, "", [], True),
    ("李明", "m", 41, "登记审核员", 2, True, "党支部书记", ["党员先锋岗"], True),
    ("赵敏", "f", 27, "不动产受理员", 2, False, "", ["青年文明号"], True),
    ("孙志强", "m", 50, "抵押登记主办", 3, True, "", ["服务标兵"], True),
    ("周晓燕", "f", 31, "企业开办专员", 4, True, "党支部宣传委员", ["岗位能手"], True),
    ("吴俊杰", "m", 36, "注册登记员", 4, False, "", [], True),
    ("郑雅琴", "f", 44, "个体登记主办", 5, True, "", ["党员先锋岗"], True),
    ("黄海涛", "m", 39, "税务综合受理", 6, True, "", [], True),
    ("林静", "f", 26, "纳税服务专员", 6, False, "", ["微笑服务之星"], True),
    ("何文斌", "m", 52, "大厅值班长", None, True, "党支部副书记", ["服务标兵"], False),
]
STANDARDS = [
    dict(item_name="城乡居民基本养老保险参保登记", window=0, time_limit="即时办结", fees="",
         description="本市户籍、年满16周岁、未参加职工养老保险的城乡居民可申请参保。",
         steps=["提交申请", "窗口受理", "信息核验", "参保登记", "办结告知"],
         materials=["居民身份证原件", "户口簿原件", "《城乡居民养老保险参保登记表》"],
         legal_basis="《中华人民共和国社会保险法》第二十条、《国务院关于建立统一的城乡居民基本养老保险制度的意见》",
         service_language="您好，请出示身份证，我马上为您办理。"),
    dict(item_name="医疗费用零星报销", window=1, time_limit="20个工作日", fees="",
         description="异地就医未直接结算、急诊抢救等发生的医疗费用，可申请零星报销。",
         steps=["提交材料", "受理登记", "费用审核", "待遇核定", "资金拨付"],
         materials=["社会保障卡", "医疗费用发票原件", "费用明细清单", "出院记录（住院）", "银行账户信息"],
         legal_basis="《社会保险经办条例》第二十五条", service_language=""),
    dict(item_name="不动产转移登记（二手房）", window=2, time_limit="3个工作日", fees="登记费80元/件（住宅）",
         description="房屋买卖、赠与、继承等导致权利转移的，申请人办理转移登记。",
         steps=["申请", "受理", "审核", "登簿", "缴费", "领证"],
         materials=["不动产登记申请书", "身份证明", "不动产权证书", "买卖合同", "完税凭证"],
         legal_basis="《不动产登记暂行条例》第十四条、第二十条", service_language=""),
    dict(item_name="企业设立登记", window=4, time_limit="1个工作日", fees="",
         description="企业开办“一网通办”，营业执照、公章刻制、发票申领一次办结。",
         steps=["名称自主申报", "填报信息", "窗口核准", "发放执照"],
         materials=["公司登记（备案）申请书", "公司章程", "股东主体资格证明", "法定代表人身份证明", "住所使用证明"],
         legal_basis="《中华人民共和国市场主体登记管理条例》第十七条、第十九条", service_language=""),
    dict(item_name="个体工商户设立登记", window=5, time_limit="即时办结", fees="",
         description="经营者凭身份证即可申请，登记事项齐全的当场发照。",
         steps=["申请", "受理", "核准", "发照"],
         materials=["个体工商户登记（备案）申请书", "经营者身份证明", "经营场所使用证明"],
         legal_basis="《促进个体工商户发展条例》", service_language=""),
    dict(item_name="增值税发票申领", window=6, time_limit="即时办结", fees="",
         description="", steps=["提出申请", "身份核验", "票种核定", "发放发票"],
         materials=["经办人身份证件", "税务登记信息"], legal_basis="《中华人民共和国发票管理办法》",
         service_language=""),
]
HALL_RULES = [
    ("首问负责", "第一位接待的工作人员负责解答或引导到位，不推诿"),
    ("一次性告知", "办事所需材料、流程一次讲清，书面告知"),
    ("限时办结", "按承诺时限办结，超时即启动督办"),
    ("责任追究", "违反服务规定的，依规依纪追究责任"),
]
PLEDGES_ORG = ("坚持以人民为中心，亮身份、亮标准、亮承诺，做到办事不推诿、服务不打折、群众不满意不收场。"
               "党员带头争当服务先锋，接受群众监督，群众满意率确保达到95%以上。")
PLEDGES = {
    0: "微笑服务，一次讲清，让群众少跑腿、办成事。", 2: "当好医保政策明白人，群众的事当天事当天办。",
    4: "守好不动产登记每一道关口，做到零差错、零投诉。", 7: "企业开办全程帮办，一日办结不过夜。",
    9: "热情接待每一位经营者，登记事项当场办结。", 10: "懂政策、讲规范、优服务，做纳税人的贴心人。",
    6: "严守办结时限，坚持首问负责，不让群众等。",
}
HONORS = [  # title, staff index or None, window index or None, awarded on, issuer
    ("党员先锋岗", 0, None, "2026-07-01", "县直机关工委"),
    ("岗位能手", 2, None, "2026-06-18", "县政务服务管理局"),
    ("服务标兵", 6, None, "2026-05-20", "县政务服务管理局"),
    ("青年文明号", None, 2, "2026-05-04", "共青团县委"),
    ("岗位能手", 7, None, "2026-04-26", "县市场监管局"),
    ("党员先锋岗", 9, None, "2026-03-28", "县直机关工委"),
    ("服务标兵", 4, None, "2026-01-15", "县政务服务管理局"),
    ("示范窗口", None, 4, "2025-12-20", "县人民政府"),
]
NOTICES = [
    ("元旦假期办事大厅工作时间调整", "1月1日至1月3日大厅暂停对外办公，1月4日（星期日）正常上班。网上办事大厅24小时可办。"),
    ("社保卡换发“一件事”上线", "即日起，社保卡补换、挂失、启用可在A01窗口一次办结，全程约10分钟。"),
    ("延时服务", "每周三中午（12:00—14:00）开设延时服务窗口，方便上班族办事。"),
]


def seed(api: Api, photos: bool = True) -> dict:
    """The hall through the API: departments, windows, staff with photos, standards, pledges, honors, notices."""
    departments = [api.post("/departments", {"name": n, "sort_order": i}) for i, n in enumerate(DEPARTMENTS)]
    windows = [api.post("/windows", {"number": num, "name": name, "department_id": departments[d]["id"]})
               for num, name, d in WINDOWS]
    portrait = None
    if photos:
        try:
            from liangbiping.admin.demo.portraits import portrait_jpeg as portrait
        except ImportError:
            portrait = None
    staff = []
    for i, (name, sex, age, title, w, party, post, designations, on_duty) in enumerate(STAFF):
        window = windows[w] if w is not None else None
        member = api.post("/staff", {
            "name": name, "title": title, "employee_no": f"ZW{i + 1:03d}",
            "department_id": window["department_id"] if window else departments[0]["id"],
            "window_id": window["id"] if window else None, "is_party_member": party, "party_post": post,
            "designations": designations, "on_duty": on_duty, "sort_order": i,
            "duties": "负责本窗口业务受理、政策咨询和材料一次性告知，落实首问负责和限时办结制度。"})
        if portrait:
            jpeg = portrait(f"screens-{i}", sex, age, "blue", party)
            api.call("PUT", f"/staff/{member['id']}/photo", data=jpeg, headers={"Content-Type": "image/jpeg"})
        staff.append(member)
    for item in STANDARDS:
        body = {k: v for k, v in item.items() if k != "window"}
        window = windows[item["window"]]
        api.post("/standards", {**body, "department_id": window["department_id"], "window_ids": [window["id"]]})
    for name, description in HALL_RULES:
        api.post("/standards", {"kind": "hall_rule", "item_name": name, "description": description})
    api.post("/pledges", {"text": PLEDGES_ORG})
    for index, text in PLEDGES.items():
        api.post("/pledges", {"staff_id": staff[index]["id"], "text": text})
    for title, s, w, day, issuer in HONORS:
        body = {"title": title, "awarded_on": day, "issuer": issuer}
        body.update({"staff_id": staff[s]["id"]} if s is not None else {"window_id": windows[w]["id"]})
        api.post("/honors", body)
    for title, text in NOTICES:
        api.post("/notices", {"title": title, "text": text})
    kiosk = api.post("/kiosks", {"name": "大厅评价器"})
    scores = [5, 5, 5, 4, 5, 4, 5, 3, 5, 5, 4, 5]
    now = datetime.now(timezone.utc)
    month_start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    spacing = min(timedelta(minutes=7), (now - month_start) / 200)
    for n in range(140):
        # Spaced in time: presses at one kiosk within a few seconds count once (and are flagged).
        w = (n * 3) % len(windows)
        score = 2 if (n // 7) % (w + 3) == 0 else scores[n % len(scores)]
        api.post("/ratings", {"id": str(uuid.uuid4()), "score": score,
                              "window_id": windows[w]["id"], "channel": "kiosk", "kiosk_token": kiosk["token"],
                              "rated_at": (now - spacing * (n + 1)).isoformat()})
    return {"windows": windows, "staff": staff}


def shoot(page, server, screen, path: Path, slide: str | None = None) -> None:
    query = f"?slide={slide}" if slide else ""
    page.goto(f"{server.url}/display/{screen['id']}{query}#token={screen['token']}")
    page.wait_for_function("() => window.lbpScreen && window.lbpScreen.model.version >= 0", timeout=15_000)
    page.wait_for_function("() => Array.from(document.images).every(i => i.complete)", timeout=15_000)
    page.evaluate("document.fonts.ready")
    time.sleep(0.4)
    page.screenshot(path=str(path))
    print("wrote", path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(Path(__file__).parent))
    parser.add_argument("--own-data", action="store_true", help="seed this script's own hall, not the demo")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    from playwright.sync_api import sync_playwright

    data = Path(tempfile.mkdtemp(prefix="lbp-shots-"))
    # Rating limits off: the script posts a month of kiosk ratings in a few seconds.
    env = {"LIANGBIPING_RATING_BURST_KIOSK": "0/1", "LIANGBIPING_RATING_BURST_ADDRESS": "0/1"}
    server = None
    if not args.own_data:
        demo = LiveServer(data / "demo", command="demo", env=env)
        try:
            server = demo.start(timeout=300)
            api = Api(server, admin_token(server))
            if len(api.get("/staff?per_page=100").get("items", [])) < 4:
                raise RuntimeError("the demo seeded no hall")
        except (RuntimeError, AssertionError) as exc:
            print("demo unusable, seeding this script's own hall:", str(exc).splitlines()[0])
            demo.stop()
            server = None
    if server is None:
        server = LiveServer(data / "own", env=env).start()
        api = Api(server, admin_token(server))
        seed(api)
    try:
        windows = api.get("/windows?per_page=100")["items"]
        staff = api.get("/staff?per_page=200")["items"]
        busiest = max(windows, key=lambda w: sum(1 for m in staff if m["window_id"] == w["id"] and m["on_duty"]))
        hall = new_screen(api, "截图·大厅屏")
        window_screen = new_screen(api, "截图·窗口屏", "window", busiest["id"])
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            context = screen_context(browser, 1920, 1080)
            page = context.new_page()
            for kind in HALL_SLIDES:
                shoot(page, server, hall, out / f"hall-{kind.replace('_', '-')}-1920x1080.png", kind)
            notice = api.post("/notices", {"title": "系统升级，暂停办理不动产登记业务",
                                           "text": "今日15:00至16:30不动产登记系统升级，期间暂停受理，请您谅解。"
                                                   "其他业务正常办理。", "priority": "urgent"})
            shoot(page, server, hall, out / "hall-urgent-1920x1080.png", "identity_wall")
            api.delete(f"/notices/{notice['id']}")
            context.close()
            for width, height, name, screen, slide in [
                (1080, 1920, "hall-identity-wall-1080x1920.png", hall, "identity_wall"),
                (1080, 1920, "hall-standards-1080x1920.png", hall, "standards"),
                (800, 480, "window-800x480.png", window_screen, None),
                (1920, 1080, "window-1920x1080.png", window_screen, None),
            ]:
                context = screen_context(browser, width, height)
                shoot(context.new_page(), server, screen, out / name, slide)
                context.close()
            context = screen_context(browser, 1920, 1080)
            page = context.new_page()
            page.goto(server.url + "/display/")
            page.locator("#pairing-code[data-code]").wait_for()
            page.screenshot(path=str(out / "pairing-1920x1080.png"))
            browser.close()
    finally:
        server.stop()


if __name__ == "__main__":
    main()
