"""HermiT classifies the defined classes; inferences stay in their own named graph."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from kg.errors import ReasonerUnavailable
from kg.namespaces import MMKG, RES
from kg.pipeline.reasoning import java_executable
from kg.pipeline.steps import INFERRED_GRAPH, BuiltGraph
from tests.conftest import union_without

pytestmark = pytest.mark.java


def _types(built: BuiltGraph, node: URIRef) -> set[URIRef]:
    return {t for t in built.dataset.graph(INFERRED_GRAPH).objects(node, RDF.type) if isinstance(t, URIRef)}


def _asserted(built: BuiltGraph) -> Graph:
    return union_without(built, INFERRED_GRAPH)


@pytest.mark.parametrize(
    ("regimen", "expected", "not_expected"),
    [
        ("len", {MMKG.ImidBasedRegimen, MMKG.Monotherapy}, {MMKG.CombinationRegimen}),
        ("len-pred", {MMKG.ImidBasedRegimen, MMKG.CombinationRegimen, MMKG.GlucocorticoidContainingRegimen},
         {MMKG.Monotherapy, MMKG.ProteasomeInhibitorBasedRegimen}),
        ("thal-bort", {MMKG.ImidBasedRegimen, MMKG.ProteasomeInhibitorBasedRegimen, MMKG.CombinationRegimen},
         {MMKG.Monotherapy}),
        ("bort-pred", {MMKG.ProteasomeInhibitorBasedRegimen, MMKG.CombinationRegimen},
         {MMKG.ImidBasedRegimen}),
        ("bort", {MMKG.ProteasomeInhibitorBasedRegimen, MMKG.Monotherapy}, {MMKG.ImidBasedRegimen}),
        ("thal-ifn", {MMKG.InterferonContainingRegimen, MMKG.ImidBasedRegimen, MMKG.CombinationRegimen}, set()),
        ("imid-maintenance", {MMKG.ImidBasedRegimen}, {MMKG.Monotherapy, MMKG.CombinationRegimen}),
        ("no-maintenance", set(), {MMKG.ImidBasedRegimen, MMKG.Monotherapy, MMKG.CombinationRegimen}),
    ],
)
def test_regimens_are_classified(built: BuiltGraph, regimen: str, expected: set[URIRef],
                                 not_expected: set[URIRef]) -> None:
    types = _types(built, RES[regimen])
    assert expected <= types
    assert not (not_expected & types)


@pytest.mark.parametrize(
    ("finding", "expected", "not_expected"),
    [
        ("s000-pfs-hr-len", MMKG.SignificantHazardReduction, MMKG.IntervalIncludesNoEffect),
        ("s001-pfs-hr", MMKG.SignificantHazardReduction, MMKG.IntervalIncludesNoEffect),
        ("s000-os-hr-len", MMKG.IntervalIncludesNoEffect, MMKG.SignificantHazardReduction),
        ("s001-os-hr", MMKG.IntervalIncludesNoEffect, MMKG.SignificantHazardReduction),
        ("s001-vte-rr", MMKG.SignificantRiskIncrease, MMKG.SignificantHazardReduction),
    ],
)
def test_findings_are_classified_by_their_interval(built: BuiltGraph, finding: str, expected: URIRef,
                                                   not_expected: URIRef) -> None:
    types = _types(built, RES[finding])
    assert expected in types
    assert not_expected not in types


def test_inferred_triples_never_repeat_asserted_ones(built: BuiltGraph) -> None:
    asserted = _asserted(built)
    inferred = built.dataset.graph(INFERRED_GRAPH)
    assert len(inferred) > 0
    assert not [t for t in inferred if t in asserted]
    # class-level: the defined classes are placed under the classes their definitions name
    assert (MMKG.SignificantHazardReduction, URIRef("http://www.w3.org/2000/01/rdf-schema#subClassOf"),
            MMKG.HazardRatioEstimate) in inferred
    # the closure makes a finding a mmkg:Finding and a drug a mmkg:Drug without a reasoner at query time
    assert (RES["s001-pfs-hr"], RDF.type, MMKG.Finding) in inferred
    assert (RES["s002-ref4-os"], MMKG.corroborates, RES["s004-calgb-os"]) in inferred


def test_missing_java_is_one_clear_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.delenv("JAVA_HOME", raising=False)
    with pytest.raises(ReasonerUnavailable) as info:
        java_executable()
    message = str(info.value)
    assert "\n" not in message
    assert "Java" in message and "apt-get install" in message


def test_grouping_estimates_gives_hermit_fewer_individuals_and_the_same_answer(tmp_path: Path) -> None:
    """One representative per estimate signature: the same inferred types as asking HermiT about each."""
    from rdflib import Dataset

    from kg.pipeline.reasoning import reason, representatives
    from kg.synthetic.triples import synthesise

    path = tmp_path / "s.nq"
    synthesise(path, 10000, seed=5)  # the ontology grew in 0.2.0: 8,000 quads now hold too few estimates
    dataset = Dataset()
    dataset.parse(path, format="nquads")
    tbox, abox = Graph(), Graph()
    for graph in dataset.graphs():
        if graph.identifier == URIRef("https://w3id.org/mmkg/graph/inferred"):
            continue
        target = tbox if graph.identifier == URIRef("https://w3id.org/mmkg/graph/ontology") else abox
        for triple in graph:
            target.add(triple)
    groups = representatives(tbox, abox)
    members = sum(len(m) for m in groups.values())
    assert len(groups) < members / 3, (len(groups), members)
    grouped = reason(tbox, abox)
    each = reason(tbox, abox, group_estimates=False)
    assert set(grouped.inferred) == set(each.inferred)
    assert grouped.individual_types == each.individual_types > 0
