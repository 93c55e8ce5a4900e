"""Forest plots of ratio estimates (hazard and risk ratios with their intervals), drawn as SVG on the server.

The x axis is logarithmic and centred on no effect (1); each row is a square at the estimate and a
line across the confidence interval, with the interval written out. Intervals that run past the
axis end in an arrow. Two layouts of the same plot are drawn: a wide one (labels beside the plot)
and a stacked one for phones (label, then detail, then the interval on its own line), each sized
so that its text stays at least 10 px on the screens it is shown on; the stylesheet shows one.
Labels are wrapped, never cut. Every text is XML-escaped, so labels from the graph cannot inject
markup. No JavaScript and no inline style: the page's stylesheet gives the colours.
"""

from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

__all__ = ["ForestRow", "forest_svg"]

_TICKS = (0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0)
_LINE = 15  # px between text lines (12 px text)
_CHAR = 6.6  # average width of a 12 px character, for wrapping


@dataclass(frozen=True)
class ForestRow:
    """One estimate to plot: ``label`` (the comparison), ``detail`` (endpoint, study, source)."""

    label: str
    detail: str
    estimate: float
    lower: float
    upper: float
    measure: str = "HR"
    significant: bool | None = None
    href: str | None = None
    outcome: str = ""
    """The outcome the estimate is of ("OS", "grade 3–4 thromboembolism"): one panel per outcome."""
    harm: bool = False
    """An adverse event (a safety panel) rather than an efficacy endpoint."""
    higher_is_better: bool = False
    """The event is wanted (a response): a ratio above 1 favours the intervention."""
    n: str = ""
    """Patients behind the estimate ("N 5,073", "N 1,137 vs 834"), shown on the row."""


def _fmt(value: float) -> str:
    return f"{value:.2f}" if value < 10 else f"{value:.1f}"


@dataclass(frozen=True)
class _Axis:
    low: float
    high: float
    left: float
    width: float

    def x(self, value: float) -> float:
        clamped = min(max(value, self.low), self.high)
        span = math.log(self.high) - math.log(self.low)
        return self.left + (math.log(clamped) - math.log(self.low)) / span * self.width


def _axis_range(rows: list[ForestRow]) -> tuple[float, float]:
    low = min(min(r.lower for r in rows), 0.5)
    high = max(max(r.upper for r in rows), 2.0)
    axis_low = max(t for t in _TICKS if t <= max(low, _TICKS[0]))
    axis_high = min(t for t in _TICKS if t >= min(high, _TICKS[-1]))
    return axis_low, axis_high


def _lines(text: str, width_px: float) -> list[str]:
    return textwrap.wrap(text, max(12, int(width_px / _CHAR)), break_on_hyphens=False) or [""]


def _interval(out: list[str], row: ForestRow, axis: _Axis, y: float) -> None:
    x1, x2 = axis.x(row.lower), axis.x(row.upper)
    out.append(f'<line class="fp-ci" x1="{x1:.1f}" y1="{y:.1f}" x2="{x2:.1f}" y2="{y:.1f}"/>')
    if row.lower < axis.low:
        out.append(f'<path class="fp-arrow" d="M{x1:.1f},{y:.1f} l6,-4 v8 z"/>')
    if row.upper > axis.high:
        out.append(f'<path class="fp-arrow" d="M{x2:.1f},{y:.1f} l-6,-4 v8 z"/>')
    cx = axis.x(row.estimate)
    out.append(f'<rect class="fp-point" x="{cx - 5:.1f}" y="{y - 5:.1f}" width="10" height="10"/>')


def _texts(label: list[str], detail: list[str], x: float, y: float) -> str:
    parts = [f'<text class="fp-label" x="{x}" y="{y + i * _LINE:.1f}">{escape(line)}</text>'
             for i, line in enumerate(label)]
    parts += [f'<text class="fp-detail" x="{x}" y="{y + (len(label) + i) * _LINE:.1f}">{escape(line)}</text>'
              for i, line in enumerate(detail)]
    return "".join(parts)


_MEASURES = {"HR": "hazard ratio", "RR": "risk ratio", "OR": "odds ratio"}


def axis_title(rows: list[ForestRow]) -> str:
    """ "hazard ratio, log scale" (or risk, odds; "ratio" when the panel mixes them)."""
    measures = {_MEASURES.get(r.measure, "ratio") for r in rows}
    return f"{measures.pop() if len(measures) == 1 else 'ratio'}, log scale"


def _axis_marks(out: list[str], axis: _Axis, y: float, rows: list[ForestRow] | None = None) -> None:
    out.append(f'<line class="fp-axis" x1="{axis.left}" y1="{y}" x2="{axis.left + axis.width}" y2="{y}"/>')
    for tick in _TICKS:
        if axis.low <= tick <= axis.high:
            tx = axis.x(tick)
            out.append(f'<line class="fp-axis" x1="{tx:.1f}" y1="{y}" x2="{tx:.1f}" y2="{y + 5}"/>')
            out.append(f'<text class="fp-tick" x="{tx:.1f}" y="{y + 18}">{tick:g}</text>')
    rows = rows or []
    # Below 1 the intervention has fewer of the events (progression, death, the adverse event): it
    # favours the intervention, unless the event is one patients want (a response).
    better_high = bool(rows) and all(r.higher_is_better for r in rows)
    left, right = ("comparator", "intervention") if better_high else ("intervention", "comparator")
    out.append(f'<text class="fp-note fp-favours" x="{axis.left}" y="{y + 34}">← favours {left}</text>')
    out.append(f'<text class="fp-note fp-favours fp-right" x="{axis.left + axis.width}" y="{y + 34}">'
               f"favours {right} →</text>")
    out.append(f'<text class="fp-axis-title" x="{axis.left + axis.width / 2:.1f}" y="{y + 52}">'
               f"{escape(axis_title(rows))}</text>")


