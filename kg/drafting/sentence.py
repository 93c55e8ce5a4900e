"""Draft one sentence: every figure kind has one handler here (:data:`HANDLERS`), and a p-value no
estimate claims becomes a comparison. The entry point is :func:`kg.drafting.assemble.draft_sentence`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import cast

from kg.drafting import assemble as a
from kg.drafting import outcomes
from kg.drafting.attach import Found
from kg.drafting.figuredata import AllocationData, CutoffData, DurationData, GradesData, PData
from kg.drafting.figures import Figure
from kg.drafting.lexicon import Term

__all__ = ["HANDLERS", "draft"]

_ESTIMATES = ("ratio", "time_pair", "percent", "rate")
"""Figures a p-value after them belongs to (a p-value after any other goes to the one before)."""


@dataclass
class _Sentence:
    b: a._Builder
    figures: list[Figure]
    used: set[int] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.times = [f for f in self.figures if f.kind == "time"]
        self.shares = [f for f in self.figures if f.kind in ("percent", "events")]
        # a lone time is a result only next to the endpoint it measures ("median PFS was 26 months"), never
        # "the median time to response was 2 months" of an outcome the lexicon does not know
        self.names_endpoint = bool(self.b.terms.of_kind("endpoint"))

    def p_after(self, i: int) -> tuple[str | None, int | None]:
        """The p-value stated after figure i and before any other estimate, and where it ends."""
        for j in range(i + 1, len(self.figures)):
            if self.figures[j].kind == "p" and j not in self.used:
                self.used.add(j)
                return cast(PData, self.figures[j].data)["p"], self.figures[j].end
            if self.figures[j].kind in _ESTIMATES:
                return None, None
        return None, None


Handler = Callable[[_Sentence, int, Figure, Found | None], None]


def _ratio(s: _Sentence, i: int, figure: Figure, study: Found | None) -> None:
    p, p_end = s.p_after(i)
    a._ratio(s.b, figure, p, study, p_end)


def _time_pair(s: _Sentence, i: int, figure: Figure, study: Found | None) -> None:
    a._time_pair(s.b, figure, s.p_after(i)[0], study)


def _time(s: _Sentence, i: int, figure: Figure, study: Found | None) -> None:
    if s.names_endpoint:
        a._time(s.b, figure, study, s.times)


def _share(s: _Sentence, i: int, figure: Figure, study: Found | None) -> None:
    a._percent(s.b, figure, study, s.shares)


def _rate(s: _Sentence, i: int, figure: Figure, study: Found | None) -> None:
    outcomes.rate(s.b, figure, s.p_after(i)[0], study)


def _not_reached(s: _Sentence, i: int, figure: Figure, study: Found | None) -> None:
    if s.names_endpoint and not outcomes.not_reached_in_every_arm(s.b, figure, study):
        a._time(s.b, figure, study, [figure])


def _count(s: _Sentence, i: int, figure: Figure, study: Found | None) -> None:
    a._count(s.b, figure, study)


def _dose(s: _Sentence, i: int, figure: Figure, study: Found | None) -> None:
    a._dose(s.b, figure, study)


def _duration(s: _Sentence, i: int, figure: Figure, study: Found | None) -> None:
    data = cast(DurationData, figure.data)
    drug = s.b.terms.nearest("drug", figure.end)
    s.b.add(figure, {"kind": "duration", "study": study.term.id if study else None, "value": data["value"],
                     "unit": data["unit"], "activity": data["activity"],
                     "drug": drug.term.id if drug and drug.in_sentence else None}, [study])


def _cutoff(s: _Sentence, i: int, figure: Figure, study: Found | None) -> None:
    s.b.add(figure, {"kind": "statement", "role": "design", "study": study.term.id if study else None,
                     "date": cast(CutoffData, figure.data)["date"]}, [study])


def _grades(s: _Sentence, i: int, figure: Figure, study: Found | None) -> None:
    """A graded adverse event a sentence says is more frequent (grades of a ratio or share go onto it)."""
    if any(f.kind in ("ratio", "percent") for f in s.figures):
        return
    ae = s.b.terms.nearest("adverse_event", figure.end)
    if ae is not None and ae.in_sentence:
        a._comparison(s.b, figure, None, Found(Term("endpoint", "ae-incidence", "adverse events"), True),
                      s.b.terms.arms_in_order(figure.start), study, ae, cast(GradesData, figure.data)["grades"])


def _allocation(s: _Sentence, i: int, figure: Figure, study: Found | None) -> None:
    s.b.add(figure, {"kind": "statement", "role": "design", "study": study.term.id if study else None,
                     "note": f"allocation ratio {cast(AllocationData, figure.data)['ratio']}"}, [study])


def _p(s: _Sentence, i: int, figure: Figure, study: Found | None) -> None:
    """Drafted after the others (:func:`draft`): only a p-value no estimate claimed."""


HANDLERS: dict[str, Handler] = {
    "ratio": _ratio, "p": _p, "cutoff": _cutoff, "dose": _dose, "duration": _duration, "events": _share,
    "received": _count, "rate": _rate, "time_pair": _time_pair, "grades": _grades, "count": _count,
    "assigned": _count, "n": _count, "not_reached": _not_reached, "time": _time, "percent": _share,
    "allocation": _allocation,
}
"""How each figure kind drafts (every kind of :data:`kg.drafting.figuredata.PRIORITY` has one)."""


def draft(b: a._Builder, figures: list[Figure]) -> list[a.Drafted]:
    """The draft findings of the sentence ``b`` reads, from its figures."""
    s = _Sentence(b, figures)
    for i, figure in enumerate(figures):
        HANDLERS[figure.kind](s, i, figure, b.terms.study(figure.start, figure.end))
    for i, figure in enumerate(figures):
        if figure.kind == "p" and i not in s.used:
            endpoint, ae = b.endpoint(figure.start)
            a._comparison(b, figure, cast(PData, figure.data)["p"], endpoint, b.terms.arms_in_order(figure.start),
                          b.terms.study(figure.start, figure.end), ae)
    outcomes.grades_onto(figures, b.out)
    return b.out
