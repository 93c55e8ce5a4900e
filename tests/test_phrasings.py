"""Phrasing cases as data (tests/data/phrasings.yaml): each sentence's recognised figures (and, for meaning, its
findings), and a case for every construction of the registry and every one of its patterns."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from kg import paths
from kg.curation.factbase import FactBase, load_facts
from kg.curation.numerals import normalise
from kg.drafting.constructions import CONSTRUCTIONS
from kg.drafting.document import draft_article
from kg.drafting.figuredata import Construction, PData
from kg.drafting.figures import recognise
from kg.drafting.sentence import draft_p
from kg.drafting.statements import COMPARISON

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


def cases_of(construction: Construction) -> dict[str, list[str]]:
    """The ids of the figure cases each of the construction's patterns (``pattern 1``, ...) reads (a match
    its guard accepts)."""
    return {f"pattern {k}": [c["id"] for c in CASES
                             if any(construction.guard(m) for m in pattern.finditer(normalise(c["sentence"])))]
            for k, pattern in enumerate(construction.patterns, 1)}


@pytest.mark.parametrize("construction", CONSTRUCTIONS, ids=[c.name for c in CONSTRUCTIONS])
def test_every_construction_has_a_case(construction: Construction) -> None:
    """A case recognises a figure of this very record, and every pattern of it reads some case."""
    recognised = {c["id"] for c in CASES for f in recognise(c["sentence"]) if f.construction is construction}
    assert recognised, f"no case in tests/data/phrasings.yaml for construction {construction.name!r}"
    assert all(cases_of(construction).values()), (construction.name, cases_of(construction))


def test_a_construction_without_a_case_is_found() -> None:
    unheard = Construction("unheard", "p", PData, (re.compile(r"(?P<val>\bzzz-never-written\b)", re.VERBOSE),),
                           lambda m: {"p": "=0"}, draft_p, (COMPARISON,))
    assert cases_of(unheard) == {"pattern 1": []}
    assert not any(f.construction is unheard for c in CASES for f in recognise(c["sentence"]))


@pytest.mark.parametrize("case", MEANINGS, ids=[c["id"] for c in MEANINGS])
def test_meaning(case: dict[str, Any], base: FactBase) -> None:
    findings = draft_article(case["sentence"], source_id="s099", file_name="x.txt", base=base).findings
    assert [f["kind"] for f in findings] == [w["kind"] for w in case["findings"]], [f["statement"] for f in findings]
    for finding, wanted in zip(findings, case["findings"], strict=True):
        for key, value in wanted.items():
            assert _same(finding.get(key), value), (case["id"], key, finding)
