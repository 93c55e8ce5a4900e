"""Answers written by pyoxigraph (kg/query/protocol/native.py): the same results as the Python writers, the row
cap and its flag kept, a byte budget that refuses instead of growing, and the same in a worker."""

from __future__ import annotations

import csv
import io
import json

import pyoxigraph as ox
import pytest

from kg.errors import QuerySyntaxError, QueryTimeout, ResultTooLarge
from kg.query.protocol.native import NotAcceptable, serialised_query
from kg.query.results import RESULT_FORMATS, NotRepresentable, serialise
from kg.query.store import Store
from web.settings import Settings

from .conftest import AppFactory, PoolFactory

QUERIES = [
    "SELECT * WHERE { ?s ?p ?o }",
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
    "SELECT ?s ?label WHERE { ?s a ?c OPTIONAL { ?s rdfs:label ?label } } ORDER BY ?s",
    'SELECT ?x ?y WHERE { VALUES (?x ?y) { ("},{" 1) ("a\\nb,\\"c\\"" UNDEF) (UNDEF "x"@en) } }',
    "ASK { ?s ?p ?o }",
]


def _solutions(body: bytes, media_type: str) -> list[dict[str, str]] | bool:
    """A results document as comparable rows (values as strings), or its boolean."""
    if media_type == "text/csv":
        return list(csv.DictReader(io.StringIO(body.decode(), newline="")))
    fmt = {"application/sparql-results+json": ox.QueryResultsFormat.JSON,
           "application/sparql-results+xml": ox.QueryResultsFormat.XML,
           "text/tab-separated-values": ox.QueryResultsFormat.TSV}[media_type]
    parsed = ox.parse_query_results(body, format=fmt)
    if isinstance(parsed, ox.QueryBoolean):
        return bool(parsed)
    return [{v.value: str(row[v]) for v in parsed.variables if row[v] is not None} for row in parsed]


@pytest.mark.parametrize("media_type", list(RESULT_FORMATS))
@pytest.mark.parametrize("query", QUERIES)
def test_the_engine_writes_what_the_python_writers_wrote(store: Store, query: str, media_type: str) -> None:
    native = serialised_query(store, query, media_type, None, limit=100_000, max_bytes=2**26)
    python = serialise(store.query(query, limit=100_000), media_type)
    assert not native.truncated
    if media_type == "text/csv" and query.startswith("ASK"):
        return  # CSV has no boolean form in either writer's output worth comparing beyond parsing
    assert _solutions(native.body, media_type) == _solutions(python.body, media_type)


@pytest.mark.parametrize("media_type", list(RESULT_FORMATS))
def test_the_row_cap_and_its_flag_are_kept(store: Store, media_type: str) -> None:
    everything = len(store.query("SELECT * WHERE { ?s ?p ?o }").rows)
    at = serialised_query(store, "SELECT * WHERE { ?s ?p ?o }", media_type, None, limit=everything, max_bytes=2**26)
    cut = serialised_query(store, "SELECT * WHERE { ?s ?p ?o }", media_type, None, limit=everything - 1,
                           max_bytes=2**26)
    assert not at.truncated and cut.truncated
    rows = _solutions(cut.body, media_type)
    assert isinstance(rows, list) and len(rows) == everything - 1
    if media_type.endswith("json"):
        assert json.loads(cut.body)["truncated"] is True


def test_graphs_are_cut_and_written_in_rdf(store: Store) -> None:
    answer = serialised_query(store, "CONSTRUCT WHERE { ?s ?p ?o }", None, "application/n-triples", limit=10,
                              max_bytes=2**26)
    assert answer.truncated and answer.body.count(b"\n") == 10
    with pytest.raises(NotAcceptable, match="returns a graph"):
        serialised_query(store, "CONSTRUCT WHERE { ?s ?p ?o }", "text/csv", None, limit=10, max_bytes=2**26)
    with pytest.raises(NotAcceptable, match="returns solutions"):
        serialised_query(store, "SELECT * { ?s ?p ?o }", None, "text/turtle", limit=10, max_bytes=2**26)


def test_an_answer_over_the_byte_budget_is_refused_not_held(store: Store) -> None:
    doubling = ('SELECT ?s WHERE { BIND("xxxxxxxxxxxxxxxx" AS ?a) BIND(CONCAT(?a, ?a) AS ?b) '
                'BIND(CONCAT(?b, ?b) AS ?c) BIND(CONCAT(?c, ?c) AS ?d) '
                'BIND(CONCAT(?d, ?d) AS ?e) BIND(CONCAT(?e, ?e, ?e, ?e) AS ?s) }')
    with pytest.raises(ResultTooLarge, match="larger than"):
        serialised_query(store, doubling, "application/sparql-results+json", None, limit=10, max_bytes=1000)
    many = serialised_query(store, "SELECT * { ?s ?p ?o }", "text/tab-separated-values", None, limit=5,
                            max_bytes=2000)
    assert many.truncated and many.body.count(b"\n") == 6  # many small rows: cut, not refused
    with pytest.raises(NotRepresentable):
        serialised_query(store, 'SELECT ?l { BIND("x\\u0001y" AS ?l) }', "application/sparql-results+xml", None,
                         limit=5, max_bytes=2000)
    with pytest.raises(QuerySyntaxError):
        serialised_query(store, "SELECT ?x {", "text/csv", None, limit=5, max_bytes=2000)


@pytest.mark.server
def test_workers_write_the_answer_and_report_refusals(make_pool: PoolFactory, make_app: AppFactory) -> None:
    pool = make_pool(workers=1, timeout=3.0)
    answer = pool.query_serialised("SELECT * { ?s ?p ?o }", "application/sparql-results+json", None, limit=20,
                                   max_bytes=2**26)
    assert answer.truncated and len(json.loads(answer.body)["results"]["bindings"]) == 20
    with pytest.raises(ResultTooLarge):
        pool.query_serialised("SELECT * { ?s ?p ?o }", "text/csv", None, limit=100_000, max_bytes=1000)
    with pytest.raises(NotAcceptable):
        pool.query_serialised("ASK {}", None, "text/turtle", limit=5, max_bytes=1000)
    with pytest.raises(QueryTimeout):
        pool.query_serialised("SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }", "text/csv", None,
                              limit=5, max_bytes=1000, timeout=0.5)
    app = make_app(Settings(max_result_bytes=5000), pool=pool, warm=False)
    client = app.test_client()
    big = client.get("/sparql", query_string={"query": "SELECT ?s { ?s ?p ?o } LIMIT 2000"},
                     headers={"Accept": "text/csv"})
    assert big.status_code == 413 and b"larger than" in big.data
    wrong = client.get("/sparql", query_string={"query": "SELECT * { ?s ?p ?o }", "format": "ttl"})
    assert wrong.status_code == 406 and b"SPARQL results format" in wrong.data
    small = client.get("/sparql", query_string={"query": "SELECT ?s { ?s ?p ?o } LIMIT 3"},
                       headers={"Accept": "text/csv"})
    assert small.status_code == 200 and small.data.count(b"\r\n") == 4


def test_a_large_answer_gives_its_memory_back_once_sent(monkeypatch: pytest.MonkeyPatch) -> None:
    from flask import Response

    from web import memory

    trims: list[int] = []
    monkeypatch.setattr(memory, "_trim", lambda: trims.append(1))
    small = memory.trim_after(Response(b"x"), memory.LARGE - 1)
    small.close()
    assert trims == []
    large = memory.trim_after(Response(b"x"), memory.LARGE)
    assert trims == []  # not before it is sent
    large.close()
    assert trims == [1]

