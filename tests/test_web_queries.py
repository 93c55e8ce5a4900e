"""Saved queries over HTTP: catalogue, forms, data twins, bad parameters, OpenAPI; the vendored editor."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from kg.query.catalogue import Catalogue, load_catalogue
from kg.query.store import Store, rows_as_values
from web import vendoring

from .conftest import AppFactory


def test_catalogue_lists_every_query(client: FlaskClient, catalogue: Catalogue) -> None:
    html = client.get("/queries").data.decode()
    listed = json.loads(client.get("/queries.json").data)
    assert [q["name"] for q in listed] == [q.name for q in catalogue]
    for query in catalogue:
        assert f'href="/queries/{query.name}"' in html and query.title in html


def test_every_saved_query_json_twin_matches_the_store(client: FlaskClient, catalogue: Catalogue,
                                                       store: Store) -> None:
    for query in catalogue:
        response = client.get(f"/queries/{query.name}.json")
        assert response.status_code == 200, query.name
        body = json.loads(response.data)
        expected = store.query(query.sparql, query.bindings({}))
        assert body["columns"] == expected.variables
        assert body["rows"] == rows_as_values(expected), query.name
        assert body["truncated"] is False
        page = client.get(f"/queries/{query.name}")
        assert page.status_code == 200
        assert f"{len(expected.rows)} row" in page.data.decode()


def test_parameters_in_the_url_and_the_twins(client: FlaskClient) -> None:
    thal = client.get("/queries/adverse-events-by-drug.json?drug=res:thalidomide")
    len_ = client.get("/queries/adverse-events-by-drug.json?drug=res:lenalidomide")
    assert json.loads(thal.data)["rows"] != json.loads(len_.data)["rows"]
    assert json.loads(thal.data)["parameters"]["drug"] == "https://w3id.org/mmkg/resource/thalidomide"
    rows = list(csv.DictReader(io.StringIO(
        client.get("/queries/adverse-events-by-drug.csv?drug=res:thalidomide").data.decode())))
    assert len(rows) == len(json.loads(thal.data)["rows"])
    page = client.get("/queries/adverse-events-by-drug?drug=res:thalidomide").data.decode()
    assert 'href="/queries/adverse-events-by-drug.csv?drug=res%3Athalidomide"' in page
    assert 'value="res:thalidomide"' in page, "the form shows the value from the URL"


def test_enumeration_parameter_is_a_dropdown(client: FlaskClient) -> None:
    html = client.get("/queries/significant-pfs-benefit").data.decode()
    assert '<select name="endpoint"' in html
    assert '<option value="res:pfs" selected>progression-free survival (res:pfs)</option>' in html
    assert 'data-picker="/search.json"' in client.get("/queries/adverse-events-by-drug").data.decode()


@pytest.mark.parametrize(("url", "named"), [
    ("/queries/significant-pfs-benefit.json?endpoint=res:dfs", "endpoint"),
    ("/queries/significant-pfs-benefit?endpoint=res:dfs", "endpoint"),
    ("/queries/adverse-events-by-drug.json?drug=not%20an%20iri", "drug"),
    ("/queries/adverse-events-by-drug.json?drug=http://evil.example/x", "drug"),
    ("/queries/adverse-events-by-drug.json?nosuch=1", "nosuch"),
    ("/queries/adverse-events-by-drug.json?drug=res:a&drug=res:b", "drug"),
])
def test_bad_parameters_are_400_naming_the_parameter(client: FlaskClient, url: str, named: str) -> None:
    response = client.get(url)
    assert response.status_code == 400
    text = response.data.decode()
    assert named in text


def test_unknown_query_twin_is_404(client: FlaskClient) -> None:
    response = client.get("/queries/nope.json")
    assert response.status_code == 404 and json.loads(response.data)["status"] == 404


def test_openapi_is_valid_and_describes_every_query(client: FlaskClient, catalogue: Catalogue) -> None:
    from openapi_spec_validator import validate  # imported by the one test that uses it, not at collection

    document = json.loads(client.get("/openapi.json").data)
    validate(document)
    for query in catalogue:
        operation = document["paths"][f"/queries/{query.name}.json"]["get"]
        assert operation["summary"] == query.title
        assert [p["name"] for p in operation["parameters"]] == [p.name for p in query.parameters]
    enum = document["paths"]["/queries/significant-pfs-benefit.json"]["get"]["parameters"][0]["schema"]
    assert enum["enum"] == ["res:pfs", "res:os"] and enum["default"] == "res:pfs"


def test_vendored_editor_matches_its_manifest() -> None:
    assert vendoring.check() == []
    assert (vendoring.VENDOR_DIR / "LICENSE").read_text().startswith("MIT License")


def test_result_headers_and_the_json_twin_carry_the_declared_units(client: FlaskClient, make_app: AppFactory,
                                                                  tmp_path: Path) -> None:
    page = client.get("/queries/post-transplant-lenalidomide-medians").get_data(as_text=True)
    header = page[page.index("<thead>"):page.index("</thead>")]
    assert 'Median <span class="unit">(months)</span>' in header and 'data-unit="months"' in header
    twin = client.get("/queries/post-transplant-lenalidomide-medians.json").get_json()
    assert twin["units"] == {"value": "months", "valueMin": "months", "valueMax": "months"}
    assert {r.get("value") for r in twin["rows"]} >= {41, 46}
    listed = {q["name"]: q["units"] for q in client.get("/queries.json").get_json()}
    assert listed["post-transplant-lenalidomide-medians"] == twin["units"] and listed["p-values"] == {}
    (tmp_path / "share.rq").write_text(
        "#+ title: Share\n#+ description: A proportion.\n#+ columns:\n#+   share: {title: Value, unit: '%'}\n"
        "PREFIX mmkg: <https://w3id.org/mmkg/>\nSELECT ?finding ?share WHERE {\n"
        "  ?finding mmkg:value ?share ; mmkg:unit <https://w3id.org/mmkg/resource/unit-percent> }\n", encoding="utf-8")
    app: Flask = make_app(catalogue=load_catalogue(tmp_path), warm=False)
    page = app.test_client().get("/queries/share").get_data(as_text=True)
    assert 'Value <span class="unit">(%)</span>' in page[page.index("<thead>"):page.index("</thead>")]
    assert ">8<" in page  # the 8 % of the post-ASCT second primary malignancies, its unit now in the header
