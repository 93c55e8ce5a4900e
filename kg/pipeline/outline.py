"""What the build needs of a source's graph on a rebuild, without its triples (cached beside them).

Unpickling every source's triples costs more than a rebuild may; SHACL by source and HermiT's input
need only part of them: each graph's subjects, the triples HermiT and the type closure read (types,
``hasComponent``, the interval limits, blank nodes' triples), the triples of the predicates a shape
follows backwards or that are symmetric, the nodes its triples point to, and whether it holds a class
axiom. An :class:`Outline` holds those, cached under the part's RDF key and the backward predicates.
"""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from dataclasses import dataclass

from rdflib import BNode, URIRef
from rdflib.namespace import RDF, RDFS
from rdflib.term import Node

from kg.namespaces import MMKG
from kg.pipeline.cache import BuildCache, digest
from kg.pipeline.per_source import GraphPart

__all__ = ["TYPING", "Outline", "outline"]

Triple = tuple[Node, Node, Node]

TYPING = frozenset({RDF.type, MMKG.hasComponent, MMKG.ciLower, MMKG.ciUpper})
"""What HermiT's input and the type closure read (with the triples of blank nodes: restrictions)."""


@dataclass(frozen=True)
class Outline:
    subjects: frozenset[str]
    """The graph's subjects, as N3 (``<iri>``, ``_:id``)."""
    typing: list[Triple]
    backward: list[Triple]
    values: frozenset[Node]
    """The IRIs and blank nodes its triples point to that are not its subjects."""
    class_axioms: bool


def outline(part: GraphPart, backward: AbstractSet[Node], cache: BuildCache) -> Outline:
    """``part``'s outline (from the cache when its triples were outlined before with the same ``backward``)."""
    key = digest(b"outline\n", part.key, "\n".join(sorted(map(str, backward))))
    found: Outline | None = part.outlines.get(key) or cache.get("outline", key)
    if found is None:
        triples = part.triples
        own = {t[0] for t in triples}
        found = Outline(frozenset(n.n3() for n in own),
                        [t for t in triples if t[1] in TYPING or isinstance(t[0], BNode)],
                        [t for t in triples if t[1] in backward],
                        frozenset(t[2] for t in triples if isinstance(t[2], URIRef | BNode) and t[2] not in own),
                        any(t[1] == RDFS.subClassOf for t in triples))
        cache.put("outline", key, found)
    part.outlines[key] = found
    return found
