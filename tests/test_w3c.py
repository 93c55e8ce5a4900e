"""The W3C SPARQL 1.1 test suites through our ``/sparql``: syntax, updates and SERVICE refused, evaluation
against the expected results and against pyoxigraph's own answer, and the protocol tests.

``../shared/w3c-sparql11`` holds the suites; each part is skipped (with the reason) when it is absent.
Known engine failures are listed in ``tests/data/w3c-known-engine-failures.txt``; by-design
refusals (updates, SERVICE, graphs the store does not hold) are listed below. Pass counts are printed.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from kg import paths
from kg.query.catalogue import load_catalogue
from kg.query.store import Store
from tests.w3c_suite import evaluate, manifest_entries, run_protocol_test, send_query, suite_dir
from web import create_app

from .conftest import AppFactory

ROOT = suite_dir()
KNOWN = Path(__file__).parent / "data" / "w3c-known-engine-failures.txt"
EVALUATION = ("aggregates", "bind", "bindings", "cast", "construct", "csv-tsv-res", "exists", "functions", "grouping",
              "json-res", "negation", "project-expression", "property-path", "subquery")
# Protocol tests whose request this read-only endpoint refuses by design.
BY_DESIGN = {
    **{name: "names default-graph-uri data0.rdf, a graph the store does not hold: 400 (remote graphs are never "
             "fetched)" for name in ("query_post_form", "query_get", "query_content_type_select",
                                     "query_content_type_ask", "query_content_type_describe",
                                     "query_content_type_construct")},
    **{name: "an update: this endpoint is read-only (403)" for name in (
        "update_dataset_default_graph", "update_dataset_default_graphs", "update_dataset_named_graphs",
        "update_dataset_full", "update_post_form", "update_post_direct", "update_base_uri")},
}

pytestmark = pytest.mark.skipif(ROOT is None, reason="../shared/w3c-sparql11 is not present")


@pytest.fixture(scope="module")
def empty_client() -> Iterator[FlaskClient]:
    # module-scoped (one app for the whole suite), so not the per-test make_app factory
    store = Store()
    logging.disable(logging.WARNING)
    yield create_app(store, load_catalogue(paths.queries_dir()), warm=False).test_client()
    logging.disable(logging.NOTSET)


def _known() -> dict[str, str]:
    lines = [line for line in KNOWN.read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")]
    return {test.strip(): why.strip() for test, why in (line.split("|", 1) for line in lines)}


def test_syntax_positive_pass_and_negative_are_400(empty_client: FlaskClient) -> None:
    assert ROOT is not None
    _, tests = manifest_entries(ROOT, "syntax-query")
    results = {"positive": [0, 0], "negative": [0, 0]}
    wrong = []
    not_evaluated = []
    for test in tests:
        assert test.query is not None
        status, message = send_query(empty_client, test.query.read_text(encoding="utf-8", errors="surrogatepass"))
        kind = "positive" if "PositiveSyntaxTest11" in test.kinds else "negative"
        parsed = status == 200 or (status == 400 and not message.startswith("the query does not parse"))
        if kind == "positive" and status == 400 and parsed:
            # it parses; evaluating it needs what the engine lacks (a custom function) or a graph we do not hold
            not_evaluated.append(f"{test.name}: {message.splitlines()[0][:80]}")
        ok = parsed if kind == "positive" else (status == 400 and message.startswith("the query does not parse"))
        results[kind][0 if ok else 1] += 1
        if not ok:
            wrong.append(f"{test.id} ({kind}): HTTP {status} {message[:120]}")
    print(f"\nW3C syntax-query: positive {results['positive'][0]}/{sum(results['positive'])} parsed "
          f"({len(not_evaluated)} of them refused at evaluation by design: {'; '.join(not_evaluated)}), "
          f"negative {results['negative'][0]}/{sum(results['negative'])} answered 400 'does not parse'")
    assert wrong == []
    assert len(not_evaluated) <= 2, not_evaluated


@pytest.mark.parametrize("folder", ["syntax-update-1", "syntax-update-2", "syntax-fed"])
def test_updates_and_service_are_refused_and_nothing_changes(folder: str, make_app: AppFactory) -> None:
    assert ROOT is not None
    store = Store()
    store.raw.load(b"<urn:s> <urn:p> <urn:o> <urn:g> .\n", format=__import__("pyoxigraph").RdfFormat.N_QUADS)
    client = make_app(store=store, warm=False).test_client()
    _, tests = manifest_entries(ROOT, folder)
    refused = 0
    for test in tests:
        assert test.query is not None
        text = test.query.read_text(encoding="utf-8")
        direct = client.post("/sparql", data=text.encode(), content_type="application/sparql-update").status_code
        as_query, _ = send_query(client, text)
        assert direct == 403, f"{test.id}: application/sparql-update answered {direct}"
        assert as_query in (400, 403), f"{test.id}: sent as a query, answered {as_query}"
        refused += 1
    assert len(store) == 1, "the data did not change"
    print(f"\nW3C {folder}: {refused}/{len(tests)} refused (403 as an update; 403 or 400 as a query), data unchanged")


@pytest.mark.slow  # over 3 s: the full suite runs it, the fast loop does not
def test_evaluation_matches_the_engine_and_only_known_engine_failures_remain() -> None:
    assert ROOT is not None
    known = _known()
    ours_differ, new_engine, passed, total, fixed = [], [], 0, 0, []
    logging.disable(logging.WARNING)
    try:
        for folder in EVALUATION:
            _, tests = manifest_entries(ROOT, folder)
            for test in tests:
                if not {"QueryEvaluationTest", "CSVResultFormatTest"} & test.kinds or test.query is None:
                    continue
                total += 1
                outcome = evaluate(test, ROOT)
                if not outcome.matches_engine:
                    ours_differ.append(f"{test.id}: {outcome.detail}")
                elif outcome.matches_expected:
                    passed += 1
                    if test.id in known:
                        fixed.append(test.id)
                elif test.id not in known:
                    new_engine.append(f"{test.id}: {outcome.detail}")
    finally:
        logging.disable(logging.NOTSET)
    print(f"\nW3C query evaluation through /sparql: {passed}/{total} match the expected results; "
          f"{total - len(ours_differ)}/{total} equal pyoxigraph's own answer; known engine failures "
          f"{len(known)}; listed but now passing: {fixed or 'none'}")
    assert ours_differ == [], "our endpoint answers differently from the engine:\n" + "\n".join(ours_differ)
    assert new_engine == [], "new engine failures (list them with the reason, or fix):\n" + "\n".join(new_engine)


def test_protocol_tests() -> None:
    assert ROOT is not None
    manifest, tests = manifest_entries(ROOT, "protocol")
    failed, passed, refused = [], 0, 0
    logging.disable(logging.WARNING)
    try:
        for test in tests:
            outcome = run_protocol_test(manifest, test, ROOT)
            if outcome.passed:
                passed += 1
            elif test.name in BY_DESIGN:
                refused += 1
            else:
                failed.append(f"{test.name}: {outcome.detail}")
    finally:
        logging.disable(logging.NOTSET)
    print(f"\nW3C protocol: {passed}/{len(tests)} pass, {refused} refused by design ({', '.join(sorted(BY_DESIGN))})")
    assert failed == []
    assert passed + refused == len(tests)
