"""A repeated ``/sparql`` request is answered from the request memo (web/request_memo.py) without being read again:
the same status, headers and body as the first time and as the Flask view, still admitted, never a stale or
evicted answer; and the engine is given only the predeclared prefixes a query can use (kg/query/prefixes.py), with
the same answers as with all of them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pyoxigraph as ox
import pytest
from flask import Flask

import kg.query.store
import web.blueprints.sparql
import web.fast_sparql
from kg.errors import QuerySyntaxError
from kg.query.catalogue import Catalogue
from kg.query.prefixes import PREDECLARED, used_prefixes
from kg.query.store import Store
from tests.test_sparql_fast_path import JSON, REQUESTS, SELECT, TYPO, _call, _environ
from web.request_memo import Remembered, RequestMemo
from web.settings import Settings

AppFactory = Callable[..., Flask]


@pytest.mark.parametrize(("method", "params", "headers", "media"), REQUESTS)
def test_a_repeated_request_gets_what_the_first_got_and_what_flask_sends(
        make_app: AppFactory, method: str, params: dict[str, str] | list[tuple[str, str]], headers: dict[str, str],
        media: str | None) -> None:
    app = make_app(Settings(), warm=False)
    fast = app.wsgi_app
    first = _call(fast, _environ(method, params, headers, media))
    again = _call(fast, _environ(method, params, headers, media))
    theirs = _call(make_app(Settings(answer_cache_bytes=0), warm=False).wsgi_app.inner,  # type: ignore[attr-defined]
                   _environ(method, params, headers, media))
    assert first == again == theirs


def _counting(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    read = web.blueprints.sparql.protocol_answer

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return read(*args, **kwargs)

    monkeypatch.setattr(web.fast_sparql, "protocol_answer", counted)
    return calls


def test_the_same_request_is_not_read_again_until_its_answer_leaves_the_cache(
        make_app: AppFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _counting(monkeypatch)
    app = make_app(Settings(), warm=False)
    answers = app.extensions["mmkg"].outside.answers
    assert answers is not None
    client = app.test_client()
    bodies = [client.get("/sparql", query_string={"query": SELECT}, headers={"Accept": JSON}).data for _ in range(3)]
    assert len(set(bodies)) == 1 and b'"bindings"' in bodies[0]
    assert len(calls) == 1 and answers.hits == 2  # read once, answered from the cache twice
    client.get("/sparql", query_string={"query": SELECT}, headers={"Accept": "text/csv"})
    assert len(calls) == 2  # another Accept is another request
    answers.clear()  # evicted (or a cache emptied): the request is read and run anew, never answered stale
    after = client.get("/sparql", query_string={"query": SELECT}, headers={"Accept": JSON})
    assert after.data == bodies[0] and len(calls) == 3
    client.get("/sparql", query_string={"query": SELECT}, headers={"Accept": JSON})
    assert len(calls) == 3


def test_warnings_posts_and_errors(make_app: AppFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _counting(monkeypatch)
    app = make_app(Settings(), warm=False)
    client = app.test_client()
    warned = [client.get("/sparql", query_string={"query": TYPO}, headers={"Accept": JSON}) for _ in range(2)]
    assert all("endpiont" in w.headers["Warning"] and b'"warnings"' in w.data for w in warned)
    assert warned[0].data == warned[1].data and len(calls) == 1
    posted = [client.post("/sparql", data={"query": SELECT}, headers={"Accept": JSON}) for _ in range(2)]
    assert posted[0].data == posted[1].data and len(calls) == 2
    other = client.post("/sparql", data={"query": "ASK { ?s ?p ?o }"}, headers={"Accept": JSON})
    assert other.json == {"head": {}, "boolean": True} and len(calls) == 3  # another body, another request
    for _ in range(2):  # an error is never remembered: each one is read (and refused) again
        refused = client.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p }"})
        assert refused.status_code == 400
    assert len(calls) == 5


def test_a_remembered_request_is_still_admitted(make_app: AppFactory) -> None:
    app = make_app(Settings(), warm=False)
    outside = app.extensions["mmkg"].outside
    client = app.test_client()
    assert client.get("/sparql", query_string={"query": SELECT}, headers={"Accept": JSON}).status_code == 200
    with outside.admission.admit("127.0.0.1"):  # the client already has its one query running
        busy = client.get("/sparql", query_string={"query": SELECT}, headers={"Accept": JSON})
    assert busy.status_code == 429 and busy.headers["Retry-After"] == "1"
    assert client.get("/sparql", query_string={"query": SELECT}, headers={"Accept": JSON}).status_code == 200


def test_the_memo_is_bounded() -> None:
    memo = RequestMemo(size=2, max_request=100)
    kept = Remembered("key", [], (("Content-Type", "text/plain"),))
    signatures = [memo.signature("GET", f"query={i}", "", b"", None, ()) for i in range(3)]
    for signature in signatures:
        memo.put(signature, kept)
    assert len(memo) == 2 and memo.get(signatures[0]) is None and memo.get(signatures[2]) is kept
    assert memo.signature("GET", "q" * 101, "", b"", None, ()) is None
    assert memo.signature("POST", "", "text/plain", b"q" * 101, None, ()) is None
    assert memo.signature("POST", "q" * 50, "text/plain", b"q" * 51, None, ()) is None  # together
    with pytest.raises(ValueError, match="room"):
        RequestMemo(size=0)


PREFIXED = [
    "ASK { ?s ?p ?o .mmkg:x ?p ?o }",  # a name right after a triple's dot
    "SELECT * { ?s a mmkg:Drug FILTER(!sameTerm(?s,mmkg:x)) }",
    "SELECT * { ?s ?p ?o FILTER(?o=1-xsd:integer(\"1\")) }",
    "SELECT * { ?s ?p \"1\"^^xsd:integer }",
    "SELECT * { ?s rdfs:label ?l ; (skos:prefLabel|rdfs:label)+ ?m }",
    "SELECT * { ?s ?p \"\\u0061\" ; mmkg:x ?o }",  # with escapes, every prefix is kept
    "PREFIX mmkg: <http://example.org/> SELECT * { ?s mmkg:x ?o }",
    "SELECT * { <http://example.org/a:b> ?p ?o }",
    "SELECT * { ?s ?p ?o FILTER(?o != 1.5e3) . mmkg:x ?p ?o }",
    "PREFIX : <https://w3id.org/mmkg/> SELECT * { ?s ?p _:b1 . :x ?p ?o . ?s mmkg:x ?o }",  # its own empty prefix
]


def _answer(result: Any) -> object:
    return bool(result) if isinstance(result, ox.QueryBoolean) else sorted(str(list(s)) for s in result)


@pytest.mark.parametrize("sparql", PREFIXED)
def test_used_prefixes_hold_every_prefix_the_text_uses(sparql: str) -> None:
    ours = Store()
    ours.raw.add(ox.Quad(ox.NamedNode("https://w3id.org/mmkg/x"), ox.NamedNode("http://example.org/p"),
                         ox.Literal("1", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")),
                         ox.NamedNode("https://w3id.org/mmkg/graph/g")))
    every = ours.raw.query(sparql, prefixes=PREDECLARED, use_default_graph_as_union=True)
    assert _answer(ours.execute(sparql, prefixes=PREDECLARED)) == _answer(every)
    assert used_prefixes(PREDECLARED, "ASK {}") == {}


def test_long_runs_before_a_colon_yield_short_names() -> None:
    digits = 'SELECT * { ?s ?p "' + "1" * 100_000 + ':" }'  # one run of 100,000 name characters
    dotted = 'SELECT * { ?s ?p "' + "1." * 50_000 + 'mmkg:x" }'
    assert used_prefixes(PREDECLARED, digits) == {}
    assert used_prefixes({**PREDECLARED, "x": "http://example.org/"}, dotted) == {"mmkg": PREDECLARED["mmkg"]}


def test_a_prefix_it_misses_costs_a_second_parse_never_an_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(kg.query.store, "used_prefixes", lambda prefixes, sparql: {})
    ours = Store()
    ours.raw.add(ox.Quad(ox.NamedNode("https://w3id.org/mmkg/x"), ox.NamedNode("http://example.org/p"),
                         ox.Literal("1"), ox.NamedNode("https://w3id.org/mmkg/graph/g")))
    assert ours.query("ASK { mmkg:x ?p ?o }", prefixes=PREDECLARED).boolean is True
    with pytest.raises(QuerySyntaxError):
        ours.query("ASK { nosuch:x ?p ?o }", prefixes=PREDECLARED)


def test_saved_queries_answer_the_same_with_only_the_prefixes_they_use(store: Store, catalogue: Catalogue) -> None:
    assert catalogue.queries
    for saved in catalogue.queries.values():
        bindings = saved.bindings({})
        ours = store.query(saved.sparql, bindings, prefixes=PREDECLARED)  # given the prefixes it uses
        assert len(used_prefixes(PREDECLARED, saved.sparql)) < len(PREDECLARED)
        every = store.raw.query(saved.sparql, prefixes=PREDECLARED, use_default_graph_as_union=True,
                                substitutions={ox.Variable(k): v for k, v in bindings.items()})
        if ours.kind == "ask":
            assert bool(every) == ours.boolean, saved.name
            continue
        assert ours.kind == "select", saved.name
        theirs = sorted(str([solution[v] for v in ours.variables]) for solution in every)  # type: ignore[union-attr]
        assert sorted(str([row.get(v) for v in ours.variables]) for row in ours.rows) == theirs, saved.name
