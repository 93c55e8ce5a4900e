"""External identifiers: prefixes, patterns, link and IRI formats, read from the one prefix map
(:mod:`kg.linking.prefix_map`: bioregistry's pinned records with our written prefixes and IRI forms on top).

Departures from bioregistry's RDF forms, all in :data:`kg.linking.prefix_map.VOCABULARIES`: ``pubmed`` and
``ncbigene`` use the PubMed and NCBI pages (bioregistry's RDF forms are PubChem's and UniProt's namespaces);
``icdo`` and ``meddra``, which have no stable IRI, use bioregistry's resolver.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kg.linking.prefix_map import VOCABULARIES, converter, pinned

__all__ = ["CLASS_VOCABULARIES", "PREFIX_TABLE", "Curie", "PrefixInfo", "curie_from_iri", "lookup_prefix",
           "parse_curie"]


@dataclass(frozen=True)
class PrefixInfo:
    """What we know of one bioregistry prefix."""

    prefix: str
    display: str
    pattern: str
    link_format: str
    iri_format: str | None
    name: str

    def link(self, local_id: str) -> str:
        """A web page for the identifier."""
        return self.link_format.replace("$1", local_id)

    def iri(self, local_id: str) -> str | None:
        """The identifier's IRI for linked data, or None when the vocabulary has no stable one."""
        return self.iri_format.replace("$1", local_id) if self.iri_format else None


CLASS_VOCABULARIES = frozenset({"chebi", "efo", "mondo", "doid", "hp", "ncit", "stato", "obi", "maxo"})
"""Vocabularies that are OWL ontologies: their terms are classes (imported with ``rdfs:subClassOf``
parents), and an entity with a verified exact match to one is typed with it."""


def _table() -> dict[str, PrefixInfo]:
    records = pinned()["records"]
    return {prefix: PrefixInfo(prefix, written, records[prefix]["pattern"], records[prefix]["uri_format"],
                               iri_prefix + "$1", name)
            for prefix, (written, iri_prefix, name) in VOCABULARIES.items()}


PREFIX_TABLE: dict[str, PrefixInfo] = _table()
"""Our vocabularies by bioregistry prefix, from the pinned bioregistry records and our written forms."""
_ALIASES = {"orphanet": "orpha", "ordo": "orpha", "nct": "clinicaltrials", "pmid": "pubmed", "pmcid": "pmc"}
_BY_WRITTEN = {info.display: key for key, info in PREFIX_TABLE.items()}
_FOLDED = {synonym.lower(): key for key, info in PREFIX_TABLE.items()
           for synonym in (key, info.display, *pinned()["records"][key]["prefix_synonyms"])}


@dataclass(frozen=True)
class Curie:
    """A checked compact identifier."""

    info: PrefixInfo
    local_id: str

    def __str__(self) -> str:
        return f"{self.info.display}:{self.local_id}"

    @property
    def link(self) -> str:
        return self.info.link(self.local_id)

    @property
    def iri(self) -> str | None:
        return self.info.iri(self.local_id)


def lookup_prefix(prefix: str) -> PrefixInfo | None:
    """Our row for a written prefix, whatever its case, or a known synonym (``pmid`` → pubmed)."""
    standard = converter().standardize_prefix(prefix)
    if standard in _BY_WRITTEN:
        return PREFIX_TABLE[_BY_WRITTEN[standard]]
    key = prefix.lower()
    found = _ALIASES.get(key) or _FOLDED.get(key)
    return PREFIX_TABLE.get(found) if found else None


def parse_curie(text: str) -> Curie:
    """Parse and check a CURIE against its prefix's pattern (prefixes are case-insensitive).

    :raises ValueError: for an unknown prefix or an identifier that does not fit the pattern.

    >>> str(parse_curie("chebi:63791"))
    'CHEBI:63791'
    >>> parse_curie("NCIT:63791")
    Traceback (most recent call last):
    ...
    ValueError: 'NCIT:63791': '63791' does not match the ncit pattern ^(C|R|P|A|NHC)\\d+$
    """
    prefix, sep, local_id = text.partition(":")
    if not sep or not local_id:
        raise ValueError(f"{text!r} is not a CURIE (prefix:identifier)")
    info = lookup_prefix(prefix)
    if info is None:
        raise ValueError(f"{text!r}: unknown prefix {prefix!r}")
    if not re.match(info.pattern, local_id):
        raise ValueError(f"{text!r}: {local_id!r} does not match the {info.prefix} pattern {info.pattern}")
    return Curie(info, local_id)


def curie_from_iri(iri: str) -> str | None:
    """The CURIE of an external IRI in our prefix table, or None.

    >>> curie_from_iri("http://purl.obolibrary.org/obo/NCIT_C93150")
    'NCIT:C93150'
    >>> curie_from_iri("http://id.nlm.nih.gov/mesh/D017418")
    'MESH:D017418'
    """
    curie = converter().compress(iri)
    if curie is None or curie.split(":", 1)[0] not in _BY_WRITTEN or converter().expand(curie) != iri:
        return None
    return curie
