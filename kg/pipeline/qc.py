"""Quality-control queries (ODK style): ``queries/qc/*-violation.rq`` must return no rows.

Each file is a SPARQL SELECT with a ``#+`` header saying what it checks; every row it returns is
a violation, named by its first column (the finding). The build runs them on the assembled graph
and fails, writing nothing, when any returns rows; the tests run them too.

The build does not wait for the whole release to load them: :class:`QualityStore` loads each piece
of N-Quads into Oxigraph in a thread of its own as soon as the build has it (the sources' graphs
right after the RDF step, while HermiT and SHACL run; the inferred and quotation graphs at the end).
Oxigraph parses without holding Python's lock, so on two cores the load costs the build little of
its time; the queries then run two at a time. Each piece is a document of its own: Oxigraph names
blank nodes afresh at every load, so a label means one node only within a piece. The build adds
whole named graphs, and no blank node is shared between graphs (a test checks the release), so the
store holds what one load of the whole release would.
"""

from __future__ import annotations

import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import Dataset

from kg import paths
from kg.errors import BuildError
from kg.namespaces import compact
from kg.query.catalogue import SavedQuery, parse_query_file
from kg.query.store import Store, term_to_python

__all__ = ["QualityStore", "Violation", "check_quality", "check_quality_nquads", "qc_queries", "run_qc"]


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


def run_qc(store: Store, queries: list[SavedQuery] | None = None, threads: int = 1) -> list[Violation]:
    """Every QC query that returns rows, with its rows (IRIs compacted), in the queries' order;
    ``threads`` at a time (Oxigraph evaluates without Python's lock)."""
    def violation(query: SavedQuery) -> Violation | None:
        rows = store.query(query.sparql).rows
        if not rows:
            return None
        return Violation(query, [{k: compact(str(term_to_python(v))) for k, v in row.items()} for row in rows])

    chosen = queries if queries is not None else qc_queries()
    if threads > 1:
        with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="mmkg-qc") as pool:
            answers = list(pool.map(violation, chosen))
    else:
        answers = [violation(query) for query in chosen]
    return [found for found in answers if found is not None]


def check_quality(dataset: Dataset) -> int:
    """Run the QC queries on a built dataset; the number of queries run.

    :raises BuildError: naming each violated check and the findings that violate it.
    """
    return check_quality_nquads(dataset.serialize(format="nquads", encoding="utf-8"))


def check_quality_nquads(nquads: bytes) -> int:
    """:func:`check_quality` on a dataset given as N-Quads (as the build assembles it)."""
    with QualityStore() as quality:
        quality.add(nquads)
        return quality.check()


class QualityStore:
    """An Oxigraph store filled piece by piece in a background thread, then checked by the QC queries.

    Use it as a context manager: leaving the block waits for a load still running and ends the thread,
    whether the build got to :meth:`check` or failed before. ``piece_cpu`` is the loading thread's CPU
    time for each :meth:`add`, in order (a benchmark reads it: the first piece loads beside the reasoner).
    """

    def __init__(self) -> None:
        self.store = Store()
        self.piece_cpu: list[float] = []
        self._loader = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mmkg-qc-load")
        self._loads: list[Future[None]] = []

    def __enter__(self) -> QualityStore:
        return self

    def __exit__(self, *_exc: object) -> None:
        self._loader.shutdown(wait=True, cancel_futures=True)

    def _load(self, pieces: tuple[bytes, ...]) -> None:
        started = time.thread_time()
        try:
            for nquads in pieces:
                self.store.raw.load(nquads, format=ox.RdfFormat.N_QUADS)
        finally:
            self.piece_cpu.append(time.thread_time() - started)

    def add(self, *pieces: bytes) -> None:
        """Load ``pieces`` one after another (each whole lines and whole graphs: blank-node labels are
        not shared with other pieces) after those added before, without waiting for them and without
        copying them into one buffer. ``piece_cpu`` gets one figure per call."""
        if any(pieces):
            self._loads.append(self._loader.submit(self._load, tuple(piece for piece in pieces if piece)))

    def check(self, queries: list[SavedQuery] | None = None) -> int:
        """Wait for every piece, then run the QC queries; how many ran.

        :raises SyntaxError: for a piece that is not N-Quads (as one load of the whole would).
        :raises BuildError: naming each violated check and the findings that violate it.
        """
        for load in self._loads:
            load.result()
        chosen = queries if queries is not None else qc_queries()
        violations = run_qc(self.store, chosen, threads=2)
        if violations:
            raise BuildError("quality-control queries found violations:\n" + "\n".join(map(str, violations)))
        return len(chosen)
