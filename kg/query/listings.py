"""Lists of IRIs the web app and the static site need (graphs, pages, hubs), so that ``web`` writes no SPARQL."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice

import pyoxigraph as ox

from kg.namespaces import PREFIXES
from kg.query.store import QueryStore, Store, value_of

__all__ = ["graph_names", "local_subjects", "most_linked_resources", "our_nquads", "our_quads"]

DUMP_CHUNK = 20_000
"""Quads written at a time by :func:`our_nquads` (a few MB of N-Quads)."""

_RES, _MMKG = PREFIXES["res"], PREFIXES["mmkg"]

_GRAPH_NAMES = "SELECT DISTINCT ?g WHERE { GRAPH ?g { } } ORDER BY ?g"
_NON_EMPTY_GRAPHS = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g"
_LOCAL_SUBJECTS = (f"SELECT DISTINCT ?s WHERE {{ ?s ?p ?o FILTER(isIRI(?s) && (STRSTARTS(STR(?s), '{_RES}') "
                   f"|| STRSTARTS(STR(?s), '{_MMKG}'))) }} ORDER BY ?s")
_MOST_LINKED = (f"SELECT ?o (COUNT(*) AS ?n) WHERE {{ ?s ?p ?o FILTER(isIRI(?o) && STRSTARTS(STR(?o), '{_RES}')) }} "
                "GROUP BY ?o ORDER BY DESC(?n) ?o LIMIT ")
_OUR_QUADS = f'SELECT ?s ?p ?o ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), "{PREFIXES["graph"]}")) }}'


def graph_names(store: QueryStore, *, non_empty: bool = False) -> list[str]:
    """The named graphs of the store, sorted (``non_empty``: only those holding a triple)."""
    rows = store.query(_NON_EMPTY_GRAPHS if non_empty else _GRAPH_NAMES).rows
    return [value_of(row, "g") for row in rows]


def local_subjects(store: QueryStore) -> list[str]:
    """Every IRI in our namespaces (``res:``, ``mmkg:``) that is the subject of a triple, sorted: the pages."""
    return [value_of(row, "s") for row in store.query(_LOCAL_SUBJECTS).rows]


def most_linked_resources(store: QueryStore, n: int) -> list[str]:
    """The ``n`` resources most often the object of a triple (the hub pages), most linked first."""
    return [value_of(row, "o") for row in store.query(_MOST_LINKED + str(int(n))).rows]


def our_quads(store: QueryStore) -> list[ox.Quad]:
    """Every quad of our named graphs (``graph:``), not a remote server's own graphs: the served dump."""
    return [ox.Quad(r["s"], r["p"], r["o"], r["g"]) for r in store.query(_OUR_QUADS).rows]  # type: ignore[arg-type]


def our_nquads(store: QueryStore, chunk: int = DUMP_CHUNK) -> Iterator[bytes]:
    """The quads of :func:`our_quads` as N-Quads, ``chunk`` quads at a time: an embedded store's are read as they
    come (memory for one chunk, not a list of every quad and its whole serialisation: at 1,000 sources that was
    430 MB for one request); a remote store's rows arrive as one answer and are written in chunks."""
    ours = PREFIXES["graph"]
    quads: Iterable[ox.Quad]
    if isinstance(store, Store):
        quads = (quad for quad in store.raw.quads_for_pattern(None, None, None, None)
                 if isinstance(quad.graph_name, ox.NamedNode) and quad.graph_name.value.startswith(ours))
    else:
        quads = our_quads(store)
    iterator = iter(quads)
    while batch := list(islice(iterator, chunk)):
        yield ox.serialize(batch, format=ox.RdfFormat.N_QUADS) or b""
