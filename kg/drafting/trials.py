"""The trials an article names: its acronym from the title, the abstract or beside its registry id.

"Ixazomib maintenance after transplantation (FALCON-2): a randomised, placebo-controlled phase 3
trial", "the FALCON-2 trial (NCT01234567)", "ClinicalTrials.gov number, NCT01234567 (FALCON-2)": the
trial is FALCON-2, its registry id an identifier of it, not its name. A trial the graph already holds
(same registry id, label, short label, synonym or acronym) is that trial: a later report attaches to
it rather than drafting a new one.

>>> [(name, ids) for name, ids in trial_names("Ixazomib after ASCT (FALCON-2): a randomised phase 3 trial")]
[('FALCON-2', ())]
>>> trial_names("The FALCON-2 trial (ClinicalTrials.gov number, NCT01234567) enrolled 656 patients.")
[('FALCON-2', ('NCT01234567',))]
"""

from __future__ import annotations

import re

from kg.drafting.lexicon import _NOT_TRIALS, Lexicon, Term, slug

__all__ = ["learn_trials", "trial_names"]

_NAME = r"(?P<name>(?>[A-Z][A-Za-z0-9]{1,15}+)(?:-(?>[A-Za-z0-9]{1,10}+)){0,3}+)"
_HEADINGS = frozenset({"BACKGROUND", "METHODS", "RESULTS", "CONCLUSIONS", "CONCLUSION", "INTERPRETATION", "FINDINGS",
                       "FUNDING", "PURPOSE", "OBJECTIVE", "OBJECTIVES", "DESIGN", "SETTING", "PARTICIPANTS",
                       "INTERVENTIONS", "IMPORTANCE", "INTRODUCTION", "ABSTRACT", "SUMMARY", "AIMS", "CONTEXT",
                       "DISCUSSION", "REFERENCES", "PATIENTS", "KEY", "NOTE", "UPDATE", "NEWS", "CLINICALTRIALS",
                       "ISRCTN", "EUDRACT"})
_ID = r"(?P<id>NCT\d{8}|ISRCTN\d{8})"
_REGISTRY_WORDS = r"(?:(?:ClinicalTrials\.gov|ISRCTN)\s+(?:number|identifier|registration|ID)?[,:]?\s*)?"
_PATTERNS = (
    # "(FALCON-2): a randomised ...", "FALCON-2: a phase 3 trial"
    re.compile(rf"(?:^|\(|\s){_NAME}\)?\s*:\s*(?:a|an|the)\s+(?:\w+[\s,-]+){{0,4}}?(?:randomi[sz]ed|phase|multicent|"
               rf"open-label|double-blind|placebo-controlled|trial|study)", re.IGNORECASE),
    # "FALCON-2 (NCT01234567)", "the FALCON-2 trial (ClinicalTrials.gov number, NCT01234567)"
    re.compile(rf"\b{_NAME}(?:\s+(?:trial|study))?\s*[(\[,;]\s*{_REGISTRY_WORDS}{_ID}"),
    # "NCT01234567 (FALCON-2)", "(NCT01234567; FALCON-2)"
    re.compile(rf"{_ID}\s*(?:[;,]\s*|\(\s*){_NAME}(?=\s*[);,])"),
)


def _acronym(name: str) -> bool:
    """Whether a name reads as a trial's acronym: two capitals or more, not a word the lexicon rules out."""
    return (sum(c.isupper() for c in name) >= 2 and name.upper() not in _NOT_TRIALS | _HEADINGS
            and not name.startswith(("NCT", "ISRCTN")) and not name.isdigit() and len(name) <= 30)


def trial_names(text: str) -> list[tuple[str, tuple[str, ...]]]:
    """(name, registry ids) of every trial acronym the text introduces, in order, each once."""
    found: dict[str, list[str]] = {}
    for pattern in _PATTERNS:
        for match in pattern.finditer(text[:200_000]):
            name = match["name"]
            if not _acronym(name):
                continue
            ids = found.setdefault(name, [])
            registry = match.groupdict().get("id")
            if registry and registry not in ids:
                ids.append(registry)
    # an article that names one trial and prints one registry number elsewhere ("In this phase 3 trial
    # (ClinicalTrials.gov number, NCT…)") reports that trial under that number
    printed = list(dict.fromkeys(re.findall(r"\b(?:NCT\d{8}|ISRCTN\d{8})\b", text[:200_000])))
    unattached = [r for r in printed if not any(r in ids for ids in found.values())]
    if len(found) == 1 and len(unattached) == 1 and not next(iter(found.values())):
        next(iter(found.values())).append(unattached[0])
    return [(name, tuple(ids)) for name, ids in found.items()]


def _known(lexicon: Lexicon, name: str, ids: tuple[str, ...]) -> Term | None:
    key = name.lower().replace(" ", "-")
    for term in lexicon.by_kind("study"):
        if not term.known:
            continue
        names = [term.label, term.short_label or "", *term.synonyms, term.label.split()[0]]
        if set(ids) & set(term.registry) or key in {n.lower().replace(" ", "-") for n in names if n}:
            return term
    return None


def learn_trials(lexicon: Lexicon, text: str) -> list[str]:
    """Teach the article's lexicon the trials the text names (a trial of the graph, else a new draft one).

    :returns: what was learnt, as lines for the draft's warnings-free log (``FALCON-2 = NCT01234567``).
    """
    learnt = []
    for name, ids in trial_names(text):
        term = _known(lexicon, name, ids)
        if term is None:
            term = Term("study", slug(name), name, known=False, registry=ids)
            lexicon.terms[("study", term.id)] = term
            learnt.append(f"{name}" + (f" = {', '.join(ids)}" if ids else "") + " (new trial)")
        else:
            learnt.append(f"{name} = {term.id} (in the graph)")
        for surface in (name, f"{name} trial", f"{name} study", *ids):
            lexicon.surfaces[surface] = term
        lexicon.exact.update({name, *ids})
        if lexicon._found is not None:
            lexicon._found.clear()
    return learnt
