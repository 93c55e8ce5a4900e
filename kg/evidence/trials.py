"""Trials and analyses as the exports name them: one key per trial across every source and report.

:func:`trial_table` reads each trial or analysis node (a study that is no one's ``mmkg:reportOf``
record) with what a meta-analyst needs before pooling: its design (network, pairwise, single
trial, ...), the trials it includes (their keys, or "not named" where its source does not name
them), the participants and studies counted (from the count findings about it) and follow-up
where a source gives one. The key is the node's local name (``calgb-100104``), the same whether a
source calls the trial "reference 4" or by its name.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from kg.evidence.gather import Finding
from kg.namespaces import PREFIXES
from kg.query.store import QueryStore, value_of
from kg.readers.result_context import SYNTHESES, design_of

__all__ = ["NOT_NAMED", "Trial", "trial_table"]

RES = PREFIXES["res"]
NOT_NAMED = "not named"
_PROLOGUE = "\n".join(f"PREFIX {p}: <{ns}>" for p, ns in PREFIXES.items())
_TRIALS = _PROLOGUE + """
SELECT ?t ?label ?short ?type ?included ?includedTrial ?notNamed WHERE {
  ?t a mmkg:Study . FILTER NOT EXISTS { ?t mmkg:reportOf ?other }
  OPTIONAL { ?t rdfs:label ?label } OPTIONAL { ?t mmkg:shortLabel ?short }
  OPTIONAL { GRAPH ?g { ?t a ?type } FILTER(?g != graph:inferred && STRSTARTS(STR(?type), STR(mmkg:))) }
  OPTIONAL { ?t mmkg:includesStudy ?included OPTIONAL { ?included mmkg:reportOf ?includedTrial } }
  OPTIONAL { ?t mmkg:includesNotNamed ?notNamed }
}
"""
_PARTICIPANTS = ("PatientsRandomised", "Patients")


@dataclass
class Trial:
    """One trial or analysis: its key, label, design, included trials, participants, studies, follow-up."""

    iri: str
    label: str
    short: str
    types: set[str] = field(default_factory=set)
    included: set[str] = field(default_factory=set)  # trial keys
    not_named: bool = False
    participants: int | None = None
    studies: int | None = None
    follow_up: str | None = None
    arm_participants: dict[str, int] = field(default_factory=dict)  # arm regimen IRI -> N

    @property
    def key(self) -> str:
        return self.iri.removeprefix(RES)

    @property
    def design(self) -> str:
        """The design from the node's most specific type (one table with the pages': ``design_of``)."""
        return design_of(self.types) or "study"

    @property
    def is_synthesis(self) -> bool:
        return self.design in SYNTHESES

    @property
    def included_text(self) -> str | None:
        """Included trial keys, space-separated; "not named" where the source names none."""
        if self.included:
            return " ".join(sorted(self.included))
        return NOT_NAMED if self.not_named else None

    def covers(self) -> set[str]:
        """The trial keys whose patients this row's estimate draws on: itself and what it includes."""
        return {self.key, *self.included}


def trial_table(store: QueryStore, findings: list[Finding]) -> dict[str, Trial]:
    """Every trial or analysis by IRI, with the counts and durations the findings state about it."""
    trials: dict[str, Trial] = {}
    for row in store.query(_TRIALS).rows:
        iri = value_of(row, "t")
        label = value_of(row, "label") if "label" in row else iri.removeprefix(RES)
        trial = trials.setdefault(iri, Trial(iri, label, value_of(row, "short") if "short" in row else label))
        if "type" in row:
            trial.types.add(value_of(row, "type").rsplit("/", 1)[-1])
        if "included" in row:
            included = value_of(row, "includedTrial") if "includedTrial" in row else value_of(row, "included")
            trial.included.add(included.removeprefix(RES))
        if "notNamed" in row and value_of(row, "notNamed") == "true":
            trial.not_named = True
    counted: dict[str, list[Finding]] = defaultdict(list)
    for f in findings:
        for link in f.trials:
            if link.iri in trials:
                counted[link.iri].append(f)
    for iri, about in counted.items():
        _counts(trials[iri], about)
    return trials


def _counts(trial: Trial, findings: list[Finding]) -> None:
    for f in sorted(findings, key=lambda x: (x.source, x.iri)):
        if f.kind == "Count" and f.value is not None and f.count_kind in _PARTICIPANTS:
            if f.arm_regimen is not None:
                trial.arm_participants.setdefault(f.arm_regimen.iri, int(f.value))
            elif trial.participants is None or f.count_kind == "PatientsRandomised":
                trial.participants = int(f.value)
        elif f.kind == "Count" and f.value is not None and f.count_kind == "Studies" and trial.studies is None:
            trial.studies = int(f.value)
        elif f.kind == "Duration" and f.value is not None and "follow" in f.statement.lower():
            trial.follow_up = trial.follow_up or f"{f.value:g} {f.unit or ''}".strip()
