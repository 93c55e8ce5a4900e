"""Counts of what the graph holds, computed once per app (home page, VoID)."""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from kg.namespaces import PREFIXES
from kg.query.store import QueryStore, term_to_python, value_of

__all__ = ["DatasetStats", "SourceSummary"]

_SOURCES = f"""
PREFIX mmkg: <{PREFIXES['mmkg']}>
PREFIX rdfs: <{PREFIXES['rdfs']}>
PREFIX dcterms: <{PREFIXES['dcterms']}>
SELECT ?source ?label ?citation ?kind (COUNT(DISTINCT ?f) AS ?findings) WHERE {{
  ?source a mmkg:SourceDocument .
  OPTIONAL {{ ?source rdfs:label ?label }}
  OPTIONAL {{ ?source dcterms:bibliographicCitation ?citation }}
  OPTIONAL {{ ?source mmkg:documentKind ?kind }}
  OPTIONAL {{ ?f mmkg:fromSource ?source }}
}} GROUP BY ?source ?label ?citation ?kind ORDER BY ?source
"""


@dataclass(frozen=True)
class SourceSummary:
    """One source document and how many findings were curated from it."""

    iri: str
    label: str
    citation: str | None
    kind: str | None
    findings: int


@dataclass(frozen=True)
class DatasetStats:
    """Sizes by named graph and by class, and the sources."""

    triples: int
    subjects: int
    graphs: list[tuple[str, int]]
    classes: list[tuple[str, int]]
    properties: int
    sources: list[SourceSummary]

    @classmethod
    def compute(cls, store: QueryStore) -> DatasetStats:
        def rows(query: str) -> list[dict[str, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple]]:
            return store.query(query).rows

        graphs = [(value_of(r, "g"), int(term_to_python(r["n"])))
                  for r in rows("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g")]
        classes = [(value_of(r, "c"), int(term_to_python(r["n"])))
                   for r in rows("SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c FILTER(isIRI(?c)) } "
                                 "GROUP BY ?c ORDER BY DESC(?n) ?c")]
        subjects = int(term_to_python(rows("SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o }")[0]["n"]))
        properties = int(term_to_python(rows("SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?s ?p ?o }")[0]["n"]))
        sources = []
        for r in rows(_SOURCES):
            label, citation, kind = (r.get(k) for k in ("label", "citation", "kind"))
            sources.append(SourceSummary(
                value_of(r, "source"), label.value if isinstance(label, ox.Literal) else value_of(r, "source"),
                citation.value if isinstance(citation, ox.Literal) else None,
                kind.value if isinstance(kind, ox.Literal) else None, int(term_to_python(r["findings"]))))
        return cls(len(store), subjects, graphs, classes, properties, sources)
