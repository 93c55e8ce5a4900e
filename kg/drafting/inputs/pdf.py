"""PDF: words and their positions from pdfplumber; ruled tables by its line finder, unruled ones by column gaps.

A run of three or more lines in which words stand apart by wide gaps (several times the ordinary
space between words) is an unruled table; its columns are where the segments of its widest lines
start, and a line whose first column is empty continues the row above (a wrapped cell), as in
:mod:`kg.drafting.inputs.plain`. The rest is prose: lines in reading order, a paragraph ending where
the space between lines widens, hyphens at line ends joined, page numbers and running heads dropped.
"""

from __future__ import annotations

import io
import itertools
import re
import statistics
from collections import Counter
from dataclasses import dataclass
from typing import Any

from kg.curation.tabletext import TableSegment
from kg.drafting.inputs.limits import MAX_PDF_PAGES, Deadline, refuse
from kg.drafting.inputs.model import Block, InputDocument, compose
from kg.drafting.inputs.plain import _CAPTION, _table, decode_text, looks_like_a_list, read_plain
from kg.errors import ArticleError

__all__ = ["read_pdf"]


@dataclass
class _Line:
    top: float
    bottom: float
    words: list[dict[str, Any]]

    @property
    def text(self) -> str:
        return " ".join(str(w["text"]) for w in self.words)

    def segments(self, gap: float) -> list[tuple[float, str]]:
        out: list[tuple[float, list[str]]] = []
        last = None
        for w in self.words:
            if last is None or float(w["x0"]) - last > gap:
                out.append((float(w["x0"]), []))
            out[-1][1].append(str(w["text"]))
            last = float(w["x1"])
        return [(x, " ".join(t)) for x, t in out]


_LIGATURES = str.maketrans({"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl",
                            "\ufb05": "st", "\ufb06": "st", "\u00ad": ""})


def _lines(words: list[dict[str, Any]]) -> list[_Line]:
    """Words grouped into lines by vertical overlap (a raised citation number stays on its line), left to right."""
    lines: list[_Line] = []
    for w in sorted(words, key=lambda w: (float(w["top"]), float(w["x0"]))):
        w["text"] = str(w["text"]).translate(_LIGATURES)
        middle = (float(w["top"]) + float(w["bottom"])) / 2
        line = next((line for line in reversed(lines[-3:]) if line.top - 0.5 <= middle <= line.bottom + 0.5), None)
        if line is None:
            lines.append(_Line(float(w["top"]), float(w["bottom"]), [w]))
        else:
            line.words.append(w)
    for line in lines:
        line.words.sort(key=lambda w: float(w["x0"]))
    return lines


def _spans(line: _Line, join: float) -> list[tuple[float, float]]:
    """The stretches of a line that its words cover, words less than ``join`` apart taken as one stretch
    (or less than twice the line's own usual gap: a justified title's wide spaces are not a gutter)."""
    gaps = [float(b["x0"]) - float(a["x1"]) for a, b in itertools.pairwise(line.words)]
    join = max(join, 2 * statistics.median(gaps)) if gaps else join
    out: list[tuple[float, float]] = []
    for w in line.words:
        x0, x1 = float(w["x0"]), float(w["x1"])
        if out and x0 - out[-1][1] < join:
            out[-1] = (out[-1][0], max(out[-1][1], x1))
        else:
            out.append((x0, x1))
    return out


