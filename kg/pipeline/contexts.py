"""The property rules source by source: each source's inferred triples cached, exact for the whole graph.

:func:`kg.pipeline.property_rules.materialise_properties` and :func:`~kg.pipeline.property_rules.classify_significance`
run over the whole graph; on a rebuild that is most of the time spent. Here the reference graph R is
closed once (R*, cached under its key), and each source s is closed in its *context* R* ∪ s by
semi-naive evaluation seeded with s's triples alone (cached under s's RDF key, R's key and the
ontology's). The rules only join facts through a shared node; so the union of the contexts equals the
whole graph's closure unless a fact derived in one context can meet a fact of another. Which facts
could: in a chain or transitive rule, every premise but the first has its join node as subject (the
JOIN predicates); the significance, population, active-regimen and reported-by rules read facts of
one subject at a time (the READ predicates) and two of them join at a study or a regimen. So each
context records its derived or asserted READ/JOIN facts whose subject is not its own, and the
subjects of its JOIN facts; :func:`merge` accepts the union only when no context has the first, no
JOIN subject is mentioned by another graph, and no subject is described by two graphs (then the
proof goes through: a derivation whose premises come from two contexts would need one). Otherwise
the build falls back to the whole-graph rules (:func:`whole`), which give the same triples, slower.
A derived triple whose subject another graph owns is checked against that graph's own N-Quads
(a source may assert what another's rule derives). ``tests/test_growth_contexts.py`` compares with the
whole-graph rules, crossings included.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field

from rdflib import BNode, Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS
from rdflib.plugins.serializers.nquads import _nq_row
from rdflib.term import Node

from kg.namespaces import MMKG
from kg.pipeline.property_rules import _chains, _close, _pairs, classify_significance, materialise_properties

__all__ = ["Context", "Reference", "Rules", "close_reference", "close_source", "merge", "whole"]

Triple = tuple[Node, Node, Node]
Pairs = dict[URIRef, set[tuple[Node, Node]]]

_NS = str(MMKG)
_READ = frozenset({MMKG.population, MMKG.fromStudy, MMKG.fromSource, MMKG.aboutTrial, MMKG.isSignificant,
                   MMKG.ciLower, MMKG.ciUpper, RDF.type, MMKG.inferredByCurator, MMKG.regimen})
_REPLACED = frozenset({MMKG.concernsDrug, MMKG.activeRegimen})


class Rules:
    """The ontology's property axioms, indexed by the predicate of a new fact."""

    def __init__(self, tbox: Graph) -> None:
        self.tbox = tbox
        self.supers: dict[Node, list[URIRef]] = defaultdict(list)
        self.inverses: dict[Node, list[URIRef]] = defaultdict(list)
        for p, q in tbox.subject_objects(RDFS.subPropertyOf):
            if isinstance(p, URIRef) and isinstance(q, URIRef):
                self.supers[p].append(q)
        for p, q in tbox.subject_objects(OWL.inverseOf):
            if isinstance(p, URIRef) and isinstance(q, URIRef):
                self.inverses[p].append(q)
                self.inverses[q].append(p)
        self.symmetric = {p for p in tbox.subjects(RDF.type, OWL.SymmetricProperty) if isinstance(p, URIRef)}
        chains = _chains(tbox) + [(p, [p, p]) for p in tbox.subjects(RDF.type, OWL.TransitiveProperty)
                                  if isinstance(p, URIRef)]
        self.positions: dict[Node, list[tuple[URIRef, list[URIRef], int]]] = defaultdict(list)
        self.join: set[Node] = {MMKG.studiesPopulation}
        for head, steps in chains:
            for k, step in enumerate(steps):
                self.positions[step].append((head, steps, k))
            self.join.update(steps[1:])


class _Index:
    def __init__(self) -> None:
        self.pairs: Pairs = defaultdict(set)
        self.out: dict[Node, dict[Node, set[Node]]] = defaultdict(lambda: defaultdict(set))
        self.into: dict[Node, dict[Node, set[Node]]] = defaultdict(lambda: defaultdict(set))

    def add(self, p: URIRef, s: Node, o: Node) -> None:
        self.pairs[p].add((s, o))
        self.out[p][s].add(o)
        self.into[p][o].add(s)

    @classmethod
    def of(cls, pairs: Pairs) -> _Index:
        index = cls()
        for p, values in pairs.items():
            for s, o in values:
                index.add(p, s, o)
        return index


