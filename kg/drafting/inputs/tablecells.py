"""Tables given as rows of cells with spans (JATS ``<table>``, HTML ``<table>``) to a :class:`TableSegment`."""

from __future__ import annotations

from collections.abc import Callable

from lxml import etree

from kg.curation.tabletext import TableSegment
from kg.drafting.inputs.limits import refuse
from kg.drafting.inputs.xmlsafe import local

__all__ = ["grid_table"]


def _span(cell: etree._Element, name: str) -> int:
    try:
        return max(1, min(50, int(str(cell.get(name, "1")))))
    except ValueError:
        return 1


def _grid(rows: list[etree._Element], text: Callable[[etree._Element], str], head: int) -> list[list[str]]:
    """The rows as a rectangular grid, a spanning cell's text in each position it covers; except that a
    body cell spanning columns (a hazard ratio under both arms' columns, a group label "Efficacy" across
    the table) is written once, in the first column it covers: one figure is not one per column, and a
    label stays a label over the rows below."""
    grid: list[list[str]] = []
    pending: dict[tuple[int, int], str] = {}
    for r, row in enumerate(rows):
        out: list[str] = []
        c = 0
        for cell in (x for x in row if local(x) in ("td", "th")):
            while (r, c) in pending:
                out.append(pending.pop((r, c)))
                c += 1
            value = text(cell)
            for dr in range(_span(cell, "rowspan")):
                for dc in range(_span(cell, "colspan")):
                    shown = value if dc == 0 or r < head else ""
                    if dr == 0:
                        out.append(shown)
                    else:
                        pending[(r + dr, c + dc)] = shown
            c += _span(cell, "colspan")
        while (r, c) in pending:
            out.append(pending.pop((r, c)))
            c += 1
        grid.append(out)
    return grid


def grid_table(table: etree._Element, caption: str, where: str,
               text: Callable[[etree._Element], str]) -> TableSegment:
    """A table element (rows in ``thead``/``tbody`` or directly) as a segment; header rows are merged into one.

    :raises ArticleError: if the table has no header row (no ``thead``, no ``th`` row, and a first row
        of figures).
    """
    rows = [r for r in table.iter() if local(r) == "tr"]
    head = [r for r in rows if r.getparent() is not None and local(r.getparent()) == "thead"]
    if not head:
        head = []
        for r in rows:
            cells = [x for x in r if local(x) in ("td", "th")]
            if cells and all(local(x) == "th" for x in cells):
                head.append(r)
            else:
                break
    body = [r for r in rows if r not in head]
    grid = _grid(head + body, text, len(head))
    width = max((len(r) for r in grid), default=0)
    if not head:
        first = grid[0] if grid else []
        figures = sum(1 for c in first[1:] if c and any(ch.isdigit() for ch in c) and len(c) < 20)
        if not first or figures > len(first[1:]) / 2:
            label = caption or "a table"
            raise refuse(where, f"{label[:80]}: the table has no header row (no thead or th cells, and its "
                                "first row holds figures)")
        head = body[:1]
    header_rows = grid[:len(head)]
    columns = []
    for k in range(width):
        words: list[str] = []
        for row in header_rows:
            cell = row[k] if k < len(row) else ""
            if cell and (not words or words[-1] != cell):
                words.append(cell)
        columns.append(" ".join(words))
    return TableSegment.of(0, caption, columns, grid[len(head):])
