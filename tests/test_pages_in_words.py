"""Pages a clinician reads at a glance (issue 27), through the Flask client: words instead of codes,
each result with its context, evidence first, one forest panel per outcome, search that knows the
clinic's words, forms that offer labels, and a web package that writes no SPARQL."""

from __future__ import annotations

import html as htmllib
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from rdflib import Graph

from kg import paths
from kg.docs import diagram
from kg.query.store import Store
from kg.readers.names import Names, journal_abbreviation
from kg.readers.result_context import design_of
from web.forest import ForestRow, forest_svg

PAGES = ["/", "/evidence", "/resource/lenalidomide", "/resource/myeloma-xi", "/resource/s000-os-hr-len",
         "/resource/s003-dose", "/resource/s001-vte-rr"]
# Internal ids and locator codes a reader should never have to decode as link text.
CODES = re.compile(r"\bs00\d\b|\bp\d+\.s\d+\b|\bref\. \d+ of s\d{3}|\bjackson-2019\b|/mapping/")
SVG = "{http://www.w3.org/2000/svg}"


def _before_technical(page: str) -> str:
    """The page up to its technical-details section (IRIs, types and raw properties live there)."""
    cut = page.find('<details class="technical"')
    return page if cut < 0 else page[:cut]


def _link_texts(page: str) -> list[str]:
    return [htmllib.unescape(re.sub(r"<[^>]+>", "", t)).strip() for t in re.findall(r"<a\b[^>]*>(.*?)</a>", page, re.S)]


@pytest.mark.parametrize("path", PAGES)
def test_no_internal_code_as_link_text_outside_technical_details(client: FlaskClient, path: str) -> None:
    page = _before_technical(client.get(path).get_data(as_text=True))
    coded = [t for t in _link_texts(page) if CODES.search(t)]
    assert coded == [], f"{path}: {coded[:5]}"


def test_sources_read_as_the_article_and_how_it_reached_us(client: FlaskClient, store: Store) -> None:
    names = Names(store)
    assert names.source("s000") == "Gay et al. 2018 (JAMA Oncol) via news report"
    assert names.source("s004").startswith("Shah 2021")
    page = client.get("/resource/s000-os-hr-len").get_data(as_text=True)
    assert "Gay et al. 2018 (JAMA Oncol) via news report" in page
    # the locator in small print, the curator's sentence on hover
    assert '<small class="locator">p5.s1</small>' in page
    assert re.search(r'<a href="/resource/s000" title="[^"]*overall-survival', page)


def test_cited_trials_by_name(store: Store) -> None:
    names = Names(store)
    assert "MM-015" in names.text("Lenalidomide alone vs placebo: PFS benefit, ref. 2 of s002 (likely MM-015)")
    assert "s002" not in names.text("ref. 6 of s002")


def test_journal_abbreviation_from_a_vancouver_citation() -> None:
    assert journal_abbreviation("Wang Y, et al. J Natl Cancer Inst. 2016;108(3):djv342.", None) == "J Natl Cancer Inst"
    assert journal_abbreviation("no journal here", "Blood") == "Blood"


def test_finding_page_opens_with_the_estimate_types_below(client: FlaskClient) -> None:
    page = client.get("/resource/s000-os-hr-len").get_data(as_text=True)
    card, types = page.index('class="finding-card"'), page.index('<ul class="types">')
    assert card < types and page.index('<details class="technical"') < types
    assert "HR 0.76 (95% CI 0.51–1.16)" in page[:card + 400]


@pytest.mark.parametrize(("path", "expected"), [
    ("/", "N 5,073"), ("/evidence", "network meta-analysis"), ("/resource/s000-os-hr-len", "11 trials pooled"),
    ("/resource/myeloma-xi", "N 1,137 vs 834"), ("/resource/lenalidomide", "pairwise meta-analysis"),
])
def test_results_carry_population_n_and_design(client: FlaskClient, path: str, expected: str) -> None:
    page = client.get(path).get_data(as_text=True)
    assert 'class="result-context"' in page and expected in page, path


def test_design_names() -> None:
    assert design_of({"MetaAnalysis", "SystematicReview"}) == "pairwise meta-analysis"
    assert design_of({"NarrativeReview"}) == "narrative review"


def test_drug_page_is_evidence_first_with_flags_on_the_row(client: FlaskClient) -> None:
    page = client.get("/resource/lenalidomide").get_data(as_text=True)
    order = [page.index(h) for h in ("Efficacy, by outcome", "Safety", "Dosing and regulatory facts",
                                     "Identity: identifiers elsewhere", "Technical details")]
    assert order == sorted(order)
    assert "inferred by curator" in page and "⚠ discrepant" in page
    assert 'data-filter="outcome"' in page and 'data-filter="kind"' in page
    dose = client.get("/resource/s003").get_data(as_text=True)
    assert dose  # the source page renders


def test_dose_row_shows_its_discrepancy(client: FlaskClient) -> None:
    page = client.get("/resource/len").get_data(as_text=True)
    row = next(r for r in re.findall(r"<tr data-outcome.*?</tr>", page, re.S) if "25 mg" in r)
    assert "discrepant" in row


