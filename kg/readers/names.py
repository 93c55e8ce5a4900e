"""Names a reader knows things by, instead of the graph's ids and locator codes: a source document
as the article it reports and how it reached us (``Gay et al. 2018 (JAMA Oncol) via news report``),
a cited trial by its trial name (``MM-015 (likely)``), and any label rewritten with those names."""

from __future__ import annotations

import itertools
import re
from functools import cached_property

from kg.namespaces import PREFIXES
from kg.query.store import QueryStore, term_to_python

__all__ = ["Names", "journal_abbreviation", "reader_names", "study_names"]

_PREFIX_DECL = "\n".join(f"PREFIX {p}: <{ns}>" for p, ns in PREFIXES.items())
_SOURCE_ID = re.compile(r"\bs\d{3}\b( review\b)?")
_READER_NAMES = f"""{_PREFIX_DECL}
SELECT ?source ?kind ?author ?date ?pub ?reported ?citation ?journal ?pubDate WHERE {{
  ?source a mmkg:SourceDocument .
  OPTIONAL {{ ?source mmkg:documentKind ?kind }} OPTIONAL {{ ?source mmkg:author ?author }}
  OPTIONAL {{ ?source mmkg:publicationDate ?date }}
  OPTIONAL {{ ?source mmkg:cites ?pub .
             BIND(EXISTS {{ ?source mmkg:reports/mmkg:publishedIn ?pub }} AS ?reported)
             OPTIONAL {{ ?pub dcterms:bibliographicCitation ?citation }} OPTIONAL {{ ?pub mmkg:journal ?journal }}
             OPTIONAL {{ ?pub mmkg:publicationDate ?pubDate }} OPTIONAL {{ ?pub mmkg:author ?pubAuthor }} }}
}} ORDER BY ?source DESC(?reported) ?pub ?author"""

_STUDY_NAMES = f"""{_PREFIX_DECL}
SELECT ?study ?label ?short ?trial ?trialLabel ?trialShort WHERE {{
  ?study a mmkg:Study ; rdfs:label ?label .
  OPTIONAL {{ ?study mmkg:shortLabel ?short }}
  OPTIONAL {{ ?study mmkg:identifiedWith ?trial . ?trial rdfs:label ?trialLabel
             OPTIONAL {{ ?trial mmkg:shortLabel ?trialShort }} }}
}}"""

_PUBLICATIONS = f"""{_PREFIX_DECL}
SELECT ?pub ?label ?citation ?journal ?date WHERE {{
  ?pub a mmkg:Publication . OPTIONAL {{ ?pub rdfs:label ?label }}
  OPTIONAL {{ ?pub dcterms:bibliographicCitation ?citation }} OPTIONAL {{ ?pub mmkg:journal ?journal }}
  OPTIONAL {{ ?pub mmkg:publicationDate ?date }}
}}"""

_CURATOR_INFERRED = f"""{_PREFIX_DECL}
SELECT ?finding ?what WHERE {{ ?finding mmkg:inferredByCurator ?what }}"""

_YEAR = re.compile(r"^(?:19|20)\d\d\b")


def journal_abbreviation(citation: str | None, journal: str | None) -> str | None:
    """The journal as a Vancouver citation abbreviates it (the part before the year), else its name.

    >>> journal_abbreviation("Gay F, Jackson G, et al. JAMA Oncol. 2018;4(10):1389-1397. doi:10.1/x", "JAMA Oncology")
    'JAMA Oncol'
    >>> journal_abbreviation("Jackson GH, et al. Lenalidomide versus observation (Myeloma XI). Lancet Oncol.", None)
    'Lancet Oncol'
    >>> journal_abbreviation(None, "Blood")
    'Blood'
    """
    if citation:
        parts = [p.strip() for p in citation.strip().rstrip(".").split(". ")]
        for before, after in itertools.pairwise(parts):
            if _YEAR.match(after) and len(before) <= 40:
                return before
        if len(parts) > 2 and len(parts[-1]) <= 40 and not _YEAR.match(parts[-1]):
            return parts[-1]
    return journal


def _surname(name: str) -> str:
    """The family name of 'Dhaval Shah' or of a Vancouver author 'Gay F', 'Jackson GH'."""
    words = name.split("(")[0].split()
    if len(words) >= 2 and words[-1].isupper() and len(words[-1]) <= 3:
        return " ".join(words[:-1])
    return words[-1] if words else name


def reader_names(store: QueryStore) -> dict[str, str]:
    """Each source document as a reader cites it: the article it reports and how it reached us
    (``Gay et al. 2018 (JAMA Oncol) via news report``), its own author and year for an authored
    document (``Shah 2021 (reference answer)``), else its kind (``unattributed review excerpt``)."""
    rows: dict[str, list[dict[str, str]]] = {}
    for row in store.query(_READER_NAMES).rows:
        values = {k: str(term_to_python(v)) for k, v in row.items()}
        rows.setdefault(values["source"], []).append(values)
    names: dict[str, str] = {}
    for iri, found in rows.items():
        first = found[0]
        kind = first.get("kind") or "source document"
        if first.get("author"):
            year = first.get("date", "")[:4]
            names[iri] = f"{_surname(first['author'])} {year} ({kind})".replace("  ", " ")
            continue
        cited = [r for r in found if r.get("citation")]
        reported = [r for r in cited if r.get("reported") in ("true", "True", "1")]
        candidates = reported or (cited if len({r["pub"] for r in cited}) == 1 else [])
        if not candidates:
            names[iri] = f"unattributed {kind}"
            continue
        pub = candidates[0]
        who = f"{_surname(pub['citation'].split(',')[0])} et al."
        year = pub.get("pubDate", "")[:4] or next(iter(re.findall(r"\b(?:19|20)\d\d\b", pub["citation"])), "")
        journal = journal_abbreviation(pub.get("citation"), pub.get("journal"))
        names[iri] = " ".join(p for p in (who, year, f"({journal})" if journal else "", "via", kind) if p)
    return {iri[len(PREFIXES["res"]):] if iri.startswith(PREFIXES["res"]) else iri: name
            for iri, name in names.items()}


