"""One way in for outside queries: the same row and byte budget, truncation flag and 413 on /sparql, the editor,
the saved-query twins and ``mmkg sparql``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from kg.cli import main
from kg.query.catalogue import load_catalogue
from web.settings import Settings

from .conftest import AppFactory

BIG = "x" * 11_000
HUGE = f'SELECT ?v WHERE {{ VALUES ?i {{ 1 2 3 4 5 6 }} BIND(CONCAT("{BIG}", STR(?i)) AS ?v) }}'  # 11 KB a row
MANY = "SELECT ?i WHERE { VALUES ?i { 1 2 3 4 5 6 7 8 9 } }"
BUDGET = Settings(max_rows=5, max_result_bytes=20_000, page_rows=3)


def _saved(folder: Path, name: str, sparql: str) -> None:
    (folder / f"{name}.rq").write_text(f"#+ title: {name}\n#+ description: a test query\n#+ tags: [test]\n{sparql}\n",
                                       encoding="utf-8")


@pytest.fixture()
def bounded(make_app: AppFactory, tmp_path: Path) -> Flask:
    """An app with a small budget whose catalogue holds the huge and the long query as saved queries."""
    _saved(tmp_path, "huge", HUGE)
    _saved(tmp_path, "many", MANY)
    return make_app(BUDGET, catalogue=load_catalogue(tmp_path), warm=False)


def test_an_answer_over_the_byte_budget_is_the_same_413_everywhere(bounded: Flask, release: Path) -> None:
    client = bounded.test_client()
    sparql = client.get("/sparql", query_string={"query": HUGE, "format": "json"})
    editor = client.get("/query", query_string={"query": HUGE})
    twin = client.get("/queries/huge.csv")
    page = client.get("/queries/huge")
    for response in (sparql, editor, twin, page):
        assert response.status_code == 413, response.data[:300]
        assert b"the answer is larger than" in response.data
    assert len(editor.data) < BUDGET.max_result_bytes
    cli = CliRunner().invoke(main, ["sparql", HUGE, "--max-bytes", "20000", "--out", str(release.parent.parent)])
    assert cli.exit_code != 0 and "the answer is larger than" in str(cli.exception or cli.output)


def test_rows_past_the_budget_are_cut_and_flagged_everywhere(bounded: Flask, release: Path) -> None:
    client = bounded.test_client()
    sparql = client.get("/sparql", query_string={"query": MANY, "format": "json"})
    assert sparql.headers["MMKG-Results-Truncated"] == "true"
    body = json.loads(sparql.data)
    assert body["truncated"] is True and len(body["results"]["bindings"]) == 5
    twin = client.get("/queries/many.json")
    assert twin.headers["MMKG-Results-Truncated"] == "true" and len(twin.get_json()["rows"]) == 5
    csv = client.get("/queries/many.csv")
    assert csv.headers["MMKG-Results-Truncated"] == "true" and len(csv.data.decode().splitlines()) == 6
    editor = client.get("/query", query_string={"query": MANY}).data.decode()
    assert editor.count("<tr") <= 3 + 1 and 'id="truncated-note"' in editor and "first 3 rows" in editor
    cli = CliRunner().invoke(main, ["sparql", MANY, "--max-rows", "5", "--format", "json",
                                    "--out", str(release.parent.parent)])
    assert cli.exit_code == 0, cli.output
    assert '"truncated": true' in cli.output


def test_the_editor_never_sends_a_page_over_the_budget(make_app: AppFactory) -> None:
    """Rows that fit the value budget but whose page would not: the page is the 413 message, small."""
    tight = make_app(Settings(max_result_bytes=40_000, page_rows=50), warm=False)
    long_rows = f'SELECT ?v WHERE {{ VALUES ?i {{ 1 2 3 4 5 }} BIND(CONCAT("{"<" * 7000}", STR(?i)) AS ?v) }}'
    page = tight.test_client().get("/query", query_string={"query": long_rows})
    assert page.status_code == 413 and len(page.data) < 40_000


def test_mmkg_sparql_tables_keep_full_values_the_query_order_and_curies(release: Path) -> None:
    home = str(release.parent.parent)
    long_value = "a value " * 20
    query = (f'SELECT * WHERE {{ GRAPH ?g {{ ?finding mmkg:endpoint res:pfs }} BIND("{long_value.strip()}" AS ?note) }}'
             " LIMIT 1")
    done = CliRunner().invoke(main, ["sparql", query, "--out", home])
    assert done.exit_code == 0, done.output
    header = done.stdout.splitlines()[0].split()
    assert header == ["g", "finding", "note"]  # the order they appear in, not the engine's
    assert long_value.strip() in done.stdout and "…" not in done.stdout
    assert "graph:source/" in done.stdout and "https://w3id.org/mmkg/graph/" not in done.stdout
    wrapped = CliRunner().invoke(main, ["sparql", query, "--width", "30", "--out", home])
    assert max(len(line) for line in wrapped.stdout.splitlines()) < len(long_value)
    assert "".join(wrapped.stdout.split()).count("".join(long_value.split())) == 1  # wrapped, nothing lost


def test_a_protocol_graph_the_dataset_lacks_is_a_400_naming_it(client: FlaskClient) -> None:
    answer = client.get("/sparql", query_string={"query": "ASK {}", "default-graph-uri": "http://example.org/g"})
    assert answer.status_code == 400
    assert answer.data.decode().strip() == ("graph <http://example.org/g> is not a graph of this dataset (remote "
                                            "graphs are never fetched)")
