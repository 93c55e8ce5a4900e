"""Shared fixtures: one build of the real graph per test session, its store, the query catalogue and the web app."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import waitress
from flask import Flask
from flask.testing import FlaskClient
from rdflib import Graph, URIRef

from kg import paths
from kg.curation.provenance import default_sources_dir
from kg.pipeline.releases import build_lock, inputs_fingerprint, up_to_date, write_release
from kg.pipeline.steps import BuiltGraph, build_graph
from kg.query.catalogue import Catalogue, load_catalogue
from kg.query.protocol.sandbox import QueryPool, StoreSpec
from kg.query.store import QueryStore, Store
from web import create_app
from web.settings import Settings

from .requirements import require

SEEDS: Path | None = default_sources_dir()

# tests/data holds inputs, not tests: --doctest-modules would import its scripts (make_falcon2_pdf.py imports fpdf)
# in every pytest worker at collection, for no test.
collect_ignore_glob = ["data/*"]


@pytest.fixture(scope="session")
def seeds() -> Path:
    """The source texts; tests that need them skip (only that part) when ../shared/seeds is absent, and fail
    when MMKG_REQUIRE_SEEDS=1 (CI)."""
    require("seeds", SEEDS is not None and SEEDS.is_dir(), what="the source texts (../shared/seeds)",
            install="check out ../shared beside the repository")
    assert SEEDS is not None
    return SEEDS


@pytest.fixture(scope="session")
def built() -> BuiltGraph:
    """The real graph, built once (provenance checked when the seeds are present)."""
    return build_graph(SEEDS)


ROOT = Path(__file__).resolve().parent.parent
RELEASE_CACHE = Path(os.environ.get("MMKG_TEST_CACHE", ROOT / "build" / "test-cache"))

# Fixtures that start Java or a server: a test using one must declare the matching mark (in its module's
# `pytestmark` or on the test), so `make test-fast` never runs it by accident. Checked at collection.
_FIXTURE_MARKS = {"built": "java", "oxigraph_url": "server", "live_url": "server", "virtuoso_url": "server"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Refuse a test that uses a Java or server fixture without declaring the mark that keeps it out of the fast
    loop; the error lists every such test with the mark it needs."""
    missing: list[str] = []
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        declared = {mark.name for mark in item.iter_markers()}
        for fixture, mark in _FIXTURE_MARKS.items():
            if fixture in names and mark not in declared:
                missing.append(f"{item.nodeid}: uses the {fixture!r} fixture, declare pytest.mark.{mark}")
    if missing:
        raise pytest.UsageError("tests without the mark their fixtures need:\n  " + "\n  ".join(missing))


@pytest.fixture(scope="session")
def release() -> Path:
    """The built release, kept in ``build/test-cache`` and reused while its inputs (ontology, facts,
    source texts, code) are unchanged, so a repeated run starts no reasoner; built once otherwise."""
    fingerprint = inputs_fingerprint(SEEDS, None, None)
    with build_lock(RELEASE_CACHE):  # `make test-fast` runs two pytest workers: one builds, the other waits
        cached = up_to_date(RELEASE_CACHE, fingerprint)
        if cached is not None:
            return cached
        fresh = build_graph(SEEDS)
        fresh.report.inputs = fingerprint
        return write_release(fresh, RELEASE_CACHE)


@pytest.fixture(scope="session")
def store(release: Path) -> Store:
    return Store.from_release(release / "mmkg.nq")


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    return load_catalogue(paths.queries_dir())


@pytest.fixture()
def facts_copy(tmp_path: Path) -> Path:
    """A writable copy of the fact files, for tests that break them on purpose."""
    target = tmp_path / "facts"
    shutil.copytree(paths.facts_dir(), target)
    return target


def union_without(built: BuiltGraph, excluded: URIRef) -> Graph:
    """All named graphs of a build merged into one, except ``excluded``."""
    graph = Graph()
    for g in built.dataset.graphs():
        if g.identifier != excluded:
            for triple in g:
                graph.add(triple)
    return graph


@pytest.fixture(scope="session")
def app(store: Store, catalogue: Catalogue) -> Flask:
    """The web app over the real graph."""
    return create_app(store, catalogue)


@pytest.fixture()
def client(app: Flask) -> FlaskClient:
    return app.test_client()


AppFactory = Callable[..., Flask]
PoolFactory = Callable[..., QueryPool]


@pytest.fixture()
def make_app(request: pytest.FixtureRequest) -> AppFactory:
    """``make_app(settings=..., pool=..., store=..., warm=False)``: a web app over the real graph (or ``store``) with
    the given settings; everything not given is the session's. The session's store and catalogue are only asked
    for when not given, so a test over its own store needs no release."""
    def make(settings: Settings | None = None, *, store: QueryStore | None = None, catalogue: Catalogue | None = None,
             **options: Any) -> Flask:
        return create_app(store if store is not None else request.getfixturevalue("store"),
                          catalogue if catalogue is not None else request.getfixturevalue("catalogue"),
                          settings or Settings(), **options)
    return make


