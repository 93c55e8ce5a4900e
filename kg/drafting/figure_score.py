"""Score a draft against a list of expected figures (value, kind, endpoint, arm, direction).

:mod:`kg.drafting.scoring` scores against a curated fact file (locators, endpoints); this one scores
against what a reader expects from an article in any format, where locators differ by reader but
meaning must not: a figure is recalled when a drafted finding of its kind states its value with the
expected endpoint, arm and direction (each checked only when the expectation gives it), and a
drafted finding is right when it is such a match for some expected figure.

* value: a ratio's estimate, else the finding's value (both ends of a range);
* arm: the regimen of the finding's arm, its regimen, or a ratio's intervention; for a dose, the drug;
* direction: the finding's own, else a ratio's read from its interval (below 1 benefit, above 1 harm,
  else no difference).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from kg.drafting.scoring import Score

__all__ = ["Expected", "FigureScore", "expected_of", "score_figures"]

SCORED_KINDS = ("hazard_ratio", "risk_ratio", "median", "proportion", "count", "dose", "duration", "comparison")


@dataclass(frozen=True)
class Expected:
    """One figure an article states, as a curator reads it."""

    value: Decimal
    kind: str
    endpoint: str | None = None
    arm: str | None = None
    direction: str | None = None

    def __str__(self) -> str:
        return " ".join(str(x) for x in (self.kind, self.value, self.endpoint, self.arm, self.direction) if x)


def expected_of(rows: list[list[Any]]) -> list[Expected]:
    """Expected figures from YAML rows ``[value, kind, endpoint, arm, direction]``."""
    return [Expected(Decimal(str(v)), str(k), e, a, d) for v, k, e, a, d in rows]


FigureScore = Score
"""Counts and the misses of one draft: the same tally as a draft scored against curated facts."""


@dataclass(frozen=True)
class _Read:
    values: frozenset[Decimal]
    kind: str
    endpoint: str | None
    arm: str | None
    direction: str | None
    label: str


def _direction(finding: dict[str, Any]) -> str | None:
    if finding.get("direction"):
        return str(finding["direction"])
    ci = finding.get("ci")
    if finding["kind"] in ("hazard_ratio", "risk_ratio") and ci:
        low, high = Decimal(str(ci[0])), Decimal(str(ci[1]))
        return "benefit" if high < 1 else "harm" if low > 1 else "no_difference"
    return None


def _read(finding: dict[str, Any], arms: dict[str, str]) -> _Read:
    kind = str(finding["kind"])
    if kind in ("hazard_ratio", "risk_ratio"):
        values = [finding.get("estimate")]
    elif kind == "comparison":
        values = [str(finding.get("p", "")).lstrip("<>=") or None]
    else:
        values = list(finding.get("range") or [finding.get("value")])
    if kind == "dose":
        arm = finding.get("drug")
    else:
        arm = arms.get(finding.get("arm", ""), finding.get("arm")) or finding.get("regimen") or finding.get(
            "intervention")
    numbers = frozenset(Decimal(str(v)).normalize() for v in values if v is not None)
    return _Read(numbers, kind, finding.get("endpoint"), arm, _direction(finding),
                 f"{finding.get('at')} {kind} {', '.join(str(v) for v in sorted(numbers))} "
                 f"{finding.get('endpoint') or ''} {arm or ''} {_direction(finding) or ''} ({finding.get('id')})")


def _matches(read: _Read, want: Expected) -> bool:
    return (read.kind == want.kind and want.value.normalize() in read.values
            and all(w is None or w == r for w, r in ((want.endpoint, read.endpoint), (want.arm, read.arm),
                                                     (want.direction, read.direction))))


def score_figures(data: dict[str, Any], expected: list[Expected]) -> FigureScore:
    """Recall of ``expected`` and precision of the draft ``data``'s findings of the scored kinds."""
    arms = {str(a["id"]): str(a["regimen"]) for a in data.get("arms", [])}
    reads = [_read(f, arms) for f in data.get("findings", []) if f.get("kind") in SCORED_KINDS]
    reads = [r for r in reads if r.values]
    result = FigureScore(figures=len(expected), drafted=len(reads))
    for want in expected:
        if any(_matches(r, want) for r in reads):
            result.recalled += 1
        else:
            result.missed.append(str(want))
    for read in reads:
        if any(_matches(read, want) for want in expected):
            result.right += 1
        else:
            result.wrong.append(read.label)
    return result
