"""Page debris: the lines a web page puts between paragraphs that are not the article's text.

A source saved from a news or education site carries the site's furniture on lines of their own:
"Continue Reading", "Related Articles", "RELATED: <another headline>", "Bookmark this article",
"Advertisement". Left in, they join the next paragraph and a quotation reads "Related Articles In an
analysis ...". :func:`clean_text` removes such lines once, when the text is read, and records each
removal (line number, text, rule), so the cleaning can be shown and checked; the locators count the
cleaned text's paragraphs.

Only a whole line that is nothing but furniture goes: a line is removed when, stripped, it matches
one of :data:`DEBRIS` (case-insensitive). A sentence that merely contains "related articles" stays.

>>> cleaned = clean_text("First.\\n\\nContinue Reading\\n\\nSecond.")
>>> cleaned.text
'First.\\n\\n \\n\\nSecond.'
>>> [(r.line, r.text, r.rule) for r in cleaned.removed]
[(3, 'Continue Reading', 'read-more link')]
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["DEBRIS", "CleanedText", "Removal", "clean_text"]

# (rule name, pattern of a whole line). Generic site furniture, not any one source's wording.
_RULES = (
    ("read-more link", r"(continue|keep) reading|read (the )?(full |more|story|article)[\w ]*|see more|more\.{0,3}"),
    ("related-content heading", r"related( articles?| content| stories| posts| reading| links)?:?"),
    ("related-content link", r"related:\s.{1,200}"),
    ("advertisement", r"advertisement|sponsored( content)?|ad"),
    ("sharing control", r"(share|print|email|tweet|bookmark)( this( article| page| story)?)?"),
    ("subscription prompt", r"(subscribe|sign up|register)\b.{0,120}"),
    ("feedback prompt", r"your opinion matters|did this answer your question\??|additional feedback\?.{0,20}"
                        r"|thank you for your feedback!?"),
)
DEBRIS: tuple[tuple[str, re.Pattern[str]], ...] = tuple((name, re.compile(pattern, re.IGNORECASE))
                                                        for name, pattern in _RULES)


@dataclass(frozen=True)
class Removal:
    """One line the cleaning removed: its 1-based line number in the file, its text, the rule."""

    line: int
    text: str
    rule: str


@dataclass(frozen=True)
class CleanedText:
    """The text with debris lines blanked (line count kept), and what was removed."""

    text: str
    removed: tuple[Removal, ...]


def _rule(line: str) -> str | None:
    stripped = line.strip().strip("•·*-–—|> ").strip()
    if not stripped or len(stripped) > 240:
        return None
    return next((name for name, pattern in DEBRIS if pattern.fullmatch(stripped)), None)


def clean_text(text: str) -> CleanedText:
    """Blank every line that is only page furniture; the line count stays, so line numbers still hold."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    removed = []
    for number, line in enumerate(lines, start=1):
        if (rule := _rule(line)) is not None:
            removed.append(Removal(number, line.strip(), rule))
            lines[number - 1] = " "  # blank, not empty: a double-spaced text keeps its break
    return CleanedText("\n".join(lines), tuple(removed))
