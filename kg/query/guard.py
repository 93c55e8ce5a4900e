"""Checks on a query from outside before it runs: no updates, no federation or remote graphs unless allowed.

pyoxigraph federates ``SERVICE`` from Rust with no switch and no timeout, so a query is scanned
first. The scanner is a SPARQL lexer (strings, long strings, IRIs, comments, prefixed names, with
the ``\\u`` code-point escapes of SPARQL 1.1 §19.2 undone first, as the parser does), so a keyword
inside a string, an IRI or a comment is not mistaken for one, and a keyword cannot be hidden from
it. It refuses:

* updates (``INSERT``, ``DELETE``, ``LOAD``, ``CLEAR``, ``DROP``, ``CREATE``, ``ADD``, ``MOVE``,
  ``COPY``, ``WITH``);
* ``SERVICE`` unless its endpoint is allow-listed (:func:`service_allowed`; the list is empty by
  default, ``MMKG_SERVICE_ALLOW`` or ``mmkg serve --service-allow`` fill it); ``SERVICE ?var``
  always, since its target is only known while running. An allowed federated query runs in a
  worker like any other, so the time limit stops it however slow the remote endpoint is;
* ``FROM`` / ``FROM NAMED`` of a graph the store does not hold (pyoxigraph never fetches one, but a
  query naming a remote graph is a mistake worth a clear answer).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

from kg.errors import QueryRefused

__all__ = ["QueryPolicy", "check_query", "service_allowed"]

_UPDATE_WORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}
_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_TOKEN = re.compile(r"""
    (?P<ws>\s+)
  | (?P<comment>\#[^\n]*)
  | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''
              |"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][A-Za-z0-9_\u00B7-\uFFFF]+)
  | (?P<pname>(?:[A-Za-z\u00C0-\uFFFF][\w\-.\u00B7-\uFFFF]*)?:(?:[\w\-.:%\\\u00B7-\uFFFF]*[\w\-:%\u00B7-\uFFFF])?)
  | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<other>.)
""", re.VERBOSE | re.DOTALL)


@dataclass(frozen=True)
class QueryPolicy:
    """What a query from outside may do."""

    service_allow: tuple[str, ...] = ()
    """IRI prefixes of SPARQL endpoints that ``SERVICE`` may call; empty: none."""
    local_graphs: Collection[str] | None = None
    """Graph names ``FROM`` / ``FROM NAMED`` may use; None: do not check."""


@dataclass(frozen=True)
class _Token:
    kind: str
    text: str
    line: int
    column: int


def _unescape(text: str) -> str:
    return _ESCAPE.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), text)


def _tokens(text: str) -> Iterator[_Token]:
    line, line_start = 1, 0
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "other"
        if kind not in ("ws", "comment"):
            yield _Token(kind, match.group(), line, match.start() - line_start + 1)
        newlines = match.group().count("\n")
        if newlines:
            line += newlines
            line_start = match.start() + match.group().rindex("\n") + 1


def check_query(text: str, policy: QueryPolicy) -> None:
    """Raise :class:`QueryRefused` for what ``policy`` forbids; say nothing about syntax (the parser does)."""
    tokens = list(_tokens(_unescape(text)))
    prefixes: dict[str, str] = {}
    for i, token in enumerate(tokens):
        word = token.text.upper() if token.kind == "word" else ""
        if word == "PREFIX" and i + 2 < len(tokens) and tokens[i + 1].kind == "pname" \
                and tokens[i + 2].kind == "iri":
            prefixes[tokens[i + 1].text[:-1]] = tokens[i + 2].text[1:-1]
        elif word in _UPDATE_WORDS:
            raise QueryRefused(f"{word} is an update; this endpoint is read-only", token.line, token.column)
        elif word in ("SERVICE", "FROM"):
            j = i + 1
            if j < len(tokens) and tokens[j].kind == "word" and tokens[j].text.upper() in ("SILENT", "NAMED"):
                j += 1
            target = tokens[j] if j < len(tokens) else None
            iri = _iri_of(target, prefixes)
            if word == "SERVICE":
                if iri is None:
                    raise QueryRefused("SERVICE with a variable or unknown endpoint is not allowed",
                                       token.line, token.column)
                if not any(service_allowed(iri, allowed) for allowed in policy.service_allow):
                    raise QueryRefused(f"SERVICE <{iri}> is not allowed: federation is off here or the endpoint is "
                                       f"not on the allow-list", token.line, token.column)
            elif policy.local_graphs is not None and (iri is None or iri not in policy.local_graphs):
                shown = f"<{iri}>" if iri else (target.text if target else "")
                raise QueryRefused(f"FROM {shown} is not a graph of this dataset (remote graphs are never fetched)",
                                   token.line, token.column, status=400)


def service_allowed(iri: str, allowed: str) -> bool:
    """Whether an allow-list entry admits a SERVICE IRI: same scheme, host and port; the entry's path
    a prefix of the IRI's (``http://127.0.0.1:5000`` does not admit ``http://127.0.0.1:50000/``).

    >>> service_allowed("https://query.wikidata.org/sparql", "https://query.wikidata.org/")
    True
    >>> service_allowed("https://query.wikidata.org.evil/sparql", "https://query.wikidata.org")
    False
    """
    want, got = urlsplit(allowed), urlsplit(iri)
    if (want.scheme.lower(), want.netloc.lower()) != (got.scheme.lower(), got.netloc.lower()) or not want.netloc:
        return False
    return got.path.startswith(want.path)


def _iri_of(token: _Token | None, prefixes: dict[str, str]) -> str | None:
    if token is None:
        return None
    if token.kind == "iri":
        return token.text[1:-1]
    if token.kind == "pname":
        prefix, _, local = token.text.partition(":")
        if prefix in prefixes:
            return prefixes[prefix] + local
    return None
