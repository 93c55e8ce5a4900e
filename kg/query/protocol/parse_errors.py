"""Parse errors a person can act on: one short line with the line and column inside the query.

The engine's messages are written for its grammar ("expected one of Prefix not found, ['%'],
['-' | '0' ..= '9' | '\\u{00B7}' ..." over five lines, sometimes at a position past the end of the
query). :func:`explain` looks at the query itself first: an undeclared prefix, an unclosed string,
unbalanced brackets, a misspelt keyword; otherwise it keeps the engine's words when they are short
and clear, and otherwise says what it found where. The engine's message is kept as ``detail``.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection
from dataclasses import dataclass

from kg.query.protocol.lexer import Token, declared_prefixes, tokens, unescape

__all__ = ["Explained", "explain"]

_ENGINE_POSITION = re.compile(r"error at (\d+):(\d+):\s*")
_KEYWORDS = ("SELECT", "CONSTRUCT", "DESCRIBE", "ASK", "WHERE", "PREFIX", "BASE", "FILTER", "OPTIONAL", "UNION",
             "GRAPH", "MINUS", "BIND", "VALUES", "GROUP", "ORDER", "LIMIT", "OFFSET", "HAVING", "DISTINCT",
             "REDUCED", "FROM", "NAMED", "SERVICE", "EXISTS", "NOT", "AS", "BY", "ASC", "DESC")
_PAIRS = {"{": "}", "(": ")", "[": "]"}


@dataclass(frozen=True)
class Explained:
    """A parse error for people: message, (line, column) in the query, and the engine's own words."""

    message: str
    position: tuple[int, int] | None
    detail: str


def _at(token: Token) -> str:
    return f"{token.line}:{token.column}"


def _undeclared_prefix(toks: list[Token], known: Collection[str]) -> Explained | None:
    declared = declared_prefixes(toks)
    for i, token in enumerate(toks):
        if token.kind != "pname" or (i > 0 and toks[i - 1].upper == "PREFIX"):
            continue
        prefix = token.text.split(":", 1)[0]
        if prefix not in declared and prefix not in known:
            return Explained(f"unknown prefix {prefix}: at {_at(token)} — declare it with PREFIX {prefix}: <…>",
                             (token.line, token.column), "")
    return None


def _unclosed_string(toks: list[Token]) -> Explained | None:
    for token in toks:
        if token.kind == "open_string":
            return Explained(f"unterminated string: {token.text} opened at {_at(token)} is never closed",
                             (token.line, token.column), "")
    return None


def _unbalanced(toks: list[Token]) -> Explained | None:
    stack: list[Token] = []
    for token in toks:
        if token.kind != "other":
            continue
        if token.text in _PAIRS:
            stack.append(token)
        elif token.text in _PAIRS.values():
            if not stack or _PAIRS[stack[-1].text] != token.text:
                opened = f" (the last one open is `{stack[-1].text}` from {_at(stack[-1])})" if stack else ""
                return Explained(f"unbalanced brackets: `{token.text}` at {_at(token)} closes nothing{opened}",
                                 (token.line, token.column), "")
            stack.pop()
    if stack:
        token = stack[-1]
        return Explained(f"unbalanced brackets: `{token.text}` opened at {_at(token)} is never closed",
                         (token.line, token.column), "")
    return None


def _misspelt_keyword(toks: list[Token], position: tuple[int, int] | None) -> Explained | None:
    for token in toks:
        if token.kind != "word" or token.upper in _KEYWORDS or token.upper in ("A", "TRUE", "FALSE"):
            continue
        if position is not None and (token.line, token.column) > position:
            break
        close = difflib.get_close_matches(token.upper, _KEYWORDS, n=1, cutoff=0.75)
        if close and len(token.text) > 2:
            return Explained(f"unknown keyword {token.text} at {_at(token)} — did you mean {close[0]}?",
                             (token.line, token.column), "")
    return None


_TERMS = ("var", "iri", "pname", "string")


def _incomplete_triple(toks: list[Token]) -> Explained | None:
    """``{ ?s ?p }`` or ``?s ?p .``: two terms where a triple pattern needs three."""
    for i, token in enumerate(toks):
        if token.text not in ("}", ".") or i < 3:
            continue
        a, b, before = toks[i - 2], toks[i - 1], toks[i - 3]
        if all(t.kind in _TERMS or t.upper == "A" for t in (a, b)) and before.text in ("{", ".", ";"):
            if before.text == ";":
                continue  # "?s ?p ?o ; ?q" is a predicate list: two terms are fine there only with an object
            return Explained(f"incomplete triple pattern at {_at(a)}: `{a.text} {b.text}` needs an object "
                             "(subject, predicate and object)", (a.line, a.column), "")
    return None


def _token_at(toks: list[Token], position: tuple[int, int]) -> Token | None:
    """The token the engine's position falls in or just before."""
    found = None
    for token in toks:
        if (token.line, token.column) <= position:
            found = token
        else:
            break
    return found


def _expected(raw: str) -> list[str] | None:
    """The engine's alternatives when they are few and readable words, else None."""
    match = re.match(r"expected (?:one of )?(.*)$", raw, re.DOTALL)
    if not match:
        return None
    text = match.group(1)
    if "\\u{" in text or "..=" in text or "\n" in text:
        return None
    items = [item.strip() for item in re.split(r",\s*", text) if item.strip() and item.strip() != "[_]"]
    # Only punctuation ('")"', '"."') reads well; the engine's keyword lists at a position are often
    # what its grammar could take next, not what the writer meant.
    if not items or len(items) > 6 or not all(re.fullmatch(r'"[^"\w]{1,3}"', item) for item in items):
        return None
    return [item.strip('"') for item in items]


def explain(query: str, raw: str, known_prefixes: Collection[str] = ()) -> Explained:
    """A short message for a parse error ``raw`` of ``query`` parsed with ``known_prefixes`` predeclared.

    >>> explain("SELECT * WHERE { ?s foo:bar ?o }", "error at 1:28: expected one of Prefix not found").message
    'unknown prefix foo: at 1:21 — declare it with PREFIX foo: <…>'
    >>> explain("SELECT * WHERE { ?s ?p ?o", "error at 1:26: expected one of ...").message
    'unbalanced brackets: `{` opened at 1:16 is never closed'
    """
    text = unescape(query)
    toks = list(tokens(text))
    match = _ENGINE_POSITION.search(raw)
    engine_words = raw[match.end():] if match else raw
    position = (int(match.group(1)), int(match.group(2))) if match else None
    for found in (_unclosed_string(toks), _unbalanced(toks), _undeclared_prefix(toks, known_prefixes),
                  _misspelt_keyword(toks, position), _incomplete_triple(toks)):
        if found is not None:
            return Explained(found.message, found.position, raw)
    if position is not None and toks:
        last = toks[-1]
        if position >= (last.line, last.column + len(last.text)) and last.text != "}":
            return Explained(f"the query ends too early, after `{last.text}` at {_at(last)}",
                             (last.line, last.column), raw)
        near = _token_at(toks, position)
        where = f" near `{near.text}`" if near is not None else ""
        expected = _expected(engine_words)
        if expected is not None:
            wanted = " or ".join(f"`{item}`" for item in expected)
            return Explained(f"at {position[0]}:{position[1]}{where}: expected {wanted}", position, raw)
        return Explained(f"syntax error at {position[0]}:{position[1]}{where}", position, raw)
    first_line = engine_words.strip().splitlines()[0] if engine_words.strip() else "syntax error"
    return Explained(first_line[:200], position, raw)
