"""Trials apart from their reports: every study record resolves to one trial (or analysis) node.

A source often knows a trial only as "reference 4" or "a large thalidomide trial"; the curator
identifies such a record with a named trial (``identified_with``). :func:`trial_of` follows those
identifications to the end, so CALGB 100104 is one node however many sources report it, and the
build states:

* ``?record mmkg:reportOf ?trial`` for a study record that is a report of another node;
* ``?finding mmkg:aboutTrial ?trial`` for each study of a finding (directly or through its arm);
* ``?trial mmkg:reportedBy ?source`` for each source with a finding about it.

The trial's local name is the *trial key* every export carries (one per trial across all sources
and reports). An identification is the curator's inference: it is flagged as such.

>>> trial_of({"ref4": "calgb", "calgb": None, "x": None}, "ref4"), trial_of({"x": None}, "x")
('calgb', 'x')
"""

from __future__ import annotations

from collections.abc import Callable

from rdflib import Graph

from kg.curation.factbase import FactBase
from kg.namespaces import MMKG, RES
from kg.pipeline.literals import ids

__all__ = ["add_trials", "trial_of", "trials_of_finding"]


def trial_of(identified: dict[str, str | None], study: str) -> str:
    """The trial a study record resolves to: its identification's identification, ... or itself."""
    seen = {study}
    current = study
    while (nxt := identified.get(current)) is not None and nxt not in seen:
        seen.add(nxt)
        current = nxt
    return current


def trials_of_finding(base: FactBase) -> dict[str, list[str]]:
    """Each finding's trials (trial keys), from its studies and its arm's study, in order."""
    identified = {s.id: s.identified_with for s in base.studies()}
    arm_study = {a.id: a.study for a in base.arms()}
    found: dict[str, list[str]] = {}
    for _, finding in base.findings():
        studies = ids(finding.study)
        if finding.arm is not None and finding.arm in arm_study:
            studies.append(arm_study[finding.arm])
        trials: list[str] = []
        for study in studies:
            if (trial := trial_of(identified, study)) not in trials:
                trials.append(trial)
        found[finding.id] = trials
    return found


def add_trials(base: FactBase, graph_for: Callable[[str | None], Graph]) -> None:
    """State reportOf, aboutTrial and reportedBy; ``graph_for(source_id)`` is a source's graph
    (``None``: the reference graph), where the records and findings live."""
    identified = {s.id: s.identified_with for s in base.studies()}
    reference = graph_for(None)
    for study in base.reference.studies:
        if (trial := trial_of(identified, study.id)) != study.id:
            reference.add((RES[study.id], MMKG.reportOf, RES[trial]))
    trials = trials_of_finding(base)
    for source in base.sources:
        g = graph_for(source.source.id)
        for study in source.studies:
            if (trial := trial_of(identified, study.id)) != study.id:
                g.add((RES[study.id], MMKG.reportOf, RES[trial]))
        for finding in source.findings:
            for trial in trials[finding.id]:
                g.add((RES[finding.id], MMKG.aboutTrial, RES[trial]))
                g.add((RES[trial], MMKG.reportedBy, RES[source.source.id]))
