"""Locators: how paragraphs and sentences are counted, and which numbers a sentence states."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from kg.curation.texts import SourceText, numbers_in, parse_locator


def test_double_spaced_text_is_unwrapped_into_paragraphs() -> None:
    text = "First line of a\n\nparagraph ends here.\n\n \n\nSecond paragraph.\n\n"
    doc = SourceText.from_text(text)
    assert doc.paragraphs == (("First line of a paragraph ends here.",), ("Second paragraph.",))


def test_sentences_split_after_citation_markers_but_not_inside_numbers() -> None:
    doc = SourceText.from_text("PFS was longer (23 vs. 15 months; P<.001).1 Next one.3,4 Last (HR 0.62).")
    assert doc.paragraphs[0] == ("PFS was longer (23 vs. 15 months; P<.001).", "Next one.", "Last (HR 0.62).")


def test_numbers_in_reads_separators_bounds_words_and_phase_numerals() -> None:
    assert numbers_in("1,971 patients") == {Decimal(1971)}
    assert Decimal("0.001") in numbers_in("P<.001")
    assert {Decimal(41), Decimal(46)} <= numbers_in("41-46 vs. 23-27 months")
    assert Decimal(5) in numbers_in("Five large studies")
    assert Decimal(3) in numbers_in("phase III trials")


@pytest.mark.parametrize("bad", ["p0.s1", "p1", "p1.s2-1", "s1.p1", "p1.s1-"])
def test_bad_locators_are_rejected(bad: str) -> None:
    with pytest.raises(ValueError, match="locator"):
        parse_locator(bad)


def test_locator_out_of_range_names_what_is_missing() -> None:
    doc = SourceText.from_text("One. Two.")
    with pytest.raises(IndexError, match="sentence 3 of paragraph 1"):
        doc.at(parse_locator("p1.s3"))
    with pytest.raises(IndexError, match="paragraph 2"):
        doc.at(parse_locator("p2.s1"))


def test_seed_002_counts_five_paragraphs(seeds: Path) -> None:
    doc = SourceText.from_file(seeds / "002_3aef4ebcdbf9dced.txt")
    assert len(doc.paragraphs) == 5
    assert "23 vs. 15 months" in doc.sentence(2, 2)
