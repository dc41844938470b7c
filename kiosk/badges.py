"""Printable badges (工作牌): one PNG per member at 300 dpi, and A4 PDF sheets with cut marks.

A badge is 54 x 85.6 mm, portrait (the ID-1 card size turned upright): hall name, photo,
name, post, department and window, a party-member mark where it applies, designations,
and the member's rating QR code (a signed, revocable badge token; see kiosk.qrtokens).
"""

from __future__ import annotations

import io
import math
import os
import subprocess
from functools import lru_cache
from pathlib import Path

import qrcode
from flask_babel import gettext as _
from PIL import Image, ImageDraw, ImageFont, ImageOps

from liangbiping.admin.errors import DomainError

from . import qrtokens

DPI = 300
MM = DPI / 25.4
BADGE_SIZE = (round(54 * MM), round(85.6 * MM))          # 638 x 1011 px
A4 = (round(210 * MM), round(297 * MM))                   # 2480 x 3508 px
GAP = round(4 * MM)
PER_ROW, PER_COLUMN = 3, 3
PER_PAGE = PER_ROW * PER_COLUMN

RED, RED_DARK, GOLD, INK, MUTED = (200, 22, 29), (158, 16, 21), (244, 197, 66), (31, 35, 41), (90, 96, 108)

FONT_CANDIDATES = [
    "/usr/share/fonts/opentype/noto/NotoSansCJK-{weight}.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-{weight}.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJKsc-{weight}.otf",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
]


class FontMissing(DomainError):
    """No font with Chinese glyphs is installed: badges would print boxes instead of names."""

    status = 503
    code = "font_missing"


def _sc_index(path: str) -> int:
    """The face of a collection that is Simplified Chinese (Noto CJK puts SC at 2, but ask)."""
    for index in range(12):
        try:
            family, _style = ImageFont.truetype(path, 12, index=index).getname()
        except OSError:
            break
        if family.endswith(" SC"):
            return index
    return 0