def study_names(store: QueryStore) -> dict[str, str]:
    """Each study by the name a clinician knows it by: a cited trial the curator identified as a
    named trial by that trial's name (``MM-015 (likely)``), else its short label or label."""
    return _study_names([{k: str(term_to_python(v)) for k, v in row.items()}
                         for row in store.query(_STUDY_NAMES).rows])


def _study_names(rows: list[dict[str, str]]) -> dict[str, str]:
    names: dict[str, str] = {}
    for values in rows:
        own = values.get("short") or values["label"]
        if "trial" in values:
            trial = values.get("trialShort") or values["trialLabel"]
            names[values["study"]] = f"{trial} (likely)" if "likely" in own.lower() else trial
        else:
            names.setdefault(values["study"], own)
    return names


class Names:
    """The reader's names of one store's sources and studies, read once."""

    def __init__(self, store: QueryStore) -> None:
        self._store = store

    @cached_property
    def sources(self) -> dict[str, str]:
        """Source id (``s000``) to its full reader's name."""
        return reader_names(self._store)

    @cached_property
    def short_sources(self) -> dict[str, str]:
        """Source id to a name that fits in running text (``Gay et al. 2018``, ``the review excerpt``)."""
        return {sid: (name.split(" (")[0] if not name.startswith("unattributed ")
                      else "the " + name[len("unattributed "):]) for sid, name in self.sources.items()}

    @cached_property
    def _study_rows(self) -> list[dict[str, str]]:
        return [{k: str(term_to_python(v)) for k, v in row.items()} for row in self._store.query(_STUDY_NAMES).rows]

    @cached_property
    def studies(self) -> dict[str, str]:
        """Study IRI to its trial name or short label, with source ids spelled out."""
        return {iri: self._spell_sources(name) for iri, name in _study_names(self._study_rows).items()}

    @cached_property
    def _replacements(self) -> list[tuple[str, str]]:
        shorts: list[tuple[str, str]] = []
        for values in self._study_rows:
            name = self.studies.get(values["study"])
            for own in (values.get("short"), values["label"]):
                if own and name and own != name:
                    shorts.append((own, name))
        return sorted(set(shorts), key=lambda pair: -len(pair[0]))

    def _spell_sources(self, text: str) -> str:
        def spelled(match: re.Match[str]) -> str:
            short = self.short_sources.get(match.group(0).split()[0])
            if short is None:
                return match.group(0)
            return short if short.startswith("the ") else short + (match.group(1) or "")

        return _SOURCE_ID.sub(spelled, text)

    def text(self, label: str | None) -> str:
        """``label`` with each study's short label replaced by its name and source ids spelled out:
        "..., ref. 2 of s002 (likely MM-015)" reads "..., MM-015 (MPR-R) (likely)"."""
        if not label:
            return ""
        for own, name in self._replacements:
            if own in label:
                label = label.replace(own, name)
        return self._spell_sources(label)

    def warm(self) -> Names:
        """Read every name now rather than on first use."""
        _ = self.sources, self.studies, self._replacements, self.inferred_by_curator, self.publications
        return self

    def source(self, source_id: str) -> str:
        return self.sources.get(source_id, source_id)

    @cached_property
    def inferred_by_curator(self) -> dict[str, list[str]]:
        """Finding IRI to what in it the curator inferred rather than read (``comparator``)."""
        found: dict[str, list[str]] = {}
        for row in self._store.query(_CURATOR_INFERRED).rows:
            what = str(term_to_python(row["what"]))
            found.setdefault(str(term_to_python(row["finding"])), []).append(
                re.sub(r"(?<!^)(?=[A-Z])", " ", what.rsplit("/", 1)[-1]).lower())
        return found

    @cached_property
    def publications(self) -> dict[str, str]:
        """Publication IRI to its short citation, such as ``Jackson et al. (Lancet Oncol)``."""
        found: dict[str, str] = {}
        for row in self._store.query(_PUBLICATIONS).rows:
            values = {k: str(term_to_python(v)) for k, v in row.items()}
            citation = values.get("citation")
            if not citation:
                found.setdefault(values["pub"], values.get("label") or values["pub"].rsplit("/", 1)[-1])
                continue
            year = values.get("date", "")[:4] or next(iter(re.findall(r"\b(?:19|20)\d\d\b", citation)), "")
            journal = journal_abbreviation(citation, values.get("journal"))
            who = f"{_surname(citation.split(',')[0])} et al."
            found[values["pub"]] = " ".join(p for p in (who, year, f"({journal})" if journal else "") if p)
        return found
