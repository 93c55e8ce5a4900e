"""Plain text: UTF-8 (or UTF-16 with its byte-order mark), tab- or space-aligned tables set apart as tables.

A run of three or more lines that each split into the same number (two or more) of cells, on tabs or
on gaps of two or more spaces, is a table; its first line is the header row, the first cell of each
line its row header. A line whose first cell is empty continues the row above (a cell wrapped over
lines, as text pasted from a PDF often is). A line "Table 2. Caption" right above is the caption. A
text that is already a derived text (with table blocks) is read back as it is.
"""

from __future__ import annotations

import re

from kg.curation.tabletext import TableSegment, split_tables
from kg.drafting.inputs.limits import MAX_TEXT_BYTES, refuse
from kg.drafting.inputs.model import Block, InputDocument, compose

__all__ = ["decode_text", "read_plain"]

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


def _aligned(line: str) -> int:
    """How many cells a line splits into on tabs or wide gaps (0 when it is prose)."""
    if "\t" in line.strip("\t ") or re.search(r"\S {2,}\S", line.strip()):
        return len(_cells(line))
    return 0


def read_plain(text: str, where: str) -> InputDocument:
    """Paragraphs and aligned tables of a plain text.

    :raises ArticleError: if the text is too large, or a table has no header row.
    """
    size = len(text.encode("utf-8"))
    if size > MAX_TEXT_BYTES:
        raise refuse(where, f"the text is {size:,} bytes; the drafter reads at most {MAX_TEXT_BYTES:,}", 413)
    if split_tables(text)[1]:  # a derived text read back
        return InputDocument("text", text, split_tables(text)[1])
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    runs: list[tuple[int, int]] = []
    i = 0
    while i < len(lines):
        width = _aligned(lines[i])
        j = i + 1
        while width >= 2 and j < len(lines) and (_aligned(lines[j]) >= 2 or
                                                 (lines[j].startswith(("\t", "  ")) and lines[j].strip())):
            j += 1
        if width >= 2 and j - i >= 3:
            runs.append((i, j))
            i = j
        else:
            i += 1
    if not runs:
        return InputDocument("text", text)
    blocks: list[Block] = []
    paragraph: list[str] = []
    at = 0

    def flush() -> None:
        if paragraph:
            blocks.append(Block(" ".join(paragraph)))
            paragraph.clear()

    for start, end in runs:
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
        blocks.append(Block(table=_table(lines[start:end], start + 1, caption, where)))
        at = end
    for line in lines[at:]:
        if line.strip():
            paragraph.append(line.strip())
        else:
            flush()
    flush()
    return compose("text", blocks)