def _row_group(row: ForestRow, inner: str) -> str:
    css = "fp-sig" if row.significant else "fp-ns" if row.significant is False else "fp-unknown"
    tooltip = f"{row.label} — {row.detail}: {row.measure} {_fmt(row.estimate)} ({_fmt(row.lower)}–{_fmt(row.upper)})"
    if row.href:
        inner = f"<a href={quoteattr(row.href)}>{inner}</a>"
    return f'<g class="fp-row {css}"><title>{escape(tooltip)}</title>{inner}</g>'


def _wide(rows: list[ForestRow], title: str, axis_range: tuple[float, float]) -> str:
    width, label_w, value_w = 1180.0, 520.0, 230.0
    axis = _Axis(*axis_range, label_w + 20, width - label_w - 20 - value_w)
    blocks = [(_lines(r.label, label_w - 16), _lines(r.detail, label_w - 16)) for r in rows]
    heights = [max(2, len(a) + len(b)) * _LINE + 14 for a, b in blocks]
    top = 34.0
    height = top + sum(heights) + 66
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="forest forest-wide" viewBox="0 0 {width:.0f} '
           f'{height:.0f}" preserveAspectRatio="xMinYMin meet" role="img" aria-label={quoteattr(title)}>',
           f"<title>{escape(title)}</title>",
           '<text class="fp-head" x="8" y="20">Comparison · study · source · N</text>',
           f'<text class="fp-head" x="{width - value_w + 12:.0f}" y="20">Estimate (CI)</text>']
    one = axis.x(1.0)
    out.append(f'<line class="fp-null" x1="{one:.1f}" y1="{top - 6}" x2="{one:.1f}" y2="{top + sum(heights)}"/>')
    y = top
    for row, (label, detail), h in zip(rows, blocks, heights, strict=True):
        mid = y + h / 2
        inner: list[str] = [_texts(label, detail, 8, y + 16)]
        _interval(inner, row, axis, mid)
        inner.append(f'<text class="fp-value" x="{width - value_w + 12:.0f}" y="{mid + 4:.1f}">'
                     f"{escape(row.measure)} {_fmt(row.estimate)} ({_fmt(row.lower)}–{_fmt(row.upper)})</text>")
        out.append(_row_group(row, "".join(inner)))
        y += h
    _axis_marks(out, axis, y, rows)
    out.append("</svg>")
    return "".join(out)


def _stacked(rows: list[ForestRow], title: str, axis_range: tuple[float, float]) -> str:
    width = 360.0
    axis = _Axis(*axis_range, 14, width - 28)
    blocks = [(_lines(r.label, width - 16), _lines(f"{r.detail} — {r.measure} {_fmt(r.estimate)} "
                                                     f"({_fmt(r.lower)}–{_fmt(r.upper)})", width - 16))
              for r in rows]
    heights = [(len(a) + len(b)) * _LINE + 30 for a, b in blocks]
    top = 30.0
    height = top + sum(heights) + 66
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="forest forest-narrow" viewBox="0 0 {width:.0f} '
           f'{height:.0f}" preserveAspectRatio="xMinYMin meet" role="img" aria-label={quoteattr(title)}>',
           f"<title>{escape(title)}</title>", '<text class="fp-head" x="8" y="18">Comparison and estimate</text>']
    one = axis.x(1.0)
    y = top
    for row, (label, detail), h in zip(rows, blocks, heights, strict=True):
        # the line of no effect only beside each interval, so it never runs through the text
        out.append(f'<line class="fp-null" x1="{one:.1f}" y1="{y + h - 22:.1f}" x2="{one:.1f}" y2="{y + h - 2:.1f}"/>')
        inner = [_texts(label, detail, 8, y + 14)]
        _interval(inner, row, axis, y + h - 12)
        out.append(_row_group(row, "".join(inner)))
        y += h
    _axis_marks(out, axis, y, rows)
    out.append("</svg>")
    return "".join(out)


def forest_svg(rows: list[ForestRow], title: str = "Effect estimates", layout: str = "both") -> str:
    """The plot for ``rows``: one panel per outcome (efficacy first, then harms), each the ``wide``
    layout, the ``stacked`` one, or ``both`` (two SVG elements, for a page whose stylesheet shows one
    by screen width) under the outcome's heading; an empty string when there is nothing to plot.
    Rows without an outcome make one panel without a heading."""
    rows = [r for r in rows if r.lower > 0 and r.upper > 0 and r.estimate > 0]
    if not rows:
        return ""
    panels: dict[tuple[bool, str], list[ForestRow]] = {}
    for row in rows:
        panels.setdefault((row.harm, row.outcome), []).append(row)
    if len(panels) == 1 and not rows[0].outcome:
        return _panel(rows, title, layout)
    out = []
    for (harm, outcome), panel in sorted(panels.items(), key=lambda kv: (kv[0][0], kv[0][1].lower())):
        kind = "harm" if harm else "efficacy"
        heading = f"{outcome[:1].upper()}{outcome[1:]}" if outcome else "Other outcomes"
        out.append(f'<figure class="forest-panel forest-{kind}"><figcaption><span class="fp-kind">{kind}</span> '
                   f"{escape(heading)} <span class=\"count\">({len(panel)})</span></figcaption>"
                   f"{_panel(panel, f'{title}: {heading}', layout)}</figure>")
    return "".join(out)


def _panel(rows: list[ForestRow], title: str, layout: str) -> str:
    axis_range = _axis_range(rows)
    wide = _wide(rows, title, axis_range) if layout in ("wide", "both") else ""
    stacked = _stacked(rows, title, axis_range) if layout in ("stacked", "both") else ""
    return wide + stacked
