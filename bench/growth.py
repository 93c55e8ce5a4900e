"""The curated build as the corpus grows: every step timed from 10 to 1,000 sources.

    .venv/bin/python bench/growth.py [--sizes 10,100,300,1000] [--seed 0] [--best-of 3] [--rebuild]

For each size N, ``mmkg synth --sources N`` writes a synthetic fact tree (reference, sources, texts)
into a temporary folder; then a fresh process builds it as ``mmkg build --facts DIR --sources
DIR/texts`` does (:func:`kg.pipeline.steps.build_graph`, then :func:`kg.pipeline.releases.write_release`)
and opens the release as ``mmkg serve`` would (store, indexes, page-cache warm-up of the hub pages).
It prints two tables. The first gives, per step, the wall time, the process's peak resident memory
during the step (sampled every 10 ms; HermiT's Java process is not counted) and the ratio of the
time to the step at N/10; the second the CPU time of each step and the same ratios read on it. For
300 sources the ratio to 100 is shown (3x).

**CPU time** is ``time.process_time()`` of the build process over the step (every thread of it),
except that the SHACL thread's own CPU (``time.thread_time()`` around it) is taken out of the
reasoning step and shown as the SHACL step's: the two run side by side. So is the QC store's first
load (the sources' graphs, loaded into Oxigraph in a thread while HermiT runs): its thread's CPU is
taken out of the reasoning step and counted in the QC step's. HermiT runs in a Java child
process; its CPU (``resource.getrusage(RUSAGE_CHILDREN)``, counted once Java has exited) is a row of
its own, not added to the reasoning step's Python CPU.

**Best of k.** Sizes of at most ``--small`` sources (default 100) are built ``--best-of`` times
(default 3), each a fresh process on an empty cache, and each step's figure (wall, CPU, memory) is
the least of the k; larger sizes are built once. A smaller denominator can only raise the ratios,
so this never flatters the ≤ 12 target.

**Which figure the target is read on.** The ≤ 12 for 10x the sources (near linear) is read on the
CPU ratios, divided by the calibration's ("÷ cal.") when the load changed between the runs. This
machine has 2 cores shared by several processes: a step's wall time includes the time it waited
for a core, which follows the other processes' load, not our code, and for steps of a fraction of
a second at N=10 or 100 one busy moment changes it severalfold. CPU time counts only the cycles the
build spent; it is still touched by sharing (caches, memory bandwidth), much less. Wall times are
printed beside them, and the whole build's wall time is what the five-minute goal reads.

**Calibration.** CPU time is not immune to sharing either: another process on the other core
competes for caches and memory bandwidth, and the same work takes up to ~1.5x the CPU seconds when
the machine is busy. Each build process therefore times a fixed piece of Python work (dicts,
tuples, sorting, strings: :func:`calibrate`) before the build, after it and at the end, and the CPU
table's last row gives its mean with its ratio. That ratio is how much slower the machine ran in
the larger run than in the smaller; the columns "÷ cal." give each step's CPU ratio divided by it:
its ratio on an equally loaded machine.

``--rebuild``: after the full build of each size, change one source (a figure in its YAML and its
text) and add one, and time the rebuild against the per-source cache (:mod:`kg.pipeline.cache`),
as a fraction of the full build."""

from __future__ import annotations

import argparse
import gc
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
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

STEPS = [("load", "load + reference checks"), ("provenance", "provenance check"), ("rdf", "RDF conversion"),
         ("reason", "reasoning (HermiT)"), ("shacl", "SHACL (beside HermiT)"), ("assemble", "assembling"),
         ("qc", "QC queries"), ("release", "release write"), ("store", "serve: store load"),
         ("indexes", "serve: evidence/search indexes"), ("pages", "serve: page-cache warm-up")]
CPU_STEPS = [*STEPS[:4], ("java", "HermiT's Java (child process)"), *STEPS[4:]]


class _Peak:
    """The highest resident set size seen since the last :meth:`mark`, sampled in a thread; and each
    step's CPU time (this process's threads, and its children's once they have exited)."""

    def __init__(self) -> None:
        self.peaks: dict[str, float] = {}
        self.cpu: dict[str, float] = {}
        self.current = "start"
        self._max = 0
        self._page = os.sysconf("SC_PAGE_SIZE")
        self._stop = threading.Event()
        self._cpu, self._children = time.process_time(), _children_cpu()
        threading.Thread(target=self._run, daemon=True).start()

    def _rss(self) -> int:
        with open("/proc/self/statm", encoding="ascii") as handle:
            return int(handle.read().split()[1]) * self._page

    def _run(self) -> None:
        while not self._stop.wait(0.01):
            self._max = max(self._max, self._rss())

    def mark(self, step: str) -> None:
        cpu, children = time.process_time(), _children_cpu()
        self.cpu[self.current] = cpu - self._cpu
        if children > self._children:
            self.cpu["java" if self.current == "reason" else f"{self.current} (children)"] = children - self._children
        self._cpu, self._children = cpu, children
        self.peaks[self.current] = max(self._max, self._rss()) / 2**20
        self.current, self._max = step, self._rss()


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _thread_cpu(function: Callable[..., Any], into: dict[str, float], key: str) -> Callable[..., Any]:
    """``function``, noting the CPU time of the thread that runs it in ``into[key]``."""
    def timed(*args: Any, **kwargs: Any) -> Any:
        started = time.thread_time()
        try:
            return function(*args, **kwargs)
        finally:
            into[key] = time.thread_time() - started
    return timed


