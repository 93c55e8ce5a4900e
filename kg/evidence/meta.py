"""Evidence for meta-analysis software: one row per ratio estimate with ``TE`` and ``seTE``, and the
arm-level figures in a second table.

``TE`` is the log of the estimate and ``seTE`` its standard error recovered from the confidence
interval: (ln upper − ln lower) / (2 z), z the normal quantile of the interval's level (1.959964
for 95 %). These are the columns R's meta (``metagen(TE, seTE, studlab)``), netmeta and metafor
(``rma(yi = TE, sei = seTE)``) expect; ``exp(TE)`` is the estimate again.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Sequence
from statistics import NormalDist

from kg.evidence.gather import Finding

__all__ = ["ARM_COLUMNS", "META_COLUMNS", "arm_rows", "meta_rows", "se_from_ci", "to_csv"]

META_COLUMNS = ("studlab", "study", "source", "locator", "finding", "intervention", "comparator", "endpoint",
                "adverse_event", "population", "measure", "estimate", "ci_lower", "ci_upper", "ci_level", "p",
                "p_comparator", "TE", "seTE", "significant", "significance_basis")
ARM_COLUMNS = ("studlab", "study", "source", "locator", "finding", "arm_regimen", "endpoint", "adverse_event",
               "population", "measure", "value", "value_min", "value_max", "unit", "timepoint")


def se_from_ci(lower: float, upper: float, level: float = 0.95) -> float:
    """The standard error of a log ratio from its confidence interval.

    >>> round(se_from_ci(0.28, 0.53), 6)
    0.16278
    """
    z = NormalDist().inv_cdf(1 - (1 - level) / 2)
    return (math.log(upper) - math.log(lower)) / (2 * z)


def _common(f: Finding) -> dict[str, str | float | int | bool | None]:
    return {
        "studlab": f.study_label or f.source, "study": " ".join(s.iri for s in f.studies), "source": f.source,
        "locator": f.locator, "finding": f.iri,
        "endpoint": f.endpoint.label if f.endpoint else None,
        "adverse_event": (f.adverse_event.label + (f" (grade {f.grades[0]}-{f.grades[1]})" if f.grades else ""))
        if f.adverse_event else None,
        "population": "; ".join(p.label for p in f.populations) or None,
    }


def meta_rows(findings: Sequence[Finding]) -> list[dict[str, str | float | int | bool | None]]:
    """One row per ratio estimate with an interval (estimates without one cannot be pooled: left out)."""
    rows = []
    for f in findings:
        if not f.is_ratio or f.estimate is None or f.lower is None or f.upper is None:
            continue
        level = f.level or 0.95
        rows.append({
            **_common(f),
            "intervention": f.intervention.label if f.intervention else None,
            "comparator": f.comparator.label if f.comparator else None,
            "measure": f.measure, "estimate": f.estimate, "ci_lower": f.lower, "ci_upper": f.upper,
            "ci_level": level, "p": f.p, "p_comparator": f.p_comparator,
            "TE": round(math.log(f.estimate), 6), "seTE": round(se_from_ci(f.lower, f.upper, level), 6),
            "significant": f.significant, "significance_basis": f.basis,
        })
    return rows


def arm_rows(findings: Sequence[Finding]) -> list[dict[str, str | float | int | bool | None]]:
    """One row per arm-level figure: medians, proportions and patient counts of an arm or regimen."""
    rows = []
    for f in findings:
        if f.kind not in ("ArmMedian", "Proportion", "Count"):
            continue
        if f.kind == "Count" and f.arm_regimen is None:
            continue
        regimen = f.arm_regimen or (f.about_regimens[0] if f.about_regimens else None)
        rows.append({
            **_common(f), "arm_regimen": regimen.label if regimen else None,
            "measure": {"ArmMedian": "median", "Proportion": "proportion", "Count": "count"}[f.kind],
            "value": f.value, "value_min": f.value_min, "value_max": f.value_max,
            "unit": "percent" if f.kind == "Proportion" else f.unit or ("patients" if f.kind == "Count" else None),
            "timepoint": f.timepoint,
        })
    return rows


def _cell(value: str | float | int | bool | None) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"  # as R reads logicals
    if isinstance(value, float):
        return f"{value:.10g}"
    return str(value)


def to_csv(rows: Sequence[dict[str, str | float | int | bool | None]], columns: Sequence[str]) -> str:
    """The rows as CSV (RFC 4180, header first), as ``read.csv`` and spreadsheets read it."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(c)) for c in columns])
    return buffer.getvalue()
