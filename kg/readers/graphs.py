"""The store reads behind the entity, named-graph, home and editor pages: an entity's triples as RDF,
a named graph's size, triples and subjects, the editor's default query and the entities it completes.
(The web package composes no SPARQL: it calls these.)"""

from __future__ import annotations

import pyoxigraph as ox

from kg.namespaces import PREFIXES
from kg.query.store import QueryStore, term_to_python, value_of
from kg.readers.sparqlterms import iri_ref

__all__ = ["DEFAULT_EDITOR_QUERY", "completion_entities", "description_triples", "graph_size", "graph_subjects",
           "graph_triples"]

DEFAULT_EDITOR_QUERY = """PREFIX mmkg: <https://w3id.org/mmkg/>
PREFIX res: <https://w3id.org/mmkg/resource/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>

# Hazard ratios with their confidence intervals and where each was stated
SELECT ?finding ?interventionLabel ?endpointLabel ?hr ?lower ?upper ?source ?locator WHERE {
  ?finding a mmkg:HazardRatioEstimate ;
           mmkg:intervention/rdfs:label ?interventionLabel ;
           mmkg:endpoint/rdfs:label ?endpointLabel ;
           mmkg:estimate ?hr ; mmkg:ciLower ?lower ; mmkg:ciUpper ?upper ;
           mmkg:fromSource ?source ; mmkg:locator ?locator .
}
ORDER BY ?hr
"""
"""What the SPARQL editor opens with."""

_ENTITIES = f"""PREFIX mmkg: <{PREFIXES['mmkg']}> PREFIX rdfs: <{PREFIXES['rdfs']}>
PREFIX skos: <{PREFIXES['skos']}>
SELECT ?e ?label ?type ?name WHERE {{
  VALUES ?type {{ mmkg:Drug mmkg:Regimen mmkg:Study mmkg:Endpoint mmkg:AdverseEvent mmkg:Population }}
  ?e a ?type ; rdfs:label ?label .
  OPTIONAL {{ ?e skos:altLabel ?name }}
}} LIMIT 5000"""


def description_triples(store: QueryStore, iri: str, limit: int | None = None) -> list[ox.Triple]:
    """Triples with ``iri`` as subject or object."""
    ref = iri_ref(iri)
    result = store.query(f"CONSTRUCT {{ {ref} ?p ?o . ?s ?q {ref} }} WHERE {{ "
                         f"{{ {ref} ?p ?o }} UNION {{ ?s ?q {ref} }} }}", limit=limit)
    return result.triples or []


def graph_size(store: QueryStore, graph_iri: str) -> int:
    """How many triples the named graph holds (0: no such graph)."""
    rows = store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {iri_ref(graph_iri)} {{ ?s ?p ?o }} }}").rows
    return int(str(term_to_python(rows[0]["n"])))


def graph_triples(store: QueryStore, graph_iri: str, limit: int | None = None) -> list[ox.Triple]:
    """The named graph's triples (up to ``limit``)."""
    return store.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {iri_ref(graph_iri)} {{ ?s ?p ?o }} }}",
                       limit=limit).triples or []


def graph_subjects(store: QueryStore, graph_iri: str, limit: int = 500) -> list[str]:
    """The IRI subjects of the named graph, sorted, at most ``limit``."""
    rows = store.query(f"SELECT DISTINCT ?s WHERE {{ GRAPH {iri_ref(graph_iri)} {{ ?s ?p ?o }} FILTER(isIRI(?s)) }} "
                       f"ORDER BY ?s LIMIT {int(limit)}").rows
    return [value_of(r, "s") for r in rows]


def completion_entities(store: QueryStore) -> list[tuple[str, str, str, str | None]]:
    """(IRI, label, type IRI, synonym or None) of the drugs, regimens, studies, endpoints, adverse
    events and populations the editor completes."""
    return [(value_of(r, "e"), value_of(r, "label"), value_of(r, "type"),
             value_of(r, "name") if "name" in r else None) for r in store.query(_ENTITIES).rows]
