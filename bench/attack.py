"""Attacks on a loopback ``mmkg serve``, bounded in time and count, and what other clients see.

    .venv/bin/python bench/attack.py [--graph FILE.nq] [--seconds 8] [--slow-seconds 45] [--only NAME,...]

Starts ``mmkg serve --timeout 3 --workers 2`` (this machine plays a trusted proxy so that each
attacker is its own client: ``MMKG_TRUSTED_PROXY=127.0.0.1`` and ``X-Forwarded-For``; answers a
client has not read go after ``MMKG_WRITE_DEADLINE=10`` s plus one per 8 MiB, settings that older
servers ignore) on the current release or ``--graph``, then, one row each (``--only`` picks some:
runaway, tiny, slow, length, doubling, keys, editor, readers, queue, drafts): a quiet baseline; four
clients looping on a runaway cross join; a client sending ``timeout=1e-300``; 150 slow-header and
120 slow-body connections; a 150 MB ``Content-Length``; a query doubling a string to 512 MiB; 3,000
``/search.json`` requests whose query strings are padded to 60 KB (distinct page-cache keys); the
editor (``/query``) asked for 500 rows of 256 KB literals; eight clients reading a 56 MB CSV one
byte every 10 s; 40 requests at once to a one-thread server (its queue-depth log lines); and, each
on a fresh server as a draft cannot be stopped on older ones, a ``/draft`` of 8 KB of digits, one of
92 KB of repeated figures and eight of those at once. For each, what an innocent client saw (entity
pages, or ``GET /`` while drafting, p50/p99; ``ASK {}`` slowest and p99 and statuses) and what the
attack cost: resident memory of the server (and workers), bytes of deleted temporary files it held
(its spool). Prints a markdown table.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import socket
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._attacks import (  # noqa: E402
    BIG_CSV,
    DIGITS,
    FIGURES,
    big_literals,
    cache_keys,
    draft_posts,
    get,
    rss_mb,
    slow_readers,
    spooled_bytes,
    watch,
)
from bench._server import Server, graph_or_release, mmkg_server  # noqa: E402

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
DOUBLING = ('SELECT (STRLEN(?v19) AS ?n) WHERE { BIND("' + "x" * 1024 + '" AS ?v0) '
            + "".join(f"BIND(CONCAT(?v{i}, ?v{i}) AS ?v{i + 1}) " for i in range(19)) + "}")
ASK = "/sparql?query=ASK%7B%7D"
ENV = {"MMKG_TRUSTED_PROXY": "127.0.0.1", "MMKG_WRITE_DEADLINE": "10", "MMKG_WRITE_MIN_RATE": str(8 * 2**20)}
Row = tuple[str, dict[str, object], str]


def _ms(times: list[float], q: float) -> float:
    ordered = sorted(times)
    return ordered[int(q * (len(ordered) - 1))] * 1000 if ordered else 0.0


def _innocent(base: str, seconds: float, page: str = "/resource/myeloma-xi", timeout: float = 30) -> dict[str, object]:
    pages: list[tuple[int, float, int]] = []
    asks: list[tuple[int, float, int]] = []
    stop = time.monotonic() + seconds
    while time.monotonic() < stop:
        pages.append(get(base + page, "198.51.100.1", timeout))
        asks.append(get(base + ASK, "198.51.100.2", timeout))
    page_times, ask_times = [t for _, t, _ in pages], [t for _, t, _ in asks]
    return {"p50": _ms(page_times, 0.5), "p99": _ms(page_times, 0.99),
            "page errors": sum(s != 200 for s, _, _ in pages), "ask max": max(ask_times) * 1000,
            "ask p99": _ms(ask_times, 0.99), "ask statuses": dict(Counter(s for s, _, _ in asks))}


def _during(base: str, seconds: float, attack: Callable[[float], None], **innocent: object) -> dict[str, object]:
    stop = time.monotonic() + seconds
    thread = threading.Thread(target=attack, args=(stop,), daemon=True)
    thread.start()
    time.sleep(0.5)
    seen = _innocent(base, seconds - 1, **innocent)  # type: ignore[arg-type]
    thread.join(120)
    return seen


def _peak_while(pid: int, work: Callable[[], tuple[int, float, int]]) -> tuple[tuple[int, float, int], float]:
    """Run ``work`` while sampling the memory of ``pid`` and its children; its answer and the peak, MB."""
    with watch(lambda: rss_mb(pid), 0.02) as samples:
        answer = work()
    return answer, max((v for _, v in samples), default=0.0)


def _classic(server: Server, seconds: float, only: set[str]) -> list[Row]:
    base, port, rows = server.base, server.port, []
    if "runaway" in only:
        answers: list[int] = []

        def runaway(stop: float) -> None:
            def one(client: str) -> None:
                while time.monotonic() < stop:
                    answers.append(get(f"{base}/sparql?" + urlencode({"query": RUNAWAY}), client)[0])
            threads = [threading.Thread(target=one, args=(f"203.0.113.{i}",)) for i in range(4)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()

        seen = _during(base, seconds, runaway)
        started = time.monotonic()
        while get(base + ASK, "198.51.100.3")[0] != 200 and time.monotonic() - started < 30:
            time.sleep(0.1)
        rows.append(("4 clients looping on a runaway query", seen,
                     f"attackers got {dict(Counter(answers))}; ASK normal again {time.monotonic() - started:.1f} s "
                     "after"))
    if "tiny" in only:
        tiny: list[int] = []

        def tiny_timeouts(stop: float) -> None:
            while time.monotonic() < stop:
                tiny.append(get(f"{base}{ASK}&timeout=1e-300", "203.0.113.50")[0])

        rows.append(("a client sending timeout=1e-300", _during(base, seconds, tiny_timeouts),
                     f"its answers {dict(Counter(tiny))}"))
    if "slow" in only:
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
    if "length" in only:
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            started = time.monotonic()
            sock.sendall(b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Length: 150000000\r\n\r\n")
            status = sock.recv(100).split(b"\r\n")[0].decode()
            took = (time.monotonic() - started) * 1000
        rows.append(("150 MB Content-Length, no body sent", {}, f"{status} after {took:.0f} ms"))
    if "doubling" in only:
        (status_code, took_s, _), peak = _peak_while(
            server.pid, lambda: get(f"{base}/sparql?" + urlencode({"query": DOUBLING}), "203.0.113.60"))
        time.sleep(3)
        rows.append(("a query doubling a string to 512 MiB", _innocent(base, 2),
                     f"it got {status_code} after {took_s:.1f} s; server + workers peaked at {peak:,.0f} MB "
                     f"resident, {rss_mb(server.pid):,.0f} MB after"))
    return rows


def _new_attacks(server: Server, only: set[str]) -> list[Row]:
    base, rows = server.base, []
    if "keys" in only:
        before = rss_mb(server.pid, children=False)
        started = time.monotonic()
        statuses = cache_keys(base, 3000, 60_000)
        took = time.monotonic() - started
        after = rss_mb(server.pid, children=False)
        time.sleep(2)
        rows.append(("3,000 /search.json keys padded to 60 KB", _innocent(base, 2),
                     f"{dict(Counter(statuses))} in {took:.0f} s; server resident {before:,.0f} → {after:,.0f} MB "
                     f"(+{after - before:,.0f}), {rss_mb(server.pid, children=False):,.0f} MB 2 s later"))
    if "editor" in only:
        query = big_literals(500, 256 * 1024)
        (status, took, size), peak = _peak_while(
            server.pid, lambda: get(f"{base}/query?" + urlencode({"query": query}), "203.0.113.70", timeout=120))
        time.sleep(2)
        rows.append(("editor: 500 rows of 256 KB literals", _innocent(base, 2),
                     f"{status}, a {size / 2**20:,.1f} MB page after {took:.1f} s; server + workers peaked at "
                     f"{peak:,.0f} MB resident, {rss_mb(server.pid):,.0f} MB after"))
    return rows


def _readers(graph: Path, slow_seconds: float) -> Row:
    """Eight slow readers of a 56 MB CSV, on a server of their own with a 30 s query limit (on a busy
    machine a 56 MB answer can take longer than 3 s to write, and the attack is on the spool, not the
    workers)."""
    with mmkg_server("--graph", str(graph), "--timeout", "30", "--workers", "2", env=ENV) as server:
        base = server.base
        statuses: list[str] = []

        def readers(stop: float) -> None:
            statuses.extend(slow_readers(server.port, BIG_CSV, 8, stop - time.monotonic()))

        with watch(lambda: spooled_bytes(server.pid) / 2**20, 0.5) as spool:
            seen = _during(base, slow_seconds, readers)
        peak = max((v for _, v in spool), default=0.0)
        held = [t for t, v in spool if v > 1]
        capped = server.log.read_text().count("refused an answer")
    return (f"8 clients reading a 56 MB CSV 1 byte / 10 s for {slow_seconds:g} s", seen,
            f"{dict(Counter(statuses))} ({capped} refused for the spool cap); spool peaked at {peak:,.0f} MB, "
            f"held past 1 MB until {max(held, default=0):.0f} s, {spool[-1][1] if spool else 0:,.0f} MB at the end")


def _queue_notes(graph: Path) -> Row:
    """40 requests at once to a server with one thread: how many queue-depth lines its log gets."""
    with mmkg_server("--graph", str(graph), "--workers", "1", "--threads", "1", env=ENV) as server:
        threads = [threading.Thread(target=get, args=(server.base + "/search.json?q=lena",)) for _ in range(40)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        time.sleep(0.5)
        notes = server.log.read_text().count("Task queue depth")
    return ("40 requests at once, one server thread", {}, f"{notes} 'Task queue depth' lines in the log")


def _drafts(graph: Path, seconds: float) -> list[Row]:
    rows = []
    for name, texts in (("/draft of 8 KB of digits", [DIGITS]), ("/draft of 92 KB of repeated figures", [FIGURES]),
                        ("8 concurrent /draft of 92 KB figures", [FIGURES] * 8)):
        with mmkg_server("--graph", str(graph), "--timeout", "3", "--workers", "2", env=ENV) as server:
            answers: list[tuple[int, float]] = []

            def attack(stop: float, texts: list[str] = texts, answers: list[tuple[int, float]] = answers) -> None:
                answers.extend(draft_posts(server.base, texts, timeout=40))

            seen = _during(server.base, 2 * seconds, attack, page="/", timeout=10)
            rows.append((name, seen, f"drafts got {dict(Counter(s for s, _ in answers))} after at most "
                                     f"{max(t for _, t in answers):.1f} s; GET / p99 {seen['p99']:.0f} ms"))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--graph", type=Path)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--slow-seconds", type=float, default=45.0)
    parser.add_argument("--only", default="runaway,tiny,slow,length,doubling,keys,editor,readers,queue,drafts")
    args = parser.parse_args()
    graph = graph_or_release(args.graph)
    only = set(args.only.split(","))
    os.environ.update(ENV)
    rows: list[Row] = []
    with mmkg_server("--graph", str(graph), "--timeout", "3", "--workers", "2", env=ENV) as server:
        rows.append(("quiet", _innocent(server.base, 3), ""))
        rows += _classic(server, args.seconds, only)
        rows += _new_attacks(server, only)
    if "readers" in only:
        rows.append(_readers(graph, args.slow_seconds))
    if "queue" in only:
        rows.append(_queue_notes(graph))
    if "drafts" in only:
        rows += _drafts(graph, args.seconds)

    print(f"mmkg serve --timeout 3 --workers 2 on {graph}; {args.seconds:g} s per attack\n")
    print("| attack | pages p50 ms | pages p99 ms | page errors | slowest ASK {} ms | ASK {} p99 ms | ASK {} statuses "
          "| notes |")
    print("|---|---:|---:|---:|---:|---:|---|---|")
    for name, seen, notes in rows:
        if seen:
            print(f"| {name} | {seen['p50']:.0f} | {seen['p99']:.0f} | {seen['page errors']} | "
                  f"{seen['ask max']:.0f} | {seen['ask p99']:.0f} | {seen['ask statuses']} | {notes} |")
        else:
            print(f"| {name} | | | | | | | {notes} |")


if __name__ == "__main__":
    main()
