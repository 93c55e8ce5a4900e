"""Ratio estimates as FHIR R5 Evidence: the exported Bundle validates with fhir.resources (R5 models)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from fhir.resources.bundle import Bundle
from fhir.resources.evidence import Evidence

from kg.cli import main
from kg.evidence.gather import gather
from kg.interop.fhir import STATISTIC_TYPES, evidence_resource
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
