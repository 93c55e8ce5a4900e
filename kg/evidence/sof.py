"""Summary-of-findings tables (Cochrane Handbook, chapter 14): for each regimen against its
comparator, one row per outcome (and population, for a subgroup).

The columns are the Handbook's: the outcome; the relative effect with its 95 % CI; the number of
participants (studies); follow-up; the certainty of the evidence ("not assessed" until a curator
grades it); comments; and the sources, in words, with where each states the result. Several
estimates for one outcome (two analyses of overlapping trials) stay side by side in one row, never
combined, and the comment says so. Comparisons stated without an estimate ("improved PFS") appear
with their direction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from kg.evidence.figures import figures_text, mark, number
from kg.evidence.gather import Finding, Link
from kg.evidence.meta import Row
from kg.evidence.trials import Trial

__all__ = ["CERTAINTY_NOT_ASSESSED", "SOF_COLUMNS", "SofRow", "SofTable", "sof_csv_rows", "summary_of_findings"]

CERTAINTY_NOT_ASSESSED = "not assessed"
SOF_COLUMNS = ("intervention", "comparator", "outcome", "population", "relative_effect", "participants",
               "follow_up", "certainty", "comments", "sources", "findings")
_KINDS = {"HazardRatioEstimate", "RiskRatioEstimate", "ComparativeResult"}


@dataclass
class SofRow:
    """One outcome of a comparison."""

    outcome: str
    population: str | None
    findings: list[Finding] = field(default_factory=list)
    effects: list[str] = field(default_factory=list)
    participants: list[str] = field(default_factory=list)
    follow_up: list[str] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    certainty: str = CERTAINTY_NOT_ASSESSED
    adverse: bool = False


@dataclass
class SofTable:
    """One comparison: a regimen against its comparator."""

    intervention: Link
    comparator: Link
    rows: list[SofRow] = field(default_factory=list)

    @property
    def drugs(self) -> set[str]:
        return {d.iri for row in self.rows for f in row.findings for d in f.drugs}


def _outcome(f: Finding) -> str:
    if f.adverse_event is not None:
        grades = f" (grade {f.grades[0]}-{f.grades[1]})" if f.grades else ""
        return f"{f.adverse_event.label}{grades}"
    return f.endpoint.label if f.endpoint else "outcome not stated"


def _effect(f: Finding) -> str:
    if f.is_ratio:
        ci = f" ({number(f.lower)} to {number(f.upper)})" if f.lower is not None and f.upper is not None else ""
        return f"{f.measure} {number(f.estimate)}{ci}"
    text = mark(f).text or "no estimate"
    return f"{text} (no estimate stated){', ' + figures_text(f) if figures_text(f) else ''}"


def _participants(trial: Trial | None, label: str) -> str:
    if trial is None:
        return f"not reported ({label})"
    n = f"{trial.participants:,}" if trial.participants is not None else "not reported"
    if not trial.is_synthesis:
        return f"{n} (1 trial; {trial.short})"
    studies = f"{trial.studies} studies" if trial.studies is not None else "studies not stated"
    return f"{n} in the whole analysis ({studies}; {trial.short})"


def summary_of_findings(findings: Sequence[Finding], trials: dict[str, Trial],
                        source_names: dict[str, str]) -> list[SofTable]:
    """The tables, one per (regimen, comparator), outcomes in the order PFS, OS, others, adverse events."""
    tables: dict[tuple[str, str], SofTable] = {}
    rows: dict[tuple[str, str, str, str | None], SofRow] = {}
    for f in findings:
        if f.kind not in _KINDS or f.intervention is None or f.comparator is None or f.draft:
            continue
        table = tables.setdefault((f.intervention.iri, f.comparator.iri), SofTable(f.intervention, f.comparator))
        population = f.population_label if f.subgroup else None
        key = (f.intervention.iri, f.comparator.iri, _outcome(f), population)
        if key not in rows:
            rows[key] = SofRow(_outcome(f), population, adverse=f.adverse_event is not None)
            table.rows.append(rows[key])
        _add(rows[key], f, trials, source_names)
    for table in tables.values():
        for row in table.rows:
            _finish(row)
        table.rows.sort(key=_row_order)
    return sorted(tables.values(), key=lambda t: (-len(t.rows), t.intervention.label.lower(), t.comparator.label))


def _add(row: SofRow, f: Finding, trials: dict[str, Trial], names: dict[str, str]) -> None:
    row.findings.append(f)
    row.effects.append(_effect(f))
    for link in f.trials or [Link("", f.study_label or f.source, f.study_label or f.source)]:
        trial = trials.get(link.iri)
        text = _participants(trial, link.short)
        if text not in row.participants:
            row.participants.append(text)
        if trial is not None and trial.follow_up and trial.follow_up not in row.follow_up:
            row.follow_up.append(trial.follow_up)
    significance = mark(f)
    if significance.text and f.is_ratio:
        basis = "as reported" if f.basis == "SignificanceAsReported" else "from the interval"
        row.comments.append(f"{_effect(f)}: {significance.text} ({basis})")
    for kind, note in f.flags:
        row.comments.append(f"{kind}: {note}")
    row.sources.append(f"{names.get(f.source, f.source)}, {f.locator}")


def _finish(row: SofRow) -> None:
    ratios = [f for f in row.findings if f.is_ratio]
    if len({t.iri for f in ratios for t in f.trials}) > 1:
        row.comments.insert(0, "Estimates from different analyses whose trials may overlap: read side by side, "
                               "do not combine.")
    row.comments = list(dict.fromkeys(row.comments))
    if not row.follow_up:
        row.follow_up.append("not reported")


def _row_order(row: SofRow) -> tuple[int, str, str]:
    first = {"progression-free survival": 0, "overall survival": 1}
    return (first.get(row.outcome, 3 if row.adverse else 2), row.outcome, row.population or "")


def sof_csv_rows(tables: Sequence[SofTable]) -> list[Row]:
    """One CSV row per table row; list cells joined with " | "."""
    return [{"intervention": t.intervention.label, "comparator": t.comparator.label, "outcome": r.outcome,
             "population": r.population, "relative_effect": " | ".join(r.effects),
             "participants": " | ".join(r.participants), "follow_up": " | ".join(r.follow_up),
             "certainty": r.certainty, "comments": " | ".join(r.comments), "sources": " | ".join(r.sources),
             "findings": " ".join(f.iri for f in r.findings)} for t in tables for r in t.rows]