def test_one_forest_panel_per_outcome_harms_apart(client: FlaskClient) -> None:
    page = client.get("/evidence").get_data(as_text=True)
    captions = re.findall(r"<figcaption><span class=\"fp-kind\">(\w+)</span> ([^<]+)<", page)
    kinds = [k for k, _ in captions]
    assert "efficacy" in kinds and "harm" in kinds and kinds == sorted(kinds, key=lambda k: k == "harm")
    outcomes = [o.strip() for _, o in captions]
    assert len(outcomes) == len(set(outcomes)) >= 3
    assert "hazard ratio, log scale" in page and "risk ratio, log scale" in page
    assert "favours intervention" in page and "favours comparator" in page
    assert 'class="fp-null"' in page and "N 7,730" in page


def test_favours_labels_follow_whether_the_event_is_wanted() -> None:
    bad = ForestRow("A vs B", "x", 0.8, 0.6, 1.1, "HR", outcome="OS")
    good = ForestRow("A vs B", "x", 1.5, 1.1, 2.0, "RR", outcome="overall response", higher_is_better=True)
    left_bad = re.search(r"← favours (\w+)", forest_svg([bad], layout="wide"))
    left_good = re.search(r"← favours (\w+)", forest_svg([good], layout="wide"))
    assert left_bad and left_bad.group(1) == "intervention"
    assert left_good and left_good.group(1) == "comparator"


@pytest.mark.skipif(shutil.which("dot") is None, reason="Debian's graphviz is not installed (make graphviz)")
def test_the_model_diagram_is_laid_out_by_graphviz() -> None:
    svg = diagram.model_svg(Graph().parse(paths.ontology_file(), format="turtle"))
    assert 'class="model-dot"' in svg
    root = ET.fromstring(svg)
    texts = [t.text or "" for t in root.iter(SVG + "text")]
    assert "Finding" in texts and "hasComponent" in texts


def test_the_model_diagram_without_graphviz(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(diagram.shutil, "which", lambda name: None)
    svg = diagram.model_svg(Graph().parse(paths.ontology_file(), format="turtle"))
    assert 'class="model-dot"' not in svg and "hasComponent" in svg


def test_ontology_page_inlines_the_diagram_with_a_list(client: FlaskClient) -> None:
    page = client.get("/ontology").get_data(as_text=True)
    assert 'class="model-scroll"' in page and "<svg" in page
    assert re.search(r"Finding</a> — fromSource → <a [^>]*>SourceDocument", page)


@pytest.mark.parametrize(("q", "finding"), [("VTE", "s001-vte-rr"), ("thrombosis", "s001-vte-rr"),
                                            ("neuropathy", "s001-thal-neuropathy")])
def test_search_knows_the_clinics_words(client: FlaskClient, q: str, finding: str) -> None:
    hits = client.get("/search.json", query_string={"q": q, "limit": 50}).get_json()
    assert any(h["url"] == f"/resource/{finding}" for h in hits), [h["url"] for h in hits]


@pytest.mark.parametrize(("q", "target"), [
    ("10.1001/jamaoncol.2018.2961", "gay-2018"), ("https://doi.org/10.1001/jamaoncol.2018.2961", "gay-2018"),
    ("30098165", "gay-2018"), ("PMID:30098165", "gay-2018"), ("NCT01554852", "myeloma-xi"),
])
def test_search_finds_dois_pmids_and_registry_ids(client: FlaskClient, q: str, target: str) -> None:
    hits = client.get("/search.json", query_string={"q": q}).get_json()
    assert hits and hits[0]["url"] == f"/resource/{target}", hits[:3]


def test_search_page_groups_by_kind_without_iri_lines(client: FlaskClient) -> None:
    page = client.get("/search", query_string={"q": "thrombosis"}).get_data(as_text=True)
    assert '<section class="hit-group">' in page and 'class="kind-filter"' in page
    assert 'class="iri"' not in page
    only = client.get("/search", query_string={"q": "thrombosis", "kind": "adverse event"}).get_data(as_text=True)
    assert only.count('<section class="hit-group">') == 1


def test_saved_query_form_offers_labels(client: FlaskClient) -> None:
    page = client.get("/queries/adverse-events-by-drug").get_data(as_text=True)
    options = re.findall(r'<option value="(res:[^"]+)" label="([^"]+)"', page)
    assert ("res:thalidomide", "thalidomide — drug") in options
    assert all("drug" in label for _, label in options)  # the parameter's kind only
    assert 'name="drug"' in page and 'list="list-drug"' in page  # typing still works


def test_web_writes_no_sparql_in_entity_and_page_routes() -> None:
    for module in ("entities.py", "pages.py"):
        text = (Path(__file__).parents[1] / "web" / "blueprints" / module).read_text()
        assert not re.search(r"\b(SELECT|CONSTRUCT|ASK|DESCRIBE)\b\s*[?(*{]|\bPREFIX\s+\w*:", text), module
