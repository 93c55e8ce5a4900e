"""Which endpoint, regimen, arm, study and adverse event a figure goes with.

Rules, in order: what the sentence names right after the figure (``32 months for VT``, ``7% with VT``,
``in the CALGB study``), then the nearest mention before it in the sentence (``PFS (HR 0.62 …)``),
then anything later in the sentence, then what the paragraph named last (a sentence that reports
``(8%)`` continues the one before; a new paragraph forgets it). ``respectively`` pairs values with
the regimens in the order the sentence named them, active ones first; the last two regimens the
article set against each other are a last resort, across paragraphs. A figure in a sentence naming
several trials belongs to the article's own study. Each answer says whether it came from the
sentence or from its context, which lowers the draft's confidence.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from kg.drafting.anaphora import Comparison, added, added_regimens, anaphors, arm_of_added_drug, joined_by_and
from kg.drafting.lexicon import Lexicon, Mention, Term, slug

__all__ = ["Context", "Found", "SentenceTerms", "regimen_for"]

_CONNECTOR = re.compile(r"\s*(?:plus|\+|-|–|/|combined with|in combination with|and low-dose|with low-dose)\s*"
                        r"(?:either\s+)?(?:low-dose\s+)?", re.IGNORECASE)
_CONTEXT_AFTER = re.compile(r"[\s-]*(?:\w+\s+)?(?:induction|consolidation|conditioning|salvage|pretreatment)\b",
                            re.IGNORECASE)
_FOLLOWING = re.compile(r"\s*(?:months?|years?|weeks?|days?|%)?\s*(?:of\s+(?:the\s+)?patients\s+)?"
                        r"(?:with|for|in|on|of|receiving|under)\s+(?:the\s+)?(?:patients\s+(?:receiving|on|in)\s+)?$",
                        re.IGNORECASE)
_GENERIC_AE = "adverse-events-any"


@dataclass(frozen=True)
class Found:
    """A term and whether the sentence itself names it (rather than its context)."""

    term: Term
    in_sentence: bool


@dataclass
class Context:
    """What the paragraph (and the article) named last, for sentences that continue it."""

    endpoint: Term | None = None
    regimens: list[Term] = field(default_factory=list)
    study: Term | None = None
    main_study: Term | None = None
    compared: list[Term] = field(default_factory=list)
    """The regimens the article last set against each other; kept across paragraphs, a last resort."""
    comparison: Comparison | None = None
    """The trial's main comparison as the article's opening established it (:mod:`kg.drafting.anaphora`):
    what "the combination" or "the control group" refers to."""
    single_trial: bool = False
    """Whether the article reports one trial only: then a ratio no regimen is named for is its main comparison."""

    def new_paragraph(self) -> None:
        self.endpoint = None
        self.regimens = []
        self.study = None


def regimen_for(drugs: Sequence[Term], lexicon: Lexicon) -> Term:
    """The regimen of exactly these drugs: a curated one when the graph has it, else a new draft."""
    ids = tuple(dict.fromkeys(d.id for d in drugs))
    for term in lexicon.by_kind("regimen"):
        if term.components and set(term.components) == set(ids) and len(term.components) == len(ids):
            return term
    label = f"{drugs[0].label} alone" if len(ids) == 1 else " plus ".join(d.label for d in drugs)
    return Term("regimen", slug("-".join(ids) + ("-alone" if len(ids) == 1 else "")), label, known=False,
                components=ids)


class SentenceTerms:
    """The terms one sentence names, with the rules that attach them to a figure at a position."""

    def __init__(self, sentence: str, mentions: list[Mention], lexicon: Lexicon, context: Context) -> None:
        self.sentence = sentence
        self.context = context
        self.lexicon = lexicon
        self.mentions = mentions
        self.regimens = self._regimens(mentions, lexicon)

    def _regimens(self, mentions: list[Mention], lexicon: Lexicon) -> list[Mention]:
        out: list[Mention] = []
        items = [m for m in mentions if m.term.kind in ("drug", "regimen")]
        adding = {drug.start: [m.term for m in backbone] for drug, backbone in added(self.sentence, mentions)}
        backbones = {m.start for drug, backbone in added(self.sentence, mentions) for m in backbone[1:]}
        i = 0
        while i < len(items):
            first = items[i]
            if first.term.kind == "regimen":
                out.append(first)
                i += 1
                continue
            group = [first]
            j = i + 1
            while (j < len(items) and items[j].term.kind == "drug"
                   and (_CONNECTOR.fullmatch(self.sentence[group[-1].end:items[j].start])
                        or items[j].start in backbones or self._established_and(group, items[j]))):
                group.append(items[j])
                j += 1
            i = j
            if _CONTEXT_AFTER.match(self.sentence, group[-1].end):
                continue  # induction or consolidation, not the regimen a result is about
            term: Term | None = None
            if len(group) == 1 and first.start in adding:  # "adding X to Y": X names the combination X+Y
                term = added_regimens(first.term, adding[first.start], lexicon)[0]
            elif len(group) == 1:  # "the isatuximab group" of isatuximab-lenalidomide versus lenalidomide
                term = arm_of_added_drug(self.sentence, first, self.context.comparison)
            term = term or regimen_for([g.term for g in group], lexicon)
            out.append(Mention(term, group[0].start, group[-1].end, self.sentence[group[0].start:group[-1].end]))
        taken = [(m.start, m.end) for m in mentions]
        out += [m for m in anaphors(self.sentence, self.context.comparison)
                if all(m.end <= start or m.start >= end for start, end in taken)]
        return sorted(out, key=lambda m: m.start)

    def _established_and(self, group: list[Mention], drug: Mention) -> bool:
        """"isatuximab and lenalidomide" is one regimen when the article established that combination."""
        comparison = self.context.comparison
        if comparison is None or not joined_by_and(self.sentence, group[-1], drug):
            return False
        ids = {m.term.id for m in group} | {drug.term.id}
        return len(ids) == len(group) + 1 and ids <= set(comparison.experimental.components)

    def of_kind(self, kind: str) -> list[Mention]:
        if kind == "regimen":
            return self.regimens
        return [m for m in self.mentions if m.term.kind == kind]

    def following(self, kind: str, end: int, reach: int = 40) -> Term | None:
        """A term named right after a figure: ``32 months for VT``, ``7% with VT``, ``in the IFM study``."""
        for mention in self.of_kind(kind):
            if end <= mention.start <= end + reach and _FOLLOWING.match(self.sentence[end:mention.start]):
                return mention.term
        return None

    def nearest(self, kind: str, position: int, *, prefer_specific: bool = False, active: bool = False) -> Found | None:
        """The nearest mention before ``position``, else the first after it, else the paragraph's last.

        ``active`` skips regimens without active treatment (placebo, observation): the regimen an
        estimate is about, not its comparator.
        """
        mentions = [m for m in self.of_kind(kind) if not (active and m.term.no_active)]
        before = [m for m in mentions if m.end <= position]
        if prefer_specific and any(m.term.id != _GENERIC_AE for m in before):
            before = [m for m in before if m.term.id != _GENERIC_AE]
        if before:
            return Found(before[-1].term, True)
        after = [m for m in mentions if m.start >= position]
        if after:
            return Found(after[0].term, True)
        remembered = {"endpoint": self.context.endpoint, "study": self.context.study}.get(kind)
        remembered_regimens = [t for t in self.context.regimens if not (active and t.no_active)]
        if kind == "regimen" and remembered_regimens:
            remembered = remembered_regimens[0] if active else remembered_regimens[-1]
        return Found(remembered, False) if remembered is not None else None

    def arms_in_order(self, position: int) -> list[Term]:
        """The regimens a pair of values compares: active ones first, then no treatment or placebo."""
        named = [m.term for m in self.regimens]
        if not named:
            named = list(self.context.regimens)
        if len(set(named)) < 2 and len(self.context.compared) >= 2 and \
                all(t in self.context.compared for t in named):
            named = list(self.context.compared)
        unique = list(dict.fromkeys(named))
        active = [t for t in unique if not t.no_active]
        inactive = [t for t in unique if t.no_active]
        return [*active, *inactive]

    def study(self, position: int, end: int) -> Found | None:
        after = self.following("study", end, reach=25)
        if after is not None:
            return Found(after, True)
        named = {m.term for m in self.of_kind("study")}
        if len(named) >= 2 and self.context.main_study is not None:
            return Found(self.context.main_study, False)  # "a meta-analysis of three trials (A, B and C)"
        found = self.nearest("study", position)
        if found is not None:
            return found
        if self.context.main_study is not None:
            return Found(self.context.main_study, False)
        return None

    def remember(self) -> None:
        """Carry what this sentence named to the next one."""
        endpoints = self.of_kind("endpoint")
        if endpoints:
            self.context.endpoint = endpoints[-1].term
        if self.regimens:
            self.context.regimens = [m.term for m in self.regimens]
            unique = list(dict.fromkeys(self.context.regimens))
            if len(unique) >= 2 and any(not t.no_active for t in unique):
                self.context.compared = unique
        studies = self.of_kind("study")
        if studies:
            self.context.study = studies[-1].term


def arm_of(study: Term | None, regimen: Term | None) -> str | None:
    """The curated arm of ``study`` that receives ``regimen`` (a placebo arm for placebo, and so on)."""
    if study is None or regimen is None:
        return None
    for arm, arm_regimen in study.arms:
        if arm_regimen == regimen.id:
            return arm
    return None
