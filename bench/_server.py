"""Start ``mmkg serve`` as its own process on a free loopback port, and time requests to it (benchmarks, soak)."""

from __future__ import annotations

import http.client
import itertools
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class Server:
    """A running ``mmkg serve``: its port, process id and log file."""

    port: int
    pid: int
    log: Path

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@contextmanager
def mmkg_serve(*options: str) -> Iterator[int]:
    """Run ``mmkg serve OPTIONS`` until the block ends; yields its port."""
    with mmkg_server(*options) as server:
        yield server.port


@contextmanager
def mmkg_server(*options: str, env: dict[str, str] | None = None) -> Iterator[Server]:
    """Run ``mmkg serve OPTIONS`` (with ``env`` added to the environment) until the block ends."""
    port = free_port()
    mmkg = Path(sys.executable).parent / "mmkg"
    # The server's output goes to a file, not a pipe: a pipe nobody reads fills up and blocks the
    # server mid-run.
    log = tempfile.NamedTemporaryFile(prefix="mmkg-serve-", suffix=".log", delete=False)  # noqa: SIM115
    process = subprocess.Popen([str(mmkg), "serve", "--port", str(port), *options], cwd=ROOT,
                               stdout=log, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})})
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("mmkg serve did not start: " + Path(log.name).read_text()) from None
                time.sleep(0.2)
        yield Server(port, process.pid, Path(log.name))
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
        warnings = [line for line in Path(log.name).read_text().splitlines() if "Task queue depth" not in line]
        print(f"(server log: {log.name}; {len(warnings)} lines besides waitress's queue-depth notes)", file=sys.stderr)


def percentile_ms(values: list[float], q: float) -> float:
    """The ``q`` quantile (nearest rank) of durations in seconds, in milliseconds."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] * 1000


def timed_gets(port: int, paths: list[tuple[str, str]], n: int) -> list[float]:
    """Seconds of ``n`` keep-alive GETs cycling through ``(path, Accept)`` pairs, after one warm-up each.

    :raises RuntimeError: for an answer other than 200.
    """
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    times = []
    try:
        for i, (path, accept) in enumerate([*paths, *itertools.islice(itertools.cycle(paths), n)]):
            start = time.perf_counter()
            conn.request("GET", path, headers={"Accept": accept})
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                raise RuntimeError(f"{path[:80]}: HTTP {response.status}")
            if i >= len(paths):  # the first pass warms caches
                times.append(time.perf_counter() - start)
    finally:
        conn.close()
    return times


@dataclass(frozen=True)
class Target:
    """One server's request for the same answer: its port, path (with query string) and ``Accept``."""

    port: int
    path: str
    accept: str


def timed_rounds(targets: list[Target], n: int) -> tuple[list[list[float]], list[bytes]]:
    """Seconds of ``n`` rounds of one keep-alive GET per target, after one warm-up round, and each target's answer.

    Every target has its own connection from the same client (``http.client``), asked with the same headers;
    within a round the targets take turns, starting with a different one each round, so that what else the
    machine does falls on all of them alike.

    :raises RuntimeError: for an answer other than 200.
    """
    conns = [http.client.HTTPConnection("127.0.0.1", t.port, timeout=600) for t in targets]
    times: list[list[float]] = [[] for _ in targets]
    bodies = [b""] * len(targets)
    try:
        for round_ in range(n + 1):
            for k in range(len(targets)):
                i = (round_ + k) % len(targets)
                target, conn = targets[i], conns[i]
                start = time.perf_counter()
                conn.request("GET", target.path, headers={"Accept": target.accept})
                response = conn.getresponse()
                body = response.read()
                elapsed = time.perf_counter() - start
                if response.status != 200:
                    raise RuntimeError(f"{target.path[:80]}: HTTP {response.status}: {body[:200]!r}")
                if round_:  # the first round warms caches
                    times[i].append(elapsed)
                bodies[i] = body
    finally:
        for conn in conns:
            conn.close()
    return times, bodies


def graph_or_release(graph: Path | None) -> Path:
    """``graph``, else the N-Quads of the current release (exits with a message when there is none)."""
    if graph is not None:
        return graph
    from kg.pipeline.releases import current_release, data_home

    release = current_release(data_home())
    if release is None:
        sys.exit("no release yet: run `mmkg build` first")
    return release / "mmkg.nq"
