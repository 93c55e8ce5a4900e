"""Which arm a count of patients is: the regimen a sentence names right after it ("372 patients were
assigned to daratumumab plus lenalidomide", "394 received ixazomib and 262 received placebo",
"307 were randomly assigned to lenalidomide"), or every arm ("randomly assigned, 251 to each group").
A count followed by two regimens set against each other ("742 were randomly assigned to X or to Y")
is the total randomised between them, no arm's.

>>> bool(TO_EACH_ARM.match(" to each group"))
True
"""

from __future__ import annotations

import re

from kg.drafting.attach import SentenceTerms
from kg.drafting.lexicon import Mention, Term

__all__ = ["TO_EACH_ARM", "every_arm", "regimen_after"]

_TO_ARM = re.compile(r"""
    \s*+(?:patients\s++)?(?:(?:were|was)\s++)?(?:randomly\s++|randomi[sz]ed\s++)?
    (?:(?:assigned|allocated|randomi[sz]ed)\s++to\s++|received\s++|to\s++)?
    (?:receive\s++)?(?:the\s++)?
    """, re.IGNORECASE | re.VERBOSE)
_BETWEEN = re.compile(r"\s*+,?\s*+(?:or|versus|vs\.?)\s", re.IGNORECASE)
TO_EACH_ARM = re.compile(r"""
    \s*+(?:patients\s++)?(?:(?:were|was)\s++)?(?:(?:randomly\s++)?(?:assigned|allocated)\s++)?
    (?:(?:to|in|per)\s++)?(?:each|either)\s++(?:group|arm)
    """, re.IGNORECASE | re.VERBOSE)
"""A count that is every arm's: "251 to each group", "200 patients in each arm"."""


def regimen_after(sentence: str, regimens: list[Mention], end: int, *, said: bool = False) -> Term | None:
    """The regimen a count of patients ending at ``end`` was assigned to or received, if the sentence says
    (``said``: the count's own figure already ends with "assigned to")."""
    words = _TO_ARM.match(sentence, end)
    if words is None or not (said or words.group().strip()):
        return None
    mention = next((m for m in regimens if m.start == words.end()), None)
    if mention is None or _BETWEEN.match(sentence, mention.end):
        return None
    return mention.term


def every_arm(terms: SentenceTerms, position: int) -> list[Term]:
    """The arms "each group" means: the two the sentence names, else the trial's main comparison as the
    article established it, else the two regimens last set against each other (none when unclear)."""
    named = list(dict.fromkeys(m.term for m in terms.regimens))
    main = terms.context.comparison
    if len(named) == 2:
        return terms.arms_in_order(position)
    if not named and main is not None and main.comparator is not None:
        return [main.experimental, main.comparator]
    arms = terms.arms_in_order(position)
    return arms if len(arms) == 2 else []