@pytest.fixture()
def make_pool(request: pytest.FixtureRequest) -> Iterator[PoolFactory]:
    """``make_pool(workers=1, timeout=3.0, ...)``: a worker pool over the release (or ``nquads=``, then no release
    is needed), closed after the test whatever happens."""
    pools: list[QueryPool] = []

    def make(*, nquads: Path | None = None, workers: int = 1, timeout: float = 3.0, **options: Any) -> QueryPool:
        data = nquads if nquads is not None else request.getfixturevalue("release") / "mmkg.nq"
        pool = QueryPool(StoreSpec(nquads=data), workers=workers, timeout=timeout, **options)
        pools.append(pool)
        return pool
    yield make
    for pool in pools:
        pool.close()


@pytest.fixture(scope="session")
def live_url(app: Flask) -> Iterator[str]:
    """The app under waitress on a free loopback port, for real HTTP clients (SPARQLWrapper, Chromium)."""
    server = waitress.create_server(app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.effective_port}"  # type: ignore[union-attr]
    server.close()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_oxigraph(tmp: Path, *options: str, preload: Path | None = None) -> tuple[subprocess.Popen[bytes], str]:
    """``oxigraph serve`` (the ``oxigraph`` wheel's server) on a free loopback port; returns it and its base URL.

    ``preload`` is an RDF file ``oxigraph load`` puts into the store before it is served.
    """
    binary = Path(sys.executable).parent / "oxigraph"
    command = str(binary) if binary.exists() else shutil.which("oxigraph")
    if command is None:
        pytest.fail("the oxigraph server is not installed (it is in the test extras: pip install -e '.[test]')")
    if preload is not None:
        subprocess.run([command, "load", "--location", str(tmp), "--file", str(preload)], check=True,
                       capture_output=True, timeout=60)
    port = _free_port()
    process = subprocess.Popen([command, "serve", "--location", str(tmp), "--bind", f"127.0.0.1:{port}", *options],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return process, f"http://127.0.0.1:{port}"
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                err = process.stderr.read().decode() if process.stderr else ""
                pytest.fail(f"oxigraph serve did not start: {err}")
            time.sleep(0.1)


@pytest.fixture(scope="session")
def oxigraph_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Oxigraph server with the union default graph, empty at first."""
    process, url = start_oxigraph(tmp_path_factory.mktemp("oxigraph"), "--union-default-graph")
    yield url
    process.terminate()
    process.wait(10)


_VIRTUOSO_INI = """[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = {sql_port}
DisableUnixSocket = 1
DirsAllowed = ., {dir}
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
ThreadsPerQuery = 2
MaxQueryMem = 256M

[HTTPServer]
ServerPort = {http_port}
ServerRoot = {dir}
MaxClientConnections = 10
ServerThreads = 10

[SPARQL]
ResultSetMaxRows = 100000
MaxQueryExecutionTime = 60
"""


def start_virtuoso(tmp: Path) -> tuple[subprocess.Popen[bytes], str]:
    """Debian's Virtuoso (virtuoso-opensource) on free loopback ports with a fresh database in ``tmp``,
    its SPARQL user allowed to write through the Graph Store Protocol; returns it and its base URL.

    Skips when the package is not installed, unless MMKG_REQUIRE_VIRTUOSO=1 (CI, which installs it).
    """
    binary, isql = shutil.which("virtuoso-t"), shutil.which("isql-vt")
    require("virtuoso", binary is not None and isql is not None, what="Debian's virtuoso-opensource",
            install=".ci/run installs it (make virtuoso)")
    assert binary is not None and isql is not None
    tmp.mkdir(parents=True, exist_ok=True)
    sql_port, http_port = _free_port(), _free_port()
    ini = tmp / "virtuoso.ini"
    ini.write_text(_VIRTUOSO_INI.format(dir=tmp, sql_port=sql_port, http_port=http_port), encoding="utf-8")
    process = subprocess.Popen([binary, "-f", "-c", str(ini)], cwd=tmp, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while True:
        try:
            with socket.create_connection(("127.0.0.1", http_port), timeout=0.5):
                break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                log = (tmp / "virtuoso.log").read_text(errors="replace")[-2000:] if (tmp / "virtuoso.log").exists() \
                    else ""
                pytest.fail(f"virtuoso-t did not start: {log}")
            time.sleep(0.2)
    grant = 'GRANT SPARQL_UPDATE TO "SPARQL"; DB.DBA.RDF_DEFAULT_USER_PERMS_SET (\'nobody\', 7);'
    subprocess.run([isql, str(sql_port), "dba", "dba", f"exec={grant}"], check=True, capture_output=True, timeout=60)
    return process, f"http://127.0.0.1:{http_port}"


@pytest.fixture(scope="session")
def virtuoso_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Virtuoso server with a fresh database, empty at first."""
    process, url = start_virtuoso(tmp_path_factory.mktemp("virtuoso"))
    yield url
    process.terminate()
    try:
        process.wait(20)
    except subprocess.TimeoutExpired:
        process.kill()
