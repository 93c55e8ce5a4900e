"""What other tools read from the web app: CORS on data routes, the JSON-LD context and compacted entity
JSON-LD, the ontology in RDF/XML and OWL/XML, the import module at its IRI, FHIR twins, a truthful service
description and VoID, JSON errors for JSON clients."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest
from fhir.resources.evidence import Evidence
from flask.testing import FlaskClient
from pyld import jsonld
from rdflib import Graph

from web.settings import Settings

from .conftest import AppFactory

SD_FEDERATED = "http://www.w3.org/ns/sparql-service-description#BasicFederatedQuery"


def test_cors_on_every_read_only_data_route(client: FlaskClient) -> None:
    for path in ("/resource/lenalidomide.jsonld", "/resource/lenalidomide", "/evidence.csv", "/.well-known/void",
                 "/ontology.ttl", "/context.jsonld", "/search.json?q=len", "/queries.json"):
        response = client.get(path, headers={"Origin": "https://notebook.example"})
        assert response.status_code == 200, path
        assert response.headers.get("Access-Control-Allow-Origin") == "*", path


def test_cors_can_be_switched_off(make_app: AppFactory) -> None:
    app = make_app(Settings(cors=False), warm=False)
    response = app.test_client().get("/resource/lenalidomide.jsonld")
    assert response.status_code == 200 and "Access-Control-Allow-Origin" not in response.headers


def test_entity_json_ld_is_compacted_with_the_published_context(client: FlaskClient) -> None:
    response = client.get("/resource/lenalidomide", headers={"Accept": "application/ld+json"})
    document = response.get_json()
    published = client.get("/context.jsonld").get_json()["@context"]
    assert document["@context"] == published
    nodes = document["@graph"]
    ids = [n["@id"] for n in nodes]
    assert len(ids) == len(set(ids)), "each node object once"
    drug = next(n for n in nodes if n["@id"] == "https://w3id.org/mmkg/resource/lenalidomide")
    assert drug["label"] == "lenalidomide" and "Drug" in drug["@type"]
    assert drug["hasMolecularTarget"] == "https://w3id.org/mmkg/resource/cereblon"
    assert not any("http://www.w3.org/1999/02/22-rdf-syntax-ns#type" in n for n in nodes)
    # Three processors read the same triples.
    text = response.get_data(as_text=True)
    from_pyld = set(jsonld.to_rdf(document, {"format": "application/n-quads"}).splitlines())
    from_oxigraph = list(ox.parse(text.encode(), format=ox.RdfFormat.JSON_LD))
    from_rdflib = Graph().parse(data=text, format="json-ld")
    assert len(from_pyld) == len(from_oxigraph) == len(from_rdflib) > 50


def test_the_ontology_and_import_module_in_other_syntaxes(client: FlaskClient) -> None:
    rdf = client.get("/ontology.rdf")
    assert rdf.mimetype == "application/rdf+xml"
    assert len(Graph().parse(data=rdf.data, format="xml")) > 500
    module = client.get("/imports/external-terms", headers={"Accept": "application/rdf+xml"})
    assert module.mimetype == "application/rdf+xml"
    graph = Graph().parse(data=module.data, format="xml")
    assert (None, None, None) in graph and len(graph) > 500
    assert client.get("/imports/external-terms").mimetype == "text/turtle"


def test_fhir_twin_of_a_ratio_estimate(client: FlaskClient) -> None:
    response = client.get("/resource/s001-os-hr.fhir.json")
    assert response.status_code == 200 and response.mimetype == "application/fhir+json"
    evidence = Evidence.model_validate(response.get_json())
    assert evidence.url == "https://w3id.org/mmkg/resource/s001-os-hr"
    missing = client.get("/resource/lenalidomide.fhir.json", headers={"Accept": "application/json"})
    assert missing.status_code == 404 and "not a hazard or risk ratio" in missing.get_json()["error"]


def test_service_description_tells_federation_only_when_allowed(make_app: AppFactory) -> None:
    for allow, expected in (("", False), ("https://query.wikidata.org/sparql", True)):
        app = make_app(Settings(service_allow=allow), warm=False)
        body = app.test_client().get("/sparql", headers={"Accept": "text/turtle"}).data
        graph = Graph().parse(data=body, format="turtle")
        assert any(str(o) == SD_FEDERATED for o in graph.objects()) is expected
        formats = {str(o) for p, o in graph.predicate_objects() if str(p).endswith("#resultFormat")}
        assert {"http://www.w3.org/ns/formats/N-Quads", "http://www.w3.org/ns/formats/TriG"} <= formats


def test_void_modified_is_the_releases_date(make_app: AppFactory) -> None:
    from datetime import UTC, datetime

    from web.page_cache import Release

    made = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
    app = make_app(warm=False, release=Release("r1", made))
    body = app.test_client().get("/.well-known/void", headers={"Accept": "text/turtle"}).data
    modified = [o for p, o in Graph().parse(data=body, format="turtle").predicate_objects()
                if str(p) == "http://purl.org/dc/terms/modified"]
    assert [o.toPython() for o in modified] == [made]  # type: ignore[attr-defined]


def test_the_packaged_context_is_the_one_served(client: FlaskClient) -> None:
    """kg/interop/context.jsonld is generated from the ontology: regenerate it (python -m kg.interop.jsonld)
    whenever a property is added."""
    from kg.interop.jsonld import CONTEXT_FILE

    served = client.get("/context.jsonld").get_json()
    assert json.loads(CONTEXT_FILE.read_text(encoding="utf-8")) == served
    assert served["@context"]["hasComponent"] == {"@type": "@id"}
    assert served["@context"]["estimate"] == {"@type": "http://www.w3.org/2001/XMLSchema#decimal"}


def test_void_has_licence_dump_and_dump_loads(client: FlaskClient) -> None:
    graph = Graph().parse(data=client.get("/.well-known/void", headers={"Accept": "text/turtle"}).data,
                          format="turtle")
    predicates = {str(p) for p in graph.predicates()}
    assert {"http://purl.org/dc/terms/license", "http://rdfs.org/ns/void#dataDump"} <= predicates
    dump = next(str(o) for p, o in graph.predicate_objects() if str(p) == "http://rdfs.org/ns/void#dataDump")
    body = client.get(dump.replace("http://localhost", "")).data
    assert len(list(ox.parse(body, format=ox.RdfFormat.N_QUADS))) > 4000


def test_errors_are_json_for_json_clients(client: FlaskClient) -> None:
    response = client.get("/resource/no-such-thing.jsonld", headers={"Accept": "application/json"})
    assert response.status_code == 404 and response.mimetype == "application/json"
    assert json.loads(response.data)["status"] == 404
    refused = client.get("/resource/lenalidomide", headers={"Accept": "application/json"})
    assert refused.status_code == 406 and refused.get_json()["status"] == 406
    bad = client.get("/sparql", query_string={"query": "SELECT ?x WHERE { ?x a }"},
                     headers={"Accept": "application/json"})
    assert bad.status_code == 400 and bad.mimetype == "application/json"
    assert bad.get_json()["line"] == 1
    plain = client.get("/sparql", query_string={"query": "SELECT ?x WHERE { ?x a }"})
    assert plain.mimetype == "text/plain"


def test_saved_query_page_negotiates_its_twins(client: FlaskClient) -> None:
    path = "/queries/adverse-events-by-drug"
    assert client.get(path, headers={"Accept": "text/html"}).mimetype == "text/html"
    as_json = client.get(path, headers={"Accept": "application/json"})
    assert as_json.mimetype == "application/json" and as_json.get_json()["rows"]
    assert "Accept" in as_json.headers["Vary"]
    as_csv = client.get(path, headers={"Accept": "text/csv"})
    assert as_csv.mimetype == "text/csv" and as_csv.data.startswith(b"drug,")


def test_records_twin_reads_straight_into_pandas(client: FlaskClient) -> None:
    import io

    import pandas as pd

    body = client.get("/queries/effect-estimates.records.json").data
    frame = pd.read_json(io.BytesIO(body))
    columns = client.get("/queries/effect-estimates.json").get_json()
    assert list(frame.columns) == columns["columns"] and len(frame) == len(columns["rows"]) > 0
    assert frame["estimate"].dtype.kind == "f"


def test_construct_in_every_rdf_format_pyoxigraph_writes(client: FlaskClient) -> None:
    query = "CONSTRUCT { res:lenalidomide ?p ?o } WHERE { res:lenalidomide ?p ?o }"
    expected = None
    for media, fmt in (("application/n-quads", ox.RdfFormat.N_QUADS), ("application/trig", ox.RdfFormat.TRIG),
                       ("text/n3", ox.RdfFormat.N3), ("text/turtle", ox.RdfFormat.TURTLE)):
        response = client.get("/sparql", query_string={"query": query}, headers={"Accept": media})
        assert response.status_code == 200 and response.mimetype == media, media
        count = len(list(ox.parse(response.data, format=fmt)))
        expected = expected or count
        assert count == expected > 10, media


def test_the_html_service_description_links_its_rdf(client: FlaskClient) -> None:
    page = client.get("/sparql")
    assert page.mimetype == "text/html"
    link = page.headers["Link"]
    assert 'rel="alternate"; type="text/turtle"' in link
    target = link.split(">")[0].lstrip("<").replace("http://localhost", "")
    described = Graph().parse(data=client.get(target).data, format="turtle")
    assert any(str(o).endswith("#Service") for o in described.objects())


def test_owl_xml_without_java_is_a_clear_503(client: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    from web.blueprints import interop

    interop._converted.cache_clear()
    monkeypatch.setattr("shutil.which", lambda name: None)
    response = client.get("/imports/external-terms.owx", headers={"Accept": "application/json"})
    assert response.status_code == 503 and "Java" in response.get_json()["error"]
    interop._converted.cache_clear()
