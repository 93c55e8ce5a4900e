"""Forest-plot rows from findings: the comparison, then endpoint (or adverse event), study and source."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import pyoxigraph as ox

from kg.evidence.gather import Finding
from kg.query.store import QueryResult, Term
from web.forest import ForestRow
from web.iris import local_path

__all__ = ["forest_rows", "outcome_of", "result_forest_rows"]

_ESTIMATE = ("estimate", "hr", "rr", "or", "ratio")
_LOWER = ("ciLower", "lower", "ci_lower", "low")
_UPPER = ("ciUpper", "upper", "ci_upper", "high")


def outcome_of(f: Finding) -> str:
    """What a finding measures, shortly: 'PFS', or 'grade 3–4 thromboembolism'."""
    if f.adverse_event is not None:
        grade = f"grade {f.grades[0]}–{f.grades[1]} " if f.grades and f.grades[0] != f.grades[1] else \
            f"grade {f.grades[0]} " if f.grades else ""
        return f"{grade}{f.adverse_event.short}"
    return f.endpoint.short if f.endpoint else ""


_WANTED = ("response", "remission", "mrd negativ")
"""Outcomes whose events patients want: a ratio above 1 favours the intervention."""


def forest_rows(findings: Iterable[Finding], names: Callable[[str], str] | None = None,
                patients: Callable[[Finding], str] | None = None,
                words: Callable[[str], str] | None = None) -> list[ForestRow]:
    """The ratio estimates with an interval among ``findings``, grouped by outcome, smallest first;
    ``names`` spells a source id as a reader cites it, ``patients`` gives the N behind a finding,
    ``words`` rewrites a study label with the trial's name."""
    rows = []
    for f in findings:
        if not f.is_ratio or f.estimate is None or f.lower is None or f.upper is None:
            continue
        intervention = f.intervention.label if f.intervention else "?"
        label = f"{intervention} vs {f.comparator.label}" if f.comparator else intervention
        n = patients(f) if patients else ""
        source = names(f.source) if names else f.source
        study = words(f.study_label) if words and f.study_label else f.study_label
        detail = " · ".join(x for x in (study, source, n) if x)
        outcome = outcome_of(f)
        rows.append(ForestRow(label[:1].upper() + label[1:], detail, f.estimate, f.lower, f.upper,
                              f.measure or "ratio", f.significant, local_path(f.iri), outcome,
                              f.adverse_event is not None or (f.direction == "Harm" and f.endpoint is None),
                              any(w in outcome.lower() for w in _WANTED), n))
    rows.sort(key=lambda r: (r.harm, r.outcome, r.estimate))
    return rows


def _number(term: Term | None) -> float | None:
    if not isinstance(term, ox.Literal):
        return None
    try:
        return float(term.value)
    except ValueError:
        return None


def result_forest_rows(result: QueryResult, labels: dict[str, str]) -> list[ForestRow]:
    """Forest rows from any SELECT result with an estimate and its interval (by column name), so a saved
    query that returns hazard ratios gets its plot. Empty when the columns are not there."""
    names = result.variables if result.kind == "select" else []
    pick = [next((n for n in names if n in group), None) for group in (_ESTIMATE, _LOWER, _UPPER)]
    if any(p is None for p in pick):
        return []
    est, low, high = (p for p in pick if p is not None)
    label_cols = [n for n in names if n.endswith("Label") and not n.startswith(("endpoint", "source"))]
    detail_cols = [n for n in names if n.startswith("endpoint") or n in ("source", "locator")]
    rows = []
    for row in result.rows:
        values = [_number(row.get(n)) for n in (est, low, high)]
        if any(v is None for v in values):
            continue
        estimate, lower, upper = (v or 0.0 for v in values)

        def text(name: str, row: dict[str, Term] = row) -> str:
            term = row.get(name)
            if term is None or isinstance(term, ox.Triple):
                return ""
            return labels.get(term.value, term.value.rsplit("/", 1)[-1]) if isinstance(term, ox.NamedNode) \
                else term.value

        label = " vs ".join(t for t in (text(n) for n in label_cols) if t) or text(names[0])
        detail = " · ".join(t for t in (text(n) for n in detail_cols) if t)
        finding = row.get("finding")
        significant = lower > 1 or upper < 1
        rows.append(ForestRow(label[:1].upper() + label[1:], detail, estimate, lower, upper, "HR" if est == "hr"
                              else "RR" if est == "rr" else "ratio", significant,
                              local_path(finding.value) if isinstance(finding, ox.NamedNode) else None))
    return rows
