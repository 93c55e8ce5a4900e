"""Patterns, guards and readings of the constructions that state a trial's design and population:
counts of patients (and of studies, regimens, centres), ``n = 395``, ``307 were assigned to``,
``1,097/1,137 received``, doses with their schedule, durations, the data cut-off, grades and
allocation ratios. Their records are in :mod:`kg.drafting.constructions`.

>>> iso_date(2017, "October", "23")
'2017-10-23'
"""

from __future__ import annotations

import re
from decimal import Decimal
from functools import lru_cache

from kg.curation.numerals import number
from kg.drafting.figuredata import AllocationData, CountData, CutoffData, DoseData, DurationData, FigureData, GradesData
from kg.drafting.pieces import DEC, INT, MONTH_NAME, MONTHS, PLAIN_UNIT, RANGE_DASH, WORD, unit_name

__all__ = ["ALLOCATION", "ASSIGNED", "COUNT", "CUTOFF", "DOSE", "DURATION", "FOLLOW_UP", "FOR_PERIOD", "GRADES",
           "N_EQUALS", "RANDOMISATION_SAID", "RECEIVED", "RECEIVED_ARM", "iso_date"]

_I = re.IGNORECASE | re.VERBOSE

COUNT = re.compile(rf"""
    (?<![\w.,/%-])(?P<n>{INT}|{WORD})\s++
    (?:(?:phase\s++(?:\d|I{{1,3}}V?)\b                      # "18 phase 3 randomized controlled trials"
        |(?!\d|(?:{PLAIN_UNIT}|mg|with|for|in)\b)[\w-]{{1,30}}+)\s++){{0,4}}?
    (?P<noun>patients|subjects|participants|individuals|people|studies|trials|RCTs|regimens|arms
        |randomi[sz]ation\ stages|centres|centers|sites|countries|hospitals|institutions)\b
    """, _I)
_DEFINITE = re.compile(r"\b(?:the|both|these|those|all)\s+$", _I)
_PHASE = re.compile(r"phase\s*$", _I)


def count_guard(m: re.Match[str]) -> bool:
    # "the two studies" points back at studies already counted; "of the 614 patients enrolled" counts them
    before = m.string[:m.start()]
    return not ((_DEFINITE.search(before) and number(m["n"]) <= 10) or _PHASE.search(before))


def read_count(m: re.Match[str]) -> FigureData:
    data: CountData = {"value": int(number(m["n"])), "noun": m["noun"].lower()}
    return data


N_EQUALS = re.compile(rf"\bn\s*+=\s*+(?P<n>{INT})", _I)

RANDOMISATION_SAID = re.compile(r"assigned|allocated|randomi[sz]", _I)
ASSIGNED = re.compile(rf"""
    (?<![\w.,/:])(?P<n>{INT})\s++(?:patients\s++)?
    (?:(?:were|was)\s++(?:randomly\s++)?(?:assigned|allocated|randomi[sz]ed)\s++)?
    to(?=\s++(?:receive\s++)?[A-Za-z])                     # "307 were assigned to X and 307 to placebo"
    """, _I)


RECEIVED_ARM = re.compile(rf"""
    (?<![\w.,/:])(?P<n>{INT})\s++(?:patients\s++)?(?:received|were\ given)(?=\s++(?:the\s++)?[A-Za-z])
    """, _I)
"""A count of patients by the regimen they received: "394 received ixazomib and 262 received placebo"."""


def read_value(m: re.Match[str]) -> FigureData:
    data: CountData = {"value": int(number(m["n"]))}
    return data


RECEIVED = re.compile(rf"""
    (?P<a>{INT})\s*+/\s*+(?P<b>{INT})\s++(?:patients\s++)?(?:received|were\ treated)
    """, _I)


def read_received(m: re.Match[str]) -> FigureData:
    data: CountData = {"value": int(number(m["a"])), "of_total": int(number(m["b"]))}
    return data


DOSE = re.compile(rf"""
    (?P<v>{DEC})\s*+(?P<unit>mg/m2|mg/m²|mg/kg|mg)\b
    (?:\s*+(?P<per>per\ day|/day|/d\b|daily|once\ daily|a\ day|once\ a\ day))?
    """, _I)
_SCHEDULE_DAYS = re.compile(rf"\bdays?\s++(?P<a>\d{{1,3}}){RANGE_DASH}(?P<b>\d{{1,3}})(?!\d)", _I)
_SCHEDULE_LIST = re.compile(r"\bdays?\s++(?P<list>\d{1,3}(?:\s*+,\s*+\d{1,3}){0,30}+,?\s*+and\s*+\d{1,3})(?!\d)", _I)
_CYCLE = re.compile(r"\b(?P<c>\d{1,3})\s*+[-–‑ ]\s*+days?\s++(?:cycles?)", _I)
_START = re.compile(r"\b(?P<d>\d{1,3})\s++days?\s++(?:after|following|post)\b", _I)
_ROUTE = re.compile(r"\b(orally|oral|intravenous(?:ly)?|subcutaneous(?:ly)?)\b", _I)


