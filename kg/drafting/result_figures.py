"""Patterns, guards and readings of the constructions that state results: ratios with their interval,
p-values, pairs of medians or times (also with a median not reached), single times, shares,
incidence rates and event counts. Their records are in :mod:`kg.drafting.constructions`.

>>> RATIO.search("PFS (HR, 0.62; 95% CI, 0.57-0.67)")["est"]
'0.62'
"""

from __future__ import annotations

import re
from decimal import Decimal

from kg.curation.numerals import number
from kg.drafting.figuredata import (
    EventsData,
    FigureData,
    NotReachedData,
    PData,
    PercentData,
    RateData,
    RatioData,
    TimeData,
    TimePairData,
    Value,
)
from kg.drafting.pieces import (
    BOUNDED_WORD,
    DASH,
    DEC,
    INT,
    NOT_REACHED,
    PAIR_SEP,
    PLAIN_UNIT,
    RANGE_DASH,
    TIME_UNIT,
    VERSUS,
    unit_name,
)

__all__ = [
    "CI",
    "EVENTS",
    "EVENTS_AFTER",
    "NOT_REACHED_ALONE",
    "NOT_REACHED_FIRST",
    "NOT_REACHED_SECOND",
    "PERCENT",
    "RATE",
    "RATIO",
    "TIME",
    "TIME_PAIR",
    "P",
    "timepoint",
]

_I = re.IGNORECASE | re.VERBOSE

CI = rf"""
    [\s,;(\[]{{0,6}}+
    (?:(?P<level>\d{{2}}(?:\.\d{{1,3}})?)\s*+%\s*+(?:CI|confidence\ interval)(?:\s*+\[CI\])? | CI)?
    \s*+[,:=]?\s*+(?P<lo>{DEC})\s*+(?:{DASH}|,)\s*+(?P<hi>{DEC})
    """
"""An interval after an estimate: ``; 95% CI, 0.57 – 0.67``, ``(95% confidence interval [CI] 0.58 to 0.89)``."""

RATIO = re.compile(rf"""
    (?P<head>
    (?P<type>hazard\ ratio|risk\ ratio|relative\ risk|odds\ ratio|(?-i:\b(?:a?HR|RR|OR)\b))
    (?:\s*+\[(?:a?HR|RR|OR)\])?                            # "hazard ratio [HR]"
    (?:
        (?P<gap>(?:\s++(?!(?:and|but|while|whereas)\b){BOUNDED_WORD}){{1,10}}?)   # "for progression or death with X"
        \s*+(?:[,:=]|\bwas\b|\bwere\b|\bis\b|\bof\b|(?=\())
      | \s*+(?:[,:=]|\bwas\b|\bof\b)?
    )
    \s*+\(?\s*+(?P<est>{DEC})(?!\s*+%)                     # the estimate, never a percentage
    )
    (?P<ci>{CI})?                                          # its interval, kept when it holds the estimate
    """, _I)


def ratio_guard(m: re.Match[str]) -> bool:
    # "HR data were immature at 24 months": words and then a count, not an estimate; "HR 0." cut by a full stop
    return not (m["gap"] and "." not in m["est"]) and number(m["est"]) > 0


def read_ratio(m: re.Match[str]) -> FigureData:
    data: RatioData = {"type": m["type"].lower(), "estimate": number(m["est"])}
    if m["ci"] and number(m["lo"]) <= data["estimate"] <= number(m["hi"]):
        data["ci"] = (number(m["lo"]), number(m["hi"]))
        data["level"] = number(m["level"]) if m["level"] else None
    return data


def ratio_end(m: re.Match[str], data: FigureData) -> int:
    return m.end() if "ci" in data else m.end("head")


P = re.compile(r"""
    (?<![\w])[Pp]\s*+(?:[-‐\ ]?\s*+values?)?\s*+
    (?:(?P<cmp><=|>=|≤|≥|<|>|=)|\b(?:of|was)\b)\s*+
    (?P<val>0?\.\d{1,9}+|1(?:\.0{1,9}+)?|0)(?!\d|\.\d)      # a full stop after it may end the sentence
    """, re.VERBOSE)


def read_p(m: re.Match[str]) -> FigureData:
    cmp = {"≤": "<=", "≥": ">=", None: "="}.get(m["cmp"], m["cmp"])
    data: PData = {"p": f"{cmp}{number(m['val']).normalize():f}"}
    return data


TIME_PAIR = re.compile(rf"""
    (?P<a1>{DEC})(?:{RANGE_DASH}(?P<a2>{DEC}))?\s*+       # 23, or a range 41-46
    (?:(?P<unit_a>{PLAIN_UNIT})\s*+)?
    (?P<sep>{VERSUS})\s*+
    (?P<b1>{DEC})(?:{RANGE_DASH}(?P<b2>{DEC}))?\s*+(?P<unit>{TIME_UNIT})
    (?P<resp>,?\s*+respectively)?
    """, _I)


