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


@dataclass(frozen=True)
class Locator:
    """A paragraph and a run of sentences in a source text (all 1-based)."""

    paragraph: int
    first_sentence: int
    last_sentence: int

    @property
    def sentences(self) -> range:
        """The sentence numbers the locator covers."""
        return range(self.first_sentence, self.last_sentence + 1)

    def __str__(self) -> str:
        if self.first_sentence == self.last_sentence:
            return f"p{self.paragraph}.s{self.first_sentence}"
        return f"p{self.paragraph}.s{self.first_sentence}-{self.last_sentence}"


def parse_locator(text: str) -> Locator:
    """Parse ``pN.sM`` or ``pN.sM-K``.

    :raises ValueError: if the text is not a locator or the sentence range runs backwards.

    >>> parse_locator("p4.s2-3")
    Locator(paragraph=4, first_sentence=2, last_sentence=3)
    """
    match = _LOCATOR.match(text.strip())
    if match is None:
        raise ValueError(f"locator {text!r} is not of the form pN.sM or pN.sM-K")
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

    @classmethod
    def from_text(cls, text: str) -> SourceText:
        """Clean a text of page debris and split it by the module's counting rules."""
        cleaned = clean_text(text)
        return cls(tuple(tuple(_sentences(p)) for p in _paragraphs(cleaned.text)), cleaned.removed)

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
        """The text a locator covers, sentences joined by a space."""
        return " ".join(self.sentence(locator.paragraph, s) for s in locator.sentences)


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
