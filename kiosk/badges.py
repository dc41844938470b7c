"""Printable badges (工作牌): one PNG per member at 300 dpi, and A4 PDF sheets with cut marks.

A badge is 54 x 85.6 mm, portrait (the ID-1 card size turned upright): hall name, photo,
name, post, department and window, a party-member mark where it applies, designations,
and the member's rating QR code (a signed, revocable badge token; see kiosk.qrtokens).

One layout (``_lay_out``) draws a badge on either of two canvases, in pixels at 300 dpi:
``_Raster`` paints them with Pillow (the single badge's PNG), ``_Vector`` writes them as PDF with
fpdf2 (the A4 sheets, whose user unit is that pixel): the words as text in the CJK font (embedded
once, subset to the glyphs used), the QR codes, frames and cut marks as filled and stroked paths,
and each photo embedded once, as a JPEG of the size it prints at.

A print run has two steps: ``prepare`` reads what each badge says (the database, translations,
the signed QR tokens: it needs the app's context) where it is called; ``build_pdf`` lays the
sheets out and writes the file without anything of Flask's, so it runs in a worker thread
(admin/offload.py) and tells a callback the badges and pages done.
"""

from __future__ import annotations

import bisect
import io
import logging
import math
import os
import subprocess
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

import zxingcpp
from flask_babel import gettext as _
from PIL import Image, ImageDraw, ImageFont, ImageOps

from liangbiping.admin.errors import DomainError
from liangbiping.admin.offload import run_off_loop

from . import qrtokens

DPI = 300
MM = DPI / 25.4
BADGE_SIZE = (round(54 * MM), round(85.6 * MM))          # 638 x 1011 px
A4 = (round(210 * MM), round(297 * MM))                   # 2480 x 3508 px
GAP = round(4 * MM)
PER_ROW, PER_COLUMN = 3, 3
PER_PAGE = PER_ROW * PER_COLUMN

PHOTO_BOX = (246, 328)  # 3:4, as the stored photos (admin/services/photos.py), 20.8 x 27.8 mm
PHOTO_QUALITY = 85       # the JPEG of each photo in the PDF
QR_BOX = 196             # at most this many pixels a side; whole pixels per module

RED, RED_DARK, GOLD, INK, MUTED = (200, 22, 29), (158, 16, 21), (244, 197, 66), (31, 35, 41), (90, 96, 108)
WHITE, BLACK, CREAM, FRAME = (255, 255, 255), (0, 0, 0), (255, 236, 200), (220, 222, 226)
TAG_FILL, TAG_EDGE, SILHOUETTE, BACKDROP = (255, 248, 225), (190, 140, 20), (200, 204, 212), (232, 234, 238)

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


def _fit(canvas, text: str, size: int, max_width: float, weight: str = "Bold") -> tuple[int, str]:
    """(font size, text): the largest size up to ``size`` at which ``text`` fits in ``max_width``
    (down to 60 %); past that, the text cut short with an ellipsis at the smallest size."""
    for s in range(size, max(10, int(size * 0.6)) - 1, -2):
        if canvas.length(text, s, weight) <= max_width:
            return s, text
    s = max(10, int(size * 0.6))
    # The longest head of the text that fits with its ellipsis (widths grow with the head).
    keep = bisect.bisect_right(range(len(text) + 1), max_width,
                               key=lambda n: canvas.length(text[:n] + "…", s, weight)) - 1
    return s, text[:max(keep, 0)] + "…"


def _center(canvas, y: float, text: str, size: int, weight: str, fill, width: int) -> None:
    canvas.text(((width - canvas.length(text, size, weight)) / 2, y), text, size, weight, fill)


@dataclass(frozen=True)
class Words:
    """What every badge of a print run says alike, translated once."""

    hall: str
    header: str
    party: str
    scan: str
    service: str

    @classmethod
    def translated(cls, hall: str) -> "Words":
        return cls(hall=hall, header=_("Staff badge"), party="★ " + _("Party member"), scan=_("Scan to rate"),
                   service=_("my service"))


@dataclass(frozen=True)
class Badge:
    """What one member's badge says, as printed: read in the app's context, drawn anywhere."""

    name: str
    title: str
    where: str          # department · window
    tags: tuple         # designations (党员先锋岗, 岗位能手 ...), at most four
    party: bool
    number: str         # "No. E001" in the hall's language, or ""
    photo: Path | None  # the stored photo, if any
    url: str            # what the QR code encodes


