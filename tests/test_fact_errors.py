"""Bad fact files: every case gets file, line and field, a non-zero exit, and the previous build stays."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.build import build_graph, current_release
from kg.cli import main
from kg.errors import FactErrors


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


def test_missing_field(facts_copy: Path) -> None:
    path = facts_copy / "sources" / "s001.yaml"
    _edit(path, "    estimate: 0.62\n", "")
    errors = _errors(facts_copy)
    # The line is that of the finding the field is missing from.
    finding_line = path.read_text(encoding="utf-8").splitlines().index("  - id: s001-pfs-hr") + 1
    assert any(f"{path}:{finding_line}:" in e and "estimate" in e and "required" in e.lower() for e in errors), errors


def test_wrong_type_names_line_and_field(facts_copy: Path) -> None:
    path = facts_copy / "sources" / "s003.yaml"
    line = _edit(path, "value: 1971", "value: many")
    errors = _errors(facts_copy)
    assert any(f"{path}:{line}: findings." in e and ".value" in e for e in errors), errors


def test_malformed_number(facts_copy: Path) -> None:
    path = facts_copy / "sources" / "s000.yaml"
    line = _edit(path, "estimate: 0.39", "estimate: 0.3.9")
    errors = _errors(facts_copy)
    assert any(f"{path}:{line}:" in e and "estimate" in e for e in errors), errors


def test_unknown_reference(facts_copy: Path) -> None:
    path = facts_copy / "sources" / "s000.yaml"
    line = _edit(path, "intervention: len-pred", "intervention: len-prd")
    errors = _errors(facts_copy)
    assert any(f"{path}:{line}:" in e and "unknown reference 'len-prd'" in e for e in errors), errors


def test_reference_of_the_wrong_kind(facts_copy: Path) -> None:
    path = facts_copy / "sources" / "s000.yaml"
    line = _edit(path, "intervention: len-pred", "intervention: lenalidomide")
    errors = _errors(facts_copy)
    assert any(f"{path}:{line}:" in e and "is a drug, expected a regimen" in e for e in errors), errors


def test_duplicate_id(facts_copy: Path) -> None:
    path = facts_copy / "sources" / "s004.yaml"
    line = _edit(path, "id: s004-ifm-os\n", "id: s004-calgb-os\n")
    errors = _errors(facts_copy)
    assert any(f"{path}:{line}:" in e and "duplicate id 's004-calgb-os'" in e for e in errors), errors


def test_unknown_field_is_an_error_not_ignored(facts_copy: Path) -> None:
    path = facts_copy / "sources" / "s000.yaml"
    line = _edit(path, "    ci_level: 95\n", "    ci_levle: 95\n")
    errors = _errors(facts_copy)
    assert any(f"{path}:{line}:" in e and "ci_levle" in e for e in errors), errors


def test_estimate_outside_its_interval(facts_copy: Path) -> None:
    path = facts_copy / "sources" / "s000.yaml"
    _edit(path, "ci: [0.28, 0.53]", "ci: [0.41, 0.53]")
    errors = _errors(facts_copy)
    assert any("outside its interval" in e for e in errors), errors


def test_bad_curie_pattern(facts_copy: Path) -> None:
    path = facts_copy / "reference.yaml"
    line = _edit(path, '"CHEBI:63791"', '"CHEBI:abc"')
    errors = _errors(facts_copy)
    assert any(f"{path}:{line}:" in e and "chebi pattern" in e for e in errors), errors


def test_yaml_syntax_error(facts_copy: Path) -> None:
    path = facts_copy / "sources" / "s002.yaml"
    line = _edit(path, "    value: 52\n", "    value: [52\n")
    errors = _errors(facts_copy)
    assert any(e.startswith(f"{path}:") and "YAML syntax error" in e for e in errors), errors
    assert line > 0


def test_figure_not_found_in_source(facts_copy: Path, seeds: Path) -> None:
    path = facts_copy / "sources" / "s000.yaml"
    _edit(path, "estimate: 0.47", "estimate: 0.48")
    _edit(path, "ci: [0.39, 0.55]", "ci: [0.39, 0.55]")
    errors = _errors(facts_copy, seeds)
    assert any(f"{path}:" in e and "figure 0.48 not found at p1.s6" in e for e in errors), errors


def test_locator_beyond_the_text(facts_copy: Path, seeds: Path) -> None:
    path = facts_copy / "sources" / "s003.yaml"
    _edit(path, "at: p1.s15\n", "at: p1.s95\n")
    errors = _errors(facts_copy, seeds)
    assert any("sentence 95 of paragraph 1 does not exist" in e for e in errors), errors


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
