"""ID-photo style portraits for the demo staff, drawn with Pillow (nothing is downloaded).

A plain blue or white background, shoulders in a dark suit or a uniform shirt with a collar,
a neck and a face with hair, brows, eyes, nose and mouth. Everything varies by a seeded
random generator, so the same member always gets the same picture.
"""

from __future__ import annotations

import io
import math
import random
from dataclasses import dataclass

from PIL import Image, ImageChops, ImageDraw, ImageFilter

W, H = 600, 800   # the stored size (the photo service keeps 3:4, 600 x 800)
S = 1.6           # drawn at 1.6 times the size, then reduced: smooth edges

BACKGROUNDS = {
    "blue": (67, 142, 219),
    "lightblue": (96, 160, 222),
    "white": (246, 246, 244),
}
SKIN = [(241, 206, 180), (236, 196, 166), (228, 186, 154), (222, 178, 146), (214, 168, 136), (204, 156, 124)]
HAIR = [(24, 20, 20), (30, 24, 22), (40, 30, 26), (52, 38, 30)]
SUITS = [(32, 38, 56), (38, 40, 46), (26, 30, 42), (46, 50, 60), (30, 34, 36)]
TIES = [(140, 28, 36), (120, 30, 40), (36, 58, 110), (70, 40, 80), (150, 40, 40), (44, 70, 60)]
UNIFORM_SHIRTS = [(170, 200, 230), (190, 212, 236)]


@dataclass
class Look:
    sex: str           # "m" or "f"
    age: int
    background: tuple
    skin: tuple
    hair: tuple
    hair_style: str
    suit: tuple
    outfit: str        # "suit_tie", "suit_open", "uniform"
    tie: tuple
    glasses: bool
    party_badge: bool
    face_w: float      # half width of the face
    face_len: float    # eye line to chin
    jaw: float         # 1.6 (round) .. 2.6 (narrow chin)
    eye_gap: float
    smile: float


def _mix(a: tuple, b: tuple, t: float) -> tuple:
    return tuple(int(round(x + (y - x) * t)) for x, y in zip(a, b))


def _shade(c: tuple, f: float) -> tuple:
    return tuple(max(0, min(255, int(round(v * f)))) for v in c)


def choose_look(seed: str, sex: str, age: int, background: str = "blue", party_badge: bool = False,
                outfit: str | None = None) -> Look:
    rng = random.Random(f"look:{seed}")
    hair = rng.choice(HAIR)
    if age >= 50:
        hair = _mix(hair, (120, 118, 116), rng.uniform(0.25, 0.45))
    elif age >= 42:
        hair = _mix(hair, (110, 108, 106), rng.uniform(0.0, 0.18))
    if sex == "m":
        style = rng.choice(["short_side", "short_side", "crew", "swept_back"] + (["fringe"] * 2 if age < 35 else []))
        outfit = outfit or rng.choice(["suit_tie", "suit_tie", "suit_tie", "suit_open"])
        face_w = rng.uniform(104, 114)
        jaw = rng.uniform(1.7, 2.2)
    else:
        style = rng.choice(["bob", "bob", "tied_back", "tied_back", "side_fringe", "side_fringe", "long"])
        outfit = outfit or "suit_open"
        face_w = rng.uniform(97, 105)
        jaw = rng.uniform(2.0, 2.5)
    return Look(
        sex=sex, age=age, background=BACKGROUNDS.get(background, BACKGROUNDS["blue"]),
        skin=rng.choice(SKIN), hair=hair, hair_style=style, suit=rng.choice(SUITS), outfit=outfit,
        tie=rng.choice(TIES) if sex == "m" else rng.choice([(150, 30, 40), (40, 60, 110)]),
        glasses=rng.random() < (0.3 if age >= 35 else 0.15), party_badge=party_badge,
        face_w=face_w, face_len=rng.uniform(150, 162) if sex == "m" else rng.uniform(142, 152),
        jaw=jaw, eye_gap=rng.uniform(40, 45), smile=rng.uniform(0.25, 0.8),
    )


