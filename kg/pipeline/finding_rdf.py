"""Findings to RDF: what every finding says, then one entry per kind for its class and figures.

:data:`KINDS` maps each finding model of the schema to its RDF: the class, the figures, and the
short ``mmkg:statedAs`` text. A test checks that every model in
:data:`kg.curation.findings.FINDING_MODELS` has its entry, so a new kind cannot be half-added.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, PROV, RDF, RDFS, SKOS, XSD

from kg.curation.findings import (
    ApprovalFinding,
    ComparisonFinding,
    CountFinding,
    DoseFinding,
    DurationFinding,
    FindingBase,
    MedianFinding,
    ProportionFinding,
    RankingFinding,
    RatioFinding,
    StatementFinding,
)
from kg.curation.texts import parse_locator
from kg.namespaces import MMKG, RES
from kg.pipeline.flag_rdf import add_flag
from kg.pipeline.literals import decimal, english, ids, integer, unit

__all__ = ["COUNT_KINDS", "KINDS", "KindRdf", "add_finding"]

_DIRECTIONS = {"benefit": MMKG.Benefit, "no_difference": MMKG.NoDifference, "harm": MMKG.Harm,
               "absent": MMKG.Absent}
COUNT_KINDS = {"patients_randomised": MMKG.PatientsRandomised,
               "patients_in_safety_population": MMKG.PatientsInSafetyPopulation,
               "patients_received_allocated": MMKG.PatientsReceivedAllocated, "patients": MMKG.Patients,
               "studies": MMKG.Studies, "regimens": MMKG.Regimens, "randomisation_stages": MMKG.RandomisationStages}
# The property each curator-inferred field name stands for.
_FIELD_PROPERTIES = {"comparator": MMKG.comparator, "intervention": MMKG.intervention, "population": MMKG.population,
                     "study": MMKG.fromStudy, "endpoint": MMKG.endpoint, "regimen": MMKG.aboutRegimen}
_STATEMENT_CLASSES = {
    "background": MMKG.BackgroundStatement,
    "conclusion": MMKG.Conclusion,
    "consistency": MMKG.ConsistencyStatement,
    "mechanism": MMKG.MechanismStatement,
    "design": MMKG.DesignStatement,
    "hypothesis": MMKG.Hypothesis,
}
# Fields every finding may have that name one entry each (or a list), and the property they become.
_LINKS = {
    "study": MMKG.fromStudy, "population": MMKG.population, "regimen": MMKG.aboutRegimen,
    "endpoint": MMKG.endpoint, "intervention": MMKG.intervention, "comparator": MMKG.comparator,
    "arm": MMKG.arm, "drug": MMKG.aboutDrug, "adverse_event": MMKG.adverseEvent,
    "main_adverse_event": MMKG.singledOutAdverseEvent, "supported_by": MMKG.supportedBy,
    "corroborates": MMKG.corroborates, "restates": MMKG.restates,
}


@dataclass(frozen=True)
class KindRdf:
    """The RDF of one kind of finding."""

    rdf_class: Callable[[Any], URIRef]
    figures: Callable[[Graph, URIRef, Any], None]
    stated_as: Callable[[Any], str | None]


F = TypeVar("F", bound=FindingBase)


def _kind(model: type[F], rdf_class: Callable[[F], URIRef], figures: Callable[[Graph, URIRef, F], None],
          stated_as: Callable[[F], str | None]) -> tuple[type[FindingBase], KindRdf]:
    return model, KindRdf(rdf_class, figures, stated_as)


def _p_text(finding: FindingBase) -> str | None:
    return f"p{finding.p.strip()}" if finding.p else None


def _no_figures(g: Graph, node: URIRef, finding: FindingBase) -> None:
    return None


def _ratio_figures(g: Graph, node: URIRef, finding: RatioFinding) -> None:
    g.add((node, MMKG.estimate, decimal(finding.estimate)))
    if finding.ci is not None and finding.ci_level is not None:
        g.add((node, MMKG.ciLower, decimal(finding.ci[0])))
        g.add((node, MMKG.ciUpper, decimal(finding.ci[1])))
        g.add((node, MMKG.ciLevel, decimal(finding.ci_level / 100)))


def _ratio_stated(finding: RatioFinding) -> str:
    name = "HR" if finding.kind == "hazard_ratio" else "RR"
    ci = f" ({finding.ci_level}% CI {finding.ci[0]}-{finding.ci[1]})" if finding.ci else ""
    p = f"; p{finding.p.strip()}" if finding.p else ""
    return f"{name} {finding.estimate}{ci}{p}"


def _median_figures(g: Graph, node: URIRef, finding: MedianFinding) -> None:
    g.add((node, MMKG.unit, unit(finding.unit)))
    if finding.value is not None:
        g.add((node, MMKG.value, decimal(finding.value)))
    elif finding.range is not None:
        g.add((node, MMKG.valueMin, decimal(finding.range[0])))
        g.add((node, MMKG.valueMax, decimal(finding.range[1])))
    elif finding.not_reached:
        g.add((node, MMKG.medianNotReached, Literal(True)))


def _median_stated(finding: MedianFinding) -> str:
    if finding.not_reached:
        return "median not reached"
    value = f"{finding.value}" if finding.range is None else f"{finding.range[0]}-{finding.range[1]}"
    return f"median {value} {finding.unit}s"


def _proportion_figures(g: Graph, node: URIRef, finding: ProportionFinding) -> None:
    g.add((node, MMKG.value, decimal(finding.value)))
    g.add((node, MMKG.unit, unit("percent")))
    if finding.timepoint:
        g.add((node, MMKG.timepoint, Literal(finding.timepoint)))


def _count_figures(g: Graph, node: URIRef, finding: CountFinding) -> None:
    g.add((node, MMKG.value, decimal(finding.value)))
    g.add((node, MMKG.countKind, COUNT_KINDS[finding.counts]))
    if finding.of_total is not None:
        g.add((node, MMKG.ofTotal, integer(finding.of_total)))


def _count_stated(finding: CountFinding) -> str:
    total = f" of {finding.of_total}" if finding.of_total is not None else ""
    return f"{finding.value}{total} {finding.counts.replace('_', ' ')}"


def _dose_figures(g: Graph, node: URIRef, finding: DoseFinding) -> None:
    g.add((node, MMKG.value, decimal(finding.value)))
    g.add((node, MMKG.unit, unit(finding.unit)))
    g.add((node, MMKG.schedule, Literal(finding.schedule)))
    if finding.route:
        g.add((node, MMKG.route, Literal(finding.route)))


def _duration_figures(g: Graph, node: URIRef, finding: DurationFinding) -> None:
    g.add((node, MMKG.value, decimal(finding.value)))
    g.add((node, MMKG.unit, unit(finding.unit)))
    g.add((node, MMKG.activity, Literal(finding.activity)))


def _statement_figures(g: Graph, node: URIRef, finding: StatementFinding) -> None:
    if finding.date:
        g.add((node, MMKG.date, Literal(finding.date, datatype=XSD.date)))


def _ranking_figures(g: Graph, node: URIRef, finding: RankingFinding) -> None:
    g.add((node, MMKG.rank, integer(finding.rank)))


def _approval_figures(g: Graph, node: URIRef, finding: ApprovalFinding) -> None:
    g.add((node, MMKG.agency, RES[finding.agency]))
    g.add((node, MMKG.indication, Literal(finding.indication)))


KINDS: dict[type[FindingBase], KindRdf] = dict([
    _kind(RatioFinding,
          lambda f: MMKG.HazardRatioEstimate if f.kind == "hazard_ratio" else MMKG.RiskRatioEstimate,
          _ratio_figures, _ratio_stated),
    _kind(MedianFinding, lambda f: MMKG.ArmMedian, _median_figures, _median_stated),
    _kind(ProportionFinding, lambda f: MMKG.Proportion, _proportion_figures, lambda f: f"{f.value}%"),
    _kind(CountFinding, lambda f: MMKG.Count, _count_figures, _count_stated),
    _kind(DoseFinding, lambda f: MMKG.DoseSchedule, _dose_figures,
          lambda f: f"{f.value} {f.unit}, {f.schedule}"),
    _kind(DurationFinding, lambda f: MMKG.Duration, _duration_figures, lambda f: f"{f.value} {f.unit}s"),
    _kind(ComparisonFinding, lambda f: MMKG.ComparativeResult, _no_figures, _p_text),
    _kind(StatementFinding, lambda f: _STATEMENT_CLASSES[f.role], _statement_figures, _p_text),
    _kind(RankingFinding, lambda f: MMKG.Ranking, _ranking_figures, _p_text),
    _kind(ApprovalFinding, lambda f: MMKG.RegulatoryApproval, _approval_figures, _p_text),
])


def add_finding(g: Graph, source_id: str, finding: FindingBase, label: str) -> URIRef:
    """Add one finding to ``g``: what every finding says, then its kind's class and figures.

    ``label`` is its readable name (:class:`kg.pipeline.finding_labels.FindingNamer`).
    """
    kind = KINDS[type(finding)]
    node = RES[finding.id]
    g.add((node, RDF.type, kind.rdf_class(finding)))
    if finding.conclusion:
        g.add((node, RDF.type, MMKG.Conclusion))
    g.add((node, RDF.type, OWL.NamedIndividual))
    g.add((node, RDFS.label, english(label)))
    g.add((node, RDFS.comment, english(finding.statement)))
    g.add((node, MMKG.fromSource, RES[source_id]))
    g.add((node, PROV.wasDerivedFrom, RES[source_id]))
    locator = parse_locator(finding.at)
    g.add((node, MMKG.locator, Literal(str(locator))))
    if locator.table is None:  # a table cell's locator (tN.rM.cK) has no paragraph
        g.add((node, MMKG.paragraph, integer(locator.paragraph)))
    for sentence in locator.sentences:
        g.add((node, MMKG.sentence, integer(sentence)))
    if finding.implied:
        g.add((node, MMKG.isImplied, Literal(True)))
        g.add((node, MMKG.statedAs, Literal("implied")))
    elif (stated := kind.stated_as(finding)) is not None:
        g.add((node, MMKG.statedAs, Literal(stated)))
    for field_name, predicate in _LINKS.items():
        for target in ids(cast("str | list[str] | None", getattr(finding, field_name))):
            g.add((node, predicate, RES[target]))
    if finding.grades:
        g.add((node, MMKG.gradeMin, integer(min(finding.grades))))
        g.add((node, MMKG.gradeMax, integer(max(finding.grades))))
    if finding.direction:
        g.add((node, MMKG.direction, _DIRECTIONS[finding.direction]))
    if finding.significant is not None:
        g.add((node, MMKG.isSignificant, Literal(finding.significant)))
        g.add((node, MMKG.significanceBasis, MMKG.SignificanceAsReported))
    if (parts := finding.p_parts()) is not None:
        g.add((node, MMKG.pValueComparator, Literal(parts[0])))
        g.add((node, MMKG.pValue, decimal(parts[1])))
    _links_and_flags(g, node, finding)
    if finding.note:
        g.add((node, SKOS.note, english(finding.note)))
    if finding.status == "draft":
        g.add((node, MMKG.curationStatus, Literal("draft")))
    if finding.confidence is not None:
        g.add((node, MMKG.draftConfidence, decimal(finding.confidence)))
    kind.figures(g, node, finding)
    return node


def _links_and_flags(g: Graph, node: URIRef, finding: FindingBase) -> None:
    """Discrepancies, curator inferences and the curator's own flags, each also as a ``mmkg:flag``."""
    for disc in finding.discrepant_with:
        g.add((node, MMKG.discrepantWith, RES[disc.finding]))
        g.add((node, MMKG.discrepancyNote, english(disc.note)))
        add_flag(g, node, disc.flag, disc.note, RES[disc.finding])
    for pub in finding.discrepant_with_publication:
        g.add((node, MMKG.discrepantWithPublication, RES[pub.publication]))
        g.add((node, MMKG.discrepancyNote, english(pub.note)))
        add_flag(g, node, "discrepant_with_publication", pub.note, RES[pub.publication])
    for name in finding.inferred:
        note = f"The {name} is the curator's inference; the source does not name it."
        g.add((node, MMKG.inferredByCurator, _FIELD_PROPERTIES[name]))
        g.add((node, SKOS.editorialNote, english(note)))
        add_flag(g, node, "inferred_by_curator", note, _FIELD_PROPERTIES[name])
    for flag in finding.flags:
        add_flag(g, node, flag.kind, flag.note)
