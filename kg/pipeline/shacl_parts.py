"""SHACL by source: each source's part of the graph keyed without building the whole graph.

:func:`kg.pipeline.validation.validate_parts` needs the whole data graph to find each part's
neighbourhood. A rebuild after one changed article should not build it (400k triples at 1,000
sources), nor load every source's triples: :func:`validate_by_source` keys each source's part from
its :class:`~kg.pipeline.outline.Outline` (cached beside its triples): the digest its graph was made
from (:class:`~kg.pipeline.per_source.GraphPart`), the ontology (which gives the entailed types), the
triples of other graphs that point at its nodes along a predicate a shape follows backwards or a
symmetric property (whose reverse the build entails), and the asserted types of the other nodes its
neighbourhood holds (those its triples point to, and those pointing at it). Only the parts whose key
is new are given their neighbourhood and validated (pySHACL, focus restricted to their nodes); the
shared part (the reference entries and nodes several graphs describe) is keyed the same way. The
verdicts are the whole graph's (``tests/test_growth_shacl.py``). A cold build, where most parts are
new, validates the whole graph instead: the same verdict, sooner.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from collections.abc import Set as AbstractSet
from pathlib import Path

from rdflib import BNode, Graph, URIRef
from rdflib.compare import to_isomorphic
from rdflib.namespace import OWL, RDF, SH
from rdflib.plugins.serializers.nt import _nt_row
from rdflib.term import Node

from kg.namespaces import MMKG
from kg.pipeline.cache import BuildCache, digest
from kg.pipeline.outline import Outline, outline
from kg.pipeline.per_source import GraphPart
from kg.pipeline.rdfize import REFERENCE_GRAPH
from kg.pipeline.reasoning import _closure, _external_classes, _superclasses
from kg.pipeline.validation import splittable_shapes, validate_pending, validate_shapes

__all__ = ["backward_predicates", "validate_by_source"]

Triple = tuple[Node, Node, Node]
_SHARED = "shared"


def _rows(triples: list[Triple]) -> str:
    return "".join(sorted(_nt_row(t) for t in triples))


def _inverse(shapes: Graph) -> set[Node]:
    return {p for path in shapes.objects(None, SH.path) if (p := shapes.value(path, SH.inversePath)) is not None}


def backward_predicates(shapes_path: Path, tbox: Graph) -> frozenset[Node]:
    """The predicates a shape follows backwards, and the symmetric ones (the outlines keep their triples)."""
    shapes = Graph().parse(shapes_path, format="turtle")
    return frozenset(_inverse(shapes) | set(tbox.subjects(RDF.type, OWL.SymmetricProperty)))


class _Index:
    """Who describes which node, the nodes' asserted types, and the triples pointing back at them."""

    def __init__(self, graphs: dict[URIRef, GraphPart], backwards: AbstractSet[Node],
                 cache: BuildCache | None = None) -> None:
        cache = cache if cache is not None else BuildCache(None)
        self.graphs = graphs
        self.outlines: dict[URIRef, Outline] = {name: outline(part, backwards, cache) for name, part in graphs.items()}
        self.owner: dict[str, URIRef | None] = {}
        self.types: dict[Node, set[Node]] = defaultdict(set)
        self.incoming: dict[str, list[Triple]] = defaultdict(list)
        self.class_axioms = False
        for name, found in self.outlines.items():
            for subject in found.subjects:
                self.owner[subject] = name if subject not in self.owner and name != REFERENCE_GRAPH else None
            for s, p, o in found.typing:
                if p == RDF.type:
                    self.types[s].add(o)
            for triple in found.backward:
                self.incoming[triple[2].n3()].append(triple)
            self.class_axioms = self.class_axioms or found.class_axioms
        self.whole_parts = all(self.owner[s] == name for name, found in self.outlines.items()
                               if name != REFERENCE_GRAPH for s in found.subjects)
        """Every source's subjects are its own: a source's part is all its graph, the shared part the reference."""

    def parts(self) -> dict[str, set[Node]]:
        found: dict[str, set[Node]] = {_SHARED: set()}
        for part in self.graphs.values():
            for t in part.triples:
                owner = self.owner[t[0].n3()]
                found.setdefault(str(owner) if owner is not None else _SHARED, set()).add(t[0])
        return found