# The drawing is laid out on a 600 x 800 plan; the photo is the part of it that an ID photo
# frames (the head about half the height), scaled up to W x H.
FRAME = (60, 105, 540, 745)


class Canvas:
    """Coordinates on the 600 x 800 plan; only FRAME is drawn, at S times the stored scale."""

    def __init__(self, background: tuple):
        self.ox, self.oy = FRAME[0], FRAME[1]
        self.k = S * W / (FRAME[2] - FRAME[0])
        self.img = Image.new("RGB", (int(W * S), int(H * S)), background)
        self.draw = ImageDraw.Draw(self.img)

    def pts(self, points):
        k, ox, oy = self.k, self.ox, self.oy
        return [((x - ox) * k, (y - oy) * k) for x, y in points]

    def box(self, x0, y0, x1, y1):
        k, ox, oy = self.k, self.ox, self.oy
        return [(x0 - ox) * k, (y0 - oy) * k, (x1 - ox) * k, (y1 - oy) * k]

    def px(self, length: float) -> int:
        return max(1, int(round(length * self.k)))

    def polygon(self, points, fill):
        self.draw.polygon(self.pts(points), fill=fill)

    def ellipse(self, box, fill=None, outline=None, width=1):
        self.draw.ellipse(self.box(*box), fill=fill, outline=outline, width=self.px(width))

    def line(self, points, fill, width, joint="curve"):
        self.draw.line(self.pts(points), fill=fill, width=self.px(width), joint=joint)

    def mask(self):
        m = Image.new("L", self.img.size, 0)
        return m, ImageDraw.Draw(m)

    def soft(self, shape_mask: Image.Image, colour: tuple, alpha: float, blur: float, clip: Image.Image | None = None):
        """Paint ``colour`` through a blurred mask (shading), optionally clipped to another mask.

        Only the region round the shape is processed: blurring the whole canvas is slow.
        """
        box = shape_mask.getbbox()
        if box is None:
            return
        pad = int(blur * self.k * 3) + 2
        box = (max(0, box[0] - pad), max(0, box[1] - pad), min(self.img.width, box[2] + pad),
               min(self.img.height, box[3] + pad))
        m = shape_mask.crop(box)
        radius = blur * self.k
        if radius >= 8:
            # A wide blur is as good at a quarter of the size, and sixteen times cheaper.
            small = m.reduce(4)
            m = small.filter(ImageFilter.GaussianBlur(radius / 4)).resize(m.size, Image.Resampling.BILINEAR)
        else:
            m = m.filter(ImageFilter.GaussianBlur(radius))
        if clip is not None:
            m = ImageChops.multiply(m, clip.crop(box))
        if alpha < 1:
            m = m.point(lambda v: int(v * alpha))
        self.img.paste(Image.new("RGB", m.size, colour), box[:2], m)

    def fill_masked(self, shape_mask: Image.Image, colour: tuple, clip: Image.Image | None = None):
        box = shape_mask.getbbox()
        if box is None:
            return
        m = shape_mask.crop(box)
        if clip is not None:
            m = ImageChops.multiply(m, clip.crop(box))
        self.img.paste(Image.new("RGB", m.size, colour), box[:2], m)


def _bezier(p0, p1, p2, n=24):
    return [((1 - t) ** 2 * p0[0] + 2 * (1 - t) * t * p1[0] + t * t * p2[0],
             (1 - t) ** 2 * p0[1] + 2 * (1 - t) * t * p1[1] + t * t * p2[1]) for t in (i / n for i in range(n + 1))]


