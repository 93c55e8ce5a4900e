"""The evidence tables as CSV text, by format name, for ``mmkg export`` (the web serves the same rows).

>>> sorted(CSV_FORMATS)
['arms', 'contrasts', 'meta-analysis', 'summary-of-findings']
"""

from __future__ import annotations

from kg.evidence.contrasts import CONTRAST_COLUMNS, contrast_rows
from kg.evidence.gather import gather, source_names
from kg.evidence.meta import ARM_COLUMNS, META_COLUMNS, arm_rows, meta_rows, to_csv
from kg.evidence.sof import SOF_COLUMNS, sof_csv_rows, summary_of_findings
from kg.evidence.trials import trial_table
from kg.query.store import QueryStore

__all__ = ["CSV_FORMATS", "evidence_csv"]

CSV_FORMATS = {
    "meta-analysis": "one row per ratio estimate with TE, seTE and its trial key (CSV; R: meta::metagen, metafor::rma)",
    "contrasts": "one row per contrast, treat1/treat2/TE/seTE, multi-arm sets complete (CSV; R: netmeta)",
    "arms": "arm-level medians, proportions and counts with the trial key and arm N (CSV)",
    "summary-of-findings": "summary-of-findings rows, Cochrane Handbook ch. 14 columns (CSV)",
}


def evidence_csv(store: QueryStore, fmt: str) -> tuple[str, int]:
    """The CSV text of one evidence table and its number of rows.

    :raises KeyError: for a format not in :data:`CSV_FORMATS`.
    """
    if fmt not in CSV_FORMATS:
        raise KeyError(fmt)
    findings = gather(store)
    trials = trial_table(store, findings)
    columns: tuple[str, ...]
    if fmt == "meta-analysis":
        rows, columns = meta_rows(findings, trials), META_COLUMNS
    elif fmt == "contrasts":
        rows, columns = contrast_rows(findings, trials), CONTRAST_COLUMNS
    elif fmt == "arms":
        rows, columns = arm_rows(findings, trials), ARM_COLUMNS
    else:
        rows, columns = sof_csv_rows(summary_of_findings(findings, trials, source_names(store))), SOF_COLUMNS
    return to_csv(rows, columns), len(rows)
