"""``mmkg synth``: a deterministic synthetic graph in our ontology, valid under our shapes."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Dataset, Graph

from kg import paths
from kg.pipeline.validation import validate_shapes
from kg.query.catalogue import Catalogue
from kg.query.store import Store
from kg.synthetic.triples import synthesise

from .conftest import AppFactory


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_same_seed_same_bytes_other_seed_other_graph(tmp_path: Path) -> None:
    a, b, c = tmp_path / "a.nq", tmp_path / "b.nq", tmp_path / "c.nq"
    report = synthesise(a, 6000, seed=3)
    synthesise(b, 6000, seed=3)
    synthesise(c, 6000, seed=4)
    assert _digest(a) == _digest(b) != _digest(c)
    assert 6000 <= report.triples < 6000 + 300
    assert sum(1 for _ in ox.parse(path=str(a), format=ox.RdfFormat.N_QUADS)) == report.triples
    assert not (tmp_path / "a.nq.partial").exists()


def test_synthetic_graph_conforms_to_our_shapes(tmp_path: Path) -> None:
    path = tmp_path / "s.nq"
    synthesise(path, 8000, seed=1)
    dataset = Dataset()
    dataset.parse(path, format="nquads")
    union = Graph()
    for graph in dataset.graphs():
        for triple in graph:
            union.add(triple)
    conforms, report = validate_shapes(union, paths.shapes_file())
    assert conforms, report[:2000]


def test_hub_skew_and_saved_queries_and_pages(tmp_path: Path, catalogue: Catalogue, make_app: AppFactory) -> None:
    path = tmp_path / "s.nq"
    synthesise(path, 30000, seed=2)
    store = Store.from_file(path)
    per_drug = store.query(
        "PREFIX mmkg: <https://w3id.org/mmkg/> SELECT ?d (COUNT(DISTINCT ?f) AS ?n) WHERE { "
        "?f mmkg:intervention/mmkg:hasComponent ?d } GROUP BY ?d ORDER BY DESC(?n)").rows
    counts = [int(row["n"].value) for row in per_drug]  # type: ignore[union-attr]
    assert per_drug[0]["d"].value.endswith("/lenalidomide")  # type: ignore[union-attr]
    assert counts[0] >= 3 * counts[len(counts) // 2], counts
    for name in ("significant-pfs-benefit", "effect-estimates", "adverse-events-by-drug", "imid-regimens",
                 "findings-by-population", "p-values"):
        saved = catalogue.get(name)
        assert store.query(saved.sparql, saved.bindings({})).rows, name
    client = make_app(store=store).test_client()
    page = client.get("/resource/lenalidomide")
    assert page.status_code == 200 and b"<svg" in page.data


@pytest.mark.slow  # over 3 s: the full suite runs it, the fast loop does not
def test_cli_synth_and_its_errors(tmp_path: Path) -> None:
    out = tmp_path / "g.nq"
    done = subprocess.run([sys.executable, "-m", "kg", "synth", "--triples", "2000", "-o", str(out)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and out.exists() and "findings" in done.stdout
    bad = subprocess.run([sys.executable, "-m", "kg", "synth", "--triples", "10", "-o", str(out)],
                         capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and "--triples" in bad.stderr
    wrong = subprocess.run([sys.executable, "-m", "kg", "synth", "--triples", "2000", "-o", str(tmp_path / "g.ttl")],
                           capture_output=True, text=True, timeout=60)
    assert wrong.returncode != 0 and "N-Quads" in wrong.stderr and not (tmp_path / "g.ttl").exists()


def test_synth_sources_writes_the_same_checked_fact_tree_for_the_same_seed(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from kg.cli import main
    from kg.curation.factbase import load_facts
    from kg.curation.provenance import check_provenance

    runner = CliRunner()
    trees = []
    for name, seed in (("a", "1"), ("b", "1"), ("c", "2")):
        result = runner.invoke(main, ["synth", "--sources", "4", "-o", str(tmp_path / name), "--seed", seed])
        assert result.exit_code == 0, result.output
        trees.append({p.relative_to(tmp_path / name).as_posix(): p.read_bytes()
                      for p in sorted((tmp_path / name).rglob("*")) if p.is_file()})
    assert trees[0] == trees[1] != trees[2]
    assert sum(1 for k in trees[0] if k.startswith("texts/")) == 4
    base = load_facts(tmp_path / "a" / "reference.yaml", sorted((tmp_path / "a" / "sources").glob("*.yaml")))
    checked, problems = check_provenance(base, tmp_path / "a" / "texts")
    assert problems == [] and checked > 80
    kinds = {getattr(f, "kind") for _s, f in base.findings()}  # noqa: B009 (each model declares its own)
    assert {"hazard_ratio", "risk_ratio", "median", "proportion", "count", "comparison", "statement"} <= kinds
    assert any(f.corroborates for _s, f in base.findings())  # later reports corroborate the first one


def test_synth_takes_one_kind_and_a_new_folder(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from kg.cli import main

    runner = CliRunner()
    both = runner.invoke(main, ["synth", "--sources", "2", "--triples", "2000", "-o", str(tmp_path / "x")])
    assert both.exit_code == 2 and "exactly one of" in both.output
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "keep.txt").write_text("mine", encoding="utf-8")
    refused = runner.invoke(main, ["synth", "--sources", "2", "-o", str(tmp_path / "full")])
    assert refused.exit_code == 2 and "new or empty folder" in refused.output
    assert sorted(p.name for p in (tmp_path / "full").iterdir()) == ["keep.txt"]
