"""Grounding: find the drugs, regimens, endpoints, adverse events and trials a sentence names.

The lexicon is built from the curated facts (labels, short labels, synonyms, the labels the import
module gives their external identifiers, trial registry identifiers) and from
``vocabulary.yaml`` (more ways of writing them, and entities the graph does not hold yet). Matching
is case-insensitive except for short acronyms, treats hyphens and spaces alike, accepts plurals and
prefers the longest match. An article's own abbreviations ("second primary malignancies (SPMs)")
are learnt from the article. A drug the lexicon does not know is still recognised by its INN stem
(``-zomib``, ``-lidomide``, ``-mab`` ...), and a trial by an acronym before "trial" or "study", or a
registry number; both become new entries marked draft.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path

import yaml

from kg import paths
from kg.curation.factbase import FactBase

__all__ = ["Lexicon", "Mention", "Term", "slug"]

_VOCABULARY = Path(__file__).with_name("vocabulary.yaml")
_INN = re.compile(
    r"(?<![\w-])[A-Za-z]{3,30}(?:zomib|lidomide|domide|tuzumab|ximab|zumab|umab|tinib|ciclib|parib|platin|phamide"
    r"|rubicin|toclax|inostat|nexor)(?![\w])", re.IGNORECASE)
_STEM_CLASSES = (("zomib", "ProteasomeInhibitor"), ("domide", "ImmunomodulatoryImideDrug"))
_TRIAL_NAME = re.compile(  # a name of at most five parts, each atomic: linear however long a run of capitals
    r"\b(?P<name>(?=[A-Z][a-z]{0,20}+[A-Z])(?>[A-Z][A-Za-z]{1,24}+)(?:[-/ ](?>[A-Z0-9][A-Za-z0-9]{0,24}+)){0,4}?)"
    r"\s+(?:study|trial)\b")
_BARE_TRIAL = re.compile(r"\b(?i:in|from|of|the)\s+(?P<name>(?>[A-Z][A-Z0-9]{3,24}+)(?:-(?>[A-Z0-9]{1,24}+)){0,4}+)"
                         r"(?![\w-])(?!\s+(?i:antibod|inhibitor|agonist|antagonist|receptor|protein|gene|mutation|"
                         r"expression|deletion|translocation|amplification|ligand|pathway|kinase|antigen))")
"""A bare acronym read as a trial ("in GANNET"); one before a molecule's noun ("the SLAMF7 antibody") names a target."""
_REGISTRY = re.compile(r"\b(?P<id>NCT\d{8}|ISRCTN\d{8})\b")
_NOT_TRIALS = frozenset({"RCT", "RCTS", "MA", "NMA", "IMID", "IMIDS", "IMWG", "FDA", "EMA", "OS", "PFS", "MM", "NDMM",
                         "ASCT", "SCT", "US", "UK", "EU", "THE", "THIS", "PHASE", "III", "II", "RRMM", "TTP",
                         "EFS", "ORR", "MRD", "HDT", "AUTO", "ALLO", "NCCN", "ESMO", "ASCO", "ASH", "EHA",
                         "JAMA", "NEJM", "HIGH", "RISK", "CI", "HR", "RR", "OR", "AE", "AES", "SPM", "SPMS",
                         "DVT", "VTE", "CR", "VGPR", "PR", "SD", "PD", "ITT", "NR", "NA", "USA"})
_ABBREVIATION = re.compile(r"\s*\((?P<abbr>[A-Za-z][A-Za-z0-9/-]{0,11})\)")


def slug(text: str) -> str:
    """A fact-file id from a name: ``'Thalidomide plus Bortezomib'`` -> ``'thalidomide-plus-bortezomib'``."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:80] or "x"


@dataclass(frozen=True)
class Term:
    """Something a sentence can name: an entity of the graph, or one the draft will define."""

    kind: str  # drug, regimen, endpoint, adverse_event, study, disease, agency
    id: str
    label: str
    known: bool = True
    components: tuple[str, ...] = ()
    """For a regimen: its drugs' ids (empty for no active treatment or a pooled regimen)."""
    no_active: bool = False
    classes: tuple[str, ...] = ()
    short_label: str | None = None
    synonyms: tuple[str, ...] = ()
    broader: tuple[str, ...] = ()
    registry: tuple[str, ...] = ()
    arms: tuple[tuple[str, str], ...] = ()
    """For a study: (arm id, regimen id) of its curated arms."""
    compares: tuple[str, ...] = ()


@dataclass(frozen=True)
class Mention:
    """A term named at ``start:end`` of a sentence."""

    term: Term
    start: int
    end: int
    text: str


