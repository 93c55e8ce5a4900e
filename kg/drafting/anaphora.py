"""The regimens an article establishes, and the phrases that refer back to them.

A trial report names its comparison once, in the title or the lead ("Maintenance with isatuximab and
lenalidomide ...", "Adding isatuximab to lenalidomide maintenance ... than lenalidomide alone",
"daratumumab plus lenalidomide versus lenalidomide"), and then writes "with the combination", "the
triplet", "the experimental arm", "the control group". :func:`established_comparison` reads the
opening for that comparison (the experimental regimen and its comparator); :func:`anaphors` finds the
phrases of a sentence that refer to one of them. Both are conservative: an opening that sets up more
than one experimental regimen (a review of several trials) establishes none, and a phrase whose
referent is not clear (a "doublet" when neither regimen has two drugs) is left unresolved.

>>> [m.group() for m in _ANAPHOR.finditer("31% with the combination and 22% in the control group")]
['the combination', 'the control group']
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass

from kg.drafting.lexicon import Lexicon, Mention, Term

__all__ = ["OPENING", "Comparison", "added", "added_regimens", "anaphors", "arm_of_added_drug",
           "established_comparison", "joined_by_and"]

OPENING = 4
"""How many of the article's first sentences (title, lead or the abstract's opening) establish its comparison."""

_ANAPHOR = re.compile(
    r"\b(?:the|this|that)\s+(?:"
    r"(?P<combination>combination(?:\s+(?:regimen|therapy|treatment|arm|group|cohort))?"
    r"|combined\s+(?:regimen|therapy|treatment|maintenance)|(?:two|three|four)-drug\s+(?:combination|regimen))"
    r"|(?P<triplet>triplet(?:\s+(?:regimen|therapy|arm|group|combination))?)"
    r"|(?P<doublet>doublet(?:\s+(?:regimen|therapy|arm|group|combination))?)"
    r"|(?P<quadruplet>quadruplet(?:\s+(?:regimen|therapy|arm|group|combination))?)"
    r"|(?P<experimental>(?:experimental|investigational|intervention|study[\s-]drug|active[\s-]treatment)"
    r"\s+(?:arm|group|regimen|cohort|treatment|therapy))"
    r"|(?P<control>(?:control|comparator|standard[\s-]of[\s-]care|reference)\s+(?:arm|group|regimen|cohort|treatment))"
    r"|(?P<added>(?:(?:anti-CD38|anti-SLAMF7|monoclonal|CD38|SLAMF7)\s+)?antibody|proteasome\s+inhibitor"
    r"|immunomodulatory\s+(?:imide\s+)?(?:drug|agent)|IMiD)"
    r")(?![\w-])(?!\s+of\b)", re.IGNORECASE)
_CLASS_STEMS = (("antibody", "mab"), ("inhibitor", "zomib"), ("drug", "domide"), ("agent", "domide"),
                ("imid", "domide"))
"""A drug class named in place of the drug ("patients given the antibody") and the INN stem of its members."""
_SIZES = {"doublet": 2, "triplet": 3, "quadruplet": 4}
_WORD_SIZES = {"two": 2, "three": 3, "four": 4}
_ADDING = re.compile(r"\b(?:add(?:ing|ed)?|addition\s+of)\s+$", re.IGNORECASE)
_TO = re.compile(r"\s+(?:to|on\s+top\s+of)\s+(?:the\s+)?(?:standard\s+)?$", re.IGNORECASE)
_ADDED_TO = re.compile(r"\s+(?:added|adding)\s+to\s+(?:the\s+)?(?:standard\s+)?$", re.IGNORECASE)
_BACKBONE_JOIN = re.compile(r"\s*(?:,\s*(?:and\s+)?|and|plus|\+|-|–|/|with)\s*", re.IGNORECASE)
_AND = re.compile(r"\s+and\s+")
_COMPARED = re.compile(r"\b(?:vs\.?|versus|compared\s+with|than|against|relative\s+to|or)\b", re.IGNORECASE)
_ALONE = re.compile(r"\s+(?:alone|monotherapy|only)\b", re.IGNORECASE)
_ARM_WORD = re.compile(r"[\s-]+(?:group|arm|cohort)s?\b", re.IGNORECASE)
_ALONE_END = re.compile(r"\s(?:alone|monotherapy|only)$", re.IGNORECASE)


@dataclass(frozen=True)
class Comparison:
    """The trial's main comparison as the article establishes it."""

    experimental: Term
    comparator: Term | None


