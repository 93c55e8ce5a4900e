"""A draft finding's ``statement``: what it says, in words made from its fields (never the article's)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from kg.drafting.lexicon import Lexicon

__all__ = [
    "COMPARISON",
    "COUNT",
    "DOSE",
    "DURATION",
    "HAZARD_RATIO",
    "MEDIAN",
    "PROPORTION",
    "RISK_RATIO",
    "STATEMENT",
    "FindingKind",
    "clean_text",
    "describe",
    "short_name",
]

_FORMULA_LEADS = "=+-@\t\r"


def clean_text(text: str, limit: int = 300) -> str:
    """Text as a draft writes it (statements, titles, labels, names): control characters dropped, white
    space collapsed, no formula-leading character (``=``, ``+``, ``-``, ``@``) first, at most ``limit``
    characters.

    >>> clean_text('=HYPERLINK("x")\x07  title')
    'HYPERLINK("x") title'
    """
    text = "".join(c if c.isprintable() else " " for c in text)
    text = " ".join(text.split()).lstrip(_FORMULA_LEADS + " ")
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def _num(value: Any) -> str:
    return f"{Decimal(value).normalize():f}" if isinstance(value, Decimal | int | float) else str(value)


def describe(fields: dict[str, Any], lexicon: Lexicon, arms: dict[str, str]) -> str:
    """One line such as ``HR 0.62 (95% CI 0.57-0.67, p<0.001) for PFS: IMiD-based maintenance vs placebo.``"""

    def name(kind: str, key: str) -> str | None:
        value = fields.get(key)
        if value is None:
            return None
        if kind == "arm":
            value = arms.get(str(value), str(value))
            kind = "regimen"
        term = lexicon.term(kind, str(value))
        return (term.short_label or term.label) if term else str(value).replace("-", " ")

    text = clean_text(_describe(fields, name))
    return text[:1].upper() + text[1:]


@dataclass(frozen=True)
class _Said:
    """What a statement can say about a finding: its fields and the names of what they refer to."""

    fields: dict[str, Any]
    name: Callable[[str, str], str | None]

    @property
    def what(self) -> str | None:
        endpoint, ae = self.name("endpoint", "endpoint"), self.name("adverse_event", "adverse_event")
        return ae if ae and endpoint in (None, "adverse events", "adverse-event incidence") else endpoint

    @property
    def who(self) -> str | None:
        return self.name("arm", "arm") or self.name("regimen", "regimen")

    @property
    def vs(self) -> str:
        return " vs ".join(n for n in (self.name("regimen", "intervention"), self.name("regimen", "comparator")) if n)

    @property
    def p(self) -> str:
        return f"p{self.fields['p']}" if self.fields.get("p") else ""  # "p<0.001", "p=0.082"


def _ratio(x: _Said) -> str:
    f = x.fields
    label = "HR" if f["kind"] == "hazard_ratio" else "RR"
    ci = (f" ({_num(f['ci_level'])}% CI {_num(f['ci'][0])}-{_num(f['ci'][1])}{', ' + x.p if x.p else ''})"
          if f.get("ci") else (f" ({x.p})" if x.p else ""))
    return f"{label} {_num(f['estimate'])}{ci} for {x.what or 'an unnamed endpoint'}" + (f": {x.vs}." if x.vs else ".")


def _median(x: _Said) -> str:
    f = x.fields
    with_arm = f" with {x.who}." if x.who else "."
    if f.get("not_reached"):
        return f"Median {x.what or 'time'} not reached{with_arm}"
    value = f"{_num(f['range'][0])}-{_num(f['range'][1])}" if "range" in f else _num(f["value"])
    return f"Median {x.what or 'time'} {value} {f['unit']}s{with_arm}"


def _proportion(x: _Said) -> str:
    return f"{_num(x.fields['value'])}% {x.what or 'of patients'}" + (f" with {x.who}." if x.who else ".")


def _count(x: _Said) -> str:
    counted = str(x.fields["counts"]).replace("_", " ")
    return f"{x.fields['value']} {counted}" + (f" ({x.who})." if x.who else ".")


def _dose(x: _Said) -> str:
    f = x.fields
    return f"{x.name('drug', 'drug') or 'Dose'} {_num(f['value'])} {f['unit']}, {f['schedule']}."


def _duration(x: _Said) -> str:
    return f"{_num(x.fields['value'])} {x.fields['unit']}s of {x.fields['activity']}."


def _comparison(x: _Said) -> str:
    f = x.fields
    direction = str(f["direction"]).replace("_", " ")
    grades = f" (grade {'-'.join(str(g) for g in f['grades'])})" if f.get("grades") else ""
    return (f"{direction.capitalize()} in {x.what or 'the outcome'}{grades}" + (f": {x.vs}" if x.vs else "")
            + (f" ({x.p})." if x.p else "."))


def _statement(x: _Said) -> str:
    if x.fields.get("date"):
        return f"Data cut-off on {x.fields['date']}."
    return str(x.fields.get("note", "Design statement.")).capitalize() + "."


@dataclass(frozen=True)
class FindingKind:
    """A kind of drafted finding (the schema's ``kind``): the short name its ids carry and how its
    statement reads. The constructions that draft it name it in their record
    (:attr:`kg.drafting.figuredata.Construction.findings`)."""

    name: str
    short: str
    describe: Callable[[_Said], str]


HAZARD_RATIO = FindingKind("hazard_ratio", "hr", _ratio)
RISK_RATIO = FindingKind("risk_ratio", "rr", _ratio)
MEDIAN = FindingKind("median", "median", _median)
PROPORTION = FindingKind("proportion", "proportion", _proportion)
COUNT = FindingKind("count", "count", _count)
DOSE = FindingKind("dose", "dose", _dose)
DURATION = FindingKind("duration", "duration", _duration)
COMPARISON = FindingKind("comparison", "comparison", _comparison)
STATEMENT = FindingKind("statement", "statement", _statement)


def _kind(name: str) -> FindingKind | None:
    from kg.drafting.constructions import finding_kind  # the registry names these kinds

    return finding_kind(name)


def short_name(kind: str) -> str:
    """The short name a finding id carries for its kind (``hazard_ratio`` -> ``hr``; ids ``sNNN-pPsS-<short>-N``)."""
    found = _kind(kind)
    return found.short if found else kind


def _describe(fields: dict[str, Any], name: Callable[[str, str], str | None]) -> str:
    kind = _kind(str(fields["kind"]))
    return kind.describe(_Said(fields, name)) if kind else str(fields["kind"])
