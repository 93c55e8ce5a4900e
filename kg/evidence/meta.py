"""Evidence for meta-analysis software: one row per ratio estimate with ``TE`` and ``seTE``, and the
arm-level figures in a second table, each row keyed by its trial so nothing is counted twice.

``TE`` is the log of the estimate and ``seTE`` its standard error recovered from the confidence
interval: (ln upper − ln lower) / (2 z), z the normal quantile of the interval's level (1.959964
for 95 %). These are the columns R's meta (``metagen(TE, seTE, studlab)``), netmeta and metafor
(``rma(yi = TE, sei = seTE)``) expect; ``exp(TE)`` is the estimate again.

Every row carries the trial key (``trial``: one per trial across all sources and reports, see
:mod:`kg.evidence.trials`), the design (network / pairwise meta-analysis, single randomised trial, ...), the
trials a pooled analysis includes ("not named" where its source does not name them), N and
follow-up where known, and ``overlaps``: the other rows of the same outcome whose patients may be
the same (the same trial, a trial the analysis includes, or an analysis whose trials are not
named). ``studlab`` is unique. ``p_comparator`` is ``lt``, ``le``, ``eq``, ``ge`` or ``gt`` so that
R reads it as text and no cell starts with ``=``; every text cell is spreadsheet-safe
(:func:`kg.csvcells.neutralise`), numbers stay numbers.
"""

from __future__ import annotations

import csv
import io
import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from statistics import NormalDist

from kg.csvcells import neutralise
from kg.evidence.gather import Finding
from kg.evidence.trials import Trial

__all__ = ["ARM_COLUMNS", "META_COLUMNS", "P_COMPARATORS", "Cell", "Row", "arm_rows", "duplicate_reports",
           "meta_rows", "se_from_ci", "to_csv"]

Cell = str | float | int | bool | None
Row = dict[str, Cell]

META_COLUMNS = ("studlab", "trial", "trial_label", "design", "included_trials", "n_patients", "n_studies",
                "follow_up", "overlaps", "study", "source", "locator", "finding", "intervention", "comparator",
                "endpoint", "adverse_event", "population", "measure", "estimate", "ci_lower", "ci_upper", "ci_level",
                "p", "p_comparator", "TE", "seTE", "significant", "significance_basis")
ARM_COLUMNS = ("studlab", "trial", "trial_label", "design", "study", "source", "locator", "finding", "arm_regimen",
               "n_arm", "endpoint", "adverse_event", "population", "measure", "value", "value_min", "value_max",
               "unit", "timepoint")
P_COMPARATORS = {"<": "lt", "<=": "le", "=": "eq", ">=": "ge", ">": "gt"}


def se_from_ci(lower: float, upper: float, level: float = 0.95) -> float:
    """The standard error of a log ratio from its confidence interval.

    >>> round(se_from_ci(0.28, 0.53), 6)
    0.16278
    """
    z = NormalDist().inv_cdf(1 - (1 - level) / 2)
    return (math.log(upper) - math.log(lower)) / (2 * z)


def _trials_of(f: Finding, trials: dict[str, Trial]) -> list[Trial]:
    return [trials.get(t.iri) or Trial(t.iri, t.label, t.short) for t in f.trials]


def _trial_cells(f: Finding, trials: dict[str, Trial]) -> Row:
    found = _trials_of(f, trials)
    if len(found) == 1:
        t = found[0]
        return {"trial": t.key, "trial_label": t.label, "design": t.design, "study": t.iri}
    if found:  # a figure stated over several trials (a range): its keys, no single study IRI
        return {"trial": " ".join(t.key for t in found), "trial_label": " and ".join(t.label for t in found),
                "design": f"range over {len(found)} trials", "study": None}
    return {"trial": None, "trial_label": f.study_label or None, "design": None, "study": None}


def _common(f: Finding, trials: dict[str, Trial]) -> Row:
    return {
        **_trial_cells(f, trials), "source": f.source, "locator": f.locator, "finding": f.iri,
        "endpoint": f.endpoint.label if f.endpoint else None,
        "adverse_event": (f.adverse_event.label + (f" (grade {f.grades[0]}-{f.grades[1]})" if f.grades else ""))
        if f.adverse_event else None,
        "population": f.population_label,
    }


def _studlab(f: Finding, trials: dict[str, Trial]) -> str:
    who = " + ".join(t.short for t in _trials_of(f, trials)) or f.study_label or f.source
    what = " vs ".join(x.short for x in (f.intervention, f.comparator) if x is not None)
    outcome = f.adverse_event.short if f.adverse_event else f.endpoint.short if f.endpoint else ""
    where = f", {f.population_label}" if f.subgroup and f.population_label else ""
    return f"{who}: {what} {outcome} {f.measure or ''}{where}".replace("  ", " ").strip()


