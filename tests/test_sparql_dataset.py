"""SPARQL as its users expect: the dataset each query names, a base IRI, predeclared prefixes,
errors a person can act on, CORS for browser clients, and a guard without false positives."""

from __future__ import annotations

import json

import pytest
from flask.testing import FlaskClient

from kg.errors import QueryRefused, QuerySyntaxError
from kg.query.prefixes import PREDECLARED
from kg.query.protocol.guard import QueryPolicy, check_query
from kg.query.remote import RemoteStore
from kg.query.store import Store

ONTOLOGY = "https://w3id.org/mmkg/graph/ontology"
REFERENCE = "https://w3id.org/mmkg/graph/reference"
COUNT = "SELECT (COUNT(*) AS ?n) {dataset} WHERE {{ ?s ?p ?o }}"
NAMED = "SELECT (COUNT(DISTINCT ?g) AS ?n) {dataset} WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"


def _n(store: Store | RemoteStore, query: str, **options: object) -> int:
    return int(store.query(query, **options).rows[0]["n"].value)  # type: ignore[arg-type, union-attr]


def _sizes(store: Store) -> dict[str, int]:
    total = _n(store, COUNT.format(dataset=""))
    onto = _n(store, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{ONTOLOGY}> {{ ?s ?p ?o }} }}")
    ref = _n(store, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{REFERENCE}> {{ ?s ?p ?o }} }}")
    graphs = _n(store, NAMED.format(dataset=""))
    return {"total": total, "ontology": onto, "reference": ref, "graphs": graphs}


def test_every_combination_of_query_and_protocol_dataset(store: Store) -> None:
    size = _sizes(store)
    assert size["ontology"] < size["total"] and size["graphs"] > 3
    # FROM gives exactly the graphs it names, not the union (the silent wrong answer of before)
    assert _n(store, COUNT.format(dataset=f"FROM <{ONTOLOGY}>")) == size["ontology"]
    assert _n(store, COUNT.format(dataset=f"FROM <{ONTOLOGY}> FROM <{REFERENCE}>")) == \
        size["ontology"] + size["reference"]
    # FROM NAMED alone: an empty default graph, only the named graphs it names
    assert _n(store, COUNT.format(dataset=f"FROM NAMED <{ONTOLOGY}>")) == 0
    assert _n(store, NAMED.format(dataset=f"FROM NAMED <{ONTOLOGY}>")) == 1
    # default-graph-uri / named-graph-uri give exactly their dataset, and override the query's
    assert _n(store, COUNT.format(dataset=""), default_graphs=[ONTOLOGY]) == size["ontology"]
    assert _n(store, COUNT.format(dataset=f"FROM <{REFERENCE}>"), default_graphs=[ONTOLOGY]) == size["ontology"]
    assert _n(store, NAMED.format(dataset=""), named_graphs=[ONTOLOGY, REFERENCE]) == 2
    assert _n(store, COUNT.format(dataset=""), named_graphs=[ONTOLOGY]) == 0
    # nothing named: the union of the named graphs as the default graph
    assert _n(store, COUNT.format(dataset="")) == size["total"]


def test_the_endpoint_honours_from_and_protocol_graphs(client: FlaskClient, store: Store) -> None:
    size = _sizes(store)

    def count(query: str, **params: object) -> int:
        response = client.get("/sparql", query_string={"query": query, **params},
                              headers={"Accept": "application/sparql-results+json"})
        assert response.status_code == 200, response.data
        return int(json.loads(response.data)["results"]["bindings"][0]["n"]["value"])

    assert count(COUNT.format(dataset=f"FROM <{ONTOLOGY}>")) == size["ontology"]
    assert count(COUNT.format(dataset=""), **{"default-graph-uri": ONTOLOGY}) == size["ontology"]
    assert count(NAMED.format(dataset=""), **{"named-graph-uri": ONTOLOGY}) == 1
    assert count(COUNT.format(dataset="")) == size["total"]
    assert count("SELECT (COUNT(*) AS ?n) FROM graph:ontology WHERE { ?s ?p ?o }") == size["ontology"]


