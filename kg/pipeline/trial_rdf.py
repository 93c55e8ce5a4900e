"""Trials apart from their reports: every study record resolves to one trial (or analysis) node.

A source often knows a trial only as "reference 4" or "a large thalidomide trial"; the curator
identifies such a record with a named trial (``identified_with``). :func:`trial_of` follows those
identifications to the end, so CALGB 100104 is one node however many sources report it, and the
build states:

* ``?record mmkg:reportOf ?trial`` for a study record that is a report of another node;
* ``?finding mmkg:aboutTrial ?trial`` for each study of a finding (directly or through its arm);
* and the build's property rules (:mod:`kg.pipeline.property_rules`) add ``?trial mmkg:reportedBy
  ?source`` for each source with a finding about it, in ``graph:inferred`` (so a trial stays described
  by the file that defines it, not by every report of it).

The trial's local name is the *trial key* every export carries (one per trial across all sources
and reports). An identification is the curator's inference: it is flagged as such.

>>> trial_of({"ref4": "calgb", "calgb": None, "x": None}, "ref4"), trial_of({"x": None}, "x")
('calgb', 'x')
"""

from __future__ import annotations

from collections.abc import Callable

from rdflib import Graph

from kg.curation.factbase import FactBase
from kg.curation.findings import FindingBase
from kg.curation.schema import SourceFile
from kg.namespaces import MMKG, RES
from kg.pipeline.literals import ids

__all__ = ["TrialLinks", "add_trials", "trial_of", "trials_of_finding"]


def trial_of(identified: dict[str, str | None], study: str) -> str:
    """The trial a study record resolves to: its identification's identification, ... or itself."""
    seen = {study}
    current = study
    while (nxt := identified.get(current)) is not None and nxt not in seen:
        seen.add(nxt)
        current = nxt
    return current


class TrialLinks:
    """What resolving a record to its trial needs from the whole fact base: each study's identification
    and each arm's study (the ``*_key`` methods say what a graph's trial triples depend on, for the
    build's per-source cache)."""

    def __init__(self, base: FactBase) -> None:
        self.identified: dict[str, str | None] = {s.id: s.identified_with for s in base.studies()}
        self.arm_study: dict[str, str] = {a.id: a.study for a in base.arms()}

    def reference_key(self, base: FactBase) -> str:
        """What the reference graph's trial triples depend on: its records' trials (for a cache key)."""
        return repr([(study.id, trial_of(self.identified, study.id)) for study in base.reference.studies])

    def source_key(self, source: SourceFile) -> str:
        """What one source's trial triples depend on: its records' and its findings' trials."""
        return repr(([(study.id, trial_of(self.identified, study.id)) for study in source.studies],
                     [(finding.id, self.trials(finding)) for finding in source.findings]))

    def trials(self, finding: FindingBase) -> list[str]:
        """The finding's trials (trial keys), from its studies and its arm's study, in order."""
        studies = ids(finding.study)
        if finding.arm is not None and finding.arm in self.arm_study:
            studies.append(self.arm_study[finding.arm])
        trials: list[str] = []
        for study in studies:
            if (trial := trial_of(self.identified, study)) not in trials:
                trials.append(trial)
        return trials

    def add_reference(self, g: Graph, base: FactBase) -> None:
        """``reportOf`` for the reference file's study records, added to the reference graph ``g``."""
        for study in base.reference.studies:
            if (trial := trial_of(self.identified, study.id)) != study.id:
                g.add((RES[study.id], MMKG.reportOf, RES[trial]))

    def add_source(self, g: Graph, source: SourceFile) -> None:
        """``reportOf`` and ``aboutTrial`` of one source, added to its graph ``g``."""
        for study in source.studies:
            if (trial := trial_of(self.identified, study.id)) != study.id:
                g.add((RES[study.id], MMKG.reportOf, RES[trial]))
        for finding in source.findings:
            for trial in self.trials(finding):
                g.add((RES[finding.id], MMKG.aboutTrial, RES[trial]))


def trials_of_finding(base: FactBase) -> dict[str, list[str]]:
    """Each finding's trials (trial keys), from its studies and its arm's study, in order."""
    links = TrialLinks(base)
    return {finding.id: links.trials(finding) for _, finding in base.findings()}


def add_trials(base: FactBase, graph_for: Callable[[str | None], Graph]) -> None:
    """State reportOf and aboutTrial; ``graph_for(source_id)`` is a source's graph
    (``None``: the reference graph), where the records and findings live."""
    links = TrialLinks(base)
    links.add_reference(graph_for(None), base)
    for source in base.sources:
        links.add_source(graph_for(source.source.id), source)