def _gutter(lines: list[_Line], width: float) -> tuple[float, float] | None:
    """The space between two text columns: x positions near the middle that few lines cross, with many
    lines beside them on each side (a column's lines end before it or start after it, whether or not the
    other column has a line at the same height); full-width lines, a title or an abstract, cross it."""
    if len(lines) < 10:
        return None
    lo, hi = int(width * 0.3), int(width * 0.7)
    covers: list[bytearray] = []
    ends: list[tuple[float, float]] = []  # per line: where its first stretch ends, where its last starts
    for line in lines:
        stretches = _spans(line, 12.0)
        cover = bytearray(hi - lo)
        for a, b in stretches:  # x is covered when a < x + 1 and x < b
            first, last = max(lo, int(a)), min(hi, int(b) + 1)
            for x in range(first, last):
                if a < x + 1 and x < b:
                    cover[x - lo] = 1
        covers.append(cover)
        ends.append((min(b for _, b in stretches), max(a for a, _ in stretches)))
    covered, beside = [0] * (hi - lo), [0] * (hi - lo)
    for i in range(hi - lo):
        x = lo + i
        free = [k for k, cover in enumerate(covers) if not cover[i]]
        covered[i] = len(lines) - len(free)
        left = sum(1 for k in free if ends[k][0] <= x)
        right = sum(1 for k in free if ends[k][1] >= x + 1)
        beside[i] = min(left, right)
    need = max(4, int(0.15 * len(lines)))
    candidates = [i for i in range(hi - lo) if beside[i] >= need and covered[i] <= 0.6 * (len(lines) - covered[i])]
    if not candidates:
        return None
    least = min(covered[i] for i in candidates)
    best = max((i for i in candidates if covered[i] == least), key=lambda i: beside[i])
    g0 = g1 = best
    while g0 > 0 and covered[g0 - 1] == least:
        g0 -= 1
    while g1 + 1 < len(covered) and covered[g1 + 1] == least:
        g1 += 1
    return (float(lo + g0), float(lo + g1 + 1)) if g1 - g0 >= 3 else None


def _reading_order(lines: list[_Line], width: float) -> list[_Line]:
    """Lines in reading order: on a two-column page the left column, then the right, between full-width lines."""
    gutter = _gutter(lines, width)
    if gutter is None:
        return lines
    g0, g1 = gutter
    gap = _gap(lines)
    wide = [len(line.segments(gap)) >= 3 for line in lines]  # a full-width table's rows: three or more cells
    in_table = {i for i in range(len(lines)) if sum(wide[max(0, i - 2):i + 3]) >= 3 and wide[i]}
    out: list[_Line] = []
    left: list[_Line] = []
    right: list[_Line] = []
    for i, line in enumerate(lines):
        if i in in_table or any(a < g1 and b > g0 for a, b in _spans(line, 12.0)):  # full width (a title)
            out += left + right + [line]
            left, right = [], []
            continue
        words_left = [w for w in line.words if float(w["x1"]) <= g0]
        words_right = [w for w in line.words if float(w["x0"]) >= g1]
        if words_left:
            left.append(_Line(line.top, line.bottom, words_left))
        if words_right:
            right.append(_Line(line.top, line.bottom, words_right))
    return out + left + right


def _gap(lines: list[_Line]) -> float:
    gaps = [float(b["x0"]) - float(a["x1"]) for line in lines for a, b in itertools.pairwise(line.words)]
    normal = statistics.median(gaps) if gaps else 3.0
    return max(8.0, 3.5 * normal)


def _table_runs(lines: list[_Line], gap: float) -> list[tuple[int, int]]:
    runs = []
    i = 0
    while i < len(lines):
        if len(lines[i].segments(gap)) < 2:
            i += 1
            continue
        first_x = lines[i].segments(gap)[0][0]
        j = i + 1
        while j < len(lines) and (len(lines[j].segments(gap)) >= 2 or lines[j].segments(gap)[0][0] > first_x + gap
                                  or _wrapped_row_header(lines, j, gap)):
            j += 1
        if j - i >= 3:
            runs.append((i, j))
        i = max(j, i + 1)
    return runs


def _wrapped_row_header(lines: list[_Line], j: int, gap: float) -> bool:
    """A short line of one segment between two table lines, continuing the row header above ("months")."""
    line = lines[j]
    step = line.top - lines[j - 1].top
    return (line.text[:1].islower() and float(line.words[-1]["x1"]) - float(line.words[0]["x0"]) < 200
            and 0 < step < 2.2 * max(1.0, lines[j - 1].bottom - lines[j - 1].top))


