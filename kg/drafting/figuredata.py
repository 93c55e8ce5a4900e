"""What a recognised construction is: its record (:class:`Construction`), the figures it yields
(:class:`Figure`) and the typed data each kind of figure holds.

The records themselves, in the order that resolves overlaps, are the registry
:data:`kg.drafting.constructions.CONSTRUCTIONS`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, NotRequired, TypedDict

if TYPE_CHECKING:
    from kg.drafting.attach import Found
    from kg.drafting.sentence import Sentence
    from kg.drafting.statements import FindingKind

__all__ = ["Construction", "Figure", "FigureData", "Handler"]

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

MAX_SPAN = 400
"""No figure spans more than this many characters (a construction is a phrase, not a paragraph)."""


@dataclass(frozen=True)
class Figure:
    """One figure (or group of figures) stated at ``start:end`` of a sentence by its construction, its
    data typed by the construction's kind."""

    construction: Construction = field(repr=False, compare=False)
    start: int
    end: int
    data: FigureData

    @property
    def kind(self) -> str:
        return self.construction.kind


Handler = Callable[["Sentence", int, Figure, "Found | None"], None]
"""How a figure drafts into findings: the sentence being drafted, the figure's index, the figure and
the study the sentence is about."""


def _always(m: re.Match[str]) -> bool:
    return True


def _match_end(m: re.Match[str], data: FigureData) -> int:
    return m.end()


@dataclass(frozen=True)
class Construction:
    """One way articles state a figure, declared once: everything the drafter knows about it.

    Its place in :data:`kg.drafting.constructions.CONSTRUCTIONS` is its priority (where two figures
    overlap, the earlier construction's wins).
    """

    name: str
    """Unique; what the phrasing cases and messages call it."""
    kind: str
    """The kind of figure it yields (several constructions may state the same kind, e.g. ``time_pair``)."""
    data: type
    """The figure's typed data (a TypedDict of this module)."""
    patterns: tuple[re.Pattern[str], ...]
    """Verbose patterns built from :mod:`kg.drafting.pieces`, tried in order."""
    read: Callable[[re.Match[str]], FigureData]
    """A match's data."""
    handler: Handler
    """How the figure drafts into findings (:mod:`kg.drafting.sentence`)."""
    findings: tuple[FindingKind, ...]
    """The kinds of finding the handler may draft: each with its id short name and how its statement
    reads (:mod:`kg.drafting.statements`)."""
    guard: Callable[[re.Match[str]], bool] = _always
    """Whether a match is this construction (its context and values); ``m.string`` is the sentence."""
    requires: re.Pattern[str] | None = None
    """A sentence without a match of this is not searched at all ("2:1" only where randomisation is said)."""
    ends: Callable[[re.Match[str], FigureData], int] = _match_end
    """Where the figure ends (a ratio's interval only when it holds the estimate)."""
    claims_p: bool = False
    """A p-value stated after it (before any other such figure) is its own."""
    beside_others: bool = False
    """Kept even where it overlaps a figure of higher priority (a dose and its schedule)."""
    voids: frozenset[str] = frozenset()
    """Kinds of figure a sentence stating this one does not state (a dose's schedule days are not times)."""

    def figures(self, sentence: str) -> list[Figure]:
        """Every figure of this construction the sentence states, pattern by pattern, in text order."""
        if self.requires is not None and not self.requires.search(sentence):
            return []
        found = []
        for pattern in self.patterns:
            for m in pattern.finditer(sentence):
                if self.guard(m):
                    data = self.read(m)
                    end = self.ends(m, data)
                    if end - m.start() <= MAX_SPAN:
                        found.append(Figure(self, m.start(), end, data))
        return found
