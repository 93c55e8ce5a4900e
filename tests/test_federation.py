"""Federation, opt-in: /sparql lets SERVICE call an allow-listed endpoint and refuses any other,
with the sandbox's time limit; two real Oxigraph servers stand in for Wikidata and an unlisted one."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from kg.query.catalogue import Catalogue
from kg.query.protocol.sandbox import QueryPool, StoreSpec
from kg.query.store import Store
from web import create_app
from web.settings import Settings

from .conftest import AppFactory, start_oxigraph

pytestmark = pytest.mark.server

_DATA = """<http://www.wikidata.org/entity/Q425681> <http://www.w3.org/2000/01/rdf-schema#label> "{label}"@en .
"""


def _server(tmp: Path, label: str) -> tuple[subprocess.Popen[bytes], str]:
    data = tmp / "data.nt"
    data.write_text(_DATA.format(label=label))
    process, url = start_oxigraph(tmp / "db", preload=data)
    return process, url + "/query"


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    allowed, allowed_url = _server(tmp_path_factory.mktemp("allowed"), "from the allowed server")
    other, other_url = _server(tmp_path_factory.mktemp("other"), "from the unlisted server")
    yield allowed_url, other_url
    for process in (allowed, other):
        process.terminate()
        process.wait(10)


@pytest.fixture(scope="module")
def federating(release: Path, store: Store, catalogue: Catalogue, servers: tuple[str, str]) -> Iterator[Flask]:
    # module-scoped (one pool and app shared by the module's tests), so not the per-test factories
    pool = QueryPool(StoreSpec(nquads=release / "mmkg.nq"), workers=1, timeout=3.0)
    settings = Settings(query_timeout=3.0, service_allow=servers[0])
    yield create_app(store, catalogue, settings, pool=pool)
    pool.close()


_JOIN = """PREFIX mmkg: <https://w3id.org/mmkg/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?drug ?label WHERE {{
  ?drug mmkg:xref "wikidata:Q425681" .
  BIND(IRI(CONCAT("http://www.wikidata.org/entity/", STRAFTER("wikidata:Q425681", ":"))) AS ?item)
  SERVICE <{endpoint}> {{ ?item rdfs:label ?label }}
}}"""


def test_allowed_service_joins_our_graph_with_the_remote_one(federating: Flask, servers: tuple[str, str]) -> None:
    response = federating.test_client().get("/sparql", query_string={"query": _JOIN.format(endpoint=servers[0])},
                                            headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200, response.data
    bindings = response.get_json()["results"]["bindings"]
    assert [(b["drug"]["value"], b["label"]["value"]) for b in bindings] == [
        ("https://w3id.org/mmkg/resource/lenalidomide", "from the allowed server")]


def test_a_service_not_on_the_list_is_refused(federating: Flask, servers: tuple[str, str]) -> None:
    response = federating.test_client().get("/sparql", query_string={"query": _JOIN.format(endpoint=servers[1])})
    assert response.status_code == 403
    assert b"not on the allow-list" in response.data and b"line 6" in response.data
    # same host, another port: not the allowed endpoint
    host, port = servers[0].rsplit(":", 1)[0], servers[0].rsplit(":", 1)[1].split("/")[0]
    lookalike = f"{host}:{port}0/query"
    response = federating.test_client().get("/sparql", query_string={"query": _JOIN.format(endpoint=lookalike)})
    assert response.status_code == 403


def test_federation_is_off_by_default(make_app: AppFactory, servers: tuple[str, str]) -> None:
    app = make_app(Settings(), warm=False)
    response = app.test_client().get("/sparql", query_string={"query": _JOIN.format(endpoint=servers[0])})
    assert response.status_code == 403 and b"federation is off" in response.data


def test_a_slow_federated_query_is_stopped_at_the_time_limit(federating: Flask, servers: tuple[str, str]) -> None:
    runaway = f"""SELECT (COUNT(*) AS ?n) WHERE {{ SERVICE <{servers[0]}> {{
      {{ SELECT ?x WHERE {{ VALUES ?a {{ 1 2 3 4 5 6 7 8 9 10 }} VALUES ?b {{ 1 2 3 4 5 6 7 8 9 10 }}
         VALUES ?c {{ 1 2 3 4 5 6 7 8 9 10 }} VALUES ?d {{ 1 2 3 4 5 6 7 8 9 10 }}
         VALUES ?e {{ 1 2 3 4 5 6 7 8 9 10 }} VALUES ?f {{ 1 2 3 4 5 6 7 8 9 10 }}
         VALUES ?g {{ 1 2 3 4 5 6 7 8 9 10 }}
         BIND(SHA512(CONCAT(STR(?a), STR(?b), STR(?c), STR(?d), STR(?e), STR(?f), STR(?g))) AS ?x) }} }}
    }} }}"""
    client = federating.test_client()
    started = time.monotonic()
    response = client.get("/sparql", query_string={"query": runaway})
    elapsed = time.monotonic() - started
    assert response.status_code == 503, response.data[:300]
    assert elapsed < 3.0 + 5.0
    after = client.get("/sparql", query_string={"query": _JOIN.format(endpoint=servers[0])},
                       headers={"Accept": "application/sparql-results+json"})
    assert after.status_code == 200  # the replaced worker federates again


def test_serve_refuses_a_malformed_allow_list_entry() -> None:
    done = subprocess.run([sys.executable, "-m", "web", "serve", "--service-allow", "query.wikidata.org"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "--service-allow" in done.stderr and "Traceback" not in done.stderr
