"""Pages of the evidence map and of the summary of findings, so a page stays small on a grown graph.

The map pages by rows (regimens, :data:`ROWS_PER_PAGE` a page) and shows at most
:data:`CELL_PREVIEW` results a cell, the cell's other results behind a link to the cell itself
(``regimen`` and ``outcome`` chosen), whose results page :data:`RESULTS_PER_PAGE` at a time. The
summary of findings pages by comparison (:data:`TABLES_PER_PAGE` tables a page), each row showing its
first :data:`ROW_PREVIEW` estimates, the rest in the map's cell for the regimen and outcome (paged
there) and in the twins. A page's size is
so bounded by counts, whatever the graph's: rows × columns × previews, or one cell's page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypeVar

from kg.evidence.grid import Column, EvidenceMap, Result, Row
from kg.evidence.sof import SofTable

__all__ = [
    "CELL_PREVIEW",
    "RESULTS_PER_PAGE",
    "ROWS_PER_PAGE",
    "TABLES_PER_PAGE",
    "MapPage",
    "PageError",
    "page_map",
    "page_of",
    "page_tables",
    "pages_for",
]

ROWS_PER_PAGE = 20
CELL_PREVIEW = 3
RESULTS_PER_PAGE = 40
TABLES_PER_PAGE = 10
ROW_PREVIEW = 5
"""Estimates (and participants, comments, sources) a summary-of-findings row shows; the rest behind a link."""
T = TypeVar("T")


class PageError(ValueError):
    """A page past the last one (the message names it and the last page)."""


def pages_for(count: int, size: int) -> int:
    """How many pages ``count`` items take, ``size`` a page (one page for none)."""
    return max(1, -(-count // size))


def page_of(items: list[T], page: int, size: int) -> list[T]:
    """The items of page ``page`` (from 1); :class:`PageError` past the last page."""
    last = pages_for(len(items), size)
    if page < 1 or page > last:
        raise PageError(f"page {page} is not between 1 and the last page, {last}")
    return items[(page - 1) * size:page * size]


@dataclass
class MapPage:
    """The part of a map one page shows; ``totals`` counts each shown cell's results in the whole map."""

    evidence: EvidenceMap
    columns: list[Column]
    rows: list[Row]
    page: int
    pages: int
    regimen: str | None = None
    outcome: str | None = None
    totals: dict[tuple[str, str], int] = field(default_factory=dict)
    preview: int = CELL_PREVIEW

    @property
    def cell(self) -> bool:
        """Whether this is one cell's page (regimen and outcome chosen)."""
        return self.regimen is not None and self.outcome is not None

    def hidden(self, regimen: str, outcome: str) -> int:
        """How many of a cell's results this page does not show."""
        row = next((r for r in self.rows if r.regimen.iri == regimen), None)
        shown = len(row.cells.get(outcome, [])) if row is not None else 0
        return self.totals.get((regimen, outcome), 0) - shown


def page_map(evidence: EvidenceMap, page: int = 1, regimen: str | None = None,
             outcome: str | None = None) -> MapPage:
    """Page ``page`` of the map, narrowed to one regimen's row and/or one outcome's column when given.

    With both (one cell) the cell's results are paged; otherwise the rows are, each cell previewed.
    """
    rows = [r for r in evidence.rows if regimen is None or r.regimen.iri == regimen]
    columns = [c for c in evidence.columns if outcome is None or c.key == outcome]
    keys = [c.key for c in columns]
    if regimen is not None and outcome is not None:
        results: list[Result] = rows[0].cells.get(outcome, []) if rows else []
        shown = page_of(results, page, RESULTS_PER_PAGE)
        cell_rows = [Row(rows[0].regimen, {outcome: shown} if shown else {})] if rows else []
        return MapPage(evidence, columns, cell_rows, page, pages_for(len(results), RESULTS_PER_PAGE), regimen,
                       outcome, {(regimen, outcome): len(results)})
    rows = [r for r in rows if any(r.cells.get(k) for k in keys)]
    shown_rows = page_of(rows, page, ROWS_PER_PAGE)
    totals = {(r.regimen.iri, k): len(r.cells[k]) for r in shown_rows for k in keys if k in r.cells}
    trimmed = [Row(r.regimen, {k: r.cells[k][:CELL_PREVIEW] for k in keys if k in r.cells}) for r in shown_rows]
    return MapPage(evidence, columns, trimmed, page, pages_for(len(rows), ROWS_PER_PAGE), regimen, outcome, totals)


def page_tables(tables: list[SofTable], page: int) -> tuple[list[SofTable], int]:
    """Page ``page`` of the summary-of-findings tables and the number of pages."""
    return page_of(tables, page, TABLES_PER_PAGE), pages_for(len(tables), TABLES_PER_PAGE)
