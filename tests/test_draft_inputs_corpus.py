"""The input-format corpora: each file drafted, scored against its expected figures.

tests/data/articles is the corpus the readers were built on; tests/data/heldout was written afterwards,
in formats and layouts the first does not cover (a two-column PDF with a ruled table, a JATS table with
a header over two rows and footnotes, another site's page, a JAMA-style abstract, a table with wrapped
cells), to show whether the readers hold on articles they were not fitted to.

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

CORPORA = (Path(__file__).parent / "data" / "articles", Path(__file__).parent / "data" / "heldout")
ARTICLES = CORPORA[0]
EXPECTED: dict[Path, list[list[Any]]] = {
    corpus / name: rows for corpus in CORPORA
    for name, rows in yaml.safe_load((corpus / "expected.yaml").read_text(encoding="utf-8")).items()}
TARGET = 0.9
# file: (recall, precision) it must keep, and why it is below the target (not a reader's cause); none now
KNOWN_MISSES: dict[str, tuple[float, float, str]] = {
}
NOT_REACHED = {  # medians "not reached" (NR), which have no value to score: (endpoint, regimen) drafted as such
    "petrel-jats.xml": {("pfs", "daratumumab-lenalidomide"), ("os", "daratumumab-lenalidomide"),
                        ("pfs2", "daratumumab-lenalidomide")},
}


@pytest.fixture(scope="module")
def base() -> FactBase:
    facts = paths.facts_dir()
    return load_facts(facts / "reference.yaml", sorted((facts / "sources").glob("*.yaml")))


def _draft(path: Path, base: FactBase) -> tuple[dict[str, Any], str]:
    document = read_input_file(path)
    drafted = draft_article(document.text, source_id="s099", file_name=derived_name(path.name, document), base=base)
    SourceFile.model_validate(drafted.data)
    return drafted.data, document.format


def _score(path: Path, base: FactBase) -> tuple[FigureScore, str, float]:
    started = time.perf_counter()
    data, fmt = _draft(path, base)
    return score_figures(data, expected_of(EXPECTED[path])), fmt, time.perf_counter() - started


def test_every_file_of_the_corpus_is_drafted_with_its_meaning(base: FactBase) -> None:
    lines = ["| file | format | figures recalled | recall | drafted right | precision | seconds |",
             "|---|---|---:|---:|---:|---:|---:|"]
    failures = []
    for path in EXPECTED:
        result, fmt, seconds = _score(path, base)
        name = f"{path.parent.name}/{path.name}"
        lines.append(f"| {name} | {fmt} | {result.recalled}/{result.figures} | {result.recall:.0%} | "
                     f"{result.right}/{result.drafted} | {result.precision:.0%} | {seconds:.2f} |")
        lines += [f"|   missed: {m} |" for m in result.missed] + [f"|   not expected: {w} |" for w in result.wrong]
        recall, precision, why = KNOWN_MISSES.get(name, (TARGET, TARGET, ""))
        if why:
            lines.append(f"|   known miss (its cause is outside the readers and tables): {why} |")
        if result.recall < recall or result.precision < precision:
            failures.append(f"{name}: recall {result.recall:.0%}, precision {result.precision:.0%}")
    print("\n" + "\n".join(lines))
    assert not failures, failures


def test_medians_not_reached_are_drafted_as_such(base: FactBase) -> None:
    for corpus in CORPORA:
        for name, wanted in NOT_REACHED.items():
            if not (corpus / name).exists():
                continue
            data, _ = _draft(corpus / name, base)
            arms = {str(a["id"]): str(a["regimen"]) for a in data.get("arms", [])}
            drafted = {(f.get("endpoint"), arms.get(f.get("arm", ""), f.get("regimen")))
                       for f in data["findings"] if f["kind"] == "median" and f.get("not_reached")}
            assert wanted <= drafted, (name, sorted(wanted - drafted, key=str))


def test_the_expected_lists_cover_every_file() -> None:
    files = {p for corpus in CORPORA for p in corpus.iterdir() if p.suffix in (".pdf", ".xml", ".html", ".txt")}
    assert set(EXPECTED) == files
    assert all(len(rows) >= 10 for rows in EXPECTED.values())
