"""The named pieces every figure pattern is built from (numbers, units, dashes, separators, brackets).

Each pattern of :mod:`kg.drafting.constructions` is a verbose regular expression (``re.VERBOSE``)
composed of these pieces, so "a decimal", "a range dash" or "versus" is written once. The numeral
pieces come from :mod:`kg.curation.numerals` (the provenance check's reader): atomic and bounded,
so no pattern built from them backtracks over a long run of digits. No piece holds a literal space
or ``#`` (both mean something else in a verbose pattern); a space is written ``\\ `` or ``\\s``.

>>> import re
>>> re.fullmatch(rf"{DEC}{RANGE_DASH}{DEC}\\s*+{TIME_UNIT}", "41-46 months", re.IGNORECASE | re.VERBOSE) is not None
True
"""

from __future__ import annotations

from kg.curation.numerals import DASH, DEC, INT, WORD

__all__ = ["BOUNDED_WORD", "DASH", "DEC", "INT", "MONTHS", "MONTH_NAME", "NOT_REACHED", "PAIR_SEP", "PLAIN_UNIT",
           "RANGE_DASH", "TIME_UNIT", "VERSUS", "WORD", "unit_name"]

MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
          "november", "december")
MONTH_NAME = f"(?:{'|'.join(MONTHS)})"
"""An English month name (patterns using it are case-insensitive)."""

TIME_UNIT = r"(?:months?|mo\b\.?|years?|yrs?\b|weeks?|wks?\b|days?)"
"""A unit of time as results print it, abbreviations included (``mo``, ``yrs``, ``wks``)."""
PLAIN_UNIT = r"(?:months?|years?|weeks?|days?)"
"""A unit of time written out."""

RANGE_DASH = rf"\s*+{DASH}\s*+"
"""The dash (or "to") between the two ends of a range, with its spacing."""

BOUNDED_WORD = r"[A-Za-z][\w-]{0,30}+"
"""A word of at most 31 characters (bounded, so no pattern backtracks over a long one)."""

VERSUS = r"(?:vs\.?|versus|v\.|v\b|and|compared\ (?:with|to)|or)"
"""What stands between the two values of a pair (``23 vs. 15``, ``27.1 and 20.3``)."""
PAIR_SEP = r"\s*+(?:vs\.?|versus|v\.?|compared\s+with|and)\s*+"
"""The separator of a pair with a median not reached or of two rates, with its spacing."""

NOT_REACHED = r"(?:not\s+(?:yet\s+)?(?:been\s+)?reached|not\s+estimable|(?-i:NR|NE))"
"""A median that was not reached (or not estimable), in words or abbreviated."""


def unit_name(text: str | None) -> str:
    """The unit a :data:`TIME_UNIT` match names (``mo.`` -> ``month``, ``yrs`` -> ``year``; none: ``month``)."""
    text = (text or "month").lower()
    for name in ("month", "year", "week", "day"):
        if text.startswith(name[:2]):
            return name
    return "month"
