"""A deterministic synthetic *curated* corpus: ``mmkg synth --sources N -o DIR``.

Writes a fact tree in the curated format, ready for ``mmkg build --facts DIR --sources DIR/texts``::

    DIR/reference.yaml        the package's vocabulary (drugs, regimens, endpoints, adverse events,
                              characteristics, agencies: real, with their verified identifiers) plus
                              the synthetic trials with their populations, subgroups, arms and papers
    DIR/sources/syn-NNNN.yaml one report of a trial each (see :mod:`kg.synthetic.reports`)
    DIR/texts/syn-NNNN.txt    the generated prose the findings' locators point into

Every entry is built as the schema's pydantic model (:mod:`kg.curation.schema`) and dumped from it,
so the files are checked when written and follow the schema as it grows. Trials are reported
about three times each (a first report, then updates that corroborate its PFS result across
sources); interventions are drawn with Zipf weights, lenalidomide first, so a few drugs are hubs.
Synthetic entries carry no external identifier: made-up identifiers would look real.
"""

from __future__ import annotations

import os
import random
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel

from kg import paths
from kg.curation.schema import ArmEntry, PopulationEntry, PublicationEntry, ReferenceFile, StudyEntry
from kg.curation.yamlread import load_yaml
from kg.synthetic.reports import Trial, report, source_id, text_name

__all__ = ["REPORTS_PER_TRIAL", "CorpusReport", "change_one", "synthesise_corpus", "trial_count", "trials",
           "write_source"]

REPORTS_PER_TRIAL = 3
_INTERVENTIONS = ["len", "thal", "len-pred", "bort", "thal-bort", "bort-pred", "ifn", "thal-ifn"]
_CONTROLS = [("placebo", "placebo"), ("observation", "observation"), ("no-maintenance", "no_maintenance")]
_REFERENCE_VOCABULARY = ("drugs", "targets", "diseases", "endpoints", "adverse_events", "characteristics",
                         "regimens", "agencies")
_KEPT_POPULATIONS = {"mm-patients", "ndmm"}
_NAMES = ["Alder", "Birch", "Cedar", "Delta", "Ember", "Fjord", "Garnet", "Harbour", "Iris", "Juniper", "Kestrel",
          "Linden", "Meridian", "Nimbus", "Orchid", "Pioneer", "Quarry", "Rowan", "Summit", "Tundra"]


@dataclass
class CorpusReport:
    sources: int
    trials: int
    findings: int


def trial_count(sources: int) -> int:
    """Trials a corpus of ``sources`` reports defines: one more than it needs, so that source number
    ``sources`` (an added article) reports a trial that exists."""
    return sources // REPORTS_PER_TRIAL + 1


