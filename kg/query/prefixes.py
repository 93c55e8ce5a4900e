"""Prefixes every query may use without declaring them, as on Wikidata's query service.

Our own (``mmkg:``, ``res:``, ``graph:``), the W3C and common ones (``rdf:``, ``rdfs:``, ``owl:``,
``xsd:``, ``skos:``, ``dcterms:``, ``prov:``, ``obo:`` …), and one per external vocabulary we link
to, named as bioregistry spells it (``CHEBI:``, ``MESH:``, ``NCIT:``, ``wikidata:`` …, with the
lower-case spelling too), expanding to the IRIs the graph uses. A query's own ``PREFIX`` wins.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache

from kg.linking.prefix_map import VOCABULARIES
from kg.namespaces import COMMON_PREFIXES, PREFIXES

__all__ = ["PREDECLARED", "prologue", "used_prefixes"]


def _vocabularies() -> dict[str, str]:
    """Each vocabulary's prefix as the graph writes it and as bioregistry does, when SPARQL can spell it."""
    found: dict[str, str] = {}
    for key, (written, iri_prefix, _) in sorted(VOCABULARIES.items()):
        for name in (written, key):
            if name.replace(".", "").replace("_", "").isalnum() and "?" not in iri_prefix:
                found.setdefault(name, iri_prefix)
    return found


PREDECLARED: dict[str, str] = {**_vocabularies(), **COMMON_PREFIXES, **PREFIXES}
"""Prefix -> namespace, for /sparql, the editor and ``mmkg sparql`` (our own win over any clash)."""


def prologue(query_prefixes: dict[str, str]) -> str:
    """``PREFIX`` lines for every predeclared prefix the query does not declare itself, for servers
    that know none of them (a remote store gets the query text with these in front).

    >>> "PREFIX mmkg: <https://w3id.org/mmkg/>" in prologue({})
    True
    >>> "PREFIX mmkg:" in prologue({"mmkg": "http://example.org/"})
    False
    """
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREDECLARED.items() if p not in query_prefixes)


_DELIMITERS = re.compile(r"""[\s<>"'{}()\[\];,^|!=*/+?&$@#\\`~%]+""")
"""Characters that end a prefixed name (and are in none): what is between them, up to a colon, may be a prefix."""
_BOUNDARY = re.compile(r"[.\-0-9]")
"""Where a name may start inside such a run besides its start (``?s ?p ?o .mmkg:x``: after a triple's dot)."""
_PREDECLARED_LONGEST = max(map(len, PREDECLARED))
_KEPT_TEXT = 8192
"""Texts up to this many characters have their predeclared prefixes kept (1,024 texts at most)."""


def used_prefixes(prefixes: Mapping[str, str], sparql: str) -> dict[str, str]:
    """The prefixes of ``prefixes`` that ``sparql`` may use: those whose name ends right before a colon, where a
    name can start (and the empty prefix).

    pyoxigraph declares every prefix it is given for each query: the ~70 of :data:`PREDECLARED` cost 40–50 µs
    (against 20 µs for ``ASK {}`` itself). A prefix whose ``name:`` is nowhere in the text cannot be used, so
    leaving it out changes no answer (names inside strings and IRIs are kept too: harmless). A text with ``\\u``
    / ``\\U`` escapes (SPARQL lets them spell any character) keeps them all. :meth:`kg.query.store.Store.execute`
    asks again with every prefix should a text not parse, so a name this misses costs time, never an answer.

    >>> sorted(used_prefixes({"a": "http://a/", "b": "http://b/", "": "http://e/"}, "ASK { a:x ?p ?o . :y ?p a:z }"))
    ['', 'a']
    >>> sorted(used_prefixes({"a": "http://a/", "b": "http://b/"}, "ASK { ?s ?p ?o .b:x ?p ?o }"))
    ['b']
    >>> used_prefixes({"a": "http://a/"}, "ASK {}")
    {}
    """
    if ":" not in sparql:
        return {}
    if "\\u" in sparql or "\\U" in sparql:
        return dict(prefixes)
    if len(sparql) <= _KEPT_TEXT and (prefixes is PREDECLARED or prefixes == PREDECLARED):
        return {name: PREDECLARED[name] for name in _predeclared_in(sparql)}
    longest = max(map(len, prefixes), default=0)
    return {name: prefixes[name] for name in _names_before_colons(sparql, longest) if name in prefixes}


def _names_before_colons(sparql: str, longest: int) -> set[str]:
    """Every name of at most ``longest`` characters a prefix used in ``sparql`` may have: each run of name
    characters before a colon, and its tails after a dot, a hyphen or a digit; and the empty name. Linear in the
    text (a 100 KB literal of digits before a colon yields a few short tails, not 100,000 long ones)."""
    names = {""}
    for token in _DELIMITERS.split(sparql):
        if ":" in token:
            for run in token.split(":")[:-1]:
                if len(run) <= longest:
                    names.add(run)
                near_the_colon = max(0, len(run) - longest - 1)
                names.update(run[boundary.end():] for boundary in _BOUNDARY.finditer(run, near_the_colon))
    return names


@lru_cache(maxsize=1024)
def _predeclared_in(sparql: str) -> tuple[str, ...]:
    """The predeclared prefixes ``sparql`` may use, kept per text (a repeated query is not scanned again)."""
    return tuple(name for name in _names_before_colons(sparql, _PREDECLARED_LONGEST) if name in PREDECLARED)
