"""``mmkg publish``: the release as a static site whose links all resolve on a plain static server, with
RDF twins, saved-query answers, redirect rules, and nginx negotiating ``Accept`` like the app."""

from __future__ import annotations

import http.client
import json
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from flask import Flask

from kg.query.catalogue import Catalogue
from kg.query.store import Store
from web.cli import publish as publish_command
from web.publish import DYNAMIC, MARKER, Published, publish
from web.settings import Settings

from .conftest import _free_port
from .requirements import require

pytestmark = pytest.mark.server

ENDPOINT = "https://sparql.example.org/mmkg"
APP = "https://app.example.org"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, store: Store, catalogue: Catalogue) -> Iterator[Path]:
    from web import create_app

    # module-scoped (one published site for the module's tests), so not the per-test make_app factory
    app: Flask = create_app(store, catalogue, Settings(), warm=False)
    out = tmp_path_factory.mktemp("publish") / "site"
    report: Published = publish(app, store, out, "http://localhost:8080/", endpoint=ENDPOINT, app_url=APP,
                                query_names=[q.name for q in catalogue])
    assert report.broken == []
    assert report.pages > 300 and report.files > report.pages
    yield out


def _get(port: int, path: str, accept: str = "text/html") -> tuple[int, bytes, dict[str, str]]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers={"Accept": accept})
        response = conn.getresponse()
        return response.status, response.read(), dict(response.getheaders())
    finally:
        conn.close()


