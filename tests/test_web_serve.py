"""``mmkg serve`` as users run it: a real waitress process, ``--graph`` with a foreign graph, bad input."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.query.store import Store
from web.cli import main

from .conftest import AppFactory

pytestmark = pytest.mark.server

MMKG = Path(sys.executable).parent / "mmkg"
FOREIGN = """
@prefix ex: <http://example.org/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
ex:Widget a owl:Class ; rdfs:label "widget" .
ex:w1 a ex:Widget ; rdfs:label "first widget" ; ex:partOf ex:w2 .
ex:w2 a ex:Widget ; rdfs:label "second <b>widget</b>" .
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_serve_a_foreign_graph_in_a_real_process(tmp_path: Path) -> None:
    graph = tmp_path / "widgets.ttl"
    graph.write_text(FOREIGN, encoding="utf-8")
    port = _free_port()
    process = subprocess.Popen([str(MMKG), "serve", "--graph", str(graph), "--port", str(port)],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/search.json?q=widget", timeout=2) as r:
                    hits = json.load(r)
                break
            except OSError:
                assert process.poll() is None, process.stdout.read() if process.stdout else ""
                assert time.monotonic() < deadline, "mmkg serve did not answer within 30 s"
                time.sleep(0.3)
        assert {h["label"] for h in hits} == {"widget", "first widget", "second <b>widget</b>"}
        first = next(h for h in hits if h["label"] == "first widget")
        assert first["url"] == "/describe?iri=http%3A%2F%2Fexample.org%2Fw1"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{first['url']}", timeout=5) as r:
            page = r.read().decode()
            assert r.headers["Server"] == "myeloma-kg"
        assert "<h1>first widget</h1>" in page and "second &lt;b&gt;widget&lt;/b&gt;" in page
    finally:
        process.terminate()
        process.wait(10)


def test_foreign_graph_pages_through_the_app(tmp_path: Path, make_app: AppFactory) -> None:
    graph = tmp_path / "widgets.ttl"
    graph.write_text(FOREIGN, encoding="utf-8")
    client = make_app(store=Store.from_file(graph)).test_client()
    assert client.get("/").status_code == 200
    assert client.get("/ontology").status_code == 200
    assert b"widget" in client.get("/describe?iri=http://example.org/Widget").data


def test_serve_rejects_bad_input(tmp_path: Path) -> None:
    runner = CliRunner()
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix ex: <http://example.org/> .\nex:a ex:b .\n", encoding="utf-8")
    result = runner.invoke(main, ["serve", "--graph", str(bad)])
    assert result.exit_code != 0 and "not valid RDF" in result.output and "bad.ttl" in result.output
    unknown = tmp_path / "data.xyz"
    unknown.write_text("x", encoding="utf-8")
    result = runner.invoke(main, ["serve", "--graph", str(unknown)])
    assert result.exit_code != 0 and "unknown RDF format" in result.output
    result = runner.invoke(main, ["serve", "--port", "70000"])
    assert result.exit_code != 0 and "--port" in result.output
    result = runner.invoke(main, ["serve", "--write-deadline", "-1"])
    assert result.exit_code != 0 and "--write-deadline" in result.output
    result = runner.invoke(main, ["serve", "--max-spool-mb", "lots"])
    assert result.exit_code != 0 and "--max-spool-mb" in result.output
