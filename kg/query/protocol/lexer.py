"""A SPARQL lexer: enough of the grammar to find keywords, prefixed names, brackets and the dataset.

Strings (short and long), IRIs, comments, variables, language tags and prefixed names are tokens
of their own, so a keyword inside any of them is never read as one; the ``\\u`` / ``\\U`` escapes
of SPARQL 1.1 §19.2 are undone first, as the parser does, so a keyword cannot hide behind them.
Used by the guard (what a query may do), the error explainer (what went wrong, where) and the
dataset check (does the query name its own dataset with FROM?).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urljoin

__all__ = ["Token", "dataset_clause", "declared_prefixes", "has_dataset_clause", "projection", "tokens", "unescape"]

_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_TOKEN = re.compile(r"""
    (?P<ws>\s+)
  | (?P<comment>\#[^\n]*)
  | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''
              |"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
  | (?P<open_string>\"\"\"|'''|"|')
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][A-Za-z0-9_\u00B7-\uFFFF]+)
  | (?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
  | (?P<pname>(?:[A-Za-z\u00C0-\uFFFF][\w\-.\u00B7-\uFFFF]*)?:(?:[\w\-.:%\\\u00B7-\uFFFF]*[\w\-:%\u00B7-\uFFFF])?)
  | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<other>.)
""", re.VERBOSE | re.DOTALL)


@dataclass(frozen=True)
class Token:
    """One token with its 1-based line and column."""

    kind: str  # string, open_string, iri, var, lang, pname, word, other
    text: str
    line: int
    column: int

    @property
    def upper(self) -> str:
        """The keyword this token is, upper-cased ('' unless it is a bare word)."""
        return self.text.upper() if self.kind == "word" else ""


def unescape(text: str) -> str:
    """The query with its ``\\uXXXX`` and ``\\UXXXXXXXX`` escapes undone."""
    return _ESCAPE.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), text)


def tokens(text: str) -> Iterator[Token]:
    """The tokens of ``text`` (escapes already undone), without whitespace and comments.

    >>> [t.kind for t in tokens('SELECT * { ?s ?p "x"@add }')]
    ['word', 'other', 'other', 'var', 'var', 'string', 'lang', 'other']
    """
    line, line_start = 1, 0
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "other"
        if kind not in ("ws", "comment"):
            yield Token(kind, match.group(), line, match.start() - line_start + 1)
        newlines = match.group().count("\n")
        if newlines:
            line += newlines
            line_start = match.start() + match.group().rindex("\n") + 1


def declared_prefixes(toks: list[Token]) -> dict[str, str]:
    """The ``PREFIX p: <iri>`` declarations of a query, by prefix (without the colon)."""
    found: dict[str, str] = {}
    for i, token in enumerate(toks):
        if token.upper == "PREFIX" and i + 2 < len(toks) and toks[i + 1].kind == "pname" \
                and toks[i + 2].kind == "iri":
            found[toks[i + 1].text[:-1]] = toks[i + 2].text[1:-1]
    return found


@lru_cache(maxsize=1024)
def has_dataset_clause(text: str) -> bool:
    """Whether the query names its own dataset (``FROM`` or ``FROM NAMED``); kept per text, since every query
    run asks (a saved query's text is the same each time).

    >>> has_dataset_clause('SELECT * FROM <g> { ?s ?p "FROM" }'), has_dataset_clause('SELECT * { ?from ?p ?o }')
    (True, False)
    """
    return any(t.upper == "FROM" for t in tokens(unescape(text)))


def dataset_clause(text: str, prefixes: dict[str, str] | None = None,
                   base: str | None = None) -> tuple[list[str], list[str]]:
    """The IRIs of the query's ``FROM`` and ``FROM NAMED`` clauses (prefixed names and relative IRIs
    resolved with ``prefixes`` and ``base``).

    >>> dataset_clause("SELECT * FROM <http://a/g> FROM NAMED ex:h { ?s ?p ?o }", {"ex": "http://a/"})
    (['http://a/g'], ['http://a/h'])
    """
    toks = list(tokens(unescape(text)))
    known = {**(prefixes or {}), **declared_prefixes(toks)}
    default: list[str] = []
    named: list[str] = []
    for i, token in enumerate(toks):
        if token.upper == "BASE" and i + 1 < len(toks) and toks[i + 1].kind == "iri":
            base = urljoin(base, toks[i + 1].text[1:-1]) if base else toks[i + 1].text[1:-1]
        if token.upper != "FROM" or i + 1 >= len(toks):
            continue
        is_named = toks[i + 1].upper == "NAMED"
        target = toks[i + 2] if is_named and i + 2 < len(toks) else toks[i + 1]
        iri = None
        if target.kind == "iri":
            iri = target.text[1:-1]
        elif target.kind == "pname" and target.text.split(":", 1)[0] in known:
            prefix, _, local = target.text.partition(":")
            iri = known[prefix] + local
        if iri is not None:
            (named if is_named else default).append(urljoin(base, iri) if base else iri)
    return default, named


def projection(text: str, variables: list[str]) -> list[str]:
    """The answer's columns in the query's order: as projected, and for ``SELECT *`` (which engines answer in
    their own order) in the order the variables first appear in the query.

    >>> projection("SELECT * WHERE { ?s ?p ?o }", ["o", "p", "s"])
    ['s', 'p', 'o']
    >>> projection("SELECT ?b ?a WHERE { ?a ?p ?b }", ["b", "a"])
    ['b', 'a']
    """
    toks = list(tokens(unescape(text)))
    for i, token in enumerate(toks):
        if token.upper == "SELECT":
            j = i + 1
            while j < len(toks) and toks[j].upper in ("DISTINCT", "REDUCED"):
                j += 1
            if j >= len(toks) or toks[j].text != "*":
                return variables
            wanted = set(variables)
            order = list(dict.fromkeys(t.text[1:] for t in toks[j:] if t.kind == "var" and t.text[1:] in wanted))
            return order + [v for v in variables if v not in order]
    return variables
