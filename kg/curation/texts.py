"""Source texts: how paragraphs and sentences are counted, and which numbers a sentence states.

A fact's locator ``pN.sM`` (or ``pN.sM-K``) points at paragraph N, sentence M (to K) of its source
document, both 1-based, counted by the rules below. The rules are deliberately simple so a curator
can count by eye:

* Line ends are normalised and page debris ("Continue Reading", "Related Articles", ...) is
  removed, once, when the text is read (:mod:`kg.curation.cleaning`; ``SourceText.removed`` records it).
* A text in which every non-empty line is followed by an empty line *and* whose lines are hard-wrapped
  (a line often runs on into the next: source 002; 90% and 30% of lines suffice) first has those spacer
  lines removed. A text of whole-paragraph lines with a blank line between them keeps its paragraphs.
* Paragraphs are runs of lines separated by lines that are empty or hold only white space; a text
  with no empty line at all whose lines are not hard-wrapped (one paragraph per line) has a paragraph
  per line.
* Tables stored as blocks (:mod:`kg.curation.tabletext`) are not paragraphs: ``tN.rM.cK`` (or
  ``tN.rM.cK-L``, ``tN.rM``) addresses their cells, a figure there read with its row and column headers.
* Within a paragraph the lines are joined with single spaces, and sentences end at ``.``, ``!``
  or ``?`` followed (after an optional citation marker such as ``2`` or ``3,4``) by white space and
  an upper-case letter, an opening bracket or a quotation mark. A full stop after a digit takes no
  citation marker: ``HR 0.72 (95% CI …)`` is one sentence, its ``0.72`` a number.

>>> doc = SourceText.from_text("One. Two 2.5 vs 3.\\n\\nLast (P<.001).")
>>> doc.sentence(1, 2)
'Two 2.5 vs 3.'
>>> len(SourceText.from_text("HR 0.48 (0.41-0.55). Next.").paragraphs[0])
2
>>> sorted(str(n) for n in numbers_in(doc.sentence(2, 1)))
['0.001']
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from kg.curation.cleaning import Removal, clean_text
from kg.curation.tabletext import TableSegment, split_tables

__all__ = [
    "Locator",
    "SourceText",
    "numbers_in",
    "parse_locator",
]

_SENTENCE_END = re.compile(r"(?:(?<=[.!?])(?<!\d\.)(?:\d+(?:,\d+)*)?|(?<=\d\.)(?!\d))\s+(?=[A-Z\[(\"“‘])")
_NUMBER_TOKEN = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+")
_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "eighteen": 18, "twenty": 20,
}
_ROMAN_PHASE = re.compile(r"\bphase\s+(IV|III|II|I)\b", re.IGNORECASE)
_ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4}
_LOCATOR = re.compile(r"^p(?P<p>[1-9]\d*)\.s(?P<s>[1-9]\d*)(?:-(?P<e>[1-9]\d*))?$")
_CELL = re.compile(r"^t(?P<t>[1-9]\d*)\.r(?P<r>0|[1-9]\d*)(?:\.c(?P<c>[1-9]\d*)(?:-(?P<d>[1-9]\d*))?)?$")


@dataclass(frozen=True)
class Locator:
    """A paragraph and a run of sentences in a source text (all 1-based), or cells of a table row.

    A table locator has ``table`` set (``paragraph`` and the sentences are then 0); ``first_column``
    and ``last_column`` 0 mean the whole row.
    """

    paragraph: int
    first_sentence: int
    last_sentence: int
    table: int | None = None
    row: int = 0
    first_column: int = 0
    last_column: int = 0

    @property
    def sentences(self) -> range:
        """The sentence numbers the locator covers (none for a table locator)."""
        return range(self.first_sentence, self.last_sentence + 1) if self.table is None else range(0)

    def __str__(self) -> str:
        if self.table is not None:
            cells = "" if not self.first_column else (
                f".c{self.first_column}" if self.first_column == self.last_column
                else f".c{self.first_column}-{self.last_column}")
            return f"t{self.table}.r{self.row}{cells}"
        if self.first_sentence == self.last_sentence:
            return f"p{self.paragraph}.s{self.first_sentence}"
        return f"p{self.paragraph}.s{self.first_sentence}-{self.last_sentence}"


def parse_locator(text: str) -> Locator:
    """Parse ``pN.sM`` or ``pN.sM-K``, or a table's ``tN.rM``, ``tN.rM.cK`` or ``tN.rM.cK-L``.

    :raises ValueError: if the text is not a locator or a range runs backwards.

    >>> parse_locator("p4.s2-3")
    Locator(paragraph=4, first_sentence=2, last_sentence=3, table=None, row=0, first_column=0, last_column=0)
    >>> str(parse_locator("t2.r3.c4"))
    't2.r3.c4'
    """
    cell = _CELL.match(text.strip())
    if cell is not None:
        first = int(cell["c"] or 0)
        last = int(cell["d"] or first)
        if last < first:
            raise ValueError(f"locator {text!r}: column range runs backwards")
        return Locator(0, 0, 0, int(cell["t"]), int(cell["r"]), first, last)
    match = _LOCATOR.match(text.strip())
    if match is None:
        raise ValueError(f"locator {text!r} is not of the form pN.sM, pN.sM-K or (a table cell) tN.rM.cK")
    first = int(match["s"])
    last = int(match["e"]) if match["e"] else first
    if last < first:
        raise ValueError(f"locator {text!r}: sentence range runs backwards")
    return Locator(int(match["p"]), first, last)


def _hard_wrapped(lines: list[str]) -> bool:
    """Whether lines run on into the next one (the next text line starts in lower case) often."""
    text_lines = [line.strip() for line in lines if line.strip()]
    runs_on = sum(1 for _, b in itertools.pairwise(text_lines) if b[0].islower())
    return len(text_lines) > 2 and runs_on >= 0.3 * (len(text_lines) - 1)


def _paragraphs(text: str) -> list[str]:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    non_empty = [i for i, line in enumerate(lines) if line != ""]
    # Tolerate a stray last line: source 002 ends "text\n \n" without the final spacer.
    spaced = sum(1 for i in non_empty if i + 1 >= len(lines) or lines[i + 1] == "")
    wrapped = _hard_wrapped(lines)
    double_spaced = len(non_empty) > 2 and spaced >= 0.9 * len(non_empty) and wrapped
    if double_spaced:
        lines = [line for line in lines if line != ""]
    line_paragraphs = not double_spaced and not wrapped and "" not in lines[:-1]
    paragraphs: list[str] = []
    current: list[str] = []
    for line in lines:
        if line.strip():
            current.append(line.strip())
        if (not line.strip() or line_paragraphs) and current:
            paragraphs.append(" ".join(current))
            current = []
    if current:
        paragraphs.append(" ".join(current))
    return [re.sub(r"\s+", " ", p) for p in paragraphs]


def _sentences(paragraph: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(paragraph) if s.strip()]


@dataclass(frozen=True)
class SourceText:
    """A source document split into paragraphs of sentences."""

    paragraphs: tuple[tuple[str, ...], ...]
    removed: tuple[Removal, ...] = ()
    """The debris lines the cleaning removed before counting (see :mod:`kg.curation.cleaning`)."""
    tables: tuple[TableSegment, ...] = ()
    """The table blocks set apart before counting (see :mod:`kg.curation.tabletext`)."""

    @classmethod
    def from_text(cls, text: str) -> SourceText:
        """Set table blocks apart, clean the prose of page debris and split it by the module's counting rules."""
        prose, tables = split_tables(text)
        cleaned = clean_text(prose)
        return cls(tuple(tuple(_sentences(p)) for p in _paragraphs(cleaned.text)), cleaned.removed, tables)

    @classmethod
    def from_file(cls, path: Path) -> SourceText:
        """Read and split a UTF-8 text file."""
        return cls.from_text(path.read_text(encoding="utf-8"))

    def sentence(self, paragraph: int, sentence: int) -> str:
        """The text of one sentence.

        :raises IndexError: naming the paragraph or sentence that does not exist.
        """
        if not 1 <= paragraph <= len(self.paragraphs):
            raise IndexError(f"paragraph {paragraph} does not exist (the text has {len(self.paragraphs)})")
        sentences = self.paragraphs[paragraph - 1]
        if not 1 <= sentence <= len(sentences):
            raise IndexError(
                f"sentence {sentence} of paragraph {paragraph} does not exist (it has {len(sentences)})"
            )
        return sentences[sentence - 1]

    def at(self, locator: Locator) -> str:
        """The text a locator covers: sentences joined by a space, or table cells with their headers.

        :raises IndexError: naming the paragraph, sentence, table, row or column that does not exist.
        """
        if locator.table is None:
            return " ".join(self.sentence(locator.paragraph, s) for s in locator.sentences)
        table = self.table(locator.table)
        first, last = (locator.first_column, locator.last_column) if locator.first_column else (1, table.width)
        table.cell(locator.row, last)
        return table.in_context(locator.row, first, last)

    def table(self, number: int) -> TableSegment:
        """Table ``number`` (1-based).

        :raises IndexError: if the text has no such table.
        """
        if not 1 <= number <= len(self.tables):
            raise IndexError(f"table {number} does not exist (the text has {len(self.tables)})")
        return self.tables[number - 1]


def numbers_in(text: str) -> set[Decimal]:
    """Every number a text states: digits (with thousands separators, a point or a raised dot as the
    decimal mark), number words, phase numerals.

    >>> sorted(numbers_in("1,971 patients; HR 0.62 (0.57 – 0.67); two trials; phase III"))
    [Decimal('0.57'), Decimal('0.62'), Decimal('0.67'), Decimal('2'), Decimal('3'), Decimal('1971')]
    """
    found: set[Decimal] = set()
    text = re.sub(r"(?<=\d)·(?=\d)", ".", text)  # 0·72, as The Lancet prints decimals
    for token in _NUMBER_TOKEN.findall(text):
        try:
            found.add(Decimal(token.replace(",", "")).normalize())
        except InvalidOperation:  # pragma: no cover - the regex admits only numerals
            continue
    for word in re.findall(r"[A-Za-z]+", text):
        if word.lower() in _WORDS:
            found.add(Decimal(_WORDS[word.lower()]))
    for numeral in _ROMAN_PHASE.findall(text):
        found.add(Decimal(_ROMAN[numeral.upper()]))
    return found
