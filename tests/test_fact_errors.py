"""Bad fact files: every case gets file, line and field, a non-zero exit, and the previous build stays."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.errors import FactErrors
from kg.pipeline.releases import current_release
from kg.pipeline.steps import build_graph


def _edit(path: Path, old: str, new: str) -> int:
    """Replace the first ``old`` with ``new``; return the 1-based line where it stood."""
    text = path.read_text(encoding="utf-8")
    index = text.index(old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return text[:index].count("\n") + 1


def _errors(facts: Path, sources: Path | None = None) -> list[str]:
    with pytest.raises(FactErrors) as info:
        build_graph(sources, facts)
    return [str(e) for e in info.value.errors]


# (file, text replaced, replacement, where the error must point, what it must say). "edit": the
# line of the replacement; "finding ID": the line of that finding (a missing field has no line of
# its own); None: any line of the file.
CASES = [
    ("sources/s001.yaml", "    estimate: 0.62\n", "", "finding s001-pfs-hr", "estimate: Field required"),
    ("sources/s003.yaml", "value: 1971", "value: many", "edit", ".value: "),
    ("sources/s000.yaml", "estimate: 0.39", "estimate: 0.3.9", "edit", "estimate"),
    ("sources/s000.yaml", "intervention: len-pred", "intervention: len-prd", "edit", "unknown reference 'len-prd'"),
    ("sources/s000.yaml", "intervention: len-pred", "intervention: lenalidomide", "edit",
     "is a drug, expected a regimen"),
    ("sources/s004.yaml", "id: s004-ifm-os\n", "id: s004-calgb-os\n", "edit", "duplicate id 's004-calgb-os'"),
    ("sources/s000.yaml", "    ci_level: 95\n", "    ci_levle: 95\n", "edit", "ci_levle"),
    ("sources/s000.yaml", "ci: [0.28, 0.53]", "ci: [0.41, 0.53]", None, "outside its interval"),
    ("reference.yaml", '"CHEBI:63791"', '"CHEBI:abc"', "edit", "chebi pattern"),
    ("sources/s002.yaml", "    value: 52\n", "    value: [52\n", None, "YAML syntax error"),
]


@pytest.mark.parametrize(("file", "old", "new", "where", "expected"), CASES,
                         ids=lambda v: v if isinstance(v, str) and len(v) < 30 else None)
def test_a_broken_fact_file_is_reported_with_file_line_and_field(
        facts_copy: Path, file: str, old: str, new: str, where: str | None, expected: str) -> None:
    path = facts_copy / file
    line = _edit(path, old, new)
    errors = _errors(facts_copy)
    if where is not None and where.startswith("finding "):
        line = path.read_text(encoding="utf-8").splitlines().index(f"  - id: {where[8:]}") + 1
    prefix = f"{path}:{line}:" if where is not None else f"{path}:"
    assert any(e.startswith(prefix) and expected in e for e in errors), errors


def test_figure_not_found_in_source(facts_copy: Path, seeds: Path) -> None:
    path = facts_copy / "sources" / "s000.yaml"
    _edit(path, "estimate: 0.47", "estimate: 0.48")
    _edit(path, "ci: [0.39, 0.55]", "ci: [0.39, 0.55]")
    errors = _errors(facts_copy, seeds)
    assert any(f"{path}:" in e and "figure 0.48 not found at p4.s1" in e for e in errors), errors


def test_locator_beyond_the_text(facts_copy: Path, seeds: Path) -> None:
    path = facts_copy / "sources" / "s003.yaml"
    _edit(path, "at: p11.s1\n", "at: p11.s95\n")
    errors = _errors(facts_copy, seeds)
    assert any("sentence 95 of paragraph 11 does not exist" in e for e in errors), errors


@pytest.mark.java
def test_cli_failure_keeps_the_previous_build(facts_copy: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    home = tmp_path / "home"
    ok = runner.invoke(main, ["build", "--out", str(home), "--no-sources", "--facts", str(facts_copy)])
    assert ok.exit_code == 0, ok.output
    before = current_release(home)
    assert before is not None
    content = (before / "mmkg.nq").read_bytes()
    _edit(facts_copy / "sources" / "s001.yaml", "value: 7730", "value: -3")
    bad = runner.invoke(main, ["build", "--out", str(home), "--no-sources", "--facts", str(facts_copy)])
    assert bad.exit_code != 0
    assert "s001.yaml:" in str(bad.exception)
    assert current_release(home) == before
    assert (before / "mmkg.nq").read_bytes() == content
    releases = [p for p in (home / "releases").iterdir()]
    assert releases == [before], "a failed build must leave no half-written release behind"