def _unruled(lines: list[_Line], gap: float, caption: str, where: str) -> TableSegment:
    widest = max(len(line.segments(gap)) for line in lines)
    starts = sorted({float(round(x)) for line in lines if len(line.segments(gap)) == widest
                     for x, _ in line.segments(gap)})
    columns: list[float] = []
    for x in starts:
        if not columns or x - columns[-1] > gap:
            columns.append(x)
    rows: list[list[str]] = []
    for line in lines:
        cells = [""] * len(columns)
        for x, text in line.segments(gap):
            k = max((i for i, c in enumerate(columns) if c <= x + gap), default=0)
            cells[k] = f"{cells[k]} {text}".strip()
        if rows and cells[0][:1].islower() and not any(cells[1:]):  # a row header wrapped below
            rows[-1][0] = f"{rows[-1][0]} {cells[0]}"
            continue
        rows.append(cells)
    return _table(["\t".join(r) for r in rows], 1, caption, where)


def _paragraphs(lines: list[_Line]) -> list[str]:
    if not lines:
        return []
    steps = [b.top - a.top for a, b in itertools.pairwise(lines) if 0 < b.top - a.top < 40]
    step = statistics.median(steps) if steps else 14.0
    paragraphs: list[str] = []
    current = ""
    for previous, line in zip([None, *lines], lines, strict=False):
        new = previous is None or line.top - previous.top > 1.35 * step or line.top < previous.top
        if new and current:
            paragraphs.append(current)
            current = ""
        text = line.text
        joined = current.endswith("-") and text[:1].islower()
        current = current[:-1] + text if joined else f"{current} {text}".strip()
    if current:
        paragraphs.append(current)
    return paragraphs


def _place_ruled(items: list[Block | _Line], table: Any, where: str) -> None:
    """A ruled table put where it stands: after the last line above it in its column, that line its caption
    if it is one."""
    # a word hyphenated at a line end inside a cell ("Pomalid-" / "omide") joined, as in prose
    cells = [[re.sub(r"(\w)-\n(?=[a-z])", r"\1", c or "") for c in row] for row in table.extract()]
    if len(cells) < 2:
        return
    left, top, right = float(table.bbox[0]), float(table.bbox[1]), float(table.bbox[2])

    def over(line: _Line) -> bool:  # in the table's column: on a two-column page, not the other column's line
        return float(line.words[0]["x0"]) < right and float(line.words[-1]["x1"]) > left

    above = [i for i, item in enumerate(items) if isinstance(item, _Line) and item.bottom <= top + 1 and over(item)]
    at = above[-1] + 1 if above else 0
    caption = ""
    for back in range(1, 4):  # a caption of up to three lines right above the table, in its column
        lines = [item for i in above[-back:] if isinstance(item := items[i], _Line)]
        first = lines[0] if len(lines) == back else None
        if first is not None and _CAPTION.match(first.text) and above[-back:] == list(range(at - back, at)) \
                and top - lines[-1].bottom < 40 and all(b.top - a.bottom < 8 for a, b in itertools.pairwise(lines)):
            caption = " ".join(line.text for line in lines)
            del items[at - back:at]
            at -= back
            break
    try:
        segment = _table(["\t".join(r) for r in cells], 1, caption, where)
    except ArticleError:
        return  # a grid without a header row (a form, a boxed list): its text is not a result table
    items.insert(at, Block(table=segment))


def _open(data: bytes, where: str) -> Any:
    import pdfplumber
    from pdfminer.pdfdocument import PDFPasswordIncorrect
    from pdfminer.pdfparser import PDFSyntaxError

    try:
        pdf = pdfplumber.open(io.BytesIO(data))
        pdf.pages  # noqa: B018  (parses the page tree: an encrypted or broken file fails here)
    except Exception as exc:
        cause = exc.__cause__ or exc.__context__ or exc
        if isinstance(exc, PDFPasswordIncorrect) or isinstance(cause, PDFPasswordIncorrect) or b"/Encrypt" in data:
            raise refuse(where, "an encrypted PDF (it needs a password): save an unprotected copy") from exc
        if isinstance(exc, PDFSyntaxError) or isinstance(cause, PDFSyntaxError) or "EOF" in str(exc):
            raise refuse(where, f"a damaged or truncated PDF: {exc}") from exc
        raise refuse(where, f"a PDF that cannot be read: {type(exc).__name__}: {exc}") from exc
    return pdf


