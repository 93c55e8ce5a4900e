"""The floor under a small query: what an HTTP server costs before any app or engine runs.

    .venv/bin/python bench/server_floor.py [--rounds 3000] [--gap SECONDS] [--granian PATH]

Issue 30 asks a small saved query or ``ASK {}`` through ``/sparql`` to answer within 1.5x raw Oxigraph at p50.
This bench times, side by side in one run with one keep-alive ``http.client`` connection each and the
starting server rotated every round, three servers answering the same 26-byte ``ASK`` answer:

* raw Oxigraph (``oxigraph serve-read-only`` on a one-triple store) evaluating ``ASK {}``;
* waitress (the server ``mmkg serve`` runs) with a WSGI app that returns the constant answer;
* waitress with the app run in its own loop thread (no hand-off to a worker thread and back: a prototype of the
  fastest a waitress-served answer could be, not something ``mmkg serve`` does);
* granian (a Rust HTTP server for Python apps), the same app, if its executable is given or on the PATH.

``--gap`` sleeps between rounds, as a real client leaves the server idle between requests (threads and
processes then wake from sleep, which costs more on a VM). Last, the round trip of a pickled task and answer
through a ``multiprocessing`` pipe to an idle process: what a query worker's hand-off costs before any work.

The two WSGI rows hold no Flask, no guard, no worker process: they are the floor any Python app under that
server stands on. A server whose floor is already over 1.5x Oxigraph cannot meet the target for ``ASK {}``
whatever the app does. Loopback only; the servers are started on free ports and stopped at the end.
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from multiprocessing.connection import Connection
from pathlib import Path

BODY = b'{"head":{},"boolean":true}'

_APP = f'''BODY = {BODY!r}


def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "application/sparql-results+json"),
                              ("Content-Length", str(len(BODY)))])
    return [BODY]
'''

_WAITRESS = '''import sys
import waitress
sys.path.insert(0, sys.argv[2])
from floor_app import app
waitress.serve(app, host="127.0.0.1", port=int(sys.argv[1]), threads=4, _quiet=True)
'''

_WAITRESS_INLINE = '''import sys
import waitress
from waitress.channel import HTTPChannel
sys.path.insert(0, sys.argv[2])
from floor_app import app


class InlineChannel(HTTPChannel):
    pending = False

    def received(self, data):
        result = super().received(data)
        while self.pending:  # the request lock is released: serve it here, then send at once
            self.pending = False
            self.service()
        if self.total_outbufs_len:
            self._flush_some()
        return result


server = waitress.create_server(app, host="127.0.0.1", port=int(sys.argv[1]), threads=4)
server.channel_class = InlineChannel
threads = server.task_dispatcher


class Dispatcher:
    def add_task(self, channel):
        if isinstance(channel, InlineChannel) and not channel.total_outbufs_len:
            channel.pending = True
        else:
            threads.add_task(channel)

    def __getattr__(self, name):
        return getattr(threads, name)


server.task_dispatcher = Dispatcher()
server.run()
'''


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait(port: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on port {port} after {timeout} s")


def _echo(conn: Connection) -> None:
    while True:
        task = conn.recv()
        if task is None:
            return
        conn.send(("ok", BODY))


def _pipe_round_trips(rounds: int, gap: float) -> list[float]:
    """Seconds of ``rounds`` round trips of a query-sized task through a pipe to an idle process."""
    context = multiprocessing.get_context("forkserver")
    parent, child = context.Pipe()
    process = context.Process(target=_echo, args=(child,), daemon=True)
    process.start()
    times = []
    try:
        for _ in range(rounds):
            if gap:
                time.sleep(gap)
            started = time.perf_counter()
            parent.send(("serialise", "ASK {}", {}, {"prefixes": "predeclared", "limit": 10_000}))
            parent.recv()
            times.append(time.perf_counter() - started)
    finally:
        parent.send(None)
        process.join(10)
    return times[rounds // 10:]


def _time(targets: dict[str, tuple[int, str]], rounds: int, gap: float = 0.0) -> dict[str, list[float]]:
    connections = {name: http.client.HTTPConnection("127.0.0.1", port, timeout=10) for name, (port, _) in
                   targets.items()}
    names = list(targets)
    times: dict[str, list[float]] = {name: [] for name in names}
    for round_ in range(rounds):
        for name in names[round_ % len(names):] + names[:round_ % len(names)]:
            if gap:
                time.sleep(gap)
            started = time.perf_counter()
            connections[name].request("GET", targets[name][1], headers={"Accept": "application/sparql-results+json"})
            response = connections[name].getresponse()
            body = response.read()
            times[name].append(time.perf_counter() - started)
            if response.status != 200 or b"true" not in body:
                raise RuntimeError(f"{name} answered {response.status}: {body[:200]!r}")
    return {name: found[rounds // 10:] for name, found in times.items()}  # the first tenth warms up


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3000)
    parser.add_argument("--gap", type=float, default=0.0, help="seconds between requests (default 0)")
    parser.add_argument("--granian", help="granian's executable (default: on the PATH, or none)")
    args = parser.parse_args()
    oxigraph = shutil.which("oxigraph", path=str(Path(sys.executable).parent)) or shutil.which("oxigraph")
    if oxigraph is None:
        sys.exit("no oxigraph executable (pip install oxigraph)")
    granian = args.granian or shutil.which("granian")
    processes: list[subprocess.Popen[bytes]] = []
    with tempfile.TemporaryDirectory(prefix="mmkg-floor-") as tmp:
        folder = Path(tmp)
        (folder / "floor_app.py").write_text(_APP, encoding="utf-8")
        (folder / "serve_waitress.py").write_text(_WAITRESS, encoding="utf-8")
        (folder / "serve_inline.py").write_text(_WAITRESS_INLINE, encoding="utf-8")
        (folder / "one.nt").write_text('<http://example.org/s> <http://example.org/p> "o" .\n', encoding="utf-8")
        subprocess.run([oxigraph, "load", "--location", str(folder / "store"), "--file", str(folder / "one.nt")],
                       check=True, capture_output=True)
        inline = "waitress, the same app in its loop thread (prototype)"
        ports = {"raw Oxigraph (ASK {})": _free_port(), "waitress, constant WSGI app": _free_port(),
                 inline: _free_port()}
        commands = [[oxigraph, "serve-read-only", "--location", str(folder / "store"), "--bind",
                     f"127.0.0.1:{ports['raw Oxigraph (ASK {})']}"],
                    [sys.executable, str(folder / "serve_waitress.py"), str(ports["waitress, constant WSGI app"]),
                     str(folder)],
                    [sys.executable, str(folder / "serve_inline.py"), str(ports[inline]), str(folder)]]
        if granian:
            ports["granian, constant WSGI app"] = _free_port()
            commands.append([granian, "--interface", "wsgi", "--host", "127.0.0.1", "--port",
                             str(ports["granian, constant WSGI app"]), "--workers", "1", "--no-ws",
                             "floor_app:app"])
        try:
            for command in commands:
                processes.append(subprocess.Popen(command, cwd=folder, stdout=subprocess.DEVNULL,
                                                  stderr=subprocess.DEVNULL))
            for port in ports.values():
                _wait(port)
            paths = {name: "/query?query=" + urllib.parse.quote("ASK {}") if name.startswith("raw") else "/"
                     for name in ports}
            times = _time({name: (port, paths[name]) for name, port in ports.items()}, args.rounds, args.gap)
        finally:
            for process in processes:
                process.terminate()
                process.wait(timeout=10)
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    pipe = _pipe_round_trips(args.rounds, args.gap)
    print(f"{args.rounds} rounds, one keep-alive connection per server, {args.gap * 1000:g} ms between requests, "
          f"load average {load}")
    print("| server | p50 ms | p90 ms | p50 ÷ raw Oxigraph |")
    print("|---|---:|---:|---:|")
    base = statistics.median(times["raw Oxigraph (ASK {})"])
    for name, found in times.items():
        p50 = statistics.median(found)
        print(f"| {name} | {p50 * 1000:.3f} | {statistics.quantiles(found, n=10)[-1] * 1000:.3f} | {p50 / base:.2f} |")
    print(f"\nA pickled task and answer through a pipe to an idle process and back (a query worker's hand-off): "
          f"p50 {statistics.median(pipe) * 1e6:.0f} µs, p90 {statistics.quantiles(pipe, n=10)[-1] * 1e6:.0f} µs")
    if not granian:
        print("(granian not found: give --granian PATH to add its row)")


if __name__ == "__main__":
    main()
