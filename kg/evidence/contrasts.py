"""Contrasts for network meta-analysis: one row per comparison of two treatments within a trial or
analysis, as R's netmeta reads them (``netmeta(TE, seTE, treat1, treat2, studlab)``).

``treat1`` and ``treat2`` are the regimens' keys (``len``, ``no-maintenance``); ``studlab`` is the
trial key (with the population for a subgroup), the same for every contrast of one trial. A trial
or analysis that reports several treatments against one comparator is multi-arm: netmeta needs all
its k(k−1)/2 contrasts, consistent. The missing ones are derived (``derived`` TRUE): TE = TE₁ − TE₂
and seTE = √(seTE₁² + seTE₂²), the decomposition netmeta itself uses with the shared comparator's
arm variance taken as negligible; they say so in ``note``. A contrast that two sources report for
the same trial is written once; ``also_reported_by`` names the other findings.

>>> rows = contrast_rows([])
>>> rows
[]
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from collections.abc import Sequence

from kg.evidence.gather import Finding
from kg.evidence.meta import Row, meta_rows
from kg.evidence.trials import Trial

__all__ = ["CONTRAST_COLUMNS", "contrast_rows"]

CONTRAST_COLUMNS = ("studlab", "trial", "design", "outcome", "measure", "population", "treat1", "treat2", "TE",
                    "seTE", "n_patients", "derived", "note", "finding", "also_reported_by", "source", "locator")


def _key(iri: str) -> str:
    return iri.rsplit("/", 1)[-1]


def contrast_rows(findings: Sequence[Finding], trials: dict[str, Trial] | None = None) -> list[Row]:
    """The contrasts, multi-arm trials completed, duplicates across reports removed."""
    by_iri = {f.iri: f for f in findings}
    groups: dict[tuple[str, ...], list[Row]] = defaultdict(list)
    for meta in meta_rows(findings, trials):
        f = by_iri[str(meta["finding"])]
        if f.intervention is None or f.comparator is None or not meta["trial"] or " " in str(meta["trial"]):
            continue
        outcome = (f.adverse_event.label if f.adverse_event else None) or (f.endpoint.label if f.endpoint else "")
        population = f.populations[0].iri if f.subgroup and f.populations else ""
        studlab = str(meta["trial"]) + (f" ({_key(population)})" if population else "")
        row: Row = {"studlab": studlab, "trial": meta["trial"], "design": meta["design"], "outcome": outcome,
                    "measure": meta["measure"], "population": meta["population"],
                    "treat1": _key(f.intervention.iri), "treat2": _key(f.comparator.iri), "TE": meta["TE"],
                    "seTE": meta["seTE"], "n_patients": meta["n_patients"], "derived": False, "note": None,
                    "finding": meta["finding"], "also_reported_by": None, "source": meta["source"],
                    "locator": meta["locator"]}
        groups[(studlab, outcome, str(meta["measure"]))].append(row)
    rows: list[Row] = []
    for group in groups.values():
        rows.extend(_complete(_deduplicated(group)))
    return rows


def _deduplicated(group: list[Row]) -> list[Row]:
    kept: dict[tuple[str, str], Row] = {}
    for row in group:
        pair = (str(row["treat1"]), str(row["treat2"]))
        if pair in kept:
            first = kept[pair]
            first["also_reported_by"] = " ".join(filter(None, [str(first["also_reported_by"] or ""),
                                                               str(row["finding"])])).strip()
        else:
            kept[pair] = row
    return list(kept.values())


def _complete(group: list[Row]) -> list[Row]:
    """Add the contrasts a multi-arm set lacks: every pair of treatments compared with one comparator."""
    rows = list(group)
    present = {(str(r["treat1"]), str(r["treat2"])) for r in rows}
    present |= {(b, a) for a, b in present}
    by_comparator: dict[str, list[Row]] = defaultdict(list)
    for row in group:
        by_comparator[str(row["treat2"])].append(row)
    for comparator, arms in by_comparator.items():
        for a, b in itertools.combinations(arms, 2):
            if (str(a["treat1"]), str(b["treat1"])) in present:
                continue
            te = round(float(str(a["TE"])) - float(str(b["TE"])), 6)
            se = round(math.hypot(float(str(a["seTE"])), float(str(b["seTE"]))), 6)
            rows.append({**a, "treat2": b["treat1"], "TE": te, "seTE": se, "derived": True,
                         "note": f"derived from the contrasts of {a['treat1']} and {b['treat1']} with {comparator} "
                                 "(multi-arm: completes the set netmeta needs)",
                         "finding": None, "also_reported_by": None, "locator": None})
            present |= {(str(a["treat1"]), str(b["treat1"])), (str(b["treat1"]), str(a["treat1"]))}
    return rows
