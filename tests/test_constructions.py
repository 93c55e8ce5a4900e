"""One construction, one record: every construction of the registry has all its parts, what it drafts is
what its record declares, and no drafting module keeps a second table keyed by kind."""

from __future__ import annotations

import ast
import re
import typing
from pathlib import Path
from typing import Any

import pytest
import yaml

from kg import paths
from kg.curation.factbase import FactBase, load_facts
from kg.drafting import assemble, figuredata
from kg.drafting.constructions import CONSTRUCTIONS, finding_kind
from kg.drafting.document import draft_article
from kg.drafting.figuredata import Construction, Figure
from kg.drafting.statements import FindingKind, short_name

DRAFTING = Path(__file__).parent.parent / "kg" / "drafting"
PHRASINGS: list[dict[str, Any]] = yaml.safe_load((Path(__file__).parent / "data" / "phrasings.yaml")
                                                 .read_text("utf-8"))
MEANINGS = [c for c in PHRASINGS if "findings" in c]
FIGURE_KINDS = {c.kind for c in CONSTRUCTIONS}
FINDING_KINDS = {k.name for c in CONSTRUCTIONS for k in c.findings}
_TYPED_DATA = {t for t in vars(figuredata).values() if typing.is_typeddict(t)}


@pytest.fixture(scope="module")
def base() -> FactBase:
    facts = paths.facts_dir()
    return load_facts(facts / "reference.yaml", sorted((facts / "sources").glob("*.yaml")))


@pytest.mark.parametrize("construction", CONSTRUCTIONS, ids=[c.name for c in CONSTRUCTIONS])
def test_every_construction_has_all_its_parts(construction: Construction) -> None:
    assert construction.name and construction.kind
    assert construction.data in _TYPED_DATA, f"{construction.name}: its data is not a typed figure record"
    assert construction.patterns, f"{construction.name}: no pattern"
    for pattern in construction.patterns:
        assert pattern.flags & re.VERBOSE, f"{construction.name}: pattern not verbose: {pattern.pattern[:60]}"
    assert callable(construction.read) and callable(construction.guard) and callable(construction.handler)
    assert construction.handler.__module__ == "kg.drafting.sentence", construction.name
    assert construction.findings and all(isinstance(k, FindingKind) and k.short and callable(k.describe)
                                         for k in construction.findings), construction.name
    # every record of one kind holds the same kind of data and drafts it the same way
    same_kind = [c for c in CONSTRUCTIONS if c.kind == construction.kind]
    assert {(c.data, c.handler) for c in same_kind} == {(construction.data, construction.handler)}


def test_names_are_unique_and_finding_kinds_found() -> None:
    names = [c.name for c in CONSTRUCTIONS]
    assert len(names) == len(set(names))
    assert short_name("hazard_ratio") == "hr" and short_name("risk_ratio") == "rr"
    assert all(finding_kind(k) is not None for k in FINDING_KINDS) and finding_kind("odds_ratio") is None


@pytest.mark.parametrize("case", MEANINGS, ids=[c["id"] for c in MEANINGS])
def test_what_a_construction_drafts_is_declared(case: dict[str, Any], base: FactBase,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """Each finding comes from a figure whose record names the finding's kind among its findings."""
    drafted: list[tuple[str, str]] = []
    add = assemble._Builder.add

    def traced(self: assemble._Builder, figure: Figure, fields: dict[str, Any], *args: Any, **kwargs: Any) -> None:
        drafted.append((figure.construction.name, str(fields["kind"])))
        add(self, figure, fields, *args, **kwargs)

    monkeypatch.setattr(assemble._Builder, "add", traced)
    draft_article(case["sentence"], source_id="s099", file_name="x.txt", base=base)
    assert drafted, case["id"]
    declared = {c.name: {k.name for k in c.findings} for c in CONSTRUCTIONS}
    assert [(n, k) for n, k in drafted if k not in declared[n]] == [], case["id"]


def kind_tables(source: str, allowed_collections: bool = False) -> list[str]:
    """Tables keyed by kind in a module's source: a dict whose keys are all kinds of figure or finding
    (at least two), and (unless allowed) a module-level tuple, list or set of two or more kinds of figure."""
    kinds = FIGURE_KINDS | FINDING_KINDS | {c.name for c in CONSTRUCTIONS}
    figure_only = (FIGURE_KINDS | {c.name for c in CONSTRUCTIONS}) - FINDING_KINDS
    found = []
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict):
            keys = [k.value for k in node.keys if isinstance(k, ast.Constant) and isinstance(k.value, str)]
            if len(keys) >= 2 and len(keys) == len(node.keys) and set(keys) <= kinds:
                found.append(f"line {node.lineno}: dict keyed by {sorted(keys)}")
    if not allowed_collections:
        for statement in tree.body:
            if isinstance(statement, ast.Assign | ast.AnnAssign) and statement.value is not None:
                strings = {e.value for n in ast.walk(statement.value) if isinstance(n, ast.Tuple | ast.List | ast.Set)
                           for e in n.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)}
                if len(strings & figure_only) >= 2:
                    found.append(f"line {statement.lineno}: table of {sorted(strings & figure_only)}")
    return found


def test_the_table_finder_finds_tables() -> None:
    assert "line 1: dict keyed by ['p', 'ratio']" in kind_tables('HANDLERS = {"ratio": f, "p": g}\n')
    assert kind_tables('X = {"hazard_ratio": "hr", "median": "median"}\n')
    assert kind_tables('_ESTIMATES = ("ratio", "time_pair", "percent")\n')
    assert kind_tables('PRIORITY: tuple[str, ...] = tuple({"ratio": 1, "p": 2, "time": 3})\n')
    assert kind_tables('fields = {"kind": "comparison", "p": p, "grades": g}\n') == []


@pytest.mark.parametrize("module", sorted(DRAFTING.rglob("*.py")), ids=lambda p: p.name)
def test_no_second_table_keyed_by_kind(module: Path) -> None:
    """The registry is the only place a kind's parts are listed (its records may name kinds they void)."""
    source = module.read_text("utf-8")
    assert kind_tables(source, allowed_collections=module.name == "constructions.py") == [], module
    for name in ("PRIORITY", "HANDLERS", "FINDING_KINDS", "_RECOGNISERS", "DATA"):
        assert not re.search(rf"^{name}\b\s*[:=]", source, re.MULTILINE), (module, name)
