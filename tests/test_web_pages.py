"""Entity pages, search, home, ontology and editor: every route, every conneg format, the 404s."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

import pytest
from flask.testing import FlaskClient
from rdflib import Graph, URIRef

from kg.namespaces import PREFIXES
from kg.query.store import Store
from web.forest import ForestRow, forest_svg
from web.iris import local_path

RES = PREFIXES["res"]
LENALIDOMIDE = URIRef(RES + "lenalidomide")


@pytest.mark.parametrize("path", [
    "/", "/ontology", "/ontology.ttl", "/ontology/Drug", "/ontology/ImidBasedRegimen", "/ontology/hasComponent",
    "/resource/lenalidomide", "/resource/myeloma-xi", "/resource/pfs", "/resource/len", "/resource/s001",
    "/resource/gay-2018", "/graph/source/s001", "/graph/inferred", "/search?q=lenalidomide",
    "/search.json?q=len", "/query", "/query?example=imid-regimens", "/query/vocabulary.json",
    "/describe?iri=http://purl.obolibrary.org/obo/NCIT_C2668", "/static/css/mmkg.css", "/static/js/app.js",
    "/static/vendor/codemirror/lib/codemirror.js", "/openapi.json", "/.well-known/void", "/sparql", "/queries",
])
def test_every_route_answers(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200, path
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    if response.mimetype == "text/html":
        assert "<script>" not in response.data.decode(), "inline script would break the CSP"
        assert 'style="' not in response.data.decode(), "inline style would break the CSP"


def test_every_entity_link_on_the_lenalidomide_page_resolves(client: FlaskClient) -> None:
    html = client.get("/resource/lenalidomide").data.decode()
    links = set(re.findall(r'href="(/(?:resource|ontology|graph)/[^"?#]+)"', html))
    assert len(links) > 20
    for link in sorted(links):
        assert client.get(link).status_code == 200, link


def test_lenalidomide_page(client: FlaskClient) -> None:
    html = client.get("/resource/lenalidomide").data.decode()
    assert "<h1>lenalidomide</h1>" in html
    # Identifiers block, links built from bioregistry's formats.
    assert 'href="http://purl.obolibrary.org/obo/CHEBI_63791"' in html
    assert 'href="https://go.drugbank.com/drugs/DB00480"' in html
    assert ">wikidata:Q425681<" in html
    # Findings table, forest plot, provenance with the PubMed and DOI links of the cited article.
    assert re.search(r"Evidence \(\d+ findings\)", html) and "p4.s1" in html
    svgs = re.findall(r"<svg.*?</svg>", html, re.S)
    assert svgs
    points = sum(len(ET.fromstring(svg).findall(".//{http://www.w3.org/2000/svg}rect")) for svg in svgs)
    assert points >= 3
    assert "https://pubmed.ncbi.nlm.nih.gov/30098165/" in html and "https://doi.org/10.1001/jamaoncol" in html
    # Incoming links with counts.
    assert re.search(r"has component</a> <span class=\"count\">\(\d+\)", html)


def test_inferred_types_are_marked(client: FlaskClient) -> None:
    html = client.get("/resource/len").data.decode()
    types = html[html.index('<ul class="types">'):html.index("</ul>", html.index('<ul class="types">'))]
    assert "IMiD-based regimen" in types and "inferred" in types
    hr = client.get("/resource/s001-os-hr").data.decode()
    assert "interval includes no effect" in hr and 'class="badge inferred"' in hr


def test_trial_page_links_registries_and_findings(client: FlaskClient) -> None:
    html = client.get("/resource/myeloma-xi").data.decode()
    assert "https://www.clinicaltrials.gov/study/NCT01554852" in html
    assert "https://www.isrctn.com/ISRCTN49407852" in html
    assert re.search(r"Evidence \(\d+ findings?\)", html)


def test_defined_class_page(client: FlaskClient) -> None:
    html = client.get("/ontology/ImidBasedRegimen").data.decode()
    assert "mmkg:hasComponent some mmkg:ImmunomodulatoryImideDrug" in html
    assert "Instances" in html
    stato = client.get("/ontology/HazardRatioEstimate").data.decode()
    assert "NCIT_C93150" in stato


@pytest.mark.parametrize(("accept", "suffix", "fmt"), [
    ("text/turtle", "ttl", "turtle"), ("application/ld+json", "jsonld", "json-ld"),
    ("application/n-triples", "nt", "nt"), ("application/rdf+xml", "rdf", "xml")])
def test_entity_conneg_parses_back(client: FlaskClient, store: Store, accept: str, suffix: str, fmt: str) -> None:
    by_accept = client.get("/resource/lenalidomide", headers={"Accept": accept})
    by_suffix = client.get(f"/resource/lenalidomide.{suffix}")
    assert by_accept.mimetype == accept and by_suffix.mimetype == accept
    assert "Accept" in by_accept.headers["Vary"]
    graph = Graph().parse(data=by_accept.data, format=fmt)
    assert (LENALIDOMIDE, URIRef(PREFIXES["rdfs"] + "label"), None) in graph
    assert (None, URIRef(PREFIXES["mmkg"] + "hasComponent"), LENALIDOMIDE) in graph, "incoming links included"
    expected = store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ {{ SELECT DISTINCT ?s ?p ?o WHERE {{ "
                           f"{{ <{LENALIDOMIDE}> ?p ?o BIND(<{LENALIDOMIDE}> AS ?s) }} UNION "
                           f"{{ ?s ?p <{LENALIDOMIDE}> BIND(<{LENALIDOMIDE}> AS ?o) }} }} }} }}").rows[0]["n"]
    assert len(graph) == int(expected.value)  # type: ignore[union-attr]
    assert len(Graph().parse(data=by_suffix.data, format=fmt)) == len(graph)


@pytest.mark.parametrize("path", ["/resource/no-such-thing", "/resource/no-such-thing.ttl", "/ontology/NoSuchClass",
                                  "/graph/nowhere", "/queries/no-such-query", "/no/such/page"])
def test_unknown_things_are_404(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert b"not in the graph" in response.data or b"Nothing at" in response.data or b"no saved query" in response.data


def test_describe_rejects_a_non_iri(client: FlaskClient) -> None:
    response = client.get("/describe", query_string={"iri": "not an iri"})
    assert response.status_code == 400 and b"parameter &#39;iri&#39;" in response.data
    assert client.get("/describe").status_code == 400


def test_unsupported_accept_is_406(client: FlaskClient) -> None:
    assert client.get("/resource/lenalidomide", headers={"Accept": "image/png"}).status_code == 406


def test_search_json_and_html(client: FlaskClient) -> None:
    hits = json.loads(client.get("/search", query_string={"q": "lenalidomide"},
                                 headers={"Accept": "application/json"}).data)
    assert hits[0] == {"label": "lenalidomide", "iri": str(LENALIDOMIDE), "url": "/resource/lenalidomide",
                       "type": "immunomodulatory imide drug", "matched": "lenalidomide"}
    assert all(set(h) >= {"label", "iri", "url", "type"} for h in hits)
    by_id = json.loads(client.get("/search.json", query_string={"q": "CHEBI:63791"}).data)
    assert by_id[0]["iri"] == str(LENALIDOMIDE)
    synonym = json.loads(client.get("/search.json", query_string={"q": "PFS"}).data)
    assert synonym[0]["iri"] == RES + "pfs"
    trials = json.loads(client.get("/search.json", query_string={"q": "myeloma", "type": "mmkg:ClinicalTrial"}).data)
    assert trials and all(h["type"] for h in trials)
    html = client.get("/search?q=thalidomide").data.decode()
    assert 'href="/resource/thalidomide"' in html


@pytest.mark.parametrize("query", [{"q": "x" * 300}, {"q": "a", "limit": "zero"}, {"q": "a", "limit": "1000"},
                                   {"q": "a", "type": "nonsense"}])
def test_search_bad_parameters_are_400(client: FlaskClient, query: dict[str, str]) -> None:
    response = client.get("/search.json", query_string=query)
    assert response.status_code == 400
    assert "parameter" in json.loads(response.data)["error"]


def test_home_counts_and_sources(client: FlaskClient, store: Store) -> None:
    html = client.get("/").data.decode()
    assert f"{len(store):,}" in html
    for source in ("s000", "s001", "s002", "s003", "s004"):
        assert f'href="/resource/{source}"' in html
    assert 'href="/resource/lenalidomide"' in html


def test_ontology_reference_lists_every_class_and_property(client: FlaskClient, store: Store) -> None:
    html = client.get("/ontology").data.decode()
    terms = store.query("PREFIX owl: <http://www.w3.org/2002/07/owl#> SELECT ?t WHERE { "
                        "GRAPH <https://w3id.org/mmkg/graph/ontology> { ?t a ?k } "
                        "VALUES ?k { owl:Class owl:ObjectProperty owl:DatatypeProperty } "
                        "FILTER STRSTARTS(STR(?t), 'https://w3id.org/mmkg/') }").rows
    assert len(terms) > 80
    for row in terms:
        assert f'href="{local_path(row["t"].value)}"' in html  # type: ignore[union-attr]


def test_editor_runs_a_query_and_reports_errors(client: FlaskClient) -> None:
    ok = client.get("/query", query_string={"query": "SELECT ?s WHERE { ?s a <https://w3id.org/mmkg/Drug> }"})
    assert ok.status_code == 200 and 'href="/resource/lenalidomide"' in ok.data.decode()
    assert b"format=csv" in ok.data
    bad = client.get("/query", query_string={"query": "SELECT ?s WHERE { ?s ?p }"})
    assert bad.status_code == 400 and b'id="error-position" data-line="1"' in bad.data
    construct = client.get("/query", query_string={"query": "CONSTRUCT WHERE { ?s a <https://w3id.org/mmkg/Drug> }"})
    assert b"triples" in construct.data and b"res:lenalidomide" in construct.data


def test_literals_are_escaped(client: FlaskClient) -> None:
    query = 'SELECT ?x WHERE { BIND("<script>alert(1)</script>\\"><img src=x onerror=alert(2)>" AS ?x) }'
    html = client.get("/query", query_string={"query": query}).data.decode()
    assert "<script>alert(1)" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)" in html


@pytest.mark.parametrize("layout", ["wide", "stacked"])
def test_forest_plot_scale_and_escaping(layout: str) -> None:
    long_label = "A very long comparison label that a narrow plot used to cut off at forty-eight characters"
    svg = forest_svg([ForestRow("<b>A</b> vs B", "PFS", 0.5, 0.25, 1.0, significant=True),
                      ForestRow("C vs D", "OS", 2.0, 1.5, 40.0, significant=False),
                      ForestRow(long_label, "PFS · a study · s001 p1.s7", 0.8, 0.6, 1.1)], layout=layout)
    root = ET.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    null = next(e for e in root.iter(ns + "line") if e.get("class") == "fp-null")
    points = [float(e.get("x", 0)) + 5 for e in root.iter(ns + "rect")]
    assert points[0] < float(null.get("x1", 0)) < points[1], "HR < 1 left of the null line, HR > 1 right"
    assert root.findall(f".//{ns}path"), "an interval past the axis ends in an arrow"
    assert "<b>" not in svg and "&lt;b&gt;" in svg
    words = " ".join(e.text or "" for e in root.iter(ns + "text"))
    assert all(word in words for word in long_label.split()), "labels are wrapped, never cut"
    assert forest_svg([]) == ""


@pytest.mark.parametrize("path", ["/ontology", "/graph/source/s001", "/graph/inferred", "/resource/lenalidomide",
                                  "/search?q=len", "/queries/effect-estimates"])
@pytest.mark.parametrize("accept", ["text/html", "text/turtle", "application/json"])
def test_every_page_that_negotiates_says_it_varies_on_accept(client: FlaskClient, path: str, accept: str) -> None:
    """Without the page cache (which adds it) too: a proxy must not hand the HTML page to an RDF client."""
    response = client.get(path, headers={"Accept": accept})
    if response.status_code == 200:
        assert "Accept" in response.headers.get("Vary", ""), (path, accept)
