"""The SPARQL 1.1 Service Description of the endpoint, true to its configuration.

Federation (``sd:BasicFederatedQuery``) is described only when ``SERVICE`` may call an endpoint
(``--service-allow``); the result formats are those the endpoint writes (:mod:`kg.query.results`), each
by its W3C ``formats:`` IRI; the predeclared prefixes as SHACL prefix declarations; the named graphs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pyoxigraph as ox

from kg.namespaces import PREFIXES
from kg.query.results import GRAPH_FORMATS, RESULT_FORMATS

__all__ = ["FORMAT_IRIS", "service_triples"]

SD = "http://www.w3.org/ns/sparql-service-description#"
_FORMATS = "http://www.w3.org/ns/formats/"
_SHACL = "http://www.w3.org/ns/shacl#"
#: media type -> the W3C format IRI (https://www.w3.org/ns/formats/) that names it.
FORMAT_IRIS: dict[str, str] = {
    "application/sparql-results+json": "SPARQL_Results_JSON", "application/sparql-results+xml": "SPARQL_Results_XML",
    "text/csv": "SPARQL_Results_CSV", "text/tab-separated-values": "SPARQL_Results_TSV",
    "text/turtle": "Turtle", "application/n-triples": "N-Triples", "application/ld+json": "JSON-LD",
    "application/rdf+xml": "RDF_XML", "application/n-quads": "N-Quads", "application/trig": "TriG", "text/n3": "N3",
}


def service_triples(endpoint: str, graphs: Iterable[ox.NamedNode], *, federated: bool,
                    prefixes: Mapping[str, str]) -> list[ox.Triple]:
    """The description of the endpoint at ``endpoint`` holding the named ``graphs``.

    >>> triples = service_triples("http://x/sparql", [], federated=False, prefixes={})
    >>> any(t.object.value.endswith("BasicFederatedQuery") for t in triples)
    False
    """
    service, dataset = ox.BlankNode("service"), ox.BlankNode("dataset")
    a = ox.NamedNode(PREFIXES["rdf"] + "type")

    def sd(name: str) -> ox.NamedNode:
        return ox.NamedNode(SD + name)

    triples = [
        ox.Triple(service, a, sd("Service")),
        ox.Triple(service, sd("endpoint"), ox.NamedNode(endpoint)),
        ox.Triple(service, sd("supportedLanguage"), sd("SPARQL11Query")),
        ox.Triple(service, sd("feature"), sd("UnionDefaultGraph")),
        ox.Triple(service, sd("defaultDataset"), dataset),
        ox.Triple(dataset, a, sd("Dataset")),
    ]
    if federated:  # SERVICE is refused unless --service-allow names an endpoint
        triples.append(ox.Triple(service, sd("feature"), sd("BasicFederatedQuery")))
    for media in [*RESULT_FORMATS, *GRAPH_FORMATS]:
        if media in FORMAT_IRIS:
            triples.append(ox.Triple(service, sd("resultFormat"), ox.NamedNode(_FORMATS + FORMAT_IRIS[media])))
    for i, (prefix, namespace) in enumerate(sorted(prefixes.items())):  # SHACL prefix declarations
        declaration = ox.BlankNode(f"prefix{i}")
        triples += [ox.Triple(service, ox.NamedNode(_SHACL + "declare"), declaration),
                    ox.Triple(declaration, ox.NamedNode(_SHACL + "prefix"), ox.Literal(prefix)),
                    ox.Triple(declaration, ox.NamedNode(_SHACL + "namespace"),
                              ox.Literal(namespace, datatype=ox.NamedNode(PREFIXES["xsd"] + "anyURI")))]
    for i, graph in enumerate(graphs):
        named = ox.BlankNode(f"g{i}")
        triples += [ox.Triple(dataset, sd("namedGraph"), named), ox.Triple(named, sd("name"), graph)]
    return triples