def calibrate() -> float:
    """CPU seconds of a fixed piece of Python work (dicts, tuples, sorting, strings): how fast the
    machine runs our kind of code at the moment, to be compared between runs (without the cyclic
    collector, which would walk the build's heap)."""
    was = gc.isenabled()
    gc.disable()
    started = time.process_time()
    for _round in range(3):
        table = {(i % 997, str(i)): [i, i * 2] for i in range(60_000)}
        ordered = sorted(table, key=lambda k: (k[1], k[0]))
        "".join(f"<{a}> <{b}> .\n" for a, b in ordered)
    spent = time.process_time() - started
    if was:
        gc.enable()
    return spent


def child(facts: Path, home: Path, cache: bool) -> dict[str, Any]:
    """Build ``facts`` into ``home`` and open it for serving; wall and CPU times (s) and peaks (MB) per step."""
    from kg import paths
    from kg.pipeline import steps
    from kg.pipeline.releases import current_release, write_release
    from kg.query.catalogue import load_catalogue
    from kg.query.store import Store
    from web import create_app
    from web.page_cache import Release, most_linked, warm_pages
    from web.settings import Settings

    calibration = [calibrate()]
    shacl_cpu: dict[str, float] = {}
    steps.validate_by_source = _thread_cpu(steps.validate_by_source, shacl_cpu, "shacl")  # type: ignore[attr-defined]
    quality_stores: list[Any] = []

    class _NotedQualityStore(steps.QualityStore):  # type: ignore[name-defined,misc]
        def __init__(self) -> None:
            super().__init__()
            quality_stores.append(self)

    steps.QualityStore = _NotedQualityStore  # type: ignore[attr-defined]
    peak = _Peak()
    names = dict(zip(steps.BUILD_STEPS, ("load", "provenance", "rdf", "reason", "assemble", "qc"), strict=True))
    started = time.perf_counter()
    kwargs: dict[str, Any] = {"cache_dir": home / "cache"} if cache else {}
    built = steps.build_graph(facts / "texts", facts, progress=lambda step: peak.mark(names[step]), **kwargs)
    timings: dict[str, float] = dict(built.report.timings)
    peak.mark("release")
    step = time.perf_counter()
    write_release(built, home)
    timings["release"] = time.perf_counter() - step
    timings["build total"] = time.perf_counter() - started
    del built
    peak.mark("calibration")
    calibration.append(calibrate())
    peak.mark("store")
    step = time.perf_counter()
    release = current_release(home)
    assert release is not None
    store = Store.from_release(release / "mmkg.nq")
    timings["store"] = time.perf_counter() - step
    peak.mark("indexes")
    step = time.perf_counter()
    app = create_app(store, load_catalogue(paths.queries_dir()), Settings(), warm=True,
                     release=Release(release.name, datetime.now(UTC)))
    timings["indexes"] = time.perf_counter() - step
    peak.mark("pages")
    step = time.perf_counter()
    warm_pages(app, most_linked(store, 40), "http://localhost")
    timings["pages"] = time.perf_counter() - step
    peak.mark("end")
    peaks = dict(peak.peaks)
    peaks["shacl"] = peaks.get("reason", 0.0)
    cpu = dict(peak.cpu)
    if "shacl" in shacl_cpu:
        cpu["shacl"] = shacl_cpu["shacl"]
        cpu["reason"] = cpu.get("reason", 0.0) - shacl_cpu["shacl"]
    if quality_stores and quality_stores[0].piece_cpu:  # the QC store's first load ran beside HermiT too
        early = quality_stores[0].piece_cpu[0]
        cpu["reason"] = cpu.get("reason", 0.0) - early
        cpu["qc"] = cpu.get("qc", 0.0) + early
    build_steps = {key for key, _label in CPU_STEPS[:CPU_STEPS.index(("release", "release write")) + 1]}
    cpu["build total"] = sum(v for k, v in cpu.items() if k in build_steps)
    calibration.append(calibrate())
    cpu["calibration"] = sum(calibration) / len(calibration)
    return {"timings": timings, "peaks": peaks, "cpu": cpu,
            "maxrss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def _run_child(facts: Path, home: Path, cache: bool, timeout: float) -> dict[str, Any]:
    args = [sys.executable, __file__, "--child", str(facts), str(home)] + (["--cache"] if cache else [])
    done = subprocess.run(args, check=True, capture_output=True, text=True, timeout=timeout, cwd=ROOT)
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def best_of(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Each step's least wall time, CPU time and peak memory over ``runs`` (one run: itself)."""
    best: dict[str, Any] = {}
    for figure in ("timings", "peaks", "cpu"):
        keys = set().union(*(run.get(figure, {}) for run in runs))
        best[figure] = {k: min(run[figure][k] for run in runs if k in run.get(figure, {})) for k in keys}
    best["runs"] = len(runs)
    return best


def _synth(n: int, seed: int, folder: Path) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "kg", "synth", "--sources", str(n), "-o", str(folder), "--seed",
                    str(seed)], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    return time.perf_counter() - started


def _ratio(now: float | None, before: float | None) -> str:
    return f"{now / before:.1f}" if now is not None and before else ""


def _table(results: dict[int, dict[str, Any]], figure: str = "timings") -> str:
    """Wall seconds and peak MB per size (``figure="timings"``) or CPU seconds (``"cpu"``), with the ratios."""
    sizes = sorted(results)
    compared = [n for n in sizes if _base(n, sizes)]
    unit = "wall s | MB" if figure == "timings" else "CPU s"
    calibrated = compared if figure == "cpu" else []
    head = "| step | " + " | ".join(f"N={n} {unit}" for n in sizes) + " | " + " | ".join(
        [f"×{n}/{_base(n, sizes)}" for n in compared] + [f"×{n}/{_base(n, sizes)} ÷ cal." for n in calibrated]) + " |"
    lines = [head, "|---|" + ("---:|---:|" if figure == "timings" else "---:|") * len(sizes)
             + "---:|" * (len(compared) + len(calibrated))]
    rows = [*STEPS, ("build total", "**build total**")] if figure == "timings" else [
        *CPU_STEPS, ("build total", "**build total** (Java included)"), ("calibration", "(fixed calibration work)")]
    for key, label in rows:
        cells = []
        for n in sizes:
            t = results[n][figure].get(key)
            if figure != "timings":
                cells.append(f"{t:.2f}" if t is not None else "")
                continue
            mb = results[n]["peaks"].get(key)
            cells.append(f"{t:.2f} | {mb:.0f}" if t is not None and mb is not None else
                         f"{t:.2f} | " if t is not None else " | ")
        ratios = [_ratio(results[n][figure].get(key), results[_base(n, sizes) or n][figure].get(key))
                  for n in compared]
        for n in calibrated:  # the ratio on an equally loaded machine: divided by the calibration's
            now, before = results[n]["cpu"], results[_base(n, sizes) or n]["cpu"]
            slower = now.get("calibration", 0.0) / before["calibration"] if before.get("calibration") else None
            ratios.append(_ratio(now.get(key), before.get(key) * slower if before.get(key) and slower else None)
                          if key != "calibration" else "")
        lines.append(f"| {label} | " + " | ".join(cells) + " | " + " | ".join(ratios) + " |")
    return "\n".join(lines)


def _base(n: int, sizes: list[int]) -> int | None:
    """The size to compare with: N/10 when measured, else the largest smaller size."""
    if n // 10 in sizes and n % 10 == 0:
        return n // 10
    smaller = [s for s in sizes if s < n]
    return max(smaller) if smaller else None


def _load() -> str:
    return " ".join(f"{v:.2f}" for v in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10,100,300,1000")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--timeout", type=float, default=1800)
    parser.add_argument("--best-of", type=int, default=3, help="Builds of each small size; the least figures.")
    parser.add_argument("--small", type=int, default=100, help="Sizes up to this are built --best-of times.")
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
          f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; load average {_load()}", flush=True)
    results: dict[int, dict[str, Any]] = {}
    rebuilds: dict[int, tuple[float, float]] = {}
    with tempfile.TemporaryDirectory(prefix="mmkg-growth-") as tmp:
        for n in sizes:
            facts, home = Path(tmp) / f"facts-{n}", Path(tmp) / f"home-{n}"
            synth = _synth(n, args.seed, facts)
            runs = []
            for _rep in range(max(1, args.best_of) if n <= args.small else 1):
                shutil.rmtree(home, ignore_errors=True)  # every run a full build on an empty cache
                runs.append(_run_child(facts, home, not args.no_cache, args.timeout))
            results[n] = best_of(runs)
            totals = ", ".join(f"{run['timings']['build total']:.1f}" for run in runs)
            print(f"N={n}: synth {synth:.1f} s, build {totals} s wall "
                  f"(CPU {results[n]['cpu']['build total']:.1f} s), load average {_load()}", flush=True)
            if args.rebuild:
                total = results[n]["timings"]["build total"]
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
    small = [n for n in sizes if n <= args.small and args.best_of > 1]
    print(f"\nBest of {args.best_of} runs for N in {small}, one run for the others.\n" if small else "")
    print("Wall time:\n")
    print(_table(results))
    print("\nCPU time (the build process's threads; HermiT's Java apart):\n")
    print(_table(results, "cpu"))
    if rebuilds:
        print("\n| sources | full build s | one changed + one added s | fraction |\n|---:|---:|---:|---:|")
        for n, (full, again_s) in rebuilds.items():
            print(f"| {n} | {full:.1f} | {again_s:.1f} | {again_s / full:.2f} |")


if __name__ == "__main__":
    main()