def time_pair_guard(m: re.Match[str]) -> bool:
    return not m["unit_a"] or unit_name(m["unit_a"]) == unit_name(m["unit"])  # "3 years and 2 months" is no pair


def read_time_pair(m: re.Match[str]) -> FigureData:
    a = (number(m["a1"]), number(m["a2"])) if m["a2"] else number(m["a1"])
    b = (number(m["b1"]), number(m["b2"])) if m["b2"] else number(m["b1"])
    data: TimePairData = {"values": [a, b], "unit": unit_name(m["unit"]), "respectively": bool(m["resp"])}
    return data


_NR_NOTE = r"(?:\s*+\([^()]{0,40}\))?"
"""A bracketed note after a value (``not reached (95% CI, 40.2-NE)``)."""
_ARM_GAP = r"(?:\s++(?:with|in|for|on|among)\s++[\w-]{1,30}+(?:(?:\s*+[+/–]\s*+|\s++)[\w-]{1,30}+){0,5}?)?"
"""An arm named between a value and the separator ("not reached with daratumumab versus ...", a combination
written "daratumumab + lenalidomide", "daratumumab–lenalidomide" or "daratumumab plus lenalidomide")."""

NOT_REACHED_FIRST = re.compile(rf"""
    {NOT_REACHED}{_NR_NOTE}{_ARM_GAP}{PAIR_SEP}(?P<b>{DEC})\s*+(?P<unit>{PLAIN_UNIT})
    """, _I)
NOT_REACHED_SECOND = re.compile(rf"""
    (?P<a>{DEC})\s*+(?P<unit>{PLAIN_UNIT})?{_NR_NOTE}{_ARM_GAP}{PAIR_SEP}{NOT_REACHED}(?![\w-])
    """, _I)


def read_not_reached_pair(m: re.Match[str]) -> FigureData:
    unit = (m["unit"] or "month").lower().rstrip("s")
    values: list[Value | None] = [None, number(m["b"])] if "b" in m.re.groupindex else [number(m["a"]), None]
    data: TimePairData = {"values": values, "unit": unit, "respectively": False}
    return data


NOT_REACHED_ALONE = re.compile(rf"""
    \bmedian\b[^.;]{{0,60}}?\b(?:was|were|is|are|has|have|had)\s++{NOT_REACHED}
    """, _I)


def read_not_reached(m: re.Match[str]) -> FigureData:
    data: NotReachedData = {"values": [None], "unit": "month"}
    return data


TIME = re.compile(rf"""
    (?<![\w.,/])(?P<v>{DEC})(?:{RANGE_DASH}(?P<v2>{DEC}))?[\s-]{{0,3}}+(?P<unit>{TIME_UNIT})(?![\w-])
    """, _I)
_NOT_A_MEDIAN = re.compile(r"\b(?:for|after|within|over|by|up\ to|every|each|before|since|until|than|at)\s*+$", _I)
_PATIENT_TRAIT = re.compile(r"\b(?:age[ds]?|aged|range|older|younger|over|under)\b[^.;]{0,12}$", _I)
_OF_AGE = re.compile(r"\s*+(?:old|of\ age)\b", re.VERBOSE)


def time_guard(m: re.Match[str]) -> bool:
    s = m.string
    if _NOT_A_MEDIAN.search(s[max(0, m.start() - 14):m.start()]):
        return False  # "for 2 years", "after 3 months": a period, not a result
    if _PATIENT_TRAIT.search(s[max(0, m.start() - 20):m.start()]) or _OF_AGE.match(s, m.end()):
        return False  # "a median age of 58 years", "(range, 35-70 years)": patients, not outcomes
    # "5-year OS rate", "3 year PFS": a time point, not a value
    return bool(m["unit"].lower().endswith("s") or number(m["v"]) == 1 or m["v2"])


def read_time(m: re.Match[str]) -> FigureData:
    value = (number(m["v"]), number(m["v2"])) if m["v2"] else number(m["v"])
    data: TimeData = {"value": value, "unit": unit_name(m["unit"])}
    return data


PERCENT = re.compile(rf"""
    (?<![\w.])(?P<v>{DEC})\s*+%(?!\s*+(?:CI\b|confidence|credible|PI\b))
    """, re.VERBOSE)
_HETEROGENEITY = re.compile(r"\bi(?:2|²|\^2)\s*[=:]\s*$")
_INTERVAL_BOUND = re.compile(r"(?:\bci|confidence\ interval|credible\ interval)\b[^)\]]{0,14}$", _I)
_CHANGED_BY = re.compile(r"""\b(?:reduc|lower|decreas|increas|improv|rais|cut|fell|drop|declin|rose|grew|shorten
    |prolong|extend|lengthen|diminish)\w*+(?:\s++[^\s.;]{1,30}+){0,8}?\s++by\s*+$""", _I)
