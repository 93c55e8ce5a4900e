"""``kg.query.store.collect``: a pyoxigraph answer as rows, read positionally, with its row cap and byte budget."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from kg.errors import ResultTooLarge
from kg.query.store import collect

QUERY = ("SELECT ?s ?missing ?o WHERE { ?s <http://example.org/p> ?o "
         "OPTIONAL { ?s <http://example.org/none> ?missing } } ORDER BY ?o")


@pytest.fixture()
def engine() -> ox.Store:
    store = ox.Store()
    for i in range(3):
        store.add(ox.Quad(ox.NamedNode(f"http://example.org/s{i}"), ox.NamedNode("http://example.org/p"),
                          ox.Literal(f"value {i}")))
    return store


def test_rows_hold_bound_values_by_name_in_the_answers_order(engine: ox.Store) -> None:
    got = collect(engine.query(QUERY))
    assert got.kind == "select" and got.variables == ["s", "missing", "o"] and not got.truncated
    assert [list(row) for row in got.rows] == [["s", "o"]] * 3  # an unbound value is left out
    assert [(row["s"].value, row["o"].value) for row in got.rows] == [
        (f"http://example.org/s{i}", f"value {i}") for i in range(3)]


def test_the_row_cap_and_the_byte_budget(engine: ox.Store) -> None:
    cut = collect(engine.query(QUERY), limit=2)
    assert cut.truncated and len(cut.rows) == 2
    assert collect(engine.query(QUERY), max_bytes=10_000).rows == collect(engine.query(QUERY)).rows
    with pytest.raises(ResultTooLarge, match="larger than"):
        collect(engine.query(QUERY), max_bytes=60)  # each row is ~45 bytes: the second one is over