def _pattern(surface: str) -> re.Pattern[str]:
    acronym = len(surface) <= 5 and sum(c.isupper() for c in surface) >= 2
    parts = [re.escape(p) for p in re.split(r"[\s\-‐–]+", surface.strip()) if p]
    body = r"[\s\-‐–]+".join(parts)
    if surface[-1:] == "y" and not acronym:
        body = body[:-1] + "(?:y|ies)"  # malignancy, malignancies
    plural = r"(?:e?s)?" if surface[-1:].isalpha() else ""
    return re.compile(rf"(?<![\w]){body}{plural}(?![\w])", 0 if acronym else re.IGNORECASE)


@dataclass
class Lexicon:
    """Surfaces (ways of writing) of every term, and the matching over a sentence."""

    surfaces: dict[str, Term] = field(default_factory=dict)
    terms: dict[tuple[str, str], Term] = field(default_factory=dict)
    exact: set[str] = field(default_factory=set)
    """Surfaces matched exactly as written (an article's own abbreviations)."""
    _found: dict[str, list[Mention]] | None = field(default=None, repr=False)
    """What :meth:`find` found in each sentence, only in a copy made for one article
    (:meth:`for_article`): the shared lexicon of a server keeps nothing per request."""

    def for_article(self) -> Lexicon:
        """A copy for drafting one article, which remembers what :meth:`find` found (a draft asks about
        the same sentence several times); it is dropped with the draft."""
        return Lexicon(dict(self.surfaces), dict(self.terms), set(self.exact), {})

    def add(self, term: Term, *surfaces: str | None) -> None:
        if self._found is not None:
            self._found.clear()
        self.terms.setdefault((term.kind, term.id), term)
        for surface in surfaces:
            if surface and len(surface) >= 2 and surface not in self.surfaces:
                self.surfaces[surface] = self.terms[(term.kind, term.id)]

    def term(self, kind: str, term_id: str) -> Term | None:
        return self.terms.get((kind, term_id))

    def by_kind(self, kind: str) -> Iterator[Term]:
        return (t for (k, _), t in self.terms.items() if k == kind)

    def find(self, sentence: str) -> list[Mention]:
        """Every term the sentence names, longest matches first, none overlapping, in text order."""
        if self._found is None:
            return self._find(sentence)
        known = self._found.get(sentence)
        if known is None:
            known = self._found[sentence] = self._find(sentence)
        return list(known)

    def _find(self, sentence: str) -> list[Mention]:
        found: list[Mention] = []
        for surface, term in self.surfaces.items():
            for match in _compiled(surface, surface in self.exact).finditer(sentence):
                found.append(Mention(term, match.start(), match.end(), match.group()))
        for match in _INN.finditer(sentence):
            name = match.group().lower()
            if not any(s.lower() == name for s in self.surfaces):
                classes = tuple(cls for stem, cls in _STEM_CLASSES if name.endswith(stem))
                found.append(Mention(Term("drug", slug(name), name, known=False, classes=classes),
                                     match.start(), match.end(), match.group()))
        for match in _REGISTRY.finditer(sentence):
            found.append(Mention(self._study_for_registry(match["id"]), match.start(), match.end(), match.group()))
        named = [(m, m.start("name"), m.end("name")) for m in _TRIAL_NAME.finditer(sentence)]
        named += [(m, m.start("name"), m.end("name")) for m in _BARE_TRIAL.finditer(sentence)
                  if m["name"] not in self.surfaces]
        for match, start, end in named:
            name = match["name"]
            if name.upper() not in _NOT_TRIALS and not name.isdigit() and not name.startswith(("NCT", "ISRCTN")):
                found.append(Mention(Term("study", slug(name), name, known=False), start, end, name))
        return _longest_first(found)

    def _study_for_registry(self, registry_id: str) -> Term:
        for term in self.by_kind("study"):
            if registry_id in term.registry:
                return term
        return Term("study", slug(registry_id), registry_id, known=False, registry=(registry_id,))

    def learn_abbreviations(self, named: Iterable[tuple[str, list[Mention]]]) -> Lexicon:
        """A copy that also knows the article's own abbreviations, ``long form (ABBR)``, given each
        sentence with the terms it names (regimens composed of their drugs included). An abbreviation
        has an upper-case letter and two characters or more (one suffices for a regimen: "lenalidomide
        (R)"), and is matched exactly as written, never inside a hyphenated word ("R-ISS")."""
        learnt = Lexicon(dict(self.surfaces), dict(self.terms), set(self.exact), None if self._found is None else {})
        for sentence, mentions in named:
            for mention in mentions:
                match = _ABBREVIATION.match(sentence, mention.end)
                abbr = match["abbr"] if match else ""
                if abbr and abbr not in learnt.surfaces and any(c.isupper() for c in abbr) \
                        and (len(abbr) >= 2 or mention.term.kind == "regimen"):
                    learnt.surfaces[abbr] = mention.term
                    learnt.exact.add(abbr)
        return learnt

    @classmethod
    def from_facts(cls, base: FactBase) -> Lexicon:
        """The lexicon of the curated facts plus ``vocabulary.yaml``."""
        lexicon = cls()
        import_labels = _import_labels()
        vocabulary = yaml.safe_load(_VOCABULARY.read_text(encoding="utf-8"))
        extra: dict[str, list[str]] = vocabulary.get("synonyms", {})
        ref = base.reference
        groups: list[tuple[str, Iterable[object]]] = [
            ("drug", [*ref.drugs, *(d for s in base.sources for d in s.drugs)]),
            ("regimen", [*ref.regimens, *(r for s in base.sources for r in s.regimens)]),
            ("adverse_event", [*ref.adverse_events, *(a for s in base.sources for a in s.adverse_events)]),
            ("endpoint", [*ref.endpoints, *(e for s in base.sources for e in s.endpoints)]),
            ("disease", ref.diseases), ("agency", ref.agencies), ("study", list(base.studies())),
            ("characteristic", ref.characteristics),
        ]
        arms = [(a.study, a.id, a.regimen) for a in base.arms()]
        for kind, entries in groups:
            for entry in entries:
                term = _term(kind, entry, arms)
                curies = [x.curie for x in getattr(entry, "xrefs", [])]
                lexicon.add(term, term.label, term.short_label, *term.synonyms, *extra.get(term.id, []),
                            *(import_labels.get(c) for c in curies), getattr(entry, "cited_as", None))
        for kind in ("drug", "endpoint", "adverse_event"):
            for raw in vocabulary.get(f"{kind}s", []):
                term = Term(kind, raw["id"], raw["label"], known=False, classes=tuple(raw.get("classes", [])),
                            short_label=raw.get("short_label"), synonyms=tuple(raw.get("synonyms", [])),
                            broader=tuple(raw.get("broader", [])))
                lexicon.add(term, term.label, *term.synonyms)
        _trial_acronyms(lexicon)
        return lexicon


