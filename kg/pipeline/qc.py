"""Quality-control queries (ODK style): ``queries/qc/*-violation.rq`` must return no rows.

Each file is a SPARQL SELECT with a ``#+`` header saying what it checks; every row it returns is
a violation, named by its first column (the finding). The build runs them on the assembled graph
and fails, writing nothing, when any returns rows; the tests run them too.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import Dataset

from kg import paths
from kg.errors import BuildError
from kg.namespaces import compact
from kg.query.catalogue import SavedQuery, parse_query_file
from kg.query.store import Store, term_to_python

__all__ = ["Violation", "check_quality", "check_quality_nquads", "qc_queries", "run_qc"]


@dataclass(frozen=True)
class Violation:
    """The rows one QC query returned."""

    query: SavedQuery
    rows: list[dict[str, str]]

    def __str__(self) -> str:
        shown = "; ".join(", ".join(f"{k}={v}" for k, v in row.items()) for row in self.rows[:10])
        more = f" (and {len(self.rows) - 10} more)" if len(self.rows) > 10 else ""
        return f"{self.query.name}: {self.query.title}: {len(self.rows)} row(s): {shown}{more}"


def qc_queries(folder: Path | None = None) -> list[SavedQuery]:
    """The QC queries, ``queries/qc/*-violation.rq``."""
    folder = folder or paths.queries_dir() / "qc"
    return [parse_query_file(path) for path in sorted(folder.glob("*-violation.rq"))]


def run_qc(store: Store, queries: list[SavedQuery] | None = None) -> list[Violation]:
    """Every QC query that returns rows, with its rows (IRIs compacted)."""
    found = []
    for query in queries if queries is not None else qc_queries():
        rows = store.query(query.sparql).rows
        if rows:
            found.append(Violation(query, [{k: compact(str(term_to_python(v))) for k, v in row.items()}
                                           for row in rows]))
    return found


def check_quality(dataset: Dataset) -> int:
    """Run the QC queries on a built dataset; the number of queries run.

    :raises BuildError: naming each violated check and the findings that violate it.
    """
    return check_quality_nquads(dataset.serialize(format="nquads", encoding="utf-8"))


def check_quality_nquads(nquads: bytes) -> int:
    """:func:`check_quality` on a dataset given as N-Quads (as the build assembles it)."""
    store = Store()
    store.raw.load(nquads, format=ox.RdfFormat.N_QUADS)
    queries = qc_queries()
    violations = run_qc(store, queries)
    if violations:
        raise BuildError("quality-control queries found violations:\n" + "\n".join(map(str, violations)))
    return len(queries)
