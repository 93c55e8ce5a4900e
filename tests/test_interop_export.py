"""Every RDF export is read back, whole, by three independent parsers: pyoxigraph, rdflib and pyld."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from pyld import jsonld
from rdflib import Dataset, Graph
from rdflib.compare import IsomorphicGraph, to_isomorphic

from kg.cli import main
from kg.interop.rdf_export import EXPORT_FORMATS, MERGED

_RDFLIB = {"turtle": "turtle", "ntriples": "nt", "xml": "xml", "jsonld": "json-ld", "trig": "trig",
           "nquads": "nquads"}


@pytest.fixture(scope="module")
def home(release: Path) -> Path:
    return release.parent.parent


@pytest.fixture(scope="module")
def expected(release: Path) -> tuple[Graph, int]:
    """The release's triples merged (as rdflib sees N-Quads) and its quad count."""
    ds = Dataset()
    ds.parse(release / "mmkg.nq", format="nquads")
    merged = Graph()
    for graph in ds.graphs():
        for triple in graph:
            merged.add(triple)
    quads = sum(1 for line in (release / "mmkg.nq").read_text(encoding="utf-8").splitlines() if line.strip())
    return merged, quads


@pytest.fixture(scope="module")
def merged_canonical(expected: tuple[Graph, int]) -> IsomorphicGraph:
    """The merged triples in rdflib's canonical form, computed once for the module (it takes a second)."""
    return to_isomorphic(expected[0])


def _export(home: Path, tmp_path: Path, fmt: str) -> Path:
    target = tmp_path / f"out.{fmt}"
    result = CliRunner().invoke(main, ["export", "--format", fmt, "-o", str(target), "--out", str(home)])
    assert result.exit_code == 0, result.output
    return target


@pytest.fixture(scope="module")
def export(home: Path, tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    """``export(fmt)``: the release written by ``mmkg export --format fmt``, once per format for the module (the
    tests only read the file; the JSON-LD export was written three times)."""
    folder = tmp_path_factory.mktemp("exports")
    done: dict[str, Path] = {}

    def make(fmt: str) -> Path:
        if fmt not in done:
            done[fmt] = _export(home, folder, fmt)
        return done[fmt]
    return make


@pytest.mark.parametrize("fmt", sorted(EXPORT_FORMATS))
def test_pyoxigraph_and_rdflib_read_every_export_whole(export: Callable[[str], Path], fmt: str,
                                                      expected: tuple[Graph, int],
                                                      merged_canonical: IsomorphicGraph) -> None:
    merged, quads = expected
    target = export(fmt)
    read = list(ox.parse(path=str(target), format=EXPORT_FORMATS[fmt]))
    assert len(read) == (len(merged) if fmt in MERGED else quads)
    graph: Graph = Graph() if fmt in MERGED else Dataset()
    graph.parse(target, format=_RDFLIB[fmt])
    if fmt in MERGED:
        assert to_isomorphic(graph) == merged_canonical, f"{fmt}: rdflib reads another graph back"
    else:
        assert sum(len(g) for g in graph.graphs()) == quads  # type: ignore[attr-defined]


@pytest.mark.parametrize("fmt", ["jsonld", "nquads"])
def test_pyld_reads_the_json_ld_and_n_quads_exports(export: Callable[[str], Path], fmt: str,
                                                    expected: tuple[Graph, int]) -> None:
    merged, quads = expected
    target = export(fmt)
    text = target.read_text(encoding="utf-8")
    document = json.loads(text) if fmt == "jsonld" else jsonld.from_rdf(text, {"format": "application/n-quads"})
    nquads = jsonld.to_rdf(document, {"format": "application/n-quads"})
    assert len(set(nquads.splitlines())) == (len(merged) if fmt == "jsonld" else quads)


def test_json_ld_types_are_strings_even_for_blank_node_classes(export: Callable[[str], Path]) -> None:
    """rdflib wrote ``"@type": {"@id": "_:b0"}`` for the pooled regimens' restriction types."""
    document = json.loads(export("jsonld").read_text(encoding="utf-8"))
    nodes = document if isinstance(document, list) else document.get("@graph", [document])
    types = [t for node in nodes for key in ("@type", "http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
             for t in (node.get(key) or [])]
    assert types and all(isinstance(t, str) or isinstance(t.get("@id"), str) for t in types)
    assert not any(isinstance(t, dict) and "@type" in t for node in nodes for t in [node.get("@type")])
    ids = [node["@id"] for node in nodes]
    assert len(ids) == len(set(ids)), "each subject is one node object"
