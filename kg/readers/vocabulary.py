"""The ontology as the app needs it: classes and properties with labels, definitions, hierarchy,
domains and ranges, alignments, and defined classes written in Manchester syntax.

Read from whatever store the app serves (a few SPARQL queries), so a graph brought with
``--graph`` gets its own vocabulary pages too.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox

from kg.namespaces import PREFIXES, compact, compact_any
from kg.query.store import QueryStore, Term, value_of

__all__ = ["ExternalLabel", "VocabTerm", "Vocabulary"]

_RDF, _RDFS, _OWL, _SKOS = PREFIXES["rdf"], PREFIXES["rdfs"], PREFIXES["owl"], PREFIXES["skos"]
_KINDS = {
    _OWL + "Class": "class", _RDFS + "Class": "class", _OWL + "ObjectProperty": "object property",
    _OWL + "DatatypeProperty": "datatype property", _OWL + "AnnotationProperty": "annotation property",
    _RDF + "Property": "property",
}
_FIELDS = {
    _RDFS + "label": "label", _SKOS + "definition": "definition", _RDFS + "comment": "comment",
    _RDFS + "subClassOf": "parents", _RDFS + "subPropertyOf": "parents", _RDFS + "domain": "domain",
    _RDFS + "range": "range", _SKOS + "exactMatch": "exact", _SKOS + "closeMatch": "close",
    _SKOS + "broadMatch": "broad", _SKOS + "narrowMatch": "narrow", _OWL + "equivalentClass": "equivalent",
    _OWL + "inverseOf": "inverse",
}
_QUERY = f"""
SELECT ?s ?kind ?p ?o ?g WHERE {{
  VALUES ?kind {{ {' '.join(f'<{k}>' for k in _KINDS)} }}
  ?s a ?kind . FILTER(isIRI(?s))
  OPTIONAL {{ VALUES ?p {{ {' '.join(f'<{p}>' for p in _FIELDS)} }} GRAPH ?g {{ ?s ?p ?o }} }}
}}
"""
_BLANK = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o FILTER(isBlank(?s)) }"
_COUNTS = "SELECT ?c (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x a ?c } GROUP BY ?c"
_INFERRED = PREFIXES["graph"] + "inferred"
_IMPORTS = PREFIXES["graph"] + "imports"
_ENRICHMENT = PREFIXES["graph"] + "enrichment/"
_NOTATIONS = f"SELECT ?t ?n WHERE {{ GRAPH <{_IMPORTS}> {{ ?t <{_SKOS}notation> ?n }} }}"
_EXTERNAL = f"""
SELECT ?t ?label ?g WHERE {{
  GRAPH ?g {{ ?t <{_RDFS}label> ?label }}
  FILTER(?g = <{_IMPORTS}> || STRSTARTS(STR(?g), "{_ENRICHMENT}"))
}}
"""


@dataclass(frozen=True)
class ExternalLabel:
    """A label of an external term, and where it comes from."""

    label: str
    source: str  # "import module" or "enrichment: <profile>"


@dataclass
class VocabTerm:
    """A class or property."""

    iri: str
    kind: str
    label: str | None = None
    definition: str | None = None
    parents: list[tuple[str, bool]] = field(default_factory=list)  # (IRI, inferred)
    domain: list[str] = field(default_factory=list)
    range: list[str] = field(default_factory=list)
    alignments: list[tuple[str, str]] = field(default_factory=list)  # (match kind, IRI)
    definitions: list[str] = field(default_factory=list)  # equivalentClass expressions, Manchester syntax
    instances: int = 0

    @property
    def curie(self) -> str:
        return compact(self.iri)


class Vocabulary:
    """Every class and property declared in the store."""

    def __init__(self, store: QueryStore, blank_limit: int = 50_000) -> None:
        terms: dict[str, VocabTerm] = {}
        equivalents: dict[str, list[Term]] = defaultdict(list)
        for row in store.query(_QUERY).rows:
            iri = value_of(row, "s")
            kind = _KINDS[value_of(row, "kind")]
            term = terms.get(iri)
            if term is None:
                term = terms[iri] = VocabTerm(iri, kind)
            elif term.kind == "property" or (term.kind == "class" and kind != "class"):
                term.kind = kind if kind != "class" else term.kind
            if "p" not in row:
                continue
            name, obj = _FIELDS[value_of(row, "p")], row["o"]
            inferred = value_of(row, "g") == _INFERRED
            if name in ("label", "definition", "comment") and isinstance(obj, ox.Literal):
                if name == "label" and (term.label is None or obj.language in ("en", "")):
                    term.label = obj.value
                elif name != "label" and (term.definition is None or name == "definition"):
                    term.definition = obj.value
            elif name == "equivalent":
                equivalents[iri].append(obj)
            elif isinstance(obj, ox.NamedNode):
                if name == "parents" and obj.value != iri and (obj.value, False) not in term.parents:
                    if not inferred or (obj.value, True) not in term.parents:
                        term.parents.append((obj.value, inferred))
                elif name in ("domain", "range"):
                    getattr(term, name).append(obj.value)
                elif name in ("exact", "close", "broad", "narrow"):
                    term.alignments.append((name, obj.value))
        for term in terms.values():
            # A parent stated in an asserted graph is asserted even if the reasoner restates it.
            asserted = {p for p, inf in term.parents if not inf}
            term.parents = sorted({(p, inf) for p, inf in term.parents if not inf or p not in asserted})
        self.terms = terms
        blank = store.query(_BLANK, limit=blank_limit).triples or []
        self._blank: dict[str, list[tuple[str, Term]]] = defaultdict(list)
        for triple in blank:
            self._blank[str(triple.subject)].append((triple.predicate.value, triple.object))
        for iri, objects in equivalents.items():
            terms[iri].definitions = [self.manchester(o) for o in objects]
        for row in store.query(_COUNTS).rows:
            c = row["c"]
            if isinstance(c, ox.NamedNode) and c.value in terms:
                terms[c.value].instances = int(value_of(row, "n"))
        self._ancestors: dict[str, set[str]] = {}
        self.external: dict[str, list[ExternalLabel]] = defaultdict(list)
        self.notations: dict[str, str] = {}  # CURIE -> IRI of every imported term
        self._curies: dict[str, str] = {}
        for row in store.query(_NOTATIONS).rows:
            self.notations[value_of(row, "n")] = value_of(row, "t")
            self._curies.setdefault(value_of(row, "t"), value_of(row, "n"))
        for row in store.query(_EXTERNAL).rows:
            iri, graph, label = value_of(row, "t"), value_of(row, "g"), row["label"]
            if isinstance(label, ox.Literal) and label.language not in (None, "", "en"):
                continue
            source = "import module" if graph == _IMPORTS else "enrichment: " + graph[len(_ENRICHMENT):]
            found = ExternalLabel(value_of(row, "label"), source)
            if found not in self.external[iri]:
                self.external[iri].append(found)

    def external_labels(self, iri: str | None, curie: str | None = None) -> list[ExternalLabel]:
        """Labels of an external term by IRI, or by CURIE (vocabularies without IRIs), imports first."""
        if iri is None or iri not in self.external:
            iri = self.notations.get(curie or "", iri)
        return sorted(self.external.get(iri or "", []), key=lambda e: (e.source != "import module", e.source))

    def curie_of(self, iri: str) -> str:
        """The CURIE of an external term (its ``skos:notation``), else the IRI compacted with the project's
        converter (:func:`kg.namespaces.compact_any`)."""
        return self._curies.get(iri) or compact_any(iri)

    def is_imported(self, iri: str) -> bool:
        """Whether the term is one of the import module's external terms."""
        return iri in self._curies

    def is_ours(self, iri: str) -> bool:
        return iri.startswith(PREFIXES["mmkg"])

    def __contains__(self, iri: object) -> bool:
        return iri in self.terms

    def label(self, iri: str) -> str:
        """The label of a term, or its local name."""
        term = self.terms.get(iri)
        if term is not None and term.label:
            return term.label
        return iri.rstrip("/#").rsplit("/", 1)[-1].rsplit("#", 1)[-1]

    def ancestors(self, iri: str) -> set[str]:
        """All superclasses (or superproperties), asserted or inferred."""
        if iri not in self._ancestors:
            seen: set[str] = set()
            stack = [p for p, _ in self.terms[iri].parents] if iri in self.terms else []
            while stack:
                parent = stack.pop()
                if parent not in seen:
                    seen.add(parent)
                    if parent in self.terms:
                        stack.extend(p for p, _ in self.terms[parent].parents)
            self._ancestors[iri] = seen
        return self._ancestors[iri]

    def most_specific(self, types: set[str]) -> str:
        """The type of ``types`` that no other one of them is a subclass of (ours first)."""
        candidates = [t for t in types if not any(t in self.ancestors(o) for o in types if o != t)]
        ours = [t for t in candidates if t.startswith(PREFIXES["mmkg"])]
        return sorted(ours or candidates or sorted(types))[0]

    def classes(self) -> list[VocabTerm]:
        return sorted((t for t in self.terms.values() if t.kind == "class"), key=lambda t: self.label(t.iri).lower())

    def properties(self) -> list[VocabTerm]:
        return sorted((t for t in self.terms.values() if t.kind != "class"), key=lambda t: self.label(t.iri).lower())

    def children(self) -> dict[str, list[str]]:
        """Direct subclasses (asserted or inferred) of each class."""
        found: dict[str, list[str]] = defaultdict(list)
        for term in self.classes():
            for parent, _ in term.parents:
                found[parent].append(term.iri)
        return found

    def manchester(self, node: Term, depth: int = 0) -> str:
        """A class expression in Manchester syntax (the subset our ontology uses, and more)."""
        if isinstance(node, ox.NamedNode):
            return compact(node.value)
        if isinstance(node, ox.Literal):
            return node.value if node.datatype.value.startswith(PREFIXES["xsd"]) else f'"{node.value}"'
        if depth > 12 or not isinstance(node, ox.BlankNode):
            return "…"
        props = dict(self._blank.get(str(node), []))
        owl = _OWL

        def sub(term: Term) -> str:
            text = self.manchester(term, depth + 1)
            return f"({text})" if " " in text and not text.startswith(("(", "{", "[")) else text

        for key, word in ((owl + "intersectionOf", " and "), (owl + "unionOf", " or ")):
            if key in props:
                return word.join(sub(m) for m in self._list(props[key]))
        if owl + "complementOf" in props:
            return "not " + sub(props[owl + "complementOf"])
        if owl + "oneOf" in props:
            return "{" + ", ".join(self.manchester(m, depth + 1) for m in self._list(props[owl + "oneOf"])) + "}"
        if owl + "onProperty" in props:
            prop = self.manchester(props[owl + "onProperty"], depth + 1)
            for key, word in ((owl + "someValuesFrom", "some"), (owl + "allValuesFrom", "only"),
                              (owl + "hasValue", "value")):
                if key in props:
                    return f"{prop} {word} {sub(props[key])}"
            for key, word in (("qualifiedCardinality", "exactly"), ("minQualifiedCardinality", "min"),
                              ("maxQualifiedCardinality", "max"), ("cardinality", "exactly"),
                              ("minCardinality", "min"), ("maxCardinality", "max")):
                if owl + key in props:
                    target = props.get(owl + "onClass") or props.get(owl + "onDataRange")
                    suffix = f" {sub(target)}" if target is not None else ""
                    return f"{prop} {word} {self.manchester(props[owl + key], depth + 1)}{suffix}"
        if owl + "onDatatype" in props:
            facets = []
            for restriction in self._list(props.get(owl + "withRestrictions")):
                for facet, value in self._blank.get(str(restriction), []):
                    symbol = {"minInclusive": ">=", "minExclusive": ">", "maxInclusive": "<=",
                              "maxExclusive": "<"}.get(facet.rsplit("#", 1)[-1], compact(facet))
                    facets.append(f"{symbol} {self.manchester(value, depth + 1)}")
            return f"{self.manchester(props[owl + 'onDatatype'], depth + 1)}[{', '.join(facets)}]"
        return "[]"

    def _list(self, head: Term | None) -> list[Term]:
        items: list[Term] = []
        while isinstance(head, ox.BlankNode) and len(items) < 1000:
            props = dict(self._blank.get(str(head), []))
            if _RDF + "first" not in props:
                break
            items.append(props[_RDF + "first"])
            head = props.get(_RDF + "rest")
        return items
