"""Prefixes every query may use without declaring them, as on Wikidata's query service.

Our own (``mmkg:``, ``res:``, ``graph:``), the W3C and common ones (``rdf:``, ``rdfs:``, ``owl:``,
``xsd:``, ``skos:``, ``dcterms:``, ``prov:``, ``obo:`` …), and one per external vocabulary we link
to, named as bioregistry spells it (``CHEBI:``, ``MESH:``, ``NCIT:``, ``wikidata:`` …, with the
lower-case spelling too), expanding to the IRIs the graph uses. A query's own ``PREFIX`` wins.
"""

from __future__ import annotations

from kg.linking.prefix_map import VOCABULARIES
from kg.namespaces import COMMON_PREFIXES, PREFIXES

__all__ = ["PREDECLARED", "prologue"]


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
