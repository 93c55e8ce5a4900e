"""The import module: reproducible from the pinned wheels, complete, labelled, and seen by the reasoner."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from kg import paths
from kg.errors import BuildError, FactError
from kg.linking.term_import import LICENCES, PINNED, _Sources, terms_in_use
from kg.namespaces import MMKG, RES
from kg.pipeline.reasoning import reason
from kg.pipeline.steps import IMPORTS_GRAPH, INFERRED_GRAPH, BuiltGraph

pytestmark = pytest.mark.slow

OBO = "http://purl.obolibrary.org/obo/"
CACHE = Path(os.environ.get("MMKG_CACHE", Path.home() / ".cache" / "mmkg")) / "wheels"


@pytest.fixture(scope="module")
def imports() -> Graph:
    return Graph().parse(paths.imports_file(), format="turtle")


def test_every_external_term_in_use_is_imported(imports: Graph) -> None:
    notations = {str(n) for n in imports.objects(None, SKOS.notation)}
    used = terms_in_use()
    assert len(used) >= 130
    assert {str(c) for c in used} <= notations


@pytest.mark.parametrize(("iri", "label"), [
    (OBO + "CHEBI_63791", "lenalidomide"),
    (OBO + "HP_0009830", "Peripheral neuropathy"),
    (OBO + "MONDO_0009693", "plasma cell myeloma"),
    ("http://id.nlm.nih.gov/mesh/D061988", "Proteasome Inhibitors"),
    ("http://www.ebi.ac.uk/efo/EFO_0004920", "progression free survival"),
    (OBO + "STATO_0000245", "relative risk"),
    (OBO + "NCIT_C93150", "Hazard Ratio"),
    ("https://go.drugbank.com/drugs/DB00480", "Lenalidomide"),
])
def test_labels_match_identifiers_md(imports: Graph, iri: str, label: str) -> None:
    assert imports.value(URIRef(iri), RDFS.label) == Literal(label)
    assert imports.value(URIRef(iri), URIRef("http://purl.org/dc/terms/source")) is not None


def test_classes_have_their_parents_and_licence_restricted_vocabularies_no_labels(imports: Graph) -> None:
    lenalidomide = URIRef(OBO + "CHEBI_63791")
    assert (lenalidomide, RDF.type, OWL.Class) in imports
    parents = set(imports.objects(lenalidomide, RDFS.subClassOf))
    assert URIRef(OBO + "CHEBI_24897") in parents
    assert all(imports.value(p, RDFS.label) for p in parents)
    neutropenia = URIRef(OBO + "HP_0001875")
    assert imports.value(neutropenia, SKOS.definition) is not None
    meddra = [s for s, n in imports.subject_objects(SKOS.notation) if str(n).startswith("meddra:")]
    assert meddra and all(imports.value(s, RDFS.label) is None for s in meddra)


def test_the_licence_table_matches_bioregistry() -> None:
    bioregistry = pytest.importorskip("bioregistry")
    for prefix, licence in LICENCES.items():
        assert bioregistry.get_license(prefix) == licence, prefix


@pytest.mark.java
def test_the_build_puts_imports_in_their_graph_and_the_reasoner_uses_the_alignments(built: BuiltGraph) -> None:
    ds = built.dataset
    assert len(ds.graph(IMPORTS_GRAPH)) > 500
    inferred = ds.graph(INFERRED_GRAPH)
    # lenalidomide's verified ChEBI class types it; its ChEBI parents follow
    assert (RES.lenalidomide, RDF.type, URIRef(OBO + "CHEBI_24897")) in inferred
    # ontology alignments as axioms: every risk-ratio estimate is a STATO relative risk
    risk_ratios = set(ds.subjects(RDF.type, MMKG.RiskRatioEstimate)) | set(
        s for s, _, _, _ in ds.quads((None, RDF.type, MMKG.RiskRatioEstimate, None)))
    assert risk_ratios
    for estimate in risk_ratios:
        assert (estimate, RDF.type, URIRef(OBO + "STATO_0000245")) in inferred
    assert (RES.bortezomib, RDF.type, URIRef(OBO + "NCIT_C2160")) in inferred


def _union(built: BuiltGraph) -> Graph:
    graph = Graph()
    for s, p, o, _ in built.dataset.quads((None, None, None, None)):
        graph.add((s, p, o))
    return graph


@pytest.mark.java
def test_hermit_reasons_over_the_imported_hierarchy(built: BuiltGraph) -> None:
    """A disjointness between an imported ChEBI parent and our drug class makes lenalidomide
    inconsistent: only if HermiT saw the import module, the ChEBI typing and the parent edge."""
    tbox = Graph().parse(paths.ontology_file(), format="turtle")
    tbox += Graph().parse(paths.imports_file(), format="turtle")
    abox = Graph()
    for triple in built.dataset.graph(URIRef("https://w3id.org/mmkg/graph/reference")):
        abox.add(triple)
    reason(tbox, abox)  # consistent as curated
    tbox.add((URIRef(OBO + "CHEBI_24897"), OWL.disjointWith, MMKG.ImmunomodulatoryImideDrug))
    with pytest.raises(BuildError, match="inconsistent"):
        reason(tbox, abox)


def test_import_terms_check_passes_and_a_stale_file_fails(tmp_path: Path) -> None:
    """Regenerates from the pinned wheels (downloaded once into the cache) and compares."""
    env = {**os.environ, "MMKG_CACHE": str(CACHE.parent)}
    done = subprocess.run([sys.executable, "-m", "kg", "import-terms", "--check"], capture_output=True, text=True,
                          timeout=900, env=env)
    assert done.returncode == 0, done.stderr
    assert "is up to date" in done.stdout
    for wheel in PINNED.values():
        assert (CACHE / wheel.filename).is_file()
    stale = tmp_path / "external-terms.ttl"
    stale.write_text(paths.imports_file().read_text().replace('"lenalidomide"', '"lenalidomid"', 1))
    failed = subprocess.run([sys.executable, "-m", "kg", "import-terms", "--check", "-o", str(stale)],
                            capture_output=True, text=True, timeout=900, env=env)
    assert failed.returncode == 1 and "out of date" in failed.stderr


def test_a_bad_curated_entry_is_named_with_its_line(tmp_path: Path) -> None:
    curated = tmp_path / "curated.yaml"
    curated.write_text('- {curie: "STATO:0000155", label: x, source: y}\n- {curie: "STATO:12", label: x, source: y}\n')
    with pytest.raises(FactError) as info:
        _Sources({}, curated).curated  # noqa: B018
    assert ":2" in str(info.value) and "STATO:12" in str(info.value)
    curated.write_text('- {curie: "STATO:0000155", label: x}\n')
    with pytest.raises(FactError, match="source"):
        _Sources({}, curated).curated  # noqa: B018
