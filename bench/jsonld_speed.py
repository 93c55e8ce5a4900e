"""Compacted JSON-LD: our expanded form + pyld's compaction against pyld's own ``from_rdf`` + compaction.

    .venv/bin/python bench/jsonld_speed.py [--triples 500 2000 6000]

On the seed graph (a release in a temporary data home, built when there is none): the first N triples
of the merged graph, each way ``--reps`` times; prints a markdown table with the ratio of medians.
Entity ``.jsonld`` twins hold a subject's triples (up to the app's row limit), so their cost is the
left column's.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pyoxigraph as ox  # noqa: E402
from pyld import jsonld  # noqa: E402

import kg  # noqa: E402
from kg.interop.jsonld import compact_triples, context  # noqa: E402
from kg.interop.rdf_export import merged_triples  # noqa: E402


def _pyld_only(triples: list[ox.Triple]) -> None:
    nquads = (ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"").decode()
    jsonld.compact(jsonld.from_rdf(nquads, {"format": "application/n-quads"}), context())


def _median(func: object, triples: list[ox.Triple], reps: int) -> float:
    times = []
    for _ in range(reps):
        started = time.perf_counter()
        func(triples)  # type: ignore[operator]
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--triples", type=int, nargs="+", default=[500, 2000, 6000])
    parser.add_argument("--reps", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        graph = kg.open(home)
        nquads = Path(graph.location)
        everything = merged_triples(ox.parse(path=str(nquads), format=ox.RdfFormat.N_QUADS))
    print("| triples | ours (s) | pyld from_rdf (s) | ratio |\n|---:|---:|---:|---:|")
    for n in args.triples:
        part = everything[:n]
        ours, theirs = _median(compact_triples, part, args.reps), _median(_pyld_only, part, args.reps)
        print(f"| {len(part):,} | {ours:.3f} | {theirs:.3f} | {theirs / ours:.0f}× |")


if __name__ == "__main__":
    main()