@lru_cache(maxsize=8)
def _schedule(s: str) -> tuple[tuple[Decimal, ...], str, str | None]:
    """The schedule a sentence states (days 1-21, days 1, 8 and 15, 28-day cycles, 100 days after) and
    its route: read once per sentence, not once per dose."""
    schedule: list[Decimal] = []
    parts: list[str] = []
    if days := _SCHEDULE_DAYS.search(s):
        schedule += [number(days["a"]), number(days["b"])]
        parts.append(f"days {days['a']}-{days['b']}")
    elif listed := _SCHEDULE_LIST.search(s):
        day_numbers = re.findall(r"\d+", listed["list"])
        schedule += [number(d) for d in day_numbers]
        parts.append(f"days {', '.join(day_numbers)}")
    if cycle := _CYCLE.search(s):
        schedule.append(number(cycle["c"]))
        parts.append(f"of {cycle['c']}-day cycles")
    if start := _START.search(s):
        schedule.append(number(start["d"]))
        parts.append(f"starting {start['d']} days after the preceding treatment")
    route = _ROUTE.search(s)
    route_name = ("oral" if route and route[1].lower().startswith("oral") else
                  (route[1].lower().rstrip("ly") if route else None))
    return tuple(schedule), " ".join(parts), route_name


def read_dose(m: re.Match[str]) -> FigureData:
    schedule, described, route = _schedule(m.string)
    unit = m["unit"].lower().replace("²", "2")
    if m["per"] and unit == "mg":
        unit = "mg/day"
    data: DoseData = {"value": number(m["v"]), "unit": unit, "schedule_figures": list(schedule),
                      "schedule": described or ("daily" if m["per"] else "as stated"), "route": route}
    return data


DURATION = re.compile(rf"""
    (?<![\w.])(?P<v>{DEC}|{WORD})\s++(?P<unit>days?|weeks?|months?|years?)\s++of\s++
    (?P<what>(?:[A-Za-z-]{{1,30}}+\s++){{0,3}}?(?:treatment|therapy|maintenance|consolidation|induction)
        (?:\s++with\s++[a-z-]{{1,30}}+)?)                   # "2 years of lenalidomide maintenance"
    """, _I)
FOR_PERIOD = re.compile(rf"""
    \b(?:for|over)\s++(?:up\s++to\s++|a\s++maximum\s++of\s++)?(?P<v>{DEC}|{WORD})\s++(?P<unit>years?|months?)\b
    (?!\s++(?:of|follow))
    """, _I)
FOLLOW_UP = re.compile(rf"""
    (?P<follow_up>follow[- ]?up)\s++(?:of\s++|was\s++|:\s*+)?(?:(?:approximately|about|nearly|over)\s++)?
    (?P<v>{DEC})\s*+(?P<unit>months?|years?)
    """, _I)


def read_duration(m: re.Match[str]) -> FigureData:
    groups = m.re.groupindex  # which of the three patterns: "of maintenance", "follow-up of", "for 2 years"
    activity = (" ".join(m["what"].split()) if "what" in groups
                else "follow-up" if "follow_up" in groups else "treatment")
    data: DurationData = {"value": number(m["v"]), "unit": unit_name(m["unit"]), "activity": activity}
    return data


CUTOFF = re.compile(rf"""
    cut[- ]?off(?:\s++date)?\s*+(?:of|was|on|:)?\s*+
    (?:(?P<month>{MONTH_NAME})\s++(?P<day>\d{{1,2}}),?\s++(?P<year>\d{{4}})       # October 23, 2017
      |(?P<day2>\d{{1,2}})\s++(?P<month2>{MONTH_NAME}),?\s++(?P<year2>\d{{4}}))    # 23 October 2017
    """, _I)


def iso_date(year: int | str, month: str, day: int | str) -> str:
    """``2017-10-23`` from a year, an English month name and a day."""
    return f"{int(year):04d}-{MONTHS.index(month.lower()) + 1:02d}-{int(day):02d}"


def read_cutoff(m: re.Match[str]) -> FigureData:
    data: CutoffData = {"date": iso_date(m["year"] or m["year2"], (m["month"] or m["month2"]).lower(),
                                         m["day"] or m["day2"])}
    return data


GRADES = re.compile(r"""
    \bgrades?\s*+
    (?:(?P<ge>≥|>=|greater\ than\ or\ equal\ to)\s*+(?P<min>[1-5])          # grade ≥3
      |(?P<a>[1-5])\s*+(?:-|–|to|/|or|and)\s*+(?P<b>[1-5])               # grade 3 to 4
      |(?P<one>[1-5])(?P<plus>\s++or\s++(?:higher|more|above))?)\b       # grade 3 (or higher)
    """, _I)


def read_grades(m: re.Match[str]) -> FigureData:
    if m["min"]:
        grades, note = [int(m["min"])], f"grade {m['min']} or higher"
    elif m["a"]:
        grades, note = sorted({int(m["a"]), int(m["b"])}), None
    else:
        grades, note = [int(m["one"])], (f"grade {m['one']} or higher" if m["plus"] else None)
    data: GradesData = {"grades": grades, "note": note}
    return data


ALLOCATION = re.compile(r"(?<![\d:])(?P<r>[1-4]:[1-4](?::[1-4])?)(?![\d:])", re.VERBOSE)
ALLOCATION_SAID = re.compile(r"randomi[sz]|allocat|assigned", _I)


def read_allocation(m: re.Match[str]) -> FigureData:
    data: AllocationData = {"ratio": m["r"]}
    return data
