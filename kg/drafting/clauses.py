"""The clause of a sentence a figure stands in, and the endpoint and landmark named for it there.

Results are often listed in one sentence, item after item: "median PFS, 17 vs 9 months; 2-year PFS,
38% vs 22%; 2-year OS, 81% vs 79%; discontinuation due to adverse events, 13% vs 9%". Each item is a
clause (semicolons outside brackets end one), and a figure's endpoint is the one named nearest before
it in its clause (else the first after it there, else the nearest before it in the sentence), never
any word of the sentence; a landmark ("2-year") goes with the clause that states it.

>>> s = "2-year PFS, 38%; 2-year OS (HR 0.9; 95% CI 0.7-1.2), 81%; discontinuation, 13%"
>>> s[slice(*clause_of(s, s.index("81")))]
' 2-year OS (HR 0.9; 95% CI 0.7-1.2), 81%'
"""

from __future__ import annotations

from functools import lru_cache

from kg.drafting.lexicon import Mention
from kg.drafting.result_figures import timepoint

__all__ = ["clause_endpoint", "clause_of", "clause_timepoint", "clauses"]

_OPEN, _CLOSE = "([{", ")]}"


@lru_cache(maxsize=8)
def clauses(sentence: str) -> tuple[tuple[int, int], ...]:
    """``(start, end)`` of each clause of a sentence: bounded by semicolons outside brackets."""
    depth, start = 0, 0
    out: list[tuple[int, int]] = []
    for i, char in enumerate(sentence):
        if char in _OPEN:
            depth += 1
        elif char in _CLOSE:
            depth = max(0, depth - 1)
        elif char == ";" and depth == 0:
            out.append((start, i))
            start = i + 1
    return (*out, (start, len(sentence)))


def clause_of(sentence: str, position: int) -> tuple[int, int]:
    """``(start, end)`` of the clause holding ``position``."""
    return next((c for c in clauses(sentence) if position <= c[1]), (0, len(sentence)))


def clause_endpoint(sentence: str, endpoints: list[Mention], start: int, end: int) -> Mention | None:
    """The endpoint a figure at ``start:end`` measures: named nearest before it in its clause, else first
    after it in its clause, else nearest before it in the sentence."""
    first, last = clause_of(sentence, start)
    before = [m for m in endpoints if first <= m.start and m.end <= start]
    if before:
        return before[-1]
    after = [m for m in endpoints if m.start >= end and m.end <= last]
    if after:
        return after[0]
    earlier = [m for m in endpoints if m.end <= start]
    return earlier[-1] if earlier else None


def clause_timepoint(sentence: str, position: int, endpoint: str | None, endpoints: list[Mention]) -> str | None:
    """The landmark of a figure: the one its clause states, else the sentence's, unless that one is stated
    for another endpoint ("2-year PFS" is no landmark of the discontinuation in a later clause)."""
    first, last = clause_of(sentence, position)
    if (own := timepoint(sentence[first:last])) is not None:
        return own
    for a, b in clauses(sentence):
        if (stated := timepoint(sentence[a:b])) is not None:
            others = {m.term.id for m in endpoints if a <= m.start and m.end <= b} - {endpoint}
            return None if others else stated
    return None