def badge_facts(staff, url: str, data_dir: str | None) -> Badge:
    where = " · ".join(x for x in (staff.department.name if staff.department else "",
                                   _("Window %(n)s", n=staff.window.number) if staff.window else "") if x)
    return Badge(name=staff.name or "", title=staff.title or "", where=where,
                 tags=tuple(str(d) for d in (staff.designations or []) if d)[:4], party=bool(staff.is_party_member),
                 number=_("No. %(no)s", no=staff.employee_no) if staff.employee_no else "",
                 photo=Path(data_dir, "photos", staff.photo) if staff.photo and data_dir else None, url=url)


def qr_symbol(data: str) -> Image.Image:
    """The QR code (error correction M) as an "L" image of one pixel a module, 0 dark and 255 light,
    with a quiet zone of one module (the badge's white around it does the rest)."""
    code = zxingcpp.create_barcode(data, zxingcpp.BarcodeFormat.QRCode, ec_level="M")
    modules = code.to_image(scale=1, add_quiet_zones=False)
    rows, cols = modules.shape
    return ImageOps.expand(Image.frombytes("L", (cols, rows), bytes(memoryview(modules))), border=1, fill=255)


def _placeholder(size: tuple[int, int]) -> Image.Image:
    """A grey silhouette for a member without a photo."""
    img = Image.new("RGB", size, BACKDROP)
    draw = ImageDraw.Draw(img)
    w, h = size
    draw.ellipse((w * 0.3, h * 0.18, w * 0.7, h * 0.5), fill=SILHOUETTE)
    draw.ellipse((w * 0.12, h * 0.55, w * 0.88, h * 1.15), fill=SILHOUETTE)
    return img


def _photo_image(path: Path | None, size: tuple[int, int]) -> Image.Image:
    """The member's photo cropped to ``size`` (a little above the middle: the face), or the silhouette
    when there is none or it cannot be read."""
    if path is not None:
        try:
            with Image.open(path) as img:
                img.draft("RGB", size)  # a JPEG decoded at the smallest scale still at least ``size``: half the work
                return ImageOps.fit(img.convert("RGB"), size, method=Image.Resampling.LANCZOS, centering=(0.5, 0.35))
        except (OSError, ValueError, Image.DecompressionBombError):
            pass
    return _placeholder(size)


