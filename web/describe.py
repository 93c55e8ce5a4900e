"""What an entity page shows, gathered with SPARQL so that it works on any store behind the app.

One :class:`Entity` per IRI: label and definition, asserted and inferred types, every outgoing
property with labelled values (each value with the named graphs that state it, so inferred values
and the source of each fact can be shown), incoming links grouped by property with counts, the
external identifiers, and the findings that concern the entity.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox

from kg.identifiers import parse_curie
from kg.namespaces import PREFIXES
from kg.store import QueryStore, Term, term_to_python
from web.sparqlterms import iri_ref, values_clause

__all__ = ["Describer", "Entity", "FindingRow", "Identifier", "Incoming", "PropertyValues", "Value"]

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


@dataclass(frozen=True)
class Identifier:
    """An external identifier of the entity."""

    curie: str
    link: str
    vocabulary: str
    match: str  # exact, close, broad, narrow or xref
    confidence: str | None = None  # how the mapping was checked: verified, ...
    iri: str | None = None  # the identifier's IRI for linked data, where the vocabulary has one


@dataclass
class FindingRow:
    """One finding about the entity, flattened for the findings table and the forest plot."""

    iri: str
    label: str | None = None
    kind: str | None = None
    values: dict[str, Term] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)

    def get(self, key: str) -> str | int | float | bool | None:
        term = self.values.get(key)
        return None if term is None else term_to_python(term)

    def iri_of(self, key: str) -> str | None:
        term = self.values.get(key)
        return term.value if isinstance(term, ox.NamedNode) else None

    def label_of(self, key: str) -> str | None:
        iri = self.iri_of(key)
        return self.labels.get(iri, iri) if iri else None

    @property
    def significant(self) -> bool | None:
        """Significance as reported, else as the reasoner classified the interval, else unknown."""
        reported = self.get("isSignificant")
        if isinstance(reported, bool):
            return reported
        interval = self.iri_of("interval")
        if interval in (MMKG + "SignificantHazardReduction", MMKG + "SignificantRiskIncrease"):
            return True
        if interval == MMKG + "IntervalIncludesNoEffect":
            return False
        return None

    @property
    def is_ratio(self) -> bool:
        return all(k in self.values for k in ("estimate", "ciLower", "ciUpper"))


@dataclass
class Publication:
    """A publication a source cites, with its resolvable identifiers."""

    iri: str
    label: str | None
    citation: str | None
    links: list[tuple[str, str]]  # (CURIE, URL)


@dataclass
class SourceInfo:
    """A source document that states facts shown on the page."""

    id: str
    iri: str
    label: str | None
    kind: str | None
    publications: list[Publication]


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
    findings: list[FindingRow]
    provenance: list[SourceInfo] = field(default_factory=list)
    findings_total: int = 0
    """How many findings ``findings`` holds, or one more when there are more than it shows."""
    findings_query: str = ""
    """A query listing all of them, for the editor link when the table is cut."""


_FINDING_LINKS = ("intervention", "comparator", "endpoint", "fromStudy", "aboutDrug", "aboutRegimen",
                  "population", "fromSource", "arm", "adverseEvent")
# Every property here has mmkg:Finding as its domain, so no "?f a mmkg:Finding" (which made the
# engine start from all findings); each branch starts from the entity, not from a property path.
_FINDINGS = _PREFIX_DECL + """
SELECT DISTINCT ?f WHERE {
  VALUES ?e { %(entity)s }
  { %(links)s }
  UNION { ?r1 mmkg:hasComponent ?e . ?f mmkg:intervention ?r1 }
  UNION { ?r2 mmkg:hasComponent ?e . ?f mmkg:comparator ?r2 }
  UNION { ?a1 mmkg:receivesRegimen ?e . ?f mmkg:arm ?a1 }
  UNION { ?r3 mmkg:hasComponent ?e . ?a2 mmkg:receivesRegimen ?r3 . ?f mmkg:arm ?a2 }
  UNION { ?s1 mmkg:includesStudy ?e . ?f mmkg:fromStudy ?s1 }
}
LIMIT %(limit)d
"""


def _findings_sparql(ref: str, limit: int | None) -> str:
    """The findings linked to an entity: the first ``limit`` (for the page), or all in IRI order (for the editor)."""
    links = " UNION ".join(f"{{ ?f mmkg:{p} ?e }}" for p in _FINDING_LINKS)
    tail = f"LIMIT {limit}" if limit is not None else "ORDER BY ?f"
    return (_FINDINGS % {"links": links, "entity": ref, "limit": 0}).replace("LIMIT 0", tail).strip()


# Properties of a finding shown in the table, by local name.
_FINDING_FIELDS = {MMKG + k: k for k in (
    "endpoint", "intervention", "comparator", "arm", "estimate", "ciLower", "ciUpper", "ciLevel", "pValue",
    "pValueComparator", "isSignificant", "population", "fromSource", "locator", "statedAs", "value", "unit",
    "adverseEvent")} | {PREFIXES["rdfs"] + "label": "label"}
_INTERVAL_CLASSES = {MMKG + k for k in ("SignificantHazardReduction", "SignificantRiskIncrease",
                                        "IntervalIncludesNoEffect")}
# Generic kinds that a more specific asserted kind makes redundant.
_GENERIC_KINDS = {MMKG + k for k in ("Finding", "EffectEstimate", "RatioEstimate", "Statement")}


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
                rank = LABEL_PROPERTIES.index(row["p"].value) + 10 * lang_rank  # type: ignore[union-attr]
                iri = row["x"].value  # type: ignore[union-attr]
                if iri not in found or rank < found[iri][0]:
                    found[iri] = (rank, label.value)
        return {iri: label for iri, (_, label) in found.items()}

    def describe(self, iri: str) -> Entity | None:
        """The description of ``iri``, or None when the graph says nothing about it."""
        ref = iri_ref(iri)
        out_rows = self.store.query(f"SELECT ?g ?p ?o WHERE {{ GRAPH ?g {{ {ref} ?p ?o }} }}").rows
        incoming_counts = self.store.query(
            f"SELECT ?p (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s ?p {ref} }} GROUP BY ?p ORDER BY DESC(?n) ?p").rows
        if not out_rows and not incoming_counts:
            return None
        by_value: dict[tuple[str, Term], set[str]] = defaultdict(set)
        for row in out_rows:
            by_value[(row["p"].value, row["o"])].add(row["g"].value)  # type: ignore[union-attr]
        incoming: list[Incoming] = []
        for row in incoming_counts:
            predicate = row["p"].value  # type: ignore[union-attr]
            count = int(term_to_python(row["n"]))
            # No ORDER BY: sorting thousands of subjects of a hub to show 25 cost most of the page.
            subjects = self.store.query(
                f"SELECT DISTINCT ?s WHERE {{ ?s {iri_ref(predicate)} {ref} FILTER(isIRI(?s)) }} "
                f"LIMIT {INCOMING_SHOWN}").rows
            incoming.append(Incoming(predicate, None, count, sorted((_v(r["s"]), None) for r in subjects)))
        findings, findings_total = self._findings(ref)

        wanted = {iri} | {p for p, _ in by_value} | {o.value for _, o in by_value if isinstance(o, ox.NamedNode)}
        for inc in incoming:
            wanted |= {inc.predicate} | {s for s, _ in inc.subjects}
        for finding in findings:
            wanted |= {t.value for t in finding.values.values() if isinstance(t, ox.NamedNode)}
            wanted.add(finding.kind or "")
        labels = self.labels(wanted)
        for inc in incoming:
            inc.label = labels.get(inc.predicate)
            inc.subjects = [(s, labels.get(s)) for s, _ in inc.subjects]
        for finding in findings:
            finding.labels = labels

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
        finding_sources = (f.iri_of("source") or "" for f in findings)
        source_ids |= {s[len(PREFIXES["res"]):] for s in finding_sources if s.startswith(PREFIXES["res"])}
        return Entity(
            iri=iri, label=labels.get(iri), definition=_first_literal(grouped, DEFINITION_PROPERTIES),
            asserted_types=asserted, inferred_types=inferred, outgoing=outgoing, incoming=incoming,
            identifiers=_identifiers(self.store, ref, grouped), findings=findings,
            provenance=self.sources(sorted(source_ids)), findings_total=findings_total,
            findings_query=self.findings_query(ref),
        )

    @staticmethod
    def findings_query(ref: str) -> str:
        """All findings linked to an entity, as a query for the editor."""
        return _findings_sparql(ref, None)

    def sources(self, ids: list[str]) -> list[SourceInfo]:
        """The source documents ``s000``... with the publications they cite and their DOI/PMID links."""
        if not ids:
            return []
        iris = [PREFIXES["res"] + i for i in ids]
        query = f"""{_PREFIX_DECL}
