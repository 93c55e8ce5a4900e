"""What each kind of figure holds: one typed record per kind (the figure's ``data``), and the kinds in
the order that resolves overlaps (earlier wins).

A new construction declares its kind here (its data and its place in :data:`PRIORITY`), its pattern
in :mod:`kg.drafting.figures` or :mod:`kg.drafting.constructions`, how it drafts in
:mod:`kg.drafting.assemble` (``HANDLERS``) and a phrasing case in ``tests/data/phrasings.yaml``;
``tests/test_phrasings.py`` fails for a kind missing any of them.
"""

from __future__ import annotations

from decimal import Decimal
from typing import NotRequired, TypedDict

__all__ = ["DATA", "PRIORITY", "FigureData"]

Value = Decimal | tuple[Decimal, Decimal]
"""One value or a range (``41-46 months``)."""


class RatioData(TypedDict):
    type: str
    estimate: Decimal
    ci: NotRequired[tuple[Decimal, Decimal]]
    level: NotRequired[Decimal | None]


class PData(TypedDict):
    p: str


class TimePairData(TypedDict):
    values: list[Value | None]
    """None for a median not reached."""
    unit: str
    respectively: bool


class TimeData(TypedDict):
    value: Value
    unit: str


class NotReachedData(TypedDict):
    values: list[None]
    unit: str


class PercentData(TypedDict):
    value: Decimal


class EventsData(TypedDict):
    value: Decimal
    events: int
    of_total: int


class RateData(TypedDict):
    values: list[Decimal]
    per: str


class CountData(TypedDict):
    value: int
    noun: NotRequired[str]
    of_total: NotRequired[int]


class DoseData(TypedDict):
    value: Decimal
    unit: str
    schedule_figures: list[Decimal]
    schedule: str
    route: str | None


class DurationData(TypedDict):
    value: Decimal
    unit: str
    activity: str


class CutoffData(TypedDict):
    date: str


class GradesData(TypedDict):
    grades: list[int]
    note: str | None


class AllocationData(TypedDict):
    ratio: str


FigureData = (RatioData | PData | TimePairData | TimeData | NotReachedData | PercentData | EventsData | RateData
              | CountData | DoseData | DurationData | CutoffData | GradesData | AllocationData)

DATA: dict[str, type] = {
    "ratio": RatioData, "p": PData, "cutoff": CutoffData, "dose": DoseData, "duration": DurationData,
    "events": EventsData, "received": CountData, "rate": RateData, "time_pair": TimePairData, "grades": GradesData,
    "count": CountData, "assigned": CountData, "n": CountData, "not_reached": NotReachedData, "time": TimeData,
    "percent": PercentData, "allocation": AllocationData,
}
"""Every figure kind and its data, in :data:`PRIORITY` order."""

PRIORITY: tuple[str, ...] = tuple(DATA)
"""Earlier kinds win where spans overlap: "95% CI" is part of a ratio, "23 vs 15 months" a pair (not two
times), "25 mg" a dose, "2 months of consolidation" a duration, "16 [4%] of 440" an event count (not a
share and a count of patients), "n = 395" not a count."""
