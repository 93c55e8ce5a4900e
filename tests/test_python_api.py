"""The Python API (``kg.open``): the guide's notebook example runs as written; rows, types and errors."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import kg
from kg.errors import ParameterError, QuerySyntaxError

GUIDE = Path(__file__).resolve().parent.parent / "docs" / "python-api.md"


@pytest.fixture(scope="module")
def graph(release: Path) -> kg.Graph:
    return kg.open(release.parent.parent)


def test_the_guides_example_runs_block_by_block(release: Path, monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("MMKG_HOME", str(release.parent.parent))
    blocks = re.findall(r"```python\n(.*?)```", GUIDE.read_text(encoding="utf-8"), flags=re.S)
    assert len(blocks) >= 5
    namespace: dict[str, object] = {}
    for block in blocks:
        exec(compile(block, str(GUIDE), "exec"), namespace)
    assert "triples about lenalidomide" in capsys.readouterr().out
    assert namespace["g"].location == str(release / "mmkg.nq")  # type: ignore[attr-defined]


def test_rows_are_plain_values_and_frames_typed(graph: kg.Graph) -> None:
    rows = graph.sparql("SELECT ?f ?e ?n ?sig WHERE { ?f mmkg:estimate ?e OPTIONAL { ?f mmkg:isSignificant ?sig } "
                        "BIND(1 AS ?n) } LIMIT 20")
    assert rows and isinstance(rows[0]["e"], float) and rows[0]["n"] == 1
    frame = rows.to_pandas()
    assert [str(t) for t in frame.dtypes] == ["string", "Float64", "Int64", "boolean"]
    assert len(frame) == len(rows)
    assert graph.sparql("ASK { res:lenalidomide a mmkg:Drug }").boolean is True


def test_saved_query_parameters_are_typed_and_checked(graph: kg.Graph) -> None:
    thal = graph.query("adverse-events-by-drug", drug="res:thalidomide")
    assert thal and {r["drug"] for r in thal} == {"https://w3id.org/mmkg/resource/thalidomide"}
    with pytest.raises(ParameterError, match="colour"):
        graph.query("adverse-events-by-drug", colour="red")
    with pytest.raises(ParameterError, match="drug"):
        graph.query("adverse-events-by-drug", drug="not an iri")
    with pytest.raises(KeyError, match="did you mean 'p-values'"):
        graph.query("p-value")


def test_a_bad_query_says_where(graph: kg.Graph) -> None:
    with pytest.raises(QuerySyntaxError) as caught:
        graph.sparql("SELECT ?x WHERE { ?x a }")
    assert caught.value.position is not None


@pytest.mark.server
def test_the_same_api_on_a_remote_endpoint(graph: kg.Graph, live_url: str) -> None:
    remote = kg.open(endpoint=f"{live_url}/sparql")
    text = "SELECT ?d WHERE { ?d a mmkg:Drug } ORDER BY ?d"
    assert remote.sparql(text).column("d") == graph.sparql(text).column("d")
    assert len(remote.query("adverse-events-by-drug")) == len(graph.query("adverse-events-by-drug"))
    assert str(remote.frame("effect-estimates")["estimate"].dtype) == "Float64"
