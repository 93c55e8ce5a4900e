"""The remote backend against real servers, Oxigraph and Virtuoso: push, every saved query, the CLI and the web app.

Virtuoso 7 differs in one place we document rather than paper over: it gives the value of
``EXISTS`` (and other boolean expressions) in a projection as ``1``/``0`` integers; the saved query
``imid-regimens`` shows it in its ``inferred`` column, which is compared by truth value there.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.errors import RemoteError
from kg.query.catalogue import Catalogue, SavedQuery
from kg.query.remote import RemoteStore
from kg.query.store import QueryResult, Store
from tests.conftest import AppFactory, start_oxigraph

pytestmark = [pytest.mark.slow, pytest.mark.server]


@pytest.fixture(scope="module", params=["oxigraph", "virtuoso"])
def remote(request: pytest.FixtureRequest, release: Path) -> RemoteStore:
    """The release pushed to an Oxigraph server (--union-default-graph) and to a Virtuoso server."""
    if request.param == "oxigraph":
        url = request.getfixturevalue("oxigraph_url")
        store = RemoteStore(f"{url}/query", graph_store=f"{url}/store")
    else:
        url = request.getfixturevalue("virtuoso_url")
        store = RemoteStore(f"{url}/sparql", graph_store=f"{url}/sparql-graph-crud")
    store.push(release / "mmkg.nq")
    return store


def _truth(value: str) -> str:
    """Virtuoso's ``"1"^^xsd:integer`` for EXISTS as the boolean it means (see the module's note)."""
    return {'"1"^^<http://www.w3.org/2001/XMLSchema#integer>': '"true"^^<http://www.w3.org/2001/XMLSchema#boolean>',
            '"0"^^<http://www.w3.org/2001/XMLSchema#integer>': '"false"^^<http://www.w3.org/2001/XMLSchema#boolean>'
            }.get(value, value)


def _canonical(result: QueryResult) -> object:
    """Answers in a comparable form: blank-node labels differ between stores, so they are blanked."""
    def term(value: object) -> str:
        return "_:b" if isinstance(value, ox.BlankNode) else str(value)

    if result.kind == "ask":
        return result.boolean
    if result.kind == "graph":
        return sorted(f"{term(t.subject)} {term(t.predicate)} {term(t.object)}" for t in result.triples or [])
    return sorted(json.dumps({k: _truth(term(v)) if k == "inferred" else term(v) for k, v in sorted(row.items())})
                  for row in result.rows)


def _cases(catalogue: Catalogue) -> list[tuple[SavedQuery, dict[str, str]]]:
    cases: list[tuple[SavedQuery, dict[str, str]]] = []
    for saved in catalogue:
        cases.append((saved, {}))
        cases += [(saved, dict(example)) for example in saved.examples]
    return cases


def test_push_keeps_every_named_graph(remote: RemoteStore, store: Store) -> None:
    # Our graphs only: Virtuoso keeps system graphs of its own beside them.
    ours = ('SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } '
            'FILTER(STRSTARTS(STR(?g), "https://w3id.org/mmkg/graph/")) } GROUP BY ?g')
    local, there = store.query(ours), remote.query(ours)
    assert _canonical(local) == _canonical(there) and len(local.rows) >= 7
    assert remote.check() == []


def test_every_saved_query_answers_the_same(remote: RemoteStore, store: Store, catalogue: Catalogue) -> None:
    cases = _cases(catalogue)
    assert len(cases) >= len(catalogue)
    for saved, given in cases:
        bindings = saved.bindings(given)
        embedded = store.query(saved.sparql, bindings)
        served = remote.query(saved.sparql, bindings)
        assert served.variables == embedded.variables, saved.name
        assert _canonical(served) == _canonical(embedded), f"{saved.name} {given}"
        assert embedded.rows, f"{saved.name} returns rows"


def test_construct_ask_limits_and_graph_restrictions(remote: RemoteStore, store: Store) -> None:
    construct = "CONSTRUCT { ?d a <https://w3id.org/mmkg/Drug> } WHERE { ?d a <https://w3id.org/mmkg/Drug> }"
    assert _canonical(remote.query(construct)) == _canonical(store.query(construct))
    assert remote.query("ASK { <https://w3id.org/mmkg/resource/lenalidomide> ?p ?o }").boolean is True
    capped = remote.query("SELECT ?s WHERE { ?s ?p ?o }", limit=3)
    assert len(capped.rows) == 3 and capped.truncated
    only = "https://w3id.org/mmkg/graph/source/s001"
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    assert _canonical(remote.query(query, default_graphs=[only])) == \
        _canonical(store.query(query, default_graphs=[only]))
    with pytest.raises(SyntaxError):
        remote.query("SELECT * WHERE { ?s ?p }")


def test_web_app_runs_read_only_on_the_remote_store(remote: RemoteStore, catalogue: Catalogue,
                                                    make_app: AppFactory) -> None:
    client = make_app(store=remote).test_client()
    page = client.get("/resource/lenalidomide")
    assert page.status_code == 200 and b"CHEBI:63791" in page.data and b"<svg" in page.data
    local = make_app().test_client()
    for saved in catalogue:
        path = f"/queries/{saved.name}.json"
        there, here = json.loads(client.get(path).data)["rows"], json.loads(local.get(path).data)["rows"]
        there = [{k: (bool(v) if k == "inferred" and v in (0, 1) else v) for k, v in row.items()} for row in there]
        # Rows that tie under ORDER BY may come in either order: compare them as multisets.
        assert sorted(map(json.dumps, there)) == sorted(map(json.dumps, here)), path
    assert client.get("/sparql", query_string={"query": "INSERT DATA { <a:a> <a:a> <a:a> }"}).status_code == 403
    assert client.get("/search.json", query_string={"q": "lenalidomide"}).status_code == 200


def test_cli_push_and_query_on_the_server(tmp_path: Path, release: Path) -> None:
    process, url = start_oxigraph(tmp_path / "db", "--union-default-graph")
    try:
        env = {**os.environ, "MMKG_HOME": str(release.parent.parent)}
        mmkg = [sys.executable, "-m", "web"]
        pushed = subprocess.run([*mmkg, "push", "--endpoint", f"{url}/query", "--graph-store", f"{url}/store"],
                                capture_output=True, text=True, env=env, timeout=120)
        assert pushed.returncode == 0, pushed.stderr
        assert "counts read back" in pushed.stdout and "Pushed" in pushed.stdout
        remote = subprocess.run([*mmkg, "query", "significant-pfs-benefit", "--format", "json",
                                 "--endpoint", f"{url}/query"], capture_output=True, text=True, env=env, timeout=60)
        local = subprocess.run([*mmkg, "query", "significant-pfs-benefit", "--format", "json"],
                               capture_output=True, text=True, env=env, timeout=120)
        assert remote.returncode == 0, remote.stderr
        assert json.loads(remote.stdout)["rows"] == json.loads(local.stdout)["rows"] != []
        wrong = subprocess.run([*mmkg, "push", "--endpoint", f"{url}/query"], capture_output=True, text=True,
                               env=env, timeout=60)
        assert wrong.returncode == 1 and "Graph Store Protocol" in wrong.stderr
    finally:
        process.terminate()
        process.wait(10)


def test_server_without_union_default_graph_is_flagged(tmp_path: Path, release: Path) -> None:
    process, url = start_oxigraph(tmp_path / "db")
    try:
        store = RemoteStore(f"{url}/query", graph_store=f"{url}/store")
        assert any("holds no data" in w for w in store.check())
        store.push(release / "mmkg.nq")
        assert any("union-default-graph" in w for w in store.check())
    finally:
        process.terminate()
        process.wait(10)


class _Recorder(BaseHTTPRequestHandler):
    seen: list[dict[str, str]] = []  # noqa: RUF012

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        type(self).seen.append(dict(self.headers))
        body = b'{"head": {}, "boolean": true}'
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture()
def recorder() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Recorder.seen = []
    yield f"http://127.0.0.1:{server.server_address[1]}/sparql"
    server.shutdown()


def test_credentials_come_from_the_environment_only(recorder: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MMKG_TEST_AUTH", "reader:s3cret-value")
    store = RemoteStore(recorder, auth_env="MMKG_TEST_AUTH")
    assert store.query("ASK {}").boolean is True
    assert _Recorder.seen[-1]["Authorization"] == "Basic cmVhZGVyOnMzY3JldC12YWx1ZQ=="
    assert "s3cret" not in repr(store)
    monkeypatch.setenv("MMKG_TEST_TOKEN", "Bearer abc.def")
    RemoteStore(recorder, auth_env="MMKG_TEST_TOKEN").query("ASK {}")
    assert _Recorder.seen[-1]["Authorization"] == "Bearer abc.def"
    with pytest.raises(RemoteError, match=r"MMKG_TEST_UNSET.*not set"):
        RemoteStore(recorder, auth_env="MMKG_TEST_UNSET")
    monkeypatch.setenv("MMKG_TEST_BAD", "no-colon-here")
    with pytest.raises(RemoteError) as bad:
        RemoteStore(recorder, auth_env="MMKG_TEST_BAD")
    assert "no-colon-here" not in str(bad.value)


def test_a_dead_endpoint_is_a_clear_error(catalogue: Catalogue) -> None:
    dead = RemoteStore("http://127.0.0.1:9/sparql", timeout=2)
    with pytest.raises(RemoteError, match="cannot be reached"):
        dead.query("ASK {}")
    with pytest.raises(RemoteError, match="not an http"):
        RemoteStore("ftp://example.org/")
    cli = subprocess.run([sys.executable, "-m", "web", "query", "significant-pfs-benefit", "--endpoint",
                          "http://127.0.0.1:9/sparql"], capture_output=True, text=True, timeout=60)
    assert cli.returncode == 1 and "cannot be reached" in cli.stderr and "Traceback" not in cli.stderr


def test_dataset_base_and_prefixes_behave_as_on_the_embedded_store(remote: RemoteStore, store: Store) -> None:
    from kg.query.prefixes import PREDECLARED

    ontology, reference = "https://w3id.org/mmkg/graph/ontology", "https://w3id.org/mmkg/graph/reference"
    cases: list[tuple[str, dict[str, object]]] = [
        (f"SELECT (COUNT(*) AS ?n) FROM <{ontology}> WHERE {{ ?s ?p ?o }}", {}),
        (f"SELECT (COUNT(*) AS ?n) FROM NAMED <{ontology}> WHERE {{ ?s ?p ?o }}", {}),
        ("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", {"default_graphs": [reference]}),
        ("SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }", {"named_graphs": [ontology, reference]}),
        ("SELECT (COUNT(*) AS ?n) WHERE { <resource/lenalidomide> ?p ?o }", {}),
        ("SELECT (COUNT(*) AS ?n) WHERE { ?d skos:exactMatch CHEBI:63791 }", {"prefixes": PREDECLARED}),
    ]
    for query, options in cases:
        assert _canonical(remote.query(query, **options)) == _canonical(store.query(query, **options)), query  # type: ignore[arg-type]
    assert _canonical(store.query(cases[0][0])) != _canonical(store.query(cases[2][0]))