def _face_hw(y: float, eye_y: float, look: Look) -> float:
    """Half the face's width at height ``y``: an ellipse above the cheekbones, tapering to the chin."""
    rx = look.face_w
    top = eye_y - 165       # crown of the skull
    cy = eye_y + 10         # widest point
    chin = eye_y + look.face_len
    if y <= top or y >= chin:
        return 0.0
    if y <= cy:
        t = (cy - y) / (cy - top)
        return rx * math.sqrt(max(0.0, 1 - t * t))
    t = (y - cy) / (chin - cy)
    return max(0.0, rx * (1 - t ** look.jaw) ** 0.62)


def _face_outline(cx, eye_y, look: Look) -> list:
    top, chin = eye_y - 165, eye_y + look.face_len
    right = [(cx + _face_hw(y, eye_y, look), y) for y in (top + (chin - top) * i / 80 for i in range(81))]
    left = [(2 * cx - x, y) for x, y in reversed(right)]
    return right + left


def render(look: Look, seed: str) -> Image.Image:
    rng = random.Random(f"draw:{seed}")
    c = Canvas(look.background)
    cx = 300 + rng.uniform(-4, 4)
    eye_y = 372 + rng.uniform(-6, 6)
    chin_y = eye_y + look.face_len
    rx = look.face_w
    skin = look.skin
    skin_dark = _shade(skin, 0.86)
    hair = look.hair
    hair_hi = _mix(hair, (120, 110, 100), 0.25)

    # --- hair behind the head (long styles) -------------------------------------------------
    if look.hair_style in ("bob", "long", "side_fringe"):
        depth = {"bob": chin_y + 30, "side_fringe": chin_y + 10, "long": chin_y + 150}[look.hair_style]
        width = rx + (34 if look.hair_style != "long" else 40)
        # a smooth outline: the upper half of an ellipse, then down to the ends
        crown = [(cx - width * math.cos(a), eye_y - 40 - 150 * math.sin(a))
                 for a in (math.pi * i / 40 for i in range(41))]
        back = (crown
                + _bezier((cx + width, eye_y - 40), (cx + width + 6, depth - 40), (cx + width - 24, depth))
                + _bezier((cx - width + 24, depth), (cx - width - 6, depth - 40), (cx - width, eye_y - 40)))
        c.polygon(back, hair)

    # --- shoulders and clothes ----------------------------------------------------------------
    ny = chin_y - 14  # where the neck meets the collar
    neck_w = 50 if look.sex == "m" else 42
    shoulder_y = ny + 85
    suit = look.suit if look.outfit != "uniform" else rng.choice(UNIFORM_SHIRTS)
    body = ([(cx - neck_w - 20, ny + 40)]
            + _bezier((cx - neck_w - 30, ny + 60), (cx - 200, shoulder_y - 10), (cx - 262, shoulder_y + 60))
            + [(cx - 300, H + 10), (cx + 300, H + 10)]
            + _bezier((cx + 262, shoulder_y + 60), (cx + 200, shoulder_y - 10), (cx + neck_w + 30, ny + 60))
            + [(cx + neck_w + 20, ny + 40)])
    c.polygon(body, suit)

    # neck, with the shadow of the jaw
    neck = [(cx - neck_w, chin_y - 60), (cx + neck_w, chin_y - 60), (cx + neck_w + 4, ny + 80),
            (cx - neck_w - 4, ny + 80)]
    c.polygon(neck, _shade(skin, 0.93))
    m, md = c.mask()
    md.ellipse(c.box(cx - rx * 0.8, chin_y - 40, cx + rx * 0.8, ny + 22), fill=255)
    neck_mask, nd = c.mask()
    nd.polygon(c.pts(neck), fill=255)
    c.soft(m, _shade(skin, 0.72), 0.7, 10, clip=neck_mask)

    # shirt and collar
    shirt = (250, 250, 248) if look.outfit != "uniform" else _shade(suit, 1.08)
    v_bottom = shoulder_y + 150 if look.outfit == "suit_open" else H + 10
    if look.outfit in ("suit_tie", "suit_open"):
        c.polygon([(cx - neck_w - 8, ny + 50), (cx + neck_w + 8, ny + 50), (cx + 46, v_bottom),
                   (cx, v_bottom + 12), (cx - 46, v_bottom)], shirt)
        if look.outfit == "suit_open":
            # an open collar: a skin V below the neck
            c.polygon([(cx - neck_w + 4, ny + 62), (cx + neck_w - 4, ny + 62), (cx, ny + 128)],
                      _shade(skin, 0.92))
    else:
        c.polygon([(cx - neck_w - 8, ny + 50), (cx + neck_w + 8, ny + 50), (cx, ny + 140)],
                  _shade(shirt, 0.9))
    collar_l = [(cx - neck_w - 6, ny + 40), (cx - 4, ny + 104), (cx - 38, ny + 122),
                (cx - neck_w - 22, ny + 74)]
    collar_r = [(2 * cx - x, y) for x, y in collar_l]
    collar = shirt if look.outfit != "uniform" else _shade(suit, 1.1)
    c.polygon(collar_l, collar)
    c.polygon(collar_r, collar)
    c.line(collar_l + collar_l[:1], _shade(collar, 0.8), 1.5)
    c.line(collar_r + collar_r[:1], _shade(collar, 0.8), 1.5)

    if look.outfit == "suit_tie" or (look.outfit == "uniform" and look.sex == "m"):
        tie = look.tie if look.outfit != "uniform" else (30, 40, 70)
        c.polygon([(cx - 15, ny + 100), (cx + 15, ny + 100), (cx + 10, ny + 128),
                   (cx - 10, ny + 128)], _shade(tie, 0.9))
        c.polygon([(cx - 10, ny + 128), (cx + 10, ny + 128), (cx + 24, H - 40), (cx, H + 10),
                   (cx - 24, H - 40)], tie)
    if look.outfit in ("suit_tie", "suit_open"):
        # lapels over the shirt
        lapel_dark = _shade(look.suit, 0.78)
        lapel_l = [(cx - neck_w - 20, ny + 44), (cx - 46, v_bottom), (cx, v_bottom + 14), (cx, H + 10),
                   (cx - 150, H + 10), (cx - 112, shoulder_y + 70), (cx - 84, shoulder_y + 40),
                   (cx - neck_w - 34, ny + 64)]
        lapel_r = [(2 * cx - x, y) for x, y in lapel_l]
        c.polygon(lapel_l, look.suit)
        c.polygon(lapel_r, look.suit)
        c.line(lapel_l[:3], lapel_dark, 3)
        c.line(lapel_r[:3], lapel_dark, 3)
        if look.outfit == "suit_open":
            c.line([(cx, v_bottom + 14), (cx, H + 10)], lapel_dark, 2)
            c.ellipse((cx - 7, v_bottom + 40, cx + 7, v_bottom + 54), fill=_shade(look.suit, 0.6))
        c.line([(cx - 112, shoulder_y + 70), (cx - 84, shoulder_y + 40)], lapel_dark, 3)
        c.line([(cx + 112, shoulder_y + 70), (cx + 84, shoulder_y + 40)], lapel_dark, 3)
    else:
        # uniform shirt: placket and pockets
        c.line([(cx, ny + 140), (cx, H + 10)], _shade(suit, 0.82), 2.5)
        for side in (-1, 1):
            px = cx + side * 130
            c.draw.rounded_rectangle(c.box(px - 42, shoulder_y + 110, px + 42, shoulder_y + 200), radius=c.px(6),
                                     outline=_shade(suit, 0.82), width=c.px(3))
            c.line([(px - 44, shoulder_y + 110), (px + 44, shoulder_y + 110)], _shade(suit, 0.8), 4)
    # soft shading on the far edges of the shoulders
    m, md = c.mask()
    md.polygon(c.pts(body), fill=255)
    inner, idr = c.mask()
    idr.ellipse(c.box(cx - 225, chin_y - 200, cx + 225, H + 400), fill=255)
    c.soft(ImageChops.subtract(m, inner), _shade(suit, 0.7), 0.6, 18, clip=m)

    if look.party_badge:
        bx, by = cx + 122, shoulder_y + 82
        c.ellipse((bx - 10, by - 10, bx + 10, by + 10), fill=(196, 22, 28), outline=(232, 190, 90), width=2)
        c.line([(bx - 5, by + 5), (bx + 5, by - 5)], (240, 200, 90), 2.2)
        c.draw.arc(c.box(bx - 6, by - 6, bx + 6, by + 6), 200, 340, fill=(240, 200, 90), width=c.px(2))

    # --- ears ---------------------------------------------------------------------------------
    for side in (-1, 1):
        ex = cx + side * (rx - 4)
        c.ellipse((ex - 16, eye_y - 14, ex + 16, eye_y + 58), fill=skin_dark)
        c.ellipse((ex - 9 + side * 3, eye_y - 4, ex + 7 + side * 3, eye_y + 46), fill=_shade(skin, 0.78))

    # --- face ---------------------------------------------------------------------------------
    outline = _face_outline(cx, eye_y, look)
    c.polygon(outline, skin)
    face_mask, fd = c.mask()
    fd.polygon(c.pts(outline), fill=255)
    # modelling: darker along the edges, lighter on the forehead and cheeks
    inner, idr = c.mask()
    idr.polygon(c.pts([(cx + (x - cx) * 0.86, eye_y - 20 + (y - eye_y + 20) * 0.9) for x, y in outline]), fill=255)
    edge = ImageChops.subtract(face_mask, inner)
    c.soft(edge, _shade(skin, 0.82), 0.55, 12, clip=face_mask)
    glow, gd = c.mask()
    gd.ellipse(c.box(cx - rx * 0.55, eye_y - 120, cx + rx * 0.55, eye_y + 60), fill=255)
    c.soft(glow, _mix(skin, (255, 240, 228), 0.35), 0.5, 30, clip=face_mask)

    # --- hair on top ---------------------------------------------------------------------------
    _hair(c, look, rng, cx, eye_y, rx, hair, hair_hi, face_mask)

    # --- features -------------------------------------------------------------------------------
    _brows(c, look, rng, cx, eye_y, hair)
    _eyes(c, look, rng, cx, eye_y, skin)
    _nose(c, look, cx, eye_y, skin, face_mask)
    _mouth(c, look, cx, eye_y, skin)
    if look.sex == "f":
        m, md = c.mask()
        for side in (-1, 1):
            md.ellipse(c.box(cx + side * 62 - 24, eye_y + 52, cx + side * 62 + 24, eye_y + 86), fill=255)
        c.soft(m, (226, 130, 130), 0.16, 12, clip=face_mask)
    if look.glasses:
        _glasses(c, look, cx, eye_y, rx)

    return c.img.resize((W, H), Image.Resampling.LANCZOS)


