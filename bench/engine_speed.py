"""Our ``/sparql`` against raw Oxigraph on the same data, side by side in one run.

    .venv/bin/python bench/engine_speed.py [--graph FILE.nq] [--reps 21]

Serves the current release (or ``--graph``) with ``mmkg serve --graph`` (sandbox on: guard, worker
pool, answers written by pyoxigraph in the worker) and with ``oxigraph serve-read-only
--union-default-graph`` (the ``oxigraph`` binary of the ``oxigraph`` wheel), then times, over
keep-alive connections after one warm-up each: three result-heavy queries (every triple as SPARQL
JSON, every label as SPARQL JSON, CONSTRUCT of everything as N-Triples) and every saved query
(default bindings as a VALUES clause). Our row and byte caps are lifted for the run
(``MMKG_MAX_ROWS``, ``MMKG_MAX_RESULT_BYTES``) so that both servers send the whole answer. Prints a
markdown table of p50 / p95 and the ratio of p50s (ours ÷ Oxigraph; the goal is ≤ 1.2, the limit 1.5).
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._server import graph_or_release, mmkg_serve, percentile_ms, timed_gets  # noqa: E402
from bench.scale import _bound_query, _oxigraph_server  # noqa: E402
from kg import paths  # noqa: E402
from kg.query.catalogue import load_catalogue  # noqa: E402

JSON = "application/sparql-results+json"
HEAVY = [
    ("all triples (SPARQL JSON)", "SELECT * WHERE { ?s ?p ?o }", JSON),
    ("all labels (SPARQL JSON)",
     "SELECT ?s ?label WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label }", JSON),
    ("CONSTRUCT everything (N-Triples)", "CONSTRUCT WHERE { ?s ?p ?o }", "application/n-triples"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--graph", type=Path, help="an N-Quads file (default: the current release)")
    parser.add_argument("--reps", type=int, default=21)
    args = parser.parse_args()
    graph = graph_or_release(args.graph)
    os.environ.update(MMKG_MAX_ROWS=str(10**9), MMKG_MAX_RESULT_BYTES=str(2**34))  # whole answers, as Oxigraph
    queries = [*HEAVY, *((q.name, _bound_query(q), JSON) for q in load_catalogue(paths.queries_dir()))]
    print(f"Machine: {platform.platform()}, Python {platform.python_version()}; data {graph} "
          f"({graph.stat().st_size / 2**20:.1f} MB); {args.reps} runs per query after a warm-up\n")
    print("| query | ours /sparql p50 / p95 ms | raw Oxigraph p50 / p95 ms | ours ÷ Oxigraph (p50) |")
    print("|---|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as tmp, mmkg_serve("--graph", str(graph)) as ours_port:
        oxigraph, raw_port = _oxigraph_server(graph, Path(tmp))
        try:
            worst = 0.0
            for name, text, accept in queries:
                query = urlencode({"query": text})
                ours = timed_gets(ours_port, [("/sparql?" + query, accept)], args.reps)
                raw = timed_gets(raw_port, [("/query?" + query, accept)], args.reps)
                ratio = percentile_ms(ours, 0.5) / percentile_ms(raw, 0.5)
                worst = max(worst, ratio)
                print(f"| {name} | {percentile_ms(ours, 0.5):.1f} / {percentile_ms(ours, 0.95):.1f} | "
                      f"{percentile_ms(raw, 0.5):.1f} / {percentile_ms(raw, 0.95):.1f} | {ratio:.2f} |", flush=True)
            print(f"\nWorst ratio: {worst:.2f}")
        finally:
            oxigraph.kill()
            oxigraph.wait()


if __name__ == "__main__":
    main()
