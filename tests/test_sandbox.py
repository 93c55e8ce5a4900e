"""The query sandbox: no connection to a host that is not allow-listed, runaway queries stopped,
other requests answered meanwhile, updates refused with the data unchanged."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from kg.errors import QueryRefused, QuerySyntaxError, QueryTimeout
from kg.query.catalogue import Catalogue
from kg.query.protocol.guard import QueryPolicy, check_query
from kg.query.protocol.sandbox import QueryPool, StoreSpec
from kg.query.store import Store
from web import create_app
from web.settings import Settings

from .conftest import PoolFactory

RUNAWAY = ("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l "
           "FILTER(REGEX(CONCAT(STR(?c), STR(?f), STR(?i), STR(?l)), 'x{3}y')) }")


class Listener:
    """A TCP listener on loopback that counts the connections it is offered."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self._stop = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self._stop = True
        self.thread.join(2)
        self.sock.close()


@pytest.fixture()
def listener() -> Iterator[Listener]:
    server = Listener()
    yield server
    server.close()


@pytest.fixture(scope="module")
def pool(release: Path) -> Iterator[QueryPool]:
    # module-scoped (the module's tests share one pool and app), so not the per-test make_pool/make_app factories
    workers = QueryPool(StoreSpec(nquads=release / "mmkg.nq"), workers=2, timeout=3.0)
    yield workers
    workers.close()


@pytest.fixture(scope="module")
def sandboxed(store: Store, catalogue: Catalogue, pool: QueryPool) -> Flask:
    return create_app(store, catalogue, Settings(query_timeout=3.0), pool=pool)


def test_ssrf_attempts_make_no_connection(sandboxed: Flask, listener: Listener, store: Store) -> None:
    client = sandboxed.test_client()
    target = f"http://127.0.0.1:{listener.port}/sparql"
    attempts = [
        f"SELECT * WHERE {{ SERVICE <{target}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICE SILENT <{target}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ BIND(<{target}> AS ?e) SERVICE ?e {{ ?s ?p ?o }} }}",
        f"PREFIX x: <http://127.0.0.1:{listener.port}/> SELECT * WHERE {{ sErViCe x:sparql {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ \\u0053ERVICE <{target}> {{ ?s ?p ?o }} }}",
        f"SELECT * FROM <{target}> WHERE {{ ?s ?p ?o }}",
        f"SELECT * FROM NAMED <{target}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
        f"LOAD <{target}>",
        f"LOAD SILENT <{target}> INTO GRAPH <urn:x>",
    ]
    size = len(store)
    for query in attempts:
        for response in (client.get("/sparql", query_string={"query": query}),
                         client.post("/sparql", data=query.encode(), content_type="application/sparql-query")):
            assert response.status_code in (400, 403), (query, response.data)
            assert b"line 1, column" in response.data
    dataset = client.get("/sparql", query_string={"query": "ASK { ?s ?p ?o }", "default-graph-uri": target})
    assert dataset.status_code == 400
    time.sleep(0.5)
    assert listener.connections == 0
    assert len(store) == size


def test_allow_listed_service_is_let_through() -> None:
    policy = QueryPolicy(service_allow=("https://query.wikidata.org/",))
    check_query("SELECT * WHERE { SERVICE <https://query.wikidata.org/sparql> { ?s ?p ?o } }", policy)
    with pytest.raises(QueryRefused, match="allow-list"):
        check_query("SELECT * WHERE { SERVICE <https://query.wikidata.org.evil/x> { ?s ?p ?o } }", policy)


@pytest.mark.parametrize("query", [
    'SELECT * WHERE { ?s ?p "SERVICE <http://127.0.0.1:1/>" }',
    "SELECT * WHERE { ?s ?p ?o } # SERVICE <http://127.0.0.1:1/>",
    "SELECT ?service WHERE { ?service <http://example.org/from> ?o FILTER(?o < 3 && ?o > 1) }",
    "PREFIX ex: <http://example.org/> SELECT * WHERE { ?s ex:service ex:FROM }",
])
def test_keywords_in_strings_iris_comments_and_names_are_not_refused(query: str) -> None:
    check_query(query, QueryPolicy(local_graphs=set()))


@pytest.mark.slow  # over 3 s: the full suite runs it, the fast loop does not
def test_runaway_query_is_stopped_while_others_are_answered(sandboxed: Flask, pool: QueryPool) -> None:
    client = sandboxed.test_client()
    outcome: dict[str, object] = {}

    def runaway() -> None:
        started = time.monotonic()
        # another client than the quick queries below: one client runs one query at a time (429 otherwise)
        response = client.get("/sparql", query_string={"query": RUNAWAY}, environ_base={"REMOTE_ADDR": "10.0.0.66"})
        outcome["status"], outcome["seconds"] = response.status_code, time.monotonic() - started
        outcome["body"] = response.data

    thread = threading.Thread(target=runaway)
    thread.start()
    time.sleep(0.5)
    quick = []
    for _ in range(5):
        started = time.monotonic()
        response = sandboxed.test_client().get("/sparql", query_string={"query": "ASK {}"})
        quick.append(time.monotonic() - started)
        assert response.status_code == 200
    thread.join(15)
    assert outcome["status"] == 503 and b"was stopped" in outcome["body"]  # type: ignore[operator]
    assert float(outcome["seconds"]) < 3.0 + 1.0  # type: ignore[arg-type]
    assert max(quick) < 1.0
    # A request may lower the limit; the replacement worker comes back.
    started = time.monotonic()
    lowered = client.get("/sparql", query_string={"query": RUNAWAY, "timeout": "1"})
    assert lowered.status_code == 503 and time.monotonic() - started < 2.0
    assert client.get("/sparql", query_string={"query": "ASK {}", "timeout": "abc"}).status_code == 400
    deadline = time.monotonic() + 30
    while pool.idle_workers < pool.size and time.monotonic() < deadline:
        time.sleep(0.2)
    assert pool.idle_workers == pool.size


def test_pool_reports_errors_like_the_store(pool: QueryPool) -> None:
    with pytest.raises(QuerySyntaxError, match="incomplete triple pattern at 1:18") as info:
        pool.query("SELECT * WHERE { ?s ?p }")
    assert info.value.position == (1, 18) and "error at 1:" in info.value.detail
    result = pool.query("SELECT ?s WHERE { ?s a <https://w3id.org/mmkg/Drug> }", limit=2)
    assert len(result.rows) == 2 and result.truncated
    with pytest.raises(QueryTimeout):
        pool.query(RUNAWAY, timeout=0.5)


def test_a_dead_worker_is_reported_and_replaced(make_pool: PoolFactory) -> None:
    """A worker that dies (an engine crash) costs one 503-worthy error, not the pool."""
    pool = make_pool(timeout=5.0)
    victim = pool._idle.queue[0]  # the only worker
    victim.process.kill()
    victim.process.join(5)
    with pytest.raises(QueryTimeout, match="crashed the engine"):
        pool.query("ASK {}")
    assert pool.query("ASK {}").boolean is True  # waits for the replacement
    assert pool.killed == 1


def test_editor_uses_the_sandbox(sandboxed: Flask) -> None:
    client: FlaskClient = sandboxed.test_client()
    response = client.get("/query", query_string={"query": "SELECT * WHERE { SERVICE <http://127.0.0.1:1/> {} }"})
    assert response.status_code == 403 and b"not allowed" in response.data