def _hair(c: Canvas, look: Look, rng, cx, eye_y, rx, hair, hair_hi, face_mask):
    style = look.hair_style
    top = eye_y - 165
    cy = eye_y + 10
    mass = rng.uniform(10, 16)  # how far the hair stands off the skull
    part = rng.choice([-1, 1])
    u = lambda x: (x - cx) / rx  # noqa: E731 - -1 at the left edge of the face, 1 at the right
    if style == "crew":
        # cropped short: little volume, the skin shows through a little
        mass = 5
        hair = _mix(hair, look.skin, 0.18)
        hairline = lambda x: eye_y - 116 + 8 * u(x) ** 2  # noqa: E731
    elif style == "swept_back":
        mass = 20
        hairline = lambda x: eye_y - 124 + 20 * u(x) ** 2 + 4 * abs(u(x))  # noqa: E731
    elif style == "fringe":
        mass = 14
        hairline = lambda x: eye_y - 94 - 8 * u(x) ** 2 + 3 * math.sin(u(x) * 9)  # noqa: E731
    elif style == "short_side":
        mass = 15
        hairline = lambda x: eye_y - 108 + 10 * u(x) ** 2 + 14 * part * u(x)  # noqa: E731
    elif style == "tied_back":
        mass = 9
        hairline = lambda x: eye_y - 116 + 22 * u(x) ** 2  # noqa: E731
    elif style == "bob":
        hairline = lambda x: eye_y - 66 - 10 * u(x) ** 2 + 4 * part * u(x)  # bangs  # noqa: E731
    elif style == "side_fringe":
        # swept across the forehead: high on the parting side, down to the brow on the other
        hairline = lambda x: eye_y - 114 + 50 * ((1 - part * u(x)) / 2) ** 1.4  # noqa: E731
    else:  # long, parted in the middle
        hairline = lambda x: eye_y - 124 + 26 * min(1.0, abs(u(x)) * 1.6) + 6 * u(x) ** 2  # noqa: E731

    long_sides = style in ("bob", "side_fringe", "long")
    side_low = eye_y - 6 if look.sex == "m" else eye_y + 10   # where the cap meets the side of the head
    burn = eye_y + 18 if look.sex == "m" else eye_y + 24      # bottom of the sideburn
    rxo, ryo = rx + mass, (cy - top) + mass * 1.3
    start = math.asin(max(-1.0, min(1.0, (side_low - cy) / ryo)))
    outer = []
    for i in range(61):
        a = math.pi - start + (math.pi + 2 * start) * i / 60   # from the left side, over the top, to the right
        # a slightly squared ellipse: hair has volume at the crown's corners, not a point on top
        ca, sa = math.cos(a), math.sin(a)
        outer.append((cx + rxo * math.copysign(abs(ca) ** 0.85, ca), cy + ryo * math.copysign(abs(sa) ** 0.85, sa)))
    edge_x = lambda y, inset: cx + _face_hw(y, eye_y, look) - inset  # noqa: E731
    inner_right = [(cx + rx - 2, burn), (edge_x(burn, 12), burn)]
    temple = rx * 0.86
    for i in range(1, 9):
        y = burn + (hairline(cx + temple) - burn) * i / 8
        inner_right.append((min(edge_x(y, 12), cx + temple + (1 - i / 8) * 40), y))
    line = [(x, hairline(x)) for x in (cx + temple - 2 * temple * i / 40 for i in range(41))]
    inner_left = [(2 * cx - x, y) for x, y in reversed(inner_right)]
    inner_left = [(2 * cx - x, y) for x, y in reversed(
        [(cx + rx - 2, burn), (edge_x(burn, 12), burn)]
        + [(min(edge_x(y, 12), cx + temple + (1 - i / 8) * 40), y)
           for i, y in ((i, burn + (hairline(cx - temple) - burn) * i / 8) for i in range(1, 9))])]
    cap = outer + inner_right + line + inner_left
    c.polygon(cap, hair)
    hair_mask, hd = c.mask()
    hd.polygon(c.pts(cap), fill=255)

    if long_sides:
        # hair falls past the ears and frames the face down to the jaw or the shoulders
        lower = {"bob": eye_y + look.face_len + 18, "side_fringe": eye_y + look.face_len - 4,
                 "long": eye_y + look.face_len + 120}[style]
        for side in (-1, 1):
            pts = [(cx + side * rxo * 0.7, top + 10)]
            pts += [(cx + side * (rxo + 8 * math.sin(math.pi * t)), eye_y - 60 + (lower - eye_y + 40) * t)
                    for t in (i / 12 for i in range(13))]
            pts.append((cx + side * (rxo - 16), lower + 6))
            inset_top = 10
            ys = [lower - (lower - (eye_y - 70)) * i / 16 for i in range(17)]
            for y in ys:
                hw = _face_hw(y, eye_y, look)
                inset = 6 + (inset_top - 6) * min(1.0, max(0.0, (eye_y - y) / 40))
                x = cx + side * max(hw - inset, rx * 0.55)
                pts.append((x, y))
            c.polygon(pts, hair)
            hd.polygon(c.pts(pts), fill=255)
    # sheen and a few strands, kept inside the hair
    sheen, sd = c.mask()
    sd.ellipse(c.box(cx - rx * 0.7 - part * 20, top - mass + 10, cx + rx * 0.25 - part * 20, top + 70), fill=255)
    c.soft(sheen, hair_hi, 0.4, 16, clip=hair_mask)
    strands, st = c.mask()
    for _ in range(18 if style not in ("crew",) else 6):
        x0 = cx + rng.uniform(-rx * 0.8, rx * 0.8)
        st.line(c.pts(_bezier((x0 - part * 20, top - mass + 12), (x0 + part * rng.uniform(0, 30), top + 50),
                              (x0 + part * rng.uniform(10, 40), hairline(x0) - 2), 12)), fill=150, width=c.px(1.5))
    c.fill_masked(strands, _mix(hair, hair_hi, 0.6), clip=hair_mask)
    if style == "short_side":
        parting, pd = c.mask()
        px = cx + part * rx * 0.5
        pd.line(c.pts(_bezier((px, hairline(px) + 2), (px - part * 4, top + 30), (px - part * 14, top - mass + 6), 10)),
                fill=255, width=c.px(2.2))
        c.fill_masked(parting, _mix(hair, look.skin, 0.3), clip=hair_mask)
    # a soft shadow that the hair casts on the forehead
    shadow, shd = c.mask()
    shd.polygon(c.pts([(x, y + 8) for x, y in line] + [(x, y - 30) for x, y in reversed(line)]), fill=255)
    c.soft(shadow, _shade(look.skin, 0.8), 0.45, 6, clip=ImageChops.subtract(face_mask, hair_mask))


