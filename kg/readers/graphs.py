"""The store reads behind the entity, named-graph, home and editor pages: an entity's triples as RDF,
a named graph's size, triples and subjects, and the entities the editor completes.
(The web package composes no SPARQL: it calls these.)"""

from __future__ import annotations

from functools import cached_property

import pyoxigraph as ox

from kg.namespaces import PREFIXES
from kg.query.store import QueryStore, term_to_python, value_of
from kg.readers.sparqlterms import iri_ref

__all__ = ["ParameterChoices", "completion_entities", "description_triples", "graph_size",
           "graph_subjects", "graph_triples"]

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


_KIND_WORDS = {"drug": "Drug", "regimen": "Regimen", "intervention": "Regimen", "comparator": "Regimen",
               "study": "Study", "trial": "Study", "endpoint": "Endpoint", "outcome": "Endpoint",
               "adverseevent": "AdverseEvent", "ae": "AdverseEvent", "event": "AdverseEvent",
               "population": "Population"}


class ParameterChoices:
    """The entities an IRI parameter of a saved query can name, by label, for a form's pick list:
    those of the kind the parameter's name says (``drug`` -> drugs), else every entity the editor completes."""

    def __init__(self, store: QueryStore) -> None:
        self._store = store

    @cached_property
    def _by_kind(self) -> dict[str, dict[str, str]]:
        found: dict[str, dict[str, str]] = {}
        for iri, label, type_iri, _ in completion_entities(self._store):
            found.setdefault(type_iri.rsplit("/", 1)[-1], {}).setdefault(iri, label)
        return found

    def for_parameter(self, name: str) -> list[tuple[str, str, str]]:
        """(``res:`` CURIE or IRI, label, kind) sorted by label.

        The kind is read from the parameter's name: ``drug``, ``endpoint``, ``adverseEvent`` ...
        """
        key = name.replace("_", "").replace("-", "").lower()
        kind = next((k for word, k in _KIND_WORDS.items() if key == word or key.endswith(word)), None)
        kinds = [kind] if kind in self._by_kind else sorted(self._by_kind)
        res = PREFIXES["res"]
        found = {(("res:" + iri[len(res):]) if iri.startswith(res) else iri, label, k)
                 for k in kinds if k is not None for iri, label in self._by_kind.get(k, {}).items()}
        return sorted(found, key=lambda c: (c[1].lower(), c[0]))
