"""Prefixes every query may use without declaring them, as on Wikidata's query service.

Our own (``mmkg:``, ``res:``, ``graph:``), the W3C and common ones (``rdf:``, ``rdfs:``, ``owl:``,
``xsd:``, ``skos:``, ``dcterms:``, ``prov:``, ``obo:`` …), and one per external vocabulary we link
to, named as bioregistry spells it (``CHEBI:``, ``MESH:``, ``NCIT:``, ``wikidata:`` …, with the
lower-case spelling too), expanding to the IRIs the graph uses. A query's own ``PREFIX`` wins.
"""

from __future__ import annotations

from kg.linking.identifiers import PREFIX_TABLE
from kg.namespaces import PREFIXES

__all__ = ["PREDECLARED", "prologue"]

_COMMON = {
    "dc": "http://purl.org/dc/elements/1.1/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "schema": "http://schema.org/",
    "sh": "http://www.w3.org/ns/shacl#",
    "void": "http://rdfs.org/ns/void#",
    "sd": "http://www.w3.org/ns/sparql-service-description#",
    "dcat": "http://www.w3.org/ns/dcat#",
    "vann": "http://purl.org/vocab/vann/",
    "oboInOwl": "http://www.geneontology.org/formats/oboInOwl#",
    "wd": "http://www.wikidata.org/entity/",
    "wdt": "http://www.wikidata.org/prop/direct/",
}


def _vocabularies() -> dict[str, str]:
    found: dict[str, str] = {}
    for key, info in sorted(PREFIX_TABLE.items()):
        if info.iri_format and info.iri_format.endswith("$1") and "?" not in info.iri_format:
            for name in (info.display, key):
                if name.replace(".", "").replace("_", "").isalnum():
                    found.setdefault(name, info.iri_format[:-2])
    return found


PREDECLARED: dict[str, str] = {**_vocabularies(), **_COMMON, **PREFIXES}
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
