"""Property-based fuzzing of the web front end (hypothesis): ``/sparql`` by every protocol way, every
saved query's parameters, entity / search / describe pages.

The properties (see :func:`tests.fuzz_strategies.problems`): never a 5xx except 503 for a query
stopped at its time limit; a 200 from ``/sparql`` parses in the format it claims; a bad parameter's
400 names the parameter; no hostile string unescaped in HTML. CI runs a fixed, derandomised set of
1,500 examples; ``bench/fuzz_soak.py`` runs as many random ones as one likes against ``mmkg serve``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from hypothesis import HealthCheck, example, given, settings

from kg.query.catalogue import Catalogue, SavedQuery
from kg.query.protocol.sandbox import QueryPool, StoreSpec
from kg.query.store import Store
from tests.fuzz_strategies import FuzzRequest, entity_paths, parameter_requests, problems, sparql_requests
from web import create_app
from web.settings import Settings

pytestmark = pytest.mark.slow

_CI = settings(max_examples=700, derandomize=True, deadline=None, database=None,
               suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@pytest.fixture(scope="module")
def fuzz_app(release: Path, catalogue: Catalogue) -> Iterator[Flask]:
    """The app as ``mmkg serve`` runs it: queries in a worker pool with a short time limit."""
    # module-scoped (one pool for hundreds of examples), so not the per-test make_pool/make_app factories
    pool = QueryPool(StoreSpec(nquads=release / "mmkg.nq"), workers=2, timeout=3.0)
    yield create_app(Store.from_release(release / "mmkg.nq"), catalogue, Settings(query_timeout=3.0), pool=pool)
    pool.close()


def _send(app: Flask, req: FuzzRequest, parameters: tuple[str, ...] = ()) -> list[str]:
    client = app.test_client()
    kwargs: dict[str, object] = {"query_string": req.query, "headers": req.headers}
    if req.form is not None:
        kwargs["data"] = dict(req.form)
        kwargs["content_type"] = req.content_type
    elif req.body is not None:
        kwargs["data"] = req.body
        kwargs["content_type"] = req.content_type
    response = client.open(req.path, method=req.method, **kwargs)  # type: ignore[arg-type]
    return problems(req, response.status_code, response.content_type or "", response.get_data(), parameters)


def _assert_fine(app: Flask, req: FuzzRequest, parameters: tuple[str, ...] = ()) -> None:
    found = _send(app, req, parameters)
    assert not found, f"{req.describe()}\n" + "\n".join(found)


_TRIPLE_TERM = "SELECT ?t WHERE { BIND(<<( <urn:a> <urn:b> \"x\\u0001\"@en )>> AS ?t) }"
_HOSTILE_CONSTRUCT = "CONSTRUCT { <urn:a> <urn:b> \"<script>alert(1)</script>\" } WHERE {}"
# Cases the soak found once (booleans read as rows) or that matter too much to leave to chance.
_EXAMPLES = [FuzzRequest("GET", "/sparql", [("query", q)], headers={"Accept": a})
             for q in ("ASK {}", _TRIPLE_TERM, _HOSTILE_CONSTRUCT)
             for a in ("application/sparql-results+xml", "text/tab-separated-values", "text/csv",
                       "application/sparql-results+json", "application/rdf+xml", "application/ld+json")]


def test_sparql_endpoint_fuzz(fuzz_app: Flask, catalogue: Catalogue) -> None:
    @_CI
    @given(sparql_requests(catalogue))
    def check(req: FuzzRequest) -> None:
        _assert_fine(fuzz_app, req)

    for case in _EXAMPLES:
        check = example(case)(check)
    check()


def test_saved_query_parameters_fuzz(fuzz_app: Flask, catalogue: Catalogue) -> None:
    @settings(_CI, max_examples=500)
    @given(parameter_requests(catalogue))
    def check(case: tuple[SavedQuery, FuzzRequest]) -> None:
        _saved, req = case
        _assert_fine(fuzz_app, req, tuple(name for name, _ in req.query))

    check()


def test_entity_and_search_pages_fuzz(fuzz_app: Flask) -> None:
    @settings(_CI, max_examples=300)
    @given(entity_paths())
    def check(req: FuzzRequest) -> None:
        _assert_fine(fuzz_app, req)

    check()


def test_the_oracle_catches_what_it_should() -> None:
    """The properties can fail: a 500, an unparsable 200 and an unescaped payload are each reported."""
    req = FuzzRequest("GET", "/sparql")
    assert problems(req, 500, "text/plain", b"boom")
    assert problems(req, 200, "application/sparql-results+json", b"{not json")
    assert problems(req, 200, "application/sparql-results+xml", b"<sparql><results>")
    assert problems(FuzzRequest("GET", "/x"), 200, "text/html", b"<p><script>alert(1)</script></p>")
    assert problems(FuzzRequest("GET", "/queries/q"), 400, "text/plain", b"bad value", ("drug",))
    assert not problems(FuzzRequest("GET", "/queries/q"), 400, "text/plain", b"parameter 'drug': bad", ("drug",))
    assert not problems(req, 503, "text/plain", b"the query ran longer than 3 s and was stopped")
