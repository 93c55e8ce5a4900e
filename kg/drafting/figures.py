"""Recognise the figures a sentence states, the way trial reports and reviews write them.

Every construction is one record of :data:`kg.drafting.constructions.CONSTRUCTIONS` (its patterns,
guards, priority, typed data, handler and statement); :func:`recognise` finds each record's figures
and resolves overlaps by the records' order. None of them knows which endpoint or arm a figure
belongs to (that is :mod:`kg.drafting.assemble`'s job). Recognised:

* ratios: ``HR, 0.62; 95% CI, 0.57 – 0.67``, ``hazard ratio [HR] 0.39 (95% confidence interval
  0.28 to 0.53)``, ``risk ratio = 2.52``, ``RR 1.4 (1.1-1.8)``; odds ratios are recognised and left out
  (the schema has no kind for them);
* p-values: ``P < .001``, ``P=.082``, ``p = 0.0023``, ``P value of 0.03``, ``P ≤ .05``;
* times: pairs ``23 vs. 15 months``, ``41-46 vs. 23-27 months``, ``27.1 and 20.3 months, respectively``,
  ``not reached vs 34.5 months``, single values ``26.5 months`` and medians not reached;
* percentages (never a CI level), event counts ``16 [4%] of 440``, incidence rates ``3.1 vs 1.2 per
  100 patient-years``, counts of patients, studies, regimens and randomisation stages
  (digits or words; ``n = 395``; ``1,097/1,137 received``), doses with schedules, durations
  (``2 months of consolidation``, ``median follow-up of 36 months``), data cut-off dates, grades
  (``grade 3 to 4``, ``grade ≥3``) and allocation ratios (``randomly assigned 2:1``).

>>> [f.kind for f in recognise("PFS (HR, 0.62; 95% CI, 0.57-0.67; P < .001) and 23 vs 15 months")]
['ratio', 'p', 'time_pair']
"""

from __future__ import annotations

import bisect

from kg.curation.numerals import normalise
from kg.drafting.constructions import CONSTRUCTIONS
from kg.drafting.figuredata import MAX_SPAN, Figure

__all__ = ["recognise"]


class _Spans:
    """Spans taken so far, for overlap tests in logarithmic time (a sentence can hold thousands of figures).

    Every span is at most :data:`MAX_SPAN` long, so only spans starting within that distance
    before a new one can overlap it.
    """

    def __init__(self) -> None:
        self._starts: list[int] = []
        self._ends: list[int] = []

    def overlaps(self, start: int, end: int) -> bool:
        first = bisect.bisect_left(self._starts, start - MAX_SPAN)
        last = bisect.bisect_left(self._starts, end)
        return any(self._ends[k] > start for k in range(first, last))

    def add(self, start: int, end: int) -> None:
        at = bisect.bisect_right(self._starts, start)
        self._starts.insert(at, start)
        self._ends.insert(at, end)


def recognise(sentence: str) -> list[Figure]:
    """Every figure the sentence states, overlaps resolved by the order of
    :data:`~kg.drafting.constructions.CONSTRUCTIONS` (then by position), in text order.

    A decimal written with a raised dot, as The Lancet prints it (``0·72``), reads as ``0.72``
    (the same length, so spans still point into the sentence as written).
    """
    sentence = normalise(sentence)
    chosen: list[Figure] = []
    taken = _Spans()
    for construction in CONSTRUCTIONS:
        for figure in sorted(construction.figures(sentence), key=lambda f: f.start):
            if construction.beside_others or not taken.overlaps(figure.start, figure.end):
                chosen.append(figure)
                taken.add(figure.start, figure.end)
    voided = {kind for figure in chosen for kind in figure.construction.voids}
    return sorted((f for f in chosen if f.kind not in voided), key=lambda f: f.start)
