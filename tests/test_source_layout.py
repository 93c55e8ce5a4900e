"""Paragraphs as the text lays them out, and page debris cleaned once at read time (recorded)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.curation.cleaning import clean_text
from kg.curation.texts import SourceText


def test_blank_line_paragraphs_are_kept_when_lines_are_whole_paragraphs() -> None:
    text = "First paragraph. It has two sentences.\n\nSecond one.\n\nThird one here.\n\nFourth.\n"
    doc = SourceText.from_text(text)
    assert len(doc.paragraphs) == 4
    assert doc.sentence(1, 2) == "It has two sentences."


def test_lines_without_blank_lines_are_paragraphs_unless_hard_wrapped() -> None:
    assert len(SourceText.from_text("One paragraph.\nAnother paragraph.\nA third.").paragraphs) == 3
    wrapped = "A sentence that runs\non to the next line\nand ends here. Then\nanother."
    assert len(SourceText.from_text(wrapped).paragraphs) == 1


@pytest.mark.parametrize("debris", ["Continue Reading", "Related Articles", "RELATED: Another headline here",
                                    "Advertisement", "  • Print", "Bookmark this article"])
def test_page_debris_is_removed_and_recorded(debris: str) -> None:
    doc = SourceText.from_text(f"Results came first.\n\n{debris}\n\nIn an analysis HR was 0.7.")
    assert doc.paragraphs == (("Results came first.",), ("In an analysis HR was 0.7.",))
    assert [(r.line, r.text) for r in doc.removed] == [(3, debris.strip())]


def test_a_sentence_mentioning_related_articles_stays() -> None:
    cleaned = clean_text("Related articles were reviewed by two authors.")
    assert cleaned.removed == () and "Related articles" in cleaned.text


@pytest.mark.parametrize(("name", "paragraphs"), [("000", 8), ("001", 8), ("002", 5), ("003", 14), ("004", 7)])
def test_every_seed_is_addressed_by_paragraph(seeds: Path, name: str, paragraphs: int) -> None:
    doc = SourceText.from_file(next(seeds.glob(f"{name}_*.txt")))
    assert len(doc.paragraphs) == paragraphs
    quoted = " ".join(s for p in doc.paragraphs for s in p)
    assert "Continue Reading" not in quoted and "Related Articles" not in quoted
