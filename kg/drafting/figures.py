"""Recognise the figures a sentence states, the way trial reports and reviews write them.

Each recogniser returns :class:`Figure` spans with their values; none of them knows which endpoint
or arm a figure belongs to (that is :mod:`kg.drafting.assemble`'s job). Recognised:

* ratios: ``HR, 0.62; 95% CI, 0.57 – 0.67``, ``hazard ratio [HR] 0.39 (95% confidence interval
  0.28 to 0.53)``, ``risk ratio = 2.52``, ``RR 1.4 (1.1-1.8)``; odds ratios are recognised and left out
  (the schema has no kind for them);
* p-values: ``P < .001``, ``P=.082``, ``p = 0.0023``, ``P value of 0.03``, ``P ≤ .05``;
* times: pairs ``23 vs. 15 months``, ``41-46 vs. 23-27 months``, ``27.1 and 20.3 months, respectively``
  and single values ``26.5 months``;
* percentages (never a CI level), counts of patients, studies, regimens and randomisation stages
  (digits or words; ``n = 395``; ``1,097/1,137 received``), doses with schedules, durations
  (``2 months of consolidation``, ``median follow-up of 36 months``), data cut-off dates, grades
  (``grade 3 to 4``, ``grade ≥3``) and allocation ratios (``randomly assigned 2:1``).

>>> [f.kind for f in recognise("PFS (HR, 0.62; 95% CI, 0.57-0.67; P < .001) and 23 vs 15 months")]
['ratio', 'p', 'time_pair']
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from decimal import Decimal

from kg.curation.numerals import DASH, DEC, INT, WORD, normalise
from kg.curation.numerals import number as _read_number
from kg.drafting.figuredata import PRIORITY, DoseData, FigureData, RatioData

__all__ = ["MONTHS", "Figure", "iso_date", "number", "recognise", "timepoint"]

_INT = INT
_DEC = DEC
_WORD = WORD
_DASH = DASH
_UNIT = r"(?P<unit>months?|mo\b\.?|years?|yrs?\b|weeks?|wks?\b|days?)"
_W = r"[A-Za-z][\w-]{0,30}+"
"""A word of at most 31 characters (bounded, so no pattern backtracks over a long one)."""
MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
           "november", "december")
MAX_SPAN = 400
"""No figure spans more than this many characters (a construction is a phrase, not a paragraph)."""

_RATIO = re.compile(rf"""
    (?P<type>hazard\ ratio|risk\ ratio|relative\ risk|odds\ ratio|(?-i:\b(?:a?HR|RR|OR)\b))
    (?:\s*+\[(?:a?HR|RR|OR)\])?                            # "hazard ratio [HR]"
    (?:
        (?P<gap>(?:\s++(?!(?:and|but|while|whereas)\b){_W}){{1,10}}?)   # "for progression or death with X"
        \s*+(?:[,:=]|\bwas\b|\bwere\b|\bis\b|\bof\b|(?=\())
      | \s*+(?:[,:=]|\bwas\b|\bof\b)?
    )
    \s*+\(?\s*+(?P<est>{_DEC})(?!\s*+%)                    # the estimate, never a percentage
    """, re.IGNORECASE | re.VERBOSE)
_CI = re.compile(rf"""
    [\s,;(\[]{{0,6}}+
    (?:(?P<level>\d{{2}}(?:\.\d{{1,3}})?)\s*+%\s*+(?:CI|confidence\ interval)(?:\s*+\[CI\])? | CI)?
    \s*+[,:=]?\s*+(?P<lo>{_DEC})\s*+(?:{_DASH}|,)\s*+(?P<hi>{_DEC})
    """, re.IGNORECASE | re.VERBOSE)
_P = re.compile(r"""
    (?<![\w])[Pp]\s*+(?:[-‐\ ]?\s*+values?)?\s*+
    (?:(?P<cmp><=|>=|≤|≥|<|>|=)|\b(?:of|was)\b)\s*+
    (?P<val>0?\.\d{1,9}+|1(?:\.0{1,9}+)?|0)(?!\d|\.\d)      # a full stop after it may end the sentence
    """, re.VERBOSE)
_TIME_PAIR = re.compile(rf"""
    (?P<a1>{_DEC})(?:\s*+{_DASH}\s*+(?P<a2>{_DEC}))?\s*+     # 23, or a range 41-46
    (?:(?P<unit_a>months?|years?|weeks?|days?)\s*+)?
    (?P<sep>vs\.?|versus|v\.|v\b|and|compared\ (?:with|to)|or)\s*+
    (?P<b1>{_DEC})(?:\s*+{_DASH}\s*+(?P<b2>{_DEC}))?\s*+{_UNIT}
    (?P<resp>,?\s*+respectively)?
    """, re.IGNORECASE | re.VERBOSE)
_TIME = re.compile(rf"(?<![\w.,/])(?P<v>{_DEC})(?:\s*+{_DASH}\s*+(?P<v2>{_DEC}))?[\s-]{{0,3}}+{_UNIT}(?![\w-])",
                   re.IGNORECASE)
_PERCENT = re.compile(rf"(?<![\w.])(?P<v>{_DEC})\s*+%(?!\s*+(?:CI\b|confidence|credible|PI\b))")
_COUNT = re.compile(
    rf"(?<![\w.,/%-])(?P<n>{_INT}|{_WORD})\s++(?:(?:phase\s++(?:\d|I{{1,3}}V?)\b|(?!\d|(?:months?|years?|weeks?|days?|mg|with|for|in)\b)[\w-]{{1,30}}+)\s++){{0,4}}?"
    rf"(?P<noun>patients|subjects|participants|individuals|people|studies|trials|RCTs|regimens|arms|"
    rf"randomi[sz]ation stages|centres|centers|sites|countries|hospitals|institutions)\b", re.IGNORECASE)
_DEFINITE = re.compile(r"\b(?:the|both|these|those|all)\s+$", re.IGNORECASE)
_N_EQUALS = re.compile(rf"\bn\s*+=\s*+(?P<n>{_INT})", re.IGNORECASE)
_ASSIGNED = re.compile(
    rf"(?<![\w.,/:])(?P<n>{_INT})\s++(?:patients\s++)?(?:(?:were|was)\s++(?:randomly\s++)?(?:assigned|allocated|randomi[sz]ed)"
    rf"\s++)?to(?=\s++(?:receive\s++)?[A-Za-z])", re.IGNORECASE)
_RECEIVED = re.compile(rf"(?P<a>{_INT})\s*+/\s*+(?P<b>{_INT})\s++(?:patients\s++)?(?:received|were treated)",
                       re.IGNORECASE)
_DOSE = re.compile(
    rf"(?P<v>{_DEC})\s*+(?P<unit>mg/m2|mg/m²|mg/kg|mg)\b"
    r"(?:\s*+(?P<per>per day|/day|/d\b|daily|once daily|a day|once a day))?", re.IGNORECASE)
_SCHEDULE_DAYS = re.compile(rf"\bdays?\s++(?P<a>\d{{1,3}})\s*+{_DASH}\s*+(?P<b>\d{{1,3}})(?!\d)", re.IGNORECASE)
_SCHEDULE_LIST = re.compile(r"\bdays?\s++(?P<list>\d{1,3}(?:\s*+,\s*+\d{1,3}){0,30}+,?\s*+and\s*+\d{1,3})(?!\d)",
                            re.IGNORECASE)
_CYCLE = re.compile(r"\b(?P<c>\d{1,3})\s*+[-–‑ ]\s*+days?\s++(?:cycles?)", re.IGNORECASE)
_START = re.compile(r"\b(?P<d>\d{1,3})\s++days?\s++(?:after|following|post)\b", re.IGNORECASE)
_ROUTE = re.compile(r"\b(orally|oral|intravenous(?:ly)?|subcutaneous(?:ly)?)\b", re.IGNORECASE)
_DURATION = re.compile(
    rf"(?<![\w.])(?P<v>{_DEC}|{_WORD})\s++(?P<unit>days?|weeks?|months?|years?)\s++of\s++"
    rf"(?P<what>(?:[A-Za-z-]{{1,30}}+\s++){{0,3}}?(?:treatment|therapy|maintenance|consolidation|induction)"
    rf"(?:\s++with\s++[a-z-]{{1,30}}+)?)", re.IGNORECASE)
_FOR_PERIOD = re.compile(
    rf"\b(?:for|over)\s++(?:up\s++to\s++|a\s++maximum\s++of\s++)?(?P<v>{_DEC}|{_WORD})\s++(?P<unit>years?|months?)\b"
    rf"(?!\s++(?:of|follow))", re.IGNORECASE)
_NOT_A_MEDIAN = re.compile(r"\b(?:for|after|within|over|by|up to|every|each|before|since|until|than|at)\s*+$",
                           re.IGNORECASE)
_PATIENT_TRAIT = re.compile(r"\b(?:age[ds]?|aged|range|older|younger|over|under)\b[^.;]{0,12}$", re.IGNORECASE)
_OF_AGE = re.compile(r"\s*+(?:old|of age)\b")
_INTERVAL_BOUND = re.compile(r"(?:\bci|confidence interval|credible interval)\b[^)\]]{0,14}$", re.IGNORECASE)
_FOLLOW_UP = re.compile(
    rf"follow[- ]?up\s++(?:of\s++|was\s++|:\s*+)?(?:(?:approximately|about|nearly|over)\s++)?(?P<v>{_DEC})\s*+"
    rf"(?P<unit>months?|years?)", re.IGNORECASE)
_CUTOFF = re.compile(
    rf"cut[- ]?off(?:\s++date)?\s*+(?:of|was|on|:)?\s*+(?:(?P<month>{'|'.join(MONTHS)})\s++(?P<day>\d{{1,2}}),?\s++"
    rf"(?P<year>\d{{4}})|(?P<day2>\d{{1,2}})\s++(?P<month2>{'|'.join(MONTHS)}),?\s++(?P<year2>\d{{4}}))",
    re.IGNORECASE)
_GRADES = re.compile(
    r"\bgrades?\s*+(?:(?P<ge>≥|>=|greater than or equal to)\s*+(?P<min>[1-5])|(?P<a>[1-5])\s*+(?:-|–|to|/|or|and)\s*+"
    r"(?P<b>[1-5])|(?P<one>[1-5])(?P<plus>\s++or\s++(?:higher|more|above))?)\b", re.IGNORECASE)
_ALLOCATION = re.compile(r"(?<![\d:])(?P<r>[1-4]:[1-4](?::[1-4])?)(?![\d:])")


@dataclass(frozen=True)
class Figure:
    """One figure (or group of figures) stated at ``start:end`` of a sentence, its data typed by its kind
    (:mod:`kg.drafting.figuredata`)."""

    kind: str
    start: int
    end: int
    data: FigureData


def number(text: str) -> Decimal:
    """A numeral or number word as a Decimal (``'1,971'`` -> 1971, ``'.001'`` -> 0.001, ``'two'`` -> 2),
    read by :mod:`kg.curation.numerals` (the provenance check's reader)."""
    return _read_number(text)


def iso_date(year: int | str, month: str, day: int | str) -> str:
    """``2017-10-23`` from a year, an English month name and a day.

    >>> iso_date(2017, "October", "23")
    '2017-10-23'
    """
    return f"{int(year):04d}-{MONTHS.index(month.lower()) + 1:02d}-{int(day):02d}"


def _unit(text: str | None) -> str:
    text = (text or "month").lower()
    for name in ("month", "year", "week", "day"):
        if text.startswith(name[:2]):
            return name
    return "month"


def _ratios(s: str) -> list[Figure]:
    found = []
    for m in _RATIO.finditer(s):
        ci = _CI.match(s, m.end())
        data: RatioData = {"type": m["type"].lower(), "estimate": number(m["est"])}
        if m["gap"] and "." not in m["est"]:
            continue  # "HR data were immature at 24 months": words and then a count, not an estimate
        if data["estimate"] <= 0:
            continue  # "HR 0." cut by a sentence end: no estimate
        end = m.end()
        if ci and number(ci["lo"]) <= data["estimate"] <= number(ci["hi"]):
            data["ci"] = (number(ci["lo"]), number(ci["hi"]))
            data["level"] = number(ci["level"]) if ci["level"] else None
            end = ci.end()
        found.append(Figure("ratio", m.start(), end, data))
    return found


def _p_values(s: str) -> list[Figure]:
    found = []
    for m in _P.finditer(s):
        cmp = {"≤": "<=", "≥": ">=", None: "="}.get(m["cmp"], m["cmp"])
        found.append(Figure("p", m.start(), m.end(), {"p": f"{cmp}{number(m['val']).normalize():f}"}))
    return found


def _times(s: str) -> list[Figure]:
    found = []
    for m in _TIME_PAIR.finditer(s):
        unit_a = m["unit_a"]
        if unit_a and _unit(unit_a) != _unit(m["unit"]):
            continue
        a = (number(m["a1"]), number(m["a2"])) if m["a2"] else number(m["a1"])
        b = (number(m["b1"]), number(m["b2"])) if m["b2"] else number(m["b1"])
        found.append(Figure("time_pair", m.start(), m.end(),
                            {"values": [a, b], "unit": _unit(m["unit"]), "respectively": bool(m["resp"])}))
    for m in _TIME.finditer(s):
        if _NOT_A_MEDIAN.search(s[max(0, m.start() - 14):m.start()]):
            continue  # "for 2 years", "after 3 months": a period, not a result
        if _PATIENT_TRAIT.search(s[max(0, m.start() - 20):m.start()]) or _OF_AGE.match(s, m.end()):
            continue  # "a median age of 58 years", "(range, 35-70 years)": patients, not outcomes
        if not m["unit"].lower().endswith("s") and number(m["v"]) != 1 and not m["v2"]:
            continue  # "5-year OS rate", "3 year PFS": a time point, not a value
        value = (number(m["v"]), number(m["v2"])) if m["v2"] else number(m["v"])
        found.append(Figure("time", m.start(), m.end(), {"value": value, "unit": _unit(m["unit"])}))
    return found


def _percents(s: str) -> list[Figure]:
    found = []
    for m in _PERCENT.finditer(s):
        before = s[max(0, m.start() - 12):m.start()].lower()
        after = s[m.end():m.end() + 25].lower()
        if re.search(r"\bi(?:2|²|\^2)\s*[=:]\s*$", before):
            continue  # heterogeneity, not a share of an arm
        if _INTERVAL_BOUND.search(s[max(0, m.start() - 30):m.start()]):
            continue  # a bound of an interval ("55% (95% CI, 48%-62%)"), not a result of its own
        effect = re.match(r"\s*(?:reduction|relative|lower\b|higher\b|decrease|increase)", after)
        if (re.search(r"\bby\s*$", before) and not re.match(r"\s*of\b", after)) or effect:
            continue  # an effect size written as a percentage, not a share of an arm
        if Decimal(m["v"]) <= 100:
            found.append(Figure("percent", m.start(), m.end(), {"value": number(m["v"])}))
    return found


def _counts(s: str) -> list[Figure]:
    found = []
    for m in _COUNT.finditer(s):
        # "the two studies" points back at studies already counted; "of the 614 patients enrolled" counts them
        if (_DEFINITE.search(s[:m.start()]) and number(m["n"]) <= 10) or re.search(r"phase\s*$", s[:m.start()],
                                                                                   re.IGNORECASE):
            continue
        noun = m["noun"].lower()
        found.append(Figure("count", m.start(), m.end(), {"value": int(number(m["n"])), "noun": noun}))
    for m in _N_EQUALS.finditer(s):
        found.append(Figure("n", m.start(), m.end(), {"value": int(number(m["n"]))}))
    if re.search(r"assigned|allocated|randomi[sz]", s, re.IGNORECASE):  # "307 were assigned to X and 307 to Y"
        for m in _ASSIGNED.finditer(s):
            found.append(Figure("assigned", m.start(), m.end(), {"value": int(number(m["n"]))}))
    for m in _RECEIVED.finditer(s):
        found.append(Figure("received", m.start(), m.end(), {"value": int(number(m["a"])),
                                                               "of_total": int(number(m["b"]))}))
    return found


def _schedule(s: str) -> tuple[list[Decimal], str]:
    """The schedule a sentence states (days 1-21, days 1, 8 and 15, 28-day cycles, 100 days after)."""
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
    return schedule, " ".join(parts)


def _doses(s: str) -> list[Figure]:
    found: list[Figure] = []
    doses = list(_DOSE.finditer(s))
    if not doses:
        return found
    schedule, described = _schedule(s)  # once per sentence, not once per dose
    route = _ROUTE.search(s)
    route_name = ("oral" if route and route[1].lower().startswith("oral") else
                  (route[1].lower().rstrip("ly") if route else None))
    for m in doses:
        unit = m["unit"].lower().replace("²", "2")
        if m["per"] and unit == "mg":
            unit = "mg/day"
        data: DoseData = {"value": number(m["v"]), "unit": unit, "schedule_figures": list(schedule),
                          "schedule": described or ("daily" if m["per"] else "as stated"), "route": route_name}
        found.append(Figure("dose", m.start(), m.end(), data))
    return found


def _durations(s: str) -> list[Figure]:
    found = []
    for m in _DURATION.finditer(s):
        found.append(Figure("duration", m.start(), m.end(), {
            "value": number(m["v"]), "unit": _unit(m["unit"]), "activity": " ".join(m["what"].split())}))
    for m in _FOR_PERIOD.finditer(s):
        found.append(Figure("duration", m.start(), m.end(), {
            "value": number(m["v"]), "unit": _unit(m["unit"]), "activity": "treatment"}))
    for m in _FOLLOW_UP.finditer(s):
        found.append(Figure("duration", m.start(), m.end(), {
            "value": number(m["v"]), "unit": _unit(m["unit"]), "activity": "follow-up"}))
    return found


def _dates(s: str) -> list[Figure]:
    found = []
    for m in _CUTOFF.finditer(s):
        month = (m["month"] or m["month2"]).lower()
        day, year = int(m["day"] or m["day2"]), int(m["year"] or m["year2"])
        found.append(Figure("cutoff", m.start(), m.end(),
                            {"date": iso_date(year, month, day)}))
    return found


def _grades(s: str) -> list[Figure]:
    found = []
    for m in _GRADES.finditer(s):
        if m["min"]:
            grades, note = [int(m["min"])], f"grade {m['min']} or higher"
        elif m["a"]:
            grades, note = sorted({int(m["a"]), int(m["b"])}), None
        else:
            grades, note = [int(m["one"])], (f"grade {m['one']} or higher" if m["plus"] else None)
        found.append(Figure("grades", m.start(), m.end(), {"grades": grades, "note": note}))
    return found


def _allocations(s: str) -> list[Figure]:
    if not re.search(r"randomi[sz]|allocat|assigned", s, re.IGNORECASE):
        return []
    return [Figure("allocation", m.start(), m.end(), {"ratio": m["r"]}) for m in _ALLOCATION.finditer(s)]


class _Spans:
    """Spans taken so far, for overlap tests in logarithmic time (a sentence can hold thousands of figures).

    Every span is at most :data:`MAX_SPAN` long, so only spans starting within that distance
    before a new one can overlap it.
    """

    def __init__(self) -> None:
        self._starts: list[int] = []
        self._ends: list[int] = []

    def overlaps(self, start: int, end: int) -> bool:
        first = bisect.bisect_left(self._starts, start - MAX_SPAN)
        last = bisect.bisect_left(self._starts, end)
        return any(self._ends[k] > start for k in range(first, last))

    def add(self, start: int, end: int) -> None:
        at = bisect.bisect_right(self._starts, start)
        self._starts.insert(at, start)
        self._ends.insert(at, end)


_PRIORITY = PRIORITY
_RECOGNISERS = (_ratios, _p_values, _dates, _doses, _durations, _counts, _times, _grades, _percents, _allocations)


def recognise(sentence: str) -> list[Figure]:
    """Every figure the sentence states, overlaps resolved by :data:`_PRIORITY`, in text order.

    A decimal written with a raised dot, as The Lancet prints it (``0·72``), reads as ``0.72``
    (the same length, so spans still point into the sentence as written).
    """
    from kg.drafting.constructions import recognise_more  # its records build on this module

    sentence = normalise(sentence)
    candidates = [f for recogniser in _RECOGNISERS for f in recogniser(sentence) if f.end - f.start <= MAX_SPAN]
    more = [f for f in recognise_more(sentence) if f.end - f.start <= MAX_SPAN]
    candidates += more
    order = PRIORITY
    # the declared pair constructions ("not reached vs 34.5 months") go before the plain pair of the same kind
    declared = {(f.start, f.end) for f in more}
    chosen: list[Figure] = []
    taken = _Spans()
    for figure in sorted(candidates, key=lambda f: (order.index(f.kind), (f.start, f.end) not in declared, f.start)):
        if figure.kind == "dose" or not taken.overlaps(figure.start, figure.end):
            chosen.append(figure)
            taken.add(figure.start, figure.end)
    # A dose's schedule numbers (days 1-21, 28-day cycle, 100 days after) are not times of their own.
    doses = [c for c in chosen if c.kind == "dose"]
    if doses:
        chosen = [c for c in chosen if c.kind not in ("time", "time_pair")]
    return sorted(chosen, key=lambda f: f.start)


_TIMEPOINT = re.compile(r"\b(?:(?P<n>\d+(?:\.\d+)?)[- ](?P<u>year|month)(?!s)\b|at (?P<n2>\d+) (?P<u2>years|months))",
                        re.IGNORECASE)


def timepoint(sentence: str) -> str | None:
    """``5 years`` for "the 5-year OS rate" or "at 5 years"."""
    when = _TIMEPOINT.search(sentence)
    if when is None:
        return None
    number, unit = when["n"] or when["n2"], (when["u"] or when["u2"]).lower().rstrip("s")
    return f"{number} {unit}{'' if number == '1' else 's'}"
