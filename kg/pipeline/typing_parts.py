"""HermiT's input and the inferred types part by part, each part's share cached.

:func:`kg.pipeline.reasoning.reason` and :func:`~kg.pipeline.reasoning.entailed_closure` read one graph
of every type triple. Here each part (the reference, each source) lists once, under its RDF key and the
ontology's, the individuals it gives HermiT (:class:`Individual`: its drugs, regimens and ratio
estimates with their signatures); the input is assembled from those lists exactly as
:func:`~kg.pipeline.reasoning.reasoning_input` assembles it from the whole graph (the same
representatives: the first node of each signature in IRI order), and HermiT's answer is cached under
that input. Each part's inferred types (HermiT's, and the closure over the reasoned class hierarchy)
are cached under its key and the input's: a rebuild types only the changed parts. Every subject must
be described by one graph (a node's types then lie in one part); otherwise the caller types the whole
graph. ``tests/test_growth_contexts.py`` compares with the whole-graph functions.
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, XSD
from rdflib.plugins.serializers.nquads import _nq_row
from rdflib.plugins.serializers.nt import _nt_row
from rdflib.term import Node

from kg.namespaces import MMKG
from kg.pipeline.cache import BuildCache, digest
from kg.pipeline.outline import Outline
from kg.pipeline.per_source import GraphPart
from kg.pipeline.reasoning import (
    _ABOX_PREDICATES,
    _REASONED_TYPES,
    _closure,
    _estimate_signature,
    _external_classes,
    _hermit,
    _named_types,
    _stable_bnode,
    _superclasses,
    _thresholds,
)

__all__ = ["Individual", "hermit_input", "individuals", "type_lines"]

Triple = tuple[Node, Node, Node]


@dataclass(frozen=True)
class Individual:
    """What HermiT's input holds of one individual (when it is its signature's representative)."""

    node: URIRef
    signature: tuple[object, ...] | None
    triples: list[Triple]
    drug: bool
    components: int | None
    """The closure ``hasComponent max N Drug`` of a regimen that is not pooled, else None."""


def individuals(tbox: Graph, abox: Graph) -> list[Individual]:
    """The individuals of ``abox`` HermiT is asked about (as :func:`~kg.pipeline.reasoning.reasoning_input`)."""
    parents, thresholds = _superclasses(tbox), _thresholds(tbox)
    found = []
    for node in sorted(n for n in set(abox.subjects(RDF.type, None)) if isinstance(n, URIRef)):
        types = _closure(_named_types(abox, node), parents)
        if not types & _REASONED_TYPES:
            continue
        signature = None
        if MMKG.RatioEstimate in types and not types & {MMKG.Drug, MMKG.Regimen}:
            signature = _estimate_signature(abox, node, thresholds)
        triples: list[Triple] = []
        for rdf_type in abox.objects(node, RDF.type):
            triples.append((node, RDF.type, rdf_type))
            if isinstance(rdf_type, BNode):
                triples.extend(abox.triples((rdf_type, None, None)))
        for predicate in _ABOX_PREDICATES:
            triples.extend((node, predicate, value) for value in abox.objects(node, predicate))
        regimen = MMKG.Regimen in types and MMKG.PooledRegimen not in types
        components = len(set(abox.objects(node, MMKG.hasComponent))) if regimen else None
        found.append(Individual(node, signature, triples, MMKG.Drug in types, components))
    return found


def hermit_input(tbox: Graph, found: list[Individual]) -> tuple[Graph, dict[URIRef, list[URIRef]], list[Triple]]:
    """HermiT's input, the individuals each representative stands for, and the input's triples beyond the tbox."""
    groups: dict[URIRef, list[URIRef]] = {}
    by_signature: dict[tuple[object, ...], URIRef] = {}
    extra: list[Triple] = []
    drugs: list[Node] = []
    for one in sorted(found, key=lambda i: i.node):
        if one.signature is not None and one.signature in by_signature:
            groups[by_signature[one.signature]].append(one.node)
            continue
        if one.signature is not None:
            by_signature[one.signature] = one.node
        groups[one.node] = [one.node]
        extra.extend(one.triples)
        if one.drug:
            drugs.append(one.node)
        if one.components is not None:
            closure = _stable_bnode("closure", one.node)
            extra += [(closure, RDF.type, OWL.Restriction), (closure, OWL.onProperty, MMKG.hasComponent),
                      (closure, OWL.maxQualifiedCardinality,
                       Literal(one.components, datatype=XSD.nonNegativeInteger)),
                      (closure, OWL.onClass, MMKG.Drug), (one.node, RDF.type, closure)]
    if len(drugs) > 1:
        members = cell = _stable_bnode("members", RDF.nil)
        for index, drug in enumerate(sorted(drugs, key=str)):
            following: Node = _stable_bnode(f"cell{index + 1}", RDF.nil) if index + 1 < len(drugs) else RDF.nil
            extra += [(cell, RDF.first, drug), (cell, RDF.rest, following)]
            cell = following  # type: ignore[assignment]
        all_different = _stable_bnode("all-different", RDF.nil)
        extra += [(all_different, RDF.type, OWL.AllDifferent), (all_different, OWL.distinctMembers, members)]
    graph = Graph()
    for triple in tbox:
        if triple[1] != OWL.imports:
            graph.add(triple)
    for triple in extra:
        graph.add(triple)
    return graph, groups, extra


def _part_individuals(part: GraphPart, found: Outline, tbox: Graph, tkey: str, cache: BuildCache) -> list[Individual]:
    key = digest(b"individuals\n", part.key, tkey)
    hit: list[Individual] | None = cache.get("individuals", key)
    if hit is None:
        abox = Graph()
        for triple in found.typing:
            abox.add(triple)
        hit = individuals(tbox, abox)
        cache.put("individuals", key, hit)
    return hit


def type_lines(graphs: dict[URIRef, GraphPart], outlines: dict[URIRef, Outline], tbox: Graph, tkey: str,
               cache: BuildCache, inferred: URIRef) -> tuple[bytes, int, int]:
    """The inferred types and subclass edges as N-Quads lines in ``inferred``; how many individual types
    HermiT added and how many subclass edges."""
    found = [one for name, part in graphs.items()
             for one in _part_individuals(part, outlines[name], tbox, tkey, cache)]
    graph, groups, extra = hermit_input(tbox, found)
    input_key = digest(b"hermit-input-by-part\n", tkey, "".join(sorted(_nt_row(t) for t in extra)))
    answer: tuple[list[tuple[str, str]], list[tuple[str, str]]] | None = cache.get("hermit", input_key)
    if answer is None:
        answer = _hermit(tbox, graph, groups)
        cache.put("hermit", input_key, answer)
    types, edges = answer
    hermit: dict[Node, set[URIRef]] = {}
    for node_iri, type_iri in types:
        for member in groups.get(URIRef(node_iri), ()):
            hermit.setdefault(member, set()).add(URIRef(type_iri))
    parents = _superclasses(tbox)
    for child, parent in edges:
        parents[URIRef(child)].add(URIRef(parent))
    external = _external_classes(tbox)
    lines = [_nq_row((URIRef(c), RDFS.subClassOf, URIRef(p)), inferred) for c, p in edges]  # type: ignore[no-untyped-call]
    added = 0
    for name, part in graphs.items():
        key = digest(b"types\n", part.key, tkey, input_key)
        hit: tuple[bytes, int] | None = cache.get("types", key)
        if hit is None:
            hit = _types_of(outlines[name], hermit, parents, external, inferred)
            cache.put("types", key, hit)
        lines.append(hit[0].decode("utf-8"))
        added += hit[1]
    return "".join(lines).encode("utf-8", "replace"), added, len(edges)


def _types_of(found: Outline, hermit: dict[Node, set[URIRef]], parents: dict[URIRef, set[URIRef]],
              external: set[URIRef], inferred: URIRef) -> tuple[bytes, int]:
    asserted: dict[Node, set[URIRef]] = {}
    for s, p, o in found.typing:
        if p == RDF.type and isinstance(s, URIRef):
            known = asserted.setdefault(s, set())
            if isinstance(o, URIRef):
                known.add(o)
    rows: set[str] = set()
    added = 0
    ns = str(MMKG)
    for node, types in asserted.items():
        new = hermit.get(node, set()) - types
        added += len(new)
        every = types | new
        for rdf_type in new | (_closure(every, parents) - every):
            if rdf_type in new or str(rdf_type).startswith(ns) or rdf_type.startswith("http://www.w3.org/ns/prov#") \
                    or rdf_type in external:
                rows.add(_nq_row((node, RDF.type, rdf_type), inferred))  # type: ignore[no-untyped-call]
    return "".join(sorted(rows)).encode("utf-8", "replace"), added