def _drugs(mentions: Sequence[Mention]) -> list[Mention]:
    return [m for m in mentions if m.term.kind == "drug"]


def joined_by_and(sentence: str, first: Mention, second: Mention) -> bool:
    """Whether two drug mentions are written ``X and Y`` (nothing else between them)."""
    return _AND.fullmatch(sentence[first.end:second.start]) is not None


def added(sentence: str, mentions: Sequence[Mention]) -> list[tuple[Mention, list[Mention]]]:
    """(added drug, backbone) of "adding X to Y", "the addition of X to Y and Z", "X added to Y": the
    backbone's mentions (drugs written together, or one regimen)."""
    items = [m for m in mentions if m.term.kind in ("drug", "regimen")]
    out = []
    for k, (first, second) in enumerate(itertools.pairwise(items)):
        between = sentence[first.end:second.start]
        backbone = second.term.kind == "drug" or (bool(second.term.components) and not second.term.no_active)
        if first.term.kind == "drug" and backbone \
                and ((_ADDING.search(sentence[max(0, first.start - 20):first.start]) and _TO.fullmatch(between))
                     or _ADDED_TO.fullmatch(between)):
            drugs = [second]
            for later in items[k + 2:]:
                if second.term.kind != "drug" or later.term.kind != "drug" \
                        or not _BACKBONE_JOIN.fullmatch(sentence[drugs[-1].end:later.start]):
                    break
                drugs.append(later)
            out.append((first, drugs))
    return out


def added_regimens(drug: Term, backbone: Sequence[Term], lexicon: Lexicon) -> tuple[Term, Term]:
    """(the combination, the backbone regimen) of adding ``drug`` to ``backbone`` (drugs, or one regimen)."""
    from kg.drafting.attach import regimen_for

    drugs = [d for t in backbone for d in ([t] if t.kind == "drug" else
                                           [lexicon.term("drug", c) or Term("drug", c, c) for c in t.components])]
    comparator = backbone[0] if len(backbone) == 1 and backbone[0].kind == "regimen" else regimen_for(drugs, lexicon)
    return regimen_for([drug, *drugs], lexicon), comparator


