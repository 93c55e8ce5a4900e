"""A saved query's page shows its answer a page of rows at a time, with the page in the URL.

On a grown graph a saved query answers thousands of rows; its page shows ``query_page_rows`` of them (``page=N``
for the others, the parameters kept in the links) while the data twins still give every row up to ``max_rows``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from flask import Flask

from kg.errors import QueryFileError
from kg.query.catalogue import load_catalogue
from web.blueprints.queries import _page_of
from web.errors import HttpError
from web.settings import Settings

from .conftest import AppFactory

QUERY = "findings-by-population"
GIVEN = "characteristic=res%3Atransplant-eligible"


def _body_rows(html: str) -> int:
    body = html[html.index("<tbody>"):html.index("</tbody>")]
    return body.count("<tr>")


def _twin_rows(app: Flask) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = json.loads(app.test_client().get(f"/queries/{QUERY}.json?{GIVEN}").data)["rows"]
    return rows


def test_the_pages_show_every_row_once_in_order(make_app: AppFactory) -> None:
    app = make_app(Settings(query_page_rows=10), warm=False)
    every = _twin_rows(app)
    assert len(every) > 30, "the query needs more rows than three pages for this test"
    pages = -(-len(every) // 10)
    query = app.extensions["mmkg"].catalogue.get(QUERY)
    bindings = query.bindings({"characteristic": "res:transplant-eligible"})
    seen: list[tuple[str, str]] = []
    with app.test_request_context():
        for page in range(1, pages + 1):
            result, rows = _page_of(query, bindings, page)
            assert rows is not None and rows.page == page and rows.first == (page - 1) * 10 + 1
            assert rows.more == (page < pages) and rows.total == (len(every) if page == pages else None)
            seen.extend((row["finding"].value, row["locator"].value) for row in result.rows)
    assert seen == [(row["finding"], row["locator"]) for row in every]


def test_the_pager_keeps_the_parameters_and_says_where_the_rows_stand(make_app: AppFactory) -> None:
    app = make_app(Settings(query_page_rows=10), warm=False)
    total = len(_twin_rows(app))
    pages = -(-total // 10)
    client = app.test_client()
    first = client.get(f"/queries/{QUERY}?{GIVEN}").get_data(as_text=True)
    assert _body_rows(first) == 10 and "rows 1–10; more follow" in first
    assert f'rel="next" href="/queries/{QUERY}?{GIVEN}&amp;page=2"' in first and 'rel="prev"' not in first
    assert f'href="/queries/{QUERY}.csv?{GIVEN}"' in first, "the downloads give every row, not the page"
    middle = client.get(f"/queries/{QUERY}?{GIVEN}&page=2").get_data(as_text=True)
    assert _body_rows(middle) == 10 and "rows 11–20; more follow" in middle
    assert f'rel="prev" href="/queries/{QUERY}?{GIVEN}&amp;page=1"' in middle and 'rel="next"' in middle
    last = client.get(f"/queries/{QUERY}?{GIVEN}&page={pages}").get_data(as_text=True)
    assert _body_rows(last) == total - (pages - 1) * 10
    assert f"rows {(pages - 1) * 10 + 1}–{total} of {total}" in last and 'rel="next"' not in last
    assert f"page {pages} of {pages}" in last
    other = client.get(f"/queries/{QUERY}?characteristic=res%3Aelderly&page=1").get_data(as_text=True)
    assert 'value="res:elderly" selected' in other, "the form keeps the parameter beside the page"


def test_an_answer_that_fits_one_page_has_no_pager(make_app: AppFactory) -> None:
    app = make_app(warm=False)
    html = app.test_client().get(f"/queries/{QUERY}").get_data(as_text=True)
    total = len(_twin_rows(app))
    assert total <= Settings().query_page_rows
    assert f"{total} rows" in html and 'class="pager"' not in html


def test_pages_stop_where_the_row_budget_does(make_app: AppFactory) -> None:
    app = make_app(Settings(query_page_rows=10, max_rows=25), warm=False)
    client = app.test_client()
    third = client.get(f"/queries/{QUERY}?page=3").get_data(as_text=True)
    assert _body_rows(third) == 5 and "rows 21–25" in third and 'rel="next"' not in third
    assert "pages reach the first 25 rows; download the rest" in third
    beyond = client.get(f"/queries/{QUERY}?page=4")
    assert beyond.status_code == 400
    assert re.search(r"parameter &#39;page&#39;: page 4 starts past the 25 rows", beyond.get_data(as_text=True))


@pytest.mark.parametrize("page", ["0", "-1", "x", "1.5", "2e1", "%C2%B2", "%EF%BC%92"])
def test_a_bad_page_is_a_400_naming_it(make_app: AppFactory, page: str) -> None:
    response = make_app(Settings(query_page_rows=10), warm=False).test_client().get(f"/queries/{QUERY}?page={page}")
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "parameter &#39;page&#39;" in html
    assert 'id="query-form"' in html, "the error is shown on the query's page, its form kept"


def test_a_page_past_the_last_is_a_400_naming_the_last(make_app: AppFactory) -> None:
    app = make_app(Settings(query_page_rows=10), warm=False)
    pages = -(-len(_twin_rows(app)) // 10)
    response = app.test_client().get(f"/queries/{QUERY}?page={pages + 1}")
    assert response.status_code == 400
    assert f"page {pages + 1} is past the last page, {pages}" in response.get_data(as_text=True)


def test_the_twins_are_not_paged(make_app: AppFactory) -> None:
    app = make_app(Settings(query_page_rows=10), warm=False)
    response = app.test_client().get(f"/queries/{QUERY}.json?page=2")
    assert response.status_code == 400 and "page" in response.get_json()["error"]
    assert len(_twin_rows(app)) > 10


def test_an_ask_query_has_one_page(tmp_path: Path, make_app: AppFactory) -> None:
    (tmp_path / "any.rq").write_text("#+ title: Any\n#+ description: Whether there is a finding.\n"
                                     "PREFIX mmkg: <https://w3id.org/mmkg/>\nASK { ?f a mmkg:Finding }\n",
                                     encoding="utf-8")
    client = make_app(catalogue=load_catalogue(tmp_path), warm=False).test_client()
    assert "ASK: <strong>true</strong>" in client.get("/queries/any").get_data(as_text=True)
    second = client.get("/queries/any?page=2")
    assert second.status_code == 400 and "one page only" in second.get_data(as_text=True)


def test_a_saved_query_may_not_name_a_parameter_page(tmp_path: Path) -> None:
    (tmp_path / "paged.rq").write_text("#+ title: Paged\n#+ description: A parameter the page reads itself.\n"
                                       "#+ parameters:\n#+   page: {type: number}\nSELECT ?page WHERE {}\n",
                                       encoding="utf-8")
    with pytest.raises(QueryFileError, match=r"paged\.rq.*'page' is reserved"):
        load_catalogue(tmp_path)


def test_a_far_page_is_refused_naming_the_last(make_app: AppFactory) -> None:
    app = make_app(Settings(query_page_rows=10), warm=False)
    query = app.extensions["mmkg"].catalogue.get(QUERY)
    with app.test_request_context(), pytest.raises(HttpError, match="past the last page"):
        _page_of(query, query.bindings({}), 1000)
