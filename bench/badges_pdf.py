"""Badge sheets: the A4 PDF of 1,000 members, built as the console builds it, then read back.

    python bench/badges_pdf.py [--members 1000] [--photos 20] [--runs 3] [--no-baseline]

Makes a hall in a temporary data dir on SQLite (10 departments, 60 windows, ``--members`` members
with varied Chinese names, posts, party marks and designations), and ``--photos`` distinct ID
photos (the demo's portraits, stored through the upload's own ``photos.normalise``: 600 x 800 JPEGs)
shared round the members; ``--photos 1000`` gives every member a photo of their own (50 drawn
portraits, in other light from the 51st on), the largest file. Then, per run, ``kiosk.badges.write_pdf`` as the console's badge job calls it (read in the
app's context, built in ``build_pdf``), with the pages done shown on the terminal, and prints the
seconds (reading the members, building the file), the size in MB and the pages. After the last
run it renders every page at 300 dpi with pdfium and decodes every QR code with zxing-cpp: each
member's own address must come back once.

The baseline (unless ``--no-baseline``) is the raster sheets as they were before the PDF was
made of text and paths (``kiosk/badges.py`` at commit a357dfa, read from git): each page one
300 dpi JPEG of the whole sheet, same members, same machine, same run.

Targets (issue 15): 1,000 members in at most 30 s and at most 15 MB, every code read back.
"""

from __future__ import annotations

import argparse
import importlib.util
import io
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

BASELINE_COMMIT = "a357dfa"  # the last commit with the raster sheets
BASE_URL = "http://192.168.10.20:8000"  # a hall's LAN address: the length of a real badge's URL

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = ("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬燕彩春菊兰凤洁梅琳素云莲真环雪荣爱妹"
         "霞香月莺媛艳瑞凡佳嘉琼勤珍贞莉桂娣叶璧璐娅琦晶妍茜秋珊莎锦黛青倩婷姣婉娴瑾颖露瑶怡婵雁蓓纨仪荷丹蓉眉君琴"
         "蕊薇菁梦岚苑婕馨瑗琰韵融园艺咏卿聪澜纯毓悦昭冰爽琬茗羽希宁欣飘育滢馥筠柔竹霭凝晓欢霄枫芸菲寒伊亚宜可姬舒影"
         "荔枝思丽峰建国志文海波辉鹏华飞鑫宇浩凯健俊帆帅旭宁龙林阳晨瑞")
POSTS = ["综合窗口受理员", "社保经办员", "医保经办员", "不动产登记受理员", "税务服务专员", "公积金业务员",
         "企业开办受理员", "户政民警", "帮办代办员", "首席服务官", "综合受理科科长", "窗口负责人", ""]
DEPARTMENTS = ["综合受理科", "社保中心", "医保中心", "不动产登记中心", "税务服务厅", "公积金管理中心",
               "市场监管局", "公安户政科", "人才服务中心", "民政服务窗口"]
DESIGNATIONS = ["党员先锋岗", "岗位能手", "服务标兵", "青年文明号", "党员示范岗"]


def make_photos(photo_dir: Path, count: int) -> list[str]:
    """``count`` distinct ID photos as the upload stores them (600 x 800 JPEG); their file names. At
    most 50 portraits are drawn (they take a while); more photos are those in other light (each
    variant its own picture, as each member's own photo would be)."""
    from PIL import Image, ImageEnhance

    from liangbiping.admin.demo.portraits import portrait_jpeg
    from liangbiping.admin.services.photos import normalise

    drawn = [Image.open(io.BytesIO(portrait_jpeg(f"B{i:05d}", "mf"[i % 2], 24 + i % 35, ("blue", "white", "red")[i % 3],
                                                 party_badge=i % 3 != 0))).convert("RGB") for i in range(min(count, 50))]
    names = []
    photo_dir.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        picture, variant = drawn[i % len(drawn)], i // len(drawn)
        if variant:  # each variant a little brighter than the last
            picture = ImageEnhance.Brightness(picture).enhance(1 + 0.01 * variant)
        out = io.BytesIO()
        picture.save(out, "JPEG", quality=92)
        name = f"bench-{i:05d}.jpg"
        (photo_dir / name).write_bytes(normalise(out.getvalue()))
        names.append(name)
    return names


def build_hall(db, models, members: int, photos: list[str]) -> None:
    rng = random.Random(15)
    depts = [models.Department(name=name, sort_order=i) for i, name in enumerate(DEPARTMENTS)]
    db.session.add_all(depts)
    db.session.flush()
    windows = [models.Window(number=f"{'ABCDEFGHJK'[i % 10]}{i // 10 + 1:02d}", name=f"窗口{i}",
                             department_id=depts[i % 10].id) for i in range(60)]
    db.session.add_all(windows)
    db.session.flush()
    staff = []
    for i in range(members):
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))
        window = windows[i % 60] if i % 7 else None  # two or more members a window, some without one
        staff.append(models.Staff(
            name=name, employee_no=f"ZW{i:06d}", title=rng.choice(POSTS),
            department_id=(window.department_id if window else depts[i % 10].id), window_id=window.id if window else None,
            is_party_member=rng.random() < 0.45, designations=rng.sample(DESIGNATIONS, rng.choice((0, 0, 1, 1, 2))),
            photo=photos[i % len(photos)] if photos else None, sort_order=i))
    db.session.add_all(staff)
    db.session.commit()


