"""The curated build as the corpus grows: every step timed from 10 to 1,000 sources.

    .venv/bin/python bench/growth.py [--sizes 10,100,300,1000] [--seed 0] [--rebuild]

For each size N, ``mmkg synth --sources N`` writes a synthetic fact tree (reference, sources, texts)
into a temporary folder; then a fresh process builds it as ``mmkg build --facts DIR --sources
DIR/texts`` does (:func:`kg.pipeline.steps.build_graph`, then :func:`kg.pipeline.releases.write_release`)
and opens the release as ``mmkg serve`` would (store, indexes, page-cache warm-up of the hub pages).
It prints, per step, the wall time, the process's peak resident memory during the step (sampled
every 10 ms; HermiT's Java process is not counted) and the ratio of the time to the step at N/10
(``≤ 12`` for 10x the sources is near linear); for 300 sources the ratio to 100 is shown (3x).

``--rebuild``: after the full build of each size, change one source (a figure in its YAML and its
text) and add one, and time the rebuild against the per-source cache (:mod:`kg.pipeline.cache`),
as a fraction of the full build.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

STEPS = [("load", "load + reference checks"), ("provenance", "provenance check"), ("rdf", "RDF conversion"),
         ("reason", "reasoning (HermiT)"), ("shacl", "SHACL (beside HermiT)"), ("assemble", "assembling"),
         ("qc", "QC queries"), ("release", "release write"), ("store", "serve: store load"),
         ("indexes", "serve: evidence/search indexes"), ("pages", "serve: page-cache warm-up")]


class _Peak:
    """The highest resident set size seen since the last :meth:`mark`, sampled in a thread."""

    def __init__(self) -> None:
        self.peaks: dict[str, float] = {}
        self.current = "start"
        self._max = 0
        self._page = os.sysconf("SC_PAGE_SIZE")
        self._stop = threading.Event()
        threading.Thread(target=self._run, daemon=True).start()

    def _rss(self) -> int:
        with open("/proc/self/statm", encoding="ascii") as handle:
            return int(handle.read().split()[1]) * self._page

    def _run(self) -> None:
        while not self._stop.wait(0.01):
            self._max = max(self._max, self._rss())

    def mark(self, step: str) -> None:
        self.peaks[self.current] = max(self._max, self._rss()) / 2**20
        self.current, self._max = step, self._rss()


def child(facts: Path, home: Path, cache: bool) -> dict[str, Any]:
    """Build ``facts`` into ``home`` and open it for serving; timings (s) and peaks (MB) per step."""
    from kg import paths
    from kg.pipeline.releases import current_release, write_release
    from kg.pipeline.steps import BUILD_STEPS, build_graph
    from kg.query.catalogue import load_catalogue
    from kg.query.store import Store
    from web import create_app
    from web.page_cache import Release, most_linked, warm_pages
    from web.settings import Settings

    peak = _Peak()
    names = dict(zip(BUILD_STEPS, ("load", "provenance", "rdf", "reason", "assemble", "qc"), strict=True))
    started = time.perf_counter()
    kwargs: dict[str, Any] = {"cache_dir": home / "cache"} if cache else {}
    built = build_graph(facts / "texts", facts, progress=lambda step: peak.mark(names[step]), **kwargs)
    timings: dict[str, float] = dict(built.report.timings)
    peak.mark("release")
    step = time.perf_counter()
    write_release(built, home)
    timings["release"] = time.perf_counter() - step
    timings["build total"] = time.perf_counter() - started
    del built
    peak.mark("store")
    step = time.perf_counter()
    release = current_release(home)
    assert release is not None
    store = Store.from_release(release / "mmkg.nq")
    timings["store"] = time.perf_counter() - step
    peak.mark("indexes")
    step = time.perf_counter()
    app = create_app(store, load_catalogue(paths.queries_dir()), Settings(), warm=True,
                     release=Release(release.name, 0.0))
    timings["indexes"] = time.perf_counter() - step
    peak.mark("pages")
    step = time.perf_counter()
    warm_pages(app, most_linked(store, 40), "http://localhost")
    timings["pages"] = time.perf_counter() - step
    peak.mark("end")
    peaks = dict(peak.peaks)
    peaks["shacl"] = peaks.get("reason", 0.0)
    return {"timings": timings, "peaks": peaks,
            "maxrss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def _run_child(facts: Path, home: Path, cache: bool, timeout: float) -> dict[str, Any]:
    args = [sys.executable, __file__, "--child", str(facts), str(home)] + (["--cache"] if cache else [])
    done = subprocess.run(args, check=True, capture_output=True, text=True, timeout=timeout, cwd=ROOT)
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _synth(n: int, seed: int, folder: Path) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "kg", "synth", "--sources", str(n), "-o", str(folder), "--seed",
                    str(seed)], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    return time.perf_counter() - started


def _table(results: dict[int, dict[str, Any]]) -> str:
    sizes = sorted(results)
    head = "| step | " + " | ".join(f"N={n} s | MB" for n in sizes) + " | " + " | ".join(
        f"×{n}/{_base(n, sizes)}" for n in sizes if _base(n, sizes)) + " |"
    lines = [head, "|---|" + "---:|---:|" * len(sizes) + "---:|" * sum(1 for n in sizes if _base(n, sizes))]
    for key, label in [*STEPS, ("build total", "**build total**")]:
        cells = []
        for n in sizes:
            t = results[n]["timings"].get(key)
            mb = results[n]["peaks"].get(key)
            cells.append(f"{t:.2f} | {mb:.0f}" if t is not None and mb is not None else
                         f"{t:.2f} | " if t is not None else " | ")
        ratios = []
        for n in sizes:
            base = _base(n, sizes)
            if base:
                now, before = results[n]["timings"].get(key), results[base]["timings"].get(key)
                ratios.append(f"{now / before:.1f}" if now is not None and before else "")
        lines.append(f"| {label} | " + " | ".join(cells) + " | " + " | ".join(ratios) + " |")
    return "\n".join(lines)


def _base(n: int, sizes: list[int]) -> int | None:
    """The size to compare with: N/10 when measured, else the largest smaller size."""
    if n // 10 in sizes and n % 10 == 0:
        return n // 10
    smaller = [s for s in sizes if s < n]
    return max(smaller) if smaller else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10,100,300,1000")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--timeout", type=float, default=1800)
    parser.add_argument("--rebuild", action="store_true", help="Also time a one-source change against the cache.")
    parser.add_argument("--no-cache", action="store_true", help="Full builds without the per-source cache.")
    parser.add_argument("--keep", type=Path, help="Keep the largest home here (bench/views_at_size.py --home).")
    parser.add_argument("--child", nargs=2, type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--cache", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    from kg.synthetic.corpus import change_one

    if args.child:
        print(json.dumps(child(args.child[0], args.child[1], args.cache)))
        return
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"Machine: {platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
          f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; load average {os.getloadavg()[0]:.2f} "
          f"{os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}", flush=True)
    results: dict[int, dict[str, Any]] = {}
    rebuilds: dict[int, tuple[float, float]] = {}
    with tempfile.TemporaryDirectory(prefix="mmkg-growth-") as tmp:
        for n in sizes:
            facts, home = Path(tmp) / f"facts-{n}", Path(tmp) / f"home-{n}"
            synth = _synth(n, args.seed, facts)
            results[n] = _run_child(facts, home, not args.no_cache, args.timeout)
            total = results[n]["timings"]["build total"]
            print(f"N={n}: synth {synth:.1f} s, build {total:.1f} s, load avg {os.getloadavg()[0]:.2f}",
                  flush=True)
            if args.rebuild:
                change_one(facts, args.seed, n)
                again = _run_child(facts, home, True, args.timeout)
                rebuilds[n] = (total, again["timings"]["build total"])
                steps = ", ".join(f"{k} {v:.1f}" for k, v in again["timings"].items() if k in dict(STEPS))
                print(f"  rebuild steps: {steps}", flush=True)
                print(f"  one source changed and one added: {rebuilds[n][1]:.1f} s "
                      f"({rebuilds[n][1] / total:.0%} of the full build)", flush=True)
            shutil.rmtree(facts, ignore_errors=True)
            if args.keep is not None and n == max(sizes):
                shutil.rmtree(args.keep, ignore_errors=True)
                shutil.move(str(home), str(args.keep))
            shutil.rmtree(home, ignore_errors=True)
    print()
    print(_table(results))
    if rebuilds:
        print("\n| sources | full build s | one changed + one added s | fraction |\n|---:|---:|---:|---:|")
        for n, (full, again_s) in rebuilds.items():
            print(f"| {n} | {full:.1f} | {again_s:.1f} | {again_s / full:.2f} |")


if __name__ == "__main__":
    main()
