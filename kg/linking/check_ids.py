"""``mmkg check-ids``: every external identifier of the graph checked against bioregistry.

Each CURIE (``mmkg:xref`` values and the objects of mapping records) is checked for:

* **unknown** — its prefix is not a bioregistry prefix (nor a synonym of one);
* **invalid** — its local part does not match the prefix's pattern;
* **non-standard** — the prefix is written neither in bioregistry's preferred form nor in the form the project
  writes it (``chebi:`` for ``CHEBI:``);
* **synonym** (a note, not a failure) — the prefix is written in the project's form, which bioregistry lists as a
  synonym of its preferred one (``MESH:`` for bioregistry's ``mesh:``);
* **no IRI link** — the vocabulary has an IRI form, but the entity has no ``skos:exactMatch`` /
  ``skos:closeMatch`` to that IRI, so RDF users joining on IRIs would miss it.

Preferred prefixes and patterns are bioregistry's, from the pinned records of :mod:`kg.linking.prefix_map`; the
installed ``bioregistry`` package, when present (it is in the test extras), also names prefixes outside our
vocabularies.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from kg.linking.identifiers import PrefixInfo, lookup_prefix
from kg.linking.prefix_map import pinned
from kg.namespaces import compact
from kg.query.store import QueryStore, value_of

__all__ = ["NOTES", "IdProblem", "check_identifiers"]

NOTES = frozenset({"synonym"})
"""Kinds reported but not failures."""

_QUERY = """PREFIX mmkg: <https://w3id.org/mmkg/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?s ?p ?o WHERE {
  { ?s mmkg:xref ?o BIND(mmkg:xref AS ?p) }
  UNION { ?m mmkg:mappingSubject ?s ; mmkg:mappingObject ?o BIND(mmkg:mappingObject AS ?p) }
}"""
_LINKS = """PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?s ?iri WHERE { ?s skos:exactMatch|skos:closeMatch|skos:relatedMatch|skos:broadMatch|skos:narrowMatch ?iri }"""


@dataclass(frozen=True)
class IdProblem:
    kind: str
    curie: str
    entity: str
    detail: str


def _registry(prefix: str) -> tuple[str | None, str | None, re.Pattern[str] | None, PrefixInfo | None]:
    """Normalised prefix, bioregistry's preferred spelling, pattern and our table row for a written prefix."""
    info = lookup_prefix(prefix)
    if info is not None:
        preferred = pinned()["records"][info.prefix]["preferred_prefix"]
        return info.prefix, preferred, re.compile(info.pattern), info
    try:
        import bioregistry
    except ImportError:
        return None, None, None, None
    norm = bioregistry.normalize_prefix(prefix)
    if norm is None:
        return None, None, None, None
    pattern = bioregistry.get_pattern(norm)
    preferred = bioregistry.get_preferred_prefix(norm) or norm
    return norm, preferred, re.compile(pattern) if pattern else None, None


def check_identifiers(store: QueryStore) -> tuple[int, list[IdProblem]]:
    """How many identifier statements were checked, and the problems found."""
    links: dict[str, set[str]] = defaultdict(set)
    for row in store.query(_LINKS).rows:
        links[value_of(row, "s")].add(value_of(row, "iri"))
    problems: list[IdProblem] = []
    rows = store.query(_QUERY).rows
    seen: set[tuple[str, str]] = set()
    for row in rows:
        entity, curie = value_of(row, "s"), value_of(row, "o")
        if (entity, curie) in seen:
            continue
        seen.add((entity, curie))
        where = compact(entity)
        prefix, sep, local = curie.partition(":")
        if not sep or not local:
            problems.append(IdProblem("invalid", curie, where, "not a CURIE (PREFIX:ID)"))
            continue
        norm, preferred, pattern, info = _registry(prefix)
        if norm is None:
            problems.append(IdProblem("unknown", curie, where, f"{prefix!r} is not a bioregistry prefix"))
            continue
        if pattern is not None and not pattern.match(local):
            problems.append(IdProblem("invalid", curie, where, f"{local!r} does not match {pattern.pattern}"))
            continue
        if prefix != preferred and info is not None and prefix == info.display:
            problems.append(IdProblem("synonym", curie, where, f"bioregistry's preferred prefix is {preferred}:; "
                                      f"{prefix}: is one of its synonyms, the form this graph writes"))
        elif prefix != preferred:
            shown = info.display if info else preferred
            problems.append(IdProblem("non-standard", curie, where, f"write the prefix as {shown}:"))
        iri = info.iri(local) if info else None
        if iri is not None and iri not in links.get(entity, set()):
            problems.append(IdProblem("no IRI link", curie, where, f"no skos:*Match to <{iri}>"))
    return len(seen), problems
