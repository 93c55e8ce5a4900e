"""Paging of the evidence map and the summary of findings (issue 30, views at size), at a small N with
small page sizes: every result is shown exactly once across the pages, the URL is the state (links
round-trip), filters and pages compose, the twins give everything, and bad paging parameters are 400s."""

from __future__ import annotations

import json
import re
from collections import Counter
from html import unescape
from urllib.parse import parse_qsl, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient

from kg.evidence import paging
from kg.evidence.grid import Filters, apply_filters, build_map
from kg.evidence.map_index import MapIndex
from kg.evidence.paging import page_map
from kg.evidence.sof import summary_of_findings
from kg.evidence.trials import trial_table
from kg.query.store import Store
from web.settings import Settings

from .conftest import AppFactory

_RESULT = re.compile(r'<div class="result">')


@pytest.fixture()
def small_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(paging, "ROWS_PER_PAGE", 3)
    monkeypatch.setattr(paging, "CELL_PREVIEW", 1)
    monkeypatch.setattr(paging, "RESULTS_PER_PAGE", 2)
    monkeypatch.setattr(paging, "TABLES_PER_PAGE", 2)
    monkeypatch.setattr(paging, "ROW_PREVIEW", 1)


@pytest.fixture()
def client(make_app: AppFactory, small_pages: None) -> FlaskClient:
    app: Flask = make_app(Settings(page_cache_bytes=0))
    return app.test_client()


def _links(html: str, rel: str) -> list[str]:
    return [unescape(h) for h in re.findall(rf'<a rel="{rel}" href="([^"]+)"', html)]


def _cell_links(html: str) -> list[str]:
    return [unescape(h) for h in re.findall(r'<a class="more" href="([^"]+)"', html)]


def _walk(client: FlaskClient, url: str) -> list[str]:
    """Every page from ``url`` on, following the 'next' links; each page's state round-trips."""
    pages = []
    while True:
        response = client.get(url)
        assert response.status_code == 200, (url, response.data[:300])
        html = response.get_data(as_text=True)
        pages.append(html)
        assert f"page {len(pages)} of" in html or len(pages) == 1
        following = _links(html, "next")
        if not following:
            return pages
        before, after = dict(parse_qsl(urlsplit(url).query)), dict(parse_qsl(urlsplit(following[0]).query))
        assert {k: v for k, v in after.items() if k != "page"} == {k: v for k, v in before.items() if k != "page"}
        assert after["page"] == str(len(pages) + 1)
        url = following[0]


def _json_cells(client: FlaskClient, params: dict[str, str]) -> dict[tuple[str, str], list[str]]:
    data = json.loads(client.get("/evidence.json", query_string=params).data)
    return {(r["regimen"], key): [x["finding"] for x in results] for r in data["rows"]
            for key, results in r["cells"].items()}


