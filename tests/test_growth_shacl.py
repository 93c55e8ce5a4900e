"""SHACL part by part (validate_parts, validate_by_source) finds exactly the violations the whole graph has."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS
from rdflib.term import Node

from kg import paths
from kg.curation.factbase import load_facts
from kg.namespaces import MMKG, RES
from kg.pipeline.cache import BuildCache
from kg.pipeline.per_source import FileDigests, GraphPart, source_triples
from kg.pipeline.reasoning import entailed_closure
from kg.pipeline.shacl_parts import _Index, validate_by_source
from kg.pipeline.validation import validate_parts, validate_shapes
from kg.synthetic.corpus import synthesise_corpus

pytestmark = pytest.mark.slow

_RESULT = re.compile(r"^\s*(Focus Node|Result Path|Message): (.*)$")


def _violations(text: str) -> list[tuple[str, ...]]:
    found: list[tuple[str, ...]] = []
    current: list[str] = []
    for line in text.splitlines():
        match = _RESULT.match(line)
        if match:
            current.append(f"{match[1]}={match[2]}")
        if match and match[1] == "Message":
            found.append(tuple(sorted(current)))
            current = []
    return sorted(found)


def test_parts_find_the_same_violations_as_the_whole_graph(tmp_path: Path) -> None:
    facts = tmp_path / "facts"
    synthesise_corpus(facts, 12, seed=2)
    base = load_facts(facts / "reference.yaml", sorted((facts / "sources").glob("*.yaml")))
    tbox = Graph().parse(paths.ontology_file()) + Graph().parse(paths.imports_file())
    made = source_triples(base, BuildCache(None), FileDigests(), facts / "reference.yaml")
    graphs = {name: part.triples for name, part in made.items()}

    def _parts(triples: dict[URIRef, list[tuple[Node, Node, Node]]]) -> dict[str, set[Node]]:
        return _Index({k: GraphPart(v, b"", str(hash(tuple(v)))) for k, v in triples.items()}, set()).parts()

    def data() -> Graph:
        abox = Graph()
        for triples in graphs.values():
            for triple in triples:
                abox.add(triple)
        return abox + entailed_closure(tbox, abox, Graph())

    parts = _parts(graphs)
    assert len(parts) == 13 and all(parts.values())
    cache = BuildCache(tmp_path / "cache")
    conforms, _text, validated = validate_parts(data(), parts, paths.shapes_file(), cache)
    assert conforms and validated == len(parts)
    by_source = BuildCache(tmp_path / "by-source")
    assert validate_by_source(made, tbox, paths.shapes_file(), by_source, data) == (True, _text, len(parts))
    assert validate_by_source(made, tbox, paths.shapes_file(), by_source, data)[2] == 0  # all from the cache

    # Violations in one source's part and across parts: a second locator on a finding (maxCount), a
    # finding whose endpoint is a regimen (sh:class: the regimen's types live in the reference graph),
    # an arm no study has (the inverse path ^hasArm), a regimen without a label (the shared part).
    source = next(iter(k for k in graphs if str(k).endswith("syn-0004")))
    graphs[source] = [*graphs[source], (RES["syn-0004-pfs-hr"], MMKG.locator, Literal("p9.s9")),
                      (RES["syn-0004-n"], MMKG.endpoint, RES["len"])]
    one_source_ok, _, validated = validate_parts(data(), _parts(graphs), paths.shapes_file(), cache)
    assert not one_source_ok
    assert validated == 1  # the changed source's part alone; the other 12 came from the cache
    arm = RES["syn-trial-0000-control"]
    reference = next(iter(k for k in graphs if str(k).endswith("/reference")))
    dropped = {(t[0], t[1], t[2]) for t in graphs[reference]
               if (t[1] == MMKG.hasArm and t[2] == arm) or (t[0] == RES["thal"] and t[1] == RDFS.label)}
    graphs[reference] = [t for t in graphs[reference] if t not in dropped]
    violated = data()
    assert (arm, RDF.type, MMKG.StudyArm) in violated
    whole_ok, whole_text = validate_shapes(violated, paths.shapes_file())
    parts_ok, parts_text, validated = validate_parts(violated, _parts(graphs), paths.shapes_file(), cache)
    assert not whole_ok and not parts_ok
    assert validated == 2  # the changed source's part and the shared part; the other 11 came from the cache
    expected = _violations(whole_text)
    assert len(expected) == 4
    assert _violations(parts_text) == expected
    changed = {k: GraphPart(v, b"", made[k].key if v == made[k].triples else f"changed {k}") for k, v in graphs.items()}
    by_source_ok, by_source_text, validated = validate_by_source(changed, tbox, paths.shapes_file(), by_source, data)
    assert not by_source_ok and validated == 2
    assert _violations(by_source_text) == expected
