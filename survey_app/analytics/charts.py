"""Server-rendered SVG charts (no script, no inline style: presentation attributes only, so the same
SVG renders in the page under our CSP, as a download, and through cairosvg as a PNG)."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

WIDTH, HEIGHT = 720, 300
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 36, 48
INK, MUTED, LINE, BRAND, BAND, TARGET = "#1b1f24", "#4a5360", "#c9d0d8", "#0b5cad", "#cfe0f3", "#8a5a00"
TONES = {"negative": "#a4161a", "neutral": "#4a5360", "positive": "#1f6f43", None: BRAND}
FONT = 'font-family="DejaVu Sans, Arial, sans-serif"'
CHAR_W = 7.0  # width of a character of an 11 px axis label, generously (DejaVu Sans digits are ~6.9 px)


@dataclass(frozen=True)
class Point:
    label: str
    value: float | None
    low: float | None = None
    high: float | None = None
    href: str | None = None
    suppressed: bool = False


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None
    href: str | None = None
    suppressed: bool = False
    tone: str | None = None
    note: str = ""


def _fmt(v: float) -> str:
    return f"{v:.0f}" if abs(v) >= 10 or v == int(v) else f"{v:.2f}"


def _domain(values: Sequence[float], fixed: tuple[float, float] | None) -> tuple[float, float]:
    if fixed:
        return fixed
    if not values:
        return 0.0, 1.0
    lo, hi = min(0.0, min(values)), max(values)
    if hi == lo:
        hi = lo + 1
    return lo, hi + (hi - lo) * 0.1


def line_chart(
    title: str, points: Sequence[Point], *, domain: tuple[float, float] | None = None,
    target: float | None = None, target_label: str = "", desc: str = "", ident: str = "",
) -> str:
    """A line with a shaded confidence band; hidden points leave a gap; each point links to its comments.

    `ident` makes the SVG's element ids unique on a page of several charts (default: from the title)."""
    values = [v for p in points for v in (p.value, p.low, p.high) if v is not None]
    if target is not None:
        values.append(target)
    lo, hi = _domain(values, domain)
    pw, ph = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    n = max(len(points), 1)

    def x(i: int) -> float:
        return LEFT + (pw * (i + 0.5) / n)

    def y(v: float) -> float:
        v = min(max(v, lo), hi)
        return TOP + ph * (1 - (v - lo) / (hi - lo))

    out = [_open(title, desc, ident=ident)]
    out += _axes(lo, hi, y)
    # Confidence band: one polygon per run of consecutive visible points.
    for run in _runs(points):
        if all(points[i].low is not None and points[i].high is not None for i in run) and len(run) > 1:
            upper = [f"{x(i):.1f},{y(points[i].high):.1f}" for i in run]  # type: ignore[arg-type]
            lower = [f"{x(i):.1f},{y(points[i].low):.1f}" for i in reversed(run)]  # type: ignore[arg-type]
            out.append(f'<polygon class="band" points="{" ".join(upper + lower)}" fill="{BAND}" stroke="none"/>')
        if len(run) > 1:
            path = " ".join(f"{x(i):.1f},{y(points[i].value):.1f}" for i in run)  # type: ignore[arg-type]
            out.append(f'<polyline class="series" points="{path}" fill="none" stroke="{BRAND}" stroke-width="2.5"/>')
    if target is not None:
        ty = y(target)
        out.append(f'<line class="target" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{ty:.1f}" y2="{ty:.1f}" '
                   f'stroke="{TARGET}" stroke-width="2" stroke-dasharray="6 4"/>')
        # Legend in the top-right corner, clear of the series (a label on the line would collide with it).
        out.append(f'<line x1="{WIDTH - RIGHT - 250}" x2="{WIDTH - RIGHT - 226}" y1="18" y2="18" stroke="{TARGET}" '
                   f'stroke-width="2" stroke-dasharray="6 4"/>')
        out.append(f'<text x="{WIDTH - RIGHT - 220}" y="22" font-size="11" fill="{TARGET}" '
                   f'{FONT}>{escape((target_label or "target")[:32])}: {_fmt(target)}</text>')
    # Label every step-th point so the widest label fits its slot (12 weekly labels ran together).
    widest = max((len(p.label) for p in points), default=1) * CHAR_W + 8
    step = max(1, math.ceil(widest / (pw / n)))
    for i, p in enumerate(points):
        if (n - 1 - i) % step == 0:  # counted back from the newest, which is always labelled
            out.append(f'<text x="{x(i):.1f}" y="{HEIGHT - BOTTOM + 18}" text-anchor="middle" font-size="11" '
                       f'fill="{MUTED}" {FONT}>{escape(p.label)}</text>')
        if p.value is None:
            if p.suppressed:
                out.append(f'<text x="{x(i):.1f}" y="{TOP + ph / 2:.1f}" text-anchor="middle" font-size="11" '
                           f'fill="{MUTED}" {FONT}>hidden</text>')
            continue
        tip = f"{p.label}: {_fmt(p.value)}"
        if p.low is not None and p.high is not None:
            tip += f" (95% CI {_fmt(p.low)} to {_fmt(p.high)})"
        dot = (f'<circle class="point" cx="{x(i):.1f}" cy="{y(p.value):.1f}" r="5" fill="{BRAND}" '
               f'stroke="#fff" stroke-width="1.5"><title>{escape(tip)}</title></circle>')
        out.append(_link(p.href, dot, tip))
    out.append("</svg>")
    return "\n".join(out)


