"""From a draft to the graph: preview releases of every seed's draft, and accepting a confirmed draft."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from pyoxigraph import RdfFormat, Store

from kg.cli import main
from kg.curation.factbase import load_facts
from kg.errors import FactErrors
from kg.query.store import Store as KgStore

from .conftest import AppFactory

DATA = Path(__file__).parent / "data" / "drafting"
DRAFT_COUNT = """PREFIX mmkg: <https://w3id.org/mmkg/>
SELECT (COUNT(DISTINCT ?f) AS ?n)
WHERE { GRAPH ?g { ?f mmkg:curationStatus "draft" } GRAPH ?h { ?f a mmkg:Finding } }"""


def _draft(article: Path, output: Path, source_id: str) -> None:
    result = CliRunner().invoke(main, ["draft", str(article), "-o", str(output), "--id", source_id])
    assert result.exit_code == 0, result.output


@pytest.mark.java
@pytest.mark.parametrize("index", range(5))
def test_every_seed_draft_builds_into_a_preview_release(tmp_path: Path, seeds: Path, index: int) -> None:
    article = sorted(seeds.glob("*.txt"))[index]
    draft = tmp_path / "draft.yaml"
    _draft(article, draft, f"s90{index}")
    home = tmp_path / "preview"
    result = CliRunner().invoke(main, ["build", "--draft", str(draft), "--source", str(article), "--out", str(home)])
    assert result.exit_code == 0, result.output
    assert "SHACL: conforms" in result.output and f"s90{index}:" in result.output
    store = Store()
    store.bulk_load(path=str(home / "current" / "mmkg.nq"), format=RdfFormat.N_QUADS)
    (row,) = list(store.query(DRAFT_COUNT))  # type: ignore[arg-type]
    drafted = len(yaml.safe_load(draft.read_text(encoding="utf-8"))["findings"])
    assert int(row["n"].value) == drafted  # every drafted finding is in the preview, marked draft


@pytest.mark.java
def test_a_new_article_from_draft_to_facts(tmp_path: Path, seeds: Path, facts_copy: Path,
                                          make_app: AppFactory) -> None:
    article = DATA / "unseen-trial.txt"
    draft = tmp_path / "s005.yaml"
    _draft(article, draft, "s005")
    home = tmp_path / "preview"
    previewed = CliRunner().invoke(main, ["build", "--draft", str(draft), "--source", str(article), "--out", str(home),
                                          "--facts", str(facts_copy)])
    assert previewed.exit_code == 0, previewed.output
    # the curator sees the draft's findings, marked draft, on their pages and in the evidence map
    app = make_app(store=KgStore.from_release(home / "current" / "mmkg.nq"), warm=False)
    client = app.test_client()
    page = client.get("/resource/s005-p3s1-hr-1").get_data(as_text=True)
    assert 'class="badge draft"' in page and "0.72" in page
    evidence = client.get("/evidence?source=s005").get_data(as_text=True)
    # the source in words, its locator in small print, and the draft badge on the row
    assert '>p3.s1</small> <span class="badge draft">draft</span>' in evidence
    drug = client.get("/resource/ixazomib").get_data(as_text=True)
    assert 'class="badge draft"' in drug
    sources = tmp_path / "sources"
    shutil.copytree(seeds, sources)
    before = sorted(p.name for p in (facts_copy / "sources").iterdir())

    refused = CliRunner().invoke(main, ["draft", "--accept", str(draft), "--source", str(article),
                                        "--facts", str(facts_copy), "--sources", str(sources)])
    assert isinstance(refused.exception, FactErrors)
    assert "still status: draft" in str(refused.exception) and f"{draft}:" in str(refused.exception)
    assert sorted(p.name for p in (facts_copy / "sources").iterdir()) == before  # nothing written

    # a wrong figure is caught by the provenance check before anything is written
    confirmed = draft.read_text(encoding="utf-8").replace("status: draft", "status: curated")
    draft.write_text(confirmed.replace("estimate: 0.72", "estimate: 0.73"), encoding="utf-8")
    wrong = CliRunner().invoke(main, ["draft", "--accept", str(draft), "--source", str(article),
                                      "--facts", str(facts_copy), "--sources", str(sources)])
    assert isinstance(wrong.exception, FactErrors) and "figure 0.73 not found" in str(wrong.exception)
    assert not (sources / article.name).exists()

    draft.write_text(confirmed, encoding="utf-8")
    accepted = CliRunner().invoke(main, ["draft", "--accept", str(draft), "--source", str(article),
                                         "--facts", str(facts_copy), "--sources", str(sources)])
    assert accepted.exit_code == 0, accepted.output
    assert (facts_copy / "sources" / "s005.yaml").read_text(encoding="utf-8") == confirmed
    assert (sources / article.name).read_bytes() == article.read_bytes()
    base = load_facts(facts_copy / "reference.yaml", sorted((facts_copy / "sources").glob("*.yaml")))
    assert any(f.id.startswith("s005-") for _, f in base.findings())
    again = CliRunner().invoke(main, ["draft", "--accept", str(draft), "--source", str(article),
                                      "--facts", str(facts_copy), "--sources", str(sources)])
    assert again.exit_code != 0 and "exists already" in str(again.exception)


def test_a_broken_draft_is_named_at_its_own_file_and_line(tmp_path: Path, seeds: Path) -> None:
    article = DATA / "unseen-trial.txt"
    draft = tmp_path / "s005.yaml"
    _draft(article, draft, "s005")
    lines = draft.read_text(encoding="utf-8").splitlines()
    broken_at = next(i for i, line in enumerate(lines, 1) if line.strip().startswith("estimate:"))
    lines[broken_at - 1] = "  estimate: abc"
    draft.write_text("\n".join(lines) + "\n", encoding="utf-8")
    home = tmp_path / "preview"
    result = CliRunner().invoke(main, ["build", "--draft", str(draft), "--source", str(article), "--out", str(home)])
    assert isinstance(result.exception, FactErrors)
    assert f"{draft}:{broken_at}: findings." in str(result.exception) and "estimate" in str(result.exception)
    assert not (home / "current").exists()  # nothing written