"""A change by an amount ("reduced the risk of progression by 52%"), not a share reached by patients."""
_EFFECT = re.compile(r"\s*(?:reduction|relative|lower\b|higher\b|decrease|increase)")


_TRAIT = r"""(?:women|men|females?|males?|aged\b|age[ds]?\ (?:≥|>=|>|<|≤|of|over|under)|older\ than|white|black|asian
    |(?:R-?)?ISS\ (?:disease\ )?stage|high[-\ ]risk\ (?:cytogenetic|disease)|standard[-\ ]risk\ cytogenetic)"""
_TRAIT_AFTER = re.compile(rf"""
    \s*+[\])]?\s*+(?:(?:of\s++)?(?:the\s++)?(?:patients|participants)\s++)?(?:were\s++|was\s++|had\s++)?{_TRAIT}
    """, _I)
_TRAIT_BEFORE = re.compile(rf"""
    {_TRAIT}(?:\s*+(?:[≥>=<≤]{{1,2}}|\d{{1,3}}|I{{1,3}}V?\b|years?\b|or\b|older\b|disease\b)){{0,8}}+
    \s*+[,:]?\s*+(?:{INT}\s*+[\[(]\s*+)?$
    """, _I)


def baseline_trait(m: re.Match[str]) -> bool:
    """Whether a percentage is a characteristic of the patients at baseline ("281 [43%] women", "aged 65
    years or older, 38%", "43% were women", "ISS stage III, 19%"), not an outcome."""
    s = m.string
    return bool(_TRAIT_AFTER.match(s, m.end()) or _TRAIT_BEFORE.search(s[max(0, m.start() - 60):m.start()]))


def percent_guard(m: re.Match[str]) -> bool:
    s = m.string
    before = s[max(0, m.start() - 12):m.start()].lower()
    after = s[m.end():m.end() + 25].lower()
    if baseline_trait(m):
        return False  # a baseline characteristic of the patients, not a result
    if _HETEROGENEITY.search(before):
        return False  # heterogeneity, not a share of an arm
    if _INTERVAL_BOUND.search(s[max(0, m.start() - 30):m.start()]):
        return False  # a bound of an interval ("55% (95% CI, 48%-62%)"), not a result of its own
    if (_CHANGED_BY.search(s[max(0, m.start() - 80):m.start()]) and not re.match(r"\s*of\b", after)) \
            or _EFFECT.match(after):
        return False  # an effect size written as a percentage, not a share of an arm
    return Decimal(m["v"]) <= 100


def read_percent(m: re.Match[str]) -> FigureData:
    data: PercentData = {"value": number(m["v"])}
    return data


RATE = re.compile(rf"""
    (?P<a>{DEC})(?:{PAIR_SEP}(?P<b>{DEC}))?\s*+(?:events?\s++)?(?:per|/)\s*+(?P<per>100|1,000|1000)\s*+
    (?P<base>patient[- ]years?|person[- ]years?|patient[- ]months?|py\b)
    """, _I)


def read_rate(m: re.Match[str]) -> FigureData:
    values = [number(m["a"])] + ([number(m["b"])] if m["b"] else [])
    data: RateData = {"values": values, "per": f"{number(m['per'])} {m['base'].lower().replace('-', ' ')}"}
    return data


EVENTS = re.compile(rf"""
    (?P<n>{INT})\s*+[\[(]\s*+(?P<pct>{DEC})\s*+%\s*+[\])]\s*+(?:of|/)\s*+(?P<total>{INT})
    """, _I)
EVENTS_AFTER = re.compile(rf"""
    (?P<n>{INT})\s*+(?:of|/)\s*+(?P<total>{INT})\s*+(?:patients\s*+)?[\[(]\s*+(?P<pct>{DEC})\s*+%\s*+[\])]
    """, _I)


def events_guard(m: re.Match[str]) -> bool:
    return number(m["n"]) <= number(m["total"]) and number(m["pct"]) <= 100


def read_events(m: re.Match[str]) -> FigureData:
    data: EventsData = {"value": number(m["pct"]), "events": int(number(m["n"])), "of_total": int(number(m["total"]))}
    return data


_TIMEPOINT = re.compile(r"\b(?:(?P<n>\d+(?:\.\d+)?)[- ](?P<u>year|month)(?!s)\b|at (?P<n2>\d+) (?P<u2>years|months))",
                        re.IGNORECASE)


def timepoint(sentence: str) -> str | None:
    """``5 years`` for "the 5-year OS rate" or "at 5 years"."""
    when = _TIMEPOINT.search(sentence)
    if when is None:
        return None
    value, unit = when["n"] or when["n2"], (when["u"] or when["u2"]).lower().rstrip("s")
    return f"{value} {unit}{'' if value == '1' else 's'}"