def _extend(rules: Rules, base: _Index, seeds: Iterable[Triple]) -> _Index:
    """The facts the rules add to the closed ``base`` with ``seeds`` (semi-naive), seeds included."""
    local = _Index()
    queue: list[tuple[URIRef, Node, Node]] = []

    def add(p: URIRef, s: Node, o: Node) -> None:
        if (s, o) in base.pairs.get(p, ()) or (s, o) in local.pairs.get(p, ()):
            return
        local.add(p, s, o)
        queue.append((p, s, o))

    def step(index_name: str, p: URIRef, nodes: set[Node]) -> set[Node]:
        found: set[Node] = set()
        for index in (base, local):
            table = getattr(index, index_name).get(p)
            if table:
                for n in nodes:
                    found.update(table.get(n, ()))
        return found

    for s, p, o in seeds:
        if isinstance(p, URIRef):
            add(p, s, o)
    while queue:
        p, s, o = queue.pop()
        for q in rules.supers.get(p, ()):
            add(q, s, o)
        for q in rules.inverses.get(p, ()):
            add(q, o, s)
        if p in rules.symmetric:
            add(p, o, s)
        for head, steps, k in rules.positions.get(p, ()):
            lefts, rights = {s}, {o}
            for before in reversed(steps[:k]):
                lefts = step("into", before, lefts)
            for after in steps[k + 1:]:
                rights = step("out", after, rights)
            for a in lefts:
                for c in rights:
                    add(head, a, c)
    return local


def _stated(triples: list[Triple]) -> list[Triple]:
    marked = {(s, o) for s, p, o in triples if p == MMKG.inferredByCurator}
    return [t for t in triples if (t[0], t[1]) not in marked]


@dataclass
class Reference:
    """R*: the reference graph's closure (all links and stated links), its types and its own derived triples."""

    closed: Pairs
    stated: Pairs
    no_active: set[Node]
    context: Context

    def indexes(self) -> tuple[_Index, _Index]:
        return _Index.of(self.closed), _Index.of(self.stated)


@dataclass
class Context:
    """What one graph's context adds: its inferred N-Quads lines (own subjects), derived triples about other
    graphs' subjects, and what :func:`merge` needs to prove the union exact."""

    lines: bytes
    foreign: list[Triple]
    own: frozenset[str]
    mentions: frozenset[str]
    join_subjects: frozenset[str]
    """Nodes as N3 (``<iri>``, ``_:id``): cheap to load from the cache."""
    crossing: bool
    notes: list[str] = field(default_factory=list)


def _summary(triples: list[Triple]) -> tuple[set[Node], frozenset[str]]:
    own = {t[0] for t in triples}
    mentions = frozenset(n.n3() for t in triples for n in (t[0], t[2])
                         if isinstance(n, URIRef | BNode) and n not in own and t[1] != RDF.type)
    return own, mentions


def _context(triples: list[Triple], derived: Iterable[Triple], join: Iterable[Triple], read: Iterable[Triple],
             inferred: URIRef) -> Context:
    own, mentions = _summary(triples)
    mine: list[Triple] = []
    foreign: list[Triple] = []
    for t in set(derived):
        (mine if t[0] in own else foreign).append(t)
    joined = {t[0] for t in join}
    crossing = any(t[0] not in own for t in read) or not joined <= own
    rows = sorted(_nq_row(t, inferred) for t in mine)  # type: ignore[no-untyped-call]
    return Context("".join(rows).encode("utf-8", "replace"), foreign, frozenset(n.n3() for n in own), mentions,
                   frozenset(n.n3() for n in joined), crossing)


def _outputs(rules: Rules, triples: list[Triple], full: _Index, stated: _Index, closed_full: Pairs,
             closed_stated: Pairs, no_active: set[Node]) -> tuple[set[Triple], list[Triple], list[Triple]]:
    """The derived triples (before the asserted ones are taken out), the JOIN facts and the READ facts."""
    asserted = set(triples)
    pairs = full.pairs
    out: set[Triple] = set()
    for p, values in pairs.items():
        if str(p).startswith(_NS) and p not in _REPLACED:
            out.update((s, p, o) for s, o in values)
    out.update((s, MMKG.concernsDrug, o) for s, o in stated.pairs.get(MMKG.concernsDrug, ()))
    out.update((f, MMKG.activeRegimen, r) for f, r in pairs.get(MMKG.regimen, ()) if r not in no_active)
    studied: dict[Node, set[Node]] = defaultdict(set)
    for source in (closed_full, pairs):
        for study, population in source.get(MMKG.studiesPopulation, ()):
            studied[study].add(population)
    has_population = {f for f, _ in pairs.get(MMKG.population, ())}
    for f, study in pairs.get(MMKG.fromStudy, ()):
        if f not in has_population:
            out.update((f, MMKG.population, p) for p in studied.get(study, ()))
    sources: dict[Node, set[Node]] = defaultdict(set)
    for f, source_node in pairs.get(MMKG.fromSource, ()):
        sources[f].add(source_node)
    for f, trial in pairs.get(MMKG.aboutTrial, ()):
        out.update((trial, MMKG.reportedBy, s) for s in sources[f])
    graph = Graph()
    for t in triples:
        graph.add(t)
    out.update(classify_significance(graph))
    for p in rules.symmetric:
        out.update((o, p, s) for s, pp, o in triples if pp == p)
    out -= asserted
    join: list[Triple] = [(s, p, o) for index in (full, stated) for p, values in index.pairs.items() if p in rules.join
            for s, o in values]
    join += [t for t in triples if t[1] == RDF.type and t[2] == MMKG.NoActiveTreatment]
    read: list[Triple] = [(s, p, o) for index in (full, stated) for p, values in index.pairs.items() if p in _READ
            for s, o in values]
    return out, join, read


