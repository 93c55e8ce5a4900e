"""The files for other tools work on every store (embedded, Oxigraph, Virtuoso) and over real HTTP:
entity JSON-LD, FHIR twins, the dump, records for pandas; owlready2 loads the ontology from the server."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

import owlready2
import pyoxigraph as ox
import pytest
from flask import Flask
from pyld import jsonld

from kg.query.catalogue import Catalogue
from kg.query.remote import RemoteStore
from kg.query.store import Store
from web import create_app

pytestmark = [pytest.mark.server, pytest.mark.slow]

_PATHS = ("/resource/lenalidomide.jsonld", "/resource/s001-os-hr.fhir.json", "/evidence.fhir.json",
          "/queries/effect-estimates.records.json", "/context.jsonld", "/imports/external-terms.rdf")


@pytest.fixture(scope="module", params=["oxigraph", "virtuoso"])
def remote_app(request: pytest.FixtureRequest, release: Path, catalogue: Catalogue) -> Flask:
    if request.param == "oxigraph":
        url = request.getfixturevalue("oxigraph_url")
        store = RemoteStore(f"{url}/query", graph_store=f"{url}/store")
    else:
        url = request.getfixturevalue("virtuoso_url")
        store = RemoteStore(f"{url}/sparql", graph_store=f"{url}/sparql-graph-crud")
    store.push(release / "mmkg.nq")
    return create_app(store, catalogue, warm=False)  # module-scoped and parametrised: not the per-test make_app


def _triples(document: object) -> set[str]:
    lines = jsonld.to_rdf(document, {"format": "application/n-quads"}).splitlines()
    return {line for line in lines if "_:" not in line}


def test_files_are_the_same_on_a_remote_store(remote_app: Flask, app: Flask) -> None:
    local, there = app.test_client(), remote_app.test_client()
    for path in _PATHS:
        mine, theirs = local.get(path), there.get(path)
        assert mine.status_code == theirs.status_code == 200, path
        if path.endswith(".jsonld"):
            assert _triples(theirs.get_json()) == _triples(mine.get_json()), path
        elif path.endswith(".records.json"):
            key = ["finding", "estimate"]
            assert sorted(json.dumps([r[k] for k in key]) for r in theirs.get_json()) == \
                sorted(json.dumps([r[k] for k in key]) for r in mine.get_json())
        elif path.endswith(".json"):
            assert theirs.get_json() == mine.get_json(), path
        else:
            assert theirs.data == mine.data, path
    dump = there.get("/dump.nq").data
    assert len(list(ox.parse(dump, format=ox.RdfFormat.N_QUADS))) == \
        len(list(ox.parse(local.get("/dump.nq").data, format=ox.RdfFormat.N_QUADS)))


def test_over_http_pandas_cors_and_owlready2(live_url: str, store: Store) -> None:
    import pandas as pd  # here: a module-level import cost every pytest worker 1.4 s at collection, fast loop too

    frame = pd.read_json(f"{live_url}/queries/effect-estimates.records.json")
    assert len(frame) > 0 and frame["estimate"].dtype.kind == "f"
    preflight = urllib.request.Request(f"{live_url}/sparql", method="OPTIONS",
                                       headers={"Origin": "https://notebook.example",
                                                "Access-Control-Request-Method": "POST"})
    with urllib.request.urlopen(preflight, timeout=30) as response:
        assert response.headers["Access-Control-Allow-Origin"] == "*"
    with urllib.request.urlopen(f"{live_url}/context.jsonld", timeout=30) as response:
        assert response.headers["Access-Control-Allow-Origin"] == "*"
    world = owlready2.World()
    module = world.get_ontology(f"{live_url}/imports/external-terms.owl").load()
    onto = world.get_ontology(f"{live_url}/ontology.owl").load()  # its owl:imports is already in the world
    assert module in onto.imported_ontologies
    assert world.search_one(iri="https://w3id.org/mmkg/HazardRatioEstimate") is not None
    assert world.search_one(iri="http://purl.obolibrary.org/obo/NCIT_C93150") is not None
    with urllib.request.urlopen(f"{live_url}/ontology.owx", timeout=120) as response:
        body = response.read()
    assert body.startswith(b"<?xml") and b'ontologyIRI="https://w3id.org/mmkg/ontology"' in body
