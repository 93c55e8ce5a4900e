"""No repeated work: a full build against an unchanged one, and a warm checkout to its first page.

    .venv/bin/python bench/rebuild.py [--reps 3]

In a temporary data home, side by side in one run: ``mmkg build --force`` (everything: load, reason,
validate, write a release) and ``mmkg build`` with nothing changed (the inputs' fingerprint matches
the current release, so the build is skipped), each as its own process, ``--reps`` times; then
``mmkg build && mmkg serve`` — what ``make run`` does on a warm checkout — timed until ``/``
answers 200. Prints a markdown table with the ratio of medians.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._server import free_port  # noqa: E402

MMKG = str(Path(sys.executable).parent / "mmkg")


def _timed(*args: str, env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run([MMKG, *args], check=True, capture_output=True, env=env, cwd=ROOT)
    return time.perf_counter() - started


def _to_first_page(env: dict[str, str]) -> float:
    port = free_port()
    started = time.perf_counter()
    subprocess.run([MMKG, "build"], check=True, capture_output=True, env=env, cwd=ROOT)
    server = subprocess.Popen([MMKG, "serve", "--port", str(port)], env=env, cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while time.perf_counter() - started < 120:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
                    if response.status == 200:
                        return time.perf_counter() - started
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("the server did not answer within 120 s")
    finally:
        server.terminate()
        server.wait(10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "MMKG_HOME": home}
        _timed("build", env=env)  # the first release
        full = [_timed("build", "--force", env=env) for _ in range(args.reps)]
        unchanged = [_timed("build", env=env) for _ in range(args.reps)]
        first_page = [_to_first_page(env) for _ in range(args.reps)]
    f, u, p = statistics.median(full), statistics.median(unchanged), statistics.median(first_page)
    print(f"{args.reps} runs each, medians\n")
    print("| what | seconds | ÷ full build |")
    print("|---|---:|---:|")
    print(f"| `mmkg build --force` (full) | {f:.2f} | 1.00 |")
    print(f"| `mmkg build`, nothing changed (skipped) | {u:.2f} | {u / f:.2f} |")
    print(f"| `mmkg build && mmkg serve` to the first page (warm checkout) | {p:.2f} | {p / f:.2f} |")


if __name__ == "__main__":
    main()
