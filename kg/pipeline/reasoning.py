"""Reason over the graph with HermiT (through owlready2) and materialise what it infers.

HermiT sees only what it needs: the ontology (TBox) plus the individuals the defined classes are
about (drugs, regimens, ratio estimates) with the assertions that matter to them. Two kinds of
axiom are added for it:

* ``owl:AllDifferentIndividuals`` over the drugs, since OWL does not assume unique names and a
  combination regimen must count two *different* drugs;
* for every active regimen, a closure ``hasComponent max N Drug``: the curated component list is
  complete, which is what lets HermiT classify a one-drug regimen as a monotherapy.

Ratio estimates do not refer to each other, so HermiT is given one estimate per *signature*
(asserted types, and where each interval limit lies relative to the ontology's facet bounds) and
its types are applied to every estimate sharing it: HermiT's time then depends on the variety of
estimates, not their number (100k synthetic triples: 50 s → a few seconds).

What comes back (individuals' new types, new subclass edges) is written to the ``inferred`` named
graph, together with the closure of every individual's types over the (reasoned) class hierarchy
and the reverse of symmetric properties, so that SPARQL users can ask ``?x a mmkg:Finding``
without a reasoner of their own, and can tell inferred triples from asserted ones by graph.

The TBox includes the import module (``ontology/imports/external-terms.ttl``): the external
classes with their direct parents, and our alignments to them (``mmkg:HazardRatioEstimate
rdfs:subClassOf NCIT:C93150``; a drug typed with its verified ChEBI class). Types from those
classes are kept too, so ``?x a obo:STATO_0000245`` finds our risk-ratio estimates.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, XSD
from rdflib.term import Node

from kg.errors import BuildError, ReasonerUnavailable
from kg.namespaces import MMKG
from kg.pipeline.cache import BuildCache, digest

__all__ = ["ReasonerResult", "java_executable", "reason", "reasoned_predicates", "reasoning_input", "representatives"]

_ABOX_PREDICATES = {MMKG.hasComponent, MMKG.ciLower, MMKG.ciUpper}
_REASONED_TYPES = {MMKG.Drug, MMKG.Regimen, MMKG.RatioEstimate}


@dataclass
class ReasonerResult:
    """What HermiT inferred, before merging into the graph."""

    inferred: Graph
    individual_types: int
    subclass_edges: int
    seconds: float


def java_executable() -> str:
    """The Java runtime HermiT will use.

    :raises ReasonerUnavailable: with one line saying how to install one.
    """
    home = os.environ.get("JAVA_HOME")
    candidates = [str(Path(home) / "bin" / "java")] if home else []
    candidates.append("java")
    for candidate in candidates:
        found = shutil.which(candidate)
        if found:
            return found
    raise ReasonerUnavailable(
        "No Java runtime found: HermiT needs one. Install it (Debian/Ubuntu: apt-get install -y "
        "default-jre-headless; macOS: brew install openjdk) or set JAVA_HOME."
    )


def _named_types(graph: Graph, node: URIRef) -> set[URIRef]:
    return {t for t in graph.objects(node, RDF.type) if isinstance(t, URIRef)}


def _superclasses(tbox: Graph) -> dict[URIRef, set[URIRef]]:
    parents: dict[URIRef, set[URIRef]] = defaultdict(set)
    for child, parent in tbox.subject_objects(RDFS.subClassOf):
        if isinstance(child, URIRef) and isinstance(parent, URIRef):
            parents[child].add(parent)
    return parents


def _closure(start: set[URIRef], parents: dict[URIRef, set[URIRef]]) -> set[URIRef]:
    seen: set[URIRef] = set()
    stack = list(start)
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        stack.extend(parents.get(current, ()))
    return seen


_FACETS = (XSD.minInclusive, XSD.maxInclusive, XSD.minExclusive, XSD.maxExclusive)


def _thresholds(tbox: Graph) -> list[Decimal]:
    """Every bound of a datatype facet in the ontology (1.0 for the interval classes)."""
    found = set()
    for facet in _FACETS:
        for value in tbox.objects(None, facet):
            try:
                found.add(Decimal(str(value)))
            except InvalidOperation:
                continue
    return sorted(found)


def _estimate_signature(abox: Graph, node: URIRef, thresholds: list[Decimal]) -> tuple[object, ...] | None:
    """What HermiT's classification of a ratio estimate can depend on: its asserted types, and where
    each interval limit lies relative to every facet bound of the ontology (below, at or above).
    Estimates with the same signature are classified alike. None when a limit is not a number."""
    if any(not isinstance(t, URIRef) for t in abox.objects(node, RDF.type)):
        return None  # a restriction as a type: HermiT must see this one itself
    limits: list[object] = []
    for predicate in (MMKG.ciLower, MMKG.ciUpper):
        for value in sorted(abox.objects(node, predicate), key=str):
            if not isinstance(value, Literal):
                return None
            try:
                number = Decimal(str(value))
            except InvalidOperation:
                return None
            limits.append((str(predicate), str(value.datatype),
                           tuple((number > t) - (number < t) for t in thresholds)))
    return (frozenset(_named_types(abox, node)), tuple(limits))


def reasoning_input(tbox: Graph, abox: Graph) -> tuple[Graph, set[URIRef]]:
    """The graph handed to HermiT, and the individuals it is asked about (see :func:`representatives`)."""
    graph, groups = _reasoning_input(tbox, abox)
    return graph, set(groups)


def representatives(tbox: Graph, abox: Graph) -> dict[URIRef, list[URIRef]]:
    """The individuals HermiT is asked about, each with the individuals whose types it stands for.

    Drugs and regimens stand for themselves (they are linked to each other). Ratio estimates are
    independent of one another, so one estimate stands for all that share its
    :func:`_estimate_signature`: at 100k triples that is tens of estimates instead of a thousand,
    and HermiT's realisation time (linear in the individuals) no longer grows with the graph.
    """
    return _reasoning_input(tbox, abox)[1]


def _reasoning_input(tbox: Graph, abox: Graph, group_estimates: bool = True
                     ) -> tuple[Graph, dict[URIRef, list[URIRef]]]:
    parents = _superclasses(tbox)
    thresholds = _thresholds(tbox)
    groups: dict[URIRef, list[URIRef]] = {}
    by_signature: dict[tuple[object, ...], URIRef] = {}
    for node in sorted(n for n in set(abox.subjects(RDF.type, None)) if isinstance(n, URIRef)):
        types = _closure(_named_types(abox, node), parents)
        if not types & _REASONED_TYPES:
            continue
        signature = None
        if group_estimates and MMKG.RatioEstimate in types and not types & {MMKG.Drug, MMKG.Regimen}:
            signature = _estimate_signature(abox, node, thresholds)
        if signature is not None and signature in by_signature:
            groups[by_signature[signature]].append(node)
            continue
        if signature is not None:
            by_signature[signature] = node
        groups[node] = [node]
    selected = set(groups)
    graph = Graph()
    for triple in tbox:
        if triple[1] != OWL.imports:  # the import module is merged in already; owlready2 would fetch it
            graph.add(triple)
    drugs: list[Node] = []
    for node in selected:
        for rdf_type in abox.objects(node, RDF.type):
            graph.add((node, RDF.type, rdf_type))
            if isinstance(rdf_type, BNode):  # a restriction typing a pooled regimen
                for triple in abox.triples((rdf_type, None, None)):
                    graph.add(triple)
        for predicate in _ABOX_PREDICATES:
            for value in abox.objects(node, predicate):
                graph.add((node, predicate, value))
        types = _closure(_named_types(abox, node), parents)
        if MMKG.Drug in types:
            drugs.append(node)
        components = set(abox.objects(node, MMKG.hasComponent))
        if MMKG.Regimen in types and MMKG.PooledRegimen not in types:
            closure = _stable_bnode("closure", node)
            graph.add((closure, RDF.type, OWL.Restriction))
            graph.add((closure, OWL.onProperty, MMKG.hasComponent))
            graph.add((closure, OWL.maxQualifiedCardinality,
                       Literal(len(components), datatype=XSD.nonNegativeInteger)))
            graph.add((closure, OWL.onClass, MMKG.Drug))
            graph.add((node, RDF.type, closure))
    if len(drugs) > 1:
        members = _stable_bnode("members", RDF.nil)
        cell = members
        for index, drug in enumerate(sorted(drugs, key=str)):  # the list's cells named, so the input is stable
            following = _stable_bnode(f"cell{index + 1}", RDF.nil) if index + 1 < len(drugs) else RDF.nil
            graph.add((cell, RDF.first, drug))
            graph.add((cell, RDF.rest, following))
            cell = following  # type: ignore[assignment]
        all_different = _stable_bnode("all-different", RDF.nil)
        graph.add((all_different, RDF.type, OWL.AllDifferent))
        graph.add((all_different, OWL.distinctMembers, members))
    return graph, groups


def _stable_bnode(role: str, node: Node) -> BNode:
    """A blank node named from what it stands for: the same input graph, the same bytes (cache key)."""
    return BNode(f"{role}{hashlib.sha256(str(node).encode()).hexdigest()[:24]}")


def _input_key(graph: Graph) -> str:
    """A digest of the reasoner's input, independent of the order rdflib keeps triples in and of the
    names of blank nodes (the ontology's restrictions get new ones at every parse)."""
    from rdflib.compare import to_isomorphic

    return digest(b"hermit-input\n", str(to_isomorphic(graph).graph_digest()))  # type: ignore[no-untyped-call]


def _java_cause(message: str) -> str:
    """The first line of a Java stack trace that says what went wrong."""
    for line in message.splitlines():
        if "Exception" in line:
            return line.strip()
    return message.strip() or "unknown error"


def reason(tbox: Graph, abox: Graph, group_estimates: bool = True, cache: BuildCache | None = None
           ) -> ReasonerResult:
    """Classify with HermiT and return the inferred triples.

    ``group_estimates=False`` gives HermiT every ratio estimate (the tests compare both ways). Given
    a ``cache``, HermiT's answer for an input it has seen (same ontology, drugs, regimens and
    estimate signatures, byte for byte) is reused and Java is not started.

    :raises ReasonerUnavailable: when no Java runtime is found.
    :raises BuildError: when the ontology and facts are inconsistent, naming the cause.
    """
    started = time.perf_counter()
    graph, groups = _reasoning_input(tbox, abox, group_estimates)
    asserted_types = {member: _named_types(abox, member) for members in groups.values() for member in members}
    key = _input_key(graph) if cache is not None else ""
    answer: tuple[list[tuple[str, str]], list[tuple[str, str]]] | None = \
        cache.get("hermit", key) if cache is not None else None
    if answer is None:
        answer = _hermit(tbox, graph, groups)
        if cache is not None:
            cache.put("hermit", key, answer)
    types, edges = answer
    inferred = Graph()
    individual_types = 0
    for node_iri, type_iri in types:
        for member in groups.get(URIRef(node_iri), ()):  # the representative's types hold for its whole group
            if URIRef(type_iri) not in asserted_types[member]:
                inferred.add((member, RDF.type, URIRef(type_iri)))
                individual_types += 1
    for child, parent in edges:
        inferred.add((URIRef(child), RDFS.subClassOf, URIRef(parent)))
    return ReasonerResult(inferred, individual_types, len(edges), time.perf_counter() - started)


def _hermit(tbox: Graph, graph: Graph, groups: dict[URIRef, list[URIRef]]
            ) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Run HermiT on ``graph``: each asked-about individual's types, and the new subclass edges (as IRIs)."""
    import owlready2  # imported here: it is only needed when the build reasons

    owlready2.JAVA_EXE = java_executable()
    parents_before = _superclasses(tbox)
    world = owlready2.World()
    with tempfile.TemporaryDirectory(prefix="mmkg-reason-") as tmp:
        path = Path(tmp) / "input.nt"
        graph.serialize(path, format="nt", encoding="utf-8")
        world.get_ontology(path.as_uri()).load(format="ntriples")
        try:
            owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
        except owlready2.OwlReadyInconsistentOntologyError as exc:
            raise BuildError(f"the ontology and facts are inconsistent according to HermiT: {exc}") from exc
        except owlready2.OwlReadyJavaError as exc:
            raise BuildError(f"HermiT failed: {_java_cause(str(exc))}") from exc

    ns = str(MMKG)
    external = _external_classes(tbox)
    types: list[tuple[str, str]] = []
    for node in sorted(groups):
        individual = world[str(node)]
        if individual is None:
            continue
        for cls in individual.is_a:
            iri = getattr(cls, "iri", None)
            if iri is not None and (iri.startswith(ns) or URIRef(iri) in external):
                types.append((str(node), iri))
    edges: list[tuple[str, str]] = []
    for cls in world.classes():
        if not cls.iri.startswith(ns):
            continue
        for parent in cls.is_a:
            parent_iri = getattr(parent, "iri", None)
            if parent_iri is None or parent_iri == str(OWL.Thing):
                continue
            if URIRef(parent_iri) not in parents_before.get(URIRef(cls.iri), set()):
                edges.append((cls.iri, parent_iri))
    return types, sorted(set(edges))


def _external_classes(tbox: Graph) -> set[URIRef]:
    """The imported classes (ChEBI, MONDO, HPO, STATO, ...): types of those are kept in the inferred graph."""
    return {c for c in tbox.subjects(RDF.type, OWL.Class)
            if isinstance(c, URIRef) and not str(c).startswith(str(MMKG))}


def reasoned_predicates(tbox: Graph) -> set[URIRef]:
    """Every predicate whose triples the reasoning steps read: types, the reasoner's inputs, the
    significance rule's, and every property named in a property axiom (sub-property, inverse,
    chain, transitive, symmetric). The build hands these steps only those triples: the same
    results as the whole graph's (each step ignores every other predicate), for a fraction of it."""
    from rdflib.collection import Collection

    found: set[URIRef] = {RDF.type, MMKG.isSignificant, *_ABOX_PREDICATES}
    for axiom in (RDFS.subPropertyOf, OWL.inverseOf):
        for p, q in tbox.subject_objects(axiom):
            found.update(n for n in (p, q) if isinstance(n, URIRef))
    for kind in (OWL.TransitiveProperty, OWL.SymmetricProperty):
        found.update(p for p in tbox.subjects(RDF.type, kind) if isinstance(p, URIRef))
    for prop, head in tbox.subject_objects(OWL.propertyChainAxiom):
        found.update(n for n in (prop, *Collection(tbox, head)) if isinstance(n, URIRef))
    return found


def entailed_closure(tbox: Graph, abox: Graph, inferred: Graph) -> Graph:
    """Types implied by the reasoned class hierarchy and reverses of symmetric properties."""
    parents = _superclasses(tbox)
    for child, parent in inferred.subject_objects(RDFS.subClassOf):
        if isinstance(child, URIRef) and isinstance(parent, URIRef):
            parents[child].add(parent)
    extra = Graph()
    typed: dict[URIRef, set[URIRef]] = defaultdict(set)
    for graph in (abox, inferred):
        for node, rdf_type in graph.subject_objects(RDF.type):
            if isinstance(node, URIRef) and isinstance(rdf_type, URIRef):
                typed[node].add(rdf_type)
    ns = str(MMKG)
    external = _external_classes(tbox)
    for node, types in typed.items():
        for rdf_type in _closure(types, parents) - types:
            if str(rdf_type).startswith(ns) or rdf_type.startswith("http://www.w3.org/ns/prov#") \
                    or rdf_type in external:
                extra.add((node, RDF.type, rdf_type))
    symmetric = set(tbox.subjects(RDF.type, OWL.SymmetricProperty))
    for prop in symmetric:
        for subject, obj in abox.subject_objects(prop):
            if (obj, prop, subject) not in abox:
                extra.add((obj, prop, subject))
    return extra
