"""The property rules' share of ``graph:inferred``, source by source from the cache (:mod:`kg.pipeline.contexts`).

The reference graph's closure is cached under its RDF key and the ontology's bytes; each source's
context under its own RDF key, the reference's and the ontology's, so a rebuild closes only the
changed sources. When :func:`~kg.pipeline.contexts.merge` cannot prove the union exact, the rules run
on the whole graph (:func:`~kg.pipeline.contexts.whole`): the same triples.
"""

from __future__ import annotations

from collections.abc import Set as AbstractSet

from rdflib import BNode, Graph, URIRef
from rdflib.term import Node

from kg import paths
from kg.pipeline.cache import BuildCache, digest
from kg.pipeline.contexts import Reference, Rules, close_reference, close_source, merge, whole
from kg.pipeline.per_source import GraphPart, nquads
from kg.pipeline.rdfize import REFERENCE_GRAPH

__all__ = ["property_lines", "tbox_key"]

Triple = tuple[Node, Node, Node]


def tbox_key() -> str:
    """The ontology and its import module, by their bytes (the rules read nothing else of them)."""
    return digest(b"tbox\n", paths.ontology_file().read_bytes(), paths.imports_file().read_bytes())


def _reasoned(part: GraphPart, kept: AbstractSet[Node]) -> list[Triple]:
    return [t for t in part.triples if t[1] in kept or isinstance(t[0], BNode)]


def property_lines(graphs: dict[URIRef, GraphPart], tbox: Graph, kept: AbstractSet[Node],
                   cache: BuildCache, inferred: URIRef) -> bytes:
    """N-Quads lines (in graph ``inferred``) of what the property rules, the significance rule and the
    reverses of symmetric properties add to the union of ``graphs``."""
    rules = Rules(tbox)
    tkey = tbox_key()
    predicates = "\n".join(sorted(map(str, kept)))
    ref = graphs[REFERENCE_GRAPH]
    rkey = digest(b"context-reference\n", ref.key, tkey, predicates)
    reference: Reference | None = cache.get("context", rkey)
    if reference is None:
        reference = close_reference(rules, _reasoned(ref, kept), inferred)
        cache.put("context", rkey, reference)
    contexts = {REFERENCE_GRAPH: reference.context}
    indexes = None
    for name, part in graphs.items():
        if name == REFERENCE_GRAPH:
            continue
        key = digest(b"context-source\n", part.key, ref.key, tkey, predicates)
        context = cache.get("context", key)
        if context is None:
            indexes = indexes or reference.indexes()
            context = close_source(rules, reference, indexes, _reasoned(part, kept), inferred)
            cache.put("context", key, context)
        contexts[name] = context
    lines = merge(contexts, {name: part.nquads for name, part in graphs.items()}, inferred, kept)
    if lines is not None:
        return lines
    abox = Graph()
    for part in graphs.values():
        for triple in _reasoned(part, kept):
            abox.add(triple)
    return nquads(list(whole(tbox, abox)), inferred)
