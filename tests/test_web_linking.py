"""Linking on the pages: each external identifier with its label (import module or enrichment) and
link; ontology terms with their alignments, labelled, marked where they are also axioms."""

from __future__ import annotations

import html
import re
from pathlib import Path

from flask.testing import FlaskClient

from kg.query.store import Store

from .conftest import AppFactory


def _row(page: str, curie: str) -> str:
    """The identifiers-table row of one CURIE, tags stripped."""
    match = re.search(rf"<tr><td>[^<]*</td><td><a [^>]*>{re.escape(curie)}</a></td>(.*?)</tr>", page, re.S)
    assert match, curie
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", match.group(1))).split())


def test_identifiers_show_their_imported_labels(client: FlaskClient) -> None:
    page = client.get("/resource/lenalidomide").get_data(as_text=True)
    assert _row(page, "CHEBI:63791").startswith("lenalidomide import module exact verified")
    assert _row(page, "MESH:D000077269").startswith("Lenalidomide import module")
    assert _row(page, "drugbank:DB00480").startswith("Lenalidomide import module")
    assert _row(page, "NCIT:C2668").startswith("imported; no verified label close likely")
    assert 'href="http://purl.obolibrary.org/obo/CHEBI_63791"' in page  # the link out
    assert 'href="/describe?iri=http%3A%2F%2Fpurl.obolibrary.org%2Fobo%2FCHEBI_63791"' in page  # the term's page
    # the imported ChEBI class among the types, with its CURIE; its parents inferred
    assert re.search(r">isoindoles</a> <span class=\"badge\">CHEBI:24897</span> <span class=\"badge\">inferred", page)
    disease = client.get("/resource/multiple-myeloma").get_data(as_text=True)
    assert _row(disease, "MONDO:0009693").startswith("plasma cell myeloma import module")
    assert _row(disease, "meddra:10028228").startswith("imported; no verified label")  # licence-restricted


def test_ontology_terms_show_labelled_alignments_and_axioms(client: FlaskClient) -> None:
    page = client.get("/ontology/RiskRatioEstimate").get_data(as_text=True)
    alignments = [" ".join(html.unescape(re.sub(r"<[^>]+>", " ", d)).split())
                  for d in re.findall(r'<dd class="alignment">(.*?)</dd>', page, re.S)]
    assert "STATO:0000245 relative risk exact match axiom ↗" in alignments
    assert "NCIT:C93152 Relative Risk exact match axiom ↗" in alignments
    imid = client.get("/ontology/ImmunomodulatoryImideDrug").get_data(as_text=True)
    assert "CHEBI:50846" in imid and "immunomodulator" in imid and "close match" in imid
    assert "axiom" not in re.sub(r"<[^>]+>", " ", imid.split('class="alignment"', 1)[1].split("</dl>")[0])


def test_an_imported_term_has_its_own_page(client: FlaskClient) -> None:
    page = client.get("/describe", query_string={"iri": "http://purl.obolibrary.org/obo/NCIT_C93150"})
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "<h1>Hazard Ratio</h1>" in text
    assert "hazard ratio estimate" in text  # our subclass links back


def test_the_ontology_page_keeps_our_tree_and_lists_imports(client: FlaskClient) -> None:
    page = client.get("/ontology").get_data(as_text=True)
    hierarchy = page.split("<h2>Class hierarchy</h2>", 1)[1].split("</section>", 1)[0]
    assert "isoindoles" not in hierarchy and "drug" in hierarchy
    count = int(re.search(r"Imported external terms \((\d+)\)", page).group(1))  # type: ignore[union-attr]
    assert count > 150
    assert "<summary>CHEBI (" in page and "<summary>MESH (" in page


def test_enrichment_labels_are_shown_with_their_source(release: Path, make_app: AppFactory, tmp_path: Path) -> None:
    nquads = tmp_path / "enriched.nq"
    extra = ('<http://www.wikidata.org/entity/Q425681> <http://www.w3.org/2000/01/rdf-schema#label> '
             '"lenalidomide, as enriched"@en <https://w3id.org/mmkg/graph/enrichment/wikidata> .\n'
             '<http://www.wikidata.org/entity/Q425681> <http://www.w3.org/2000/01/rdf-schema#label> '
             '"Lenalidomid"@de <https://w3id.org/mmkg/graph/enrichment/wikidata> .\n')
    nquads.write_bytes((release / "mmkg.nq").read_bytes() + extra.encode())
    app = make_app(store=Store.from_release(nquads), warm=False)
    page = app.test_client().get("/resource/lenalidomide").get_data(as_text=True)
    row = _row(page, "wikidata:Q425681")
    assert "lenalidomide import module" in row and "lenalidomide, as enriched enrichment: wikidata" in row
    assert "Lenalidomid" not in row


def test_search_finds_imported_terms_after_our_entities(client: FlaskClient) -> None:
    hits = client.get("/search.json", query_string={"q": "lenalidomide"}).get_json()
    iris = [h["iri"] for h in (hits["results"] if isinstance(hits, dict) else hits)]
    assert iris[0] == "https://w3id.org/mmkg/resource/lenalidomide"
    # an external term our entity matches is grouped under the entity, not listed beside it (issue 17)
    assert "http://purl.obolibrary.org/obo/CHEBI_63791" not in iris
    chebi = client.get("/search.json", query_string={"q": "CHEBI:63791"}).get_json()
    assert chebi[0]["iri"] == "https://w3id.org/mmkg/resource/lenalidomide"
    stat = client.get("/search.json", query_string={"q": "hazard ratio"}).get_json()
    found = [h["iri"] for h in (stat["results"] if isinstance(stat, dict) else stat)]
    assert found[:2] == ["http://purl.obolibrary.org/obo/NCIT_C93150",  # exact label first
                         "https://w3id.org/mmkg/HazardRatioEstimate"]


def test_our_types_come_before_the_imported_ones(client: FlaskClient) -> None:
    page = client.get("/resource/multiple-myeloma").get_data(as_text=True)
    types = page.split('<ul class="types">', 1)[1].split("</ul>", 1)[0]
    labels = re.findall(r"<a [^>]*>([^<]+)</a>", types)
    assert labels[0] == "disease" and "plasma cell myeloma" in labels
    assert types.index(">disease<") < types.index("MONDO:0009693")
