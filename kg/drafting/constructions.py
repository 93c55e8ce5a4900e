"""Constructions declared as records: each with its pattern (built from the shared numeral pieces), its
guard, its priority and what it reads, so a new way of stating a result is one record here.

* ``not_reached``: a median not reached, alone ("median OS was not reached") or in a pair
  ("not reached vs 34.5 months", "NR v 23 months"): a pair is a ``time_pair`` whose unreached value
  is None (and wins over the lone reading where both match, by priority);
* ``rate``: incidence rates per patient-years ("3.1 vs 1.2 per 100 patient-years");
* ``events``: an event count with its share and denominator ("16 [4%] of 440", "16 of 440 patients (4%)").

>>> [(f.kind, f.data["values"]) for f in recognise_more("Median PFS was not reached vs 34.5 months.")]
[('time_pair', [None, Decimal('34.5')]), ('not_reached', [None])]
>>> [f.data for f in recognise_more("VTE occurred in 16 [4%] of 440 patients.")]
[{'value': Decimal('4'), 'events': 16, 'of_total': 440}]
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from kg.curation.numerals import DEC, INT, number
from kg.drafting.figuredata import FigureData
from kg.drafting.figures import Figure

__all__ = ["CONSTRUCTIONS", "Construction", "first_value", "recognise_more"]

_NR = r"(?:not\s+(?:yet\s+)?(?:been\s+)?reached|not\s+estimable|(?-i:NR|NE))"
_SEP = r"\s*+(?:vs\.?|versus|v\.?|compared\s+with|and)\s*+"
_UNIT = r"(?P<unit>months?|years?|weeks?|days?)"
_GAP = r"(?:\s++(?:with|in|for|on|among)\s++[\w-]{1,30}+(?:\s++[\w-]{1,30}+){0,3}?)?"
"""An arm named between a value and the separator ("not reached with daratumumab versus ...")."""


@dataclass(frozen=True)
class Construction:
    """One way of stating a figure: its kind, its pattern, a guard, and how a match reads."""

    kind: str
    pattern: re.Pattern[str]
    read: Callable[[re.Match[str]], FigureData | None]
    """The figure's data (None: the guard refuses the match); its kind's place among the others is in
    :data:`kg.drafting.figuredata.PRIORITY`."""


def _unit(text: str | None) -> str:
    return (text or "month").lower().rstrip("s")


def _nr_first(m: re.Match[str]) -> FigureData | None:
    return {"values": [None, number(m["b"])], "unit": _unit(m["unit"]), "respectively": False}


def _nr_second(m: re.Match[str]) -> FigureData | None:
    return {"values": [number(m["a"]), None], "unit": _unit(m["unit"]), "respectively": False}


def _nr_alone(m: re.Match[str]) -> FigureData | None:
    return {"values": [None], "unit": "month"}


def _rate(m: re.Match[str]) -> FigureData | None:
    values = [number(m["a"])] + ([number(m["b"])] if m["b"] else [])
    return {"values": values, "per": f"{number(m['per'])} {m['base'].lower().replace('-', ' ')}"}


def _events(m: re.Match[str]) -> FigureData | None:
    events, total, share = int(number(m["n"])), int(number(m["total"])), number(m["pct"])
    if events > total or share > 100:
        return None
    return {"value": share, "events": events, "of_total": total}


CONSTRUCTIONS: tuple[Construction, ...] = (
    Construction("time_pair", re.compile(rf"{_NR}(?:\s*+\([^()]{{0,40}}\))?{_GAP}{_SEP}(?P<b>{DEC})\s*+{_UNIT}",
                                         re.IGNORECASE), _nr_first),
    Construction("time_pair", re.compile(
        rf"(?P<a>{DEC})\s*+{_UNIT}?(?:\s*+\([^()]{{0,40}}\))?{_GAP}{_SEP}{_NR}(?![\w-])", re.IGNORECASE),
        _nr_second),
    Construction("not_reached", re.compile(rf"\bmedian\b[^.;]{{0,60}}?\b(?:was|were|is|are|has|have|had)\s++{_NR}",
                                           re.IGNORECASE), _nr_alone),
    Construction("rate", re.compile(
        rf"(?P<a>{DEC})(?:{_SEP}(?P<b>{DEC}))?\s*+(?:events?\s++)?(?:per|/)\s*+(?P<per>100|1,000|1000)\s*+"
        rf"(?P<base>patient[- ]years?|person[- ]years?|patient[- ]months?|py\b)", re.IGNORECASE), _rate),
    Construction("events", re.compile(
        rf"(?P<n>{INT})\s*+[\[(]\s*+(?P<pct>{DEC})\s*+%\s*+[\])]\s*+(?:of|/)\s*+(?P<total>{INT})", re.IGNORECASE),
        _events),
    Construction("events", re.compile(
        rf"(?P<n>{INT})\s*+(?:of|/)\s*+(?P<total>{INT})\s*+(?:patients\s*+)?[\[(]\s*+(?P<pct>{DEC})\s*+%\s*+[\])]",
        re.IGNORECASE), _events),
)


def recognise_more(sentence: str) -> list[Figure]:
    """The figures of the declared constructions (overlaps are resolved with the others' by priority)."""
    found = []
    for construction in CONSTRUCTIONS:
        for m in construction.pattern.finditer(sentence):
            data = construction.read(m)
            if data is not None:
                found.append(Figure(construction.kind, m.start(), m.end(), data))
    return found


def first_value(values: list[Decimal | None]) -> Decimal | None:
    """The first stated value of a pair (None for "not reached")."""
    return next((v for v in values if v is not None), None)
