"""What an entity page shows, gathered with SPARQL so that it works on any store behind the app.

One :class:`Entity` per IRI: label and definition, asserted and inferred types, every outgoing
property with labelled values (each value with the named graphs that state it, so inferred values
and the source of each fact can be shown), incoming links grouped by property with counts, the
external identifiers, and the findings that concern the entity.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox

from kg.evidence.gather import Finding
from kg.namespaces import PREFIXES
from kg.query.store import QueryStore, Term, term_to_python, value_of
from kg.readers.citations import Identifier, SourceInfo, identifiers_of, sources_info
from kg.readers.findings import findings_about, findings_sparql
from kg.readers.sparqlterms import iri_ref, values_clause

__all__ = ["Describer", "Entity", "Incoming", "PropertyValues", "Value", "graph_sparql", "incoming_sparql",
           "instances_sparql"]

MMKG = PREFIXES["mmkg"]
RDF_TYPE = PREFIXES["rdf"] + "type"
INFERRED = PREFIXES["graph"] + "inferred"
SOURCE_GRAPH = PREFIXES["graph"] + "source/"
LABEL_PROPERTIES = (PREFIXES["rdfs"] + "label", PREFIXES["skos"] + "prefLabel", PREFIXES["dcterms"] + "title")
DEFINITION_PROPERTIES = (PREFIXES["skos"] + "definition", PREFIXES["dcterms"] + "description",
                         PREFIXES["rdfs"] + "comment")
_PREFIX_DECL = "\n".join(f"PREFIX {p}: <{ns}>" for p, ns in PREFIXES.items())
INCOMING_SHOWN = 25


@dataclass(frozen=True)
class Value:
    """One value of a property, with the graphs that state it."""

    term: Term
    label: str | None
    graphs: frozenset[str]

    @property
    def inferred(self) -> bool:
        """Stated only by the reasoner."""
        return self.graphs == {INFERRED}

    @property
    def sources(self) -> list[str]:
        """Source ids (``s001``) of the source graphs that state the value."""
        return sorted(g[len(SOURCE_GRAPH):] for g in self.graphs if g.startswith(SOURCE_GRAPH))


@dataclass
class PropertyValues:
    """An outgoing property and its values."""

    predicate: str
    label: str | None
    values: list[Value]


@dataclass
class Incoming:
    """Subjects that link to the entity through one property."""

    predicate: str
    label: str | None
    count: int
    subjects: list[tuple[str, str | None]]


@dataclass
class Entity:
    """Everything an entity page shows."""

    iri: str
    label: str | None
    definition: str | None
    asserted_types: list[tuple[str, str | None]]
    inferred_types: list[tuple[str, str | None]]
    outgoing: list[PropertyValues]
    incoming: list[Incoming]
    identifiers: list[Identifier]
    findings: list[Finding]
    provenance: list[SourceInfo] = field(default_factory=list)
    findings_total: int = 0
    """How many findings ``findings`` holds, or one more when there are more than it shows."""
    findings_query: str = ""
    """A query listing all of them, for the editor link when the table is cut."""




class Describer:
    """Gathers :class:`Entity` descriptions from a store."""

    def __init__(self, store: QueryStore, max_findings: int = 50) -> None:
        self.store = store
        self.max_findings = max_findings

    def labels(self, iris: set[str]) -> dict[str, str]:
        """Labels (rdfs:label, skos:prefLabel or dcterms:title; English or untagged first) of IRIs."""
        found: dict[str, tuple[int, str]] = {}
        named = sorted(i for i in iris if i)
        for start in range(0, len(named), 200):
            chunk = named[start:start + 200]
            # One branch per label property, so that the engine looks each IRI up by subject (a
            # VALUES over the properties made it scan every triple: 200 ms at 1M triples).
            branches = " UNION ".join(f"{{ ?x {iri_ref(p)} ?l BIND({iri_ref(p)} AS ?p) }}" for p in LABEL_PROPERTIES)
            query = f"SELECT ?x ?p ?l WHERE {{ {values_clause('x', chunk)} {branches} }}"
            for row in self.store.query(query).rows:
                label = row["l"]
                if not isinstance(label, ox.Literal):
                    continue
                lang_rank = 0 if label.language in (None, "", "en") else 1
                rank = LABEL_PROPERTIES.index(value_of(row, "p")) + 10 * lang_rank
                iri = value_of(row, "x")
                if iri not in found or rank < found[iri][0]:
                    found[iri] = (rank, label.value)
        return {iri: label for iri, (_, label) in found.items()}

    def describe(self, iri: str, *, findings_from: Iterable[str] | None = None) -> Entity | None:
        """The description of ``iri``, or None when the graph says nothing about it.

        :param findings_from: the sources of the findings about ``iri`` when the caller already knows
            them (the web app's evidence index does); the findings are then not looked up again,
            which on a hub of a large graph is most of the page's queries.
        """
        ref = iri_ref(iri)
        out_rows = self.store.query(f"SELECT ?g ?p ?o WHERE {{ GRAPH ?g {{ {ref} ?p ?o }} }}").rows
        incoming_counts = self.store.query(
            f"SELECT ?p (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s ?p {ref} }} GROUP BY ?p ORDER BY DESC(?n) ?p").rows
        if not out_rows and not incoming_counts:
            return None
        by_value: dict[tuple[str, Term], set[str]] = defaultdict(set)
        for row in out_rows:
            by_value[(value_of(row, "p"), row["o"])].add(value_of(row, "g"))
        incoming: list[Incoming] = []
        for row in incoming_counts:
            predicate = value_of(row, "p")
            count = int(term_to_python(row["n"]))
            # No ORDER BY: sorting thousands of subjects of a hub to show 25 cost most of the page.
            subjects = self.store.query(
                f"SELECT DISTINCT ?s WHERE {{ ?s {iri_ref(predicate)} {ref} FILTER(isIRI(?s)) }} "
                f"LIMIT {INCOMING_SHOWN}").rows
            incoming.append(Incoming(predicate, None, count, sorted((_v(r["s"]), None) for r in subjects)))
        findings, findings_total = (findings_about(self.store, ref, self.max_findings) if findings_from is None
                                    else ([], 0))

        wanted = {iri} | {p for p, _ in by_value} | {o.value for _, o in by_value if isinstance(o, ox.NamedNode)}
        for inc in incoming:
            wanted |= {inc.predicate} | {s for s, _ in inc.subjects}
        labels = self.labels(wanted)  # findings carry their own labels (kg.evidence.gather.Finding)
        for inc in incoming:
            inc.label = labels.get(inc.predicate)
            inc.subjects = [(s, labels.get(s)) for s, _ in inc.subjects]

        grouped: dict[str, list[Value]] = defaultdict(list)
        for (predicate, obj), graphs in by_value.items():
            label = labels.get(obj.value) if isinstance(obj, ox.NamedNode) else None
            grouped[predicate].append(Value(obj, label, frozenset(graphs)))
        types = grouped.pop(RDF_TYPE, [])
        outgoing = [PropertyValues(p, labels.get(p), sorted(vs, key=_value_key)) for p, vs in grouped.items()]
        outgoing.sort(key=lambda pv: (_predicate_rank(pv.predicate), (pv.label or pv.predicate).lower()))
        asserted = sorted((_v(v.term), v.label) for v in types if not v.inferred)
        inferred = sorted((_v(v.term), v.label) for v in types if v.inferred)
        source_ids = {sid for values in grouped.values() for v in values for sid in v.sources}
        source_ids |= {sid for v in types for sid in v.sources}
        source_ids |= {f.source for f in findings if f.source}
        source_ids |= set(findings_from or ())
        return Entity(
            iri=iri, label=labels.get(iri), definition=_first_literal(grouped, DEFINITION_PROPERTIES),
            asserted_types=asserted, inferred_types=inferred, outgoing=outgoing, incoming=incoming,
            identifiers=identifiers_of(self.store, ref, {p: [v.term for v in vs] for p, vs in grouped.items()}),
            findings=findings,
            provenance=sources_info(self.store, sorted(source_ids)), findings_total=findings_total,
            findings_query=self.findings_query(ref),
        )

    def sources(self, ids: list[str]) -> list[SourceInfo]:
        """The source documents ``s000``... with the publications they cite and their DOI/PMID links."""
        return sources_info(self.store, ids)

    @staticmethod
    def findings_query(ref: str) -> str:
        """All findings linked to an entity, as a query for the editor."""
        return findings_sparql(ref, None)

def _v(term: Term) -> str:
    """The IRI (or lexical form) of a term."""
    return str(term_to_python(term))


def _value_key(value: Value) -> tuple[int, str]:
    return (0 if isinstance(value.term, ox.NamedNode) else 1, (value.label or str(value.term)).lower())


_FIRST = [PREFIXES["rdfs"] + "label", PREFIXES["skos"] + "definition", PREFIXES["rdfs"] + "comment"]


def _predicate_rank(predicate: str) -> int:
    if predicate in _FIRST:
        return _FIRST.index(predicate)
    return 5 if predicate.startswith(MMKG) else 10


def _first_literal(grouped: dict[str, list[Value]], properties: tuple[str, ...]) -> str | None:
    for prop in properties:
        for value in grouped.get(prop, []):
            if isinstance(value.term, ox.Literal):
                return value.term.value
    return None




def instances_sparql(class_iri: str) -> str:
    """The instances of a class with their labels, for the editor."""
    return (f"PREFIX rdfs: <{PREFIXES['rdfs']}>\n"
            f"SELECT ?x ?label WHERE {{ ?x a {iri_ref(class_iri)} OPTIONAL {{ ?x rdfs:label ?label }} }}\n"
            "ORDER BY ?label")


def incoming_sparql(predicate: str, iri: str) -> str:
    """Every subject linking to ``iri`` through ``predicate``, for the editor."""
    return f"SELECT ?s WHERE {{ ?s {iri_ref(predicate)} {iri_ref(iri)} }}"


def graph_sparql(graph_iri: str) -> str:
    """The first triples of a named graph, for the editor."""
    return f"SELECT ?s ?p ?o WHERE {{ GRAPH {iri_ref(graph_iri)} {{ ?s ?p ?o }} }} LIMIT 100"
