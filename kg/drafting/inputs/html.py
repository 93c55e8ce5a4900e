"""Saved web pages: the main text without navigation, related-article lists or cookie banners; ``<table>``s as tables.

The main text comes from trafilatura (measured against readability-lxml in docs/drafting-inputs.md);
tables are read from the page itself, leaving out those inside navigation, headers, footers, asides
and elements whose class or id says they are menus, banners or related content.
"""

from __future__ import annotations

import logging
import re

import lxml.html
from lxml import etree

from kg.drafting.inputs.limits import MAX_TABLES, MAX_TEXT_BYTES, Deadline, refuse
from kg.drafting.inputs.model import Block, InputDocument, compose
from kg.drafting.inputs.tablecells import grid_table
from kg.drafting.inputs.xmlsafe import local, text_of
from kg.errors import ArticleError

__all__ = ["main_text", "read_html"]

logging.getLogger("trafilatura").setLevel(logging.CRITICAL)  # its complaints about odd pages are not ours to print

MAX_PAGE_TEXT_BYTES = 2 * MAX_TEXT_BYTES
"""A page's text before its navigation and debris are taken out: at most twice what the drafter reads."""

_CHROME = re.compile(r"\b(?:nav|menu|breadcrumb|cookie|consent|banner|related|recommend|sidebar|footer|header|"
                     r"share|social|promo|advert|newsletter|subscribe|comments?)\b", re.IGNORECASE)
_DEBRIS = re.compile(r"^(?:related articles?|continue reading|read more|advertisement|share this|"
                     r"sign up|subscribe|we use cookies|accept( all)? cookies)\b", re.IGNORECASE)


def _in_chrome(element: etree._Element) -> bool:
    for node in element.iterancestors():
        if local(node) in ("nav", "header", "footer", "aside", "form"):
            return True
        if _CHROME.search(f"{node.get('class', '')} {node.get('id', '')} {node.get('role', '')}"):
            return True
    return False


def _caption(table: etree._Element) -> str:
    """A table's ``<caption>``, else its figure's ``<figcaption>``, else a "Table 2. …" element just before it."""
    own = table.find("caption")
    if own is not None:
        return text_of(own)
    for node in (table, *table.iterancestors()):
        if local(node) == "figure" and (figcaption := node.find(".//figcaption")) is not None:
            return text_of(figcaption)
        before = node.getprevious()
        if before is not None and re.match(r"^\s*Table\s*\d+\b", text := text_of(before)) and len(text) < 300:
            return text
        if local(node) in ("article", "main", "body"):
            break
    return ""


def _parse(data: bytes) -> etree._Element:
    parser = lxml.html.HTMLParser(no_network=True, remove_comments=True, remove_pis=True, huge_tree=False)
    return lxml.html.document_fromstring(data, parser=parser)


def main_text(data: bytes, backend: str = "trafilatura") -> list[str]:
    """The page's main-text paragraphs (tables left out), by ``backend`` (trafilatura or readability)."""
    if backend == "readability":
        from readability import Document  # type: ignore[import-not-found,import-untyped,unused-ignore]  # bench only

        summary = _parse(Document(_parse(data)).summary().encode("utf-8"))
        for table in list(summary.iter("table")):
            if (parent := table.getparent()) is not None:
                parent.remove(table)
        return [t for e in summary.iter("p", "h1", "h2", "h3", "h4", "li") if (t := text_of(e))]
    import trafilatura

    text = trafilatura.extract(_parse(data), output_format="txt", include_tables=False,
                               include_comments=False, include_links=False, include_images=False,
                               favor_precision=True, deduplicate=False, with_metadata=False) or ""
    paragraphs = [re.sub(r"^[-•*]\s+", "", line.strip()) for line in text.split("\n") if line.strip()]
    if not paragraphs:  # a page trafilatura finds no article in: its paragraphs outside the page's chrome
        root = _parse(data)
        paragraphs = [t for e in root.iter("p", "h1", "h2", "h3", "h4", "li")
                      if not _in_chrome(e) and e.getparent() is not None and (t := text_of(e))]
    return paragraphs


def _page_text_bytes(root: etree._Element) -> int:
    """The size of the page's text outside scripts and styles (what any reading of it has to go through)."""
    total = sum(len(str(t).encode("utf-8")) for t in root.itertext() if str(t).strip())
    return total - sum(len(str(e.text or "").encode("utf-8")) for e in root.iter("script", "style"))


def read_html(data: bytes, where: str, deadline: Deadline, backend: str = "trafilatura") -> InputDocument:
    """The derived text of a saved page: its title, main-text paragraphs, then its content tables.

    :raises ArticleError: (413) for a page holding more text than the drafter reads (checked before the
        main-text extraction, whose time grows with it), or whose tables add up to more.
    """
    root = _parse(data)
    deadline.check("the page")
    if (size := _page_text_bytes(root)) > MAX_PAGE_TEXT_BYTES:
        raise refuse(where, f"the page holds {size:,} bytes of text; the drafter reads at most "
                            f"{MAX_PAGE_TEXT_BYTES:,} (save the article's page alone, not a whole site or feed)", 413)
    blocks: list[Block] = []
    heading = root.find(".//h1")
    title = text_of(heading) if heading is not None else ""
    paragraphs = [p for p in main_text(data, backend) if not _DEBRIS.match(p)]
    if title and (not paragraphs or paragraphs[0] != title):
        blocks.append(Block(title))
    blocks += [Block(p) for p in paragraphs]
    derived = sum(len(p.encode("utf-8")) + 2 for p in paragraphs)
    for table in root.iter("table"):
        deadline.check("a table")
        if _in_chrome(table) or table.find(".//table") is not None:
            continue
        caption = _caption(table)
        rows = [r for r in table.iter("tr")]
        if len(rows) < 2 or max(len(r) for r in rows) < 2:
            continue
        line = table.sourceline or 0
        try:
            segment = grid_table(table, caption, f"{where}:{line}",
                                 lambda e: text_of(e, ("caption", "script", "style")))
        except ArticleError:
            continue  # a page's table without headers is layout or a widget, not a result table to draft
        if sum(1 for b in blocks if b.table is not None) >= MAX_TABLES:
            raise refuse(where, f"the page holds more than {MAX_TABLES} tables (at line {line}); the drafter reads "
                                f"at most {MAX_TABLES}", 413)
        derived += len(segment.render().encode("utf-8"))
        if derived > MAX_TEXT_BYTES:
            raise refuse(where, f"the page's text and tables come to more than {MAX_TEXT_BYTES:,} bytes (at its table "
                                f"on line {line}); the drafter reads at most that much", 413)
        blocks.append(Block(table=segment))
    return compose("html", blocks)