def read_pdf(data: bytes, where: str, deadline: Deadline, backend: str = "pdfplumber") -> InputDocument:
    """The derived text of a PDF.

    :raises ArticleError: for an encrypted or damaged PDF, more than ``MAX_PDF_PAGES`` pages, no text
        (a scan), or the time bound spent.
    """
    if backend == "pypdf":
        return _read_pypdf(data, where, deadline)
    pdf = _open(data, where)
    with pdf:
        pages = len(pdf.pages)
        if pages > MAX_PDF_PAGES:
            raise refuse(where, f"the PDF has {pages} pages; the drafter reads at most {MAX_PDF_PAGES}", 413)
        per_page: list[list[Block | _Line]] = []
        for number, page in enumerate(pdf.pages, 1):
            deadline.check(f"page {number} of {pages}")
            items: list[Block | _Line] = []
            ruled = page.find_tables() if len(page.lines) + len(page.rects) >= 4 else []  # rules drawn: a grid
            boxes = [t.bbox for t in ruled]
            words = [w for w in page.extract_words(keep_blank_chars=False, use_text_flow=False)
                     if not any(b[0] <= w["x0"] and w["x1"] <= b[2] and b[1] <= w["top"] and w["bottom"] <= b[3]
                                for b in boxes)]
            lines = _reading_order(_lines(words), float(page.width))
            gap = _gap(lines)
            runs = _table_runs(lines, gap)
            at = 0
            for start, end in runs:
                prose = lines[at:start]
                caption = prose.pop().text if prose and _CAPTION.match(prose[-1].text) else ""
                try:  # lines that only look aligned (a numbered list, references) stay prose
                    table = _unruled(lines[start:end], gap, caption, f"{where}: page {number}")
                except ArticleError:
                    table = None
                if table is None or looks_like_a_list(table):
                    items += lines[at:end]
                else:
                    items += [*prose, Block(table=table)]
                at = end
            items += lines[at:]
            for table in ruled:
                _place_ruled(items, table, f"{where}: page {number}")
            per_page.append(items)
    running = Counter(i.text for items in per_page for i in items[:1] + items[-1:] if isinstance(i, _Line))
    blocks: list[Block] = []
    pending: list[_Line] = []
    for items in per_page:
        for item in items:
            if isinstance(item, _Line):
                if re.fullmatch(r"\d{1,4}|page \d+( of \d+)?", item.text, re.IGNORECASE) or (
                        len(per_page) > 2 and running[item.text] > len(per_page) / 2):
                    continue
                pending.append(item)
            else:
                blocks += [Block(p) for p in _paragraphs(pending)]
                pending = []
                blocks.append(item)
        blocks += [Block(p) for p in _paragraphs(pending)]
        pending = []
    if not any(b.text for b in blocks) and not any(b.table for b in blocks):
        raise refuse(where, "the PDF holds no text (a scanned image?): the drafter does not read images")
    return _joined(compose("pdf", blocks))


def _joined(doc: InputDocument) -> InputDocument:
    """A paragraph broken by a page end (it ends without a full stop, the next begins in lower case) joined."""
    parts = doc.text.split("\n\n")
    out: list[str] = []
    for part in parts:
        if out and not out[-1].startswith("[") and not part.startswith("[") and part[:1].islower() \
                and not re.search(r"[.!?:]$", out[-1]):
            out[-1] = f"{out[-1]}\n{part}"
        else:
            out.append(part)
    return InputDocument(doc.format, "\n\n".join(out), doc.tables)


def _read_pypdf(data: bytes, where: str, deadline: Deadline) -> InputDocument:
    """The candidate measured against pdfplumber: pypdf's layout text, read as aligned plain text."""
    import pypdf

    reader = pypdf.PdfReader(io.BytesIO(data))
    if reader.is_encrypted:
        raise refuse(where, "an encrypted PDF (it needs a password): save an unprotected copy")
    texts = []
    for number, page in enumerate(reader.pages, 1):
        deadline.check(f"page {number}")
        texts.append(page.extract_text(extraction_mode="layout"))
    return read_plain(decode_text("\n\n".join(texts).encode("utf-8"), where), where)
