"""RDF exports of a release, all written by pyoxigraph's serialisers (the ones the server uses).

rdflib's JSON-LD serialiser wrote ``"@type": {"@id": "_:b0"}`` for a blank-node class (the three
pooled regimens' ``owl:Restriction`` types), which JSON-LD processors (pyld, pyoxigraph) refuse;
pyoxigraph writes ``"@type": "_:b0"``. Formats without named graphs (Turtle, N-Triples, RDF/XML,
JSON-LD) get the union of the graphs, each triple once; TriG and N-Quads keep the graphs. JSON-LD is
sorted by subject so that each subject is one node object.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

from kg.namespaces import PREFIXES

__all__ = ["EXPORT_FORMATS", "MERGED", "export_rdf", "merged_triples"]

#: ``mmkg export --format`` name -> pyoxigraph format.
EXPORT_FORMATS: dict[str, ox.RdfFormat] = {
    "turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES, "xml": ox.RdfFormat.RDF_XML,
    "jsonld": ox.RdfFormat.JSON_LD, "trig": ox.RdfFormat.TRIG, "nquads": ox.RdfFormat.N_QUADS,
}
#: The formats that merge the named graphs into one.
MERGED = frozenset({"turtle", "ntriples", "xml", "jsonld"})
_WITH_PREFIXES = (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG, ox.RdfFormat.RDF_XML)


def merged_triples(quads: Iterable[ox.Quad]) -> list[ox.Triple]:
    """The union of the graphs of ``quads``, each triple once, in first-seen order."""
    seen: dict[ox.Triple, None] = {}
    for quad in quads:
        seen.setdefault(ox.Triple(quad.subject, quad.predicate, quad.object), None)
    return list(seen)


def export_rdf(nquads: Path, fmt: str, output: BinaryIO, prefixes: Mapping[str, str] | None = None) -> int:
    """Write the release's ``mmkg.nq`` as ``fmt`` (a key of :data:`EXPORT_FORMATS`) to ``output``.

    Returns the number of triples (merged formats) or quads written.
    """
    rdf_format = EXPORT_FORMATS[fmt]
    quads = list(ox.parse(path=str(nquads), format=ox.RdfFormat.N_QUADS))
    items: list[ox.Triple] | list[ox.Quad] = merged_triples(quads) if fmt in MERGED else quads
    if fmt == "jsonld":  # the streaming writer starts a node object per run of one subject and predicate
        items = sorted(merged_triples(quads), key=lambda t: (str(t.subject), str(t.predicate)))
    kwargs: dict[str, object] = {}
    if rdf_format in _WITH_PREFIXES:
        kwargs["prefixes"] = dict(prefixes if prefixes is not None else PREFIXES)
    ox.serialize(items, output, format=rdf_format, **kwargs)  # type: ignore[arg-type]
    return len(items)
