"""Ratio estimates as FHIR R5 Evidence: the exported Bundle validates with fhir.resources (R5 models)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner
from fhir.resources.bundle import Bundle
from fhir.resources.evidence import Evidence

from kg.cli import main
from kg.evidence.gather import Finding, gather
from kg.interop.fhir import STATISTIC_TYPES, SampleCounts, evidence_bundle, evidence_resource
from kg.query.store import Store


@pytest.fixture(scope="module")
def bundle(release: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    target = tmp_path_factory.mktemp("fhir") / "evidence.fhir.json"
    result = CliRunner().invoke(main, ["export", "--format", "fhir", "-o", str(target),
                                       "--out", str(release.parent.parent)])
    assert result.exit_code == 0, result.output
    loaded: dict[str, object] = json.loads(target.read_text(encoding="utf-8"))
    return loaded


def test_the_bundle_validates_and_holds_every_ratio_estimate(bundle: dict[str, object], store: Store) -> None:
    model = Bundle.model_validate(bundle)
    ratios = [f for f in gather(store) if f.is_ratio]
    assert model.entry is not None and len(model.entry) == len(ratios) > 0
    assert {e.resource.url for e in model.entry} == {f.iri for f in ratios}  # type: ignore[union-attr]


def test_each_evidence_has_type_quantity_interval_variables_and_source(bundle: dict[str, object]) -> None:
    entries = bundle["entry"]
    assert isinstance(entries, list)
    codes = {code for code, _ in STATISTIC_TYPES.values()}
    sized = 0
    for entry in entries:
        evidence = Evidence.model_validate(entry["resource"])
        statistic = evidence.statistic[0]  # type: ignore[index]
        assert statistic.statisticType.coding[0].code in codes  # type: ignore[union-attr,index]
        assert statistic.quantity.value > 0  # type: ignore[union-attr,operator]
        interval = next(a for a in statistic.attributeEstimate if a.type.coding[0].code == "C53324")  # type: ignore[union-attr]
        assert 0 < interval.level < 1  # type: ignore[operator]
        assert interval.range.low.value <= statistic.quantity.value <= interval.range.high.value  # type: ignore[union-attr,operator]
        roles = {v.variableRole.coding[0].code for v in evidence.variableDefinition}  # type: ignore[union-attr,index]
        assert {"population", "exposure", "referenceExposure", "measuredVariable"} <= roles
        kinds = {a.type for a in evidence.relatedArtifact}  # type: ignore[union-attr]
        assert {"derived-from", "cite-as"} <= kinds
        sized += statistic.sampleSize is not None
    assert sized >= 1, "the sample size a study reports is carried"


def test_a_finding_that_is_no_ratio_is_refused(store: Store) -> None:
    median = next(f for f in gather(store) if f.kind == "ArmMedian")
    with pytest.raises(ValueError, match="not a hazard or risk ratio"):
        evidence_resource(median)


def _plain_sample_size(finding: Finding, counts: list[Finding]) -> dict[str, object] | None:
    """The sample size as first written: every count of the graph looked at for each ratio."""
    studies = {s.iri for s in finding.studies}
    populations = {p.iri for p in finding.populations}
    same = [c for c in counts if c.count_kind and studies & {s.iri for s in c.studies} and c.arm_regimen is None
            and not c.regimens and c.value is not None]
    order = ("PatientsRandomised", "Patients", "PatientsReceivedAllocated", "PatientsInSafetyPopulation")
    size: dict[str, object] = {}
    patients = sorted((c for c in same if c.count_kind in order),
                      key=lambda c: (not (populations & {p.iri for p in c.populations}),
                                     order.index(c.count_kind or "Patients")))
    if patients and patients[0].value is not None:
        size["numberOfParticipants"] = int(patients[0].value)
        size["description"] = patients[0].label
    studied = [c for c in same if c.count_kind == "Studies" and c.value is not None]
    if studied and studied[0].value is not None:
        size["numberOfStudies"] = int(studied[0].value)
    return size or None


def test_sample_sizes_are_looked_up_as_they_were_scanned_for(store: Store) -> None:
    findings = gather(store)
    counts = [f for f in findings if f.count_kind]
    looked_up = SampleCounts(findings)
    ratios = [f for f in findings if f.is_ratio and f.kind in STATISTIC_TYPES]
    sized = 0
    for finding in ratios:
        expected = _plain_sample_size(finding, counts)
        assert evidence_resource(finding, looked_up)["statistic"][0].get("sampleSize") == expected, finding.iri
        assert evidence_resource(finding, counts)["statistic"][0].get("sampleSize") == expected, finding.iri
        sized += expected is not None
    assert sized > 0
    bundle = evidence_bundle(findings)
    assert [e["resource"]["statistic"][0].get("sampleSize") for e in bundle["entry"]] == \
        [_plain_sample_size(f, counts) for f in ratios]


def test_of_two_equal_counts_the_first_gives_the_sample_size(store: Store) -> None:
    findings = gather(store)
    ratio = next(f for f in findings if f.is_ratio and f.kind in STATISTIC_TYPES and f.studies)
    count = next(f for f in findings if f.count_kind == "PatientsRandomised")
    first = replace(count, iri=count.iri + "-a", value=111.0, studies=ratio.studies, populations=[],
                    arm_regimen=None, regimens=[])
    second = replace(first, iri=count.iri + "-b", value=222.0)
    for counts in ([first, second], [second, first]):
        size = evidence_resource(ratio, SampleCounts(counts))["statistic"][0]["sampleSize"]
        assert size["numberOfParticipants"] == int(counts[0].value or 0) == _plain_sample_size(ratio, counts)[
            "numberOfParticipants"]  # type: ignore[index]
