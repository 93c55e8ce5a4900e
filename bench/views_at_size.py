"""The evidence views on a grown graph: pages answered cold (page cache off) at 1,000 sources.

    .venv/bin/python bench/views_at_size.py [--sources 1000] [--reps 7] [--home DIR]

Builds ``mmkg synth --sources N`` (or serves the current release of ``--home``), opens it as
``mmkg serve`` does (store, indexes built at start) with the page cache off, and times in process
(Flask test client, no network) the evidence map (first page, one cell and its page 3, a filtered page), the
summary of findings (first page, page 2, one drug), a hub drug page
(lenalidomide), a trial page, a finding page and five searches (a drug, a trial name, an abbreviation, three
words, one letter that nearly every name holds) and three saved queries' pages (100 rows a page): the first
request after start and the
p50 of ``--reps`` more, and the page's size. The first request of a filter combination assembles its
map from the per-release index (kept for the next); the p50 is the page itself. The goal (issue 30):
≤ 150 ms p50 for each at 1,000 sources.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PAGES = [("evidence map", "/evidence"), ("evidence map, one cell", "/evidence?regimen=res:len&outcome=pfs"),
         ("evidence map, one cell, page 3", "/evidence?regimen=res:len&outcome=pfs&page=3"),
         ("evidence map, one source", "/evidence?source=syn-0007"),
         ("evidence map, one population (half the findings)", "/evidence?population=res:transplant-eligible"),
         ("evidence map, population and study type",
          "/evidence?population=res:transplant-eligible&study_type=RandomisedControlledTrial"),
         ("summary of findings", "/evidence/summary"), ("summary of findings, page 2", "/evidence/summary?page=2"),
         ("summary of findings, one drug", "/evidence/summary?drug=res:lenalidomide"),
         ("hub drug (lenalidomide)", "/resource/lenalidomide"), ("trial", "/resource/syn-trial-0001"),
         ("finding", "/resource/syn-0004-pfs-hr"), ("search 'lenalidomide'", "/search?q=lenalidomide"),
         ("search a trial name", "/search?q=Cedar-4"), ("search an abbreviation ('pfs')", "/search?q=pfs"),
         ("search three words", "/search?q=progression+free+survival"),
         ("search one letter ('a': nearly everything)", "/search?q=a"),
         ("saved query page (effect-estimates)", "/queries/effect-estimates"),
         ("saved query page 2 (findings-by-population)", "/queries/findings-by-population?page=2"),
         ("saved query page (adverse-events-by-drug)", "/queries/adverse-events-by-drug")]
GOAL_MS = 150


def _build(n: int, folder: Path) -> Path:
    from kg.pipeline.releases import write_release
    from kg.pipeline.steps import build_graph
    from kg.synthetic.corpus import synthesise_corpus

    facts, home = folder / "facts", folder / "home"
    synthesise_corpus(facts, n)
    started = time.perf_counter()
    write_release(build_graph(facts / "texts", facts, cache_dir=home / "cache"), home)
    print(f"built {n} sources in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return home


def measure(home: Path, reps: int) -> list[tuple[str, str, int, float, float, int]]:
    from kg import paths
    from kg.pipeline.releases import current_release
    from kg.query.catalogue import load_catalogue
    from kg.query.store import Store
    from web import create_app
    from web.settings import Settings

    release = current_release(home)
    assert release is not None
    store = Store.from_release(release / "mmkg.nq")
    started = time.perf_counter()
    client = create_app(store, load_catalogue(paths.queries_dir()), Settings(page_cache_bytes=0),
                        warm=True).test_client()
    print(f"indexes at start: {time.perf_counter() - started:.1f} s", file=sys.stderr)
    rows = []
    for name, path in PAGES:
        t = time.perf_counter()
        response = client.get(path, headers={"Accept": "text/html"})
        first = (time.perf_counter() - t) * 1000
        times = []
        for _ in range(reps):
            t = time.perf_counter()
            client.get(path, headers={"Accept": "text/html"})
            times.append((time.perf_counter() - t) * 1000)
        rows.append((name, path, response.status_code, first, statistics.median(times), len(response.data)))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sources", type=int, default=1000)
    parser.add_argument("--reps", type=int, default=7)
    parser.add_argument("--home", type=Path, help="Serve this data home's current release instead of building.")
    args = parser.parse_args()
    print(f"Machine: {platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
          f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; load average {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory(prefix="mmkg-views-") as tmp:
        home = args.home or _build(args.sources, Path(tmp))
        rows = measure(home, args.reps)
    print(f"\n| page ({args.sources} sources, page cache off) | path | status | first ms | p50 ms | KB "
          f"| ≤ {GOAL_MS} ms |")
    print("|---|---|---:|---:|---:|---:|---|")
    for name, path, status, first, p50, size in rows:
        print(f"| {name} | `{path}` | {status} | {first:.0f} | {p50:.0f} | {size / 1000:,.0f} "
              f"| {'yes' if p50 <= GOAL_MS else 'no'} |")


if __name__ == "__main__":
    main()
