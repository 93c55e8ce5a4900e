"""Hostile clients against a real ``mmkg serve`` on loopback (bounded in count and time).

Thousands of distinct page-cache keys must not hold memory; slow readers at the connection limit
must not pin spooled answers past the write deadline, nor spool more than the cap; HEAD is GET
without a body; waitress's queue-depth notes are rate-limited. Measured from ``/proc`` (resident
memory, deleted temporary files), as bench/attack.py does.
"""

from __future__ import annotations

import http.client
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest

from bench._attacks import big_literals, cache_keys, get, rss_mb, slow_readers, sparql_keys, spooled_bytes, watch
from bench._server import mmkg_server

pytestmark = pytest.mark.server


def test_adversarial_cache_keys_leave_memory_where_it_was(release: Path) -> None:
    with mmkg_server("--graph", str(release / "mmkg.nq"), "--workers", "1") as server:
        cache_keys(server.base, 100, 100)  # warm: the search index, the allocator's arenas
        baseline = rss_mb(server.pid, children=False)
        statuses = cache_keys(server.base, 3000, 60_000)
        # distinct /sparql queries of ~7 KB: each answer kept (16 MiB at most), each request remembered (1,024)
        statuses += sparql_keys(server.base, 3000, 7000)
        after = rss_mb(server.pid, children=False)
        assert statuses == [200] * 6000
    assert after - baseline < 50, f"resident memory {baseline:.0f} -> {after:.0f} MB after 6,000 distinct keys"


def test_slow_readers_at_the_connection_limit_cannot_pin_the_spool(release: Path) -> None:
    """Six clients (the server takes four at once: its limit of 6 counts its own two sockets) ask for a
    10.5 MB CSV one after another and read a byte every 2 s: the first two are answered and fill the
    24 MiB spool, the next two get 503 at once, the fifth waits for a connection; at the write deadline
    (8 s) the first two are dropped and their spool freed, and the fifth, sixth and a bystander are served."""
    cap = 24 * 2**20
    env = {"MMKG_CONNECTION_LIMIT": "6", "MMKG_WRITE_MIN_RATE": str(64 * 2**20), "MMKG_READ_DEADLINE": "2",
           "MMKG_TRUSTED_PROXY": "127.0.0.1"}
    path = "/sparql?" + urlencode({"query": big_literals(80, 100 * 1024), "format": "csv"})  # 80 rows of 128 KB
    with mmkg_server("--graph", str(release / "mmkg.nq"), "--workers", "2", "--write-deadline", "8",
                     "--max-spool-mb", "24", env=env) as server:
        statuses: list[str] = []
        readers = threading.Thread(target=lambda: statuses.extend(slow_readers(server.port, path, 6, 25, every=2)))
        with watch(lambda: spooled_bytes(server.pid), 0.1) as spool:
            readers.start()
            started = time.monotonic()
            while not (spool and spool[-1][1] > 2**20) and time.monotonic() - started < 30:
                time.sleep(0.1)
            time.sleep(4)  # four connections are open now: the server is at its limit
            bystander = get(server.base + "/", timeout=30)  # waits for a connection a deadline frees
            readers.join(60)
        assert not readers.is_alive()
    assert statuses[:4] == ["HTTP/1.1 200 OK"] * 2 + ["HTTP/1.1 503 Service Unavailable"] * 2, statuses
    assert statuses[4:] == ["HTTP/1.1 200 OK"] * 2, statuses  # served once the deadline freed the spool
    peak = max(v for _, v in spool)
    assert 15 * 2**20 < peak <= cap, f"spool peaked at {peak / 2**20:.0f} MB (cap {cap / 2**20:.0f})"
    # Two answers together hold over 15 MB. However the answers' deadlines fall (a waiting client takes a
    # dropped one's place at once, so the spool need never empty), no two hold it past a deadline (8 s +
    # 10.5 MB at 64 MB/s) and the next maintenance turn (1 s): each stretch above 15 MB ends within 15 s.
    stretches, began = [], None
    for t, v in spool:
        if v > 15 * 2**20 and began is None:
            began = t
        elif v <= 15 * 2**20 and began is not None:
            stretches.append(t - began)
            began = None
    if began is not None:  # still open when the watch ended
        stretches.append(spool[-1][0] - began)
    assert max(stretches) < 15, f"two answers held the spool {max(stretches):.1f} s (stretches {stretches})"
    assert bystander[0] == 200 and bystander[1] < 20, bystander


def test_head_is_get_without_a_body_and_queue_notes_are_few(release: Path) -> None:
    with mmkg_server("--graph", str(release / "mmkg.nq"), "--workers", "1", "--threads", "1") as server:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        for path, status in (("/sparql", 200), ("/sparql?query=ASK%7B%7D", 200), ("/draft", 200), ("/", 200)):
            conn.request("GET", path)
            got = conn.getresponse()
            body = got.read()
            conn.request("HEAD", path)
            head = conn.getresponse()
            assert head.read() == b"" and head.status == got.status == status, path
            assert head.getheader("Content-Length") == str(len(body)) and head.getheader("Content-Type") == \
                got.getheader("Content-Type"), path
        conn.request("HEAD", "/draft.yaml")
        head = conn.getresponse()
        assert head.read() == b"" and head.status == 405
        assert set(head.getheader("Allow", "").replace(" ", "").split(",")) == {"POST", "OPTIONS"}
        conn.close()
        threads = [threading.Thread(target=get, args=(server.base + "/search.json?q=lena",)) for _ in range(40)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        time.sleep(0.5)
        notes = [line for line in server.log.read_text().splitlines() if "Task queue depth" in line]
    assert 1 <= len(notes) <= 2, notes  # one per ten seconds, not one per queued request


def test_a_hundred_drafts_and_hostile_cache_keys_leave_memory_where_it_was(release: Path) -> None:
    """Drafts run in the draft workers and the lexicon keeps nothing per request: after 100 drafts of a
    trial report and 3,000 padded cache keys the server process holds what it held before, and the draft
    workers (recycled every few drafts) no more than a fresh pair does after a few drafts."""
    article = (Path(__file__).parent / "data" / "articles" / "review-table.txt").read_bytes()
    body = urlencode({"text": article.decode("utf-8"), "name": "review.txt"})

    def draft(base: str) -> int:
        host, port = base.removeprefix("http://").split(":")
        connection = http.client.HTTPConnection(host, int(port), timeout=60)
        try:
            connection.request("POST", "/draft", body=body,
                               headers={"Content-Type": "application/x-www-form-urlencoded"})
            response = connection.getresponse()
            response.read()
            return response.status
        finally:
            connection.close()

    with mmkg_server("--graph", str(release / "mmkg.nq"), "--workers", "1") as server:
        for _ in range(3):  # warm: the draft workers load the facts, the allocator's arenas
            assert draft(server.base) == 200
        cache_keys(server.base, 100, 100)
        baseline = rss_mb(server.pid, children=False)
        statuses, everything = [], []
        for _ in range(100):
            statuses.append(draft(server.base))
            everything.append(rss_mb(server.pid))
        cache_keys(server.base, 3000, 60_000)
        after = rss_mb(server.pid, children=False)
    assert statuses == [200] * 100
    assert after - baseline < 50, f"the server {baseline:.0f} -> {after:.0f} MB after 100 drafts and 3,000 keys"
    # bounded, not growing with the number of drafts: the last 20 drafts peak no higher than the first 20
    assert max(everything[-20:]) < max(everything[:20]) + 100, (max(everything[:20]), max(everything[-20:]))