@lru_cache(maxsize=4)
def font_file(weight: str = "Bold") -> tuple[str, int]:
    """(path, face index) of an installed CJK font, or FontMissing with what to install."""
    wanted = os.environ.get("LIANGBIPING_CJK_FONT")
    candidates = ([wanted] if wanted else []) + [c.format(weight=weight) for c in FONT_CANDIDATES]
    if weight != "Regular":
        candidates += [c.format(weight="Regular") for c in FONT_CANDIDATES]
    for path in candidates:
        if path and Path(path).is_file():
            return path, _sc_index(path) if path.endswith(".ttc") else 0
    try:
        found = subprocess.run(["fc-match", "-f", "%{file}", ":lang=zh-cn"], capture_output=True, text=True,
                               timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        found = ""
    if found and Path(found).is_file():
        font = ImageFont.truetype(found, 40, index=_sc_index(found) if found.endswith(".ttc") else 0)
        if font.getbbox("亮")[2] > 0 and font.getmask("亮").getbbox() != font.getmask("\ufffe").getbbox():
            return found, _sc_index(found) if found.endswith(".ttc") else 0
    raise FontMissing("No Chinese font is installed, so badges cannot be printed. Install one, e.g. "
                      "`apt-get install fonts-noto-cjk`, or set LIANGBIPING_CJK_FONT to a .ttf/.otf/.ttc file.")


@lru_cache(maxsize=64)
def font(size: int, weight: str = "Bold") -> ImageFont.FreeTypeFont:
    path, index = font_file(weight)
    return ImageFont.truetype(path, size, index=index)


def _fit(draw: ImageDraw.ImageDraw, text: str, size: int, max_width: int, weight: str = "Bold"):
    """The largest font up to ``size`` that fits ``text`` in ``max_width`` (down to 60 %)."""
    for s in range(size, max(10, int(size * 0.6)) - 1, -2):
        f = font(s, weight)
        if draw.textlength(text, font=f) <= max_width:
            return f, text
    f = font(max(10, int(size * 0.6)), weight)
    while text and draw.textlength(text + "…", font=f) > max_width:
        text = text[:-1]
    return f, text + "…"


def _center(draw, y: int, text: str, f, fill, width: int) -> None:
    w = draw.textlength(text, font=f)
    draw.text(((width - w) / 2, y), text, font=f, fill=fill)


def qr_image(data: str, box: int) -> Image.Image:
    qr = qrcode.QRCode(border=1, error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=10)
    qr.add_data(data)
    img = qr.make_image(fill_color="black", back_color="white").get_image().convert("L")
    modules = img.size[0] // 10
    scale = max(1, box // modules)  # whole pixels per module: sharp edges for the scanner
    return img.resize((modules * scale, modules * scale), Image.Resampling.NEAREST).convert("RGB")


def _photo(staff, data_dir: str | None, size: tuple[int, int]) -> Image.Image:
    path = Path(data_dir or "", "photos", staff.photo) if staff.photo and data_dir else None
    if path is not None and path.is_file():
        with Image.open(path) as img:
            return ImageOps.fit(img.convert("RGB"), size, method=Image.Resampling.LANCZOS, centering=(0.5, 0.35))
    img = Image.new("RGB", size, (232, 234, 238))
    draw = ImageDraw.Draw(img)
    w, h = size
    draw.ellipse((w * 0.3, h * 0.18, w * 0.7, h * 0.5), fill=(200, 204, 212))
    draw.ellipse((w * 0.12, h * 0.55, w * 0.88, h * 1.15), fill=(200, 204, 212))
    return img


def render_badge(staff, url: str, hall_name: str, data_dir: str | None = None) -> Image.Image:
    """One member's badge as an RGB image at 300 dpi."""
    W, H = BADGE_SIZE
    img = Image.new("RGB", BADGE_SIZE, "white")
    draw = ImageDraw.Draw(img)
    # Header band: the hall's name.
    draw.rectangle((0, 0, W, 132), fill=RED)
    draw.rectangle((0, 132, W, 140), fill=GOLD)
    f, text = _fit(draw, hall_name, 40, W - 60)
    _center(draw, 26, text, f, "white", W)
    _center(draw, 82, _("Staff badge"), font(26, "Regular"), (255, 236, 200), W)
    # Photo, with a party-member mark across its foot.
    pw, ph = 246, 328
    px, py = (W - pw) // 2, 162
    draw.rectangle((px - 4, py - 4, px + pw + 3, py + ph + 3), fill=(220, 222, 226))
    img.paste(_photo(staff, data_dir, (pw, ph)), (px, py))
    y = py + ph + 18
    if staff.is_party_member:
        label = "★ " + _("Party member")
        f = font(26)
        tw = draw.textlength(label, font=f)
        bx0, by0 = (W - tw) / 2 - 22, py + ph - 26
        draw.rounded_rectangle((bx0, by0, bx0 + tw + 44, by0 + 46), radius=23, fill=RED)
        draw.text((bx0 + 22, by0 + 5), label, font=f, fill=GOLD)
        y = by0 + 52
    f, text = _fit(draw, staff.name, 68, W - 60)
    _center(draw, y, text, f, INK, W)
    y += 88
    if staff.title:
        f, text = _fit(draw, staff.title, 32, W - 60, "Regular")
        _center(draw, y, text, f, INK, W)
        y += 44
    where = " · ".join(x for x in (staff.department.name if staff.department else "",
                                   _("Window %(n)s", n=staff.window.number) if staff.window else "") if x)
    if where:
        f, text = _fit(draw, where, 26, W - 60, "Regular")
        _center(draw, y, text, f, MUTED, W)
        y += 44
    # Designations (党员先锋岗, 岗位能手 ...) as gold-edged tags, as many as fit on one line.
    tags = [d for d in (staff.designations or []) if d][:4]
    if tags:
        f = font(22)
        widths = [draw.textlength(t, font=f) + 24 for t in tags]
        while tags and sum(widths) + 10 * (len(tags) - 1) > W - 40:
            tags.pop()
            widths.pop()
        x = (W - (sum(widths) + 10 * (len(tags) - 1))) / 2
        for tag, w in zip(tags, widths):
            draw.rounded_rectangle((x, y, x + w, y + 36), radius=8, outline=(190, 140, 20), width=2, fill=(255, 248, 225))
            draw.text((x + 12, y + 3), tag, font=f, fill=RED_DARK)
            x += w + 10
    # Rating QR code at the foot, with what it is for.
    qr_box = 196
    qr = qr_image(url, qr_box)
    qx, qy = 34, H - 34 - qr.size[1]
    img.paste(qr, (qx, qy))
    tx = qx + qr.size[0] + 20
    draw.text((tx, qy + 18), _("Scan to rate"), font=font(34), fill=RED_DARK)
    draw.text((tx, qy + 66), _("my service"), font=font(26, "Regular"), fill=INK)
    # The address the code encodes, so whoever checks a printed badge sees where it leads.
    from urllib.parse import urlsplit

    host = urlsplit(url).netloc
    if host:
        f, text = _fit(draw, host, 22, W - tx - 24, "Regular")
        draw.text((tx, qy + 112), text, font=f, fill=MUTED)
    if staff.employee_no:
        draw.text((tx, qy + qr.size[1] - 34), _("No. %(no)s", no=staff.employee_no), font=font(22, "Regular"), fill=MUTED)
    draw.rectangle((0, H - 12, W, H), fill=RED)
    return img


def badge_png(staff, url: str, hall_name: str, data_dir: str | None = None) -> bytes:
    out = io.BytesIO()
    render_badge(staff, url, hall_name, data_dir).save(out, "PNG", dpi=(DPI, DPI), optimize=False)
    return out.getvalue()


def _cut_marks(draw: ImageDraw.ImageDraw, left: int, top: int, cols: int, rows: int) -> None:
    """Marks in the page margin along every cut line, clear of the badges themselves."""
    W, H = BADGE_SIZE
    xs = sorted({left + c * (W + GAP) for c in range(cols)} | {left + c * (W + GAP) + W for c in range(cols)})
    ys = sorted({top + r * (H + GAP) for r in range(rows)} | {top + r * (H + GAP) + H for r in range(rows)})
    grid_right, grid_bottom = xs[-1], ys[-1]
    length, off = round(6 * MM), round(2 * MM)
    for x in xs:
        draw.line((x, top - off - length, x, top - off), fill="black", width=2)
        draw.line((x, grid_bottom + off, x, grid_bottom + off + length), fill="black", width=2)
    for y in ys:
        draw.line((left - off - length, y, left - off, y), fill="black", width=2)
        draw.line((grid_right + off, y, grid_right + off + length, y), fill="black", width=2)


def sheet_page(badges: list[Image.Image], footer: str, number: int, total: int) -> Image.Image:
    """One A4 page (at most nine badges) with cut marks and a footer."""
    W, H = BADGE_SIZE
    grid_w, grid_h = PER_ROW * W + (PER_ROW - 1) * GAP, PER_COLUMN * H + (PER_COLUMN - 1) * GAP
    left, top = (A4[0] - grid_w) // 2, (A4[1] - grid_h) // 2
    page = Image.new("RGB", A4, "white")
    draw = ImageDraw.Draw(page)
    for i, badge in enumerate(badges):
        r, c = divmod(i, PER_ROW)
        page.paste(badge, (left + c * (W + GAP), top + r * (H + GAP)))
    rows = max(1, math.ceil(len(badges) / PER_ROW))
    _cut_marks(draw, left, top, min(PER_ROW, max(1, len(badges))), rows)
    draw.text((left, A4[1] - round(8 * MM)), f"{footer} · {number} / {total}", font=font(30, "Regular"), fill=MUTED)
    return page


def write_pdf(staff_list, footer: str, data_dir: str | None, path, progress=None) -> int:
    """Write A4 sheets for ``staff_list`` to ``path``, one page at a time (memory stays at one page
    however many members); ``progress(done, total)`` is called per badge. Returns the page count."""
    name = hall_name()
    total = len(staff_list)
    pages = max(1, math.ceil(total / PER_PAGE))
    done = 0
    for number in range(pages):
        images = []
        for member in staff_list[number * PER_PAGE:(number + 1) * PER_PAGE]:
            images.append(render_badge(member, badge_url(member), name, data_dir))
            done += 1
            if progress:
                progress(done, total)
        page = sheet_page(images, footer, number + 1, pages)
        page.save(path, "PDF", resolution=DPI, append=number > 0, quality=92, subsampling=0)
    return pages


def badge_url(staff) -> str:
    return qrtokens.phone_url(qrtokens.badge_token(staff))


def hall_name() -> str:
    from liangbiping.admin.services.settings import get_setting

    return get_setting("hall_name") or ""


def badges_pdf(staff_list, footer: str, data_dir: str | None) -> bytes:
    """The PDF as bytes (through a temporary file: pages are appended one by one)."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "badges.pdf"
        write_pdf(staff_list, footer, data_dir, path)
        return path.read_bytes()


def members_to_print(viewer, department_id: int | None) -> tuple[list, str]:
    """(members, sheet footer) for a print run: one department or all, within what ``viewer``
    manages (a leader prints their departments' badges only). NotFound for a department out of
    reach or a run with nobody in it."""
    from sqlalchemy import select

    from liangbiping.admin.errors import NotFound
    from liangbiping.admin.extensions import db
    from liangbiping.admin.models import Department, Staff

    query = select(Staff).order_by(Staff.department_id, Staff.sort_order, Staff.id)
    scope = viewer.member_condition()
    if scope is not None:
        query = query.where(scope)
    footer = _("All departments")
    if department_id is not None:
        department = db.session.get(Department, department_id) if 0 < department_id < 2**31 else None
        if department is None or not viewer.sees_department(department.id):
            raise NotFound(_("Department %(id)s does not exist.", id=department_id))
        query = query.where(Staff.department_id == department_id)
        footer = department.name
    people = list(db.session.scalars(query))
    if not people:
        raise NotFound(_("No staff members to print."))
    return people, footer


def rotate(staff, actor: str):
    """Withdraw every badge printed for ``staff`` so far (a lost badge): their QR codes stop
    working at once, and the next badge printed carries a new one. Audited, committed."""
    from liangbiping.admin.extensions import db
    from liangbiping.admin.services.audit import record

    old = staff.badge_version or 1
    staff.badge_version = old + 1
    record(actor, "rotate_badge", "staff", staff.id, summary=staff.name, changes={"badge_version": [old, old + 1]})
    db.session.commit()
    return staff
