"""Draft one sentence: each figure is drafted by its construction's handler (the ``draft_*`` functions
here, named in the records of :data:`kg.drafting.constructions.CONSTRUCTIONS`), and a p-value no
estimate claims becomes a comparison. The entry point is :func:`kg.drafting.assemble.draft_sentence`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import cast

from kg.drafting import assemble as a
from kg.drafting import outcomes
from kg.drafting.attach import Found
from kg.drafting.figuredata import AllocationData, CutoffData, DurationData, Figure, GradesData, PData
from kg.drafting.lexicon import Term

__all__ = ["Sentence", "draft", "draft_allocation", "draft_count", "draft_cutoff", "draft_dose", "draft_duration",
           "draft_grades", "draft_not_reached", "draft_p", "draft_rate", "draft_ratio", "draft_share", "draft_time",
           "draft_time_pair"]


@dataclass
class Sentence:
    """A sentence being drafted: its builder, its figures and the p-values already claimed."""

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
            if self.figures[j].construction.claims_p:  # a p-value after another estimate is that one's
                return None, None
        return None, None


def draft_ratio(s: Sentence, i: int, figure: Figure, study: Found | None) -> None:
    p, p_end = s.p_after(i)
    a._ratio(s.b, figure, p, study, p_end)


def draft_time_pair(s: Sentence, i: int, figure: Figure, study: Found | None) -> None:
    a._time_pair(s.b, figure, s.p_after(i)[0], study)


def draft_time(s: Sentence, i: int, figure: Figure, study: Found | None) -> None:
    if s.names_endpoint:
        a._time(s.b, figure, study, s.times)


def draft_share(s: Sentence, i: int, figure: Figure, study: Found | None) -> None:
    a._percent(s.b, figure, study, s.shares)


def draft_rate(s: Sentence, i: int, figure: Figure, study: Found | None) -> None:
    outcomes.rate(s.b, figure, s.p_after(i)[0], study)


def draft_not_reached(s: Sentence, i: int, figure: Figure, study: Found | None) -> None:
    if s.names_endpoint and not outcomes.not_reached_in_every_arm(s.b, figure, study):
        a._time(s.b, figure, study, [figure])


def draft_count(s: Sentence, i: int, figure: Figure, study: Found | None) -> None:
    a._count(s.b, figure, study)


def draft_dose(s: Sentence, i: int, figure: Figure, study: Found | None) -> None:
    a._dose(s.b, figure, study)


def draft_duration(s: Sentence, i: int, figure: Figure, study: Found | None) -> None:
    data = cast(DurationData, figure.data)
    drug = s.b.terms.nearest("drug", figure.end)
    s.b.add(figure, {"kind": "duration", "study": study.term.id if study else None, "value": data["value"],
                     "unit": data["unit"], "activity": data["activity"],
                     "drug": drug.term.id if drug and drug.in_sentence else None}, [study])


def draft_cutoff(s: Sentence, i: int, figure: Figure, study: Found | None) -> None:
    s.b.add(figure, {"kind": "statement", "role": "design", "study": study.term.id if study else None,
                     "date": cast(CutoffData, figure.data)["date"]}, [study])


def draft_grades(s: Sentence, i: int, figure: Figure, study: Found | None) -> None:
    """A graded adverse event a sentence says is more frequent (grades of a ratio or share go onto it)."""
    if any(f.kind in ("ratio", "percent") for f in s.figures):
        return
    ae = s.b.terms.nearest("adverse_event", figure.end)
    if ae is not None and ae.in_sentence:
        a._comparison(s.b, figure, None, Found(Term("endpoint", "ae-incidence", "adverse events"), True),
                      s.b.terms.arms_in_order(figure.start), study, ae, cast(GradesData, figure.data)["grades"])


def draft_allocation(s: Sentence, i: int, figure: Figure, study: Found | None) -> None:
    s.b.add(figure, {"kind": "statement", "role": "design", "study": study.term.id if study else None,
                     "note": f"allocation ratio {cast(AllocationData, figure.data)['ratio']}"}, [study])


def draft_p(s: Sentence, i: int, figure: Figure, study: Found | None) -> None:
    """Drafted after the others (:func:`draft`): only a p-value no estimate claimed."""


def draft(b: a._Builder, figures: list[Figure]) -> list[a.Drafted]:
    """The draft findings of the sentence ``b`` reads, from its figures."""
    s = Sentence(b, figures)
    for i, figure in enumerate(figures):
        figure.construction.handler(s, i, figure, b.terms.study(figure.start, figure.end))
    for i, figure in enumerate(figures):
        if figure.kind == "p" and i not in s.used:
            endpoint, ae = b.endpoint(figure.start)
            a._comparison(b, figure, cast(PData, figure.data)["p"], endpoint, b.terms.arms_in_order(figure.start),
                          b.terms.study(figure.start, figure.end), ae)
    outcomes.grades_onto(figures, b.out)
    return b.out
