"""The evidence map: regimens (rows) by outcomes (columns), each cell the results for that pair from
every source, with figures, a significance mark and a badge per source linking to the finding.

A result for a subgroup names its population (Myeloma XI's OS in transplant-eligible and in
transplant-ineligible patients are two results, not a contradiction). A comparison supported by
arm medians shows them ("23 vs 15 months"); a median on its own is paired
with the other arms' medians of the same study and endpoint; findings that corroborate each other
in the same cell are one result with several source badges; a discrepant finding is flagged with
its note. Filters narrow the findings by population characteristic, study type and source.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from kg.evidence.figures import Mark, figures_text, mark
from kg.evidence.gather import Finding, Link, source_names
from kg.namespaces import PREFIXES
from kg.query.store import QueryStore, value_of

__all__ = ["Badge", "Column", "EvidenceMap", "Filters", "MapOptions", "Result", "Row", "apply_filters", "assemble_map",
           "build_map", "column_key", "map_options", "spm_events", "summary_line"]

RES = PREFIXES["res"]
_MAPPED_KINDS = {"HazardRatioEstimate", "RiskRatioEstimate", "ComparativeResult", "ArmMedian", "Proportion",
                 "Ranking", "Conclusion", "BackgroundStatement", "ConsistencyStatement", "Hypothesis"}
_FIRST_COLUMNS = ("pfs", "os", "ttp")
_LAST_COLUMNS = ("outcome", "ae", "spm", "discontinuation")
_SPM = RES + "second-primary-malignancy"
_SPM_QUERY = f"""PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT DISTINCT ?ae WHERE {{ ?ae skos:broader* <{_SPM}> }}"""
_CHARACTERISTICS = """PREFIX mmkg: <https://w3id.org/mmkg/> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?c ?label WHERE { ?c a mmkg:PopulationCharacteristic ; rdfs:label ?label }"""


@dataclass(frozen=True)
class Filters:
    """What to narrow the map to (None: everything)."""

    population: str | None = None  # a characteristic IRI (transplant-eligible ...)
    study_type: str | None = None  # a study class local name (MetaAnalysis ...)
    source: str | None = None  # a source id (s001)

    def as_params(self) -> dict[str, str]:
        return {k: v for k, v in (("population", self.population), ("study_type", self.study_type),
                                  ("source", self.source)) if v}


@dataclass(frozen=True)
class Badge:
    """A source's claim to a result: source id, locator, and the finding it is."""

    source: str
    locator: str
    finding: str  # IRI
    label: str
    draft: bool = False


@dataclass
class Result:
    """One result in a cell."""

    finding: Finding
    figures: str
    mark: Mark
    comparator: str | None
    study: str
    badges: list[Badge]
    supporting: str = ""
    discrepant: list[str] = field(default_factory=list)
    corroborated_elsewhere: list[Badge] = field(default_factory=list)
    population: str | None = None
    """The population the result holds for when it is a subgroup (also in ``study``, so every view shows it)."""


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    title: str


@dataclass
class Row:
    regimen: Link
    cells: dict[str, list[Result]] = field(default_factory=dict)

    @property
    def count(self) -> int:
        return sum(len(c) for c in self.cells.values())


@dataclass
class EvidenceMap:
    """The map, with the options its filters offer."""

    columns: list[Column]
    rows: list[Row]
    filters: Filters
    findings: int
    populations: list[tuple[str, str]]  # characteristic IRI, label
    study_types: list[str]
    sources: list[tuple[str, str]]  # source id, label


def apply_filters(findings: list[Finding], filters: Filters) -> list[Finding]:
    """The findings that pass ``filters``."""
    kept = []
    for f in findings:
        if filters.population and filters.population not in f.characteristics:
            continue
        if filters.study_type and filters.study_type not in f.study_types:
            continue
        if filters.source and f.source != filters.source:
            continue
        kept.append(f)
    return kept


