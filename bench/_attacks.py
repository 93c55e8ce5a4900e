"""Hostile clients of a loopback ``mmkg serve`` and what they cost it, for bench/attack.py and the tests.

Every attack here is bounded in count and time and talks to 127.0.0.1 only: slow readers of a
large CSV, thousands of distinct cache keys, an editor page of huge literals, hostile drafts. The
measurements read ``/proc``: resident memory of the server (and its query workers) and the bytes
of deleted temporary files it holds open (waitress spools answers a client has not read yet).
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlencode

__all__ = ["BIG_CSV", "DIGITS", "FIGURES", "big_literals", "cache_keys", "draft_posts", "get", "post_form",
           "rss_mb", "slow_readers", "sparql_keys", "spooled_bytes", "watch"]


def big_literals(rows: int, size: int) -> str:
    """A SELECT of ``rows`` distinct literals of about ``size`` bytes each, from a query text of a few KB
    (a 1 KB string doubled until it is large enough)."""
    doublings = max(0, (size // 1024 - 1).bit_length())
    values = " ".join(str(i) for i in range(rows))
    binds = "".join(f"BIND(CONCAT(?v{i}, ?v{i}) AS ?v{i + 1}) " for i in range(doublings))
    return (f'SELECT ?x WHERE {{ VALUES ?i {{ {values} }} BIND("{"x" * 1024}" AS ?v0) {binds}'
            f"BIND(CONCAT(STR(?i), ?v{doublings}) AS ?x) }}")


BIG_CSV = "/sparql?" + urlencode({"query": big_literals(1000, 56 * 1024), "format": "csv"})
"""About 56 MB of CSV (1,000 rows of 56 KB), under the default 64 MiB answer budget."""
DIGITS = "A trial of maintenance\n\nMedian follow-up was " + "7" * 8000 + " months."
"""8 KB of digits in one sentence."""
_FIGURE = "PFS was 24.1 months (95% CI 18.2 to 30.5 and HR 0.62 with P 0.001) in 231 of 460 patients. "
FIGURES = "A trial of maintenance\n\n" + _FIGURE * (92_000 // len(_FIGURE))
"""About 92 KB of repeated figures (its form, URL-encoded, just under the 100 KB body limit)."""


def get(url: str, client: str = "198.51.100.1", timeout: float = 30, headers: dict[str, str] | None = None,
        method: str = "GET") -> tuple[int, float, int]:
    """Status (0: no answer), seconds and body bytes of one request from ``client`` (X-Forwarded-For)."""
    started = time.monotonic()
    request = urllib.request.Request(url, method=method,
                                     headers={"X-Forwarded-For": client, "Accept": "*/*", **(headers or {})})
    size = 0
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            size = len(response.read())
            status = response.status
    except urllib.error.HTTPError as exc:
        status = exc.code
    except OSError:
        status = 0
    return status, time.monotonic() - started, size


def post_form(url: str, fields: dict[str, str], client: str, timeout: float) -> tuple[int, float]:
    """Status (0: no answer in ``timeout``) and seconds of a form POST from ``client``."""
    started = time.monotonic()
    request = urllib.request.Request(url, data=urlencode(fields).encode(), method="POST",
                                     headers={"X-Forwarded-For": client,
                                              "Content-Type": "application/x-www-form-urlencoded"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            response.read()
            status = response.status
    except urllib.error.HTTPError as exc:
        status = exc.code
    except OSError:
        status = 0
    return status, time.monotonic() - started


def _pids(pid: int) -> list[int]:
    children = Path(f"/proc/{pid}/task/{pid}/children")
    try:
        return [pid, *(int(p) for p in children.read_text().split())]
    except OSError:
        return [pid]


def rss_mb(pid: int, children: bool = True) -> float:
    """Resident memory (VmRSS) of ``pid``, and of its children when asked, MB."""
    total = 0.0
    for p in _pids(pid) if children else [pid]:
        try:
            lines = Path(f"/proc/{p}/status").read_text().splitlines()
        except OSError:  # a worker that just ended
            continue
        total += sum(int(line.split()[1]) / 1024 for line in lines if line.startswith("VmRSS:"))
    return total


def spooled_bytes(pid: int) -> int:
    """Bytes of deleted files ``pid`` holds open: waitress's spool of answers not yet read by their clients."""
    total = 0
    with contextlib.suppress(OSError):
        for fd in os.listdir(f"/proc/{pid}/fd"):
            path = f"/proc/{pid}/fd/{fd}"
            with contextlib.suppress(OSError):
                if os.readlink(path).endswith(" (deleted)"):
                    total += os.stat(path).st_size
    return total


