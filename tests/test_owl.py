"""OWL 2 DL: the OWL API's profile checker finds no violation in the ontology with its import module, in
the import module alone, nor in the OWL view of the export; owlready2 loads the ontology with its imports
from local files and from the server, and HermiT classifies the export."""

from __future__ import annotations

from pathlib import Path

import owlready2
import pytest
from click.testing import CliRunner

from kg import paths
from kg.cli import main
from kg.interop.owl import profile_violations, write_ontology_files

pytestmark = [pytest.mark.java, pytest.mark.slow]


@pytest.fixture(scope="module")
def owl_export(release: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("owl") / "mmkg-owl.rdf"
    result = CliRunner().invoke(main, ["export", "--format", "owl", "-o", str(target),
                                       "--out", str(release.parent.parent)])
    assert result.exit_code == 0, result.output
    return target


@pytest.mark.parametrize("what", ["ontology+imports", "imports", "export"])
def test_owl_2_dl_profile_has_no_violation(what: str, owl_export: Path) -> None:
    files = {"ontology+imports": [paths.ontology_file(), paths.imports_file()], "imports": [paths.imports_file()],
             "export": [owl_export]}[what]
    violations = profile_violations(*files)
    print(f"OWL 2 DL profile ({what}): {len(violations)} violations")
    assert violations == [], "\n".join(violations[:20])


def test_the_check_sees_a_violation(tmp_path: Path) -> None:
    """The checker is live: an undeclared annotation property in a file is reported."""
    broken = paths.imports_file().read_text(encoding="utf-8").replace(
        "dcterms:source a owl:AnnotationProperty .", "")
    target = tmp_path / "external-terms.ttl"
    target.write_text(broken, encoding="utf-8")
    violations = profile_violations(target)
    assert violations and all("<http://purl.org/dc/terms/source>" in v for v in violations)


def test_the_check_sees_a_literal_outside_the_datatype_map(tmp_path: Path) -> None:
    """The plain RDF/XML export keeps ``xsd:gYear`` / ``xsd:date``: the check (and HermiT) refuses them."""
    target = tmp_path / "dated.ttl"
    target.write_text(
        "@prefix owl: <http://www.w3.org/2002/07/owl#> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
        "<urn:o> a owl:Ontology . <urn:p> a owl:DatatypeProperty . <urn:x> a owl:NamedIndividual ;\n"
        '  <urn:p> "2012"^^xsd:gYear , "2021-05-11"^^xsd:date , "1.5"^^xsd:decimal .\n', encoding="utf-8")
    violations = profile_violations(target)
    assert sorted(v.rsplit(": ", 1)[1] for v in violations) == ["xsd:date", "xsd:gYear"]


def test_owlready2_loads_the_ontology_with_its_imports_and_hermit_classifies_the_export(
        tmp_path: Path, owl_export: Path) -> None:
    write_ontology_files(tmp_path, owlxml=False)
    owlready2.onto_path.insert(0, str(tmp_path / "imports"))  # owl:imports resolve here, never downloaded
    try:
        world = owlready2.World()
        ontology = world.get_ontology(f"file://{tmp_path / 'mmkg.owl'}").load()
        assert [o.base_iri for o in ontology.imported_ontologies] == [
            "https://w3id.org/mmkg/imports/external-terms#"]
        assert world.search_one(iri="http://purl.obolibrary.org/obo/NCIT_C93150") is not None, "imported term"
        data = owlready2.World()
        data.get_ontology(f"file://{owl_export}").load()
        with data.get_ontology("urn:mmkg:inferred"):
            owlready2.sync_reasoner_hermit(data, infer_property_values=False, debug=0)
    finally:
        owlready2.onto_path.remove(str(tmp_path / "imports"))
    lenalidomide_based = data.search_one(iri="https://w3id.org/mmkg/resource/len-based-maintenance")
    assert lenalidomide_based is not None
    # The pooled regimens' anonymous restriction types are read as class expressions, not left unparsed.
    assert any(isinstance(c, owlready2.Restriction) for c in lenalidomide_based.is_a)
    assert "ImidBasedRegimen" in {c.name for c in lenalidomide_based.INDIRECT_is_a if hasattr(c, "name")}


def test_owl_xml_is_written_by_the_owl_api(tmp_path: Path) -> None:
    written = write_ontology_files(tmp_path)
    owx = tmp_path / "mmkg.owx"
    assert owx in written and owx.read_text(encoding="utf-8").lstrip().startswith("<?xml")
    assert 'ontologyIRI="https://w3id.org/mmkg/ontology"' in owx.read_text(encoding="utf-8")
    assert profile_violations(owx, tmp_path / "imports" / "external-terms.owx") == []


def test_owlready2_loads_the_ontology_from_the_release(release: Path) -> None:
    folder = release / "ontology"
    assert {p.name for p in folder.iterdir()} >= {"mmkg.ttl", "mmkg.rdf", "mmkg.owl", "imports"}
    owlready2.onto_path.insert(0, str(folder / "imports"))
    try:
        world = owlready2.World()
        ontology = world.get_ontology(f"file://{folder / 'mmkg.owl'}").load()
        assert len(ontology.imported_ontologies) == 1
        assert world.search_one(iri="http://purl.obolibrary.org/obo/STATO_0000245") is not None
    finally:
        owlready2.onto_path.remove(str(folder / "imports"))
