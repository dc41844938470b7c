"""Charts drawn on the server as inline SVG: no script, nothing to vendor, prints as it shows.

Every text that goes into a chart is escaped; sizes are in the SVG's own units and the chart
scales to its container's width.
"""

from __future__ import annotations

from markupsafe import Markup, escape

RED, RED_DARK, GOLD, GREEN, GREY, INK, LINE = "#c8161d", "#9e1015", "#f4c542", "#15803d", "#9ca3af", "#1f2329", "#e5e7eb"
STATE_COLOURS = {"open": "#f59e0b", "verified": "#3b82f6", "rectifying": "#8b5cf6", "done": "#10b981",
                 "revisited": "#15803d", "dismissed": "#9ca3af"}


def _pct(value: float) -> str:
    return f"{value * 100:.0f}%" if value >= 0.995 or value < 0.1 else f"{value * 100:.1f}%"


def _svg(width: int, height: int, body: list[str], label: str) -> Markup:
    return Markup(f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(label)}" '
                  f'preserveAspectRatio="xMidYMid meet" xmlns="http://www.w3.org/2000/svg">'
                  + "".join(body) + "</svg>")


def trend(points: list[dict], target: float | None, label: str, *, width: int = 640, height: int = 220,
          floor: float | None = None) -> Markup:
    """Satisfaction rate per period as a line (dots for low-confidence points are hollow), the
    number of ratings as light bars behind it, and the target as a dashed line."""
    left, right, top, bottom = 44, 12, 14, 30
    plot_w, plot_h = width - left - right, height - top - bottom
    rates = [p["rate"] for p in points if p["rate"] is not None]
    lo = floor if floor is not None else min([0.8] + [r - 0.02 for r in rates] + ([target - 0.02] if target else []))
    lo = max(0.0, min(lo, 0.9))
    lo = int(lo * 20) / 20
    span = max(1.0 - lo, 0.05)
    n = max(len(points), 1)
    step = plot_w / n
    most = max([p["count"] for p in points] + [1])

    def y(rate: float) -> float:
        return top + plot_h * (1 - (rate - lo) / span)

    body = []
    step_value = 0.05 if span <= 0.3 else (0.1 if span <= 0.6 else 0.2)
    ticks = [round(lo + step_value * k, 4) for k in range(int(span / step_value + 1e-9) + 1)]
    for value in ticks:
        yy = y(value)
        body.append(f'<line x1="{left}" y1="{yy:.1f}" x2="{width - right}" y2="{yy:.1f}" stroke="{LINE}"/>')
        body.append(f'<text x="{left - 6}" y="{yy + 4:.1f}" text-anchor="end" font-size="11" fill="#6b7280">'
                    f'{_pct(value)}</text>')
    for i, p in enumerate(points):
        h = plot_h * 0.35 * p["count"] / most
        x = left + i * step + step * 0.2
        body.append(f'<rect x="{x:.1f}" y="{top + plot_h - h:.1f}" width="{step * 0.6:.1f}" height="{h:.1f}" '
                    f'fill="#fde8e8"><title>{escape(p["label"])}: {p["count"]}</title></rect>')
    if target is not None and lo <= target <= 1:
        ty = y(target)
        body.append(f'<line x1="{left}" y1="{ty:.1f}" x2="{width - right}" y2="{ty:.1f}" stroke="{GREEN}" '
                    f'stroke-dasharray="5 4" stroke-width="1.5"/>')
        body.append(f'<text x="{width - right}" y="{ty - 4:.1f}" text-anchor="end" font-size="11" fill="{GREEN}">'
                    f'{_pct(target)}</text>')
    path, dots = [], []
    for i, p in enumerate(points):
        if p["rate"] is None:
            continue
        x, yy = left + i * step + step / 2, y(max(p["rate"], lo))
        path.append(f'{"M" if not path else "L"}{x:.1f},{yy:.1f}')
        fill = "#fff" if p.get("low_confidence") else RED
        dots.append(f'<circle cx="{x:.1f}" cy="{yy:.1f}" r="3.2" fill="{fill}" stroke="{RED}" stroke-width="1.5">'
                    f'<title>{escape(p["label"])}: {_pct(p["rate"])} ({p["count"]})</title></circle>')
    if path:
        body.append(f'<path d="{" ".join(path)}" fill="none" stroke="{RED}" stroke-width="2"/>')
    body += dots
    every = max(1, round(n / 8))
    for i, p in enumerate(points):
        # The last label too, unless it would sit on the one before it.
        if i % every == 0 or (i == n - 1 and (n - 1) % every >= every / 2):
            x = left + i * step + step / 2
            body.append(f'<text x="{x:.1f}" y="{height - 10}" text-anchor="middle" font-size="11" fill="#6b7280">'
                        f'{escape(p.get("short", p["label"]))}</text>')
    return _svg(width, height, body, label)