def _lay_out(c, badge: Badge, words: Words) -> None:
    """One badge, drawn on canvas ``c`` in pixels at 300 dpi from its top left corner."""
    W, H = BADGE_SIZE
    # Header band: the hall's name.
    c.rect((0, 0, W, 132), RED)
    c.rect((0, 132, W, 140), GOLD)
    size, text = _fit(c, words.hall, 40, W - 60)
    _center(c, 26, text, size, "Bold", WHITE, W)
    _center(c, 82, words.header, 26, "Regular", CREAM, W)
    # Photo, with a party-member mark across its foot.
    pw, ph = PHOTO_BOX
    px, py = (W - pw) // 2, 162
    c.rect((px - 4, py - 4, px + pw + 3, py + ph + 3), FRAME)
    c.photo(badge.photo, (px, py))
    y = py + ph + 18
    if badge.party:
        tw = c.length(words.party, 26, "Bold")
        bx0, by0 = (W - tw) / 2 - 22, py + ph - 26
        c.rounded((bx0, by0, bx0 + tw + 44, by0 + 46), 23, RED)
        c.text((bx0 + 22, by0 + 5), words.party, 26, "Bold", GOLD)
        y = by0 + 52
    size, text = _fit(c, badge.name, 68, W - 60)
    _center(c, y, text, size, "Bold", INK, W)
    y += 88
    if badge.title:
        size, text = _fit(c, badge.title, 32, W - 60, "Regular")
        _center(c, y, text, size, "Regular", INK, W)
        y += 44
    if badge.where:
        size, text = _fit(c, badge.where, 26, W - 60, "Regular")
        _center(c, y, text, size, "Regular", MUTED, W)
        y += 44
    # Designations as gold-edged tags, as many as fit on one line.
    tags = list(badge.tags)
    if tags:
        widths = [c.length(t, 22, "Bold") + 24 for t in tags]
        while tags and sum(widths) + 10 * (len(tags) - 1) > W - 40:
            tags.pop()
            widths.pop()
        x = (W - (sum(widths) + 10 * (len(tags) - 1))) / 2
        for tag, w in zip(tags, widths):
            c.rounded((x, y, x + w, y + 36), 8, TAG_FILL, outline=TAG_EDGE, width=2)
            c.text((x + 12, y + 3), tag, 22, "Bold", RED_DARK)
            x += w + 10
    # Rating QR code at the foot, with what it is for.
    symbol = qr_symbol(badge.url)
    scale = max(1, QR_BOX // symbol.width)  # whole pixels per module: sharp edges for the scanner
    side = symbol.width * scale
    qx, qy = 34, H - 34 - side
    c.qr(symbol, (qx, qy), scale)
    tx = qx + side + 20
    c.text((tx, qy + 18), words.scan, 34, "Bold", RED_DARK)
    c.text((tx, qy + 66), words.service, 26, "Regular", INK)
    # The address the code encodes, so whoever checks a printed badge sees where it leads.
    host = urlsplit(badge.url).netloc
    if host:
        size, text = _fit(c, host, 22, W - tx - 24, "Regular")
        c.text((tx, qy + 112), text, size, "Regular", MUTED)
    if badge.number:
        size, text = _fit(c, badge.number, 22, W - tx - 24, "Regular")
        c.text((tx, qy + side - 34), text, size, "Regular", MUTED)
    c.rect((0, H - 12, W, H), RED)


# --- pixels: the single badge ------------------------------------------------------------------


class _Raster:
    """A badge's pixels (Pillow). Boxes are Pillow's: (x0, y0, x1, y1), both ends included."""

    def __init__(self):
        self.image = Image.new("RGB", BADGE_SIZE, WHITE)
        self.draw = ImageDraw.Draw(self.image)

    def length(self, text, size, weight):
        return self.draw.textlength(text, font=font(size, weight))

    def rect(self, box, fill):
        self.draw.rectangle(box, fill=fill)

    def rounded(self, box, radius, fill, outline=None, width=0):
        self.draw.rounded_rectangle(box, radius=radius, fill=fill, outline=outline, width=width)

    def text(self, xy, text, size, weight, fill):
        self.draw.text(xy, text, font=font(size, weight), fill=fill)

    def photo(self, path, xy):
        self.image.paste(_photo_image(path, PHOTO_BOX), xy)

    def qr(self, symbol, xy, scale):
        side = symbol.width * scale
        self.image.paste(symbol.resize((side, side), Image.Resampling.NEAREST).convert("RGB"), xy)


def render_badge(staff, url: str, hall_name: str, data_dir: str | None = None) -> Image.Image:
    """One member's badge as an RGB image at 300 dpi."""
    canvas = _Raster()
    _lay_out(canvas, badge_facts(staff, url, data_dir), Words.translated(hall_name))
    return canvas.image


def badge_png(staff, url: str, hall_name: str, data_dir: str | None = None) -> bytes:
    out = io.BytesIO()
    render_badge(staff, url, hall_name, data_dir).save(out, "PNG", dpi=(DPI, DPI), optimize=False)
    return out.getvalue()


# --- vectors: the A4 sheets --------------------------------------------------------------------


class _Vector:
    """Badges and sheets as PDF (fpdf2), in pixels at 300 dpi from ``origin`` (the badge's corner)."""

    FAMILY = "badge-cjk"

    def __init__(self, pdf):
        from fpdf.enums import RenderStyle

        self.pdf = pdf
        self.fill = RenderStyle.F  # the QR code's hundreds of rectangles: fpdf2 takes the enum faster than "F"
        self.origin = (0, 0)
        self.styles: dict[str, str] = {}      # weight -> the style it was added as
        self.ascent: dict[str, float] = {}    # weight -> ascender per pixel of size
        self.photos: dict[Path | None, bytes] = {}
        added: dict[tuple[str, int], str] = {}
        for weight, style in (("Regular", ""), ("Bold", "B")):
            path, index = font_file(weight)
            if (path, index) not in added:  # no bold face installed: bold is the regular face
                collection = {"collection_font_number": index} if path.lower().endswith((".ttc", ".otc")) else {}
                pdf.add_font(self.FAMILY, style, path, **collection)
                added[(path, index)] = style
            self.styles[weight] = added[(path, index)]
            pdf.set_font(self.FAMILY, self.styles[weight], 10)
            self.ascent[weight] = pdf.current_font.desc.ascent / 1000

    def _font(self, size, weight):
        self.pdf.set_font(self.FAMILY, self.styles[weight], size * self.pdf.k)  # points for pixels of size

    def length(self, text, size, weight):
        self._font(size, weight)
        return self.pdf.get_string_width(text)

    def _box(self, box):
        """Pillow's inclusive pixel box as (x, y, w, h) on the page, kept within the badge."""
        (ox, oy), (W, H) = self.origin, BADGE_SIZE
        x0, y0 = max(box[0], 0), max(box[1], 0)
        x1, y1 = min(box[2] + 1, W), min(box[3] + 1, H)
        return ox + x0, oy + y0, x1 - x0, y1 - y0

    def rect(self, box, fill):
        self.pdf.set_fill_color(*fill)
        self.pdf.rect(*self._box(box), style="F")

    def rounded(self, box, radius, fill, outline=None, width=0):
        x, y, w, h = self._box(box)
        self.pdf.set_fill_color(*fill)
        if outline:  # Pillow draws the edge inside the box; PDF strokes on the path, half each side
            self.pdf.set_draw_color(*outline)
            self.pdf.set_line_width(width)
            x, y, w, h = x + width / 2, y + width / 2, w - width, h - width
        radius = min(radius, min(w, h) / 2 - 0.01)  # fpdf2 reads a radius of half the side as a ratio
        self.pdf.rect(x, y, w, h, style="DF" if outline else "F", round_corners=True, corner_radius=radius)

    def text(self, xy, text, size, weight, fill):
        """``xy`` is the top left of the line (Pillow's anchor); PDF places text on its baseline."""
        if not text:
            return
        self._font(size, weight)
        self.pdf.set_text_color(*fill)
        self.pdf.text(self.origin[0] + xy[0], self.origin[1] + xy[1] + self.ascent[weight] * size, text)

    def photo(self, path, xy):
        """Each photo's JPEG is made once; fpdf2 embeds equal images once and points at them after."""
        jpeg = self.photos.get(path)
        if jpeg is None:
            out = io.BytesIO()
            image = _photo_image(path, PHOTO_BOX)
            image.save(out, "JPEG", quality=PHOTO_QUALITY, optimize=True, dpi=(DPI, DPI))
            jpeg = self.photos[path] = out.getvalue()
        self.pdf.image(io.BytesIO(jpeg), self.origin[0] + xy[0], self.origin[1] + xy[1], *PHOTO_BOX)

    def qr(self, symbol, xy, scale):
        """Dark modules as rectangles: each row's runs, a run merged with the same run in the rows below."""
        x0, y0 = self.origin[0] + xy[0], self.origin[1] + xy[1]
        self.pdf.set_fill_color(*BLACK)
        n = symbol.width
        pixels = symbol.tobytes()
        open_runs: dict[tuple[int, int], int] = {}  # (first column, length) -> first row
        for r in range(n + 1):
            row = pixels[r * n:(r + 1) * n]  # past the last row: empty, which closes every run
            runs, c = set(), 0
            while c < len(row):
                if not row[c]:
                    start = c
                    while c < len(row) and not row[c]:
                        c += 1
                    runs.add((start, c - start))
                c += 1
            for run in [run for run in open_runs if run not in runs]:
                top = open_runs.pop(run)
                self.pdf.rect(x0 + run[0] * scale, y0 + top * scale, run[1] * scale, (r - top) * scale, style=self.fill)
            for run in runs:
                open_runs.setdefault(run, r)

    def line(self, x1, y1, x2, y2, width, colour=BLACK):
        self.pdf.set_draw_color(*colour)
        self.pdf.set_line_width(width)
        self.pdf.line(x1, y1, x2, y2)


def _grid() -> tuple[int, int]:
    """The top left corner of the nine badges' grid, centred on the page."""
    W, H = BADGE_SIZE
    grid_w, grid_h = PER_ROW * W + (PER_ROW - 1) * GAP, PER_COLUMN * H + (PER_COLUMN - 1) * GAP
    return (A4[0] - grid_w) // 2, (A4[1] - grid_h) // 2


def _cut_marks(canvas: _Vector, left: int, top: int, cols: int, rows: int) -> None:
    """Marks in the page margin along every cut line, clear of the badges themselves."""
    W, H = BADGE_SIZE
    xs = sorted({left + c * (W + GAP) for c in range(cols)} | {left + c * (W + GAP) + W for c in range(cols)})
    ys = sorted({top + r * (H + GAP) for r in range(rows)} | {top + r * (H + GAP) + H for r in range(rows)})
    grid_right, grid_bottom = xs[-1], ys[-1]
    length, off = round(6 * MM), round(2 * MM)
    for x in xs:
        canvas.line(x, top - off - length, x, top - off, 2)
        canvas.line(x, grid_bottom + off, x, grid_bottom + off + length, 2)
    for y in ys:
        canvas.line(left - off - length, y, left - off, y, 2)
        canvas.line(grid_right + off, y, grid_right + off + length, y, 2)


@dataclass(frozen=True)
class Sheet:
    """A print run, read and translated: what ``build_pdf`` needs and nothing of Flask's."""

    words: Words
    badges: list
    footer: str

    @property
    def pages(self) -> int:
        return max(1, math.ceil(len(self.badges) / PER_PAGE))


@lru_cache(maxsize=4)
def _imported(path: str, index: int) -> None:
    """Import the PDF code, and the font tables' modules fontTools would load on first use, here
    (on the event loop) rather than first in a worker thread."""
    from importlib import import_module

    from fontTools.ttLib import TTFont, getTableModule

    import_module("fpdf.output")  # fpdf, and fontTools.subset for the font's subset
    logging.getLogger("fontTools.subset").setLevel(logging.WARNING)  # not two dozen lines a print run

    with TTFont(path, fontNumber=index, lazy=True) as face:
        for tag in face.keys():
            getTableModule(tag)


def prepare(staff_list, footer: str, data_dir: str | None, pause=None) -> Sheet:
    """Read and translate what each badge says (in the app's context); FontMissing without a CJK font.
    ``pause()``, if given, is called every 50 members (a background job on the event loop yields there)."""
    for weight in ("Regular", "Bold"):
        _imported(*font_file(weight))
    words = Words.translated(hall_name())
    said = []
    for i, member in enumerate(staff_list, start=1):
        said.append(badge_facts(member, badge_url(member), data_dir))
        if pause and i % 50 == 0:
            pause()
    return Sheet(words=words, badges=said, footer=footer)


def build_pdf(sheet: Sheet, out, progress=None) -> int:
    """Write the A4 sheets of ``sheet`` to ``out`` (a path or a binary file); ``progress(done, total,
    pages_done, pages)`` is told after each badge. Returns the page count. Needs no app context.
    The document is held in memory until it is written: about the size of the file (10 MB for
    1,000 members with a photo each)."""
    from fpdf import FPDF

    pdf = FPDF(unit=72 / DPI, format=(210 * MM, 297 * MM))
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0, 0)
    pdf.set_title(sheet.footer)
    pdf.set_creator("Liangbiping")
    canvas = _Vector(pdf)
    W, H = BADGE_SIZE
    total, pages = len(sheet.badges), sheet.pages
    left, top = _grid()
    done = 0
    for number in range(pages):
        pdf.add_page()
        chunk = sheet.badges[number * PER_PAGE:(number + 1) * PER_PAGE]
        for i, badge in enumerate(chunk):
            r, c = divmod(i, PER_ROW)
            canvas.origin = x, y = (left + c * (W + GAP), top + r * (H + GAP))
            # Nothing drawn past the badge's edge, as on its PNG. (The clip's own q/Q inside a local
            # context, which puts fpdf2's idea of the colours and fonts back as the PDF's.)
            with pdf.local_context(), pdf.rect_clip(x, y, W, H):
                _lay_out(canvas, badge, sheet.words)
            done += 1
            if progress and done < total:
                progress(done, total, number, pages)
        canvas.origin = (0, 0)
        rows = max(1, math.ceil(len(chunk) / PER_ROW))
        _cut_marks(canvas, left, top, min(PER_ROW, max(1, len(chunk))), rows)
        canvas.text((left, A4[1] - round(8 * MM)), f"{sheet.footer} · {number + 1} / {pages}", 30, "Regular", MUTED)
        if progress:
            progress(done, total, number + 1, pages)
    if isinstance(out, (str, os.PathLike)):
        pdf.output(str(out))
    else:
        out.write(pdf.output())
    return pages


def write_pdf(staff_list, footer: str, data_dir: str | None, path, progress=None, pause=None) -> int:
    """Write A4 sheets for ``staff_list`` to ``path``: read here (``pause`` as for ``prepare``), built
    in a worker thread (the event loop goes on meanwhile); ``progress(done, total, pages_done, pages)``.
    Returns the page count."""
    return run_off_loop(build_pdf, prepare(staff_list, footer, data_dir, pause), path, progress)


def badge_url(staff) -> str:
    return qrtokens.phone_url(qrtokens.badge_token(staff))


def hall_name() -> str:
    from liangbiping.admin.services.settings import get_setting

    return get_setting("hall_name") or ""


def badges_pdf(staff_list, footer: str, data_dir: str | None) -> bytes:
    """The PDF as bytes."""
    out = io.BytesIO()
    write_pdf(staff_list, footer, data_dir, out)
    return out.getvalue()


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
