"""Forest plots of ratio estimates (hazard and risk ratios with their intervals), drawn as SVG on the server.

The x axis is logarithmic and centred on no effect (1); each row is a square at the estimate and a
line across the confidence interval, with the interval written out on the right. Intervals that run
past the axis end in an arrow. Every text is XML-escaped, so labels from the graph cannot inject
markup. No JavaScript and no inline style: the page's stylesheet gives the colours.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

__all__ = ["ForestRow", "forest_svg"]

_WIDTH = 880
_LABEL_W = 330
_PLOT_W = 340
_ROW_H = 36
_TOP = 34
_BOTTOM = 44
_TICKS = (0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0)


@dataclass(frozen=True)
class ForestRow:
    """One estimate to plot."""

    label: str
    detail: str
    estimate: float
    lower: float
    upper: float
    measure: str = "HR"
    significant: bool | None = None
    href: str | None = None


def _fmt(value: float) -> str:
    return f"{value:.2f}" if value < 10 else f"{value:.1f}"


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def forest_svg(rows: list[ForestRow], title: str = "Effect estimates") -> str:
    """An SVG document (as text) for ``rows``; an empty string when there is nothing to plot."""
    rows = [r for r in rows if r.lower > 0 and r.upper > 0 and r.estimate > 0]
    if not rows:
        return ""
    low = min(min(r.lower for r in rows), 0.5)
    high = max(max(r.upper for r in rows), 2.0)
    axis_low = max(t for t in _TICKS if t <= max(low, _TICKS[0]))
    axis_high = min(t for t in _TICKS if t >= min(high, _TICKS[-1]))
    span = math.log(axis_high) - math.log(axis_low)

    def x(value: float) -> float:
        clamped = min(max(value, axis_low), axis_high)
        return _LABEL_W + (math.log(clamped) - math.log(axis_low)) / span * _PLOT_W

    height = _TOP + len(rows) * _ROW_H + _BOTTOM
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="forest" viewBox="0 0 {_WIDTH} {height}" '
           f'width="{_WIDTH}" height="{height}" role="img" aria-label={quoteattr(title)}>',
           f"<title>{escape(title)}</title>",
           '<text class="fp-head" x="8" y="20">Comparison</text>',
           f'<text class="fp-head" x="{_LABEL_W + _PLOT_W + 16}" y="20">Estimate (CI)</text>']
    plot_bottom = _TOP + len(rows) * _ROW_H
    one = x(1.0)
    out.append(f'<line class="fp-null" x1="{one:.1f}" y1="{_TOP - 6}" x2="{one:.1f}" y2="{plot_bottom}"/>')
    for i, row in enumerate(rows):
        y = _TOP + i * _ROW_H + _ROW_H / 2
        css = "fp-sig" if row.significant else "fp-ns" if row.significant is False else "fp-unknown"
        tooltip = (f"{row.label} — {row.detail}: {row.measure} {_fmt(row.estimate)} "
                   f"({_fmt(row.lower)}–{_fmt(row.upper)})")
        label = f'<text class="fp-label" x="8" y="{y - 3:.1f}">{escape(_clip(row.label, 48))}</text>'
        detail = f'<text class="fp-detail" x="8" y="{y + 11:.1f}">{escape(_clip(row.detail, 58))}</text>'
        if row.href:
            label = f"<a href={quoteattr(row.href)}>{label}{detail}</a>"
            detail = ""
        out.append(f'<g class="fp-row {css}"><title>{escape(tooltip)}</title>{label}{detail}')
        x1, x2 = x(row.lower), x(row.upper)
        out.append(f'<line class="fp-ci" x1="{x1:.1f}" y1="{y:.1f}" x2="{x2:.1f}" y2="{y:.1f}"/>')
        if row.lower < axis_low:
            out.append(f'<path class="fp-arrow" d="M{x1:.1f},{y:.1f} l6,-4 v8 z"/>')
        if row.upper > axis_high:
            out.append(f'<path class="fp-arrow" d="M{x2:.1f},{y:.1f} l-6,-4 v8 z"/>')
        cx = x(row.estimate)
        out.append(f'<rect class="fp-point" x="{cx - 5:.1f}" y="{y - 5:.1f}" width="10" height="10"/>')
        out.append(f'<text class="fp-value" x="{_LABEL_W + _PLOT_W + 16}" y="{y + 4:.1f}">'
                   f"{escape(row.measure)} {_fmt(row.estimate)} ({_fmt(row.lower)}–{_fmt(row.upper)})</text></g>")
    out.append(f'<line class="fp-axis" x1="{_LABEL_W}" y1="{plot_bottom}" x2="{_LABEL_W + _PLOT_W}" '
               f'y2="{plot_bottom}"/>')
    for tick in _TICKS:
        if axis_low <= tick <= axis_high:
            tx = x(tick)
            out.append(f'<line class="fp-axis" x1="{tx:.1f}" y1="{plot_bottom}" x2="{tx:.1f}" '
                       f'y2="{plot_bottom + 5}"/>')
            out.append(f'<text class="fp-tick" x="{tx:.1f}" y="{plot_bottom + 18}">{tick:g}</text>')
    out.append(f'<text class="fp-note" x="{_LABEL_W}" y="{plot_bottom + 36}">← lower with intervention</text>')
    out.append(f'<text class="fp-note fp-right" x="{_LABEL_W + _PLOT_W}" y="{plot_bottom + 36}">'
               "higher with intervention →</text>")
    out.append("</svg>")
    return "".join(out)
