"""Entity pages rendered without the page cache, against the same pages from it, side by side in one run.

    .venv/bin/python bench/cold_pages.py [--sizes seed,100000,1000000] [--reps 15]

For each graph (the current release, then synthetic graphs of the given sizes made by
``mmkg synth``), two apps serve the same store in-process (Flask test client, no network):
one with the page cache off, one with it on. For the hub drug (lenalidomide), the hub endpoint
(PFS), a trial and a finding it times

* **first render**: the first request for the page after start (indexes built at start, as
  ``mmkg serve`` warms them; what the entity's own page works out is not yet known);
* **uncached p50**: later requests with the page cache off (the render path: queries, the
  evidence index, the template);
* **cached p50**: the same page from the page cache,

and prints a markdown table with the ratio uncached ÷ cached and the 30 ms goal for hub pages at
1M triples (issue 20).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._server import graph_or_release  # noqa: E402
from kg import paths  # noqa: E402
from kg.query.catalogue import load_catalogue  # noqa: E402
from kg.query.store import Store  # noqa: E402
from web import create_app  # noqa: E402
from web.page_cache import Release  # noqa: E402
from web.settings import Settings  # noqa: E402

PAGES = {"seed": [("hub drug", "/resource/lenalidomide"), ("hub endpoint", "/resource/pfs"),
                  ("trial", "/resource/myeloma-xi"), ("finding", "/resource/s001-os-hr")],
         "synthetic": [("hub drug", "/resource/lenalidomide"), ("hub endpoint", "/resource/pfs"),
                       ("trial", "/resource/syn-trial-9"), ("finding", "/resource/syn-s9-f0")]}


def _graph(size: str, tmp: Path) -> tuple[Path, str]:
    if size == "seed":
        return graph_or_release(None), "seed"
    target = tmp / f"synth-{size}.nq"
    subprocess.run([sys.executable, "-m", "kg", "synth", "--triples", size, "-o", str(target)], check=True,
                   stdout=subprocess.DEVNULL)
    return target, "synthetic"


def _time(client: object, path: str) -> tuple[int, float]:
    started = time.perf_counter()
    response = client.get(path)  # type: ignore[attr-defined]
    return response.status_code, (time.perf_counter() - started) * 1000


def measure(graph: Path, kind: str, reps: int) -> list[tuple[str, str, float, float, float]]:
    store = Store.from_file(graph)
    catalogue = load_catalogue(paths.queries_dir())
    cold = create_app(store, catalogue, Settings(page_cache_bytes=0), warm=True).test_client()
    cached = create_app(store, catalogue, Settings(), warm=True, release=Release("bench", 0.0)).test_client()
    for app in (cold, cached):  # the shared indexes (findings, evidence index) are built at start
        app.get("/evidence")
    rows = []
    for name, path in PAGES[kind]:
        status, first = _time(cold, path)
        if status != 200:
            print(f"  {path}: HTTP {status}, skipped", file=sys.stderr)
            continue
        uncached = statistics.median(_time(cold, path)[1] for _ in range(reps))
        _time(cached, path)
        hit = statistics.median(_time(cached, path)[1] for _ in range(reps))
        rows.append((name, path, first, uncached, hit))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="seed,100000,1000000")
    parser.add_argument("--reps", type=int, default=15)
    args = parser.parse_args()
    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}\n")
    print("| graph | page | first render ms | uncached p50 ms | cached p50 ms | uncached ÷ cached |")
    print("|---|---|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes.split(","):
            graph, kind = _graph(size, Path(tmp))
            label = "seed" if size == "seed" else f"{int(size):,} triples"
            for name, path, first, uncached, hit in measure(graph, kind, args.reps):
                print(f"| {label} | {name} `{path}` | {first:.1f} | {uncached:.1f} | {hit:.2f} | "
                      f"{uncached / hit:.0f}× |", flush=True)
    print("\nGoal (issue 20): hub pages at 1M triples under 30 ms p50 uncached.")


if __name__ == "__main__":
    main()
