"""Phrasing cases as data (tests/data/phrasings.yaml): each sentence's recognised figures, and a case for every kind."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from kg import paths
from kg.curation.factbase import FactBase, load_facts
from kg.drafting.constructions import CONSTRUCTIONS
from kg.drafting.document import draft_article
from kg.drafting.figuredata import DATA, PRIORITY
from kg.drafting.figures import recognise
from kg.drafting.sentence import HANDLERS
from kg.drafting.statements import FINDING_KINDS

ALL: list[dict[str, Any]] = yaml.safe_load((Path(__file__).parent / "data" / "phrasings.yaml").read_text("utf-8"))
CASES = [c for c in ALL if "figures" in c]
MEANINGS = [c for c in ALL if "findings" in c]


@pytest.fixture(scope="module")
def base() -> FactBase:
    facts = paths.facts_dir()
    return load_facts(facts / "reference.yaml", sorted((facts / "sources").glob("*.yaml")))


def _same(found: Any, wanted: Any) -> bool:
    if isinstance(wanted, list):
        items = list(found) if isinstance(found, list | tuple) else [found]
        return len(items) == len(wanted) and all(_same(f, w) for f, w in zip(items, wanted, strict=True))
    if isinstance(found, Decimal):
        return found == Decimal(str(wanted))
    return bool(found == wanted)


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_phrasing(case: dict[str, Any]) -> None:
    found = recognise(case["sentence"])
    assert [f.kind for f in found] == [w["kind"] for w in case["figures"]], case["sentence"]
    for figure, wanted in zip(found, case["figures"], strict=True):
        for key, value in wanted.items():
            if key != "kind":
                assert _same(figure.data[key], value), (case["id"], key, figure.data[key])


def test_every_kind_has_a_case() -> None:
    covered = {w["kind"] for c in CASES for w in c["figures"]}
    assert set(PRIORITY) - covered == set()


def test_every_kind_is_one_record() -> None:
    """Each figure kind has its data, its place in the priority order and its handler; each finding kind
    its short id name and its statement."""
    assert list(DATA) == list(PRIORITY) and set(HANDLERS) == set(PRIORITY)
    assert {c.kind for c in CONSTRUCTIONS} <= set(PRIORITY)
    drafted = {w["kind"] for c in MEANINGS for w in c["findings"]}
    assert drafted <= set(FINDING_KINDS)


@pytest.mark.parametrize("case", MEANINGS, ids=[c["id"] for c in MEANINGS])
def test_meaning(case: dict[str, Any], base: FactBase) -> None:
    findings = draft_article(case["sentence"], source_id="s099", file_name="x.txt", base=base).findings
    assert [f["kind"] for f in findings] == [w["kind"] for w in case["findings"]], [f["statement"] for f in findings]
    for finding, wanted in zip(findings, case["findings"], strict=True):
        for key, value in wanted.items():
            assert _same(finding.get(key), value), (case["id"], key, finding)
