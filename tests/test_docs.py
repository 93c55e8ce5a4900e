"""The guide, the cookbook and the model diagram are kept honest: every example runs and returns
rows, every saved query describes itself, the diagram is drawn from the ontology."""

from __future__ import annotations

import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from flask.testing import FlaskClient
from rdflib import Graph
from rdflib.plugins.sparql import prepareQuery

from kg import paths
from kg.docs.diagram import model_svg
from kg.docs.guide import guide_examples, guide_text
from kg.errors import QueryRefused
from kg.query.catalogue import Catalogue
from kg.query.protocol.guard import QueryPolicy, check_query
from kg.query.store import Store

EXAMPLES = guide_examples()


def test_the_guide_has_the_examples_the_issue_asks_for(catalogue: Catalogue) -> None:
    names = {e.name for e in EXAMPLES}
    text = guide_text()
    forms = {"CONSTRUCT", "DESCRIBE", "GROUP BY", "subClassOf+", "SERVICE"}
    assert all(any(form in e.sparql for e in EXAMPLES) for form in forms)
    assert len(EXAMPLES) + len(catalogue) >= 15 and len(names) == len(EXAMPLES)
    for section in ("## Prefixes", "## How a finding is shaped", "## Asserted or inferred?", "## Pitfalls",
                    "## Provenance", "## External identifiers", "## Cookbook"):
        assert section in text


@pytest.mark.parametrize("example", [e for e in EXAMPLES if not e.needs_network], ids=lambda e: e.name)
def test_every_guide_example_runs_and_returns_rows(store: Store, example: object) -> None:
    from kg.docs.guide import GuideExample

    assert isinstance(example, GuideExample)
    result = store.query(example.sparql)
    if result.kind == "graph":
        assert result.triples, example.name
    elif result.kind == "ask":
        assert result.boolean, example.name
    else:
        assert result.rows, example.name


def test_the_federated_example_parses_and_is_refused_unless_allowed() -> None:
    federated = [e for e in EXAMPLES if e.needs_network]
    assert federated
    for example in federated:
        prepareQuery(example.sparql)  # parses (rdflib, without running it)
        with pytest.raises(QueryRefused) as refused:
            check_query(example.sparql, QueryPolicy(service_allow=(), local_graphs=frozenset()))
        assert refused.value.status == 403
        check_query(example.sparql, QueryPolicy(service_allow=("https://query.wikidata.org/sparql",),
                                                local_graphs=frozenset()))


def test_a_broken_guide_block_is_named_with_its_line() -> None:
    with pytest.raises(ValueError, match=r"querying.md:3: a sparql block must start"):
        guide_examples("intro\n\n```sparql\nSELECT * WHERE { ?s ?p ?o }\n```\n")


def test_the_diagram_is_drawn_from_the_ontology() -> None:
    ontology = Graph().parse(paths.ontology_file(), format="turtle")
    svg = model_svg(ontology)
    root = ET.fromstring(svg)
    texts = " ".join(t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text"))
    for word in ("Drug", "Regimen", "Study", "StudyArm", "Population", "Endpoint", "Finding", "SourceDocument",
                 "estimate: decimal", "ciLower: decimal", "ciUpper: decimal", "pValue: decimal", "hasComponent",
                 "receivesRegimen", "fromSource"):
        assert word in texts, word
    # Change the ontology: the drawing follows (a renamed property, a removed class).
    from rdflib import URIRef

    mmkg = "https://w3id.org/mmkg/"
    for triple in list(ontology.triples((URIRef(mmkg + "hasComponent"), None, None))):
        ontology.remove(triple)
        ontology.add((URIRef(mmkg + "containsDrug"), triple[1], triple[2]))
    changed = model_svg(ontology)
    assert "containsDrug" in changed and "hasComponent" not in changed


def test_guide_and_diagram_in_the_web_app(client: FlaskClient) -> None:
    page = client.get("/docs/querying")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    links = [m.replace("&amp;", "&") for m in re.findall(r'<a[^>]*href="([^"]+)"[^>]*>Open in the editor</a>', html)]
    assert len(links) == len(EXAMPLES) and 'class="open-in-editor"' in html
    assert '<h2 id="pitfalls">Pitfalls</h2>' in html
    # Each link carries its example's query into the editor, and the editor runs it.
    for link, example in zip(links, EXAMPLES, strict=True):
        assert parse_qs(urlsplit(link).query)["query"][0].strip() == example.sparql.strip()
    assert client.get(links[0]).status_code == 200
    svg = client.get("/docs/model.svg")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml" and b"Finding" in svg.data
    ontology = client.get("/ontology").get_data(as_text=True)
    assert "/docs/model.svg" in ontology and "/docs/querying" in ontology


def test_mmkg_docs_writes_the_files(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "kg", "docs", "-o", str(tmp_path)], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert ET.parse(tmp_path / "model.svg").getroot().tag.endswith("svg")
    html = (tmp_path / "querying.html").read_text()
    assert "How a finding is shaped" in html and "<svg" in html


_RECIPE = re.compile(r"```python\n# recipe: (?P<name>[\w-]+)\n(?P<code>.*?)```", re.DOTALL)


def test_the_offline_recipes_run_on_a_fresh_export(release: Path, tmp_path: Path) -> None:
    """The guide's rdflib and pyoxigraph recipes, run as written next to `mmkg export`'s TriG and the N-Quads."""
    recipes = {m["name"]: m["code"] for m in _RECIPE.finditer(guide_text())}
    assert set(recipes) == {"rdflib-trig", "pyoxigraph-nquads"}
    done = subprocess.run([sys.executable, "-m", "kg", "export", "--format", "trig", "-o", str(tmp_path / "mmkg.trig"),
                           "--out", str(release.parent.parent)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    (tmp_path / "mmkg.nq").write_bytes((release / "mmkg.nq").read_bytes())
    declared = set(re.findall(r"^@prefix ([^:\s]*):", (tmp_path / "mmkg.trig").read_text(encoding="utf-8"), re.M))
    assert {"mmkg", "res", "graph", "CHEBI", "MESH", "NCIT", "wd", "wikidata", "pubmed"} <= declared
    for name, code in recipes.items():
        ran = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=300)
        assert ran.returncode == 0, f"{name}: {ran.stderr}"