def _floor(values: list[float], as_rate: bool) -> float:
    """Where bars start, so that close values (99.1% and 99.6%) still look different."""
    if not values:
        return 0.0
    low = min(values)
    if as_rate:
        return max(0.0, int((low - 0.05) * 20) / 20) if low > 0.3 else 0.0
    top = max(values)
    if low <= 0 or low < top * 0.6:
        return 0.0
    return max(0.0, (int(low / 10) - 1) * 10.0)


def hbars(rows: list[dict], label: str, *, target: float | None = None, width: int = 640, as_rate: bool = True,
          bar_h: int = 22, floor: float | None = None) -> Markup:
    """Horizontal bars: rows of {"label", "value", "text", "muted"?}; values 0..1 when ``as_rate``.

    Bars start at ``floor`` (chosen from the values unless given), written at the top left when above 0."""
    name_w, right = 150, 70
    top_pad = 14
    height = max(bar_h * len(rows) + 10 + top_pad, 30)
    plot_w = width - name_w - right
    values = [r["value"] for r in rows if r["value"] is not None]
    if target is not None and as_rate:
        values.append(target)
    lo = _floor(values, as_rate) if floor is None else floor
    top_value = 1.0 if as_rate else max(values + [1])
    span = max(top_value - lo, 1e-9)
    body = []
    if lo > 0:
        body.append(f'<text x="{name_w}" y="10" font-size="10" fill="#9ca3af">'
                    f'{escape(_pct(lo) if as_rate else f"{lo:g}")} →</text>')
    for i, r in enumerate(rows):
        yy = top_pad + 5 + i * bar_h
        value = r["value"] or 0
        w = plot_w * max(value - lo, 0) / span
        colour = GREY if r.get("muted") else (GREEN if target is not None and value >= target else RED)
        if not as_rate:
            colour = GREY if r.get("muted") else RED
        name = str(r["label"])
        name = name if len(name) <= 11 else name[:10] + "…"
        body.append(f'<text x="{name_w - 8}" y="{yy + bar_h * 0.65:.1f}" text-anchor="end" font-size="12" '
                    f'fill="{INK}">{escape(name)}</text>')
        body.append(f'<rect x="{name_w}" y="{yy + 3}" width="{plot_w:.1f}" height="{bar_h - 8}" fill="#f3f4f6" rx="3"/>')
        body.append(f'<rect x="{name_w}" y="{yy + 3}" width="{max(w, 0):.1f}" height="{bar_h - 8}" fill="{colour}" '
                    f'rx="3"><title>{escape(r["label"])}: {escape(r["text"])}</title></rect>')
        body.append(f'<text x="{name_w + plot_w + 6}" y="{yy + bar_h * 0.65:.1f}" font-size="12" fill="{INK}">'
                    f'{escape(r["text"])}</text>')
    if target is not None and as_rate and lo <= target <= 1:
        tx = name_w + plot_w * (target - lo) / span
        body.append(f'<line x1="{tx:.1f}" y1="{top_pad}" x2="{tx:.1f}" y2="{height - 2}" stroke="{GREEN}" '
                    f'stroke-dasharray="4 3"/>')
        body.append(f'<text x="{tx:.1f}" y="10" text-anchor="middle" font-size="10" fill="{GREEN}">'
                    f'{_pct(target)}</text>')
    return _svg(width, height, body, label)


def stacked(parts: list[dict], label: str, *, width: int = 640, height: int = 64) -> Markup:
    """One bar split into parts {"key", "label", "value"}, with a legend underneath."""
    total = sum(p["value"] for p in parts) or 1
    body, x = [], 0.0
    for p in parts:
        w = width * p["value"] / total
        if w > 0:
            body.append(f'<rect x="{x:.1f}" y="4" width="{w:.1f}" height="22" '
                        f'fill="{STATE_COLOURS.get(p["key"], GREY)}"><title>{escape(p["label"])}: {p["value"]}</title></rect>')
            if w > 26:
                body.append(f'<text x="{x + w / 2:.1f}" y="19" text-anchor="middle" font-size="12" fill="#fff">'
                            f'{p["value"]}</text>')
        x += w
    lx = 0
    for p in parts:
        text = f"{p['label']} {p['value']}"
        body.append(f'<rect x="{lx}" y="40" width="10" height="10" rx="2" fill="{STATE_COLOURS.get(p["key"], GREY)}"/>')
        body.append(f'<text x="{lx + 14}" y="49" font-size="12" fill="{INK}">{escape(text)}</text>')
        lx += 24 + 13 * len(text)
    return _svg(width, height, body, label)
