"""Checks on a query from outside before it runs: no updates, no federation or remote graphs unless allowed.

pyoxigraph federates ``SERVICE`` from Rust with no switch and no timeout, so a query is scanned
first with the lexer of :mod:`kg.query.protocol.lexer`, so a keyword inside a string, an IRI, a comment, a
language tag or a prefixed name is not mistaken for one, and a keyword cannot be hidden from it.
It refuses:

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

from collections.abc import Collection
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from kg.errors import QueryRefused
from kg.query.protocol.lexer import Token, declared_prefixes, unescape
from kg.query.protocol.lexer import tokens as lex

__all__ = ["QueryPolicy", "check_query", "service_allowed"]

_UPDATE_WORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}


@dataclass(frozen=True)
class QueryPolicy:
    """What a query from outside may do."""

    service_allow: tuple[str, ...] = ()
    """IRI prefixes of SPARQL endpoints that ``SERVICE`` may call; empty: none."""
    local_graphs: Collection[str] | None = None
    """Graph names ``FROM`` / ``FROM NAMED`` may use; None: do not check."""


def check_query(text: str, policy: QueryPolicy, predeclared: dict[str, str] | None = None,
                base: str | None = None) -> None:
    """Raise :class:`QueryRefused` for what ``policy`` forbids; say nothing about syntax (the parser does).

    ``predeclared`` prefixes and the ``base`` IRI are those the query will be parsed with, so a
    ``FROM`` written as a prefixed name or a relative IRI is checked as the graph it names.
    """
    tokens = list(lex(unescape(text)))
    prefixes = {**(predeclared or {}), **declared_prefixes(tokens)}
    for i, token in enumerate(tokens):
        word = token.upper
        if word == "BASE" and i + 1 < len(tokens) and tokens[i + 1].kind == "iri":
            base = urljoin(base, tokens[i + 1].text[1:-1]) if base else tokens[i + 1].text[1:-1]
        if word in _UPDATE_WORDS:
            raise QueryRefused(f"{word} is an update; this endpoint is read-only", token.line, token.column)
        elif word in ("SERVICE", "FROM"):
            j = i + 1
            if j < len(tokens) and tokens[j].kind == "word" and tokens[j].text.upper() in ("SILENT", "NAMED"):
                j += 1
            target = tokens[j] if j < len(tokens) else None
            iri = _iri_of(target, prefixes)
            if iri is not None and base is not None:
                iri = urljoin(base, iri)
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


def _iri_of(token: Token | None, prefixes: dict[str, str]) -> str | None:
    if token is None:
        return None
    if token.kind == "iri":
        return token.text[1:-1]
    if token.kind == "pname":
        prefix, _, local = token.text.partition(":")
        if prefix in prefixes:
            return prefixes[prefix] + local
    return None
