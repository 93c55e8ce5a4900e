"""SHACL by source: each source's part of the graph keyed without building the whole graph.

:func:`kg.pipeline.validation.validate_parts` needs the whole data graph to find each part's
neighbourhood. A rebuild after one changed article should not build it (400k triples at 1,000
sources), so :func:`validate_by_source` keys each source's part by what determines its
neighbourhood: the digest its graph was made from (:class:`~kg.pipeline.per_source.GraphPart`), the
ontology (which gives the entailed types), the triples of other graphs that point at its nodes along
a predicate a shape follows backwards or a symmetric property (whose reverse the build entails), and
the asserted types of the nodes its triples point to. Only the parts whose key is new are given
their neighbourhood and validated (pySHACL, focus restricted to their nodes); the shared part (the
reference entries and nodes several graphs describe) is keyed by its triples. The verdicts are the
whole graph's (``tests/test_growth_shacl.py``). A cold build, where most parts are new, validates the
whole graph instead: the same verdict, sooner.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

from rdflib import BNode, Graph, URIRef
from rdflib.compare import to_isomorphic
from rdflib.namespace import OWL, RDF, RDFS, SH
from rdflib.plugins.serializers.nt import _nt_row
from rdflib.term import Node

from kg.namespaces import MMKG
from kg.pipeline.cache import BuildCache, digest
from kg.pipeline.per_source import GraphPart
from kg.pipeline.rdfize import REFERENCE_GRAPH
from kg.pipeline.reasoning import _closure, _external_classes, _superclasses
from kg.pipeline.validation import splittable_shapes, validate_pending, validate_shapes

__all__ = ["validate_by_source"]

Triple = tuple[Node, Node, Node]
_SHARED = "shared"


def _rows(triples: list[Triple]) -> str:
    return "".join(sorted(_nt_row(t) for t in triples))


class _Index:
    """Who describes which node, the nodes' asserted types, and the triples pointing back at them."""

    def __init__(self, graphs: dict[URIRef, GraphPart], backwards: set[Node]) -> None:
        self.owner: dict[Node, URIRef | None] = {}
        self.types: dict[Node, set[Node]] = defaultdict(set)
        self.incoming: dict[Node, list[Triple]] = defaultdict(list)
        self.class_axioms = False
        for name, part in graphs.items():
            for subject in {t[0] for t in part.triples}:
                self.owner[subject] = name if subject not in self.owner and name != REFERENCE_GRAPH else None
            for triple in part.triples:
                predicate = triple[1]
                if predicate == RDF.type:
                    self.types[triple[0]].add(triple[2])
                elif predicate == RDFS.subClassOf:
                    self.class_axioms = True
                if predicate in backwards:
                    self.incoming[triple[2]].append(triple)

    def parts(self) -> dict[str, set[Node]]:
        found: dict[str, set[Node]] = {_SHARED: set()}
        for node, owner in self.owner.items():
            found.setdefault(str(owner) if owner is not None else _SHARED, set()).add(node)
        return found


def validate_by_source(graphs: dict[URIRef, GraphPart], tbox: Graph, shapes_path: Path, cache: BuildCache,
                       whole: Callable[[], Graph]) -> tuple[bool, str, int]:
    """Validate the union of ``graphs`` plus its entailed types (``whole()`` builds it, when needed):
    the verdict, the report and how many parts were validated."""
    shapes_bytes = shapes_path.read_bytes()
    shapes = Graph().parse(data=shapes_bytes, format="turtle")
    inverse = {p for path in shapes.objects(None, SH.path) if (p := shapes.value(path, SH.inversePath)) is not None}
    symmetric = set(tbox.subjects(RDF.type, OWL.SymmetricProperty))
    index = _Index(graphs, inverse | symmetric)
    parents, external = _superclasses(tbox), _external_classes(tbox)
    targets = {c for c in shapes.objects(None, SH.targetClass) if isinstance(c, URIRef)}
    blank_targets = any(isinstance(n, BNode) and _closure({t for t in ts if isinstance(t, URIRef)}, parents) & targets
                        for n, ts in index.types.items())
    parts = index.parts()

    def validate_whole(pending: list[tuple[str, str, set[Node]]]) -> tuple[bool, str, int]:
        conforms, text = validate_shapes(whole(), shapes_path)
        if conforms:
            for key, _name, _nodes in pending:
                cache.put("shacl", key, True)
        return conforms, text, len(pending)

    keyed = [(name, _key(name, nodes, graphs, index, inverse, shapes_bytes, tbox)) for name, nodes in parts.items()]
    pending = [(key, name, parts[name]) for name, key in keyed if cache.get("shacl", key) is None]
    if not pending:
        return True, "Validation Report\nConforms: True\n", 0
    if index.class_axioms or blank_targets or not splittable_shapes(shapes) or len(pending) * 4 > len(parts):
        return validate_whole(pending)
    return validate_pending([(key, _neighbourhood(name, nodes, graphs, index, inverse, parents, external), nodes)
                             for key, name, nodes in pending], shapes_path, cache)


def _own(nodes: set[Node], name: str, graphs: dict[URIRef, GraphPart]) -> list[Triple]:
    sources = graphs.values() if name == _SHARED else [graphs[URIRef(name)]]
    return [t for part in sources for t in part.triples if t[0] in nodes]


def _pointing(nodes: set[Node], index: _Index, inverse: set[Node]) -> list[Triple]:
    """Triples pointing at ``nodes``: as they are along an inverse path, reversed for a symmetric property."""
    found: list[Triple] = []
    for node in nodes:
        for s, p, o in index.incoming.get(node, ()):
            found.append((s, p, o) if p in inverse else (o, p, s))
    return found


_TBOX_KEYS: dict[int, str] = {}


def _tbox_key(tbox: Graph) -> str:
    if id(tbox) not in _TBOX_KEYS:
        _TBOX_KEYS.clear()
        _TBOX_KEYS[id(tbox)] = str(to_isomorphic(tbox).graph_digest())  # type: ignore[no-untyped-call]
    return _TBOX_KEYS[id(tbox)]


def _key(name: str, nodes: set[Node], graphs: dict[URIRef, GraphPart], index: _Index, inverse: set[Node],
         shapes: bytes, tbox: Graph) -> str:
    """What a part's neighbourhood is made of (see the module), digested."""
    own = _own(nodes, name, graphs) if name == _SHARED else None
    pointing = _pointing(nodes, index, inverse)
    values = {t[2] for t in own or graphs[URIRef(name)].triples if t[0] in nodes} | {t[2] for t in pointing}
    value_types = "\n".join(sorted(f"{v} {' '.join(sorted(map(str, index.types.get(v, ()))))}"
                                   for v in values if isinstance(v, URIRef | BNode)))
    body = _rows(own) if own is not None else graphs[URIRef(name)].key
    return digest(b"shacl-part-by-source\n", shapes, _tbox_key(tbox), "\n".join(sorted(map(str, nodes))), body,
                  _rows(pointing), value_types)


def _neighbourhood(name: str, nodes: set[Node], graphs: dict[URIRef, GraphPart], index: _Index,
                   inverse: set[Node], parents: dict[URIRef, set[URIRef]], external: set[URIRef]) -> list[Triple]:
    """The part's neighbourhood in the whole data graph, entailed types included (as the build entails them)."""
    triples = _own(nodes, name, graphs) + _pointing(nodes, index, inverse)
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
