"""Search over labels, synonyms and external identifiers, held in memory.

The index is read from the store once (one SPARQL query, so it works on any backend) and ranks an
exact match first, then a label that starts with the words typed, then a word of the label that
does, then any substring; within a rank our own entities before imported external terms, then
shorter labels first. ``CHEBI:63791`` finds lenalidomide.

A hit reaches further through the graph: an imported term (a MeSH heading, an HPO class) stands
for our entities that match it, are of its type, or match one of its narrower terms ("thrombosis"
finds the thromboembolism adverse event through HPO's "Abnormal thrombosis"); an outcome (an
adverse event or endpoint) brings the findings about it ("VTE", a synonym of thromboembolism,
finds the thromboembolism risk ratio). A publication is found by its DOI (bare, ``doi:`` or a
``https://doi.org/`` link) and PubMed id (bare or ``PMID:``), a trial by its registry id.

A request ranks only the entries :class:`~kg.readers.token_index.TokenIndex` lets through (those with a token
holding each typed word: every rule above needs that), never every name of the release, and works out the type's
words for the hits it shows only.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import pyoxigraph as ox

from kg.namespaces import PREFIXES
from kg.query.store import QueryStore, value_of
from kg.readers.token_index import TokenIndex
from kg.readers.vocabulary import Vocabulary

__all__ = ["Hit", "SearchIndex"]

_LINKS = f"""
PREFIX skos: <{PREFIXES['skos']}>
SELECT ?ours ?external WHERE {{
  ?ours skos:exactMatch|skos:closeMatch ?external FILTER(STRSTARTS(STR(?ours), "{PREFIXES['res']}"))
}}
"""
_REACH = f"""
PREFIX skos: <{PREFIXES['skos']}>
SELECT ?ours ?external WHERE {{
  {{ ?ours skos:exactMatch|skos:closeMatch ?narrower . ?narrower skos:broader+ ?external }}
  UNION {{ ?ours a ?external FILTER(!STRSTARTS(STR(?external), "{PREFIXES['mmkg']}")
                                  && STRSTARTS(STR(?ours), "{PREFIXES['res']}")) }}
  FILTER(STRSTARTS(STR(?ours), "{PREFIXES['res']}"))
}}
"""
_ABOUT = f"""
PREFIX mmkg: <{PREFIXES['mmkg']}>
SELECT ?finding ?outcome WHERE {{
  ?finding a mmkg:Finding ; mmkg:adverseEvent|mmkg:mainAdverseEvent|mmkg:endpoint ?outcome .
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
  UNION {{ ?s mmkg:doi ?doi BIND(CONCAT("doi:", STR(?doi)) AS ?label) BIND("identifier" AS ?kind) }}
  UNION {{ ?s mmkg:pmid ?pmid BIND(CONCAT("PMID:", STR(?pmid)) AS ?label) BIND("identifier" AS ?kind) }}
  UNION {{ ?s mmkg:pmcid ?label BIND("identifier" AS ?kind) }}
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
    starts: list[str] = field(default_factory=list)
    """Per name, its lower-cased words (hyphens read as spaces), each after one space: ``" " + needle`` is in it
    when a word starts with a needle that has no space (worked out once, not per search)."""


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
            entry.starts = ["".join(" " + word for word in lowered.replace("-", " ").split())
                            for lowered, _ in entry.names]
        self._entries = list(entries.values())
        self._by_iri = {entry.iri: entry for entry in self._entries}
        self._tokens = TokenIndex([lowered for lowered, _ in entry.names] for entry in self._entries)
        self._vocabulary = vocabulary
        # An external term one of our entities matches is found as that entity ("Revlimid" in an
        # imported label, "CHEBI:63791") rather than as a separate hit.
        self._ours: dict[str, str] = {}
        for row in store.query(_LINKS).rows:
            self._ours.setdefault(value_of(row, "external"), value_of(row, "ours"))
        # Further reach: an external term stands for our entities below it; an outcome for its findings.
        self._reach: dict[str, set[str]] = {}
        for row in store.query(_REACH).rows:
            self._reach.setdefault(value_of(row, "external"), set()).add(value_of(row, "ours"))
        self._about: dict[str, set[str]] = {}
        for row in store.query(_ABOUT).rows:
            self._about.setdefault(value_of(row, "outcome"), set()).add(value_of(row, "finding"))

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
        needle = _normalise(query)
        if not needle:
            return []
        hits = self._reached(self._group(self._matches(needle)))
        if type_iri:
            hits = [h for h in hits if type_iri in self._by_iri[h.iri].types]
        ours = PREFIXES["mmkg"]
        # within a rank, our entities before the imported external terms and enrichment answers
        hits.sort(key=lambda h: (h.rank[0], not h.iri.startswith(ours), h.rank[1], h.label.lower()))
        # the type's words only for the hits shown (working it out for every match was half a search's time)
        return [replace(hit, type=self._type_of(self._by_iri[hit.iri])) for hit in hits[:limit]]

    def _reached(self, hits: list[Hit]) -> list[Hit]:
        """The hits, then (one rank lower) our entities an external hit stands for, then the findings
        about each outcome hit; an IRI keeps its best rank."""
        entries = self._by_iri
        found = {h.iri: h for h in hits}

        def add(iri: str, rank: tuple[int, int], matched: str) -> None:
            entry = entries.get(iri)
            if entry is None or (iri in found and found[iri].rank <= rank):
                return
            found[iri] = Hit(iri, entry.label, matched, None, rank)

        # one rank lower, and after the direct hits of that rank (a name matched beats a name reached)
        for hit in hits:
            for ours in sorted(self._reach.get(hit.iri, ())):
                add(ours, (hit.rank[0] + 1, hit.rank[1] + _REACHED), f"under {hit.label}")
        for hit in list(found.values()):
            for finding in sorted(self._about.get(hit.iri, ())):
                add(finding, (hit.rank[0] + 1, hit.rank[1] + _REACHED), f"about {hit.label}")
        return list(found.values())

    def _candidates(self, words: list[str]) -> list[_Entry]:
        """The entries that may match (every typed word inside one of their tokens), in index order."""
        return [self._entries[position] for position in self._tokens.candidates(words)]

    def _matches(self, needle: str) -> list[Hit]:
        """Every entry matching ``needle`` with its best rank (hits without their type: see :meth:`search`)."""
        hits: list[Hit] = []
        words = needle.split()
        word_start = " " + needle if len(words) == 1 else None  # a needle with a space starts no word
        every = list(dict.fromkeys(words)) if len(words) > 1 else []  # each word once: "e e e ..." is one look
        for entry in self._candidates(words):
            best: tuple[int, int] | None = None
            matched = ""
            for (lowered, original), starts in zip(entry.names, entry.starts, strict=True):
                if lowered == needle or (":" in lowered and lowered.split(":", 1)[1] == needle):
                    rank = 0  # "NCT01554852" is clinicaltrials:NCT01554852, "30098165" is PMID:30098165
                elif lowered.startswith(needle):
                    rank = 1
                elif word_start is not None and word_start in starts:
                    rank = 2
                elif needle in lowered:
                    rank = 3
                elif every and all(word in lowered for word in every):
                    rank = 4  # every word somewhere: "thalidomide neuropathy" finds the findings about both
                else:
                    continue
                key = (rank, len(original))
                if best is None or key < best:
                    best, matched = key, original
            if best is not None:
                hits.append(Hit(entry.iri, entry.label, matched, None, best))
        return hits

    def _group(self, hits: list[Hit]) -> list[Hit]:
        """Hits on an external term our entity matches become hits on our entity (best rank kept)."""
        labels = self._by_iri
        best: dict[str, tuple[tuple[int, int], bool, Hit]] = {}
        for hit in hits:
            ours = self._ours.get(hit.iri)
            through = ours is not None and ours in labels
            if ours is not None and through:
                entry = labels[ours]
                hit = Hit(ours, entry.label, f"{hit.matched} ({hit.label}, matched term)", None, hit.rank)
            key = (hit.rank, through)  # on a tie, the entity's own name beats a matched term's
            if hit.iri not in best or key < best[hit.iri][:2]:
                best[hit.iri] = (hit.rank, through, hit)
        return [hit for _, _, hit in best.values()]


_REACHED = 10_000
"""Added to the length key of a hit reached through the graph, so it sorts after the matched ones."""

_LINK_FORMS = (("https://doi.org/", "doi:"), ("http://doi.org/", "doi:"), ("https://dx.doi.org/", "doi:"),
               ("https://pubmed.ncbi.nlm.nih.gov/", "pmid:"), ("pubmed:", "pmid:"))


def _normalise(query: str) -> str:
    """The typed text, lower-cased with single spaces; a DOI or PubMed link as the CURIE we index.

    >>> _normalise("  https://doi.org/10.1001/JAMAONCOL.2018.2961 ")
    'doi:10.1001/jamaoncol.2018.2961'
    >>> _normalise("pubmed:30098165/")
    'pmid:30098165'
    """
    needle = " ".join(query.lower().split())
    for form, curie in _LINK_FORMS:
        if needle.startswith(form):
            needle = curie + needle[len(form):].rstrip("/")
    return needle