def _brows(c: Canvas, look: Look, rng, cx, eye_y, hair):
    thick = 8 if look.sex == "m" else 5.5
    lift = rng.uniform(-2, 3)
    colour = _mix(hair, look.skin, 0.15 if look.sex == "m" else 0.25)
    for side in (-1, 1):
        inner = (cx + side * 18, eye_y - 30)
        peak = (cx + side * 50, eye_y - 40 - lift)
        outer = (cx + side * 76, eye_y - 31)
        top = _bezier(inner, peak, outer, 16)
        bottom = [(x, y + thick * (1.0 - 0.6 * i / 16)) for i, (x, y) in enumerate(top)]
        c.polygon(top + list(reversed(bottom)), colour)


def _eyes(c: Canvas, look: Look, rng, cx, eye_y, skin):
    half = 17
    lid = _shade(skin, 0.55)
    for side in (-1, 1):
        ex = cx + side * look.eye_gap
        upper = _bezier((ex - half, eye_y + 1), (ex + side * 3, eye_y - 14), (ex + half, eye_y + 1), 16)
        lower = _bezier((ex + half, eye_y + 1), (ex - side * 2, eye_y + 9), (ex - half, eye_y + 1), 16)
        eye_mask, em = c.mask()
        em.polygon(c.pts(upper + lower), fill=255)
        c.polygon(upper + lower, (238, 236, 232))
        iris, im = c.mask()
        im.ellipse(c.box(ex - 8.5, eye_y - 9, ex + 8.5, eye_y + 8), fill=255)
        c.fill_masked(iris, (58, 40, 32), clip=eye_mask)
        pupil, pm = c.mask()
        pm.ellipse(c.box(ex - 4, eye_y - 4.5, ex + 4, eye_y + 3.5), fill=255)
        c.fill_masked(pupil, (18, 14, 14), clip=eye_mask)
        c.ellipse((ex + 2, eye_y - 5, ex + 5, eye_y - 2), fill=(250, 250, 250))
        # upper lid line and a faint crease
        c.line(upper, (36, 28, 26), 2.6)
        c.line(_bezier((ex - half + 4, eye_y - 8), (ex + side * 3, eye_y - 19), (ex + half - 2, eye_y - 6), 12),
               lid, 1.2)
        c.line(lower[3:-3], _shade(skin, 0.8), 1.0)


