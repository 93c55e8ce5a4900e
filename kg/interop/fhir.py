"""Ratio estimates as HL7 FHIR R5 ``Evidence`` resources (JSON), one Bundle for the whole graph.

Each hazard ratio or risk ratio becomes an ``Evidence`` with:

* ``statistic``: its type from the FHIR ``statistic-type`` code system (``C93150`` Hazard Ratio,
  ``C93152`` Relative Risk), the point estimate as ``quantity``, the confidence interval as an
  ``attributeEstimate`` (type ``C53324`` Confidence interval, ``level``, ``range``), the p-value as
  another (type ``C44185`` P-value, with its comparator), and the ``sampleSize`` the same study reports
  (patients randomised or analysed, number of studies);
* ``variableDefinition``: the population, the exposure (intervention), the reference exposure
  (comparator) and the measured variable (endpoint), each with the IRI of our entity and its label;
* ``relatedArtifact`` (R5's place for what ``relatesTo`` is elsewhere): the source document it was
  curated from (``derived-from``) and the studies (``cite-as``, with each study's label as the citation);
  ``url`` and ``identifier`` are our IRI of the finding.

:func:`evidence_bundle` gives plain dicts; ``tests/test_fhir.py`` validates them with ``fhir.resources``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from kg.evidence.gather import Finding, Link
from kg.namespaces import PREFIXES

__all__ = ["STATISTIC_TYPES", "SampleCounts", "evidence_bundle", "evidence_resource", "fhir_id"]

_STATISTIC = "http://terminology.hl7.org/CodeSystem/statistic-type"
_ATTRIBUTE = "http://terminology.hl7.org/CodeSystem/attribute-estimate-type"
_ROLE = "http://hl7.org/fhir/variable-role"
#: Our kinds of ratio estimate -> (code, display) in the FHIR statistic-type code system.
STATISTIC_TYPES = {"HazardRatioEstimate": ("C93150", "Hazard Ratio"),
                   "RiskRatioEstimate": ("C93152", "Relative Risk")}
_PATIENT_COUNTS = ("PatientsRandomised", "Patients", "PatientsReceivedAllocated", "PatientsInSafetyPopulation")
_COMPARATORS = {"lt": "<", "le": "<=", "gt": ">", "ge": ">=", "<": "<", "<=": "<=", ">": ">", ">=": ">=",
                "≤": "<=", "≥": ">="}


def fhir_id(finding: Finding) -> str:
    """A FHIR resource id (``[A-Za-z0-9\\-.]{1,64}``) from the finding's id."""
    cleaned = "".join(c if c.isalnum() or c in "-." else "-" for c in finding.id)
    return cleaned[-64:].strip("-.") or "finding"


def _concept(system: str, code: str, display: str) -> dict[str, Any]:
    return {"coding": [{"system": system, "code": code, "display": display}], "text": display}


def _variable(role: str, display: str, link: Link, note: str | None = None) -> dict[str, Any]:
    variable: dict[str, Any] = {
        "description": link.label,
        "variableRole": _concept(_ROLE, role, display),
        "observed": {"display": link.label, "identifier": {"system": PREFIXES["res"], "value": link.id}},
    }
    if note:
        variable["note"] = [{"text": note}]
    return variable


class SampleCounts:
    """The count findings a ratio's sample size is read from (whole-study counts with a value), by the studies
    they are about, in their order: a ratio looks its studies up instead of going through every count (4,000
    ratios × 1,000 counts at 1,000 sources was 2.9 s of the bundle's 3.2)."""

    def __init__(self, counts: Iterable[Finding]) -> None:
        self._counts = [c for c in counts if c.count_kind and c.arm_regimen is None and not c.regimens
                        and c.value is not None]
        self._by_study: dict[str, list[int]] = {}
        for position, count in enumerate(self._counts):
            for study in {s.iri for s in count.studies}:
                self._by_study.setdefault(study, []).append(position)

    def about(self, studies: Iterable[str]) -> list[Finding]:
        """The counts about any of ``studies``, in their order."""
        return [self._counts[i] for i in sorted({i for s in studies for i in self._by_study.get(s, ())})]


