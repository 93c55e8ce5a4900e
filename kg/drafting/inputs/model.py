"""What a reader returns: the derived plain text (paragraphs between blank lines) and the tables."""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass, field

from kg.curation.tabletext import TableSegment, clean_cell

__all__ = ["WIDTH", "Block", "InputDocument", "compose"]

WIDTH = 72
"""Derived paragraphs are wrapped at this many characters."""


@dataclass(frozen=True)
class Block:
    """One unit of a document in reading order: a paragraph of prose, or a table."""

    text: str = ""
    table: TableSegment | None = None


@dataclass(frozen=True)
class InputDocument:
    """A read file: its format, the derived text stored with an accepted source, and its tables.

    ``text`` is what the drafter reads and the provenance check reads back: paragraphs separated by
    blank lines, each table written in place as a block (:mod:`kg.curation.tabletext`).
    """

    format: str
    text: str
    tables: tuple[TableSegment, ...] = field(default_factory=tuple)


def compose(format_name: str, blocks: list[Block]) -> InputDocument:
    """The document of ``blocks``: paragraphs on one line each, tables numbered in order."""
    parts: list[str] = []
    tables: list[TableSegment] = []
    for block in blocks:
        if block.table is not None:
            t = block.table
            table = TableSegment.of(len(tables) + 1, t.caption, list(t.columns), [list(r) for r in t.rows])
            tables.append(table)
            parts.append(table.render())
        elif text := re.sub(r"[ \t]+", " ", clean_cell(block.text)).strip():
            # wrapped, so that a text of short paragraphs is never read as double-spaced (kg.curation.texts)
            parts.append(textwrap.fill(text, WIDTH, break_long_words=False, break_on_hyphens=False))
    return InputDocument(format_name, "\n\n".join(parts) + "\n", tuple(tables))