def column_key(f: Finding, spm: set[str]) -> str | None:
    """The map column a finding's results go in (None: none), given the second-primary-malignancy events."""
    return _column_key(f, spm)


def _column_key(f: Finding, spm: set[str]) -> str | None:
    if f.adverse_event is not None:
        return "spm" if f.adverse_event.iri in spm else "discontinuation" \
            if f.endpoint is not None and f.endpoint.id == "discontinuation" else "ae"
    if f.endpoint is None:
        return None
    return "ae" if f.endpoint.id == "ae-incidence" else f.endpoint.id


def _active(link: Link | None) -> bool:
    return link is not None and "NoActiveTreatment" not in link.kinds


def _rows_of(f: Finding) -> list[Link]:
    if _active(f.intervention):
        return [f.intervention] if f.intervention else []
    if _active(f.arm_regimen):
        return [f.arm_regimen] if f.arm_regimen else []
    return [r for r in f.about_regimens if _active(r)]


def _arm_figure(f: Finding) -> str:
    who = f.arm_regimen.label if f.arm_regimen else (f.about_regimens[0].label if f.about_regimens else "")
    return f"{figures_text(f).removeprefix('median ')} ({who})" if who else figures_text(f)


def _badge(f: Finding) -> Badge:
    return Badge(f.source, f.locator, f.iri, f.label, f.draft)


@dataclass(frozen=True)
class MapOptions:
    """What the map's filters offer: the same for every filter of one release."""

    populations: list[tuple[str, str]]  # characteristic IRI, label
    study_types: list[str]
    sources: list[tuple[str, str]]  # source id, label


def spm_events(store: QueryStore) -> set[str]:
    """The adverse events that are second primary malignancies (their own column)."""
    return {value_of(row, "ae") for row in store.query(_SPM_QUERY).rows if "ae" in row}


def map_options(store: QueryStore, everything: list[Finding]) -> MapOptions:
    """The populations, study types and sources the filters of a map of ``everything`` offer."""
    labels = {value_of(r, "c"): value_of(r, "label") for r in store.query(_CHARACTERISTICS).rows}
    populations = sorted({(c, labels.get(c, c.rsplit("/", 1)[-1])) for f in everything for c in f.characteristics},
                         key=lambda kv: kv[1])
    names = source_names(store)
    return MapOptions(populations, sorted({t for f in everything for t in f.study_types}),
                      sorted({(f.source, names.get(f.source, f.source)) for f in everything}))


def build_map(store: QueryStore, findings: list[Finding], filters: Filters | None = None) -> EvidenceMap:
    """The evidence map of ``findings`` (as :func:`kg.evidence.gather.gather` returns them)."""
    filters = filters or Filters()
    return assemble_map(apply_filters(findings, filters), filters, spm_events(store), map_options(store, findings))


