"""Search over labels, synonyms and external identifiers, held in memory.

The index is read from the store once (one SPARQL query, so it works on any backend) and ranks an
exact match first, then a label that starts with the words typed, then a word of the label that
does, then any substring; within a rank our own entities before imported external terms, then
shorter labels first. ``CHEBI:63791`` finds lenalidomide.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from kg.namespaces import PREFIXES
from kg.query.store import QueryStore, value_of
from kg.readers.vocabulary import Vocabulary

__all__ = ["Hit", "SearchIndex"]

_LINKS = f"""
PREFIX skos: <{PREFIXES['skos']}>
SELECT ?ours ?external WHERE {{
  ?ours skos:exactMatch|skos:closeMatch ?external FILTER(STRSTARTS(STR(?ours), "{PREFIXES['res']}"))
}}
"""
_QUERY = f"""
PREFIX rdfs: <{PREFIXES['rdfs']}>
PREFIX skos: <{PREFIXES['skos']}>
PREFIX mmkg: <{PREFIXES['mmkg']}>
PREFIX owl: <{PREFIXES['owl']}>
SELECT ?s ?label ?kind ?type WHERE {{
  {{ ?s rdfs:label ?label BIND("label" AS ?kind) }}
  UNION {{ ?s skos:prefLabel ?label BIND("label" AS ?kind) }}
  UNION {{ ?s skos:altLabel ?label BIND("synonym" AS ?kind) }}
  UNION {{ ?s mmkg:xref ?label BIND("identifier" AS ?kind) }}
  UNION {{ ?s a mmkg:Finding ; rdfs:comment ?label BIND("statement" AS ?kind) }}
  FILTER(isIRI(?s))
  FILTER NOT EXISTS {{ ?s a mmkg:Mapping }}
  OPTIONAL {{ ?s a ?type FILTER(?type != owl:NamedIndividual) }}
}}
"""


@dataclass(frozen=True)
class Hit:
    """One search result."""

    iri: str
    label: str
    matched: str
    type: str | None
    rank: tuple[int, int]


@dataclass
class _Entry:
    iri: str
    label: str
    names: list[tuple[str, str]]  # (lower-cased text, original)
    types: set[str]


class SearchIndex:
    """Labels, synonyms and identifiers of every IRI subject of the store."""

    def __init__(self, store: QueryStore, vocabulary: Vocabulary | None = None) -> None:
        entries: dict[str, _Entry] = {}
        for row in store.query(_QUERY).rows:
            iri = value_of(row, "s")
            text = row["label"]
            if not isinstance(text, ox.Literal):
                continue
            entry = entries.setdefault(iri, _Entry(iri, "", [], set()))
            if value_of(row, "kind") == "label" and not entry.label:
                entry.label = text.value
            if (text.value.lower(), text.value) not in entry.names:
                entry.names.append((text.value.lower(), text.value))
            if "type" in row:
                entry.types.add(value_of(row, "type"))
        for entry in entries.values():
            entry.label = entry.label or entry.names[0][1]
        self._entries = list(entries.values())
        self._vocabulary = vocabulary
        # An external term one of our entities matches is found as that entity ("Revlimid" in an
        # imported label, "CHEBI:63791") rather than as a separate hit.
        self._ours: dict[str, str] = {}
        for row in store.query(_LINKS).rows:
            self._ours.setdefault(value_of(row, "external"), value_of(row, "ours"))

    def __len__(self) -> int:
        return len(self._entries)

    def _type_of(self, entry: _Entry) -> str | None:
        if not entry.types:
            return None
        if self._vocabulary is None:
            return sorted(entry.types)[0].rsplit("/", 1)[-1].rsplit("#", 1)[-1]
        best = self._vocabulary.most_specific(entry.types)
        return self._vocabulary.label(best)

    def search(self, query: str, limit: int = 20, type_iri: str | None = None) -> list[Hit]:
        """The best ``limit`` matches of ``query`` (case-insensitive), optionally only of one type."""
        needle = " ".join(query.lower().split())
        if not needle:
            return []
        hits: list[Hit] = []
        for entry in self._entries:
            if type_iri and type_iri not in entry.types:
                continue
            best: tuple[int, int] | None = None
            matched = ""
            words = needle.split()
            for lowered, original in entry.names:
                if lowered == needle:
                    rank = 0
                elif lowered.startswith(needle):
                    rank = 1
                elif any(word.startswith(needle) for word in lowered.replace("-", " ").split()):
                    rank = 2
                elif needle in lowered:
                    rank = 3
                elif len(words) > 1 and all(word in lowered for word in words):
                    rank = 4  # every word somewhere: "thalidomide neuropathy" finds the findings about both
                else:
                    continue
                key = (rank, len(original))
                if best is None or key < best:
                    best, matched = key, original
            if best is not None:
                hits.append(Hit(entry.iri, entry.label, matched, self._type_of(entry), best))
        hits = self._group(hits)
        ours = PREFIXES["mmkg"]
        # within a rank, our entities before the imported external terms and enrichment answers
        hits.sort(key=lambda h: (h.rank[0], not h.iri.startswith(ours), h.rank[1], h.label.lower()))
        return hits[:limit]

    def _group(self, hits: list[Hit]) -> list[Hit]:
        """Hits on an external term our entity matches become hits on our entity (best rank kept)."""
        labels = {e.iri: e for e in self._entries}
        best: dict[str, tuple[tuple[int, int], bool, Hit]] = {}
        for hit in hits:
            ours = self._ours.get(hit.iri)
            through = ours is not None and ours in labels
            if ours is not None and through:
                entry = labels[ours]
                hit = Hit(ours, entry.label, f"{hit.matched} ({hit.label}, matched term)", self._type_of(entry),
                          hit.rank)
            key = (hit.rank, through)  # on a tie, the entity's own name beats a matched term's
            if hit.iri not in best or key < best[hit.iri][:2]:
                best[hit.iri] = (hit.rank, through, hit)
        return [hit for _, _, hit in best.values()]
