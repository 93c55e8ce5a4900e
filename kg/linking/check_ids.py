"""``mmkg check-ids``: every external identifier of the graph checked against bioregistry.

Each CURIE (``mmkg:xref`` values and the objects of mapping records) is checked for:

* **unknown** — its prefix is not a bioregistry prefix (nor a synonym of one);
* **invalid** — its local part does not match the prefix's pattern;
* **non-standard** — the prefix is written other than its preferred form (``chebi:`` for ``CHEBI:``);
* **no IRI link** — the vocabulary has an IRI form, but the entity has no ``skos:exactMatch`` /
  ``skos:closeMatch`` to that IRI, so RDF users joining on IRIs would miss it.

The installed ``bioregistry`` package is used when present (it is in the test extras); otherwise
the prefix table the build ships (``kg.linking.identifiers``, copied from bioregistry and checked against
it by the tests).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from kg.linking.identifiers import PREFIX_TABLE, PrefixInfo, lookup_prefix
from kg.namespaces import compact
from kg.query.store import QueryStore, value_of

__all__ = ["IdProblem", "check_identifiers"]

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
    """Normalised prefix, preferred spelling, pattern and our table row for a written prefix."""
    info = lookup_prefix(prefix)
    try:
        import bioregistry
    except ImportError:
        if info is None:
            return None, None, None, None
        return info.prefix, info.display, re.compile(info.pattern), info
    norm = bioregistry.normalize_prefix(prefix)
    if norm is None:
        return None, None, None, None
    pattern = bioregistry.get_pattern(norm)
    preferred = bioregistry.get_preferred_prefix(norm) or norm
    return norm, preferred, re.compile(pattern) if pattern else None, PREFIX_TABLE.get(norm)


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
        if prefix not in (preferred, info.display if info else None):
            shown = info.display if info else preferred
            problems.append(IdProblem("non-standard", curie, where, f"write the prefix as {shown}:"))
        iri = info.iri(local) if info else None
        if iri is not None and iri not in links.get(entity, set()):
            problems.append(IdProblem("no IRI link", curie, where, f"no skos:*Match to <{iri}>"))
    return len(seen), problems
