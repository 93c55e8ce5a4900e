"""Readable finding labels, generated from the structured fields (never the id, never the source's words).

"Lenalidomide alone vs no maintenance or placebo: PFS HR 0.39 (95% CI 0.28–0.53), Gay et al. 2018 NMA"
reads in a list; the statement (the curator's sentence) stays in ``rdfs:comment``. Entities are
named by their ``short_label`` where they have one (PFS, OS, a study's short name), else their label.
"""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel

from kg.curation.factbase import FactBase
from kg.curation.findings import (
    ApprovalFinding,
    ComparisonFinding,
    CountFinding,
    DoseFinding,
    DurationFinding,
    FindingBase,
    MedianFinding,
    ProportionFinding,
    RankingFinding,
    RatioFinding,
    StatementFinding,
)
from kg.pipeline.literals import ids

__all__ = ["FindingNamer"]

# How a direction reads after an efficacy endpoint ("PFS benefit") and before an adverse event ("more ...").
_EFFICACY = {"benefit": "{} benefit", "no_difference": "no {} difference", "harm": "{} worse", "absent": "no {}"}
_SAFETY = {"benefit": "less {}", "no_difference": "no more {}", "harm": "more {}", "absent": "no {}"}
_COUNTS = {"patients_randomised": "patients randomised", "patients_in_safety_population":
           "patients in the safety population", "patients_received_allocated": "received the allocated treatment",
           "patients": "patients", "studies": "studies", "regimens": "regimens",
           "randomisation_stages": "randomisation stages"}
_ROLES = {"background": "Background", "conclusion": "Conclusion", "consistency": "Consistency",
          "mechanism": "Mechanism", "design": "Design", "hypothesis": "Hypothesis"}
_MAX_STATEMENT = 110


def _number(value: Decimal | int) -> str:
    """``0.390`` -> ``0.39``, ``25`` -> ``25`` (as stated, without trailing zeros or exponent)."""
    return format(Decimal(value).normalize(), "f")


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


class FindingNamer:
    """Names findings with the labels of what they refer to, looked up in the fact base."""

    def __init__(self, base: FactBase) -> None:
        self.base = base

    def _name(self, entry_id: str | None, *, short: bool = True) -> str | None:
        if entry_id is None:
            return None
        entry = self.base.entries.get(entry_id)
        if entry is None:
            return entry_id
        fields = entry.model_dump(include={"label", "short_label"})
        return str((short and fields.get("short_label")) or fields["label"])

    def _study(self, finding: FindingBase) -> str | None:
        names = [n for s in ids(finding.study) if (n := self._name(s))]
        return " and ".join(names) if names else None

    def _who(self, finding: FindingBase) -> str | None:
        """The regimen a one-arm figure belongs to: the arm's regimen, else the regimen(s) named."""
        if finding.arm:
            arm: BaseModel | None = self.base.entries.get(finding.arm)
            regimen = arm.model_dump(include={"regimen"}).get("regimen") if arm is not None else None
            return self._name(regimen, short=False)
        names = [n for r in ids(finding.regimen) if (n := self._name(r, short=False))]
        names += [n for n in (self._name(finding.intervention, short=False), self._name(finding.drug)) if n]
        return " and ".join(names) if names else None

    def _comparison(self, finding: FindingBase) -> str | None:
        intervention = self._name(finding.intervention, short=False)
        comparator = self._name(finding.comparator, short=False)
        if intervention and comparator:
            return f"{intervention} vs {comparator}"
        return intervention or self._who(finding)

    def _outcome(self, finding: FindingBase) -> str:
        """The endpoint, or the adverse event with its grades when there is one."""
        event = self._name(finding.adverse_event)
        if event:
            grades = finding.grades or []
            grade = (f"grade {min(grades)}–{max(grades)} " if len(grades) > 1 and min(grades) != max(grades)
                     else f"grade {grades[0]} " if grades else "")
            main = self._name(finding.main_adverse_event)
            what = f"{grade}{event}" + (f", mainly {main}" if main else "")
            endpoint = self._name(finding.endpoint)
            return f"{endpoint} ({what})" if endpoint and finding.endpoint != "ae-incidence" else what
        return self._name(finding.endpoint) or "outcome"

    def label(self, finding: FindingBase) -> str:
        """The finding's label: who, what, the figures, and the study."""
        body = self._body(finding)
        study = self._study(finding)
        if finding.implied:
            body += " (implied)"
        return _capital(f"{body}, {study}" if study and not isinstance(finding, CountFinding) else body)

    def _p(self, finding: FindingBase) -> str:
        parts = finding.p_parts()
        if parts is None:
            return ""
        comparator, value = parts
        return f", p{comparator}{_number(value)}"

    def _body(self, finding: FindingBase) -> str:
        if isinstance(finding, RatioFinding):
            measure = "HR" if finding.kind == "hazard_ratio" else "RR"
            ci = (f" ({_number(finding.ci_level or 95)}% CI {_number(finding.ci[0])}–{_number(finding.ci[1])})"
                  if finding.ci else "")
            return (f"{self._comparison(finding)}: {self._outcome(finding)} {measure} {_number(finding.estimate)}"
                    f"{ci}{self._p(finding)}")
        if isinstance(finding, MedianFinding):
            value = (_number(finding.value) if finding.value is not None and finding.range is None
                     else f"{_number(finding.range[0])}–{_number(finding.range[1])}" if finding.range else "")
            return f"{self._who(finding) or 'arm'}: median {self._outcome(finding)} {value} {finding.unit}s"
        if isinstance(finding, ProportionFinding):
            when = f" at {finding.timepoint}" if finding.timepoint else ""
            return f"{self._who(finding) or 'arm'}: {self._outcome(finding)} {_number(finding.value)}%{when}"
        if isinstance(finding, CountFinding):
            total = f" of {finding.of_total}" if finding.of_total is not None else ""
            owner = self._study(finding) or self._who(finding) or "count"
            arm = f" ({self._who(finding)} arm)" if finding.arm else ""
            return f"{owner}{arm}: {finding.value}{total} {_COUNTS[finding.counts]}"
        if isinstance(finding, DoseFinding):
            return f"{self._who(finding) or 'dose'}: {_number(finding.value)} {finding.unit}, {finding.schedule}"
        if isinstance(finding, DurationFinding):
            return f"{_capital(finding.activity)}: {_number(finding.value)} {finding.unit}s"
        if isinstance(finding, ComparisonFinding):
            words = _SAFETY if finding.adverse_event else _EFFICACY
            significance = {True: " (significant)", False: " (not significant)"}.get(finding.significant, "") \
                if finding.significant is not None else ""
            return (f"{self._comparison(finding) or 'comparison'}: "
                    f"{words[finding.direction].format(self._outcome(finding))}{significance}{self._p(finding)}")
        if isinstance(finding, RankingFinding):
            return f"{self._who(finding) or 'regimen'} ranked {_ordinal(finding.rank)} for {self._outcome(finding)}"
        if isinstance(finding, ApprovalFinding):
            return f"{self._name(finding.agency)} approval: {self._who(finding) or 'drug'}, {finding.indication}"
        if isinstance(finding, StatementFinding):
            statement = finding.statement.rstrip(".")
            if len(statement) > _MAX_STATEMENT:
                statement = statement[:_MAX_STATEMENT].rsplit(" ", 1)[0] + "…"
            return f"{_ROLES[finding.role]}: {statement}"
        if finding.direction:
            words = _SAFETY if finding.adverse_event else _EFFICACY
            what = words[finding.direction].format(self._outcome(finding))
            return f"{self._comparison(finding) or 'finding'}: {what}"
        return finding.statement
