"""Score a draft against a curated source file: recall of the curated figures, precision of the drafted findings.

* **Recall**: a curated figure is found when a drafted finding of the same kind, at an overlapping
  locator, states it; for ratios and medians the endpoint must match too.
* **Precision**: a drafted finding that states figures is right when every one of them is a figure
  of a curated finding of the same kind at an overlapping locator (same endpoint for ratios and
  medians). Drafted findings without figures (qualitative comparisons) are not counted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from kg.curation.findings import FindingBase
from kg.curation.texts import parse_locator

__all__ = ["Score", "score"]

_WITH_ENDPOINT = ("hazard_ratio", "risk_ratio", "median")


@dataclass
class Score:
    """Counts and the misses, for one source."""

    figures: int = 0
    recalled: int = 0
    drafted: int = 0
    right: int = 0
    missed: list[str] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.recalled / self.figures if self.figures else 1.0

    @property
    def precision(self) -> float:
        return self.right / self.drafted if self.drafted else 1.0

    def __iadd__(self, other: Score) -> Score:
        self.figures += other.figures
        self.recalled += other.recalled
        self.drafted += other.drafted
        self.right += other.right
        self.missed += other.missed
        self.wrong += other.wrong
        return self


def _sentences(finding: FindingBase) -> set[tuple[int, int]]:
    loc = parse_locator(finding.at)
    if loc.table is not None:  # a table row: (-table, row), apart from every paragraph
        return {(-loc.table, loc.row)}
    return {(loc.paragraph, s) for s in loc.sentences}


def _kind(finding: FindingBase) -> str:
    return str(getattr(finding, "kind", ""))


def _matches(drafted: FindingBase, curated: FindingBase) -> bool:
    return (_kind(drafted) == _kind(curated) and bool(_sentences(drafted) & _sentences(curated))
            and (_kind(curated) not in _WITH_ENDPOINT or drafted.endpoint == curated.endpoint))


def _figures(finding: FindingBase) -> set[Decimal]:
    return {f.normalize() for f in finding.figures()}


def score(drafted: list[FindingBase], curated: list[FindingBase]) -> Score:
    """Recall and precision of ``drafted`` against ``curated`` (one source's findings)."""
    result = Score()
    for finding in curated:
        for figure in _figures(finding):
            result.figures += 1
            if any(figure in _figures(d) for d in drafted if _matches(d, finding)):
                result.recalled += 1
            else:
                result.missed.append(f"{finding.at} {_kind(finding)} {figure} ({finding.id})")
    for finding in drafted:
        figures = _figures(finding)
        if not figures:
            continue
        result.drafted += 1
        known = set().union(*(_figures(c) for c in curated if _matches(finding, c)))
        if figures <= known:
            result.right += 1
        else:
            extra = ", ".join(str(f) for f in sorted(figures - known))
            result.wrong.append(f"{finding.at} {_kind(finding)} {extra} ({finding.id})")
    return result
