"""Latency and throughput of the web front end on the seed graph, measured in one run.

    .venv/bin/python bench/web_latency.py [--requests 200] [--seconds 10] [--connections 16]

Starts ``mmkg serve`` (waitress, 8 threads) on a free loopback port as its own process, then:

* latency: p50 / p95 / max of sequential requests (keep-alive) to entity pages, saved-query pages
  and their JSON twins, and ``/sparql`` on the same saved queries;
* throughput: entity pages fetched by ``--connections`` concurrent keep-alive clients for
  ``--seconds``, as requests/s, p99 and the error count.

Prints a markdown table. The load generator is Python (threads, http.client) on the same two cores
as the server, so the throughput is a floor, not the server's ceiling.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import os
import platform
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._server import mmkg_serve, percentile_ms, timed_gets  # noqa: E402
from kg import paths as kg_paths  # noqa: E402
from kg.query.catalogue import load_catalogue  # noqa: E402

ENTITIES = ["lenalidomide", "thalidomide", "bortezomib", "myeloma-xi", "pfs", "os", "len", "s001", "gay-2018-nma",
            "s000-pfs-hr-len"]


def _get(conn: http.client.HTTPConnection, path: str, accept: str = "text/html") -> tuple[int, float]:
    start = time.perf_counter()
    conn.request("GET", path, headers={"Accept": accept})
    response = conn.getresponse()
    response.read()
    return response.status, time.perf_counter() - start


def _throughput(port: int, seconds: float, connections: int) -> tuple[float, float, int]:
    stop = time.monotonic() + seconds
    times: list[float] = []
    errors = [0]
    lock = threading.Lock()

    def worker(offset: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine, bad = [], 0
        for i in itertools.count(offset):
            if time.monotonic() >= stop:
                break
            try:
                status, elapsed = _get(conn, f"/resource/{ENTITIES[i % len(ENTITIES)]}")
                mine.append(elapsed)
                bad += status != 200
            except (OSError, http.client.HTTPException):
                bad += 1
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        with lock:
            times.extend(mine)
            errors[0] += bad

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(connections)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    return len(times) / elapsed, percentile_ms(times, 0.99), errors[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    catalogue = load_catalogue(kg_paths.queries_dir())
    with mmkg_serve() as port:
        groups = {
            "entity pages (HTML)": [(f"/resource/{e}", "text/html") for e in ENTITIES],
            "entity pages (Turtle)": [(f"/resource/{e}", "text/turtle") for e in ENTITIES],
            "saved-query pages (HTML)": [(f"/queries/{q.name}", "text/html") for q in catalogue],
            "saved queries (.json twin)": [(f"/queries/{q.name}.json", "application/json") for q in catalogue],
            "/sparql, same queries (JSON)": [
                ("/sparql?" + urlencode({"query": q.sparql}), "application/sparql-results+json")
                for q in catalogue if not q.parameters],
            "search (JSON)": [(f"/search.json?q={q}", "application/json") for q in ("len", "myeloma", "CHEBI:6")],
        }
        print(f"Machine: {platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}\n")
        print("| route | requests | p50 ms | p95 ms | max ms |")
        print("|---|---:|---:|---:|---:|")
        for name, paths in groups.items():
            times = timed_gets(port, paths, args.requests)
            print(f"| {name} | {len(times)} | {percentile_ms(times, 0.5):.1f} | {percentile_ms(times, 0.95):.1f} | "
                  f"{max(times) * 1000:.1f} |")
        rate, p99, errors = _throughput(port, args.seconds, args.connections)
        print(f"\nEntity pages under load: {args.connections} connections for {args.seconds:.0f} s: "
              f"{rate:.0f} requests/s, p99 {p99:.1f} ms, {errors} errors.")


if __name__ == "__main__":
    main()
