"""Load run: ``wrk`` against ``mmkg serve`` on entity pages and on ``/sparql``, zero errors expected.

    .venv/bin/python bench/load.py [--seconds 60] [--connections 64] [--threads 2] [--url http://host:port]

Starts ``mmkg serve`` (waitress, its default 8 threads and 2 query workers) on a free loopback port
unless ``--url`` names a running server, then runs Debian's ``wrk`` (``make bench-tools`` installs
it) once per target, each for ``--seconds`` with ``--connections`` keep-alive connections:

* a static file (the stylesheet): what the server does with no work at all, the yardstick;
* the hub drug page (lenalidomide) and a trial page (Myeloma XI), HTML;
* a saved query's ``.json`` twin;
* the hub drug page again with ``If-None-Match`` (304 expected);
* entity pages: the HTML page of every resource of the graph, in turn;
* ``/sparql``: every saved query without parameters plus two small lookups, GET, SPARQL JSON.

Prints a markdown table — requests/s, its ratio to the static file's, p50, p99, max, and errors
(socket connect/read/write errors, timeouts, answers other than 2xx/304) — and exits 1 if any
request failed. wrk shares the machine's cores with
the server, so the figures are what one box does with both on it.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._server import mmkg_serve  # noqa: E402
from kg import paths as kg_paths  # noqa: E402
from kg.query.catalogue import load_catalogue  # noqa: E402
from web.iris import local_path  # noqa: E402

# A wrk script: cycle through PATHS (filled in below) with one Accept header; report as one JSON line.
_LUA = """
local paths = {%(paths)s}
local headers = {%(headers)s}
local i = 0
function setup(thread) thread:set("offset", math.random(#paths)) end
request = function()
  i = i + 1
  return wrk.format("GET", paths[((i + (offset or 0)) %% #paths) + 1], headers)
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('MMKG {"requests": %%d, "seconds": %%f, "connect": %%d, "read": %%d, "write": %%d, ' ..
    '"status": %%d, "timeout": %%d, "p50": %%f, "p99": %%f, "max": %%f}\\n', summary.requests,
    summary.duration / 1e6, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50) / 1e3, latency:percentile(99) / 1e3, latency.max / 1e3))
end
"""


def _lua_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _resources(base: str) -> list[str]:
    query = ("SELECT DISTINCT ?s WHERE { ?s a ?c FILTER(STRSTARTS(STR(?s), 'https://w3id.org/mmkg/resource/')) } "
             "ORDER BY ?s")
    request = urllib.request.Request(f"{base}/sparql?{urlencode({'query': query})}",
                                     headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        rows = json.load(response)["results"]["bindings"]
    return [local_path(row["s"]["value"]) for row in rows]


def _sparql_paths() -> list[str]:
    queries = [q.sparql for q in load_catalogue(kg_paths.queries_dir()) if not q.parameters]
    queries += ["ASK { <https://w3id.org/mmkg/resource/lenalidomide> ?p ?o }",
                "SELECT ?p ?o WHERE { <https://w3id.org/mmkg/resource/myeloma-xi> ?p ?o }"]
    return ["/sparql?" + urlencode({"query": q}) for q in queries]


def _wrk(base: str, paths: list[str], headers: dict[str, str], seconds: float, connections: int,
         threads: int) -> dict[str, float]:
    script = _LUA % {"paths": ", ".join(_lua_string(p) for p in paths),
                     "headers": ", ".join(f"[{_lua_string(k)}] = {_lua_string(v)}" for k, v in headers.items())}
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    try:
        out = subprocess.run(["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds:g}s",
                              "--timeout", "30s", "-s", handle.name, base], check=True, capture_output=True,
                             text=True).stdout
    finally:
        os.unlink(handle.name)
    line = next(line for line in out.splitlines() if line.startswith("MMKG "))
    figures: dict[str, float] = json.loads(line[5:])
    return figures


def _etag(url: str, accept: str) -> str:
    with urllib.request.urlopen(urllib.request.Request(url, headers={"Accept": accept}), timeout=60) as response:
        return str(response.headers.get("ETag", ""))


def run(base: str, seconds: float, connections: int, threads: int) -> int:
    html = {"Accept": "text/html"}
    hub = "/resource/lenalidomide"
    twin = "/queries/significant-pfs-benefit.json"
    targets = [("static file (stylesheet)", ["/static/css/mmkg.css"], html),
               ("hub drug page (lenalidomide)", [hub], html),
               ("trial page (Myeloma XI)", ["/resource/myeloma-xi"], html),
               (f"saved query twin ({twin})", [twin], {"Accept": "application/json"}),
               ("hub drug page, If-None-Match (304)", [hub], {**html, "If-None-Match": _etag(base + hub, "text/html")}),
               ("entity pages (HTML, every resource)", _resources(base), html),
               ("/sparql (saved queries, JSON)", _sparql_paths(), {"Accept": "application/sparql-results+json"})]
    print(f"Machine: {platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
          f"wrk {threads} threads, {connections} connections, {seconds:g} s per target\n")
    print("| target | distinct URLs | requests | requests/s | × static | p50 ms | p99 ms | max ms | errors |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    failed = 0
    static = 0.0
    for name, paths, headers in targets:
        f = _wrk(base, paths, headers, seconds, connections, threads)
        errors = int(f["connect"] + f["read"] + f["write"] + f["status"] + f["timeout"])
        failed += errors
        rate = f["requests"] / f["seconds"]
        static = static or rate
        print(f"| {name} | {len(paths)} | {int(f['requests'])} | {rate:.0f} | {rate / static:.2f} | "
              f"{f['p50']:.1f} | {f['p99']:.1f} | {f['max']:.1f} | {errors} |", flush=True)
    return 1 if failed else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--url", help="a running server instead of starting one")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: run `make bench-tools` (Debian's wrk package)")
    # wrk is one client with 64 connections: lift the per-client limits meant for the public
    os.environ.update(MMKG_CLIENT_QUERIES="1000", MMKG_CLIENT_BUDGET="1e9")
    if args.url:
        sys.exit(run(args.url.rstrip("/"), args.seconds, args.connections, args.threads))
    with mmkg_serve() as port:
        sys.exit(run(f"http://127.0.0.1:{port}", args.seconds, args.connections, args.threads))


if __name__ == "__main__":
    main()
