"""A draft finding's ``statement``: what it says, in words made from its fields (never the article's)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from kg.drafting.lexicon import Lexicon

__all__ = ["clean_text", "describe"]

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


def _describe(fields: dict[str, Any], name: Callable[[str, str], str | None]) -> str:
    endpoint = name("endpoint", "endpoint")
    ae = name("adverse_event", "adverse_event")
    what = ae if ae and endpoint in (None, "adverse events", "adverse-event incidence") else endpoint
    who = name("arm", "arm") or name("regimen", "regimen")
    vs = " vs ".join(n for n in (name("regimen", "intervention"), name("regimen", "comparator")) if n)
    p = f", p{fields['p']}" if fields.get("p") else ""  # "p<0.001", "p=0.082"
    kind = fields["kind"]
    if kind in ("hazard_ratio", "risk_ratio"):
        label = "HR" if kind == "hazard_ratio" else "RR"
        ci = (f" ({_num(fields['ci_level'])}% CI {_num(fields['ci'][0])}-{_num(fields['ci'][1])}{p})"
              if fields.get("ci") else (f" ({p[2:]})" if p else ""))
        about = f" for {what or 'an unnamed endpoint'}"
        return f"{label} {_num(fields['estimate'])}{ci}{about}" + (f": {vs}." if vs else ".")
    if kind == "median" and fields.get("not_reached"):
        return f"Median {what or 'time'} not reached" + (f" with {who}." if who else ".")
    if kind == "median":
        value = (f"{_num(fields['range'][0])}-{_num(fields['range'][1])}" if "range" in fields
                 else _num(fields["value"]))
        return f"Median {what or 'time'} {value} {fields['unit']}s" + (f" with {who}." if who else ".")
    if kind == "proportion":
        return f"{_num(fields['value'])}% {what or 'of patients'}" + (f" with {who}." if who else ".")
    if kind == "count":
        counted = str(fields["counts"]).replace("_", " ")
        return f"{fields['value']} {counted}" + (f" ({who})." if who else ".")
    if kind == "dose":
        return f"{name('drug', 'drug') or 'Dose'} {_num(fields['value'])} {fields['unit']}, {fields['schedule']}."
    if kind == "duration":
        return f"{_num(fields['value'])} {fields['unit']}s of {fields['activity']}."
    if kind == "comparison":
        direction = str(fields["direction"]).replace("_", " ")
        grades = f" (grade {'-'.join(str(g) for g in fields['grades'])})" if fields.get("grades") else ""
        return f"{direction.capitalize()} in {what or 'the outcome'}{grades}" + (f": {vs}" if vs else "") + \
            (f" ({p[2:]})." if p else ".")
    if kind == "statement":
        if fields.get("date"):
            return f"Data cut-off on {fields['date']}."
        return str(fields.get("note", "Design statement.")).capitalize() + "."
    return str(kind)
