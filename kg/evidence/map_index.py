"""Per release: the findings by filter value, and the evidence maps and summary-of-findings tables
already assembled, so that a request never scans every finding (issue 30: views at size).

A release never changes, so what is worked out once for it holds for every request: the findings
of a source, of a population characteristic, of a study type (positions into the release's list,
in its order, intersected for a combination of filters); the map of a filter combination (the whole
map and each single population or study type from the start, and the last :data:`MAPS_KEPT` other
combinations asked for); the summary-of-findings tables and, per drug, the tables about it.
"""

from __future__ import annotations

from collections import OrderedDict, defaultdict
from dataclasses import dataclass
from threading import Lock

from kg.evidence.gather import Finding, source_names
from kg.evidence.grid import EvidenceMap, Filters, assemble_map, column_key, map_options, spm_events
from kg.evidence.meta import duplicate_reports, meta_rows
from kg.evidence.sof import SofTable, summary_of_findings
from kg.evidence.trials import Trial
from kg.query.store import QueryStore

__all__ = ["MAPS_KEPT", "MapEntry", "MapIndex"]

MAPS_KEPT = 32
"""Filter combinations whose map is kept (least recently asked for dropped first), besides those
:meth:`MapIndex.warm` assembles at start (kept for the release)."""


@dataclass(frozen=True)
class MapEntry:
    """One filter combination's map, with its findings, ratio estimates and duplicate-report warnings."""

    evidence: EvidenceMap
    findings: list[Finding]
    ratios: list[Finding]
    warnings: list[str]


class MapIndex:
    """The findings of one release by filter value; maps and summary tables worked out once."""

    def __init__(self, store: QueryStore, findings: list[Finding], trials: dict[str, Trial]) -> None:
        self._findings = findings
        self._trials = trials
        self._spm = spm_events(store)
        self.options = map_options(store, findings)
        self._names = source_names(store)
        self._by: dict[str, dict[str, list[int]]] = {"source": defaultdict(list), "population": defaultdict(list),
                                                      "study_type": defaultdict(list)}
        for position, f in enumerate(findings):
            self._by["source"][f.source].append(position)
            for characteristic in dict.fromkeys(f.characteristics):
                self._by["population"][characteristic].append(position)
            for study_type in dict.fromkeys(f.study_types):
                self._by["study_type"][study_type].append(position)
        self._maps: OrderedDict[Filters, MapEntry] = OrderedDict()
        self._pinned: dict[Filters, MapEntry] = {}
        self._lock = Lock()
        self._tables: list[SofTable] | None = None
        self._tables_by_drug: dict[str, list[SofTable]] = {}
        self._drug_labels: dict[str, str] = {}

    def knows(self, parameter: str, value: str) -> bool:
        """Whether some finding has ``value`` for the filter ``parameter`` (source, population, study_type)."""
        return value in self._by[parameter]

    def findings(self, filters: Filters) -> list[Finding]:
        """The findings that pass ``filters``, in the release's order (as :func:`apply_filters` gives them)."""
        chosen = [self._by[name].get(value, []) for name, value in filters.as_params().items()]
        if not chosen:
            return self._findings
        smallest, *others = sorted(chosen, key=len)
        rest = [set(o) for o in others]
        return [self._findings[i] for i in smallest if all(i in r for r in rest)]

    def entry(self, filters: Filters) -> MapEntry:
        """The map of ``filters``, assembled on the first request for it."""
        with self._lock:
            entry = self._pinned.get(filters) or self._maps.get(filters)
            if entry is not None:
                if filters in self._maps:
                    self._maps.move_to_end(filters)
                return entry
        kept = self.findings(filters)
        entry = MapEntry(assemble_map(kept, filters, self._spm, self.options), kept,
                         [f for f in kept if f.is_ratio], duplicate_reports(meta_rows(kept, self._trials)))
        with self._lock:
            self._maps[filters] = entry
            while len(self._maps) > MAPS_KEPT:
                self._maps.popitem(last=False)
        return entry

    def warm(self) -> None:
        """Assemble now, and keep for the release, the maps a reader opens first: the whole map and each single
        population or study type (a source's map is small: assembled when asked)."""
        first = [Filters()] + [Filters(population=p) for p, _ in self.options.populations] + \
                [Filters(study_type=t) for t in self.options.study_types]
        for filters in first:
            entry = self.entry(filters)
            with self._lock:
                self._pinned[filters] = entry
                self._maps.pop(filters, None)
        self.tables()

    def tables(self, drug: str | None = None) -> list[SofTable]:
        """The summary-of-findings tables (those about ``drug`` when given), worked out once."""
        with self._lock:
            if self._tables is None:
                self._tables = summary_of_findings(self._findings, self._trials, self._names)
                for table in self._tables:
                    for iri in sorted(table.drugs):
                        self._tables_by_drug.setdefault(iri, []).append(table)
                for f in self._findings:
                    for d in f.drugs:
                        self._drug_labels.setdefault(d.iri, d.label)
            return self._tables if drug is None else self._tables_by_drug.get(drug, [])

    def column_of(self, finding: Finding) -> str | None:
        """The map column (outcome key) of a finding's results."""
        return column_key(finding, self._spm)

    def drug_label(self, drug: str) -> str | None:
        """The label of a drug some finding concerns (None: no finding does)."""
        self.tables()
        return self._drug_labels.get(drug)