SELECT ?source ?label ?kind ?pub ?pubLabel ?citation ?doi ?pmid ?pmcid WHERE {{
  {values_clause("source", iris)}
  OPTIONAL {{ ?source rdfs:label ?label }}
  OPTIONAL {{ ?source mmkg:documentKind ?kind }}
  OPTIONAL {{ ?source mmkg:cites ?pub .
             OPTIONAL {{ ?pub rdfs:label ?pubLabel }} OPTIONAL {{ ?pub dcterms:bibliographicCitation ?citation }}
             OPTIONAL {{ ?pub mmkg:doi ?doi }} OPTIONAL {{ ?pub mmkg:pmid ?pmid }}
             OPTIONAL {{ ?pub mmkg:pmcid ?pmcid }} }}
}} ORDER BY ?source ?pub"""
        found: dict[str, SourceInfo] = {}
        for row in self.store.query(query).rows:
            values = {k: str(term_to_python(v)) for k, v in row.items()}
            source = found.setdefault(values["source"], SourceInfo(
                values["source"][len(PREFIXES["res"]):], values["source"], values.get("label"), values.get("kind"),
                []))
            if "pub" in values and all(p.iri != values["pub"] for p in source.publications):
                links = []
                for key, prefix in (("doi", "doi"), ("pmid", "pubmed"), ("pmcid", "pmc")):
                    if key in values:
                        try:
                            curie = parse_curie(f"{prefix}:{values[key]}")
                        except ValueError:
                            continue
                        links.append((str(curie), curie.link))
                source.publications.append(Publication(values["pub"], values.get("pubLabel"),
                                                       values.get("citation"), links))
        return list(found.values())

    def _findings(self, ref: str) -> tuple[list[FindingRow], int]:
        """At most :attr:`max_findings` findings linked to the entity, and their number, or
        ``max_findings + 1`` when there are more (a hub drug of a large graph has tens of thousands:
        the page shows a bounded table and links to a query for all of them). No ORDER BY, so the
        engine stops after the first rows instead of sorting them all; the table is sorted after."""
        result = self.store.query(_findings_sparql(ref, self.max_findings + 1))
        ids = [_v(r["f"]) for r in result.rows]
        total = len(ids)  # max_findings + 1 means "more than max_findings": counting them all costs a full scan
        ids = ids[: self.max_findings]
        if not ids:
            return [], 0
        rows = {f: FindingRow(f) for f in ids}
        query = f"SELECT ?f ?g ?p ?o WHERE {{ {values_clause('f', ids)} GRAPH ?g {{ ?f ?p ?o }} }}"
        for row in self.store.query(query).rows:
            finding, graph, predicate, obj = rows[_v(row["f"])], _v(row["g"]), _v(row["p"]), row["o"]
            if predicate == RDF_TYPE:
                kind = _v(obj)
                if graph == INFERRED:
                    if kind in _INTERVAL_CLASSES:
                        finding.values["interval"] = obj
                elif kind.startswith(MMKG) and (finding.kind is None or finding.kind in _GENERIC_KINDS):
                    finding.kind = kind
            elif predicate in _FINDING_FIELDS:
                key = "source" if _FINDING_FIELDS[predicate] == "fromSource" else _FINDING_FIELDS[predicate]
                finding.values.setdefault(key, obj)
        for finding in rows.values():
            label = finding.values.get("label")
            finding.label = label.value if isinstance(label, ox.Literal) else None
        ordered = sorted(rows.values(), key=lambda f: (str(f.get("source") or ""), _locator_key(f.get("locator")),
                                                       f.iri))
        return ordered, total


def _locator_key(locator: object) -> tuple[int, ...]:
    """``p3.s2`` sorts before ``p10.s1``."""
    return tuple(int(n) for n in re.findall(r"\d+", str(locator or "")))


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


_MATCH_CURIES = {f"skos:{k}Match": k for k in ("exact", "close", "broad", "narrow")}


def _identifiers(store: QueryStore, ref: str, grouped: dict[str, list[Value]]) -> list[Identifier]:
    """External identifiers: ``mmkg:xref`` CURIEs, with the match kind and confidence of their mapping."""
    mappings: dict[str, tuple[str, str | None]] = {}
    query = (f"PREFIX mmkg: <{MMKG}> SELECT ?object ?predicate ?confidence WHERE {{ "
             f"?m mmkg:mappingSubject {ref} ; mmkg:mappingObject ?object ; mmkg:mappingPredicate ?predicate . "
             f"OPTIONAL {{ ?m mmkg:mappingConfidence ?confidence }} }}")
    for row in store.query(query).rows:
        confidence_term = row.get("confidence")
        mappings[str(term_to_python(row["object"]))] = (
            _MATCH_CURIES.get(str(term_to_python(row["predicate"])), "xref"),
            str(term_to_python(confidence_term)) if confidence_term is not None else None)
    found: list[Identifier] = []
    literals = [v.term.value for v in grouped.get(MMKG + "xref", []) if isinstance(v.term, ox.Literal)]
    for key, prefix in (("doi", "doi"), ("pmid", "pubmed"), ("pmcid", "pmc")):
        literals += [f"{prefix}:{v.term.value}" for v in grouped.get(MMKG + key, [])
                     if isinstance(v.term, ox.Literal)]
    for text in literals:
        try:
            curie = parse_curie(text)
        except ValueError:
            continue
        match, confidence = mappings.get(text, mappings.get(str(curie), ("xref", None)))
        found.append(Identifier(str(curie), curie.link, curie.info.name, match, confidence, curie.iri))
    return sorted(found, key=lambda i: (i.vocabulary.lower(), i.curie))