def _term(kind: str, entry: object, arms: list[tuple[str, str, str]]) -> Term:
    get = entry.__getattribute__
    entry_id: str = get("id")
    registry = tuple(x.curie.split(":", 1)[1] for x in get("xrefs")
                     if x.curie.split(":", 1)[0] in ("clinicaltrials", "isrctn"))
    return Term(
        kind, entry_id, get("label"), known=True,
        components=tuple(getattr(entry, "components", ())),
        no_active=getattr(entry, "kind", "") == "no_active_treatment",
        classes=tuple(getattr(entry, "classes", ())), short_label=get("short_label"),
        synonyms=tuple(get("synonyms")), registry=registry,
        arms=tuple((arm, regimen) for study, arm, regimen in arms if study == entry_id),
        compares=tuple(getattr(entry, "compares", ())),
    )


def _trial_acronyms(lexicon: Lexicon) -> None:
    """'CALGB study', 'IFM trial': a trial's leading acronym before study/trial, when only one trial has it."""
    by_acronym: dict[str, list[Term]] = {}
    for term in lexicon.by_kind("study"):
        first = term.label.split()[0]
        if re.fullmatch(r"[A-Z]{3,}", first):
            by_acronym.setdefault(first, []).append(term)
    for acronym, terms in by_acronym.items():
        if len(terms) == 1:
            lexicon.add(terms[0], f"{acronym} study", f"{acronym} trial")


def _longest_first(found: list[Mention]) -> list[Mention]:
    """Longest mentions first, each kept when it overlaps none kept before, in text order.

    The kept mentions never overlap, so they are sorted by start and by end alike: a new one can only
    overlap its two neighbours there (a bisection, not a scan: linear-logarithmic in the mentions).
    """
    starts: list[int] = []
    ends: list[int] = []
    chosen: list[Mention] = []
    for mention in sorted(found, key=lambda m: (-(m.end - m.start), m.start, not m.term.known)):
        at = bisect.bisect_left(starts, mention.start)
        if at < len(starts) and starts[at] < mention.end:  # the next kept one starts inside it
            continue
        if at > 0 and ends[at - 1] > mention.start:  # the previous kept one runs into it
            continue
        starts.insert(at, mention.start)
        ends.insert(at, mention.end)
        chosen.insert(at, mention)
    return chosen


@lru_cache(maxsize=4096)  # bounded: an article's own abbreviations are surfaces too
def _compiled(surface: str, exact: bool = False) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w-]){re.escape(surface)}(?![\w-])") if exact else _pattern(surface)


@cache
def _import_labels() -> dict[str, str]:
    """Labels the import module gives external identifiers (``curie -> label``)."""
    raw = yaml.safe_load(paths.curated_terms_file().read_text(encoding="utf-8")) or []
    return {item["curie"]: item["label"] for item in raw if isinstance(item, dict) and "label" in item}

