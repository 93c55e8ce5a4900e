"""The layout holds: kg never imports the web front end, and the fact schema is the single source of truth."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path
from typing import Annotated

import pytest

from kg import paths
from kg.curation.factbase import load_facts
from kg.curation.fields import Refers, Section, Slug
from kg.curation.findings import FINDING_MODELS, finding_kinds
from kg.curation.schema import ReferenceFile, StudyEntry
from kg.errors import FactErrors
from kg.pipeline.finding_rdf import KINDS

ROOT = Path(__file__).resolve().parent.parent


def test_kg_never_imports_web_or_flask() -> None:
    offenders = []
    for path in sorted((ROOT / "kg").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            offenders += [f"{path.relative_to(ROOT)}: {n}" for n in names if n.split(".")[0] in ("web", "flask")]
    assert offenders == []
    # And at run time: importing every kg module loads no Flask.
    code = ("import importlib, pkgutil, sys, kg\n"
            "for m in pkgutil.walk_packages(kg.__path__, 'kg.'):\n"
            "    m.name.endswith('__main__') or importlib.import_module(m.name)\n"
            "print(sorted(n for n in sys.modules if n.split('.')[0] in ('flask', 'web')))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert loaded.stdout.strip() == "[]", loaded.stdout


def test_the_layout_is_by_stage_and_no_module_is_too_long() -> None:
    packages = [p.parent.name for p in (ROOT / "kg").glob("*/__init__.py")]
    assert {"curation", "pipeline", "query", "linking", "cli", "docs", "synthetic"} <= set(packages)
    assert len(list((ROOT / "kg").glob("*.py"))) <= 10
    long = [f"{p.relative_to(ROOT)}: {n}" for folder in ("kg", "web") for p in (ROOT / folder).rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > 400]
    assert long == []


@pytest.mark.slow  # over 3 s: the full suite runs it, the fast loop does not
def test_no_package_is_named_like_an_output_folder_so_its_doctests_are_collected() -> None:
    # pytest's default norecursedirs skips "build" (and "dist", ...): a package with such a name would have its
    # doctests silently left out. A broken doctest in the pipeline package must fail.
    assert not (ROOT / "kg" / "build").exists()
    probe = ROOT / "kg" / "pipeline" / "_doctest_probe.py"
    probe.write_text('"""Probe.\n\n>>> 1 + 1\n3\n"""\n', encoding="utf-8")
    try:
        # Collected from the package folder as the suite collects it, not named on the command line.
        result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--no-header",
                                 "-o", "addopts=--doctest-modules", "-k", "_doctest_probe", "kg"],
                                capture_output=True, text=True, cwd=ROOT)
    finally:
        probe.unlink()
    assert result.returncode == 1, result.stdout
    assert "1 failed" in result.stdout


def test_every_finding_kind_has_its_rdf_in_one_place() -> None:
    assert set(KINDS) == set(FINDING_MODELS)
    assert {"hazard_ratio", "risk_ratio", "median", "count", "statement"} <= set(finding_kinds())


def test_a_new_reference_field_is_checked_without_touching_the_loader(tmp_path: Path) -> None:
    class SponsoredStudy(StudyEntry):
        sponsor: Annotated[Slug | None, Refers("agency")] = None

    class Reference(ReferenceFile):
        studies: Annotated[list[SponsoredStudy], Section("study")] = []  # noqa: RUF012 (pydantic copies it)

    reference = tmp_path / "reference.yaml"
    text = (paths.facts_dir() / "reference.yaml").read_text(encoding="utf-8")
    reference.write_text(text.replace("  - id: myeloma-xi\n", "  - id: myeloma-xi\n    sponsor: lenalidomide\n", 1),
                         encoding="utf-8")
    line = reference.read_text(encoding="utf-8").splitlines().index("    sponsor: lenalidomide") + 1
    sources = sorted((paths.facts_dir() / "sources").glob("*.yaml"))
    with pytest.raises(FactErrors) as info:
        load_facts(reference, sources, reference_model=Reference)
    assert [str(e) for e in info.value.errors] == [
        f"{reference}:{line}: studies.0.sponsor: 'lenalidomide' is a drug, expected a agency"]
    reference.write_text(text.replace("  - id: myeloma-xi\n", "  - id: myeloma-xi\n    sponsor: fda\n", 1),
                         encoding="utf-8")
    assert load_facts(reference, sources, reference_model=Reference).kinds["myeloma-xi"] == "study"


_SPARQL = re.compile(r"\b(?:SELECT\s+(?:DISTINCT\s+|REDUCED\s+)?[?$*(]|CONSTRUCT\s*(?:\{|WHERE\b)|ASK\s*(?:\{|WHERE\b)"
                     r"|DESCRIBE\s+[?$<]|PREFIX\s+[\w-]*:\s*<)", re.IGNORECASE)


def _docstrings(tree: ast.AST) -> set[int]:
    found: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def sparql_in_strings(path: Path) -> list[int]:
    """Lines of ``path`` where a string literal (or the text of an f-string) holds SPARQL; docstrings aside."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _docstrings(tree)
    lines: list[int] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            text = "".join(part.value for part in node.values
                           if isinstance(part, ast.Constant) and isinstance(part.value, str))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
            text = node.value
        else:
            continue
        if _SPARQL.search(text):
            lines.append(node.lineno)
    return sorted(set(lines))


def test_web_writes_no_sparql() -> None:
    """SPARQL lives in kg (kg.readers, kg.query); web asks kg for what it needs."""
    offending = [f"{path.relative_to(ROOT)}:{line}" for path in sorted((ROOT / "web").rglob("*.py"))
                 for line in sparql_in_strings(path)]
    assert not offending, "SPARQL text in web/ (move it into kg):\n  " + "\n  ".join(offending)


def test_the_sparql_scan_finds_what_it_should(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text('"""Answers SELECT and ASK queries."""\nQ = "SELECT ?s WHERE { ?s ?p ?o }"\n'
                      'P = f"PREFIX res: <{1}>"\nOK = "select a row"\n', encoding="utf-8")
    assert sparql_in_strings(sample) == [2, 3]
