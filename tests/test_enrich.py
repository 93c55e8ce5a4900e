"""``mmkg enrich`` against real local Oxigraph servers holding Wikidata- and OBO-shaped fixtures;
a dead, failing or silent endpoint is reported and changes nothing."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.linking.enrich import WIKIDATA_PROPERTIES, enrichment_graph
from kg.pipeline.releases import current_release, write_release
from kg.pipeline.steps import BuiltGraph
from kg.query.store import Store, rows_as_values

from .conftest import _free_port, start_oxigraph

pytestmark = pytest.mark.server

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def wikidata_like(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    process, url = start_oxigraph(tmp_path_factory.mktemp("wd"), preload=DATA / "wikidata-fixture.ttl")
    yield url + "/query"
    process.terminate()
    process.wait(10)


@pytest.fixture()
def home(built: BuiltGraph, tmp_path: Path) -> Path:
    write_release(built, tmp_path)
    return tmp_path


def _mmkg(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kg", *args], capture_output=True, text=True, timeout=300)


def _rows(release: Path, sparql: str) -> list[dict[str, str | int | float | bool]]:
    return rows_as_values(Store.from_release(release / "mmkg.nq").query(sparql))


@pytest.mark.java
def test_wikidata_profile_fetches_labels_synonyms_and_xrefs_with_provenance(home: Path, wikidata_like: str) -> None:
    before = current_release(home)
    done = _mmkg("enrich", "--endpoint", wikidata_like, "--profile", "wikidata", "--out", str(home))
    assert done.returncode == 0, done.stderr
    assert "3 of 9 items answered" in done.stdout
    assert "disagrees: Q424972 says CHEBI:0; we curated CHEBI:8382 for res:prednisone" in done.stdout
    assert "1 value(s) skipped" in done.stdout and "not-an-id" in done.stdout
    release = current_release(home)
    assert release is not None and release != before
    graph = str(enrichment_graph("wikidata"))
    rows = _rows(release, f"""PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        PREFIX skos: <http://www.w3.org/2004/02/skos/core#> PREFIX mmkg: <https://w3id.org/mmkg/>
        SELECT ?p ?o WHERE {{ GRAPH <{graph}> {{ <http://www.wikidata.org/entity/Q425681> ?p ?o }} }}""")
    stated = {(r["p"].rsplit("#", 1)[-1].rsplit("/", 1)[-1], r["o"]) for r in rows}
    assert ("label", "lenalidomide") in stated and ("label", "Lenalidomid") not in stated  # English only
    assert ("altLabel", "Revlimid") in stated
    assert {("xref", "CHEBI:63791"), ("xref", "MESH:D000077269"), ("xref", "drugbank:DB00480"),
            ("xref", "rxnorm:342369")} <= stated
    assert ("exactMatch", "http://purl.obolibrary.org/obo/CHEBI_63791") in stated
    mm = _rows(release, f"""PREFIX mmkg: <https://w3id.org/mmkg/>
        SELECT ?x WHERE {{ GRAPH <{graph}> {{ <http://www.wikidata.org/entity/Q467635> mmkg:xref ?x }} }}""")
    assert {r["x"] for r in mm} == {"DOID:9538", "MONDO:0009693"}  # prefixed values normalised
    prov = _rows(release, f"""PREFIX prov: <http://www.w3.org/ns/prov#>
        SELECT ?from ?at WHERE {{ GRAPH <{graph}> {{ <{graph}> prov:wasDerivedFrom ?from ;
        prov:generatedAtTime ?at }} }}""")
    assert prov == [{"from": wikidata_like, "at": prov[0]["at"]}] and str(prov[0]["at"]).startswith("20")
    # our own entities are untouched: nothing in the enrichment graph is about res:
    ours = _rows(release, f"""ASK {{ GRAPH <{graph}> {{ ?s ?p ?o
        FILTER(STRSTARTS(STR(?s), "https://w3id.org/mmkg/resource/")) }} }}""")
    assert ours == []


@pytest.mark.java
def test_enrichment_survives_a_rebuild_and_a_second_run_replaces_it(home: Path, wikidata_like: str,
                                                                    built: BuiltGraph) -> None:
    assert _mmkg("enrich", "--endpoint", wikidata_like, "--out", str(home)).returncode == 0
    assert _mmkg("enrich", "--endpoint", wikidata_like, "--out", str(home)).returncode == 0
    release = write_release(built, home)  # what mmkg build does
    graph = str(enrichment_graph("wikidata"))
    count = _rows(release, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")[0]["n"]
    labels = _rows(release, f"""PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT ?l WHERE {{ GRAPH <{graph}> {{ <http://www.wikidata.org/entity/Q425681> rdfs:label ?l }} }}""")
    assert labels == [{"l": "lenalidomide"}] and isinstance(count, int) and 15 < count < 40
    assert '"wikidata"' in (release / "manifest.json").read_text()


@pytest.mark.java
def test_obo_profile(home: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    process, url = start_oxigraph(tmp_path_factory.mktemp("obo"), preload=DATA / "obo-fixture.ttl")
    try:
        done = _mmkg("enrich", "--endpoint", url + "/query", "--profile", "obo", "--out", str(home))
    finally:
        process.terminate()
        process.wait(10)
    assert done.returncode == 0, done.stderr
    assert "2 of" in done.stdout and "Fake:1" in done.stdout
    release = current_release(home)
    assert release is not None
    graph = str(enrichment_graph("obo"))
    rows = _rows(release, f"""PREFIX mmkg: <https://w3id.org/mmkg/>
        PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        SELECT ?s ?x WHERE {{ GRAPH <{graph}> {{ ?s mmkg:xref ?x }} }}""")
    assert {(r["s"].rsplit("/", 1)[-1], r["x"]) for r in rows} == {
        ("CHEBI_63791", "drugbank:DB00480"), ("MONDO_0009693", "DOID:9538"), ("MONDO_0009693", "NCIT:C3242")}


def _unchanged(home: Path, before: Path | None, done: subprocess.CompletedProcess[str], reason: str) -> None:
    assert done.returncode == 1, done.stdout
    assert "nothing changed" in done.stderr and reason in done.stderr and "Traceback" not in done.stderr
    assert current_release(home) == before
    assert not (home / "enrichment").exists()


@pytest.mark.java
def test_a_dead_endpoint_is_reported_and_changes_nothing(home: Path) -> None:
    before = current_release(home)
    done = _mmkg("enrich", "--endpoint", f"http://127.0.0.1:{_free_port()}/sparql", "--out", str(home))
    _unchanged(home, before, done, "cannot be reached")


@pytest.mark.java
def test_an_endpoint_error_is_reported_and_changes_nothing(home: Path, wikidata_like: str) -> None:
    before = current_release(home)
    done = _mmkg("enrich", "--endpoint", wikidata_like.replace("/query", "/no-such-path"), "--out", str(home))
    _unchanged(home, before, done, "EndPointNotFound")


@pytest.mark.java
def test_a_silent_endpoint_times_out_and_changes_nothing(home: Path) -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    accepted: list[socket.socket] = []

    def accept() -> None:
        while True:
            try:
                accepted.append(listener.accept()[0])  # read nothing, answer nothing
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    before = current_release(home)
    started = time.monotonic()
    try:
        done = _mmkg("enrich", "--endpoint", f"http://127.0.0.1:{listener.getsockname()[1]}/sparql",
                     "--remote-timeout", "2", "--out", str(home))
    finally:
        listener.close()
        for conn in accepted:
            conn.close()
    assert time.monotonic() - started < 30
    _unchanged(home, before, done, "did not answer within 2 s")


def test_the_wikidata_properties_match_bioregistry() -> None:
    bioregistry = pytest.importorskip("bioregistry")
    for prefix, prop in WIKIDATA_PROPERTIES.items():
        assert (bioregistry.get_resource(prefix).wikidata or {}).get("prefix") == prop, prefix


@pytest.mark.java
def test_oxigraph_parses_what_enrich_publishes(home: Path, wikidata_like: str) -> None:
    assert _mmkg("enrich", "--endpoint", wikidata_like, "--out", str(home)).returncode == 0
    release = current_release(home)
    assert release is not None
    quads = list(ox.parse(path=str(release / "mmkg.nq"), format=ox.RdfFormat.N_QUADS))
    assert any(q.graph_name == ox.NamedNode(str(enrichment_graph("wikidata"))) for q in quads)