def close_reference(rules: Rules, triples: list[Triple], inferred: URIRef) -> Reference:
    """R* and the reference graph's own context (``triples``: its triples of the reasoned predicates)."""
    graph = Graph()
    for t in triples:
        graph.add(t)
    closed = _close(rules.tbox, _pairs(graph, stated_only=False))
    stated = _close(rules.tbox, _pairs(graph, stated_only=True))
    no_active = {s for s, p, o in triples if p == RDF.type and o == MMKG.NoActiveTreatment}
    derived = set(materialise_properties(rules.tbox, graph)) | set(classify_significance(graph))
    derived.update((o, p, s) for p in rules.symmetric for s, pp, o in triples if pp == p)
    derived -= set(triples)
    read = [(s, p, o) for p, values in closed.items() if p in _READ for s, o in values]
    context = _context(triples, derived, [], read, inferred)
    return Reference(dict(closed), dict(stated), no_active, context)


def close_source(rules: Rules, reference: Reference, indexes: tuple[_Index, _Index], triples: list[Triple],
                 inferred: URIRef) -> Context:
    """One source's context (``triples``: its triples of the reasoned predicates)."""
    full = _extend(rules, indexes[0], triples)
    stated = _extend(rules, indexes[1], _stated(triples))
    no_active = reference.no_active | {s for s, p, o in triples if p == RDF.type and o == MMKG.NoActiveTreatment}
    out, join, read = _outputs(rules, triples, full, stated, reference.closed, reference.stated, no_active)
    return _context(triples, out, join, read, inferred)


def merge(contexts: dict[URIRef, Context], nquads: dict[URIRef, bytes], inferred: URIRef,
          kept: AbstractSet[Node]) -> bytes | None:
    """The inferred lines of every context, or None when the union is not provably the whole graph's.

    ``nquads``: each graph's own lines; ``kept``: the predicates the rules were given (a triple of another
    predicate asserted elsewhere is not taken out, as in the whole-graph rules)."""
    if any(c.crossing for c in contexts.values()):
        return None
    owner: dict[str, URIRef] = {}
    for name, c in contexts.items():
        for node in c.own:
            if owner.setdefault(node, name) != name:
                return None  # a subject two graphs describe
    mentioned: set[str] = set()
    for c in contexts.values():
        mentioned |= c.mentions
    if any(c.join_subjects & mentioned for c in contexts.values()):
        return None
    lines = [c.lines for c in contexts.values()]
    extra: set[str] = set()
    for c in contexts.values():
        for t in c.foreign:
            row: str = _nq_row(t, inferred)  # type: ignore[no-untyped-call]
            home = owner.get(t[0].n3())
            if home is not None:
                there: str = _nq_row(t, home)  # type: ignore[no-untyped-call]
                if (t[1] in kept or isinstance(t[0], BNode)) and _has_line(nquads[home], there):
                    continue  # asserted by its subject's graph
                if _has_line(contexts[home].lines, row):
                    continue  # derived by its subject's graph too
            extra.add(row)
    return b"".join(lines) + "".join(sorted(extra)).encode("utf-8", "replace")


def _has_line(data: bytes, row: str) -> bool:
    line = row.encode("utf-8", "replace")
    return data.startswith(line) or b"\n" + line in data


def whole(tbox: Graph, abox: Graph) -> Graph:
    """The whole-graph rules (the fallback, and what the contexts must equal)."""
    found = materialise_properties(tbox, abox) + classify_significance(abox)
    for p in tbox.subjects(RDF.type, OWL.SymmetricProperty):
        for s, o in abox.subject_objects(p):
            if (o, p, s) not in abox:
                found.add((o, p, s))
    return found