MAX_LABEL_W = 250
LABEL_CHAR_W = 6.8


def _bar_label(label: str) -> str:
    """The label as drawn: whole where it fits the widest label column, else cut with an ellipsis (the
    tooltip and the table view keep it whole)."""
    most = int((MAX_LABEL_W - 16) / LABEL_CHAR_W)
    return label if len(label) <= most else label[: most - 1].rstrip() + "…"


def bar_chart(title: str, bars: Sequence[Bar], *, domain: tuple[float, float] | None = None, desc: str = "",
              ident: str = "") -> str:
    """Horizontal bars (label on the left), coloured by tone; hidden bars say so."""
    values = [b.value for b in bars if b.value is not None]
    lo, hi = _domain(values, domain)
    row_h = 26
    height = TOP + max(len(bars), 1) * row_h + 24
    labels = [_bar_label(b.label) for b in bars]
    # The label column fits the longest label (at ~7 px a character of the 12 px font): a fixed 170 px cut
    # "manual handling & ergonomics" to "anual handling & ergonomi" at the chart's left edge.
    label_w = min(MAX_LABEL_W, max(120, int(max((len(t) for t in labels), default=0) * LABEL_CHAR_W) + 16))
    pw = WIDTH - label_w - RIGHT - 130  # room for the value and its note right of the bar

    def x(v: float) -> float:
        return label_w + pw * (min(max(v, lo), hi) - lo) / (hi - lo)

    out = [_open(title, desc, height, ident=ident)]
    zero = x(0.0) if lo <= 0 <= hi else x(lo)
    out.append(f'<line x1="{zero:.1f}" x2="{zero:.1f}" y1="{TOP - 4}" y2="{height - 20}" stroke="{LINE}"/>')
    for i, (b, label) in enumerate(zip(bars, labels, strict=True)):
        top = TOP + i * row_h
        out.append(f'<text x="{label_w - 8}" y="{top + 16}" text-anchor="end" font-size="12" fill="{INK}" '
                   f'{FONT}>{escape(label)}</text>')
        if b.value is None:
            out.append(f'<text x="{label_w + 4}" y="{top + 16}" font-size="11" fill="{MUTED}" {FONT}>'
                       f'{"hidden to protect a small group" if b.suppressed else "no data"}</text>')
            continue
        x0, x1 = sorted((zero, x(b.value)))
        tip = f"{b.label}: {_fmt(b.value)}{(' ' + b.note) if b.note else ''}"
        rect = (f'<rect class="bar" x="{x0:.1f}" y="{top + 4}" width="{max(x1 - x0, 1.5):.1f}" height="{row_h - 8}" '
                f'fill="{TONES.get(b.tone, BRAND)}"><title>{escape(tip)}</title></rect>')
        out.append(_link(b.href, rect, tip))
        out.append(f'<text x="{x1 + 4:.1f}" y="{top + 16}" font-size="11" fill="{INK}" {FONT}>'
                   f'{escape(_fmt(b.value))}{escape(" " + b.note if b.note else "")}</text>')
    out.append("</svg>")
    return "\n".join(out)


def _open(title: str, desc: str, height: int = HEIGHT, ident: str = "") -> str:
    # Ids are page-wide: with fixed ones every inline chart was announced by the first chart's title.
    ident = ident or "c" + hashlib.sha1(f"{title}\n{desc}".encode()).hexdigest()[:10]
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" class="chart" '
        f'viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" role="img" '
        f'aria-labelledby="{ident}-title {ident}-desc">'
        f'<title id="{ident}-title">{escape(title)}</title><desc id="{ident}-desc">{escape(desc or title)}</desc>'
        f'<rect width="{WIDTH}" height="{height}" fill="#fff"/>'
        # The visible heading is the page's <h2>; this one shows only in downloads (SVG/PNG).
        f'<text class="chart-title" x="{LEFT}" y="22" font-size="14" font-weight="bold" fill="{INK}" {FONT}>'
        f'{escape(title)}</text>'
    )


def _axes(lo: float, hi: float, y: object) -> list[str]:
    out = []
    for k in range(5):
        v = lo + (hi - lo) * k / 4
        yy = y(v)  # type: ignore[operator]
        out.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{yy:.1f}" y2="{yy:.1f}" stroke="{LINE}" '
                   f'stroke-width="1"/>')
        out.append(f'<text x="{LEFT - 6}" y="{yy + 4:.1f}" text-anchor="end" font-size="11" fill="{MUTED}" '
                   f'{FONT}>{_fmt(v)}</text>')
    return out


def _runs(points: Sequence[Point]) -> list[list[int]]:
    runs: list[list[int]] = [[]]
    for i, p in enumerate(points):
        if p.value is None:
            runs.append([])
        else:
            runs[-1].append(i)
    return [r for r in runs if r]


def _link(href: str | None, inner: str, label: str) -> str:
    if not href:
        return inner
    return f'<a href={quoteattr(href)} xlink:href={quoteattr(href)} aria-label={quoteattr(label)}>{inner}</a>'


def svg_to_png(svg: str, scale: float = 2.0) -> bytes:
    """Rasterise one of our charts (cairosvg + libcairo; links and titles are ignored in a PNG)."""
    import cairosvg  # imported lazily: only the PNG download needs libcairo

    png: bytes = cairosvg.svg2png(bytestring=svg.encode("utf-8"), scale=scale)
    return png
