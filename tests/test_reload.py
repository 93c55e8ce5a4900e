"""``mmkg serve`` picks up new data without a restart (``--watch`` or SIGHUP), keeps answering while
releases are built beside it, and a release that fails to load leaves the old one serving."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import Message
from pathlib import Path

import pytest

from .conftest import _free_port

pytestmark = pytest.mark.server

MMKG = Path(__file__).resolve().parent.parent / ".venv" / "bin" / "mmkg"
PROBE = "https://w3id.org/mmkg/resource/zz-reload-probe"



def _get(url: str, accept: str = "text/html") -> tuple[int, Message]:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers={"Accept": accept}),
                                    timeout=15) as response:
            response.read()
            return response.status, response.headers  # case-insensitive (waitress sends "Etag")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers


def _until(condition: object, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return True
        time.sleep(0.2)
    return False


@contextmanager
def _serving(*args: str, env: dict[str, str] | None = None) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    port = _free_port()
    process = subprocess.Popen([str(MMKG), "serve", "--port", str(port), "--timeout", "3", *args],
                               env={**os.environ, **(env or {})}, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        assert _until(lambda: _ok(url), 60), "mmkg serve did not start"
        yield url, process
    finally:
        process.terminate()
        process.wait(10)


def _ok(url: str) -> bool:
    try:
        return _get(url + "/sparql?query=ASK%7B%7D", "application/sparql-results+json")[0] == 200
    except OSError:
        return False


def test_a_changed_graph_file_is_served_without_a_restart(tmp_path: Path, release: Path) -> None:
    graph = tmp_path / "graph.nq"
    shutil.copy(release / "mmkg.nq", graph)
    with _serving("--graph", str(graph), "--watch", "0.3") as (url, _):
        assert _get(url + "/resource/zz-reload-probe")[0] == 404
        before = _get(url + "/resource/lenalidomide")[1]["ETag"]
        with graph.open("a", encoding="utf-8") as handle:
            handle.write(f'<{PROBE}> <http://www.w3.org/2000/01/rdf-schema#label> "reload probe" '
                         "<https://w3id.org/mmkg/graph/reference> .\n")
        assert _until(lambda: _get(url + "/resource/zz-reload-probe")[0] == 200, 30)
        assert _get(url + "/resource/lenalidomide")[1]["ETag"] != before  # new data, new validators
        ask = f"{url}/sparql?query=ASK%7B%3C{PROBE.replace(':', '%3A')}%3E%20%3Fp%20%3Fo%7D"
        with urllib.request.urlopen(urllib.request.Request(ask, headers={"Accept": "text/csv"})) as response:
            assert response.read().strip().endswith(b"true")  # the workers hold the new data too
        graph.write_text("this is not RDF", encoding="utf-8")  # a broken file: the old data stays
        time.sleep(2)
        assert _get(url + "/resource/zz-reload-probe")[0] == 200


def test_rebuilds_while_serving_are_picked_up_on_sighup_and_never_break_sparql(tmp_path: Path) -> None:
    home = tmp_path / "home"
    subprocess.run([str(MMKG), "build", "--out", str(home)], check=True, capture_output=True)
    with _serving("--out", str(home)) as (url, process):
        first = _get(url + "/resource/lenalidomide")[1]["ETag"]
        answers: list[bool] = []
        for _ in range(4):
            subprocess.run([str(MMKG), "build", "--force", "--out", str(home)], check=True, capture_output=True)
            answers.append(_ok(url))
        served = (home / "current").resolve().name
        process.send_signal(signal.SIGHUP)
        assert _until(lambda: _get(url + "/resource/lenalidomide")[1]["ETag"].strip('"').startswith(served), 60)
        assert all(answers) and _ok(url)
        assert first.strip('"').split("-")[0] not in served
        kept = sorted(p.name for p in (home / "releases").iterdir() if not p.name.startswith("."))
        assert served in kept and len(kept) <= 4
