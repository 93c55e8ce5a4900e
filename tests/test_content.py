"""The curated content: provenance proven against the seeds, and every numeric statement covered."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg import paths
from kg.curation.factbase import load_facts
from kg.curation.provenance import check_provenance
from kg.curation.texts import SourceText, numbers_in, parse_locator
from kg.pipeline.steps import BuiltGraph, build_graph

# Sentences with numbers that state no finding: boilerplate, reference lists, citation lines.
NOT_FINDINGS = {
    "s000": {"p8.s1", "p8.s3", "p8.s4"},  # the reference list (date and DOI recorded on the publication)
    "s001": {"p8.s1", "p8.s4"},  # the reference list (the citation, its misprinted id noted on the source)
    "s002": set(),
    "s003": set(),
    "s004": {"p2.s1"},  # update date, recorded on the source document
}


def test_every_figure_occurs_at_its_locator(seeds: Path) -> None:
    base = load_facts(paths.facts_dir() / "reference.yaml",
                      sorted((paths.facts_dir() / "sources").glob("*.yaml")))
    checked, problems = check_provenance(base, seeds)
    assert problems == []
    assert checked >= 80


@pytest.mark.java
def test_every_sentence_stating_a_number_is_curated(seeds: Path, built: BuiltGraph) -> None:
    covered: dict[str, set[str]] = {}
    for source, finding in built.facts.findings():
        locator = parse_locator(finding.at)
        for sentence in locator.sentences:
            covered.setdefault(source.source.id, set()).add(f"p{locator.paragraph}.s{sentence}")
    for source in built.facts.sources:
        text = SourceText.from_file(seeds / source.source.file)
        for p, sentences in enumerate(text.paragraphs, 1):
            for s, sentence in enumerate(sentences, 1):
                where = f"p{p}.s{s}"
                if numbers_in(sentence) and where not in NOT_FINDINGS[source.source.id]:
                    if source.source.id == "s003" and p < 10:
                        continue  # the site's boilerplate before the article
                    assert where in covered.get(source.source.id, set()), f"{source.source.id} {where} not curated"


@pytest.mark.java
def test_findings_per_source(built: BuiltGraph) -> None:
    """The counts the closing note reports (see README, 'What the graph holds')."""
    assert built.report.findings_by_source == {"s000": 23, "s001": 18, "s002": 31, "s003": 16, "s004": 28}


@pytest.mark.java
def test_the_jnci_article_id_is_corrected_and_noted(built: BuiltGraph) -> None:
    wang = next(p for p in built.facts.reference.publications if p.id == "wang-2016")
    assert wang.doi == "10.1093/jnci/djv342" and wang.pmid == "26582244"
    s001 = next(s for s in built.facts.sources if s.source.id == "s001")
    assert s001.source.note is not None and "dvj342" in s001.source.note and "djv342" in s001.source.note


@pytest.mark.java
def test_build_without_sources_still_reasons_and_validates() -> None:
    report = build_graph(None).report
    assert report.provenance_checked is None and report.shacl_conforms and report.inferred_types > 20