def meta_rows(findings: Sequence[Finding], trials: dict[str, Trial] | None = None) -> list[Row]:
    """One row per ratio estimate with an interval (estimates without one cannot be pooled: left out)."""
    trials = trials or {}
    rows: list[Row] = []
    for f in findings:
        if not f.is_ratio or f.estimate is None or f.lower is None or f.upper is None:
            continue
        level = f.level or 0.95
        one = _trials_of(f, trials)
        trial = one[0] if len(one) == 1 else None
        rows.append({
            **_common(f, trials), "studlab": _studlab(f, trials),
            "included_trials": trial.included_text if trial else None,
            "n_patients": trial.participants if trial else None, "n_studies": trial.studies if trial else None,
            "follow_up": trial.follow_up if trial else None,
            "intervention": f.intervention.label if f.intervention else None,
            "comparator": f.comparator.label if f.comparator else None,
            "measure": f.measure, "estimate": f.estimate, "ci_lower": f.lower, "ci_upper": f.upper,
            "ci_level": level, "p": f.p, "p_comparator": P_COMPARATORS.get(f.p_comparator or ""),
            "TE": round(math.log(f.estimate), 6), "seTE": round(se_from_ci(f.lower, f.upper, level), 6),
            "significant": f.significant, "significance_basis": f.basis,
        })
    _unique_studlabs(rows)
    _overlaps(rows, trials)
    return rows


def _unique_studlabs(rows: list[Row]) -> None:
    counts = Counter(str(r["studlab"]) for r in rows)
    for row in rows:
        if counts[str(row["studlab"])] > 1:
            row["studlab"] = f"{row['studlab']} [{str(row['finding']).rsplit('/', 1)[-1]}]"


def _outcome(row: Row) -> tuple[Cell, Cell, Cell]:
    return row.get("endpoint"), row.get("adverse_event"), row.get("measure")


def _overlaps(rows: list[Row], trials: dict[str, Trial]) -> None:
    """``overlaps``: the studlabs of the other rows of the same outcome that may share patients.

    Through an index of the trials each row covers, per outcome: a grown graph has thousands of rows of
    one outcome, and a scan of them all per row took seconds (issue 30).
    """
    by_key = {t.key: t for t in trials.values()}

    def covers(row: Row) -> tuple[set[str], bool]:
        keys = set(str(row["trial"] or "").split())
        unnamed = any(by_key[k].not_named for k in keys if k in by_key)
        return {c for k in keys for c in (by_key[k].covers() if k in by_key else {k})}, unnamed

    groups: dict[tuple[Cell, Cell, Cell], list[Row]] = defaultdict(list)
    for row in rows:
        groups[_outcome(row)].append(row)
    for group in groups.values():
        info = [covers(row) for row in group]
        holding: dict[str, set[int]] = defaultdict(set)
        for i, (mine, _) in enumerate(info):
            for key in mine:
                holding[key].add(i)
        unnamed = {i for i, (_, flag) in enumerate(info) if flag}
        for i, row in enumerate(group):
            mine, mine_unnamed = info[i]
            sharing = set().union(*(holding[k] for k in mine)) - {i}
            possibly = (set(range(len(group))) if mine_unnamed else unnamed) - sharing - {i}
            found = [str(group[j]["studlab"]) if j in sharing
                     else f"{group[j]['studlab']} (possibly: trials not named)" for j in sorted(sharing | possibly)]
            row["overlaps"] = " | ".join(found) or None


def duplicate_reports(rows: Sequence[Row]) -> list[str]:
    """Warnings for rows that report the same trial's same comparison and outcome twice (check before pooling)."""
    seen: dict[tuple[Cell, ...], list[str]] = defaultdict(list)
    for row in rows:
        if row.get("trial"):
            key = (row["trial"], row.get("intervention"), row.get("comparator"), *_outcome(row), row.get("population"))
            seen[key].append(str(row["finding"]).rsplit("/", 1)[-1])
    return [f"trial {key[0]}: {key[3] or key[4]} {key[5]} of {key[1]} vs {key[2]} is reported by {len(ids)} "
            f"findings ({', '.join(ids)}): pool one" for key, ids in seen.items() if len(ids) > 1]


def arm_rows(findings: Sequence[Finding], trials: dict[str, Trial] | None = None) -> list[Row]:
    """One row per arm-level figure: medians, proportions and patient counts of an arm or regimen."""
    trials = trials or {}
    rows = []
    for f in findings:
        if f.kind not in ("ArmMedian", "Proportion", "Count"):
            continue
        if f.kind == "Count" and f.arm_regimen is None:
            continue
        regimen = f.arm_regimen or (f.about_regimens[0] if f.about_regimens else None)
        one = _trials_of(f, trials)
        n_arm = one[0].arm_participants.get(regimen.iri) if len(one) == 1 and regimen is not None else None
        rows.append({
            **_common(f, trials), "studlab": " + ".join(t.short for t in one) or f.study_label or f.source,
            "arm_regimen": regimen.label if regimen else None, "n_arm": n_arm,
            "measure": {"ArmMedian": "median", "Proportion": "proportion", "Count": "count"}[f.kind],
            "value": f.value, "value_min": f.value_min, "value_max": f.value_max,
            "unit": "percent" if f.kind == "Proportion" else f.unit or ("patients" if f.kind == "Count" else None),
            "timepoint": f.timepoint,
        })
    return rows


def _cell(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"  # as R reads logicals
    if isinstance(value, float):
        return f"{value:.10g}"
    if isinstance(value, int):
        return str(value)
    return neutralise(value)


def to_csv(rows: Sequence[Row], columns: Sequence[str]) -> str:
    """The rows as CSV (RFC 4180, header first), as ``read.csv`` and spreadsheets read it; text cells
    that a spreadsheet would take for a formula get a leading apostrophe."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(c)) for c in columns])
    return buffer.getvalue()
