"""Attacks on a loopback ``mmkg serve``, bounded in time and count, and what other clients see.

    .venv/bin/python bench/attack.py [--graph FILE.nq] [--seconds 8]

Starts ``mmkg serve --timeout 3 --workers 2`` (this machine plays a trusted proxy so that each
attacker is its own client: ``MMKG_TRUSTED_PROXY=127.0.0.1`` and ``X-Forwarded-For``) on the current
release or ``--graph``, then, one row each: a quiet baseline; four clients looping on a runaway
cross join; a client sending ``timeout=1e-300``; 150 slow-header and 120 slow-body connections; a
150 MB ``Content-Length``; a query doubling a string to 512 MiB. For each, what an innocent client
saw (entity pages p50/p99, ``ASK {}`` slowest answer and statuses) and, for the last, the peak
resident memory of the server and its workers. Prints a markdown table.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import socket
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._server import graph_or_release, mmkg_serve  # noqa: E402

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
DOUBLING = ('SELECT (STRLEN(?v19) AS ?n) WHERE { BIND("' + "x" * 1024 + '" AS ?v0) '
            + "".join(f"BIND(CONCAT(?v{i}, ?v{i}) AS ?v{i + 1}) " for i in range(19)) + "}")


def _get(url: str, client: str, timeout: float = 30) -> tuple[int, float]:
    started = time.monotonic()
    request = urllib.request.Request(url, headers={"X-Forwarded-For": client, "Accept": "*/*"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            response.read()
            status = response.status
    except urllib.error.HTTPError as exc:
        status = exc.code
    except OSError:
        status = 0
    return status, time.monotonic() - started


def _innocent(base: str, seconds: float) -> dict[str, object]:
    pages: list[tuple[int, float]] = []
    asks: list[tuple[int, float]] = []
    stop = time.monotonic() + seconds
    while time.monotonic() < stop:
        pages.append(_get(f"{base}/resource/myeloma-xi", "198.51.100.1"))
        asks.append(_get(f"{base}/sparql?query=ASK%7B%7D", "198.51.100.2"))
    times = sorted(t for _, t in pages)
    return {"p50": times[len(times) // 2] * 1000, "p99": times[int(0.99 * (len(times) - 1))] * 1000,
            "page errors": sum(s != 200 for s, _ in pages), "ask max": max(t for _, t in asks) * 1000,
            "ask statuses": dict(Counter(s for s, _ in asks))}


def _during(base: str, seconds: float, attack: Callable[[float], None]) -> dict[str, object]:
    stop = time.monotonic() + seconds
    thread = threading.Thread(target=attack, args=(stop,))
    thread.start()
    time.sleep(0.5)
    seen = _innocent(base, seconds - 1)
    thread.join(60)
    return seen


def _rss_mb(pid: int) -> float:
    """Resident memory of ``pid`` and its children now (VmRSS), MB."""
    total = 0.0
    pids = [pid]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    for p in pids:
        try:
            lines = Path(f"/proc/{p}/status").read_text().splitlines()
        except OSError:  # a worker that just ended
            continue
        total += sum(int(line.split()[1]) / 1024 for line in lines if line.startswith("VmRSS:"))
    return total


def _peak_while(pid: int, work: Callable[[], tuple[int, float]]) -> tuple[tuple[int, float], float]:
    """Run ``work`` while sampling the memory of ``pid`` and its children every 20 ms; its answer and the peak."""
    peak = 0.0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _rss_mb(pid))
            time.sleep(0.02)

    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        answer = work()
    finally:
        done.set()
        sampler.join()
    return answer, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--graph", type=Path)
    parser.add_argument("--seconds", type=float, default=8.0)
    args = parser.parse_args()
    graph = graph_or_release(args.graph)
    os.environ["MMKG_TRUSTED_PROXY"] = "127.0.0.1"
    seconds = args.seconds
    rows: list[tuple[str, dict[str, object], str]] = []
    with mmkg_serve("--graph", str(graph), "--timeout", "3", "--workers", "2") as port:
        base = f"http://127.0.0.1:{port}"
        rows.append(("quiet", _innocent(base, 3), ""))

        answers: list[int] = []

        def runaway(stop: float) -> None:
            def one(client: str) -> None:
                while time.monotonic() < stop:
                    answers.append(_get(f"{base}/sparql?" + urlencode({"query": RUNAWAY}), client)[0])
            threads = [threading.Thread(target=one, args=(f"203.0.113.{i}",)) for i in range(4)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()

        seen = _during(base, seconds, runaway)
        started = time.monotonic()
        while _get(f"{base}/sparql?query=ASK%7B%7D", "198.51.100.3")[0] != 200 and time.monotonic() - started < 30:
            time.sleep(0.1)
        rows.append(("4 clients looping on a runaway query", seen,
                     f"attackers got {dict(Counter(answers))}; ASK normal again {time.monotonic() - started:.1f} s "
                     "after"))

        tiny: list[int] = []

        def tiny_timeouts(stop: float) -> None:
            while time.monotonic() < stop:
                tiny.append(_get(f"{base}/sparql?query=ASK%7B%7D&timeout=1e-300", "203.0.113.50")[0])

        rows.append(("a client sending timeout=1e-300", _during(base, seconds, tiny_timeouts),
                     f"its answers {dict(Counter(tiny))}"))

        def slow_clients(stop: float) -> None:
            socks = []
            for i in range(270):
                sock = socket.create_connection(("127.0.0.1", port), timeout=5)
                sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n" if i < 150 else
                             b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\nASK")
                socks.append(sock)
            while time.monotonic() < stop:
                for i, sock in enumerate(socks):
                    with contextlib.suppress(OSError):
                        sock.sendall(b"X-Slow: 1\r\n" if i < 150 else b" ")
                time.sleep(0.5)
            for sock in socks:
                sock.close()

        rows.append(("150 slow-header + 120 slow-body connections", _during(base, seconds, slow_clients), ""))

        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            started = time.monotonic()
            sock.sendall(b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Length: 150000000\r\n\r\n")
            status = sock.recv(100).split(b"\r\n")[0].decode()
            took = (time.monotonic() - started) * 1000
        rows.append(("150 MB Content-Length, no body sent", {}, f"{status} after {took:.0f} ms"))

        server_pid = int(Path(f"/proc/{os.getpid()}/task/{os.getpid()}/children").read_text().split()[-1])
        (status_code, took_s), peak = _peak_while(
            server_pid, lambda: _get(f"{base}/sparql?" + urlencode({"query": DOUBLING}), "203.0.113.60"))
        time.sleep(3)
        rows.append(("a query doubling a string to 512 MiB", _innocent(base, 2),
                     f"it got {status_code} after {took_s:.1f} s; server + workers peaked at {peak:,.0f} MB "
                     f"resident, {_rss_mb(server_pid):,.0f} MB after"))

    print(f"mmkg serve --timeout 3 --workers 2 on {graph}; {seconds:g} s per attack\n")
    print("| attack | pages p50 ms | pages p99 ms | page errors | slowest ASK {} ms | ASK {} statuses | notes |")
    print("|---|---:|---:|---:|---:|---|---|")
    for name, seen, notes in rows:
        if seen:
            print(f"| {name} | {seen['p50']:.0f} | {seen['p99']:.0f} | {seen['page errors']} | "
                  f"{seen['ask max']:.0f} | {seen['ask statuses']} | {notes} |")
        else:
            print(f"| {name} | | | | | | {notes} |")


if __name__ == "__main__":
    main()