def old_module():
    """kiosk/badges.py of BASELINE_COMMIT, loaded beside the current one (its relative imports work)."""
    source = subprocess.run(["git", "-C", str(ROOT), "show", f"{BASELINE_COMMIT}:kiosk/badges.py"],
                            capture_output=True, text=True, check=True).stdout
    path = Path(tempfile.mkdtemp()) / "raster_badges.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location("liangbiping.kiosk._raster_badges", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def shown(label: str):
    """A progress callback that keeps one line on the terminal up to date: badges and pages done."""
    state = {"last": 0.0}

    def progress(done, total, page=None, pages=None):
        now = time.perf_counter()
        if now - state["last"] > 0.25 or done == total:
            state["last"] = now
            tail = f", page {page} / {pages}" if pages else ""
            print(f"\r  {label}: badge {done} / {total}{tail}   ", end="", file=sys.stderr, flush=True)

    return progress


def embedded(data: bytes) -> tuple[int, int]:
    """(images, fonts) the file holds, each object once however many pages use it."""
    from pypdf import PdfReader

    images, fonts = set(), set()
    for page in PdfReader(io.BytesIO(data)).pages:
        resources = page["/Resources"]
        images |= {ref.idnum for ref in (resources.get("/XObject") or {}).values()
                   if ref.get_object()["/Subtype"] == "/Image"}
        fonts |= {ref.idnum for ref in (resources.get("/Font") or {}).values()}
    return len(images), len(fonts)


def check_codes(data: bytes, expected: list[str]) -> tuple[int, int, float]:
    """(codes read, pages, seconds): every page rendered at 300 dpi by pdfium, its QR codes decoded."""
    import pypdfium2 as pdfium
    import zxingcpp

    began = time.perf_counter()
    doc = pdfium.PdfDocument(data)
    found = []
    try:
        for page in doc:
            image = page.render(scale=300 / 72, grayscale=True).to_pil()
            found += [c.text for c in zxingcpp.read_barcodes(image) if c.format == zxingcpp.BarcodeFormat.QRCode]
        pages = len(doc)
    finally:
        doc.close()
    assert sorted(found) == sorted(expected), (
        f"{len(found)} codes read for {len(expected)} members; missing {len(set(expected) - set(found))}")
    return len(found), pages, time.perf_counter() - began


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--photos", type=int, default=20, help="distinct photos, shared round the members")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-baseline", action="store_true", help="skip the raster sheets of before")
    args = parser.parse_args()

    from sqlalchemy import select

    from liangbiping.admin import models
    from liangbiping.admin.app import create_app
    from liangbiping.admin.config import TestingConfig
    from liangbiping.admin.extensions import db
    from liangbiping.kiosk import badges

    print(f"load average {os.getloadavg()[0]:.2f} at the start; {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(TestingConfig.from_env(tmp))
        began = time.perf_counter()
        with app.app_context():
            photos = make_photos(Path(tmp) / "photos", args.photos)
            build_hall(db, models, args.members, photos)
        print(f"hall: {args.members} members, {len(photos)} distinct photos (made in {time.perf_counter() - began:.1f} s)")

        rows = []
        with app.test_request_context("/", base_url=BASE_URL):
            people = list(db.session.scalars(select(models.Staff).order_by(models.Staff.sort_order)))
            expected = [badges.badge_url(p) for p in people]
            out = Path(tmp) / "badges.pdf"
            for run in range(1, args.runs + 1):
                t0 = time.perf_counter()
                sheet = badges.prepare(people, "全部科室", tmp)  # the members read and translated
                t1 = time.perf_counter()
                pages = badges.build_pdf(sheet, out, shown(f"run {run}"))
                t2 = time.perf_counter()
                print(file=sys.stderr)
                rows.append((t2 - t0, t1 - t0, t2 - t1, out.stat().st_size / 1e6, pages))
                print(f"run {run}: {t2 - t0:.2f} s ({t1 - t0:.2f} s reading, {t2 - t1:.2f} s building), "
                      f"{out.stat().st_size / 1e6:.2f} MB, {pages} pages, load {os.getloadavg()[0]:.2f}")
            images, fonts = embedded(out.read_bytes())
            print(f"embedded: {images} images (for {len(photos)} distinct photos), {fonts} fonts (two weights)")
            read, pages, seconds = check_codes(out.read_bytes(), expected)
            print(f"QR codes read back at 300 dpi: {read} of {len(expected)} members on {pages} pages "
                  f"(each member's own address once; {seconds:.1f} s to render and decode)")

            if not args.no_baseline:
                raster = old_module()
                old = Path(tmp) / "raster.pdf"
                t0 = time.perf_counter()
                old_pages = raster.write_pdf(people, "全部科室", tmp, old, shown("baseline"))
                seconds_old = time.perf_counter() - t0
                print(file=sys.stderr)
                print(f"baseline (raster sheets, {BASELINE_COMMIT}): {seconds_old:.2f} s, "
                      f"{old.stat().st_size / 1e6:.2f} MB, {old_pages} pages, load {os.getloadavg()[0]:.2f}")

        totals = [r[0] for r in rows]
        print(f"\nPDF of {args.members} members, {len(photos)} distinct photos, {args.runs} runs: "
              f"{min(totals):.2f} / {statistics.median(totals):.2f} / {max(totals):.2f} s (min / median / max), "
              f"{rows[-1][3]:.2f} MB, {rows[-1][4]} pages; targets: at most 30 s and 15 MB: "
              f"{'met' if max(totals) <= 30 and rows[-1][3] <= 15 else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