def test_relative_iris_resolve_against_the_endpoint(client: FlaskClient, store: Store) -> None:
    response = client.get("/sparql", query_string={"query": "SELECT ?x WHERE { BIND(<x> AS ?x) }"},
                          headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200, response.data
    assert json.loads(response.data)["results"]["bindings"][0]["x"]["value"] == "http://localhost/x"
    # the embedded store's default base is the published endpoint, so <resource/len> is res:len
    assert store.query("ASK { <resource/len> ?p ?o }").boolean is True


def test_predeclared_prefixes_and_a_query_s_own_prefix_wins(client: FlaskClient, store: Store) -> None:
    assert {"mmkg", "res", "rdfs", "owl", "skos", "dcterms", "prov", "obo", "CHEBI", "MESH", "NCIT", "wd"} \
        <= set(PREDECLARED)
    response = client.get("/sparql", query_string={"query": "ASK { res:lenalidomide skos:exactMatch CHEBI:63791 }"},
                          headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200 and json.loads(response.data)["boolean"] is True
    own = "PREFIX res: <http://example.org/> ASK { res:lenalidomide ?p ?o }"
    assert json.loads(client.get("/sparql", query_string={"query": own},
                                 headers={"Accept": "application/json"}).data)["boolean"] is False
    service = client.get("/sparql", headers={"Accept": "text/html"}).data.decode()
    assert "CHEBI:" in service and "http://purl.obolibrary.org/obo/CHEBI_" in service
    described = client.get("/sparql", headers={"Accept": "text/turtle"}).data.decode()
    assert "sh:prefix" in described and '"CHEBI"' in described


@pytest.mark.parametrize(("query", "message", "position"), [
    ("SELECT * WHERE { ?s foo:bar ?o }", "unknown prefix foo: at 1:21 — declare it with PREFIX foo: <…>", (1, 21)),
    ("SELECT * WHERE {\n  ?s ?p ?o .\n  FILTER(?o > 1)", "unbalanced brackets: `{` opened at 1:16 is never closed",
     (1, 16)),
    ("SELEC * WHERE { ?s ?p ?o }", "unknown keyword SELEC at 1:1 — did you mean SELECT?", (1, 1)),
    ("SELECT * WHERE { ?s ?p }", "incomplete triple pattern at 1:18", (1, 18)),
    ('SELECT * WHERE { ?s ?p "abc }', "unterminated string", (1, 24)),
])
def test_parse_errors_read_as_one_line_with_the_position(client: FlaskClient, query: str, message: str,
                                                         position: tuple[int, int]) -> None:
    with pytest.raises(QuerySyntaxError) as info:
        Store().query(query, prefixes=PREDECLARED)
    assert info.value.message.startswith(message) and info.value.position == position
    assert "\\u{" not in info.value.message and "\n" not in info.value.message
    response = client.get("/sparql", query_string={"query": query})
    text = response.data.decode()
    assert response.status_code == 400 and message in text and "\\u{" not in text
    api = client.get("/query", query_string={"query": query}, headers={"Accept": "application/json"})
    assert api.status_code == 400


def test_the_engine_message_stays_available_as_detail(client: FlaskClient) -> None:
    response = client.get("/query", query_string={"query": "SELECT * WHERE { ?s foo:bar ?o }"})
    page = response.data.decode()
    assert response.status_code == 400 and "unknown prefix foo:" in page and "engine-detail" in page
    assert 'data-line="1" data-column="21"' in page


def test_cors_for_browser_clients_on_get_post_and_preflight(client: FlaskClient) -> None:
    preflight = client.options("/sparql", headers={"Origin": "http://other.example",
                                                   "Access-Control-Request-Method": "POST",
                                                   "Access-Control-Request-Headers": "content-type"})
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert "Content-Type" in preflight.headers["Access-Control-Allow-Headers"]
    posted = client.post("/sparql", data={"query": "ASK {}"}, headers={"Origin": "http://other.example"})
    assert posted.status_code == 200 and posted.headers["Access-Control-Allow-Origin"] == "*"
    update = client.post("/sparql", data="INSERT DATA { <a:b> <a:c> <a:d> }",
                         content_type="application/sparql-update", headers={"Origin": "http://other.example"})
    assert update.status_code == 403


@pytest.mark.parametrize("query", [
    'SELECT * WHERE { ?s ?p "x"@add }', 'SELECT * WHERE { ?s ?p "x"@copy-to }', "SELECT ?add WHERE { ?add ?p ?o }",
    "PREFIX load: <http://example.org/> SELECT * WHERE { ?s load:clear ?o }", 'SELECT * WHERE { ?s ?p "INSERT" }',
    "SELECT * WHERE { ?s <http://example.org/delete> ?o } # DROP ALL",
])
def test_the_guard_reads_language_tags_names_and_strings_as_what_they_are(query: str) -> None:
    check_query(query, QueryPolicy())


@pytest.mark.parametrize("query", ["INSERT DATA { <a:b> <a:c> <a:d> }", "SELECT * { SERVICE <http://x/> { ?s ?p ?o } }",
                                   'ADD <a:g> TO <a:h>', "CLEAR ALL"])
def test_the_guard_still_refuses_updates_and_service(query: str) -> None:
    with pytest.raises(QueryRefused):
        check_query(query, QueryPolicy())