def assemble_map(findings: list[Finding], filters: Filters, spm: set[str], options: MapOptions) -> EvidenceMap:
    """The map of ``findings`` (already narrowed to ``filters``), with ``options`` for its filters."""
    by_iri = {f.iri: f for f in findings}
    absorbed: set[str] = set()
    supporting_text: dict[str, str] = {}
    for f in findings:
        helpers = sorted((by_iri[s] for s in f.supported_by if s in by_iri
                          and by_iri[s].kind in ("ArmMedian", "Proportion")),
                         key=lambda h: (h.arm_regimen != f.intervention, h.iri))
        if helpers:
            absorbed |= {h.iri for h in helpers}
            supporting_text[f.iri] = " vs ".join(_arm_figure(h) for h in helpers)
    by_study_endpoint: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    for f in findings:
        if f.kind == "ArmMedian" and f.endpoint is not None:
            by_study_endpoint[(f.study_label, f.endpoint.iri)].append(f)

    rows: dict[str, Row] = {}
    used_columns: set[str] = set()
    for f in findings:
        if f.iri in absorbed or f.kind not in _MAPPED_KINDS:
            continue
        if (f.kind.endswith(("Statement", "Hypothesis")) or f.kind == "Conclusion") and f.direction is None:
            continue
        key = _column_key(f, spm)
        if key is None:
            continue
        supporting = supporting_text.get(f.iri, "")
        if not supporting and f.kind == "ArmMedian" and f.endpoint is not None:
            others = [o for o in by_study_endpoint[(f.study_label, f.endpoint.iri)] if o.iri != f.iri
                      and o.arm_regimen != f.arm_regimen]
            if others:
                supporting = "vs " + ", ".join(_arm_figure(o) for o in others)
        comparator = f.comparator.label if f.comparator else None
        for regimen in _rows_of(f):
            row = rows.setdefault(regimen.iri, Row(regimen))
            population = f.population_label if f.subgroup else None
            study = f"{f.study_label}, {population.removeprefix(f.study_label + ' ')}" if population \
                else f.study_label  # "Myeloma XI, transplant-eligible patients"
            result = Result(f, figures_text(f), mark(f), comparator, study, [_badge(f)], supporting,
                            list(f.discrepancy_notes) + [f"discrepant with {d.rsplit('/', 1)[-1]}"
                                                         for d in sorted(f.discrepant_with)], population=population)
            row.cells.setdefault(key, []).append(result)
            used_columns.add(key)
    for row in rows.values():
        for key, results in row.cells.items():
            row.cells[key] = _group_corroborating(results, by_iri)
    columns = [_column(key, findings) for key in _order(used_columns)]
    ordered = sorted(rows.values(), key=lambda r: ("PooledRegimen" in r.regimen.kinds, -r.count,
                                                  r.regimen.label.lower()))
    return EvidenceMap(columns, ordered, filters, len(findings), options.populations, options.study_types,
                       options.sources)


def _group_corroborating(results: list[Result], by_iri: dict[str, Finding]) -> list[Result]:
    """Results that corroborate one another become one, with every source's badge."""
    merged: list[Result] = []
    taken: set[str] = set()
    in_cell = {r.finding.iri for r in results}
    positions: dict[str, list[int]] = defaultdict(list)  # a cell of a grown graph holds hundreds: no scan per result
    for index, r in enumerate(results):
        positions[r.finding.iri].append(index)
    for result in results:
        if result.finding.iri in taken:
            continue
        indices = sorted(i for c in set(result.finding.corroborates) for i in positions.get(c, ()))
        group = [results[i] for i in indices if results[i] is not result]
        for other in group:
            result.badges.append(_badge(other.finding))
            taken.add(other.finding.iri)
        result.corroborated_elsewhere = [_badge(by_iri[c]) for c in sorted(result.finding.corroborates)
                                         if c in by_iri and c not in in_cell]
        taken.add(result.finding.iri)
        merged.append(result)
    return merged


def _order(keys: set[str]) -> list[str]:
    first = [k for k in _FIRST_COLUMNS if k in keys]
    last = [k for k in _LAST_COLUMNS if k in keys]
    middle = sorted(keys - set(first) - set(last))
    return first + middle + last


def _column(key: str, findings: list[Finding]) -> Column:
    fixed = {"ae": ("Adverse events", "Adverse events other than second primary malignancies"),
             "spm": ("Second primary malignancy", "Second primary malignancies of any kind (AML/MDS included)"),
             "outcome": ("Outcome (unspecified)", "A source's unspecified outcome or survival outcomes"),
             "discontinuation": ("Discontinuation", "Treatment discontinuation")}
    if key in fixed:
        return Column(key, *fixed[key])
    for f in findings:
        if f.endpoint is not None and f.endpoint.id == key:
            return Column(key, f.endpoint.short, f.endpoint.label)
    return Column(key, key, key)


def summary_line(result: Result) -> str:
    """One line for lists and the home page: figures, comparator, study."""
    vs = f" vs {result.comparator}" if result.comparator else ""
    return f"{result.figures}{vs}, {result.study}".strip(", ")

