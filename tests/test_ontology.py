"""The ontology: documented terms, a closed namespace that matches it, OWL 2 alignments."""

from __future__ import annotations

from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from kg import paths
from kg.namespaces import MMKG

NS = "https://w3id.org/mmkg/"


def _ontology() -> Graph:
    return Graph().parse(paths.ontology_file(), format="turtle")


def _terms(graph: Graph) -> set[URIRef]:
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, OWL.NamedIndividual)
    return {s for kind in kinds for s in graph.subjects(RDF.type, kind)
            if isinstance(s, URIRef) and str(s).startswith(NS)}


def test_every_class_and_property_has_a_label_and_a_definition() -> None:
    graph = _ontology()
    terms = _terms(graph)
    assert len(terms) > 100
    for term in terms:
        assert graph.value(term, RDFS.label) is not None, term
        assert graph.value(term, SKOS.definition) is not None, term


def test_closed_namespace_matches_the_ontology() -> None:
    graph = _ontology()
    declared = {str(t)[len(NS):] for t in _terms(graph)}
    names = {name for name in MMKG.__annotations__}
    assert declared == names


def test_the_closed_namespace_refuses_typos() -> None:
    try:
        MMKG.HazzardRatio  # noqa: B018
    except AttributeError:
        return
    raise AssertionError("a misspelt term must raise")


def test_alignments_use_external_terms() -> None:
    graph = _ontology()
    matches = set(graph.objects(None, SKOS.exactMatch)) | set(graph.objects(None, SKOS.closeMatch))
    assert URIRef("http://purl.obolibrary.org/obo/STATO_0000245") in matches  # relative risk
    assert URIRef("http://purl.obolibrary.org/obo/OBI_0000175") in matches  # p-value
    assert URIRef("http://purl.obolibrary.org/obo/NCIT_C93150") in matches  # hazard ratio
    assert URIRef("http://purl.obolibrary.org/obo/CHEBI_52726") in matches  # proteasome inhibitor role
