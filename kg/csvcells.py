"""Spreadsheet-safe CSV and TSV cells (OWASP's CSV-injection guidance), for every table the project writes.

A text cell that a spreadsheet would read as a formula (it starts with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return) gets a leading apostrophe; a cell that is a number stays as it is, so R and pandas still read
numeric columns as numbers.

>>> print(neutralise('=HYPERLINK("http://x")'))
'=HYPERLINK("http://x")
>>> neutralise("-0.94"), neutralise("+1.5e-3"), neutralise("-")
('-0.94', '+1.5e-3', "'-")
>>> neutralise("@SUM(A1)"), neutralise("lenalidomide"), neutralise("")
("'@SUM(A1)", 'lenalidomide', '')
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["FORMULA_LEADS", "neutralise", "neutralise_row"]

FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def neutralise(cell: str) -> str:
    """The cell as a spreadsheet shows it as text: formula-leading text gets a leading apostrophe."""
    if cell.startswith(FORMULA_LEADS) and not _NUMBER.fullmatch(cell):
        return "'" + cell
    return cell


def neutralise_row(row: Iterable[object]) -> list[object]:
    """Each text cell of a row neutralised; numbers, ``None`` and other values left as they are."""
    return [neutralise(cell) if isinstance(cell, str) else cell for cell in row]
