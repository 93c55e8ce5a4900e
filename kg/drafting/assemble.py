"""Turn one sentence's figures and terms into draft findings in the fact-file schema.

One finding per figure group: a ratio with its interval and p-value; one median per arm of a
``23 vs 15 months`` pair (and a comparison holding the p-value that goes with the pair); one
proportion per arm; a count; a dose with its schedule; a duration; a data cut-off; a comparison
for a p-value no estimate claims, and for a graded adverse event a sentence says is more frequent.
Every finding gets ``status: draft`` and a confidence: 0.9 when the sentence itself names the
endpoint and the regimen or arm, less for each that came from the context or is missing.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, cast

from kg.drafting import outcomes
from kg.drafting.arm_counts import TO_EACH_ARM, every_arm, regimen_after
from kg.drafting.attach import Found, SentenceTerms, arm_of
from kg.drafting.clauses import clause_endpoint, clause_of, clause_timepoint
from kg.drafting.figuredata import (
    CountData,
    DoseData,
    EventsData,
    Figure,
    PercentData,
    RatioData,
    TimeData,
    TimePairData,
)
from kg.drafting.lexicon import Term

__all__ = ["Drafted", "draft_sentence"]

_BENEFIT = re.compile(r"\b(?:improv|prolong|longer|better|superior|reduc|lower risk|benefit)", re.IGNORECASE)
_HARM = re.compile(r"\b(?:increas|higher (?:risk|rate|incidence)|more frequent|worse|elevated risk)", re.IGNORECASE)
_NO_DIFFERENCE = re.compile(r"\b(?:no (?:significant )?(?:difference|benefit|improvement)|did not|failed to|"
                            r"not (?:significantly|statistically)|similar)\b", re.IGNORECASE)
_RANDOMISED = re.compile(r"randomly|were randomi[sz]ed|randomi[sz]ed (?:patients|participants|to|in|at|between)|"
                         r"underwent randomi[sz]ation|"
                         r"were (?:allocated|assigned)|randomi[sz]ation (?:of|to)", re.IGNORECASE)
_COMPARED = re.compile(r"\b(?:vs\.?|versus|compared|than|or|against|relative to)\b", re.IGNORECASE)
_MAIN_AE = re.compile(r"\b(?:particularly|especially|mainly|mostly|most commonly|chiefly|notably)\b", re.IGNORECASE)
_COUNT_NOUNS = {"patients": "patients", "subjects": "patients", "participants": "patients",
                "individuals": "patients", "people": "patients", "studies": "studies", "trials": "studies",
                "rcts": "studies", "regimens": "regimens", "arms": "regimens"}
_RATIO_KINDS = {"hazard ratio": "hazard_ratio", "hr": "hazard_ratio", "ahr": "hazard_ratio", "risk ratio": "risk_ratio",
                "relative risk": "risk_ratio", "rr": "risk_ratio"}
_FEWER = re.compile(r"\b(?:lower|fewer|less|reduc|decreas)", re.IGNORECASE)
_ADVERSE = frozenset({"ae-incidence", "discontinuation"})
_PLACES = frozenset({"centres", "centers", "sites", "countries", "hospitals", "institutions"})
_SAFETY = re.compile(r"safety (?:population|set|analysis)", re.IGNORECASE)
_RESPECTIVELY = re.compile(r"\brespectively\b")
_BEFORE_RANDOMISATION = re.compile(r"\s+(?:were\s+|was\s+)?(?:enrolled|included|recruited|screened|registered)\b", re.I)


@dataclass
class Drafted:
    """A draft finding (fields in the schema's names) and the span of the sentence it was read from."""

    fields: dict[str, Any]
    start: int
    end: int
    terms: list[Term] = field(default_factory=list)
    """Every term the finding names, so new ones can be defined in the draft."""


class _Builder:
    def __init__(self, sentence: str, locator: str, terms: SentenceTerms) -> None:
        self.s = sentence
        self.at = locator
        self.terms = terms
        self.out: list[Drafted] = []
        # what the whole sentence says, read once (not once per figure: a sentence can hold thousands)
        self.harm = _HARM.search(sentence) is not None
        self.benefit = _BENEFIT.search(sentence) is not None
        self.fewer = _FEWER.search(sentence) is not None
        self.randomised = _RANDOMISED.search(sentence) is not None
        self.safety = _SAFETY.search(sentence) is not None
        self.respectively_at = max((m.start() for m in _RESPECTIVELY.finditer(sentence)), default=-1)

    def add(self, figure: Figure, fields: dict[str, Any], terms: list[Found | None], *, end: int | None = None) -> None:
        confidence = Decimal("0.9")
        named: list[Term] = []
        for found in terms:
            if found is None:
                confidence -= Decimal("0.2")
                continue
            named.append(found.term)
            if not found.in_sentence:
                confidence -= Decimal("0.15")
            if not found.term.known:
                confidence -= Decimal("0.1")
        fields = {k: v for k, v in fields.items() if v is not None and v != []}
        for key in ("adverse_event", "main_adverse_event"):  # new adverse events are defined in the draft too
            if (term := self.terms.lexicon.term("adverse_event", str(fields.get(key)))) and term not in named:
                named.append(term)
        fields.update(status="draft", confidence=max(Decimal("0.1"), confidence).quantize(Decimal("0.01")))
        self.out.append(Drafted({"kind": fields.pop("kind"), "at": self.at, **fields},
                                figure.start, figure.end if end is None else end, named))

    def endpoint(self, position: int) -> tuple[Found | None, Found | None]:
        """(endpoint, adverse event) for a figure: an adverse event named before it makes it an incidence."""
        ae = self.terms.nearest("adverse_event", position, prefer_specific=True)
        endpoint = self.terms.nearest("endpoint", position)
        before_ae = ae is not None and ae.in_sentence and any(
            m.end <= position for m in self.terms.of_kind("adverse_event"))
        before_endpoint = endpoint is not None and endpoint.in_sentence and any(
            m.end <= position for m in self.terms.of_kind("endpoint"))
        if before_ae and not (before_endpoint and self._last_before("endpoint", position) >
                              self._last_before("adverse_event", position)):
            return Found(Term("endpoint", "ae-incidence", "adverse-event incidence"), True), ae
        return endpoint, None

    def _last_before(self, kind: str, position: int) -> int:
        return max((m.end for m in self.terms.of_kind(kind) if m.end <= position), default=-1)


def _value_fields(value: Decimal | tuple[Decimal, Decimal] | None) -> dict[str, Any]:
    if value is None:
        return {"not_reached": True}
    return {"range": list(value)} if isinstance(value, tuple) else {"value": value}


def _regimen_fields(study: Found | None, regimen: Found | None) -> dict[str, Any]:
    arm = arm_of(study.term if study else None, regimen.term if regimen else None)
    if arm is not None:
        return {"arm": arm}
    return {"regimen": regimen.term.id if regimen else None}


def _comparison(b: _Builder, figure: Figure, p: str | None, endpoint: Found | None, arms: list[Term],
                study: Found | None, ae: Found | None = None, grades: list[int] | None = None,
                higher_first: bool | None = None, note: str | None = None) -> None:
    """A comparison; its direction from what is measured: more of an adverse outcome with the intervention
    (more events, a higher rate) is harm, fewer is benefit; a significant difference in an adverse outcome
    that the sentence does not call lower is harm, never a benefit."""
    significant = outcomes.p_significant(p) if p else None
    adverse = ae is not None or bool(grades) or (endpoint is not None and endpoint.term.id in _ADVERSE)
    if _NO_DIFFERENCE.search(b.s[max(0, figure.start - 90):figure.start]) or significant is False:
        direction = "no_difference"
    elif adverse and higher_first is not None:
        direction = "harm" if higher_first else "benefit"
    elif adverse and b.fewer and not b.harm:
        direction = "benefit"
    elif adverse and (b.harm or significant):
        direction = "harm"
    elif higher_first is not None and significant:
        direction = "benefit" if higher_first else "harm"
    elif b.benefit or significant:
        direction = "benefit"
    else:
        return
    intervention = Found(arms[0], True) if arms else None
    comparator = Found(arms[1], True) if len(arms) > 1 and (arms[1].no_active or _compared(b, arms)) else None
    b.add(figure, {"kind": "comparison", "study": study.term.id if study else None,
                   "endpoint": endpoint.term.id if endpoint else None,
                   "adverse_event": ae.term.id if ae else None, "grades": grades,
                   "intervention": intervention.term.id if intervention else None,
                   "comparator": comparator.term.id if comparator else None, "p": p, "direction": direction,
                   "significant": significant, "note": note},
          [endpoint, intervention, study])


def _respectively(b: _Builder, figure: Figure) -> list[Term] | None:
    """For "27% and 20% with X and Y, respectively": the regimens in the order the sentence names them."""
    if b.respectively_at < figure.end:
        return None
    named = list(dict.fromkeys(m.term for m in b.terms.regimens))
    return named if len(named) >= 2 else b.terms.arms_in_order(figure.start)


def _compared(b: _Builder, arms: list[Term]) -> bool:
    """Whether the sentence sets the first two regimens against each other (``X compared with Y``, ``X or Y``)."""
    spans = {m.term: (m.start, m.end) for m in reversed(b.terms.regimens)}
    if arms[0] not in spans or arms[1] not in spans:
        return False
    first, second = sorted([spans[arms[0]], spans[arms[1]]])
    return _COMPARED.search(b.s[first[1]:second[0]]) is not None


def _pair_regimens(b: _Builder, figure: Figure, count: int, values_at: list[int]) -> list[Found | None]:
    """The regimen of each of ``count`` values: named after each value, else the sentence's order."""
    in_order = _respectively(b, figure)
    following = [b.terms.following("regimen", at) for at in values_at]
    if in_order is None and all(following):
        return [Found(t, True) for t in following if t is not None]
    ordered = in_order or b.terms.arms_in_order(figure.start)
    from_sentence = bool(b.terms.regimens)
    # as many as the sentence (or its context) names: "Lenalidomide improved PFS (median, 53 vs 34 months)"
    return [Found(ordered[k], from_sentence) if k < len(ordered) else None for k in range(count)]


def draft_sentence(sentence: str, locator: str, figures: list[Figure], terms: SentenceTerms) -> list[Drafted]:
    """The draft findings of one sentence (none for a sentence without figures): each figure drafted by
    its construction's handler (:attr:`kg.drafting.figuredata.Construction.handler`)."""
    from kg.drafting.sentence import draft

    return draft(_Builder(sentence, locator, terms), figures)


def _ratio(b: _Builder, figure: Figure, p: str | None, study: Found | None, p_end: int | None) -> None:
    data = cast(RatioData, figure.data)
    kind = _RATIO_KINDS.get(data["type"])
    if kind is None:
        return  # an odds ratio: the schema has no kind for it
    endpoint, ae = b.endpoint(figure.start)
    regimen = b.terms.nearest("regimen", figure.start, active=True)
    comparator = next((m.term for m in b.terms.regimens if m.term.no_active), None)
    if comparator is None and not b.terms.regimens:
        comparator = next((t for t in b.terms.context.regimens if t.no_active), None)
    before = [m for m in b.terms.regimens if m.end <= figure.start]
    pairs = [(a, c) for a, c in itertools.pairwise(before)
             if not a.term.no_active and a.term != c.term and _COMPARED.search(b.s[a.end:c.start])]
    named = list(dict.fromkeys(m.term for m in before))
    if pairs:  # "X compared with Y (HR …)", "X versus … placebo or observation (HR …)"
        regimen, comparator = Found(pairs[-1][0].term, True), pairs[-1][1].term
    elif len(named) == 2 and not any(t.no_active for t in named):  # "75% with KR and 65% with R (HR …)"
        regimen, comparator = Found(named[0], True), named[1]
    elif regimen is None and b.terms.context.single_trial and (main := b.terms.context.comparison) is not None:
        # "Overall survival data remain immature (HR 0.88 …)": the one trial's main comparison
        regimen, comparator = Found(main.experimental, False), main.comparator
    ci = data.get("ci")
    level = data.get("level")
    fields: dict[str, Any] = {
        "kind": kind, "study": study.term.id if study else None, "endpoint": endpoint.term.id if endpoint else None,
        "adverse_event": ae.term.id if ae else None,
        "intervention": regimen.term.id if regimen and not regimen.term.no_active else None,
        "comparator": comparator.id if comparator else None,
        "estimate": data["estimate"], "ci": list(ci) if ci and level else None,
        "ci_level": level if ci and level else None, "p": p,
        "significant": outcomes.p_significant(p) if p else None,
        "note": f"interval {ci[0]}-{ci[1]} stated without its level" if ci and not level else None,
        "direction": outcomes.ratio_direction(data["estimate"], ci, outcomes.p_significant(p) if p else None),
    }
    b.add(figure, fields, [endpoint, regimen, study], end=p_end)


def _time_pair(b: _Builder, figure: Figure, p: str | None, study: Found | None) -> None:
    endpoint = b.terms.nearest("endpoint", figure.start)
    data = cast(TimePairData, figure.data)
    values = data["values"]
    regimens = _pair_regimens(b, figure, 2, outcomes.ends_of_values(b.s, figure, 2))
    for value, regimen in zip(values, regimens, strict=True):
        b.add(figure, {"kind": "median", "study": study.term.id if study else None,
                       "endpoint": endpoint.term.id if endpoint else None, **_value_fields(value),
                       "unit": data["unit"], **_regimen_fields(study, regimen)},
              [endpoint, regimen, study])
    if p is not None:
        arms = [r.term for r in regimens if r is not None]
        _comparison(b, figure, p, endpoint, arms, study)


def _time(b: _Builder, figure: Figure, study: Found | None, times: list[Figure]) -> None:
    endpoint = b.terms.nearest("endpoint", figure.start)
    regimen: Found | None
    in_order = _respectively(b, figure)
    if in_order is None and (after := b.terms.following("regimen", figure.end)) is not None:
        regimen = Found(after, True)
    elif in_order is not None or len(times) > 1:
        ordered = in_order or b.terms.arms_in_order(figure.start)
        index = times.index(figure)
        regimen = Found(ordered[index], True) if index < len(ordered) else None
    else:
        regimen = b.terms.nearest("regimen", figure.start)
    b.add(figure, {"kind": "median", "study": study.term.id if study else None,
                   "endpoint": endpoint.term.id if endpoint else None,
                   **_value_fields(None if figure.kind == "not_reached" else cast(TimeData, figure.data)["value"]),
                   "unit": cast(TimeData, figure.data)["unit"], **_regimen_fields(study, regimen)},
          [endpoint, regimen, study])


def _percent(b: _Builder, figure: Figure, study: Found | None, percents: list[Figure]) -> None:
    endpoints = b.terms.of_kind("endpoint")
    named = clause_endpoint(b.s, endpoints, figure.start, figure.end)
    discontinuation = named if named is not None and named.term.id == "discontinuation" else None
    ae: Found | None
    main_ae = None
    if discontinuation is not None:  # "discontinuation due to adverse events, 13% vs 9%": its clause's
        endpoint: Found | None = Found(discontinuation.term, True)
        clause_end = clause_of(b.s, figure.start)[1]
        after = [m for m in b.terms.of_kind("adverse_event") if discontinuation.end < m.start < clause_end]
        ae = Found(after[0].term, True) if after else None
        marker = _MAIN_AE.search(b.s, discontinuation.end)
        main = [m for m in after[1:] if marker and m.start > marker.end()]
        main_ae = main[0].term.id if main else None
    else:
        endpoint, ae = b.endpoint(figure.start)
    index = percents.index(figure)
    regimen: Found | None
    in_order = _respectively(b, figure)
    if in_order is None and (after_term := b.terms.following("regimen", figure.end)) is not None:
        regimen = Found(after_term, True)
    elif len(percents) > 1:
        ordered = in_order or b.terms.arms_in_order(figure.start)
        if 2 <= len(ordered) < len(percents) and len(percents) % len(ordered) == 0:
            index %= len(ordered)  # "neutropenia in 12% versus 9%, and hypertension in 4% versus 1%"
        regimen = Found(ordered[index], bool(b.terms.regimens)) if index < len(ordered) else None
    else:
        regimen = b.terms.nearest("regimen", figure.start)
    when = clause_timepoint(b.s, figure.start, endpoint.term.id if endpoint else None, endpoints)
    b.add(figure, {"kind": "proportion", "study": study.term.id if study else None, "timepoint": when,
                   "endpoint": endpoint.term.id if endpoint else None, "adverse_event": ae.term.id if ae else None,
                   "main_adverse_event": main_ae, "value": cast(PercentData, figure.data)["value"],
                   **_regimen_fields(study, regimen),
                   "note": (f"{events['events']} of {events['of_total']} patients"
                            if figure.kind == "events" and (events := cast(EventsData, figure.data)) else None)},
          [endpoint, regimen, study])


def _count(b: _Builder, figure: Figure, study: Found | None) -> None:
    data = cast(CountData, figure.data)
    noun = str(data.get("noun", "patients")).lower()
    if noun in _PLACES:
        return  # "in 152 centres in 23 countries": never a count of patients
    regimen = None
    if figure.kind == "received":
        counts, regimen = "patients_received_allocated", b.terms.following("regimen", figure.end - 9, reach=30)
    elif figure.kind == "assigned":  # "307 were assigned to lenalidomide", "394 received ixazomib"
        counts = "patients_randomised" if b.randomised else "patients"
        regimen = regimen_after(b.s, b.terms.regimens, figure.end, said=True)
    elif "stage" in noun:
        counts = "randomisation_stages"
    elif _COUNT_NOUNS.get(noun, "patients") != "patients":
        counts = _COUNT_NOUNS[noun]
    elif _BEFORE_RANDOMISATION.match(b.s, figure.end):
        counts = "patients"  # "of the 614 patients enrolled": before randomisation
    elif b.safety:
        counts = "patients_in_safety_population"
    elif b.randomised:
        counts = "patients_randomised"
    else:
        counts = "patients"
    if figure.kind == "n":
        before = [m for m in b.terms.regimens if m.end <= figure.start]
        regimen = before[-1].term if before else None
    if regimen is None and counts.startswith("patients") and figure.kind != "received":
        regimen = regimen_after(b.s, b.terms.regimens, figure.end)  # "372 patients were assigned to X"
    arms: list[Term | None] = [regimen]
    if TO_EACH_ARM.match(b.s, figure.end) and (each := every_arm(b.terms, figure.start)):
        arms = list(each)  # "randomly assigned, 251 to each group": every arm's count
    for arm in arms:
        fields: dict[str, Any] = {"kind": "count", "study": study.term.id if study else None, "counts": counts,
                                  "value": data["value"], "of_total": data.get("of_total")}
        if arm is not None:
            fields.update(_regimen_fields(study, Found(arm, True)))
        b.add(figure, fields, [study])


def _dose(b: _Builder, figure: Figure, study: Found | None) -> None:
    drug = b.terms.nearest("drug", figure.start)
    data = cast(DoseData, figure.data)
    regimen = next((m.term for m in b.terms.regimens if drug and drug.term.id in m.term.components), None)
    arm = arm_of(study.term if study else None, regimen)
    b.add(figure, {"kind": "dose", "study": None if arm else (study.term.id if study else None), "arm": arm,
                   "drug": drug.term.id if drug else None, "value": data["value"], "unit": data["unit"],
                   "schedule": data["schedule"], "route": data["route"],
                   "schedule_figures": data["schedule_figures"]}, [drug, study])
