"""What a reader needs beside a result to weigh it: the population or subgroup, how many patients
(per arm where known), how many trials were pooled, the follow-up and the design (network or
pairwise meta-analysis, single trial).

The evidence layer is gaining these as fields of a finding (``population_label``, ``n_total``,
``n_per_arm``, ``trials_pooled``, ``follow_up``, ``design``); until a finding carries them they are
derived here from what the graph holds now: the finding's population, its study's types, and the
count findings of the same study (patients, patients randomised per arm, studies included).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

__all__ = ["SYNTHESES", "ResultContext", "ResultContexts", "design_of"]


class _Link(Protocol):
    @property
    def iri(self) -> str: ...
    @property
    def label(self) -> str: ...


class _Finding(Protocol):
    @property
    def iri(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def value(self) -> float | None: ...
    @property
    def count_kind(self) -> str | None: ...
    @property
    def studies(self) -> Sequence[_Link]: ...
    @property
    def study_types(self) -> set[str]: ...
    @property
    def populations(self) -> Sequence[_Link]: ...
    @property
    def arm_regimen(self) -> _Link | None: ...


_DESIGNS = (  # most specific first: the study's class local names -> how a clinician and a meta-analyst say it
    ("NetworkMetaAnalysis", "network meta-analysis"),
    ("MetaAnalysis", "pairwise meta-analysis"),
    ("SystematicReview", "systematic review"),
    ("NarrativeReview", "narrative review"),
    ("NonRandomisedComparison", "non-randomised comparison"),
    ("RandomisedControlledTrial", "single randomised trial"),
    ("ClinicalTrial", "single trial"),
    ("OpenLabelStudy", "single trial"),
)
SYNTHESES = frozenset({"network meta-analysis", "pairwise meta-analysis", "systematic review", "narrative review"})
"""The designs that pool or review other studies."""


def design_of(study_types: Iterable[str]) -> str | None:
    """The design a clinician names, from a study's class local names.

    >>> design_of({"SystematicReview", "NetworkMetaAnalysis"})
    'network meta-analysis'
    >>> design_of({"RandomisedControlledTrial", "OpenLabelStudy"})
    'single randomised trial'
    >>> design_of({"ClinicalTrial"})
    'single trial'
    >>> design_of({"Study"}) is None
    True
    """
    types = set(study_types)
    return next((name for key, name in _DESIGNS if key in types), None)


@dataclass(frozen=True)
class ResultContext:
    """The context of one result, each part None where neither the finding nor its study says."""

    population: str | None = None
    n_total: int | None = None
    n_per_arm: list[tuple[str, int]] = field(default_factory=list)  # (arm regimen label, patients)
    trials_pooled: int | None = None
    follow_up: str | None = None
    design: str | None = None

    def parts(self) -> list[str]:
        """The context as short phrases, in reading order."""
        out: list[str] = []
        if self.population:
            out.append(self.population)
        if self.n_per_arm:
            out.append("N " + " vs ".join(f"{n:,}" for _, n in self.n_per_arm))
        elif self.n_total:
            out.append(f"N {self.n_total:,}")
        if self.trials_pooled:
            out.append(f"{self.trials_pooled} trial{'s' if self.trials_pooled != 1 else ''} pooled")
        if self.follow_up:
            out.append(f"follow-up {self.follow_up}")
        if self.design:
            out.append(self.design)
        return out

    def line(self) -> str:
        return " · ".join(self.parts())


def _int(value: float | None) -> int | None:
    return int(value) if value is not None else None


class ResultContexts:
    """Context for each finding of a release, from the findings themselves (their counts)."""

    def __init__(self, findings: Iterable[_Finding]) -> None:
        self._patients: dict[str, int] = {}
        self._studies: dict[str, int] = {}
        self._arms: dict[str, list[tuple[str, int]]] = defaultdict(list)
        for f in findings:
            if f.kind != "Count" or f.value is None:
                continue
            kind = (f.count_kind or "").lower()
            for study in f.studies:
                if "stud" in kind or "trial" in kind:
                    self._studies.setdefault(study.iri, int(f.value))
                elif "patient" in kind and f.arm_regimen is not None:
                    if all(label != f.arm_regimen.label for label, _ in self._arms[study.iri]):
                        self._arms[study.iri].append((f.arm_regimen.label, int(f.value)))
                elif "patient" in kind and ("random" in kind or kind == "patients" or study.iri not in self._patients):
                    self._patients[study.iri] = int(f.value)

    def of(self, finding: _Finding) -> ResultContext:
        """The finding's own context fields where it has them, else the derived ones."""
        studies = [s.iri for s in finding.studies]
        population = getattr(finding, "population_label", None) or (
            "; ".join(p.label for p in finding.populations) or None)
        n_total = getattr(finding, "n_total", None) or next(
            (self._patients[s] for s in studies if s in self._patients), None)
        per_arm = getattr(finding, "n_per_arm", None) or next(
            (self._arms[s] for s in studies if len(self._arms.get(s, [])) >= 2), [])
        design = getattr(finding, "design", None) or design_of(finding.study_types)
        pooled = getattr(finding, "trials_pooled", None) or (next(
            (self._studies[s] for s in studies if s in self._studies), None)
            if len(studies) == 1 and design and ("analysis" in design or "review" in design) else None)
        if design == "single randomised trial" and len(studies) > 1:
            design = f"{len(studies)} randomised trials, reported together"
        return ResultContext(population, _int(n_total), list(per_arm), _int(pooled),
                             getattr(finding, "follow_up", None), design)

    def patients(self, finding: _Finding) -> str:
        """Only the N of the finding's context ("N 5,073", "N 1,137 vs 834"), or ""."""
        context = self.of(finding)
        if context.n_per_arm:
            return "N " + " vs ".join(f"{n:,}" for _, n in context.n_per_arm)
        return f"N {context.n_total:,}" if context.n_total else ""
