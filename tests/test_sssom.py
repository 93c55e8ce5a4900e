"""``mmkg export --format sssom``: validated by sssom-py, one row per mapping, IRIs that agree with the graph."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
import yaml
from rdflib import Graph, URIRef
from rdflib.namespace import SKOS

from kg import paths
from kg.linking.identifiers import curie_from_iri, parse_curie
from kg.linking.sssom import CONFIDENCE, mapping_rows
from kg.pipeline.steps import BuiltGraph
from kg.query.store import Store


@pytest.fixture(scope="module")
def sssom_parsers() -> ModuleType:
    """sssom-py, imported by the tests that use it rather than at collection (it takes 1.5 s to import, in every
    pytest worker)."""
    return pytest.importorskip("sssom.parsers", reason="sssom-py is in the test extras")


@pytest.fixture(scope="module")
def exported(release: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    output = tmp_path_factory.mktemp("sssom") / "mmkg.sssom.tsv"
    done = subprocess.run([sys.executable, "-m", "kg", "export", "--format", "sssom", "-o", str(output),
                           "--out", str(release.parent.parent)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return output, done.stdout


def test_sssom_py_validates_the_export(exported: tuple[Path, str], sssom_parsers: ModuleType) -> None:
    from sssom.constants import SchemaValidationType
    from sssom.validators import validate

    msdf = sssom_parsers.parse_sssom_table(exported[0])
    reports = validate(msdf, [SchemaValidationType.JsonSchema, SchemaValidationType.PrefixMapCompleteness,
                              SchemaValidationType.StrictCurieFormat], fail_on_error=True)
    assert reports and all(not report.results for report in reports.values())
    metadata = msdf.metadata
    assert metadata["license"] == "https://creativecommons.org/licenses/by/4.0/"
    assert metadata["creator_label"] == ["myeloma-kg curators"]
    assert set(msdf.df["mapping_justification"]) == {"semapv:ManualMappingCuration"}
    assert set(msdf.df["predicate_id"]) <= {"skos:exactMatch", "skos:closeMatch", "skos:broadMatch", "skos:narrowMatch"}


def test_every_curated_xref_is_a_row_with_its_confidence(exported: tuple[Path, str],
                                                         sssom_parsers: ModuleType) -> None:
    msdf = sssom_parsers.parse_sssom_table(exported[0])
    rows = {(r.subject_id, r.object_id): r for r in msdf.df.itertuples()}
    data = yaml.safe_load((paths.facts_dir() / "reference.yaml").read_text())
    expected = 0
    for section in data.values():
        if not isinstance(section, list):
            continue
        for entry in section:
            for xref in entry.get("xrefs", []):
                expected += 1
                row = rows[(f"res:{entry['id']}", str(parse_curie(xref["curie"])))]
                assert row.confidence == CONFIDENCE[xref["confidence"]]
                assert row.predicate_id == f"skos:{xref.get('match', 'exact')}Match"
                assert xref["checked_in"] in row.comment
    assert expected >= 100
    assert rows[("mmkg:HazardRatioEstimate", "NCIT:C93150")].predicate_id == "skos:exactMatch"
    assert rows[("res:gay-2018", "pubmed:30098165")].confidence == CONFIDENCE["verified"]


@pytest.mark.java
def test_the_curie_map_expands_to_the_iris_the_graph_uses(exported: tuple[Path, str], built: BuiltGraph,
                                                          sssom_parsers: ModuleType) -> None:
    """Every skos:*Match IRI in the graph, compacted with the SSSOM CURIE map, is a row of the table."""
    msdf = sssom_parsers.parse_sssom_table(exported[0])
    objects = set(msdf.df["object_id"])
    matches = 0
    for predicate in (SKOS.exactMatch, SKOS.closeMatch, SKOS.broadMatch, SKOS.narrowMatch):
        for _, _, iri, _ in built.dataset.quads((None, predicate, None, None)):
            curie = curie_from_iri(str(iri))
            if curie is None or str(iri).startswith("https://pubmed.ncbi.nlm.nih.gov/"):
                continue
            matches += 1
            assert curie in objects
            assert msdf.converter.expand(curie) == str(iri)
    assert matches >= 90


@pytest.mark.java
def test_every_mapping_triple_sssom_converts_to_is_in_the_graph(exported: tuple[Path, str], built: BuiltGraph,
                                                               tmp_path: Path) -> None:
    """sssom-py's own conversion to OWL names exactly the graph's nodes: subjects and objects expand to its IRIs."""
    owl = tmp_path / "mappings.ttl"
    done = subprocess.run([str(Path(sys.executable).parent / "sssom"), "convert", str(exported[0]),
                           "--output-format", "owl", "-o", str(owl)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    converted = Graph().parse(owl, format="turtle")
    union = {(s, p, o) for g in built.dataset.graphs() for s, p, o in g}
    mappings = [(s, p, o) for s, p, o in converted if str(p).startswith(str(SKOS)) and isinstance(o, URIRef)
                and isinstance(s, URIRef)]
    assert len(mappings) >= 130
    missing = [t for t in mappings if t not in union]
    assert missing == [], f"{len(missing)} of {len(mappings)} mapping triples name nodes the graph lacks: {missing[:5]}"


def test_the_command_reports_counts_by_vocabulary(exported: tuple[Path, str], store: Store) -> None:
    rows = mapping_rows(store)
    out = exported[1]
    assert f"{len(rows)} mappings" in out
    assert "MESH " in out and "CHEBI " in out and "NCIT " in out


def test_a_wrong_file_name_is_refused_and_nothing_written(release: Path, tmp_path: Path) -> None:
    target = tmp_path / "mappings.tsv"
    done = subprocess.run([sys.executable, "-m", "kg", "export", "--format", "sssom", "-o", str(target),
                           "--out", str(release.parent.parent)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "*.sssom.tsv" in done.stderr
    assert not target.exists() and list(tmp_path.iterdir()) == []