def _nose(c: Canvas, look: Look, cx, eye_y, skin, face_mask):
    tip = eye_y + 72
    shadow = _shade(skin, 0.78)
    m, md = c.mask()
    md.ellipse(c.box(cx - 20, tip - 6, cx + 20, tip + 12), fill=255)
    c.soft(m, shadow, 0.6, 5, clip=face_mask)
    # the side of the nose catches a soft shadow
    m, md = c.mask()
    md.line(c.pts([(cx - 11, eye_y + 12), (cx - 14, tip - 8)]), fill=255, width=c.px(5))
    c.soft(m, shadow, 0.35, 5, clip=face_mask)
    m, md = c.mask()
    for side in (-1, 1):
        md.ellipse(c.box(cx + side * 9 - 4, tip + 3, cx + side * 9 + 4, tip + 7), fill=255)
    c.soft(m, _shade(skin, 0.55), 0.8, 1.2)
    c.line(_bezier((cx - 20, tip + 1), (cx - 18, tip + 10), (cx - 8, tip + 8), 8), _shade(skin, 0.7), 1.4)
    c.line(_bezier((cx + 20, tip + 1), (cx + 18, tip + 10), (cx + 8, tip + 8), 8), _shade(skin, 0.7), 1.4)


def _mouth(c: Canvas, look: Look, cx, eye_y, skin):
    y = eye_y + 112
    half = 30 if look.sex == "m" else 27
    lift = 3 + 5 * look.smile
    lip = _mix(skin, (190, 90, 90), 0.35 if look.sex == "m" else 0.55)
    upper = _bezier((cx - half, y - lift * 0.4), (cx, y - 12), (cx + half, y - lift * 0.4), 16)
    line = _bezier((cx + half, y - lift * 0.4), (cx, y + 3 + lift * 0.6), (cx - half, y - lift * 0.4), 16)
    lower = _bezier((cx - half + 4, y - lift * 0.3), (cx, y + 24 + lift * 0.4), (cx + half - 4, y - lift * 0.3), 16)
    c.polygon(upper + line, _shade(lip, 0.92))
    c.polygon(list(reversed(line)) + lower, lip)
    c.line(line, _shade(lip, 0.55), 2.0)
    c.ellipse((cx - 8, y + 8, cx + 8, y + 13), fill=_mix(lip, (255, 235, 230), 0.3))


def _glasses(c: Canvas, look: Look, cx, eye_y, rx):
    frame = (40, 36, 36) if look.sex == "m" else (110, 70, 60)
    for side in (-1, 1):
        ex = cx + side * look.eye_gap
        c.draw.rounded_rectangle(c.box(ex - 30, eye_y - 20, ex + 30, eye_y + 22), radius=c.px(14), outline=frame,
                                 width=c.px(3))
        c.line([(ex + side * 30, eye_y - 10), (cx + side * (rx - 2), eye_y - 6)], frame, 3)
    c.line(_bezier((cx - look.eye_gap + 30, eye_y - 6), (cx, eye_y - 14), (cx + look.eye_gap - 30, eye_y - 6), 8),
           frame, 2.5)


def portrait_jpeg(seed: str, sex: str, age: int, background: str = "blue", party_badge: bool = False,
                  outfit: str | None = None) -> bytes:
    """The JPEG bytes of one member's portrait; the same arguments always give the same picture."""
    look = choose_look(seed, sex, age, background, party_badge, outfit)
    out = io.BytesIO()
    render(look, seed).save(out, "JPEG", quality=90)
    return out.getvalue()
