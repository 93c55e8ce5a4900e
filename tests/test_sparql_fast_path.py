"""``/sparql`` answered in front of Flask (web/fast_sparql.py) and the answer cache (kg/query/answer_cache.py):
the same answers, headers and errors as the Flask view, every check still applied, nothing run twice."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import pytest
from flask import Flask, url_for
from werkzeug.test import EnvironBuilder

from kg.query.answer_cache import AnswerCache
from kg.query.results import Serialised
from web.conneg import negotiate_header
from web.errors import HttpError
from web.fast_sparql import EndpointIris
from web.settings import Settings

AppFactory = Callable[..., Flask]
JSON = "application/sparql-results+json"
SELECT = ("PREFIX mmkg: <https://w3id.org/mmkg/> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
          "SELECT ?drug ?label WHERE { ?drug a mmkg:Drug ; rdfs:label ?label } ORDER BY ?label")
CONSTRUCT = "PREFIX mmkg: <https://w3id.org/mmkg/> CONSTRUCT { ?d a mmkg:Drug } WHERE { ?d a mmkg:Drug }"
TYPO = "PREFIX mmkg: <https://w3id.org/mmkg/> SELECT ?f WHERE { ?f mmkg:endpiont ?e } LIMIT 1"

# (method, query string or form, headers, body content type): answers and errors of every kind
REQUESTS: list[tuple[str, dict[str, str] | list[tuple[str, str]], dict[str, str], str | None]] = [
    ("GET", {"query": SELECT}, {"Accept": JSON}, None),
    ("GET", {"query": SELECT}, {"Accept": "text/csv"}, None),
    ("GET", {"query": SELECT, "format": "xml"}, {}, None),
    ("GET", {"query": SELECT}, {}, None),
    ("GET", {"query": CONSTRUCT}, {"Accept": "text/turtle"}, None),
    ("GET", {"query": CONSTRUCT}, {"Accept": "application/n-triples"}, None),
    ("GET", {"query": "ASK { ?s ?p ?o }"}, {"Accept": "application/json"}, None),
    ("GET", {"query": "SELECT ?s { ?s ?p ?o } LIMIT 2",
             "default-graph-uri": "https://w3id.org/mmkg/graph/ontology"}, {"Accept": JSON}, None),
    ("GET", {"query": TYPO}, {"Accept": JSON}, None),  # a vocabulary warning travels with the answer
    ("GET", {"query": TYPO, "strict": "1"}, {"Accept": JSON}, None),  # ... or refuses it
    ("GET", {"query": "SELECT * WHERE { ?s ?p }"}, {"Accept": JSON}, None),  # syntax error, 400 with position
    ("GET", {"query": "INSERT DATA { <a:b> <a:c> <a:d> }"}, {}, None),  # 403
    ("GET", {"query": "SELECT * { SERVICE <http://evil.example/> { ?s ?p ?o } }"}, {}, None),
    ("GET", {"query": SELECT}, {"Accept": "image/png"}, None),  # 406
    ("GET", {"query": SELECT, "format": "nonsense"}, {}, None),  # 400
    ("GET", {"query": SELECT, "timeout": "soon"}, {}, None),
    ("GET", {"query": "   "}, {}, None),
    ("GET", [("query", SELECT), ("query", SELECT)], {}, None),
    ("GET", {"update": "CLEAR ALL"}, {}, None),
    ("GET", {"query": "SELECT * { ?s ?p ?o }", "default-graph-uri": "not an iri"}, {}, None),
    ("GET", {"query": "SELECT * FROM <http://remote.example/g> { ?s ?p ?o }"}, {}, None),
    ("GET", {}, {"Accept": "text/turtle"}, None),  # the service description
    ("POST", {"query": SELECT}, {"Accept": JSON}, "application/x-www-form-urlencoded"),
    ("POST", {"query": SELECT}, {"Accept": JSON}, "application/sparql-query"),
    ("POST", {"query": SELECT}, {"Accept": JSON}, "text/plain"),  # 415
    ("POST", {"update": "CLEAR ALL"}, {}, "application/x-www-form-urlencoded"),
    ("POST", {"query": SELECT}, {}, "application/sparql-update"),
]


def _environ(method: str, params: dict[str, str] | list[tuple[str, str]], headers: dict[str, str],
             media: str | None) -> dict[str, Any]:
    if method == "GET":
        from urllib.parse import urlencode as encode

        query = encode(params) if isinstance(params, list) else params
        return EnvironBuilder(path="/sparql", method="GET", query_string=query,
                              headers=list(headers.items())).get_environ()
    pairs = list(params.items()) if isinstance(params, dict) else params
    if media == "application/x-www-form-urlencoded":
        from urllib.parse import urlencode

        data = urlencode(pairs).encode()
    else:
        data = pairs[0][1].encode()
    return EnvironBuilder(path="/sparql", method="POST", data=data, content_type=media,
                          headers=list(headers.items())).get_environ()


def _call(app: Callable[..., Iterable[bytes]], environ: dict[str, Any]) -> tuple[str, list[tuple[str, str]], bytes]:
    started: list[tuple[str, list[tuple[str, str]]]] = []
    body = app(environ, lambda status, headers, exc_info=None: started.append((status, headers)))
    data = b"".join(body)
    close = getattr(body, "close", None)
    if close is not None:
        close()
    status, headers = started[-1]
    return status, sorted(headers), data


@pytest.mark.parametrize(("method", "params", "headers", "media"), REQUESTS)
def test_the_fast_path_answers_as_the_flask_view(make_app: AppFactory, method: str,
                                                 params: dict[str, str] | list[tuple[str, str]],
                                                 headers: dict[str, str], media: str | None) -> None:
    app = make_app(Settings(answer_cache_bytes=0), warm=False)
    fast = app.wsgi_app
    flask_only = fast.inner  # type: ignore[attr-defined]
    ours = _call(fast, _environ(method, params, headers, media))
    theirs = _call(flask_only, _environ(method, params, headers, media))
    assert ours == theirs
    if ours[0].startswith("200") and params and "query" in dict(params):
        assert ("X-Content-Type-Options", "nosniff") in ours[1]
        assert ("Access-Control-Allow-Origin", "*") in ours[1]


def test_answers_skip_flask_and_errors_do_not_run_the_query_again(make_app: AppFactory) -> None:
    app = make_app(Settings(answer_cache_bytes=0, max_result_bytes=200), warm=False)
    seen: list[str] = []
    def through_flask() -> None:
        seen.append("flask")

    app.before_request_funcs.setdefault(None, []).append(through_flask)
    outside = app.extensions["mmkg"].outside
    runs: list[str] = []
    written = outside.written
    def counted(*args: Any, **kwargs: Any) -> Any:
        runs.append("run")
        return written(*args, **kwargs)

    outside.written = counted
    client = app.test_client()
    small = client.get("/sparql", query_string={"query": "ASK { ?s ?p ?o }"}, headers={"Accept": JSON})
    assert small.status_code == 200 and seen == [] and runs == ["run"]
    big = client.get("/sparql", query_string={"query": "SELECT * { ?s ?p ?o }"}, headers={"Accept": JSON})
    assert big.status_code == 413 and b"the answer is larger than" in big.data  # the app's own handler, as plain text
    assert big.mimetype == "text/plain" and seen == ["flask"] and runs == ["run", "run"]


def test_a_repeated_query_comes_from_the_cache_but_is_still_checked_and_admitted(make_app: AppFactory) -> None:
    app = make_app(Settings(), warm=False)
    outside = app.extensions["mmkg"].outside
    assert outside.answers is not None
    client = app.test_client()
    first = client.get("/sparql", query_string={"query": SELECT}, headers={"Accept": JSON})
    again = client.get("/sparql", query_string={"query": SELECT}, headers={"Accept": JSON})
    assert first.status_code == again.status_code == 200 and first.data == again.data
    assert outside.answers.hits == 1 and len(outside.answers) == 1
    as_csv = client.get("/sparql", query_string={"query": SELECT}, headers={"Accept": "text/csv"})
    assert as_csv.mimetype == "text/csv" and len(outside.answers) == 2  # kept per media type
    strict = client.get("/sparql", query_string={"query": TYPO, "strict": "1"})
    client.get("/sparql", query_string={"query": TYPO})
    warned = client.get("/sparql", query_string={"query": TYPO})
    assert strict.status_code == 400 and "endpiont" in warned.headers["Warning"]
    with outside.admission.admit("127.0.0.1"):  # the client already has its one query running
        busy = client.get("/sparql", query_string={"query": SELECT}, headers={"Accept": JSON})
    assert busy.status_code == 429 and busy.headers["Retry-After"] == "1"
    other_app = make_app(Settings(), warm=False)  # a new release's app starts empty
    assert other_app.extensions["mmkg"].outside.answers is not outside.answers


def test_the_answer_cache_is_bounded_by_entries_and_bytes() -> None:
    def answer(size: int) -> Serialised:
        return Serialised(JSON, b"x" * size, False)

    by_entries = AnswerCache(2**20, max_entries=3)
    for i in range(5):
        assert by_entries.put(i, "q", answer(10))
    assert len(by_entries) == 3 and by_entries.get(0) is None and by_entries.get(4) is not None
    by_bytes = AnswerCache(64_000)
    assert not by_bytes.put("huge", "q", answer(5_000))  # over a sixteenth: not kept
    for i in range(40):
        by_bytes.put(i, "q", answer(3_000))
    assert by_bytes.bytes <= 64_000 and 0 < len(by_bytes) < 40
    assert by_bytes.bytes == sum(AnswerCache.footprint("q", answer(3_000)) for _ in range(len(by_bytes)))
    by_bytes.clear()
    assert len(by_bytes) == 0 and by_bytes.bytes == 0
    with pytest.raises(ValueError, match="room"):
        AnswerCache(0)


def test_negotiation_by_header_matches_and_refuses(make_app: AppFactory) -> None:
    offered = [JSON, "text/csv"]
    assert negotiate_header("text/csv;q=0.9, application/json;q=0.5", offered) == "text/csv"
    assert negotiate_header("application/json", offered) == JSON
    assert negotiate_header(None, offered) == JSON
    long_accept = ", ".join(f"x/y{i};q=0.1" for i in range(200)) + ", text/csv"  # not kept, still answered
    assert negotiate_header(long_accept, offered) == "text/csv"
    with pytest.raises(HttpError) as refused:
        negotiate_header("image/png", offered)
    assert refused.value.status == 406 and "image/png" in refused.value.message
    with pytest.raises(HttpError) as unknown:
        negotiate_header(None, offered, "nonsense")
    assert unknown.value.status == 400


@pytest.mark.parametrize(("base", "script"), [("http://localhost", ""), ("https://kg.example.org:8443", ""),
                                              ("http://127.0.0.1:5000", "/mmkg")])
def test_the_endpoint_iri_is_the_one_url_for_builds(make_app: AppFactory, base: str, script: str) -> None:
    app = make_app(Settings(), warm=False)
    environ = EnvironBuilder(path="/sparql", base_url=base + script).get_environ()
    with app.request_context(environ):
        expected = url_for("sparql.endpoint", _external=True)
    iris = EndpointIris(app, size=2)
    assert iris(environ) == expected == f"{base}{script}/sparql"
    for port in range(5):  # never more than ``size`` kept
        iris(EnvironBuilder(path="/sparql", base_url=f"http://h{port}.example").get_environ())
    assert len(iris._known) <= 2


def test_a_post_body_cut_short_is_a_client_error_as_in_flask(make_app: AppFactory) -> None:
    app = make_app(Settings(answer_cache_bytes=0), warm=False)
    answers = []
    for wsgi in (app.wsgi_app, app.wsgi_app.inner):  # type: ignore[attr-defined]
        environ = _environ("POST", {"query": SELECT}, {"Accept": JSON}, "application/sparql-query")
        environ["CONTENT_LENGTH"] = str(int(environ["CONTENT_LENGTH"]) + 50)  # the client stopped sending
        answers.append(_call(wsgi, environ))
    assert answers[0] == answers[1] and answers[0][0].startswith("400")
