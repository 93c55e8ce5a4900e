"""Scale benchmark: our server against raw Oxigraph and rdflib on synthetic graphs, measured side by side.

    .venv/bin/python bench/scale.py [--sizes 100000,1000000] [--reps 7] [--rdflib-timeout 60] [-o bench/RESULTS.md]

For each size, ``mmkg synth`` writes a graph (seed 0), then, in one run on one machine:

1. **load**: time and peak RSS of loading the N-Quads into the embedded pyoxigraph store and into an
   rdflib ``Dataset``, each in a fresh process;
2. **saved queries**: p50 / p95 over ``--reps`` runs of every saved query (defaults bound) through
   (a) our ``/sparql`` (``mmkg serve --graph``, sandbox on: guard + worker pool), (b) raw
   ``oxigraph serve-read-only --union-default-graph`` on the same data, (c) rdflib in memory, in
   process with no HTTP at all (so a lower bound for any rdflib endpoint), one run of each query
   in a forked child stopped after ``--rdflib-timeout`` seconds (rdflib at 1M triples is slow);
3. **entity pages**: p50 / p95 of HTML pages of a hub drug, trials and findings on our server, and
   with ``wrk`` installed, 10 s at 16 connections for requests/s.

Prints markdown tables with the ratios (ours / Oxigraph, rdflib / ours) and writes them to ``-o``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._server import free_port, mmkg_serve, percentile_ms, timed_gets  # noqa: E402
from kg import paths  # noqa: E402
from kg.query.catalogue import SavedQuery, load_catalogue  # noqa: E402
from kg.query.remote import trailing_values  # noqa: E402

JSON = "application/sparql-results+json"


def _fmt(seconds_ms: float | None) -> str:
    return "—" if seconds_ms is None else (f"{seconds_ms:.1f}" if seconds_ms < 100 else f"{seconds_ms:.0f}")


# --- load -----------------------------------------------------------------------------------------

_LOADERS = {
    "pyoxigraph, a release (lenient, as mmkg serve loads its build)":
        "from kg.query.store import Store; s = Store.from_release(Path(sys.argv[1])); n = len(s)",
    "pyoxigraph, any file (checked, as mmkg serve --graph)":
        "from kg.query.store import Store; s = Store.from_file(Path(sys.argv[1])); n = len(s)",
    "rdflib Dataset": "from rdflib import Dataset; d = Dataset(); d.parse(sys.argv[1], format='nquads'); "
                      "n = sum(len(g) for g in d.graphs())",
}


def measure_load(path: Path, code: str) -> tuple[float, float, int]:
    """Seconds, peak RSS (MB) and quads of one loader in a fresh process."""
    script = ("import sys, time, resource; from pathlib import Path; t = time.perf_counter(); " + code +
              "; print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, n)")
    out = subprocess.run([sys.executable, "-c", script, str(path)], cwd=ROOT, check=True, capture_output=True,
                         text=True).stdout.split()
    return float(out[0]), float(out[1]), int(out[2])


# --- HTTP timing ----------------------------------------------------------------------------------

def _bound_query(saved: SavedQuery) -> str:
    """The saved query with its default bindings as a trailing VALUES clause (as the remote backend sends it)."""
    bindings = saved.bindings({})
    return saved.sparql + trailing_values(bindings) if bindings else saved.sparql


def _oxigraph_server(path: Path, workdir: Path) -> tuple[subprocess.Popen[bytes], int]:
    binary = Path(sys.executable).parent / "oxigraph"
    location = workdir / "oxigraph-db"
    subprocess.run([str(binary), "load", "--location", str(location), "--file", str(path)], check=True,
                   capture_output=True)
    port = free_port()
    process = subprocess.Popen([str(binary), "serve-read-only", "--location", str(location), "--bind",
                                f"127.0.0.1:{port}", "--union-default-graph"], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            timed_gets(port, [("/query?" + urlencode({"query": "ASK {}"}), JSON)], 0)
            return process, port
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("oxigraph serve-read-only did not start")


# --- rdflib, in process, forked per query ----------------------------------------------------------

def _rdflib_times(path: Path, queries: dict[str, str], reps: int, timeout: float) -> dict[str, list[float] | None]:
    from rdflib import Dataset

    dataset = Dataset(default_union=True)
    dataset.parse(str(path), format="nquads")
    results: dict[str, list[float] | None] = {}
    for name, text in queries.items():
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child runs the query reps+1 times and reports the times
            os.close(read)
            times = []
            for _ in range(reps):
                start = time.perf_counter()
                list(dataset.query(text))
                times.append(time.perf_counter() - start)
            os.write(write, json.dumps(times).encode())
            os._exit(0)
        os.close(write)
        deadline = time.monotonic() + timeout * reps
        while time.monotonic() < deadline:
            done, _ = os.waitpid(pid, os.WNOHANG)
            if done:
                break
            time.sleep(0.05)
        else:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        data = b""
        while chunk := os.read(read, 65536):
            data += chunk
        os.close(read)
        results[name] = json.loads(data) if data else None
    return results


# --- the run --------------------------------------------------------------------------------------

def bench_size(triples: int, reps: int, rdflib_timeout: float, workdir: Path, lines: list[str],
               only_load: bool = False) -> None:
    def say(line: str = "") -> None:
        print(line, flush=True)
        lines.append(line)

    path = workdir / f"synth-{triples}.nq"
    subprocess.run([sys.executable, "-m", "kg", "synth", "--triples", str(triples), "-o", str(path)], cwd=ROOT,
                   check=True, capture_output=True)
    say(f"\n## {triples:,} triples\n")
    say("| loader | seconds | peak RSS MB | quads |\n|---|---:|---:|---:|")
    loads = {}
    for name, code in _LOADERS.items():
        seconds, peak, quads = measure_load(path, code)
        loads[name] = seconds
        say(f"| {name} | {seconds:.2f} | {peak:.0f} | {quads:,} |")
    ratio = loads["rdflib Dataset"] / loads["pyoxigraph, any file (checked, as mmkg serve --graph)"]
    say(f"\npyoxigraph (checked) loads {ratio:.1f}× faster than rdflib.\n")
    if only_load:
        return

    catalogue = load_catalogue(paths.queries_dir())
    queries = {q.name: _bound_query(q) for q in catalogue}
    ours: dict[str, list[float]] = {}
    raw: dict[str, list[float]] = {}
    entity: dict[str, list[float]] = {}
    throughput = ""
    # Entity pages are measured as rendered (the page cache off), not as served from memory.
    os.environ["MMKG_PAGE_CACHE_BYTES"] = "0"
    with mmkg_serve("--graph", str(path), "--timeout", "600") as port:
        for name, text in queries.items():
            ours[name] = timed_gets(port, [("/sparql?" + urlencode({"query": text}), JSON)], reps)
        pages = {"hub drug (lenalidomide)": "/resource/lenalidomide", "trial": "/resource/syn-trial-7",
                 "finding": "/resource/syn-s7-f0", "regimen": "/resource/syn-regimen-0"}
        for label, page in pages.items():
            entity[label] = timed_gets(port, [(page, "text/html")], reps)
        if shutil.which("wrk"):
            from bench.load import _wrk

            figures = _wrk(f"http://127.0.0.1:{port}", list(pages.values()), {"Accept": "text/html"}, 10, 16, 2)
            errors = int(figures["connect"] + figures["read"] + figures["write"] + figures["status"]
                         + figures["timeout"])
            throughput = (f"Entity pages under wrk, 16 connections for 10 s: "
                          f"{figures['requests'] / figures['seconds']:.0f} requests/s, p99 {figures['p99']:.0f} ms, "
                          f"{errors} errors.")
    process, port = _oxigraph_server(path, workdir)
    try:
        for name, text in queries.items():
            raw[name] = timed_gets(port, [("/query?" + urlencode({"query": text}), JSON)], reps)
    finally:
        process.terminate()
        process.wait(10)
    slow = _rdflib_times(path, queries, 1, rdflib_timeout)

    say(f"Saved queries, p50 / p95 ms over {reps} runs after a warm-up (rdflib: one run, in process, no HTTP, "
        f"stopped after {rdflib_timeout:g} s):\n")
    say("| query | ours /sparql | raw Oxigraph | ours ÷ Oxigraph (p50) | rdflib | rdflib ÷ ours (p50) |")
    say("|---|---:|---:|---:|---:|---:|")
    ratios, speedups = [], []
    for name in queries:
        o50, o95 = percentile_ms(ours[name], 0.5), percentile_ms(ours[name], 0.95)
        r50, r95 = percentile_ms(raw[name], 0.5), percentile_ms(raw[name], 0.95)
        ratios.append(o50 / r50)
        times = slow[name]
        if times is None:
            rd, speed = f"> {rdflib_timeout:g} s", f"> {rdflib_timeout * 1000 / o50:.0f}×"
        else:
            rd50 = percentile_ms(times, 0.5)
            rd, speed = _fmt(rd50), f"{rd50 / o50:.0f}×"
            speedups.append(rd50 / o50)
        say(f"| {name} | {_fmt(o50)} / {_fmt(o95)} | {_fmt(r50)} / {_fmt(r95)} | {o50 / r50:.2f} | {rd} | {speed} |")
    say(f"\nMedian over queries: ours ÷ Oxigraph {statistics.median(ratios):.2f}; rdflib ÷ ours "
        f"{statistics.median(speedups):.0f}× (queries that finished in rdflib).\n" if speedups else "")
    say("| entity page (HTML, our server) | p50 ms | p95 ms |\n|---|---:|---:|")
    for label, times in entity.items():
        say(f"| {label} | {_fmt(percentile_ms(times, 0.5))} | {_fmt(percentile_ms(times, 0.95))} |")
    if throughput:
        say("\n" + throughput)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--reps", type=int, default=7)
    parser.add_argument("--rdflib-timeout", type=float, default=60.0)
    parser.add_argument("-o", "--output", type=Path)
    parser.add_argument("--only-load", action="store_true", help="measure loading only")
    args = parser.parse_args()
    lines = [f"Machine: {platform.platform()}, {os.cpu_count()} cores, "
             f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GB RAM, "
             f"Python {platform.python_version()}; {time.strftime('%Y-%m-%d')}"]
    print(lines[0])
    with tempfile.TemporaryDirectory(prefix="mmkg-scale-") as tmp:
        for size in (int(s) for s in args.sizes.split(",")):
            bench_size(size, args.reps, args.rdflib_timeout, Path(tmp), lines, args.only_load)
    if args.output:
        with args.output.open("a" if args.only_load else "w") as out:
            out.write(("\n# Loading, measured again (bench/scale.py --only-load)\n\n" if args.only_load else
                       "# Scale benchmark (bench/scale.py)\n\n") + "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
