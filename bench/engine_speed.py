"""Our ``/sparql`` against raw Oxigraph on the same data, side by side in one run.

    .venv/bin/python bench/engine_speed.py [--graph FILE.nq] [--reps 51] [--small]

Serves the current release (or ``--graph``) with ``mmkg serve --graph`` twice, both with the sandbox on (guard,
lint, admission, worker pool, answers written by pyoxigraph in the worker): once with the answer cache off
(``MMKG_ANSWER_CACHE_BYTES=0``: every request runs its query, the *first-answer* column) and once with it on (the
default: a repeated query is checked and admitted but answered from the release's cache, the *repeated* column);
and with ``oxigraph serve-read-only --union-default-graph`` (the ``oxigraph`` binary of the ``oxigraph`` wheel; it
keeps no answers). Then it times, from one client (``http.client``, one keep-alive connection per server, the same
``Accept``), rounds of one request to each server in turn after a warm-up round: ``ASK {}``, a one-pattern ASK,
every saved query (default bindings as a VALUES clause) and, unless ``--small``, three result-heavy queries.
Our row and byte caps are lifted (``MMKG_MAX_ROWS``, ``MMKG_MAX_RESULT_BYTES``) so that both send the whole
answer, and the answers are compared (same bytes, or the same rows in another order).

Prints a markdown table of p50 / p95 and the ratios of p50s (ours ÷ Oxigraph; issue 30: ≤ 1.5 for small
queries), and the worst ratio over the small ones (answers under 64 KB) in each column.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._server import Target, graph_or_release, mmkg_server, percentile_ms, timed_rounds  # noqa: E402
from bench.scale import _bound_query, _oxigraph_server  # noqa: E402
from kg import paths  # noqa: E402
from kg.query.catalogue import load_catalogue  # noqa: E402

JSON = "application/sparql-results+json"
SMALL = [("ASK {}", "ASK {}", JSON), ("ASK { ?s ?p ?o }", "ASK { ?s ?p ?o }", JSON)]
HEAVY = [
    ("all triples (SPARQL JSON)", "SELECT * WHERE { ?s ?p ?o }", JSON),
    ("all labels (SPARQL JSON)",
     "SELECT ?s ?label WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label }", JSON),
    ("CONSTRUCT everything (N-Triples)", "CONSTRUCT WHERE { ?s ?p ?o }", "application/n-triples"),
]
SMALL_ANSWER = 64 * 2**10
"""Answers under this many bytes count as small queries (the fixed cost is what they measure)."""


def same_answer(ours: bytes, raw: bytes, accept: str) -> str:
    """Whether two answers say the same: the same bytes, or the same rows (lines) in another order."""
    if ours == raw:
        return "same bytes"
    if accept == JSON:
        try:
            a, b = json.loads(ours), json.loads(raw)
        except ValueError:
            return f"differ ({len(ours)} / {len(raw)} B)"
        rows = [sorted(json.dumps(r, sort_keys=True) for r in x.get("results", {}).get("bindings", [])) for x in (a, b)]
        if a.get("head") == b.get("head") and a.get("boolean") == b.get("boolean") and rows[0] == rows[1]:
            return "same rows, other order"
    elif sorted(ours.splitlines()) == sorted(raw.splitlines()):
        return "same rows, other order"
    return f"differ ({len(ours)} / {len(raw)} B)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--graph", type=Path, help="an N-Quads file (default: the current release)")
    parser.add_argument("--reps", type=int, default=51)
    parser.add_argument("--small", action="store_true", help="small queries only (no result-heavy ones)")
    args = parser.parse_args()
    graph = graph_or_release(args.graph)
    os.environ.update(MMKG_MAX_ROWS=str(10**9), MMKG_MAX_RESULT_BYTES=str(2**34))  # whole answers, as Oxigraph
    queries = [*SMALL, *((q.name, _bound_query(q), JSON) for q in load_catalogue(paths.queries_dir())),
               *([] if args.small else HEAVY)]
    load = os.getloadavg()[0]
    print(f"Machine: {platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
          f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, load average {load:.1f}; data {graph} "
          f"({graph.stat().st_size / 2**20:.1f} MB); {args.reps} rounds after a warm-up round\n")
    print("| query | answer | ours first answer p50 / p95 ms | ours repeated p50 / p95 ms | raw Oxigraph p50 / p95 ms "
          "| first ÷ Oxigraph | repeated ÷ Oxigraph |")
    print("|---|---|---:|---:|---:|---:|---:|")
    worst = {"first": 0.0, "repeated": 0.0}
    with tempfile.TemporaryDirectory() as tmp, \
            mmkg_server("--graph", str(graph), env={"MMKG_ANSWER_CACHE_BYTES": "0"}) as first, \
            mmkg_server("--graph", str(graph)) as repeated:
        oxigraph, raw_port = _oxigraph_server(graph, Path(tmp))
        try:
            for name, text, accept in queries:
                query = urlencode({"query": text})
                times, bodies = timed_rounds([Target(first.port, "/sparql?" + query, accept),
                                              Target(repeated.port, "/sparql?" + query, accept),
                                              Target(raw_port, "/query?" + query, accept)], args.reps)
                p50 = [percentile_ms(t, 0.5) for t in times]
                p95 = [percentile_ms(t, 0.95) for t in times]
                ratios = p50[0] / p50[2], p50[1] / p50[2]
                if len(bodies[2]) < SMALL_ANSWER:
                    worst["first"] = max(worst["first"], ratios[0])
                    worst["repeated"] = max(worst["repeated"], ratios[1])
                answer = f"{len(bodies[2]):,} B, {same_answer(bodies[0], bodies[2], accept)}"
                if bodies[1] != bodies[0]:
                    answer += f"; repeated: {same_answer(bodies[1], bodies[0], accept)}"
                print(f"| {name} | {answer} | {p50[0]:.2f} / {p95[0]:.2f} | {p50[1]:.2f} / {p95[1]:.2f} | "
                      f"{p50[2]:.2f} / {p95[2]:.2f} | {ratios[0]:.2f} | {ratios[1]:.2f} |", flush=True)
        finally:
            oxigraph.kill()
            oxigraph.wait()
    print(f"\nSmall queries (answers under {SMALL_ANSWER // 1024} KB), worst ratio of p50s: first answer "
          f"{worst['first']:.2f}, repeated {worst['repeated']:.2f} (issue 30's target: ≤ 1.5); load average "
          f"{load:.1f} → {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
