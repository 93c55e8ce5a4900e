"""The input-format corpus (tests/data/articles): each file drafted, scored against its expected figures.

Recall: share of the figures an article states that the draft holds with their endpoint, arm and
direction right; precision: share of the drafted findings that are such figures. Both must reach
90 % per file; the table is printed (``pytest -s`` shows it).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from kg import paths
from kg.curation.factbase import FactBase, load_facts
from kg.curation.schema import SourceFile
from kg.drafting.document import draft_article
from kg.drafting.figure_score import FigureScore, expected_of, score_figures
from kg.drafting.inputs import derived_name, read_input_file

ARTICLES = Path(__file__).parent / "data" / "articles"
EXPECTED: dict[str, list[list[Any]]] = yaml.safe_load((ARTICLES / "expected.yaml").read_text(encoding="utf-8"))
TARGET = 0.9


@pytest.fixture(scope="module")
def base() -> FactBase:
    facts = paths.facts_dir()
    return load_facts(facts / "reference.yaml", sorted((facts / "sources").glob("*.yaml")))


def _score(name: str, base: FactBase) -> tuple[FigureScore, str, float]:
    started = time.perf_counter()
    document = read_input_file(ARTICLES / name)
    drafted = draft_article(document.text, source_id="s099", file_name=derived_name(name, document), base=base)
    SourceFile.model_validate(drafted.data)
    return score_figures(drafted.data, expected_of(EXPECTED[name])), document.format, time.perf_counter() - started


def test_every_file_of_the_corpus_is_drafted_with_its_meaning(base: FactBase) -> None:
    lines = ["| file | format | figures recalled | recall | drafted right | precision | seconds |",
             "|---|---|---:|---:|---:|---:|---:|"]
    failures = []
    for name in EXPECTED:
        result, fmt, seconds = _score(name, base)
        lines.append(f"| {name} | {fmt} | {result.recalled}/{result.figures} | {result.recall:.0%} | "
                     f"{result.right}/{result.drafted} | {result.precision:.0%} | {seconds:.2f} |")
        lines += [f"|   missed: {m} |" for m in result.missed] + [f"|   not expected: {w} |" for w in result.wrong]
        if result.recall < TARGET or result.precision < TARGET:
            failures.append(f"{name}: recall {result.recall:.0%}, precision {result.precision:.0%}")
    print("\n" + "\n".join(lines))
    assert not failures, failures


def test_the_expected_lists_cover_every_file() -> None:
    assert set(EXPECTED) == {p.name for p in ARTICLES.iterdir() if p.suffix in (".pdf", ".xml", ".html", ".txt")}
    assert all(len(rows) >= 10 for rows in EXPECTED.values())
