"""The property rules source by source (kg.pipeline.contexts) add exactly what the whole-graph rules add."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import BNode, Graph, URIRef
from rdflib.namespace import RDF
from rdflib.term import Node

from kg import paths
from kg.curation.factbase import load_facts
from kg.namespaces import GRAPH, MMKG, RES
from kg.pipeline.cache import BuildCache
from kg.pipeline.contexts import Rules, close_reference, close_source, merge, whole
from kg.pipeline.inferred import property_lines
from kg.pipeline.per_source import FileDigests, GraphPart, nquads, source_triples
from kg.pipeline.property_rules import RULE_INPUTS
from kg.pipeline.rdfize import REFERENCE_GRAPH
from kg.pipeline.reasoning import reasoned_predicates
from kg.synthetic.corpus import synthesise_corpus

pytestmark = pytest.mark.slow

INFERRED = GRAPH["inferred"]
Triple = tuple[Node, Node, Node]


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> dict[URIRef, GraphPart]:
    facts = tmp_path_factory.mktemp("facts")
    synthesise_corpus(facts, 12, seed=3)
    base = load_facts(facts / "reference.yaml", sorted((facts / "sources").glob("*.yaml")))
    return source_triples(base, BuildCache(None), FileDigests(), facts / "reference.yaml")


@pytest.fixture(scope="module")
def tbox() -> Graph:
    return Graph().parse(paths.ontology_file()) + Graph().parse(paths.imports_file())


def _lines(data: bytes) -> set[bytes]:
    return {line for line in data.splitlines() if line}


def _whole(graphs: dict[URIRef, GraphPart], tbox: Graph) -> set[bytes]:
    kept = reasoned_predicates(tbox) | RULE_INPUTS
    abox = Graph()
    for part in graphs.values():
        for t in part.triples:
            if t[1] in kept or isinstance(t[0], BNode):
                abox.add(t)
    return _lines(nquads(list(whole(tbox, abox)), INFERRED))


def _with(made: dict[URIRef, GraphPart], name: URIRef, extra: list[Triple]) -> dict[URIRef, GraphPart]:
    changed = dict(made)
    triples = sorted(set(made[name].triples) | set(extra))
    changed[name] = GraphPart(triples, nquads(triples, name), f"changed {made[name].key}")
    return changed


def _contexts(graphs: dict[URIRef, GraphPart], tbox: Graph) -> bytes | None:
    rules, kept = Rules(tbox), reasoned_predicates(tbox) | RULE_INPUTS
    reference = close_reference(rules, [t for t in graphs[REFERENCE_GRAPH].triples if t[1] in kept], INFERRED)
    indexes = reference.indexes()
    contexts = {REFERENCE_GRAPH: reference.context}
    for name, part in graphs.items():
        if name != REFERENCE_GRAPH:
            contexts[name] = close_source(rules, reference, indexes, [t for t in part.triples if t[1] in kept],
                                          INFERRED)
    return merge(contexts, {n: p.nquads for n, p in graphs.items()}, INFERRED, kept)


def test_source_by_source_equals_the_whole_graph(made: dict[URIRef, GraphPart], tbox: Graph,
                                                 tmp_path: Path) -> None:
    merged = _contexts(made, tbox)
    assert merged is not None  # the synthetic graph's corroborations cross sources, yet provably locally
    expected = _whole(made, tbox)
    assert _lines(merged) == expected and len(expected) > 30 * 12
    cache = BuildCache(tmp_path / "cache")
    assert _lines(property_lines(made, tbox, reasoned_predicates(tbox) | RULE_INPUTS, cache, INFERRED)) == expected
    again = BuildCache(tmp_path / "cache")
    assert _lines(property_lines(made, tbox, reasoned_predicates(tbox) | RULE_INPUTS, again, INFERRED)) == expected
    assert again.misses == 0 and again.hits == len(made)


def _sources(made: dict[URIRef, GraphPart]) -> list[URIRef]:
    return sorted(n for n in made if n != REFERENCE_GRAPH)


def _finding(made: dict[URIRef, GraphPart], name: URIRef) -> Node:
    return next(s for s, p, _o in sorted(made[name].triples) if p == MMKG.fromSource)


def test_a_reverse_asserted_by_another_source_is_not_inferred(made: dict[URIRef, GraphPart], tbox: Graph) -> None:
    first, second = _sources(made)[:2]
    a, b = _finding(made, first), _finding(made, second)
    graphs = _with(_with(made, first, [(a, MMKG.corroborates, b)]), second, [(b, MMKG.corroborates, a)])
    merged = _contexts(graphs, tbox)
    assert merged is not None and _lines(merged) == _whole(graphs, tbox)
    one_way = _with(made, first, [(a, MMKG.discrepantWith, b)])
    merged = _contexts(one_way, tbox)
    assert merged is not None and _lines(merged) == _whole(one_way, tbox)
    assert any(b"discrepantWith" in line and line.startswith(f"<{b}>".encode()) for line in _lines(merged))


@pytest.mark.parametrize("crossing", ["arm of another source", "type of a reference regimen",
                                      "population of a study", "trial of another finding"])
def test_a_change_that_crosses_sources_is_caught_and_the_whole_graph_decides(
        made: dict[URIRef, GraphPart], tbox: Graph, crossing: str) -> None:
    first, second = _sources(made)[:2]
    finding, other = _finding(made, first), _finding(made, second)
    regimen = next(o for s, p, o in made[REFERENCE_GRAPH].triples if p == MMKG.receivesRegimen)
    study = next(s for s, p, o in made[REFERENCE_GRAPH].triples if p == MMKG.studiesPopulation)
    arm = RES["syn-test-arm"]
    extra: dict[str, tuple[URIRef, list[Triple]]] = {
        # the second source names an arm only the first source says what it receives
        "arm of another source": (first, [(arm, MMKG.receivesRegimen, regimen), (finding, MMKG.arm, arm)]),
        "type of a reference regimen": (first, [(regimen, RDF.type, MMKG.NoActiveTreatment)]),
        "population of a study": (first, [(study, MMKG.studiesPopulation, RES["syn-test-population"])]),
        "trial of another finding": (first, [(other, MMKG.aboutTrial, RES["syn-test-trial"])]),
    }
    name, triples = extra[crossing]
    graphs = _with(made, name, triples)
    if crossing == "arm of another source":
        graphs = _with(graphs, second, [(other, MMKG.arm, arm)])
    assert _contexts(graphs, tbox) is None
    kept = reasoned_predicates(tbox) | RULE_INPUTS
    assert _lines(property_lines(graphs, tbox, kept, BuildCache(None), INFERRED)) == _whole(graphs, tbox)


def test_hermits_input_from_the_parts_is_the_whole_graphs(made: dict[URIRef, GraphPart], tbox: Graph) -> None:
    from rdflib.compare import isomorphic

    from kg.pipeline.outline import TYPING
    from kg.pipeline.reasoning import _reasoning_input
    from kg.pipeline.typing_parts import hermit_input, individuals

    found = []
    whole_abox = Graph()
    for part in made.values():
        abox = Graph()
        for t in part.triples:
            if t[1] in TYPING or isinstance(t[0], BNode):
                abox.add(t)
                whole_abox.add(t)
        found += individuals(tbox, abox)
    graph, groups, _extra = hermit_input(tbox, found)
    expected_graph, expected_groups = _reasoning_input(tbox, whole_abox)
    assert groups == expected_groups and sum(len(m) for m in groups.values()) > len(groups)  # estimates grouped
    assert isomorphic(graph, expected_graph)