def _sample_size(finding: Finding, counts: SampleCounts) -> dict[str, Any] | None:
    populations = {p.iri for p in finding.populations}
    same_study = counts.about(s.iri for s in finding.studies)
    size: dict[str, Any] = {}
    patients = sorted((c for c in same_study if c.count_kind in _PATIENT_COUNTS),
                      key=lambda c: (not (populations & {p.iri for p in c.populations}),
                                     _PATIENT_COUNTS.index(c.count_kind or "Patients")))
    if patients and patients[0].value is not None:
        size["numberOfParticipants"] = int(patients[0].value)
        size["description"] = patients[0].label
    study_counts = [c for c in same_study if c.count_kind == "Studies" and c.value is not None]
    if study_counts and study_counts[0].value is not None:
        size["numberOfStudies"] = int(study_counts[0].value)
    return size or None


def evidence_resource(finding: Finding, counts: Iterable[Finding] | SampleCounts = ()) -> dict[str, Any]:
    """One ratio estimate as a FHIR R5 ``Evidence`` (a plain dict); its sample size from ``counts``.

    :raises ValueError: for a finding that is not a hazard or risk ratio with a point estimate.
    """
    if not finding.is_ratio or finding.kind not in STATISTIC_TYPES or finding.estimate is None:
        raise ValueError(f"{finding.iri} is not a hazard or risk ratio estimate")
    code, display = STATISTIC_TYPES[finding.kind]
    statistic: dict[str, Any] = {
        "description": finding.stated_as or finding.label,
        "statisticType": _concept(_STATISTIC, code, display),
        "quantity": {"value": finding.estimate},
    }
    estimates: list[dict[str, Any]] = []
    if finding.lower is not None and finding.upper is not None:
        level = finding.level if finding.level is not None else 0.95
        estimates.append({"description": f"{level:.0%} confidence interval",
                          "type": _concept(_ATTRIBUTE, "C53324", "Confidence interval"), "level": level,
                          "range": {"low": {"value": finding.lower}, "high": {"value": finding.upper}}})
    if finding.p is not None:
        quantity: dict[str, Any] = {"value": finding.p}
        comparator = _COMPARATORS.get((finding.p_comparator or "").rsplit("/", 1)[-1].lower())
        if comparator:
            quantity["comparator"] = comparator
        estimates.append({"type": _concept(_ATTRIBUTE, "C44185", "P-value"), "quantity": quantity})
    if estimates:
        statistic["attributeEstimate"] = estimates
    size = _sample_size(finding, counts if isinstance(counts, SampleCounts) else SampleCounts(counts))
    if size:
        statistic["sampleSize"] = size
    variables = [_variable("population", "population", p) for p in finding.populations]
    if finding.intervention is not None:
        variables.append(_variable("exposure", "exposure", finding.intervention))
    if finding.comparator is not None:
        variables.append(_variable("referenceExposure", "reference exposure", finding.comparator))
    if finding.endpoint is not None:
        variables.append(_variable("measuredVariable", "measured variable", finding.endpoint))
    related: list[dict[str, Any]] = [{"type": "derived-from", "label": finding.source,
                                      "display": f"source document {finding.source}, {finding.locator}",
                                      "document": {"url": PREFIXES["res"] + finding.source}}]
    related += [{"type": "cite-as", "display": study.short, "citation": study.label,
                 "document": {"url": study.iri}} for study in finding.studies]
    resource: dict[str, Any] = {
        "resourceType": "Evidence",
        "id": fhir_id(finding),
        "url": finding.iri,
        "identifier": [{"system": PREFIXES["res"], "value": finding.id}],
        "status": "draft" if finding.draft else "active",
        "title": finding.label,
        "description": finding.statement or finding.label,
        "citeAsMarkdown": ", ".join(s.label for s in finding.studies) or finding.source,
        "relatedArtifact": related,
        "variableDefinition": variables,
        "statistic": [statistic],
    }
    return resource


def evidence_bundle(findings: Iterable[Finding]) -> dict[str, Any]:
    """Every ratio estimate of ``findings`` as a FHIR R5 ``collection`` Bundle of ``Evidence``."""
    findings = list(findings)
    counts = SampleCounts(findings)
    entries = [{"fullUrl": f.iri, "resource": evidence_resource(f, counts)}
               for f in findings if f.is_ratio and f.kind in STATISTIC_TYPES]
    return {"resourceType": "Bundle", "type": "collection", "total": len(entries), "entry": entries}
