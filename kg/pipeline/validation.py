"""SHACL validation with pySHACL, on the whole graph or part by part with cached verdicts.

:func:`validate_shapes` validates a graph in one piece. :func:`validate_parts` gives the same verdict
part by part: the nodes are split into parts (the build: one per source document, plus a shared
part for the reference entries and every node more than one graph describes), and each part is
validated on its *neighbourhood*: the triples whose subject is one of its nodes, those of the
predicates a shape follows backwards (``sh:inversePath``) that point at one, and the types of the
nodes those triples point to. That is everything our shapes read about a focus node
(its values along a predicate or an inverse predicate, and, for ``sh:class``, the types of those
values), so each node gets the verdict it gets in the whole graph; the parts' focus nodes are
restricted to their own nodes (pySHACL's ``focus_nodes``), so a neighbour is never validated on the
little of it a part holds. A part whose neighbourhood is byte for byte one that conformed before
(:class:`~kg.pipeline.cache.BuildCache`) is not validated again; the others are validated together
in one pySHACL run (or, when they are most of the graph, the graph is validated whole: the same
verdict, sooner). When the graph holds something the split cannot reason about (a targeted blank
node, a subclass axiom in the data), the graph is validated whole.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from rdflib import BNode, Graph, URIRef
from rdflib.namespace import RDF, RDFS, SH
from rdflib.plugins.serializers.nt import _nt_row
from rdflib.term import Node

from kg.pipeline.cache import BuildCache, digest

__all__ = ["splittable_shapes", "validate_parts", "validate_pending", "validate_shapes"]

Triple = tuple[Node, Node, Node]


def validate_shapes(data: Graph, shapes_path: Path, focus: Iterable[URIRef] | None = None) -> tuple[bool, str]:
    """Validate ``data`` (asserted plus inferred triples) against the shapes file.

    No inference is asked of pySHACL: the build has already materialised the entailed types.
    ``focus``: validate only these nodes (each against the shapes that target it).

    :returns: whether the data conforms, and pySHACL's report text.
    """
    from pyshacl import validate

    shapes = Graph().parse(shapes_path, format="turtle")
    focus_nodes: list[str | URIRef] | None = sorted(set(focus)) if focus is not None else None
    if focus_nodes == []:
        return True, "Validation Report\nConforms: True\n"
    conforms, _report, text = validate(data, shacl_graph=shapes, inference="none", advanced=True, inplace=True,
                                       focus_nodes=focus_nodes)
    return bool(conforms), str(text)


def splittable_shapes(shapes: Graph) -> bool:
    """Whether the shapes read only what a part's neighbourhood holds: paths of one predicate or the
    inverse of one, no SPARQL constraints, no object targets."""
    if any(True for _ in shapes.triples((None, SH.targetObjectsOf, None))) or \
            any(True for _ in shapes.triples((None, SH.sparql, None))):
        return False
    return all(not isinstance(path, BNode) or isinstance(shapes.value(path, SH.inversePath), URIRef)
               for path in shapes.objects(None, SH.path))


def _splittable(data: Graph, shapes: Graph) -> bool:
    """:func:`splittable_shapes`, every focus node an IRI and no class hierarchy in the data."""
    if next(iter(data.triples((None, RDFS.subClassOf, None))), None) is not None or not splittable_shapes(shapes):
        return False
    classes = set(shapes.objects(None, SH.targetClass))
    subjects_of = set(shapes.objects(None, SH.targetSubjectsOf))
    for cls in classes:
        if any(isinstance(s, BNode) for s in data.subjects(RDF.type, cls)):
            return False
    return not any(isinstance(s, BNode) for p in subjects_of for s, _ in data.subject_objects(p))


def _neighbourhood(data: Graph, nodes: set[Node], inverse: set[Node]) -> list[Triple]:
    """The nodes' own triples, the triples of the ``inverse`` predicates that point at them, the values' types."""
    found: set[Triple] = set()
    for node in nodes:
        found.update(data.triples((node, None, None)))
        for predicate in inverse:
            found.update(data.triples((None, predicate, node)))
    for _s, _p, value in list(found):
        if not isinstance(value, URIRef | BNode):
            continue
        found.update(data.triples((value, RDF.type, None)))
    return sorted(found)


def validate_parts(data: Graph, parts: dict[str, set[Node]], shapes_path: Path, cache: BuildCache
                   ) -> tuple[bool, str, int]:
    """Validate ``data`` part by part (see the module); the verdict, the report and how many parts were validated.

    ``parts`` must cover every subject of ``data``.
    """
    shapes_bytes = shapes_path.read_bytes()
    shapes = Graph().parse(data=shapes_bytes, format="turtle")
    inverse = {p for path in shapes.objects(None, SH.path) if (p := shapes.value(path, SH.inversePath)) is not None}
    if not _splittable(data, shapes):
        conforms, text = validate_shapes(data, shapes_path)
        return conforms, text, len(parts)
    pending: list[tuple[str, list[Triple], set[Node]]] = []
    for nodes in parts.values():
        triples = _neighbourhood(data, nodes, inverse)
        focus = sorted(str(n) for n in nodes)
        key = digest(b"shacl-part\n", shapes_bytes, "\n".join(focus), "".join(_nt_row(t) for t in triples))
        if cache.get("shacl", key) is None:
            pending.append((key, triples, nodes))
    if not pending:
        return True, "Validation Report\nConforms: True\n", 0
    if len(pending) * 4 > len(parts):  # most of the graph: validating it whole is quicker, and the same verdict
        conforms, text = validate_shapes(data, shapes_path)
        if conforms:
            for key, _triples, _nodes in pending:
                cache.put("shacl", key, True)
        return conforms, text, len(pending)
    return validate_pending(pending, shapes_path, cache)


def validate_pending(pending: Sequence[tuple[str, Iterable[Triple], set[Node]]], shapes_path: Path,
                     cache: BuildCache) -> tuple[bool, str, int]:
    """Validate the parts not in the cache, ``(key, neighbourhood triples, nodes)`` each, as one graph with
    their nodes as the focus; a verdict of conforming is remembered under each part's key."""
    batch = Graph()
    focus_nodes: set[URIRef] = set()
    for _key, triples, nodes in pending:
        for triple in triples:
            batch.add(triple)
        focus_nodes.update(n for n in nodes if isinstance(n, URIRef))
    conforms, text = validate_shapes(batch, shapes_path, focus_nodes)
    if conforms:
        for key, _triples, _nodes in pending:
            cache.put("shacl", key, True)
    return conforms, text, len(pending)
