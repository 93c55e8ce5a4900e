"""Findings of constructions (:mod:`kg.drafting.constructions`) that the schema has no kind for.

An incidence rate per patient-years ("3.1 vs 1.2 per 100 patient-years") is drafted as a comparison
whose direction follows the rates (more of an adverse outcome with the intervention is harm), the
rates kept in its note for the curator; the schema's proportions are percentages, so a rate is never
drafted as one.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import TYPE_CHECKING, cast

from kg.drafting.attach import Found
from kg.drafting.figuredata import Figure, GradesData, RateData
from kg.drafting.lexicon import Term

if TYPE_CHECKING:
    from kg.drafting.assemble import Drafted, _Builder

__all__ = ["SIGNIFICANCE", "ends_of_values", "grades_onto", "not_reached_in_every_arm", "p_significant", "rate",
           "ratio_direction"]


def ratio_direction(estimate: Decimal, ci: tuple[Decimal, Decimal] | None, significant: bool | None) -> str | None:
    """A hazard or risk ratio's direction: below 1 (fewer events of what is measured, progression, death or
    an adverse event, with the intervention) is benefit, above 1 harm; an interval across 1 no difference.

    >>> ratio_direction(Decimal("0.62"), (Decimal("0.57"), Decimal("0.67")), None)
    'benefit'
    >>> ratio_direction(Decimal("2.52"), (Decimal("1.41"), Decimal("4.52")), None)
    'harm'
    >>> ratio_direction(Decimal("0.93"), (Decimal("0.85"), Decimal("1.01")), None)
    'no_difference'
    """
    if ci is not None:
        if ci[1] < 1:
            return "benefit"
        if ci[0] > 1:
            return "harm"
        return "no_difference"
    if significant is None:
        return None
    if not significant:
        return "no_difference"
    return "benefit" if estimate < 1 else "harm" if estimate > 1 else None


SIGNIFICANCE = Decimal("0.05")


def p_significant(p: str) -> bool | None:
    """Whether a p-value as stated (``<0.001``, ``=0.082``, ``>0.05``) is below 0.05 (None: cannot tell)."""
    comparator, value = p[:-len(p.lstrip("<>="))] or "=", Decimal(p.lstrip("<>="))
    if comparator.startswith("<"):
        return value <= SIGNIFICANCE
    return value < SIGNIFICANCE if comparator == "=" else None


_EVERY_ARM = re.compile(r"\b(?:either|both|neither|all|any)\s+(?:of\s+the\s+)?(?:arms?|groups?|cohorts?)\b",
                        re.IGNORECASE)


def not_reached_in_every_arm(b: _Builder, figure: Figure, study: Found | None) -> bool:
    """"Median OS was not reached in either arm": a median not reached for each arm; whether it was said."""
    from kg.drafting.assemble import _regimen_fields

    if not _EVERY_ARM.search(b.s, figure.start):
        return False
    endpoint = b.terms.nearest("endpoint", figure.start)
    arms: list[Term | None] = [*b.terms.arms_in_order(figure.start)[:2]] or [None]
    for arm in arms:
        regimen = Found(arm, bool(b.terms.regimens)) if arm is not None else None
        b.add(figure, {"kind": "median", "study": study.term.id if study else None,
                       "endpoint": endpoint.term.id if endpoint else None, "not_reached": True, "unit": "month",
                       **_regimen_fields(study, regimen)}, [endpoint, regimen, study])
    return True


def rate(b: _Builder, figure: Figure, p: str | None, study: Found | None) -> None:
    """A comparison of two incidence rates (one rate alone is kept only as a note on nothing: not drafted)."""
    from kg.drafting.assemble import _comparison

    data = cast(RateData, figure.data)
    values = data["values"]
    if len(values) != 2:
        return
    endpoint, ae = b.endpoint(figure.start)
    arms = b.terms.arms_in_order(figure.start)
    note = f"incidence {values[0]} vs {values[1]} per {data['per']}" + ("" if p else "; no p-value stated")
    _comparison(b, figure, p, endpoint, arms, study, ae, higher_first=values[0] > values[1], note=note)


def ends_of_values(sentence: str, figure: Figure, count: int) -> list[int]:
    ends = [m.end() for m in re.finditer(r"\d(?:[\d.,]*\d)?\s*(?:%|months?|years?|weeks?|days?)?|"
                                         r"not\s+(?:yet\s+)?(?:been\s+)?reached|not\s+estimable|\bN[RE]\b",
                                         sentence[figure.start:figure.end])]
    return [figure.start + e for e in ends[-count:]] if len(ends) >= count else [figure.end] * count


def grades_onto(figures: list[Figure], drafted: list[Drafted]) -> None:
    """A ratio or proportion about a graded adverse event carries its grades."""
    for figure in figures:
        if figure.kind != "grades":
            continue
        for d in drafted:
            if d.fields["kind"] in ("hazard_ratio", "risk_ratio", "proportion") and "adverse_event" in d.fields \
                    and figure.end <= d.start:
                grades = cast(GradesData, figure.data)
                d.fields.setdefault("grades", grades["grades"])
                note = d.fields.get("note")
                if grades["note"] and grades["note"] not in (note or ""):  # beside a note already there
                    d.fields["note"] = f"{note}; {grades['note']}" if note else grades["note"]
