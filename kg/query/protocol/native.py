"""Answers written by the engine: pyoxigraph's own SPARQL results and RDF serialisers, capped.

Converting every solution into Python objects and writing them again in Python made result-heavy
queries several times slower through ``/sparql`` than through Oxigraph's own server. Here the
engine writes the answer itself, straight into a buffer that refuses to grow past ``max_bytes``
(an answer over it is refused with :class:`~kg.errors.ResultTooLarge`, 413, never held in memory);
only when the answer has more rows than ``limit`` is the query run again through
:meth:`kg.query.store.Store.query` to keep the first ``limit`` rows and flag the answer truncated
(JSON's ``"truncated": true``, the ``MMKG-Results-Truncated`` header), exactly as before.

Graph answers (CONSTRUCT, DESCRIBE) are read up to ``limit + 1`` triples and written by
pyoxigraph's serialiser; booleans are written by pyoxigraph too. CSV and TSV answers are made safe to
open in a spreadsheet (:func:`kg.query.results.spreadsheet_safe`).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from itertools import islice
from typing import IO, cast

import pyoxigraph as ox

from kg.errors import QueryError
from kg.query.results import (
    GRAPH_FORMATS,
    RESULT_FORMATS,
    Serialised,
    serialise,
    serialise_triples,
    spreadsheet_safe,
    xml_safe,
)
from kg.query.store import BASE_IRI, Store, Term, engine_errors, result_too_large

__all__ = ["NotAcceptable", "serialised_query"]

_NATIVE: dict[str, ox.QueryResultsFormat] = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}


class NotAcceptable(QueryError):
    """The client accepts no format for this kind of answer (e.g. only RDF formats for a SELECT)."""

    http_status = 406


class _Full(Exception):
    pass


class _CappedBuffer(io.RawIOBase):
    """A write-only byte buffer that raises once more than ``cap`` bytes were written (keeping the first ``cap``)."""

    def __init__(self, cap: int) -> None:
        super().__init__()
        self.cap = cap
        self._buffer = io.BytesIO()

    def writable(self) -> bool:
        return True

    def write(self, data: bytes | bytearray | memoryview) -> int:  # type: ignore[override]
        room = self.cap - self._buffer.tell()
        if len(data) > room:
            self._buffer.write(bytes(data[:room]))  # keep what fits: its rows are counted
            raise _Full
        return self._buffer.write(data)

    def getvalue(self) -> bytes:
        return self._buffer.getvalue()


def _at_most(body: bytes, media_type: str) -> int:
    """An upper bound of the solutions a results document written by pyoxigraph holds, by counting
    bytes (no parsing): exact for XML and TSV; for JSON every boundary between two solutions is a
    ``},{`` and for CSV every row ends with a newline, and a literal can only add to those counts."""
    if media_type == "application/sparql-results+json":
        return body.count(b"},{") + 1
    if media_type == "application/sparql-results+xml":
        return body.count(b"<result>")  # a literal's '<' is escaped, so only elements match
    return body.count(b"\n") - 1  # TSV and CSV: the header line ends with one too


def _rows(body: bytes, media_type: str) -> int:
    """How many solutions a results document written by pyoxigraph holds."""
    if media_type == "application/sparql-results+json":
        return len(json.loads(body)["results"]["bindings"])
    if media_type == "text/csv":
        return max(sum(1 for _ in csv.reader(io.StringIO(body.decode("utf-8"), newline=""))) - 1, 0)
    return _at_most(body, media_type)


def serialised_query(store: Store, sparql: str, select_type: str | None, graph_type: str | None, *,
                     limit: int, max_bytes: int, bindings: Mapping[str, Term] | None = None,
                     default_graphs: Sequence[str] | None = None, named_graphs: Sequence[str] | None = None,
                     base_iri: str | None = BASE_IRI, prefixes: Mapping[str, str] | None = None) -> Serialised:
    """Run ``sparql`` and write its answer in ``select_type`` (SELECT, ASK; a key of
    :data:`~kg.query.results.RESULT_FORMATS`) or ``graph_type`` (CONSTRUCT, DESCRIBE; a key of
    :data:`~kg.query.results.GRAPH_FORMATS`), whichever fits the query; None where the client accepts none.

    :raises NotAcceptable: when the format for this kind of answer is None.
    :raises ResultTooLarge: when the answer is over ``max_bytes``.
    :raises QuerySyntaxError, EngineError: as :meth:`Store.query`.
    :raises NotRepresentable: for XML of a result with a character XML 1.0 cannot carry.
    """
    options = {"default_graphs": default_graphs, "named_graphs": named_graphs, "base_iri": base_iri,
               "prefixes": prefixes}
    too_large = result_too_large(max_bytes)
    with engine_errors(sparql, prefixes):
        raw = store.execute(sparql, bindings, **options)  # type: ignore[arg-type]
        if isinstance(raw, ox.QueryTriples):
            if graph_type not in GRAPH_FORMATS:
                raise NotAcceptable("this query returns a graph: ask for an RDF format "
                                    f"({', '.join(GRAPH_FORMATS)})")
            triples = list(islice(raw, limit + 1))
        elif select_type not in RESULT_FORMATS:
            raise NotAcceptable("this query returns solutions: ask for a SPARQL results format "
                                f"({', '.join(RESULT_FORMATS)})")
    if isinstance(raw, ox.QueryTriples):
        assert graph_type is not None
        graph = serialise_triples(triples[:limit], graph_type)
        if len(graph) > max_bytes:
            raise too_large
        return Serialised(graph_type, graph, len(triples) > limit)
    assert select_type is not None
    with engine_errors(sparql, prefixes):
        body: bytes | None = None
        answer: ox.QuerySolutions | ox.QueryBoolean = raw
        # A first try sized for ``limit`` ordinary rows, so that a huge answer that will be cut
        # anyway is not written in full; then the whole byte budget.
        for cap in sorted({min(max_bytes, limit * 1024 + 2**16), max_bytes}):
            buffer = _CappedBuffer(cap)
            try:
                answer.serialize(cast(IO[bytes], buffer), format=_NATIVE[select_type])
            except _Full:
                if _at_most(buffer.getvalue(), select_type) > limit:
                    break  # many rows: cut them below
                if cap == max_bytes:
                    raise too_large from None
                answer = cast(ox.QuerySolutions, store.execute(sparql, bindings, **options))  # type: ignore[arg-type]
                continue
            body = buffer.getvalue()
            break
    if body is not None and select_type == "application/sparql-results+xml":
        xml_safe(body.decode("utf-8"), select_type)
    if body is not None and (isinstance(answer, ox.QueryBoolean) or _at_most(body, select_type) <= limit
                             or _rows(body, select_type) <= limit):
        safe = spreadsheet_safe(body, select_type)  # CSV and TSV cells that a spreadsheet would run: neutralised
        if len(safe) > max_bytes:
            raise too_large
        return Serialised(select_type, safe, False)
    # More rows than the cap: keep the first ``limit`` and say so (the rare, slow path).
    capped = serialise(store.query(sparql, bindings, limit=limit, **options), select_type)  # type: ignore[arg-type]
    if len(capped.body) > max_bytes:
        raise too_large
    return capped
