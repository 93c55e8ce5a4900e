"""Answers as a plain-text table for the terminal (``mmkg query``, ``mmkg sparql``): values in full, IRIs as
CURIEs (``graph:inferred``, ``res:lenalidomide``, ``CHEBI:63791``), long values wrapped at ``--width``, never cut."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping

import pyoxigraph as ox

from kg.namespaces import compact_any
from kg.query.store import Term, term_to_python

__all__ = ["compact_term", "table"]


def compact_term(term: Term) -> str:
    """A term as the table shows it: an IRI as its CURIE where a known prefix covers it, a literal's value.

    >>> compact_term(ox.NamedNode("https://w3id.org/mmkg/graph/inferred"))
    'graph:inferred'
    """
    if isinstance(term, ox.NamedNode):
        return compact_any(term.value)
    return str(term_to_python(term))


def table(columns: list[str], rows: list[Mapping[str, str]], width: int = 0, truncated: bool = False) -> str:
    """Rows as aligned columns under a header, each value in full; ``width`` > 0 wraps values wider than it onto
    further lines of the same row.

    >>> print(table(["a", "b"], [{"a": "x", "b": "a long value"}], width=6))
    a  b
    -  ------
    x  a long
       value
    (1 row)
    """
    cells = [[_wrapped(row.get(c, ""), width) for c in columns] for row in rows]
    widths = [max([len(c), *(len(line) for r in cells for line in r[i])]) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip(),
             "  ".join("-" * w for w in widths)]
    for row in cells:
        for depth in range(max((len(v) for v in row), default=1)):
            parts = [(v[depth] if depth < len(v) else "").ljust(w) for v, w in zip(row, widths, strict=True)]
            lines.append("  ".join(parts).rstrip())
    count = f"({len(rows)} row{'s' if len(rows) != 1 else ''}"
    lines.append(count + (", cut at the row budget: more exist)" if truncated else ")"))
    return "\n".join(lines)


def _wrapped(value: str, width: int) -> list[str]:
    lines = value.splitlines() or [""]
    if width <= 0:
        return lines
    return [part for line in lines for part in (textwrap.wrap(line, width, break_long_words=True,
                                                              break_on_hyphens=False) or [""])]