def _wait(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            _get(port, "/")
            return
        except OSError:
            if process.poll() is not None:
                raise RuntimeError("the static server did not start") from None
            time.sleep(0.1)
    raise RuntimeError("the static server did not start")


def test_every_link_resolves_on_a_plain_static_server(site: Path) -> None:
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1",
                               "--directory", str(site)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait(port, server)
        links: set[str] = set()
        for page in site.rglob("index.html"):
            links |= {m for m in re.findall(r'(?:href|src)="(/[^"#?]*)"', page.read_text(encoding="utf-8"))
                      if m.split("?")[0] not in DYNAMIC}  # the redirect rules send these to the app
        assert len(links) > 300
        failed = []
        for link in sorted(links):
            status, _, headers = _get(port, link)
            if status == 301:  # http.server adds the slash of a folder
                status, _, _ = _get(port, headers["Location"])
            if status != 200:
                failed.append((link, status))
        assert failed == []
        status, body, _ = _get(port, "/resource/lenalidomide.ttl")
        assert status == 200
        triples = list(ox.parse(body, format=ox.RdfFormat.TURTLE))
        assert any(t.subject == ox.NamedNode("https://w3id.org/mmkg/resource/lenalidomide") for t in triples)
        status, body, _ = _get(port, "/queries/significant-pfs-benefit.json")
        assert status == 200 and json.loads(body)["query"] == "significant-pfs-benefit"
        status, body, _ = _get(port, "/evidence.csv")
        assert status == 200 and body.startswith(b"studlab,") and b",TE," in body.splitlines()[0]
    finally:
        server.terminate()
        server.wait(10)


def test_redirect_rules_send_what_needs_a_server_to_one(site: Path) -> None:
    rules = (site / "_redirects").read_text(encoding="utf-8")
    assert f"/sparql  {ENDPOINT}  307" in rules and f"/search  {APP}/search  302" in rules
    assert f"/draft  {APP}/draft  307" in rules  # the drafter's form is a POST: the redirect keeps it one
    assert "/*.ttl\n  Content-Type: text/turtle" in (site / "_headers").read_text(encoding="utf-8")
    assert (site / MARKER).is_file() and (site / "static" / "css" / "mmkg.css").is_file()


def test_nginx_serves_the_site_and_negotiates_like_the_app(site: Path, tmp_path: Path) -> None:
    require("nginx", shutil.which("nginx") is not None, what="nginx",
            install="make nginx; .ci/run installs nginx-light")
    port = _free_port()
    conf = (site / "nginx.conf").read_text(encoding="utf-8").replace("listen 8080;", f"listen 127.0.0.1:{port};")
    conf = conf.replace("pid nginx.pid;", f"pid {tmp_path}/nginx.pid;\nmaster_process off;")
    (tmp_path / "nginx.conf").write_text(conf, encoding="utf-8")
    server = subprocess.Popen(["nginx", "-p", f"{site}/", "-c", str(tmp_path / "nginx.conf")],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        _wait(port, server)
        status, body, headers = _get(port, "/resource/lenalidomide")
        assert status == 200 and headers["Content-Type"].startswith("text/html") and b"<html" in body
        status, body, headers = _get(port, "/resource/lenalidomide", "text/turtle")
        assert status == 200 and headers["Content-Type"].startswith("text/turtle") and headers["Vary"] == "Accept"
        assert list(ox.parse(body, format=ox.RdfFormat.TURTLE))
        status, _, headers = _get(port, "/resource/lenalidomide.jsonld")
        assert status == 200 and headers["Content-Type"] == "application/ld+json"
        status, _, headers = _get(port, "/sparql?query=ASK%20%7B%7D")
        assert status == 307 and headers["Location"] == f"{ENDPOINT}?query=ASK%20%7B%7D"
        status, _, headers = _get(port, "/evidence?source=s001")
        assert status == 302 and headers["Location"] == f"{APP}/evidence?source=s001"
        assert _get(port, "/resource/no-such-thing")[0] == 404
    finally:
        server.terminate()
        server.wait(10)


def test_publish_never_replaces_a_folder_that_is_not_a_site(tmp_path: Path) -> None:
    precious = tmp_path / "notes"
    precious.mkdir()
    (precious / "mine.txt").write_text("keep me", encoding="utf-8")
    result = CliRunner().invoke(publish_command, ["-o", str(precious)])
    assert result.exit_code == 2 and "is not a site written by mmkg publish" in result.output
    assert (precious / "mine.txt").read_text(encoding="utf-8") == "keep me"
    assert [p.name for p in tmp_path.iterdir()] == ["notes"]  # no staging folder left behind
    bad = CliRunner().invoke(publish_command, ["-o", str(tmp_path / "x"), "--endpoint", "ftp://nope"])
    assert bad.exit_code == 2 and "--endpoint" in bad.output


def test_data_iris_resolve_through_the_sites_rules(site: Path, tmp_path: Path) -> None:
    """w3id forwards https://w3id.org/mmkg/<path> to <site>/mmkg/<path>: the rules send it to its page."""
    rules = (site / "_redirects").read_text(encoding="utf-8")
    assert "/mmkg/resource/*  /resource/:splat  303" in rules and "/mmkg/*  /ontology/:splat  303" in rules
    for name in ("context.jsonld", "ontology.rdf", "ontology.owx", "evidence.fhir.json",
                 "imports/external-terms.ttl", "imports/external-terms.owl"):
        assert (site / name).is_file(), name
    require("nginx", shutil.which("nginx") is not None, what="nginx", install="make nginx; CI installs nginx-light")
    port = _free_port()
    conf = (site / "nginx.conf").read_text(encoding="utf-8").replace("listen 8080;", f"listen 127.0.0.1:{port};")
    conf = conf.replace("pid nginx.pid;", f"pid {tmp_path}/nginx.pid;\nmaster_process off;")
    (tmp_path / "nginx.conf").write_text(conf, encoding="utf-8")
    server = subprocess.Popen(["nginx", "-p", f"{site}/", "-c", str(tmp_path / "nginx.conf")],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        _wait(port, server)
        for iri_path, page in (("/mmkg/resource/lenalidomide", "/resource/lenalidomide"),
                               ("/mmkg/Drug", "/ontology/Drug"), ("/mmkg/ontology", "/ontology"),
                               ("/mmkg/imports/external-terms", "/imports/external-terms")):
            status, _, headers = _get(port, iri_path)
            assert status == 303 and headers["Location"].endswith(page), iri_path
        status, body, headers = _get(port, "/resource/lenalidomide", "text/turtle")
        assert status == 200 and list(ox.parse(body, format=ox.RdfFormat.TURTLE))
        status, body, headers = _get(port, "/imports/external-terms", "application/rdf+xml")
        assert status == 200 and headers["Content-Type"].startswith("application/rdf+xml")
        status, body, headers = _get(port, "/imports/external-terms", "*/*")
        assert status == 200 and headers["Content-Type"].startswith("text/turtle")
        status, _, headers = _get(port, "/mmkg/sparql?query=ASK%20%7B%7D")
        assert status == 307 and headers["Location"] == f"{ENDPOINT}?query=ASK%20%7B%7D"
    finally:
        server.terminate()
        server.wait(10)
