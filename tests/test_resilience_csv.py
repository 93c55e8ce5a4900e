"""SPARQL and saved-query CSV and TSV are safe to open in a spreadsheet, and numbers stay numbers.

A crafted link (``/sparql?query=SELECT ("=HYPERLINK(…)" AS ?x) {}&format=csv``) must not hand a formula to
whoever opens the download: text cells that start with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return get a leading apostrophe in CSV, and their first character escaped in the W3C TSV (which
spreadsheets read with the quotes stripped); numeric literals stay bare so R and pandas read them as numbers.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pyoxigraph as ox
import pytest
from flask.testing import FlaskClient

from kg.query.catalogue import Catalogue, load_catalogue
from kg.query.protocol.native import serialised_query
from kg.query.results import csv_cell, serialise, spreadsheet_safe, tsv_cell
from kg.query.store import Store
from web.settings import Settings

from .conftest import AppFactory

XSD = "http://www.w3.org/2001/XMLSchema#"
HOSTILE = ['=HYPERLINK("http://example.org/x","click")', "+1+2", "-2+3", "@SUM(A1:A9)", "\tx", "\r=1", "=1,2"]
QUERY = ("SELECT ?text ?number WHERE { VALUES (?text ?number) { "
         + " ".join(f'("{t}" {n})' for t, n in zip(
             [t.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t").replace("\r", "\\r") for t in HOSTILE],
             ["-0.94", "+1.5", "2", f'"-INF"^^<{XSD}double>', "1.5e-3", "-7", f'"0.25"^^<{XSD}decimal>'],
             strict=True))
         + ' ("-0.5" 3) ("lenalidomide" 4) } }')


@pytest.fixture(scope="module")
def empty() -> Store:
    """Any small store: the queries bring their own values."""
    return Store.from_file(Path(__file__).parent / "data" / "obo-fixture.ttl")


def _formula_leading(cell: str) -> bool:
    return cell.startswith(("=", "+", "-", "@", "\t", "\r"))


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _check_csv(body: bytes) -> None:
    rows = list(csv.reader(io.StringIO(body.decode(), newline="")))
    assert rows[0] == ["text", "number"]
    texts = [r[0] for r in rows[1:]]
    for cell in texts:
        assert not _formula_leading(cell) or _is_number(cell), cell
    assert texts[:len(HOSTILE)] == ["'" + t for t in HOSTILE]  # nothing lost: the apostrophe and the text
    assert texts[len(HOSTILE):] == ["-0.5", "lenalidomide"]  # a number written as text is harmless: kept
    import pandas as pd  # here, not at module level: its import is paid only by the worker that runs this

    frame = pd.read_csv(io.BytesIO(body))
    assert pd.api.types.is_numeric_dtype(frame["number"]), frame.dtypes
    assert frame["number"].iloc[0] == -0.94 and frame["number"].iloc[3] == float("-inf")


def _check_tsv(body: bytes) -> None:
    lines = body.decode().splitlines()
    assert lines[0] == "?text\t?number"
    for line in lines[1:]:
        text, number = line.split("\t")
        # what a spreadsheet sees with the quotes stripped
        assert not _formula_leading(text.strip('"')) or _is_number(text.strip('"')), text
        assert not _formula_leading(number) or _is_number(number) or number.startswith('"-INF"'), number
    # every conforming SPARQL TSV parser reads the same literals back
    parsed = ox.parse_query_results(body, format=ox.QueryResultsFormat.TSV)
    assert isinstance(parsed, ox.QuerySolutions)
    solutions = list(parsed)
    assert [s["text"].value for s in solutions] == [*HOSTILE, "-0.5", "lenalidomide"]
    assert solutions[0]["number"] == ox.Literal("-0.94", datatype=ox.NamedNode(XSD + "decimal"))


@pytest.mark.parametrize("fmt, check", [("csv", _check_csv), ("tsv", _check_tsv)])
def test_sparql_downloads_neutralise_formulas_and_keep_numbers(empty: Store, fmt: str, check: object,
                                                              make_app: AppFactory) -> None:
    client = make_app(store=empty, catalogue=Catalogue({}), warm=False).test_client()
    response = client.get("/sparql", query_string={"query": QUERY, "format": fmt})
    assert response.status_code == 200
    check(response.data)  # type: ignore[operator]


@pytest.mark.parametrize("media, check", [("text/csv", _check_csv), ("text/tab-separated-values", _check_tsv)])
def test_both_writers_agree(empty: Store, media: str, check: object) -> None:
    """The engine's writer (native) and the Python one (row-capped answers, remote stores) give the same."""
    native = serialised_query(empty, QUERY, media, None, limit=100, max_bytes=2**20).body
    python = serialise(empty.query(QUERY), media).body
    check(native)  # type: ignore[operator]
    check(python)  # type: ignore[operator]
    capped = serialised_query(empty, QUERY, media, None, limit=3, max_bytes=2**20)  # the Python path
    first = capped.body.splitlines()[1]
    assert capped.truncated and first.split(b"\t")[0].split(b",")[0] == native.splitlines()[1].split(b"\t")[0].split(
        b",")[0]


