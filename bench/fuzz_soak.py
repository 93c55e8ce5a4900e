"""Fuzz soak: the CI fuzzing's strategies, random and for as long as you like, against a real ``mmkg serve``.

    .venv/bin/python bench/fuzz_soak.py [--minutes 10] [--timeout 3] [--url http://host:port]

Starts ``mmkg serve --timeout T`` (waitress, worker pool) unless ``--url`` names a running server,
then sends random requests from ``tests/fuzz_strategies.py`` — ``/sparql`` by every protocol way,
every saved query with arbitrary parameter values, entity / search / describe pages — until the time
is up. Each answer is checked by the same oracle as the tests (no 5xx but the 503 of a stopped query;
a 200 parses in its format; a parameter's 400 names it; nothing hostile unescaped). Prints the count
of requests by status and every problem with a curl line to reproduce it; exits 1 if there was one.
"""

from __future__ import annotations

import argparse
import collections
import http.client
import sys
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from bench._server import mmkg_serve  # noqa: E402
from kg import paths  # noqa: E402
from kg.query.catalogue import load_catalogue  # noqa: E402
from tests.fuzz_strategies import FuzzRequest, entity_paths, parameter_requests, problems, sparql_requests  # noqa: E402


class Client:
    """A keep-alive HTTP client that reconnects after the server closes a connection."""

    def __init__(self, base: str) -> None:
        parts = urlsplit(base)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=60)

    def send(self, req: FuzzRequest) -> tuple[int, str, bytes]:
        url = req.path + ("?" + urlencode(req.query) if req.query else "")
        headers = dict(req.headers)
        body = req.body
        if req.form is not None:
            body = urlencode(req.form).encode()
        if req.content_type:
            headers["Content-Type"] = req.content_type
        for attempt in (1, 2):
            try:
                self.conn.request(req.method, url, body=body, headers=headers)
                response = self.conn.getresponse()
                return response.status, response.getheader("Content-Type", ""), response.read()
            except (http.client.HTTPException, ConnectionError):
                self.conn.close()
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")


def soak(base: str, minutes: float) -> int:
    catalogue = load_catalogue(paths.queries_dir())
    client = Client(base)
    statuses: collections.Counter[tuple[str, int]] = collections.Counter()
    found: list[str] = []
    requests = st.one_of(
        sparql_requests(catalogue).map(lambda r: (r, ())),
        parameter_requests(catalogue).map(lambda c: (c[1], tuple(name for name, _ in c[1].query))),
        entity_paths().map(lambda r: (r, ())),
    )
    deadline = time.monotonic() + minutes * 60

    @settings(max_examples=500, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(requests)
    def batch(case: tuple[FuzzRequest, tuple[str, ...]]) -> None:
        req, parameters = case
        if time.monotonic() > deadline:
            return
        status, media, body = client.send(req)
        statuses[(req.path.split("/")[1] or "/", status)] += 1
        for problem in problems(req, status, media, body, parameters):
            found.append(f"{problem}\n    {req.describe()}")

    started = time.monotonic()
    while time.monotonic() < deadline:
        batch()
    elapsed = time.monotonic() - started
    total = sum(statuses.values())
    print(f"{total} requests in {elapsed:.0f} s ({total / elapsed:.1f}/s) against {base}\n")
    print("| route | status | requests |\n|---|---:|---:|")
    for (route, status), count in sorted(statuses.items()):
        print(f"| /{route} | {status} | {count} |")
    print(f"\n{len(found)} problems")
    for problem in found[:50]:
        print(problem)
    return 1 if found else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--timeout", type=float, default=3.0, help="the server's query time limit (s)")
    parser.add_argument("--url", help="a running server instead of starting one")
    args = parser.parse_args()
    if args.url:
        sys.exit(soak(args.url, args.minutes))
    with mmkg_serve("--timeout", str(args.timeout)) as port:
        sys.exit(soak(f"http://127.0.0.1:{port}", args.minutes))


if __name__ == "__main__":
    main()
