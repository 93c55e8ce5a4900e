"""The evidence parts of entity pages: a finding's summary card, the findings table of a drug,
regimen, trial or endpoint (with how each finding concerns it), and a trial's summary."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from kg.evidence.figures import Mark, figures_text, mark
from kg.evidence.gather import Finding, Link
from kg.evidence.index import Concerning
from web.forest_rows import outcome_of

__all__ = ["EvidenceRow", "EvidenceTable", "FindingCard", "TrialSummary", "evidence_table", "finding_card",
           "trial_summary"]

TABLE_LIMIT = 100
"""Rows of an entity page's evidence table; beyond them the page links to a query for all."""
_RESULT_KINDS = ("HazardRatioEstimate", "RiskRatioEstimate", "ComparativeResult", "Conclusion")


@dataclass(frozen=True)
class FindingCard:
    """What a finding page opens with."""

    finding: Finding
    figures: str
    mark: Mark
    significance: str  # in words, with whether it is reported or classified
    source_name: str
    corroborating: list[Finding]
    discrepant: list[Finding]
    supporting: list[Finding]
    supports: list[Finding]


def _significance(f: Finding) -> str:
    if f.significant is None:
        return "not stated" if not f.is_ratio else "unknown (no interval)"
    verdict = "significant" if f.significant else "not significant"
    if f.basis == "SignificanceFromInterval":
        level = f"{(f.level or 0.95) * 100:g}%"
        side = "excludes" if f.significant else "includes"
        return f"{verdict}: classified from the interval (the {level} CI {side} 1); the source does not say"
    return f"{verdict}, as the source reports it"


def finding_card(f: Finding, by_iri: Mapping[str, Finding], supports: list[Finding],
                 source_name: str) -> FindingCard:
    """The summary card of a finding page; ``by_iri`` holds every finding, ``supports`` those ``f`` supports."""
    return FindingCard(
        finding=f, figures=figures_text(f), mark=mark(f), significance=_significance(f), source_name=source_name,
        corroborating=[by_iri[i] for i in sorted(f.corroborates) if i in by_iri],
        discrepant=[by_iri[i] for i in sorted(f.discrepant_with) if i in by_iri],
        supporting=[by_iri[i] for i in sorted(f.supported_by) if i in by_iri],
        supports=supports)


@dataclass(frozen=True)
class EvidenceRow:
    finding: Finding
    outcome: str
    figures: str
    mark: Mark
    via: str | None


@dataclass
class EvidenceTable:
    """The findings concerning an entity, with the columns that have something to show."""

    rows: list[EvidenceRow]
    total: int
    columns: set[str] = field(default_factory=set)  # study, statement, figures, population, via


def evidence_table(concerning: list[Concerning]) -> EvidenceTable:
    rows = [EvidenceRow(c.finding, outcome_of(c.finding), figures_text(c.finding), mark(c.finding), c.via)
            for c in concerning[:TABLE_LIMIT]]
    columns = set()
    for name, present in (("study", any(r.finding.studies for r in rows)),
                          ("statement", any(r.finding.statement for r in rows)),
                          ("figures", any(r.figures or r.mark.text for r in rows)),
                          ("population", any(r.finding.populations for r in rows)),
                          ("via", any(r.via for r in rows))):
        if present:
            columns.add(name)
    return EvidenceTable(rows, len(concerning), columns)


@dataclass(frozen=True)
class ArmSize:
    regimen: str
    randomised: int | None
    received: str | None


@dataclass
class TrialSummary:
    """What a trial page opens with: design, patients per arm, endpoints and main results."""

    design: list[str]
    total: int | None
    arms: list[ArmSize]
    endpoints: list[Link]
    results: list[Finding]


def trial_summary(study_types: set[str], concerning: list[Concerning]) -> TrialSummary | None:
    """A summary for a study page (None when the entity is not a study or has nothing to summarise)."""
    if not study_types:
        return None
    direct = [c.finding for c in concerning if c.via is None]
    total = None
    arms: dict[str, ArmSize] = {}
    for f in direct:
        if f.kind != "Count" or f.value is None:
            continue
        if f.arm_regimen is None and f.count_kind in ("PatientsRandomised", "Patients") and total is None:
            total = int(f.value)
        elif f.arm_regimen is not None:
            old = arms.get(f.arm_regimen.iri, ArmSize(f.arm_regimen.label, None, None))
            if f.count_kind == "PatientsRandomised":
                arms[f.arm_regimen.iri] = ArmSize(old.regimen, int(f.value), old.received)
            elif f.count_kind == "PatientsReceivedAllocated":
                received = f"{int(f.value)}" + (f" of {f.of_total}" if f.of_total is not None else "")
                arms[f.arm_regimen.iri] = ArmSize(old.regimen, old.randomised, received)
    endpoints: dict[str, Link] = {}
    for f in direct:
        if f.endpoint is not None and f.kind in _RESULT_KINDS:
            endpoints.setdefault(f.endpoint.iri, f.endpoint)
    results = [c.finding for c in concerning if c.finding.kind in _RESULT_KINDS
               and (c.finding.endpoint is not None or c.finding.adverse_event is not None)]
    if not (total or arms or results):
        return None
    from web.render import humanise

    design = [humanise(t) for t in sorted(study_types) if t not in ("Study", "ClinicalTrial")]
    return TrialSummary(design, total, list(arms.values()), list(endpoints.values()), results[:12])