def test_the_crafted_hyperlink_of_the_issue(empty: Store, make_app: AppFactory) -> None:
    client = make_app(store=empty, catalogue=Catalogue({}), warm=False).test_client()
    query = 'SELECT ("=HYPERLINK(\\"http://example.org/\\",\\"open\\")" AS ?x) {}'
    body = client.get("/sparql", query_string={"query": query, "format": "csv"}).data.decode()
    assert body == "x\r\n\"'=HYPERLINK(\"\"http://example.org/\"\",\"\"open\"\")\"\r\n"


def test_cells_one_by_one() -> None:
    assert csv_cell("=1+1") == "'=1+1" and csv_cell("-0.94") == "-0.94" and csv_cell("-INF") == "-INF"
    assert csv_cell("-") == "'-" and csv_cell("a=b") == "a=b" and csv_cell("") == ""
    assert tsv_cell('"=1+1"') == '"\\u003D1+1"' and tsv_cell('"-0.94"') == '"-0.94"'
    assert tsv_cell('"@x"@en') == '"\\u0040x"@en' and tsv_cell("-5") == "-5" and tsv_cell("<http://x/=>") == "<http://x/=>"
    assert tsv_cell('"+a\\"b"^^<http://example.org/t>') == '"\\u002Ba\\"b"^^<http://example.org/t>'
    plain = b"x,n\r\nlenalidomide,2\r\n"
    assert spreadsheet_safe(plain, "text/csv") is plain  # nothing to do: the same bytes, not a copy
    assert spreadsheet_safe(b'{"x": "=1"}', "application/sparql-results+json") == b'{"x": "=1"}'


def test_saved_query_downloads_are_neutralised_too(tmp_path: Path, empty: Store, make_app: AppFactory) -> None:
    header = "#+ title: Hostile cells\n#+ description: Cells that start like formulas.\n"
    (tmp_path / "hostile.rq").write_text(header + QUERY + "\n", encoding="utf-8")
    app = make_app(Settings(), store=empty, catalogue=load_catalogue(tmp_path), warm=False)
    client: FlaskClient = app.test_client()
    body = client.get("/queries/hostile.csv").data
    import pandas as pd

    frame = pd.read_csv(io.BytesIO(body))
    assert list(frame["text"][:len(HOSTILE)]) == ["'" + t for t in HOSTILE]
    assert pd.api.types.is_numeric_dtype(frame["number"])
    tsv = client.get("/queries/hostile.tsv").data.decode()
    rows = list(csv.reader(io.StringIO(tsv, newline=""), delimiter="\t"))
    assert [row[0] for row in rows[1:6]] == ["'" + t for t in HOSTILE[:5]]  # (a bare CR splits a row of this TSV)