def _plain(value: Any) -> Any:
    """A model dump as YAML-friendly values: decimals as numbers, tuples as lists."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _first(data: Any) -> Any:
    """Entries with ``id`` and ``kind`` first, as a curator writes them."""
    if isinstance(data, list):
        return [_first(v) for v in data]
    if isinstance(data, dict):
        head = {k: _first(data[k]) for k in ("id", "kind") if k in data}
        return head | {k: _first(v) for k, v in data.items() if k not in head}
    return data


def _dump(model: BaseModel) -> str:
    data = _first(_plain(model.model_dump(mode="python", exclude_defaults=True)))
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=110, default_flow_style=False)


def _package_reference() -> ReferenceFile:
    raw, _lines = load_yaml(paths.facts_dir() / "reference.yaml")
    return ReferenceFile.model_validate(raw)


def _trial(seed: int, number: int, reference: ReferenceFile) -> tuple[Trial, list[BaseModel]]:
    rng = random.Random(f"mmkg-synth-trial-{seed}-{number}")
    regimens = {r.id: r for r in reference.regimens}
    weights = [1 / (rank + 1) for rank in range(len(_INTERVENTIONS))]
    regimen = regimens[rng.choices(_INTERVENTIONS, weights)[0]]
    control, role = rng.choice(_CONTROLS)
    tid = f"syn-trial-{number:04d}"
    name = f"{rng.choice(_NAMES)}-{number + 1}"
    setting = rng.choice([["newly-diagnosed", "transplant-eligible", "after-asct"],
                          ["newly-diagnosed", "transplant-ineligible", "after-induction"]])
    year = 2000 + number % 24
    pub = PublicationEntry(id=f"{tid}-paper", label=f"Main report of the {name} trial", year=year,
                           authors=[f"{rng.choice(_NAMES)} A", f"{rng.choice(_NAMES)} B"],
                           journal="Synthetic Journal of Haematology",
                           citation=f"{rng.choice(_NAMES)} A, et al. The {name} maintenance trial. "
                                    f"Synthetic Journal of Haematology. {year}.")
    itt = PopulationEntry(id=f"{tid}-itt", label=f"{name} randomised patients", disease="multiple-myeloma",
                          characteristics=setting, subgroup_of="ndmm")
    subgroup = PopulationEntry(id=f"{tid}-high-risk", label=f"{name} patients with high-risk cytogenetics",
                               disease="multiple-myeloma", characteristics=[*setting, "high-risk"],
                               subgroup_of=itt.id)
    study = StudyEntry(id=tid, label=f"{name} trial of {regimen.label} maintenance", short_label=name,
                       types=["RandomisedControlledTrial"], phase=3, disease="multiple-myeloma",
                       populations=[itt.id], compares=[regimen.id, control], primary_endpoints=["pfs"],
                       published_in=[pub.id])
    arms = [ArmEntry(id=f"{tid}-maintenance", label=f"{name} {regimen.label} arm", study=tid, role="intervention",
                     regimen=regimen.id),
            ArmEntry(id=f"{tid}-control", label=f"{name} {regimens[control].label} arm", study=tid,
                     role=role, regimen=control)]
    trial = Trial(id=tid, name=name, regimen=regimen.id, regimen_label=regimen.label, comparator=control,
                  comparator_label=regimens[control].label, drug=regimen.components[0], population=itt.id,
                  subgroup=subgroup.id, intervention_arm=arms[0].id, comparator_arm=arms[1].id, publication=pub.id)
    return trial, [pub, itt, subgroup, study, *arms]


def trials(seed: int, count: int) -> tuple[ReferenceFile, list[Trial]]:
    """The corpus's ``reference.yaml`` (as its model) and its trials."""
    base = _package_reference()
    made = [_trial(seed, n, base) for n in range(count)]
    extra: dict[str, list[BaseModel]] = {"publications": [], "populations": [], "studies": [], "arms": []}
    for _trial_entry, entries in made:
        for entry in entries:
            section = {PublicationEntry: "publications", PopulationEntry: "populations", StudyEntry: "studies",
                       ArmEntry: "arms"}[type(entry)]
            extra[section].append(entry)
    kept = {name: getattr(base, name) for name in _REFERENCE_VOCABULARY}
    populations = [p for p in base.populations if p.id in _KEPT_POPULATIONS]
    reference = ReferenceFile(**kept, publications=extra["publications"], studies=extra["studies"],
                              populations=[*populations, *extra["populations"]], arms=extra["arms"])
    return reference, [t for t, _ in made]


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(tmp, path)


def write_source(out: Path, seed: int, index: int, all_trials: list[Trial]) -> int:
    """Write source ``index`` (its YAML and its text) into the tree at ``out``; its number of findings."""
    trial = all_trials[index // REPORTS_PER_TRIAL]
    first = index - index % REPORTS_PER_TRIAL
    source, text = report(seed, index, trial, first if first != index else None)
    _write(out / "texts" / text_name(index), text)
    _write(out / "sources" / f"{source_id(index)}.yaml",
           f"# Synthetic source {index} (mmkg synth --sources, seed {seed}): generated, not curated.\n"
           + _dump(source))
    return len(source.findings)


def synthesise_corpus(out: Path, sources: int, seed: int = 0,
                      progress: Callable[[int], None] | None = None) -> CorpusReport:
    """Write a corpus of ``sources`` synthetic reports into ``out`` (same seed, same files)."""
    reference, all_trials = trials(seed, trial_count(sources))
    _write(out / "reference.yaml", f"# Synthetic reference (mmkg synth --sources {sources}, seed {seed}).\n"
           + _dump(reference))
    findings = 0
    for index in range(sources):
        findings += write_source(out, seed, index, all_trials)
        if progress is not None:
            progress(1)
    return CorpusReport(sources, len(all_trials), findings)


def change_one(facts: Path, seed: int, n: int) -> None:
    """Change one figure of source 0 (the patients randomised, in its YAML and its text) and add source
    ``n`` (a report of an existing trial): what curating one more article does to the tree."""
    yaml_path, text = facts / "sources" / "syn-0000.yaml", facts / "texts" / "syn-0000.txt"
    data = yaml.safe_load(yaml_path.read_text(encoding="utf-8"))
    count = next(f for f in data["findings"] if f["id"] == "syn-0000-n")
    old, count["value"] = count["value"], count["value"] + 1
    yaml_path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    words = text.read_text(encoding="utf-8")
    assert f"{old:,} patients" in words
    text.write_text(words.replace(f"{old:,} patients", f"{old + 1:,} patients", 1), encoding="utf-8")
    _reference, all_trials = trials(seed, trial_count(n))
    write_source(facts, seed, n, all_trials)