@contextlib.contextmanager
def watch(measure: Callable[[], float], every: float = 0.2) -> Iterator[list[tuple[float, float]]]:
    """Sample ``measure()`` every ``every`` seconds while the block runs: (seconds since start, value)."""
    samples: list[tuple[float, float]] = []
    done = threading.Event()
    started = time.monotonic()

    def loop() -> None:
        while not done.is_set():
            samples.append((time.monotonic() - started, measure()))
            done.wait(every)

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    try:
        yield samples
    finally:
        done.set()
        thread.join(5)


def slow_readers(port: int, path: str, n: int, seconds: float, every: float = 10.0) -> list[str]:
    """``n`` connections, one after another, each asking for ``path`` and then reading its answer one
    byte every ``every`` seconds (with a 4 KB receive buffer) for ``seconds``; the status line each got
    (``closed`` when the server dropped it before one arrived)."""
    socks: list[socket.socket] = []
    statuses: list[str] = []
    stop = time.monotonic() + seconds
    try:
        for i in range(n):
            sock = socket.socket()
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            sock.settimeout(30)
            sock.connect(("127.0.0.1", port))
            sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Forwarded-For: 203.0.113.{100 + i}\r\n"
                         "Accept: text/csv\r\n\r\n".encode())
            try:
                head = sock.recv(64)  # wait until the answer is being written
            except OSError:
                head = b""
            statuses.append(head.split(b"\r\n")[0].decode("latin-1") or "closed")
            socks.append(sock)
        while time.monotonic() < stop:
            for sock in socks:
                sock.settimeout(0.05)
                with contextlib.suppress(OSError):
                    sock.recv(1)
            time.sleep(min(every, max(0.0, stop - time.monotonic())))
    finally:
        for sock in socks:
            sock.close()
    return statuses


def cache_keys(base: str, n: int, pad: int) -> list[int]:
    """``n`` GETs of ``/search.json`` with distinct query strings padded to ``pad`` bytes: statuses."""
    statuses = []
    for i in range(n):
        statuses.append(get(f"{base}/search.json?q=lena{i}&pad={'p' * pad}", timeout=10)[0])
    return statuses


def sparql_keys(base: str, n: int, pad: int) -> list[int]:
    """``n`` GETs of ``/sparql`` with distinct valid queries padded to ``pad`` bytes (each one's answer is kept,
    and the request remembered): statuses."""
    statuses = []
    for i in range(n):
        query = urlencode({"query": f"ASK {{}} # {i} {'p' * pad}"})
        statuses.append(get(f"{base}/sparql?{query}", timeout=10,
                            headers={"Accept": "application/sparql-results+json"})[0])
    return statuses


def draft_posts(base: str, texts: list[str], timeout: float) -> list[tuple[int, float]]:
    """POST each text to ``/draft`` at once, each from its own client: (status, seconds) each."""
    answers: list[tuple[int, float]] = [(0, 0.0)] * len(texts)

    def one(i: int) -> None:
        answers[i] = post_form(f"{base}/draft", {"text": texts[i], "name": f"attack-{i}.txt"},
                               f"203.0.113.{200 + i}", timeout)

    threads = [threading.Thread(target=one, args=(i,), daemon=True) for i in range(len(texts))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout + 5)
    return answers
