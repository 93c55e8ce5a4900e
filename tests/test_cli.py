"""The mmkg command line, end to end."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient
from rdflib import Dataset, Graph

from kg.cli import main, run
from kg.pipeline.releases import current_release


@pytest.fixture(scope="module")
def home(release: Path) -> Path:
    """The data home of the test release (read only here)."""
    return release.parent.parent


@pytest.mark.java
def test_build_reports_the_reasoner_and_shacl_then_skips_an_unchanged_rebuild(tmp_path: Path) -> None:
    home = tmp_path / "cli-home"
    result = CliRunner().invoke(main, ["build", "--out", str(home)])
    assert result.exit_code == 0, result.output
    assert "Reasoner (HermiT)" in result.output and "SHACL: conforms" in result.output
    first = current_release(home)
    again = CliRunner().invoke(main, ["build", "--out", str(home)])
    assert again.exit_code == 0 and "Up to date" in again.output, again.output
    assert current_release(home) == first
    forced = CliRunner().invoke(main, ["build", "--out", str(home), "--force"])
    assert forced.exit_code == 0 and "Reasoner (HermiT)" in forced.output
    assert current_release(home) != first


@pytest.mark.java
def test_validate_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["validate"])
    assert result.exit_code == 0, result.output
    assert "nothing written" in result.output
    assert list(tmp_path.iterdir()) == []


def test_stats_counts_classes_and_sources(home: Path) -> None:
    result = CliRunner().invoke(main, ["stats", "--out", str(home)])
    assert result.exit_code == 0, result.output
    assert "HazardRatioEstimate" in result.output and "s003:" in result.output


@pytest.mark.parametrize("fmt", ["json", "csv", "tsv", "table"])
def test_query_formats(home: Path, fmt: str) -> None:
    result = CliRunner().invoke(main, ["query", "significant-pfs-benefit", "--format", fmt, "--out", str(home)])
    assert result.exit_code == 0, result.output
    if fmt == "json":
        data = json.loads(result.output)
        assert [row["hr"] for row in data["rows"]] == [0.39, 0.47]
    elif fmt in ("csv", "tsv"):
        lines = result.output.strip().splitlines()
        assert len(lines) == 3 and ("," if fmt == "csv" else "\t") in lines[0]
    else:
        assert "(2 rows)" in result.output


def test_query_with_parameter_and_from_file(home: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["query", "trial-randomisation", "-p", "trial=res:myeloma-xi", "--format", "json",
                                  "--out", str(home)])
    assert result.exit_code == 0, result.output
    assert 1971 in [row["value"] for row in json.loads(result.output)["rows"]]
    rq = tmp_path / "mine.rq"
    rq.write_text("#+ title: Mine\n#+ description: Count drugs.\nPREFIX mmkg: <https://w3id.org/mmkg/>\n"
                  "SELECT (COUNT(?d) AS ?n) WHERE { ?d a mmkg:Drug }\n", encoding="utf-8")
    result = runner.invoke(main, ["query", str(rq), "--format", "json", "--out", str(home)])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["rows"] == [{"n": 5}]


@pytest.mark.slow  # over 3 s: the full suite runs it, the fast loop does not
def test_bad_input_exits_non_zero_with_a_clear_message(home: Path) -> None:
    for args, expected in [
        (["query", "no-such-query"], "no saved query named 'no-such-query'"),
        (["query", "significant-pfs-benefit", "-p", "endpoint=res:ttp"], "parameter 'endpoint'"),
        (["query", "significant-pfs-benefit", "-p", "endpoint"], "is not NAME=VALUE"),
    ]:
        proc = subprocess.run([sys.executable, "-m", "kg", *args, "--out", str(home)],
                              capture_output=True, text=True, check=False)
        assert proc.returncode != 0
        assert expected in proc.stderr, proc.stderr
        assert "Traceback" not in proc.stderr


@pytest.mark.parametrize(("fmt", "parser", "quads"), [
    ("trig", "trig", True), ("nquads", "nquads", True), ("turtle", "turtle", False),
    ("jsonld", "json-ld", False), ("xml", "xml", False)])
def test_export_round_trips(home: Path, tmp_path: Path, fmt: str, parser: str, quads: bool) -> None:
    target = tmp_path / f"out.{fmt}"
    result = CliRunner().invoke(main, ["export", "--format", fmt, "-o", str(target), "--out", str(home)])
    assert result.exit_code == 0, result.output
    graph: Graph = Dataset() if quads else Graph()
    graph.parse(target, format=parser)
    assert len(graph) > 4000
    assert not list(tmp_path.glob(".out.*")), "no temporary file left behind"


def _mmkg(home: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kg", *args, "--out", str(home)], capture_output=True, text=True,
                          input=stdin, timeout=120, check=False)


@pytest.mark.slow  # over 3 s (three processes): the full suite runs it, the fast loop does not
def test_ad_hoc_sparql_from_text_file_and_stdin(home: Path, tmp_path: Path) -> None:
    text = _mmkg(home, "sparql", "SELECT ?d WHERE { ?d skos:exactMatch CHEBI:63791 }", "--format", "json")
    assert text.returncode == 0, text.stderr
    assert json.loads(text.stdout)["rows"] == [{"d": "https://w3id.org/mmkg/resource/lenalidomide"}]
    query = tmp_path / "drugs.rq"
    query.write_text("SELECT (COUNT(*) AS ?n) WHERE { ?d a mmkg:Drug }\n", encoding="utf-8")  # no '#+' header
    from_file = _mmkg(home, "sparql", str(query), "--format", "csv")
    assert from_file.returncode == 0 and from_file.stdout.splitlines()[0] == "n", from_file.stderr
    piped = _mmkg(home, "sparql", "-", stdin="ASK { res:lenalidomide ?p ?o }")
    assert piped.returncode == 0 and piped.stdout.strip() == "true"


@pytest.mark.parametrize(("args", "expected"), [
    (["sparql", "SELECT * WHERE { ?s foo:bar ?o }"], "unknown prefix foo: at 1:21"),
    (["sparql", "SELECT * WHERE { ?s ?p ?o"], "unbalanced brackets"),
    (["sparql", "missing.rq"], "missing.rq: no such file"),
    (["sparql", "  "], "the query is empty"),
    (["query", "missing.rq"], "missing.rq: no such file"),
    (["query", "significant-pfs-benfit"], "did you mean 'significant-pfs-benefit'?"),
])
def test_bad_queries_are_one_clear_line_and_a_non_zero_exit(home: Path, args: list[str], expected: str,
                                                            capsys: pytest.CaptureFixture[str],
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    # in process, through the entry point `python -m kg` runs (a subprocess per case cost ~1.2 s of interpreter
    # start; the ad hoc query test above goes through a real process)
    monkeypatch.setattr(sys, "argv", ["mmkg", *args, "--out", str(home)])
    with pytest.raises(SystemExit) as exited:
        run()
    stderr = capsys.readouterr().err
    assert exited.value.code not in (0, None) and expected in stderr and "Traceback" not in stderr, stderr


def test_an_iri_parameter_that_names_nothing_is_warned_about(home: Path, client: FlaskClient) -> None:
    done = _mmkg(home, "query", "adverse-events-by-drug", "-p", "drug=res:lenalidomid")
    assert done.returncode == 0 and "names nothing in the graph" in done.stderr and "lenalidomid>" in done.stderr
    page = client.get("/queries/adverse-events-by-drug", query_string={"drug": "res:lenalidomid"}).data.decode()
    assert "names nothing in the graph" in page
    fine = client.get("/queries/adverse-events-by-drug", query_string={"drug": "res:lenalidomide"}).data.decode()
    assert "names nothing in the graph" not in fine
