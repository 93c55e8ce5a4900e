"""One reader of numerals, shared by the drafter and the provenance check.

Articles write numbers as digits with thousands separators (``1,971``, ``1 971`` with a thin
space), with a point or a raised dot as the decimal mark (``0.72``, The Lancet's ``0·72``), with a
leading point (``P=.001``), with a minus sign (``−0.94``), and as words (``Fifteen patients``,
``twenty-one``). :func:`normalise` rewrites the marks to ASCII *without changing the length*, so a
span found in the normalised text points into the text as written; :func:`number` reads one
numeral; :func:`numbers_in` every number a text states (what the provenance check compares a
finding's figures with).

The regular-expression pieces (:data:`INT`, :data:`DEC`, :data:`WORD`, :data:`DASH`) are atomic
and bounded (at most 9 digits a part, never started inside a longer run of digits), so a pattern
built from them cannot backtrack over a long run of digits: matching stays linear in the text.

>>> number("1,971"), number(".001"), number("Fifteen"), number("twenty-one"), number("−0.94")
(Decimal('1971'), Decimal('0.001'), Decimal('15'), Decimal('21'), Decimal('-0.94'))
>>> sorted(numbers_in("HR 0·62 (0.57 – 0.67); Fifteen of 1,097 patients; phase III"))
[Decimal('0.57'), Decimal('0.62'), Decimal('0.67'), Decimal('3'), Decimal('15'), Decimal('1097')]
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

__all__ = ["DASH", "DEC", "INT", "NUMBER_WORDS", "WORD", "normalise", "number", "numbers_in"]

_UNITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
          "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
         "ninety": 90}
NUMBER_WORDS: dict[str, int] = {w: i for i, w in enumerate(_UNITS)} | _TENS | {"hundred": 100}
"""Number words (lower case); compounds such as ``twenty-one`` are read by :func:`number`."""

_MARKS = str.maketrans({"·": ".", "•": ".", "∙": ".", "−": "-", "‐": "-", "‑": "-", "\u2009": ",",
                        "\u202f": ",", "\u00a0": " "})
_DECIMAL_MARK = re.compile(r"(?<=\d)[·•∙](?=\d)")
_MINUS = re.compile(r"[−‐‑](?=[\d.])")
_THIN = re.compile(r"(?<=\d)[\u2009\u202f](?=\d{3}(?!\d))")

_D = r"\d{1,9}+"
INT = rf"(?<![\d.,])(?>\d{{1,3}}(?:,\d{{3}}){{1,4}}(?![\d])|{_D}(?![\d]))"
"""A whole number: ``395``, ``1,097`` (never a part of a longer run of digits)."""
DEC = rf"(?<![\d.])(?>{_D}(?:\.{_D})?(?![\d])|\.{_D}(?![\d]))"
"""A decimal: ``26.5``, ``.001``, ``12`` (after :func:`normalise`, so ``0·72`` too)."""
_TEEN_WORDS = "|".join(sorted((w for w in NUMBER_WORDS if w not in ("zero", "one", "hundred")), key=len,
                              reverse=True))
_SIMPLE = rf"(?:(?:{'|'.join(_TENS)})[-\s](?:one|two|three|four|five|six|seven|eight|nine)\b|(?:{_TEEN_WORDS})\b)"
WORD = rf"(?:(?:one|{_TEEN_WORDS})\s+hundred(?:\s+(?:and\s+)?{_SIMPLE})?|{_SIMPLE})"
"""A number word from two upwards (``one`` is an article more often than a count)."""
DASH = r"(?:-|–|—|‑|−|to)"
"""A range's dash (or ``to``)."""


def normalise(text: str) -> str:
    """The text with raised decimal dots, minus signs and thin-space thousands separators in ASCII,
    of the same length (so spans carry over)."""
    text = _DECIMAL_MARK.sub(".", text)
    text = _MINUS.sub("-", text)
    return _THIN.sub(",", text)


def _words_value(words: list[str]) -> int:
    """``four hundred and twelve`` -> 412, ``twenty one`` -> 21."""
    total = 0
    for word in words:
        total = total * 100 if word == "hundred" else total + NUMBER_WORDS[word]
    return total


def number(text: str) -> Decimal:
    """One numeral or number word as a Decimal.

    :raises ValueError: if the text is not a numeral.
    """
    raw = text.strip().translate(_MARKS)
    words = [w for w in raw.lower().replace("-", " ").split() if w != "and"]
    if words and all(w in NUMBER_WORDS for w in words):
        return Decimal(_words_value(words))
    try:
        return Decimal(raw.replace(",", "").replace(" ", ""))
    except InvalidOperation as exc:
        raise ValueError(f"{text!r} is not a numeral") from exc


_TOKEN = re.compile(r"-?(?>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)")
_WORD_TOKEN = re.compile(rf"\b(?:{WORD}|[A-Za-z]+)", re.IGNORECASE)
_ROMAN_PHASE = re.compile(r"\bphase\s+(IV|III|II|I)\b", re.IGNORECASE)
_ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4}


def numbers_in(text: str) -> set[Decimal]:
    """Every number a text states: numerals (as :func:`number` reads them, with and without their
    minus sign), number words and compounds, phase numerals."""
    found: set[Decimal] = set()
    for token in _TOKEN.findall(normalise(text)):
        value = Decimal(token.replace(",", "")).normalize()
        found.update({value, abs(value)})
    for word in _WORD_TOKEN.findall(text):
        key = [w for w in word.lower().replace("-", " ").split() if w != "and"]
        if key and all(w in NUMBER_WORDS for w in key):
            found.add(Decimal(_words_value(key)))
    for numeral in _ROMAN_PHASE.findall(text):
        found.add(Decimal(_ROMAN[numeral.upper()]))
    return found
