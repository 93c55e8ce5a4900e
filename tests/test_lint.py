"""The vocabulary lint: misspelt terms, classes, resources and deprecated terms get a warning with a position and a
suggestion on /sparql, in the editor and from ``mmkg sparql``; no saved query warns."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient

from kg import paths
from kg.cli import main
from kg.query.catalogue import Catalogue
from kg.query.lint import LintVocabulary, lint
from kg.query.prefixes import PREDECLARED
from kg.query.store import Store

MISSPELT = [
    ("SELECT * WHERE { ?f mmkg:endpiont res:pfs }",
     "mmkg:endpiont at 1:21 is not a term of the ontology; did you mean mmkg:endpoint?"),
    ("SELECT * WHERE { ?e a mmkg:HazardRatioEstimat }",
     "mmkg:HazardRatioEstimat at 1:23 is not a term of the ontology; did you mean mmkg:HazardRatioEstimate?"),
    ("SELECT * WHERE {\n  ?c mmkg:countOf ?what }", "mmkg:countOf at 2:6 is deprecated; use mmkg:countKind instead"),
    ("SELECT * WHERE { ?f mmkg:concernsDrug res:lenalidomid }",
     "res:lenalidomid at 1:39 is not a resource of the graph; did you mean res:lenalidomide?"),
    ("SELECT * WHERE { GRAPH graph:inferd { ?s ?p ?o } }",
     "graph:inferd at 1:24 is not a graph of this dataset; did you mean graph:inferred?"),
    ("SELECT * WHERE { ?f ?p <https://w3id.org/mmkg/resource/lenalidomid> }",
     "<https://w3id.org/mmkg/resource/lenalidomid> at 1:24 is not a resource of the graph; did you mean "
     "<https://w3id.org/mmkg/resource/lenalidomide>?"),
    ("PREFIX m: <https://w3id.org/mmkg/>\nSELECT * WHERE { ?f m:endpiont ?e }",
     "m:endpiont at 2:21 is not a term of the ontology; did you mean m:endpoint?"),
]


@pytest.fixture(scope="module")
def vocabulary(store: Store) -> LintVocabulary:
    return LintVocabulary.of_store(store)


@pytest.mark.parametrize(("query", "message"), MISSPELT)
def test_each_misspelling_is_named_at_its_position_with_the_closest_term(vocabulary: LintVocabulary, query: str,
                                                                         message: str) -> None:
    assert [w.message for w in lint(query, vocabulary, PREDECLARED)] == [message]


def test_no_saved_query_warns(vocabulary: LintVocabulary, catalogue: Catalogue) -> None:
    assert len(list(catalogue)) >= 10
    for saved in catalogue:
        assert lint(saved.sparql, vocabulary, PREDECLARED) == [], saved.name
    for qc in sorted((paths.queries_dir() / "qc").glob("*.rq")):
        warnings = lint(qc.read_text(encoding="utf-8"), vocabulary, PREDECLARED)
        # QC queries that look for a deprecated term (mmkg:countOf, mmkg:mainAdverseEvent) name it on purpose;
        # none names a term that does not exist
        assert all("deprecated" in w.message for w in warnings), (qc.name, [w.message for w in warnings])


def test_known_terms_strings_comments_and_prefix_lines_are_left_alone(vocabulary: LintVocabulary) -> None:
    query = ('PREFIX res: <https://w3id.org/mmkg/resource/>  # mmkg:nothing here\n'
             'SELECT * WHERE { ?f mmkg:endpoint res:pfs ; rdfs:comment "mmkg:endpiont" FILTER(STRSTARTS(STR(?f), '
             'STR(res:))) }')
    assert lint(query, vocabulary, PREDECLARED) == []


def test_sparql_sends_the_warnings_in_headers_and_the_json_member(client: FlaskClient) -> None:
    query, message = MISSPELT[0]
    answer = client.get("/sparql", query_string={"query": query, "format": "json"})
    assert answer.status_code == 200
    assert answer.headers.getlist("Warning") == [f'199 mmkg "{message}"']
    body = json.loads(answer.data)
    assert body["warnings"] == [{"message": message, "line": 1, "column": 21, "term": "mmkg:endpiont",
                                 "suggestion": "mmkg:endpoint"}]
    parsed = ox.parse_query_results(answer.data, format=ox.QueryResultsFormat.JSON)  # standard parsers still read it
    assert list(parsed) == []
    csv = client.get("/sparql", query_string={"query": query, "format": "csv"})
    assert csv.headers.getlist("Warning") == [f'199 mmkg "{message}"'] and b"warnings" not in csv.data
    clean = client.get("/sparql", query_string={"query": "ASK { res:lenalidomide ?p ?o }", "format": "json"})
    assert "Warning" not in clean.headers and b"warnings" not in clean.data


def test_strict_turns_the_warnings_into_a_400(client: FlaskClient) -> None:
    query, message = MISSPELT[2]
    refused = client.get("/sparql", query_string={"query": query, "strict": "1"})
    assert refused.status_code == 400 and message in refused.data.decode()
    assert client.get("/sparql", query_string={"query": "ASK {}", "strict": "1"}).status_code == 200
    assert client.get("/sparql", query_string={"query": "ASK {}", "strict": "maybe"}).status_code == 400


def test_the_editor_shows_each_warning_at_its_position(client: FlaskClient) -> None:
    query, message = MISSPELT[3]
    page = client.get("/query", query_string={"query": query}).data.decode()
    assert 'class="query-warning" data-line="1" data-column="39" data-length="15"' in page
    assert message in page


def test_mmkg_sparql_prints_the_warnings_on_stderr(release: Path) -> None:
    home = str(release.parent.parent)
    query, message = MISSPELT[0]
    done = CliRunner().invoke(main, ["sparql", query, "--out", home])
    assert done.exit_code == 0 and f"warning: {message}" in done.stderr and message not in done.stdout
    strict = CliRunner().invoke(main, ["sparql", query, "--strict", "--out", home])
    assert strict.exit_code != 0 and message in str(strict.exception)
