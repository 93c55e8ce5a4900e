"""Start ``mmkg serve`` as its own process on a free loopback port, for the benchmarks and the soak."""

from __future__ import annotations

import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def mmkg_serve(*options: str) -> Iterator[int]:
    """Run ``mmkg serve OPTIONS`` until the block ends; yields its port."""
    port = free_port()
    mmkg = Path(sys.executable).parent / "mmkg"
    # The server's output goes to a file, not a pipe: under load waitress logs its queue depth, and a
    # pipe nobody reads fills up and blocks the server mid-run.
    log = tempfile.NamedTemporaryFile(prefix="mmkg-serve-", suffix=".log", delete=False)  # noqa: SIM115
    process = subprocess.Popen([str(mmkg), "serve", "--port", str(port), *options], cwd=ROOT,
                               stdout=log, stderr=subprocess.STDOUT)
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
        yield port
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
        warnings = [line for line in Path(log.name).read_text().splitlines() if "Task queue depth" not in line]
        print(f"(server log: {log.name}; {len(warnings)} lines besides waitress's queue-depth notes)", file=sys.stderr)
