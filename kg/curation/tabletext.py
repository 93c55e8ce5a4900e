"""Tables inside a stored source text: one block per table, read back as a :class:`TableSegment`.

An article read from a PDF, XML or web page (``kg.drafting.inputs``) is stored as its derived plain
text, each table written in place as a block of tab-separated lines between two marker lines::

    [Table 2: Efficacy in the intention-to-treat population]
    Outcome<TAB>Isatuximab (n = 310)<TAB>Lenalidomide (n = 305)<TAB>HR (95% CI)
    Median PFS, months<TAB>52.1<TAB>38.4<TAB>0.64 (0.51-0.80)
    [End of table 2]

The first line after the marker holds the column headers, the first cell of every line is its row
header. Table blocks are not paragraphs: ``pN`` counts only the prose around them, ``tN`` the tables
in order. A cell is addressed ``tN.rM.cK`` (row M counted from 1 below the header row, ``r0`` being
the header row; column K from 1, ``c1`` being the row headers), a run of cells of one row
``tN.rM.cK-L`` and a whole row ``tN.rM``.

>>> text = "Before.\\n\\n[Table 1: Doses]\\nArm\\tDose\\nLen\\t10 mg\\n[End of table 1]\\n\\nAfter."
>>> prose, tables = split_tables(text)
>>> tables[0].cell(1, 2), tables[0].columns
('10 mg', ('Arm', 'Dose'))
>>> split_tables(tables[0].render())[1] == tables
True
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["TableSegment", "clean_cell", "split_tables"]

_START = re.compile(r"^\[Table (?P<n>[1-9]\d*)(?::[ \t]*(?P<caption>[^\n]*))?\][ \t]*$")
_END = re.compile(r"^\[End of table (?P<n>[1-9]\d*)\][ \t]*$")


def clean_cell(text: str) -> str:
    """A cell's text on one line: white space (tabs and line breaks included) collapsed to single spaces."""
    return " ".join(text.split())


@dataclass(frozen=True)
class TableSegment:
    """A table: caption, column headers, and body rows whose first cell is the row header."""

    number: int
    caption: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]

    @classmethod
    def of(cls, number: int, caption: str, columns: list[str], rows: list[list[str]]) -> TableSegment:
        """A table with cleaned cells, every row padded to the widest."""
        width = max([len(columns), *(len(r) for r in rows)])

        def pad(cells: list[str]) -> tuple[str, ...]:
            return tuple(clean_cell(c) for c in cells) + ("",) * (width - len(cells))

        return cls(number, clean_cell(caption), pad(columns), tuple(pad(r) for r in rows))

    @property
    def width(self) -> int:
        return len(self.columns)

    def cell(self, row: int, column: int) -> str:
        """Cell (row, column), 1-based; row 0 is the header row.

        :raises IndexError: naming the table, row or column that does not exist.
        """
        if not 0 <= row <= len(self.rows):
            raise IndexError(f"row {row} of table {self.number} does not exist (it has {len(self.rows)})")
        if not 1 <= column <= self.width:
            raise IndexError(f"column {column} of table {self.number} does not exist (it has {self.width})")
        return (self.columns if row == 0 else self.rows[row - 1])[column - 1]

    def in_context(self, row: int, first: int, last: int) -> str:
        """Cells ``first``-``last`` of a row with their row header and column headers, as a figure there is read."""
        parts = [f"{self.columns[c - 1]}: {self.cell(row, c)}" if row and c > 1 else self.cell(row, c)
                 for c in range(first, last + 1)]
        head = self.cell(row, 1) if row and first > 1 else ""
        return " | ".join(p for p in (head, *parts) if p)

    def render(self) -> str:
        """The block as stored in a source text."""
        caption = f": {self.caption}" if self.caption else ""
        lines = [f"[Table {self.number}{caption}]", "\t".join(self.columns)]
        lines += ["\t".join(r) for r in self.rows]
        lines.append(f"[End of table {self.number}]")
        return "\n".join(lines)


def split_tables(text: str) -> tuple[str, tuple[TableSegment, ...]]:
    """The text with every table block replaced by a blank line, and the tables in order.

    A marker line without its end marker is left as prose (it is then a sentence like any other).
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    out: list[str] = []
    tables: list[TableSegment] = []
    i = 0
    while i < len(lines):
        start = _START.match(lines[i])
        end_at = next((j for j in range(i + 1, len(lines)) if _END.match(lines[j]) or _START.match(lines[j])), None)
        if start is None or end_at is None or not _END.match(lines[end_at]) or end_at == i + 1:
            out.append(lines[i])
            i += 1
            continue
        body = [line.split("\t") for line in lines[i + 1:end_at]]
        tables.append(TableSegment.of(len(tables) + 1, start["caption"] or "", body[0], body[1:]))
        out += ["", ""]
        i = end_at + 1
    return "\n".join(out), tuple(tables)
