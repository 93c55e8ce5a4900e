"""The published static site (nginx) against the live app (``mmkg serve``), side by side in one run.

    .venv/bin/python bench/publish_speed.py [--seconds 10] [--connections 64]

Publishes the current release into a temporary folder (``mmkg publish``, timed), serves it with the
site's own ``nginx.conf`` (one nginx process) and the same release with ``mmkg serve``, then runs
``wrk`` against both on the hub drug page, a trial page, a saved query's ``.json`` twin and an entity
page's Turtle twin. Needs Debian's ``wrk`` and ``nginx`` (``make bench-tools nginx``).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._server import free_port, mmkg_serve  # noqa: E402
from bench.load import _wrk  # noqa: E402

TARGETS = [("hub drug page (lenalidomide)", "/resource/lenalidomide", "text/html"),
           ("trial page (Myeloma XI)", "/resource/myeloma-xi", "text/html"),
           ("saved query twin (.json)", "/queries/significant-pfs-benefit.json", "application/json"),
           ("entity as Turtle (.ttl)", "/resource/lenalidomide.ttl", "text/turtle")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--connections", type=int, default=64)
    args = parser.parse_args()
    for tool in ("wrk", "nginx"):
        if shutil.which(tool) is None:
            sys.exit(f"{tool} is not installed: run `make bench-tools nginx`")
    mmkg = str(Path(sys.executable).parent / "mmkg")
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        started = time.perf_counter()
        subprocess.run([mmkg, "publish", "-o", str(site)], check=True, capture_output=True, cwd=ROOT)
        took = time.perf_counter() - started
        port = free_port()
        conf = (site / "nginx.conf").read_text(encoding="utf-8").replace("listen 8080;", f"listen 127.0.0.1:{port};")
        conf = conf.replace("pid nginx.pid;", f"pid {tmp}/nginx.pid;\nmaster_process off;")
        (Path(tmp) / "nginx.conf").write_text(conf, encoding="utf-8")
        nginx = subprocess.Popen(["nginx", "-p", f"{site}/", "-c", f"{tmp}/nginx.conf"])
        try:
            time.sleep(0.5)
            with mmkg_serve() as app_port:
                print(f"`mmkg publish` wrote the site in {took:.1f} s. wrk: {args.connections} connections, "
                      f"{args.seconds:g} s per target.\n")
                print("| target | static site req/s | live app req/s | site ÷ app | site p99 ms | app p99 ms |")
                print("|---|---:|---:|---:|---:|---:|")
                for name, path, accept in TARGETS:
                    s = _wrk(f"http://127.0.0.1:{port}", [path], {"Accept": accept}, args.seconds,
                             args.connections, 2)
                    a = _wrk(f"http://127.0.0.1:{app_port}", [path], {"Accept": accept}, args.seconds,
                             args.connections, 2)
                    srate, arate = s["requests"] / s["seconds"], a["requests"] / a["seconds"]
                    print(f"| {name} | {srate:.0f} | {arate:.0f} | {srate / arate:.1f} | {s['p99']:.1f} | "
                          f"{a['p99']:.1f} |", flush=True)
        finally:
            nginx.terminate()
            nginx.wait(10)


if __name__ == "__main__":
    main()
