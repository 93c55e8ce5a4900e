"""How a finding's figures and significance read: "HR 0.39 (95% CI 0.28–0.53)", "median 23 months",
"52%", and a mark for significance (benefit, harm, not significant) with where it comes from."""

from __future__ import annotations

from dataclasses import dataclass

from kg.evidence.gather import Finding

__all__ = ["Mark", "figures_text", "mark", "number", "ordinal"]


def number(value: float | None) -> str:
    """``0.39`` -> ``0.39``, ``23.0`` -> ``23``."""
    if value is None:
        return ""
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return text or "0"


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _unit(f: Finding) -> str:
    if f.unit in (None, "percent"):
        return "%" if f.unit == "percent" else ""
    unit = f.unit or ""
    return f" {unit}s" if unit in ("month", "day", "year", "week") and f.value != 1 else f" {unit}"


def figures_text(f: Finding) -> str:
    """The figures of a finding in words a clinician reads at a glance (empty when it has none)."""
    p = f", p{f.p_comparator if f.p_comparator != '=' else '='}{number(f.p)}" if f.p is not None else ""
    if f.is_ratio:
        ci = ""
        if f.lower is not None and f.upper is not None:
            level = f"{number((f.level or 0.95) * 100)}% CI "
            ci = f" ({level}{number(f.lower)}–{number(f.upper)})"
        return f"{f.measure} {number(f.estimate)}{ci}{p}"
    if f.kind == "ArmMedian":
        value = number(f.value) if f.value is not None else f"{number(f.value_min)}–{number(f.value_max)}"
        return f"median {value}{_unit(f)}"
    if f.kind == "Proportion":
        when = f" at {f.timepoint}" if f.timepoint else ""
        return f"{number(f.value)}%{when}"
    if f.kind == "Ranking" and f.rank is not None:
        return f"ranked {ordinal(f.rank)}"
    if f.kind in ("Count", "DoseSchedule", "Duration") and f.value is not None:
        return f"{number(f.value)}{_unit(f)}"
    if f.implied:
        return "implied (no figure)"
    return p[2:] if p else ""


@dataclass(frozen=True)
class Mark:
    """Significance at a glance: ``css`` for the badge, ``text`` to read, ``title`` to explain."""

    css: str  # sig-benefit, sig-harm, ns, direction, none
    text: str
    title: str


_DIRECTION_WORDS = {"Benefit": "benefit", "Harm": "harm", "NoDifference": "no difference", "Absent": "absent"}


def mark(f: Finding) -> Mark:
    """The significance mark of a finding, saying whether it is reported or classified."""
    basis = {"SignificanceAsReported": "as the source reports it",
             "SignificanceFromInterval": "classified from the confidence interval (the source does not say)"
             }.get(f.basis or "", "")
    favours_intervention = (f.estimate is not None and f.estimate < 1) if f.is_ratio else f.direction == "Benefit"
    if f.significant is True:
        harmful = f.direction == "Harm" or (f.is_ratio and not favours_intervention and f.adverse_event is None)
        if f.is_ratio and f.adverse_event is not None:
            harmful = (f.estimate or 0) > 1
        return Mark("sig-harm" if harmful else "sig-benefit", "significant", f"Statistically significant, {basis}")
    if f.significant is False:
        return Mark("ns", "not significant", f"Not statistically significant, {basis}")
    if f.direction in _DIRECTION_WORDS:
        css = {"Benefit": "direction-benefit", "Harm": "direction-harm"}.get(f.direction, "direction")
        return Mark(css, _DIRECTION_WORDS[f.direction], "Direction as the source states it; no significance given")
    return Mark("none", "", "")