def test_paging_a_map_cell_returns_each_result_once(client: FlaskClient) -> None:
    cells = _json_cells(client, {})
    (regimen, outcome), results = max(cells.items(), key=lambda kv: len(kv[1]))
    assert len(results) > 2  # more than a page of RESULTS_PER_PAGE = 2
    curie = "res:" + regimen.rsplit("/", 1)[-1]
    pages = _walk(client, f"/evidence?regimen={curie}&outcome={outcome}")
    assert len(pages) == -(-len(results) // 2)
    shown = [len(_RESULT.findall(p)) for p in pages]
    assert sum(shown) == len(results) and all(n <= 2 for n in shown)
    for finding in results:  # each result's finding on exactly one page
        local = finding.rsplit("/", 1)[-1]
        assert sum(f'href="/resource/{local}"' in p for p in pages) == 1, local


def test_the_map_pages_rows_and_previews_cells_with_links_to_each_cell(client: FlaskClient) -> None:
    cells = _json_cells(client, {})
    pages = _walk(client, "/evidence")
    regimens = {r for r, _ in cells}
    assert len(pages) == -(-len(regimens) // 3) and len(pages) > 1
    previews = sum(len(_RESULT.findall(p)) for p in pages)
    assert previews == len(cells)  # CELL_PREVIEW = 1: one result a cell, each cell once across the pages
    more = [link for p in pages for link in _cell_links(p)]
    assert len(more) == sum(1 for v in cells.values() if len(v) > 1)
    for link in more:  # every "all N results" link opens its cell, which holds every result of the cell
        query = dict(parse_qsl(urlsplit(link).query))
        assert set(query) == {"regimen", "outcome"}
        response = client.get(link)
        assert response.status_code == 200
        regimen = "https://w3id.org/mmkg/resource/" + query["regimen"].removeprefix("res:")
        total = len(cells[(regimen, query["outcome"])])
        assert f": {total} results" in response.get_data(as_text=True)


def test_filters_and_pages_compose_and_the_form_keeps_the_cell(client: FlaskClient, store: Store) -> None:
    cells = _json_cells(client, {})
    source = "s001"
    filtered = _json_cells(client, {"source": source})
    assert filtered and set(filtered) <= set(cells)
    (regimen, outcome), results = max(filtered.items(), key=lambda kv: len(kv[1]))
    curie = "res:" + regimen.rsplit("/", 1)[-1]
    pages = _walk(client, f"/evidence?source={source}&regimen={curie}&outcome={outcome}")
    assert sum(len(_RESULT.findall(p)) for p in pages) == len(results)
    html = pages[0]
    assert f'<input type="hidden" name="regimen" value="{curie}">' in html
    assert f'<input type="hidden" name="outcome" value="{outcome}">' in html
    assert re.search(rf'<option value="{source}" selected>', html)
    anchors = re.findall(r'<a href="(/evidence[^"]*)">([^<]+)</a>', html)
    links = {unescape(text): unescape(href) for href, text in anchors}
    assert dict(parse_qsl(urlsplit(links["clear filters"]).query)) == {"regimen": curie, "outcome": outcome}
    assert dict(parse_qsl(urlsplit(links["whole map"]).query)) == {"source": source}
    alternate = unescape(re.search(r'rel="alternate" type="application/json" href="([^"]+)"', html)[1])  # type: ignore[index]
    assert dict(parse_qsl(urlsplit(alternate).query)) == {"source": source, "regimen": curie, "outcome": outcome}
    assert [x for x in _json_cells(client, dict(parse_qsl(urlsplit(alternate).query))).values()] == [results]


def test_bad_paging_parameters_are_400s_naming_them(client: FlaskClient) -> None:
    for query, named in (("page=0", "page"), ("page=two", "page"), ("page=999", "page"),
                         ("regimen=res:no-such-regimen", "regimen"), ("outcome=colour", "outcome"),
                         ("regimen=res:len&outcome=pfs&page=999", "page")):
        response = client.get(f"/evidence?{query}")
        assert response.status_code == 400, query
        assert f"'{named}'" in unescape(response.get_data(as_text=True)), query
    assert client.get("/evidence.json?page=2").status_code == 400  # the twin gives everything: never paged
    assert client.get("/evidence/summary?page=99").status_code == 400
    assert client.get("/evidence.csv?page=2").status_code == 400


def test_summary_of_findings_pages_cover_every_table_once(client: FlaskClient) -> None:
    tables = json.loads(client.get("/evidence/summary.json").data)["tables"]
    assert len(tables) > 2
    pages = _walk(client, "/evidence/summary")
    assert len(pages) == -(-len(tables) // 2)
    headings = [h for p in pages for h in re.findall(r'<section class="sof">', p)]
    assert len(headings) == len(tables)
    drug_tables = json.loads(client.get("/evidence/summary.json?drug=res:lenalidomide").data)["tables"]
    drug_pages = _walk(client, "/evidence/summary?drug=res:lenalidomide")
    assert sum(p.count('<section class="sof">') for p in drug_pages) == len(drug_tables)
    for p in drug_pages[:-1]:
        assert "drug=res%3Alenalidomide" in p or "drug=res:lenalidomide" in p
    rows = [r for t in tables for r in t["rows"]]
    long_rows = [r for r in rows if len(r["relative_effect"]) > 1]
    assert long_rows  # ROW_PREVIEW = 1: a row of several estimates shows one and links to the rest
    shown = [unescape(e) for p in pages for e in re.findall(r'<td><a href="/resource/[^"]+">([^<]+)</a>', p)]
    assert len(shown) == len(rows)
    more = [unescape(h) for p in pages for h in re.findall(r'<a class="more" href="([^"]+)"', p)]
    assert len(more) == len(long_rows)
    for link, row in zip(more, long_rows, strict=True):  # the rest of a row: in the map's cell (regimen, outcome)
        assert client.get(link).status_code == 200, link
        data = json.loads(client.get("/evidence.json", query_string=dict(parse_qsl(urlsplit(link).query))).data)
        cited = {b["finding"] for r in data["rows"] for results in r["cells"].values() for x in results
                 for b in x["sources"]}  # a result's own finding and those corroborating it
        assert len(data["rows"]) == 1 and set(row["findings"]) <= cited, link


def test_the_index_narrows_as_the_filters_do_and_pages_partition_the_map(store: Store) -> None:
    from kg.evidence.gather import gather, source_names

    findings = gather(store)
    index = MapIndex(store, findings, trial_table(store, findings))
    options = index.options
    combos = [Filters()] + [Filters(source=s) for s, _ in options.sources] + \
             [Filters(population=p) for p, _ in options.populations] + \
             [Filters(study_type=t) for t in options.study_types] + \
             [Filters(population=p, study_type=t) for p, _ in options.populations for t in options.study_types]
    for filters in combos:
        assert index.findings(filters) == apply_filters(findings, filters), filters
    whole = build_map(store, findings)
    indexed = index.entry(Filters()).evidence
    assert [(r.regimen.iri, {k: [x.finding.iri for x in v] for k, v in r.cells.items()}) for r in indexed.rows] == \
           [(r.regimen.iri, {k: [x.finding.iri for x in v] for k, v in r.cells.items()}) for r in whole.rows]
    seen: Counter[tuple[str, str, str]] = Counter()
    for row in whole.rows:
        for key, results in row.cells.items():
            for number in range(1, paging.pages_for(len(results), paging.RESULTS_PER_PAGE) + 1):
                page = page_map(whole, number, row.regimen.iri, key)
                seen.update((row.regimen.iri, key, r.finding.iri) for pr in page.rows for r in pr.cells.get(key, []))
    assert seen == Counter((r.regimen.iri, k, x.finding.iri) for r in whole.rows for k, v in r.cells.items()
                           for x in v)
    expected = summary_of_findings(findings, trial_table(store, findings), source_names(store))
    assert [(t.intervention.iri, t.comparator.iri) for t in index.tables()] == \
           [(t.intervention.iri, t.comparator.iri) for t in expected]
    lenalidomide = "https://w3id.org/mmkg/resource/lenalidomide"
    assert [id(t) for t in index.tables(lenalidomide)] == [id(t) for t in index.tables() if lenalidomide in t.drugs]


def test_the_index_keeps_a_bounded_number_of_maps_besides_those_warmed(store: Store,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from kg.evidence import map_index
    from kg.evidence.gather import gather

    monkeypatch.setattr(map_index, "MAPS_KEPT", 2)
    findings = gather(store)
    index = MapIndex(store, findings, trial_table(store, findings))
    index.warm()
    warmed = index.entry(Filters())
    sources = [s for s, _ in index.options.sources]
    assert len(sources) > 2
    for source in sources:
        entry = index.entry(Filters(source=source))
        assert entry.findings == apply_filters(findings, Filters(source=source))
        assert index.entry(Filters(source=source)) is entry  # kept while among the last asked for
    assert len(index._maps) == 2  # the other sources' maps were dropped, oldest first
    assert index.entry(Filters()) is warmed  # the warmed whole map stays for the release