def validate_by_source(graphs: dict[URIRef, GraphPart], tbox: Graph, shapes_path: Path, cache: BuildCache,
                       whole: Callable[[], Graph], tbox_key: str | None = None) -> tuple[bool, str, int]:
    """Validate the union of ``graphs`` plus its entailed types (``whole()`` builds it, when needed):
    the verdict, the report and how many parts were validated. ``tbox_key``: a digest of the ontology's
    files (default: of the graph ``tbox``)."""
    shapes_bytes = shapes_path.read_bytes()
    shapes = Graph().parse(data=shapes_bytes, format="turtle")
    inverse = _inverse(shapes)
    symmetric = set(tbox.subjects(RDF.type, OWL.SymmetricProperty))
    index = _Index(graphs, inverse | symmetric, cache)
    parents, external = _superclasses(tbox), _external_classes(tbox)
    targets = {c for c in shapes.objects(None, SH.targetClass) if isinstance(c, URIRef)}
    blank_targets = any(isinstance(n, BNode) and _closure({t for t in ts if isinstance(t, URIRef)}, parents) & targets
                        for n, ts in index.types.items())
    tkey = tbox_key or str(to_isomorphic(tbox).graph_digest())  # type: ignore[no-untyped-call]
    if index.whole_parts:
        names = {_SHARED: REFERENCE_GRAPH, **{str(n): n for n in graphs if n != REFERENCE_GRAPH}}
        keyed = [(name, _key(name, index.outlines[graph], graphs[graph].key, index, inverse, shapes_bytes, tkey))
                 for name, graph in names.items()]
        nodes: Callable[[str], set[Node]] = lambda name: {t[0] for t in graphs[names[name]].triples}  # noqa: E731
        count = len(names)
    else:  # a node several sources describe: parts from the triples
        parts = index.parts()
        keyed = [(name, _loaded_key(name, found, graphs, index, inverse, shapes_bytes, tkey))
                 for name, found in parts.items()]
        nodes = parts.__getitem__
        count = len(parts)
    pending = [(key, name) for name, key in keyed if cache.get("shacl", key) is None]
    if not pending:
        return True, "Validation Report\nConforms: True\n", 0
    if index.class_axioms or blank_targets or not splittable_shapes(shapes) or len(pending) * 4 > count:
        conforms, text = validate_shapes(whole(), shapes_path)
        if conforms:
            for key, _name in pending:
                cache.put("shacl", key, True)
        return conforms, text, len(pending)
    batch = []
    for key, name in pending:
        own = nodes(name)
        batch.append((key, _neighbourhood(name, own, graphs, index, inverse, parents, external), own))
    return validate_pending(batch, shapes_path, cache)


def _own(nodes: set[Node], name: str, graphs: dict[URIRef, GraphPart], index: _Index) -> list[Triple]:
    if index.whole_parts:
        return list(graphs[REFERENCE_GRAPH if name == _SHARED else URIRef(name)].triples)
    sources = graphs.values() if name == _SHARED else [graphs[URIRef(name)]]
    return [t for part in sources for t in part.triples if t[0] in nodes]


def _pointing(subjects: AbstractSet[str], index: _Index, inverse: set[Node]) -> list[Triple]:
    """Triples pointing at ``subjects`` (N3): as they are along an inverse path, reversed for a symmetric property."""
    found: list[Triple] = []
    for node in subjects:
        for s, p, o in index.incoming.get(node, ()):
            found.append((s, p, o) if p in inverse else (o, p, s))
    return found


def _value_types(values: set[Node], index: _Index) -> str:
    return "\n".join(sorted(f"{v} {' '.join(sorted(map(str, index.types.get(v, ()))))}"
                            for v in values if isinstance(v, URIRef | BNode)))


def _key(name: str, found: Outline, part_key: str, index: _Index, inverse: set[Node], shapes: bytes,
         tkey: str) -> str:
    """What a part's neighbourhood is made of (see the module), digested, from its outline."""
    pointing = _pointing(found.subjects, index, inverse)
    values = set(found.values) | {t[0] for t in pointing} | {t[2] for t in pointing}
    return digest(b"shacl-part-outline\n", shapes, tkey, name, part_key, _rows(pointing), _value_types(values, index))


def _loaded_key(name: str, nodes: set[Node], graphs: dict[URIRef, GraphPart], index: _Index, inverse: set[Node],
                shapes: bytes, tkey: str) -> str:
    """:func:`_key` when the parts are not whole graphs: from the part's triples."""
    own = _own(nodes, name, graphs, index)
    pointing = _pointing({n.n3() for n in nodes}, index, inverse)
    values = {t[2] for t in own} | {t[0] for t in pointing} | {t[2] for t in pointing}
    return digest(b"shacl-part-by-source\n", shapes, tkey, "\n".join(sorted(map(str, nodes))), _rows(own),
                  _rows(pointing), _value_types(values, index))


def _neighbourhood(name: str, nodes: set[Node], graphs: dict[URIRef, GraphPart], index: _Index,
                   inverse: set[Node], parents: dict[URIRef, set[URIRef]], external: set[URIRef]) -> list[Triple]:
    """The part's neighbourhood in the whole data graph, entailed types included (as the build entails them)."""
    triples = _own(nodes, name, graphs, index) + _pointing({n.n3() for n in nodes}, index, inverse)
    described = set(nodes) | {t[2] for t in triples if isinstance(t[2], URIRef | BNode)} | \
        {t[0] for t in triples}
    ns = str(MMKG)
    for node in described:
        asserted = index.types.get(node, set())
        triples.extend((node, RDF.type, t) for t in asserted if node not in nodes)
        if not isinstance(node, URIRef):
            continue
        named = {t for t in asserted if isinstance(t, URIRef)}
        for extra in _closure(named, parents) - named:
            if str(extra).startswith(ns) or extra.startswith("http://www.w3.org/ns/prov#") or extra in external:
                triples.append((node, RDF.type, extra))
    return triples