def established_comparison(opening: Sequence[tuple[str, list[Mention], list[Mention]]],
                           lexicon: Lexicon) -> Comparison | None:
    """The experimental regimen and its comparator the opening sentences establish, or None.

    ``opening`` holds each of the first sentences with its mentions and its regimen mentions (as
    :class:`kg.drafting.attach.SentenceTerms` composes them). A combination is established by
    "X plus Y" (any connector the regimens know), "adding X to Y" (the comparator is then Y), or
    "X and Y" when the opening also names one of them alone; its comparator is the regimen set
    against it ("versus Y", "than Y alone", placebo), else none. More than one candidate: none.
    """
    from kg.drafting.attach import regimen_for

    candidates: dict[Term, Term | None] = {}
    alone: list[Term] = []
    pairs: list[tuple[Term, Term]] = []
    for sentence, mentions, regimens in opening[:OPENING]:
        for mention in regimens:
            if len(mention.term.components) >= 2:
                candidates.setdefault(mention.term, None)
            if len(mention.term.components) <= 1 and (_ALONE.match(sentence, mention.end) or mention.term.no_active
                                                      or _ALONE_END.search(mention.text)):
                alone.append(mention.term)
        for first, second in itertools.pairwise(regimens):
            if _COMPARED.search(sentence[first.end:second.start]) and first.term != second.term:
                pairs.append((first.term, second.term))
        for drug, backbone in added(sentence, mentions):
            combination, backbone_regimen = added_regimens(drug.term, [m.term for m in backbone], lexicon)
            candidates[combination] = backbone_regimen
    for sentence, mentions, _ in opening[:OPENING]:
        drugs = _drugs(mentions)
        for first, second in itertools.pairwise(drugs):
            both = regimen_for([first.term, second.term], lexicon)
            single = {t.id for t in alone}
            if joined_by_and(sentence, first, second) and single & {regimen_for([first.term], lexicon).id,
                                                                    regimen_for([second.term], lexicon).id}:
                candidates.setdefault(both, None)
    if len(candidates) != 1:
        return _single_drug(pairs) if not candidates else None
    ((experimental, comparator),) = candidates.items()
    if comparator is None:
        comparator = next((c for e, c in pairs if e == experimental), None)
    if comparator is None:
        comparator = next((t for t in alone if set(t.components) < set(experimental.components) or t.no_active),
                          None)
    return Comparison(experimental, comparator)


def _single_drug(pairs: list[tuple[Term, Term]]) -> Comparison | None:
    """"X versus placebo", "X compared with observation": one active regimen against no treatment."""
    found = {(e, c) for e, c in pairs if not e.no_active and c.no_active}
    if len(found) != 1:
        return None
    ((experimental, comparator),) = found
    return Comparison(experimental, comparator)


def _referent(match: re.Match[str], comparison: Comparison) -> Term | None:
    experimental, comparator = comparison.experimental, comparison.comparator
    if match["control"]:
        return comparator
    if match["experimental"]:
        return experimental
    if match["added"]:  # "the antibody": the experimental regimen, when only it holds a drug of that class
        stem = next(stem for word, stem in _CLASS_STEMS if match["added"].lower().endswith(word))

        def holds(term: Term | None) -> bool:
            return term is not None and any(c.endswith(stem) for c in term.components)

        return experimental if holds(experimental) and not holds(comparator) else None
    arms = [t for t in (experimental, comparator) if t is not None]
    for group, size in _SIZES.items():
        if match[group]:
            sized = [t for t in arms if len(t.components) == size]
            return sized[0] if len(sized) == 1 else None
    words = re.match(r"(?i)(?:the|this|that)\s+(two|three|four)-drug", match.group())
    if words:
        sized = [t for t in arms if len(t.components) == _WORD_SIZES[words[1].lower()]]
        return sized[0] if len(sized) == 1 else None
    # "the combination": the experimental regimen, when it is the combination of the two
    if len(experimental.components) >= 2 and (
            comparator is None or len(comparator.components) < len(experimental.components)):
        return experimental
    return None


def anaphors(sentence: str, comparison: Comparison | None) -> list[Mention]:
    """The phrases of ``sentence`` that refer to a regimen of the established comparison, as mentions of it."""
    if comparison is None:
        return []
    out = []
    for match in _ANAPHOR.finditer(sentence):
        term = _referent(match, comparison)
        if term is not None:
            out.append(Mention(term, match.start(), match.end(), match.group()))
    return out


def arm_of_added_drug(sentence: str, drug: Mention, comparison: Comparison | None) -> Term | None:
    """"the isatuximab group" of an isatuximab-lenalidomide versus lenalidomide trial: the experimental
    regimen, named by the drug it adds to the comparator (never a drug both arms receive)."""
    if comparison is None or not _ARM_WORD.match(sentence, drug.end):
        return None
    experimental, comparator = comparison.experimental, comparison.comparator
    if len(experimental.components) < 2 or drug.term.id not in experimental.components:
        return None
    if comparator is not None and drug.term.id in comparator.components:
        return None
    return experimental
