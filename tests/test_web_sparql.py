"""``/sparql``: the SPARQL 1.1 Protocol, content negotiation, bad requests, service description, VoID."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

import pyoxigraph as ox
import pytest
from flask.testing import FlaskClient
from rdflib import Graph, URIRef
from SPARQLWrapper import CSV, JSON, N3, RDFXML, TURTLE, XML, SPARQLWrapper

from kg.query.store import Store

SELECT = ("PREFIX mmkg: <https://w3id.org/mmkg/> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
          "SELECT ?drug ?label WHERE { ?drug a mmkg:Drug ; rdfs:label ?label } ORDER BY ?label")
CONSTRUCT = ("PREFIX mmkg: <https://w3id.org/mmkg/> CONSTRUCT { ?d a mmkg:Drug } WHERE { ?d a mmkg:Drug }")
ASK = "PREFIX res: <https://w3id.org/mmkg/resource/> ASK { res:lenalidomide ?p ?o }"


def _drug_count(store: Store) -> int:
    return len(store.query(SELECT).rows)


@pytest.mark.parametrize("accept", ["application/sparql-results+json", "application/json"])
def test_select_json_by_get(client: FlaskClient, store: Store, accept: str) -> None:
    response = client.get("/sparql", query_string={"query": SELECT}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.mimetype == "application/sparql-results+json"
    body = json.loads(response.data)
    assert body["head"]["vars"] == ["drug", "label"]
    labels = [b["label"]["value"] for b in body["results"]["bindings"]]
    assert "lenalidomide" in labels and len(labels) == _drug_count(store)
    assert body["results"]["bindings"][0]["drug"]["type"] == "uri"
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_select_every_result_format_parses(client: FlaskClient, store: Store) -> None:
    n = _drug_count(store)
    xml_body = client.get("/sparql", query_string={"query": SELECT},
                          headers={"Accept": "application/sparql-results+xml"}).data
    ns = {"s": "http://www.w3.org/2005/sparql-results#"}
    assert len(ET.fromstring(xml_body).findall(".//s:result", ns)) == n
    csv_body = client.get("/sparql", query_string={"query": SELECT}, headers={"Accept": "text/csv"}).data.decode()
    rows = list(csv.reader(io.StringIO(csv_body)))
    assert rows[0] == ["drug", "label"] and len(rows) == n + 1
    tsv = client.get("/sparql", query_string={"query": SELECT},
                     headers={"Accept": "text/tab-separated-values"}).data.decode().splitlines()
    assert tsv[0] == "?drug\t?label" and tsv[1].startswith("<https://w3id.org/mmkg/resource/")
    # The same answers through pyoxigraph's own parser of each format.
    for media, fmt in (("application/sparql-results+json", ox.QueryResultsFormat.JSON),
                       ("application/sparql-results+xml", ox.QueryResultsFormat.XML),
                       ("text/tab-separated-values", ox.QueryResultsFormat.TSV)):
        data = client.get("/sparql", query_string={"query": SELECT}, headers={"Accept": media}).data
        parsed = ox.parse_query_results(data, format=fmt)
        assert len(list(parsed)) == n  # type: ignore[arg-type]


def test_post_form_and_direct(client: FlaskClient) -> None:
    form = client.post("/sparql", data={"query": ASK}, headers={"Accept": "application/sparql-results+json"})
    assert form.status_code == 200 and json.loads(form.data) == {"head": {}, "boolean": True}
    direct = client.post("/sparql", data=ASK.encode(), content_type="application/sparql-query",
                         headers={"Accept": "application/sparql-results+xml"})
    assert direct.status_code == 200 and b"<boolean>true</boolean>" in direct.data


@pytest.mark.parametrize(("accept", "rdflib_format"), [
    ("text/turtle", "turtle"), ("application/n-triples", "nt"), ("application/ld+json", "json-ld"),
    ("application/rdf+xml", "xml")])
def test_construct_formats_parse_back(client: FlaskClient, store: Store, accept: str, rdflib_format: str) -> None:
    response = client.get("/sparql", query_string={"query": CONSTRUCT}, headers={"Accept": accept})
    assert response.status_code == 200 and response.mimetype == accept
    graph = Graph().parse(data=response.data, format=rdflib_format)
    assert len(graph) == _drug_count(store)


def test_format_parameter_overrides_accept(client: FlaskClient) -> None:
    response = client.get("/sparql", query_string={"query": SELECT, "format": "csv"},
                          headers={"Accept": "application/sparql-results+json"})
    assert response.mimetype == "text/csv"


def test_default_graph_uri_restricts_the_dataset(client: FlaskClient) -> None:
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    every = json.loads(client.get("/sparql", query_string={"query": query}).data)
    inferred = json.loads(client.get("/sparql", query_string={
        "query": query, "default-graph-uri": "https://w3id.org/mmkg/graph/inferred"}).data)
    n_all = int(every["results"]["bindings"][0]["n"]["value"])
    n_inferred = int(inferred["results"]["bindings"][0]["n"]["value"])
    assert 0 < n_inferred < n_all


def test_parse_error_is_400_with_position(client: FlaskClient) -> None:
    response = client.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p }"})
    assert response.status_code == 400
    text = response.data.decode()
    assert "does not parse" in text and "line 1, column" in text


@pytest.mark.parametrize(("kwargs", "status"), [
    ({"method": "GET", "query_string": [("query", "ASK {}"), ("query", "ASK {}")]}, 400),
    ({"method": "POST", "data": "ASK {}"}, 415),
    ({"method": "POST", "data": b"ASK {}", "content_type": "text/plain"}, 415),
    ({"method": "POST", "data": b"ASK { \xff }", "content_type": "application/sparql-query"}, 400),
    ({"method": "POST", "data": b"query=ASK%20%7B%FF%7D", "content_type": "application/x-www-form-urlencoded"}, 400),
    ({"method": "POST", "data": b"INSERT DATA { <a:a> <a:a> <a:a> }", "content_type": "application/sparql-update"},
     403),
    ({"method": "POST", "data": {"update": "CLEAR ALL"}}, 403),
    ({"method": "GET", "query_string": {"update": "CLEAR ALL"}}, 403),
    ({"method": "GET", "query_string": {"query": "INSERT DATA { <a:a> <a:a> <a:a> }"}}, 403),
    ({"method": "GET", "query_string": {"query": "LOAD <http://example.org/x>"}}, 403),
    ({"method": "GET", "query_string": {"query": "   "}}, 400),
    ({"method": "GET", "query_string": {"query": "ASK {}"}, "headers": {"Accept": "image/png"}}, 406),
    ({"method": "GET", "query_string": {"query": "ASK {}", "format": "nonsense"}}, 400),
    ({"method": "GET", "query_string": {"query": "ASK {}", "default-graph-uri": "not an iri"}}, 400),
    ({"method": "POST", "data": {"querx": "ASK {}"}}, 400),
    ({"method": "DELETE"}, 405),
])
def test_malformed_requests_are_4xx(client: FlaskClient, store: Store, kwargs: dict[str, object],
                                    status: int) -> None:
    size = len(store)
    response = client.open("/sparql", **kwargs)  # type: ignore[arg-type]
    assert response.status_code == status, response.data
    assert response.data.strip(), "a 4xx must say what is wrong"
    assert len(store) == size


def test_oversized_query_is_413(client: FlaskClient) -> None:
    big = "ASK {}" + " " * 200_000
    assert client.get("/sparql", query_string={"query": big}).status_code == 413
    assert client.post("/sparql", data=big.encode(), content_type="application/sparql-query").status_code == 413


def test_service_description(client: FlaskClient) -> None:
    response = client.get("/sparql", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    graph = Graph().parse(data=response.data, format="turtle")
    sd = "http://www.w3.org/ns/sparql-service-description#"
    assert (None, URIRef(sd + "endpoint"), URIRef("http://localhost/sparql")) in graph
    assert (None, URIRef(sd + "supportedLanguage"), URIRef(sd + "SPARQL11Query")) in graph
    names = {str(o) for o in graph.objects(None, URIRef(sd + "name"))}
    assert "https://w3id.org/mmkg/graph/inferred" in names
    html = client.get("/sparql", headers={"Accept": "text/html"})
    assert html.mimetype == "text/html" and b"SPARQL 1.1 Protocol" in html.data


def test_void(client: FlaskClient, store: Store) -> None:
    response = client.get("/.well-known/void")
    assert response.status_code == 200 and response.mimetype == "text/turtle"
    graph = Graph().parse(data=response.data, format="turtle")
    void = "http://rdfs.org/ns/void#"
    dataset = next(graph.subjects(URIRef(void + "sparqlEndpoint"), None))
    assert int(graph.value(dataset, URIRef(void + "triples"))) == len(store)  # type: ignore[arg-type]
    assert len(list(graph.objects(dataset, URIRef(void + "classPartition")))) > 20


@pytest.mark.server
def test_sparqlwrapper_against_the_live_server(live_url: str, store: Store) -> None:
    endpoint = live_url + "/sparql"
    n = _drug_count(store)
    for method in ("GET", "POST"):
        client = SPARQLWrapper(endpoint)
        client.setMethod(method)
        client.setQuery(SELECT)
        client.setReturnFormat(JSON)
        assert len(client.query().convert()["results"]["bindings"]) == n  # type: ignore[index]
        client.setReturnFormat(XML)
        document = client.query().convert()
        assert len(document.getElementsByTagName("result")) == n  # type: ignore[union-attr]
        client.setReturnFormat(CSV)
        assert len(client.query().convert().decode().strip().splitlines()) == n + 1  # type: ignore[union-attr]
        client.setQuery(ASK)
        client.setReturnFormat(JSON)
        assert client.query().convert()["boolean"] is True  # type: ignore[index]
        client.setQuery(CONSTRUCT)
        for fmt in (TURTLE, N3, RDFXML):
            client.setReturnFormat(fmt)
            converted = client.query().convert()
            graph = converted if isinstance(converted, Graph) else Graph().parse(data=converted, format="turtle")
            assert len(graph) == n


@pytest.mark.parametrize("accept", ["application/sparql-results+xml", "application/rdf+xml"])
def test_characters_xml_cannot_carry_are_406_not_broken_xml(client: FlaskClient, accept: str) -> None:
    query = ('CONSTRUCT { <urn:a> <urn:b> "x\\u0001y" } WHERE {}' if accept == "application/rdf+xml"
             else 'SELECT ?l WHERE { BIND("x\\u0001y" AS ?l) }')
    response = client.get("/sparql", query_string={"query": query}, headers={"Accept": accept})
    assert response.status_code == 406
    assert "U+0001" in response.get_data(as_text=True)
    other = "application/n-triples" if "rdf" in accept else "application/sparql-results+json"
    fine = client.get("/sparql", query_string={"query": query}, headers={"Accept": other})
    assert fine.status_code == 200
    if "rdf" in accept:
        [triple] = ox.parse(fine.data, format=ox.RdfFormat.N_TRIPLES)
        assert triple.object.value == "x\u0001y"
    else:
        assert json.loads(fine.data)["results"]["bindings"][0]["l"]["value"] == "x\u0001y"


def test_triple_terms_in_every_results_format(client: FlaskClient) -> None:
    query = 'SELECT ?t WHERE { BIND(<<( <urn:a> <urn:b> "c"@en )>> AS ?t) }'
    for media, fmt in (("application/sparql-results+json", ox.QueryResultsFormat.JSON),
                       ("application/sparql-results+xml", ox.QueryResultsFormat.XML),
                       ("text/tab-separated-values", ox.QueryResultsFormat.TSV)):
        body = client.get("/sparql", query_string={"query": query}, headers={"Accept": media}).data
        rows = list(ox.parse_query_results(body, format=fmt))  # type: ignore[arg-type]
        triple = rows[0]["t"]
        assert isinstance(triple, ox.Triple) and triple.object == ox.Literal("c", language="en"), media
