"""Admission: one client cannot take /sparql from the others — per-client concurrency and time budgets
(429 with Retry-After), a short queue wait (503 with Retry-After), a minimum timeout, and the HTTP
server refusing an oversized body before reading it. The attack runs on loopback, bounded in time."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest

from kg.errors import ClientOverLimit, PoolBusy, QueryTimeout
from kg.query.protocol.admission import Admission
from kg.query.protocol.sandbox import QueryPool, StoreSpec
from web.settings import Settings

from .conftest import AppFactory, PoolFactory, _free_port

MMKG = Path(__file__).resolve().parent.parent / ".venv" / "bin" / "mmkg"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_one_client_runs_at_most_its_share_at_once() -> None:
    admission = Admission(per_client=1, budget=100)
    with admission.admit("10.0.0.1"):
        with pytest.raises(ClientOverLimit, match="already have 1 query running") as refused, \
                admission.admit("10.0.0.1"):
            pass
        assert refused.value.http_status == 429 and refused.value.retry_after == 1
        with admission.admit("10.0.0.2"):  # another client is not held back
            pass
    with admission.admit("10.0.0.1"):  # the first has finished
        pass


def test_a_client_past_its_time_budget_is_told_when_to_come_back() -> None:
    clock = _Clock()
    admission = Admission(per_client=2, budget=10, window=60, clock=clock)
    for spent in (4.0, 7.0):
        with admission.admit("a"):
            clock.now += spent
    assert admission.spent("a") == pytest.approx(11.0)
    clock.now += 5
    with pytest.raises(ClientOverLimit, match=r"used 11\.0 s of query time") as refused, admission.admit("a"):
        pass
    # the 4 s query ended 12 s ago: once it leaves the 60 s window, 7 s < 10 s remain
    assert refused.value.retry_after == 48
    with admission.admit("b"):
        pass
    clock.now += 48
    with admission.admit("a"):
        pass


@pytest.fixture(scope="module")
def one_worker(release: Path) -> Iterator[QueryPool]:
    # module-scoped (kept across tests, its kill count checked), so not the per-test make_pool factory
    pool = QueryPool(StoreSpec(nquads=release / "mmkg.nq"), workers=1, timeout=3.0, max_wait=0.3)
    yield pool
    pool.close()


@pytest.mark.server
def test_a_busy_pool_answers_503_at_once_and_tiny_timeouts_kill_nothing(one_worker: QueryPool,
                                                                        make_app: AppFactory) -> None:
    # every ASK {} runs (a kept answer needs no worker, so the answer cache would answer it however busy the pool)
    app = make_app(Settings(queue_wait=0.3, answer_cache_bytes=0), pool=one_worker, warm=False)
    client = app.test_client()
    killed = one_worker.killed
    for _ in range(5):
        tiny = client.get("/sparql", query_string={"query": "ASK {}", "timeout": "1e-300"})
        assert tiny.status_code == 200
    assert one_worker.killed == killed
    runaway = threading.Thread(target=lambda: client.get("/sparql", query_string={"query": RUNAWAY},
                                                         environ_base={"REMOTE_ADDR": "10.9.9.9"}))
    runaway.start()
    time.sleep(0.3)
    started = time.monotonic()
    busy = client.get("/sparql", query_string={"query": "ASK {}"}, environ_base={"REMOTE_ADDR": "10.1.1.1"})
    assert busy.status_code == 503 and busy.headers["Retry-After"] == "2"
    assert time.monotonic() - started < 1.0 and b"query workers are busy" in busy.data
    same = client.get("/sparql", query_string={"query": "ASK {}"}, environ_base={"REMOTE_ADDR": "10.9.9.9"})
    assert same.status_code == 429 and same.headers["Retry-After"] == "1" and b"already have 1" in same.data
    with pytest.raises(PoolBusy):
        one_worker.query("ASK {}")
    runaway.join(10)


@pytest.mark.server
def test_a_query_past_the_worker_memory_limit_ends_only_its_worker(make_pool: PoolFactory,
                                                                   make_app: AppFactory) -> None:
    doubling = 'SELECT (STRLEN(?v19) AS ?n) WHERE { BIND("' + "x" * 1024 + '" AS ?v0) ' + "".join(
        f"BIND(CONCAT(?v{i}, ?v{i}) AS ?v{i + 1}) " for i in range(19)) + "}"  # 512 MiB
    pool = make_pool(timeout=20.0, memory_limit=2**30)
    app = make_app(pool=pool, warm=False)
    answer = app.test_client().get("/sparql", query_string={"query": doubling})
    assert answer.status_code == 503 and b"1,024 MiB a query worker may use" in answer.data
    deadline = time.monotonic() + 30
    while pool.idle_workers < 1:
        assert time.monotonic() < deadline, "the worker was not replaced"
        time.sleep(0.2)
    assert pool.query("ASK {}").boolean is True and pool.start_failures == 0


@pytest.mark.server
def test_a_pool_that_cannot_restart_a_worker_says_so_and_keeps_trying(tmp_path: Path, release: Path,
                                                                       make_pool: PoolFactory) -> None:
    import shutil as sh

    data = tmp_path / "mmkg.nq"
    sh.copy(release / "mmkg.nq", data)
    pool = make_pool(nquads=data, timeout=1.0)  # closed by the factory whatever happens
    data.unlink()  # what a build that pruned the served release used to do
    with pytest.raises(QueryTimeout):
        pool.query(RUNAWAY)
    deadline = time.monotonic() + 10
    while pool.start_failures < 2:
        assert time.monotonic() < deadline, "the failed restart was not retried"
        time.sleep(0.2)
    sh.copy(release / "mmkg.nq", data)  # the data is back: the next retry succeeds
    deadline = time.monotonic() + 40
    while pool.idle_workers < 1:
        assert time.monotonic() < deadline, "the pool did not recover"
        time.sleep(0.2)
    assert pool.query("ASK {}").boolean is True



@pytest.fixture(scope="module")
def served(release: Path) -> Iterator[str]:
    port = _free_port()
    # the test plays a proxy for many clients; requests must arrive within 2 s
    env = {**os.environ, "MMKG_TRUSTED_PROXY": "127.0.0.1", "MMKG_READ_DEADLINE": "2"}
    process = subprocess.Popen([str(MMKG), "serve", "--graph", str(release / "mmkg.nq"), "--port", str(port),
                                "--timeout", "3", "--workers", "2"], env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(url + "/sparql?query=ASK%7B%7D", timeout=2).read()
            break
        except OSError:
            assert process.poll() is None and time.monotonic() < deadline, "mmkg serve did not start"
            time.sleep(0.2)
    yield url
    process.terminate()
    process.wait(10)


def _get(url: str, client: str = "127.0.0.1", timeout: float = 15) -> tuple[int, float]:
    started = time.monotonic()
    request = urllib.request.Request(url, headers={"X-Forwarded-For": client, "Accept": "*/*"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            response.read()
            status = response.status
    except urllib.error.HTTPError as exc:
        status = exc.code
    return status, time.monotonic() - started


@pytest.mark.server
def test_four_attackers_leave_pages_and_sparql_to_everyone_else(served: str) -> None:
    stop = time.monotonic() + 8
    runaway = f"{served}/sparql?" + urlencode({"query": RUNAWAY})
    attacker_answers: list[int] = []

    def attack(address: str) -> None:
        while time.monotonic() < stop:
            attacker_answers.append(_get(runaway, address)[0])

    attackers = [threading.Thread(target=attack, args=(f"203.0.113.{i}",)) for i in range(4)]
    for thread in attackers:
        thread.start()
    time.sleep(1.0)
    pages, asks = [], []
    while time.monotonic() < stop - 0.5:
        pages.append(_get(f"{served}/resource/myeloma-xi", "198.51.100.7"))
        asks.append(_get(f"{served}/sparql?query=ASK%7B%7D", "198.51.100.8"))
    for thread in attackers:
        thread.join(20)
    page_times = sorted(t for _, t in pages)
    assert all(status == 200 for status, _ in pages)
    assert page_times[int(0.99 * (len(page_times) - 1))] < 0.5
    assert all(status in (200, 503) and took < 1.5 for status, took in asks), asks  # never mistaken for them
    assert attacker_answers and set(attacker_answers) <= {503, 429}  # stopped at the time limit, or refused
    deadline = time.monotonic() + 4
    while _get(f"{served}/sparql?query=ASK%7B%7D", "198.51.100.9")[0] != 200:
        assert time.monotonic() < deadline, "ASK {} was not answered normally within 4 s of the attack"
        time.sleep(0.2)


@pytest.mark.server
def test_an_oversized_body_is_refused_before_it_is_sent(served: str) -> None:
    host, port = served.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        sock.sendall(b"POST /sparql HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/sparql-query\r\n"
                     b"Content-Length: 150000000\r\n\r\n")
        answer = sock.recv(4096)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]


@pytest.mark.server
def test_slow_headers_and_slow_bodies_do_not_stall_other_clients(served: str) -> None:
    host, port = served.removeprefix("http://").split(":")
    slow: list[socket.socket] = []
    try:
        for i in range(270):  # 150 trickling headers, 120 trickling a POST body
            sock = socket.create_connection((host, int(port)), timeout=5)
            if i < 150:
                sock.sendall(b"GET /resource/myeloma-xi HTTP/1.1\r\nHost: localhost\r\n")
            else:
                sock.sendall(b"POST /sparql HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/sparql-query"
                             b"\r\nContent-Length: 5000\r\n\r\nASK")
            slow.append(sock)
        stop = time.monotonic() + 6
        timings: list[tuple[int, float]] = []
        while time.monotonic() < stop:
            for sock in slow:  # one more byte each, keeping every connection alive and unfinished
                with contextlib.suppress(OSError):
                    sock.sendall(b"X-Slow: 1\r\n" if slow.index(sock) < 150 else b" ")
            for _ in range(10):
                timings.append(_get(f"{served}/resource/myeloma-xi", "198.51.100.20", timeout=10))
        times = sorted(t for _, t in timings)
        assert all(status == 200 for status, _ in timings)
        assert times[int(0.99 * (len(times) - 1))] < 1.0, times[-5:]
    finally:
        for sock in slow:
            sock.close()


@pytest.mark.server
def test_a_request_that_trickles_in_is_closed_at_the_read_deadline(served: str) -> None:
    host, port = served.removeprefix("http://").split(":")
    socks = [socket.create_connection((host, int(port)), timeout=10) for _ in range(40)]
    try:
        for i, sock in enumerate(socks):
            sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n" if i % 2 else
                         b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n\r\nASK")
        started = time.monotonic()
        closed = 0
        while time.monotonic() - started < 8 and closed < len(socks):
            closed = 0
            for i, sock in enumerate(socks):
                try:  # keep trickling: silence is not what closes them, the deadline is
                    sock.sendall(b"X-Slow: 1\r\n" if i % 2 else b" ")
                except OSError:
                    closed += 1
            time.sleep(0.5)
        assert closed == len(socks), f"{closed} of {len(socks)} slow requests closed after 8 s"
        assert time.monotonic() - started > 1.5  # not before the deadline
        status, _ = _get(f"{served}/resource/myeloma-xi")
        assert status == 200
    finally:
        for sock in socks:
            sock.close()


@pytest.mark.server
def test_saved_queries_keep_a_worker_however_busy_sparql_is(make_pool: PoolFactory, make_app: AppFactory) -> None:
    pool = make_pool(workers=2, timeout=4.0, max_wait=0.3, reserved=1)
    client = make_app(Settings(queue_wait=0.3), pool=pool, warm=False).test_client()
    runaway = threading.Thread(target=lambda: client.get("/sparql", query_string={"query": RUNAWAY},
                                                         environ_base={"REMOTE_ADDR": "10.7.7.7"}))
    runaway.start()
    time.sleep(0.3)
    other = client.get("/sparql", query_string={"query": "ASK {}"}, environ_base={"REMOTE_ADDR": "10.7.7.8"})
    assert other.status_code == 503 and b"kept for this site's own pages" in other.data
    started = time.monotonic()
    saved = client.get("/queries/drug-identifiers.json")  # parameters bound, run in the kept worker
    assert saved.status_code == 200 and time.monotonic() - started < 2.0
    runaway.join(10)


def _rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(next(line for line in status.splitlines() if line.startswith("VmRSS")).split()[1]) / 1024


@pytest.mark.server
@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads the server's memory from /proc")
def test_the_web_process_returns_to_its_baseline_after_large_answers(tmp_path: Path) -> None:
    """Eight ~20 MB answers leave the web process where it started (glibc thresholds fixed at start:
    web/memory.py); without that it kept a few MB of every answer."""
    graph = tmp_path / "synth.nq"
    subprocess.run([str(MMKG), "synth", "--triples", "100000", "-o", str(graph)], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    port = _free_port()
    env = {**os.environ, "MMKG_MAX_ROWS": "1000000", "MMKG_CLIENT_BUDGET": "1e9", "MMKG_WARM_PAGES": "0"}
    process = subprocess.Popen([str(MMKG), "serve", "--graph", str(graph), "--port", str(port), "--timeout", "30"],
                               env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/sparql?"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(url + "query=ASK%7B%7D", timeout=2).read()
                break
            except OSError:
                assert process.poll() is None and time.monotonic() < deadline, "mmkg serve did not start"
                time.sleep(0.2)
        time.sleep(1)
        baseline = _rss_mb(process.pid)
        sizes = []
        for offset in range(8):
            query = f"SELECT ?s ?p ?o WHERE {{ ?s ?p ?o }} OFFSET {offset * 100} LIMIT 90000"
            request = urllib.request.Request(url + urlencode({"query": query}),
                                             headers={"Accept": "application/sparql-results+json"})
            with urllib.request.urlopen(request, timeout=60) as response:
                sizes.append(len(response.read()))
        time.sleep(1)
        after = _rss_mb(process.pid)
    finally:
        process.terminate()
        process.wait(10)
    assert min(sizes) > 10 * 2**20, sizes  # each answer is large
    assert after - baseline < 12, f"{baseline:.0f} MB before, {after:.0f} MB after 8 answers of {sizes}"
