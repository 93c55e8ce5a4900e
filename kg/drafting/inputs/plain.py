"""Plain text: UTF-8 (or UTF-16 with its byte-order mark), tab- or space-aligned tables set apart as tables.

A run of three or more lines that each split into the same number (two or more) of cells, on tabs or
on gaps of two or more spaces, is a table; its first line is the header row, the first cell of each
line its row header. A line whose first cell is empty continues the row above (a cell wrapped over
lines, as text pasted from a PDF often is), and so does a line of one lower-case cell (a row header
wrapped onto a line of its own: "Discontinuation because of" then "adverse events, %"). A line
"Table 2. Caption" right above is the caption. A text that is already a derived text (with table
blocks) is read back as it is.
"""

from __future__ import annotations

import re

from kg.curation.tabletext import TableSegment, split_tables
from kg.drafting.inputs.limits import MAX_TEXT_BYTES, refuse
from kg.drafting.inputs.model import Block, InputDocument, compose
from kg.errors import ArticleError

__all__ = ["decode_text", "looks_like_a_list", "read_plain"]

_CAPTION = re.compile(r"^(?:Table|Tab\.)\s*\d+[.:]?\s+\S", re.IGNORECASE)
_FIGURE_CELL = re.compile(r"^[\s\d.,·%()\[\]<>=–—−+-]*$|^(?:NR|NE|NA|n/?a|—|-)$", re.IGNORECASE)


def decode_text(data: bytes, where: str) -> str:
    """The text of ``data``: UTF-8 (a byte-order mark dropped) or UTF-16 with its byte-order mark.

    :raises ArticleError: naming the first byte that is not UTF-8, with its offset.
    """
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise refuse(where, f"not UTF-16 text (invalid bytes at offset {exc.start})") from exc
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise refuse(where, f"not UTF-8 text (invalid byte 0x{data[exc.start]:02x} at offset {exc.start}); "
                            "save it as UTF-8 plain text") from exc


def _cells(line: str) -> list[str]:
    if "\t" in line:
        return [c.strip() for c in line.rstrip().split("\t")]
    return [c.strip() for c in re.split(r" {2,}", line.strip())]


def _is_figure(cell: str) -> bool:
    return bool(cell) and _FIGURE_CELL.match(cell) is not None


def _table(lines: list[str], first_line: int, caption: str, where: str) -> TableSegment:
    rows = [_cells(line) for line in lines]
    header, body = rows[0], list[list[str]]()
    if sum(_is_figure(c) for c in header[1:]) > len(header[1:]) / 2:
        raise refuse(f"{where}:{first_line}", f"a table (lines {first_line}-{first_line + len(lines) - 1}) "
                                              f"has no header row: its first row holds figures ({' | '.join(header)}); "
                                              "add a line of column headers above it")
    for cells in rows[1:]:
        if body and len(cells) == 1 and cells[0][:1].islower():  # a row header wrapped onto a line of its own
            body[-1][0] = f"{body[-1][0]} {cells[0]}".strip()
            continue
        target = body[-1] if body else (header if not any(_is_figure(c) for c in cells) else None)
        if cells and cells[0] == "" and target is not None:  # continues the row above
            for k, cell in enumerate(cells):
                if cell and k < len(target):
                    target[k] = f"{target[k]} {cell}".strip()
                elif cell:
                    target.append(cell)
            continue
        body.append(cells)
    return TableSegment.of(0, caption, header, body)


def _tabbed(line: str) -> bool:
    return "\t" in line.strip("\t ")


def _starts(line: str) -> set[int]:
    """Where the cells of a space-aligned line begin (after a gap of two or more spaces)."""
    return {m.end() for m in re.finditer(r"\S {2,}(?=\S)", line)}


def _aligned_with(line: str, header: str) -> bool:
    """Whether a space-aligned line has a cell starting where one of the header's does (give or take one)."""
    theirs = _starts(header)
    return any(abs(a - b) <= 1 for a in _starts(line) for b in theirs)


def looks_like_a_list(table: TableSegment) -> bool:
    """Two columns whose second holds running text: a numbered list or references, not a table."""
    if table.width != 2 or not table.rows:
        return False
    return sum(len(r[1]) for r in table.rows) / len(table.rows) > 40


def _group_label(lines: list[str], j: int) -> bool:
    """A short line without tabs between tabbed lines: a label over the rows below it ("Safety")."""
    return 0 < len(lines[j].strip()) <= 80 and j + 1 < len(lines) and _tabbed(lines[j + 1])


def _wrapped_header(line: str) -> bool:
    """A line of one lower-case cell: a row header wrapped onto a line of its own ("  adverse events, %")."""
    return not _starts(line) and line.strip()[:1].islower() and len(line.strip()) <= 80


def _runs(lines: list[str]) -> list[tuple[int, int, bool]]:
    """(first, end, tabbed) of every run of lines that looks like a table."""
    runs: list[tuple[int, int, bool]] = []
    i = 0
    while i < len(lines):
        j = i + 1
        if _tabbed(lines[i]):
            while j < len(lines) and (_tabbed(lines[j]) or (lines[j].startswith("\t") and lines[j].strip())
                                      or _group_label(lines, j)):
                j += 1
            if j - i >= 2:
                runs.append((i, j, True))
                i = j
                continue
        elif _starts(lines[i]):
            while j < len(lines) and lines[j].strip() and (_aligned_with(lines[j], lines[i]) or (
                    _wrapped_header(lines[j]) and j + 1 < len(lines) and _aligned_with(lines[j + 1], lines[i]))):
                j += 1
            if j - i >= 3:
                runs.append((i, j, False))
                i = j
                continue
        i += 1
    return runs


def read_plain(text: str, where: str) -> InputDocument:
    """Paragraphs and aligned tables of a plain text.

    :raises ArticleError: if the text is too large, or a tab-separated table has no header row (a
        space-aligned run that does not read as a table stays prose).
    """
    size = len(text.encode("utf-8"))
    if size > MAX_TEXT_BYTES:
        raise refuse(where, f"the text is {size:,} bytes; the drafter reads at most {MAX_TEXT_BYTES:,}", 413)
    if split_tables(text)[1]:  # a derived text read back
        return InputDocument("text", text, split_tables(text)[1])
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    runs: list[tuple[int, int, TableSegment]] = []
    for first, end, tabbed in _runs(lines):
        try:
            table = _table(lines[first:end], first + 1, "", where)
        except ArticleError:
            if tabbed:
                raise
            continue
        if tabbed or not looks_like_a_list(table):
            runs.append((first, end, table))
    if not runs:
        return InputDocument("text", text)
    blocks: list[Block] = []
    paragraph: list[str] = []
    at = 0

    def flush() -> None:
        if paragraph:
            blocks.append(Block(" ".join(paragraph)))
            paragraph.clear()

    for start, end, table in runs:
        caption = ""
        prose = lines[at:start]
        while prose and not prose[-1].strip():
            prose.pop()
        if prose and _CAPTION.match(prose[-1].strip()):
            caption = prose.pop().strip()
        for line in prose:
            if line.strip():
                paragraph.append(line.strip())
            else:
                flush()
        flush()
        blocks.append(Block(table=TableSegment.of(0, caption, list(table.columns), [list(r) for r in table.rows])))
        at = end
    for line in lines[at:]:
        if line.strip():
            paragraph.append(line.strip())
        else:
            flush()
    flush()
    return compose("text", blocks)
