"""JATS / PMC XML (``<article>`` with ``<front>`` and ``<body>``): title, abstract, sections, tables, references."""

from __future__ import annotations

import re

from lxml import etree

from kg.drafting.inputs.limits import MAX_TABLES, Deadline, refuse
from kg.drafting.inputs.model import Block, InputDocument, compose
from kg.drafting.inputs.tablecells import grid_table
from kg.drafting.inputs.xmlsafe import local, text_of

__all__ = ["read_jats"]

_SKIP = ("table-wrap", "fig", "disp-formula", "inline-formula", "tex-math", "graphic", "media", "alternatives",
         "fn-group", "supplementary-material", "ref-list")
_BLOCKS = ("p", "title", "table-wrap", "fig", "ref", "list-item", "def-item", "boxed-text")


def _drop_footnote_marks(table_wrap: etree._Element) -> None:
    """Footnote marks in cells (``0.62<sup>a</sup>``, ``<xref ref-type="table-fn">``) removed, their tails kept."""
    marks = [e for e in table_wrap.iter() if (local(e) == "xref" and e.get("ref-type") in ("table-fn", "fn"))
             or (local(e) == "sup" and re.fullmatch(r"[a-z*†‡§¶#,]{1,3}", text_of(e)))]
    for mark in marks:
        parent = mark.getparent()
        if parent is None:
            continue
        previous = mark.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + (mark.tail or "")
        else:
            parent.text = (parent.text or "") + (mark.tail or "")
        parent.remove(mark)


def _caption_text(caption: etree._Element | None) -> str:
    """A caption's title and paragraphs as sentences ("Time-to-event outcomes. Intention-to-treat …")."""
    if caption is None:
        return ""
    parts = [text_of(c) for c in caption if local(c) in ("title", "p")] or [text_of(caption)]
    parts = [p for p in parts if p]
    return " ".join(p if k == len(parts) - 1 or re.search(r"[.:;!?]$", p) else f"{p}." for k, p in enumerate(parts))


def _citation_text(citation: etree._Element) -> str:
    """A reference as printed: a ``mixed-citation`` as it stands, an ``element-citation``'s fields written
    the way reference lists print them ("Smith J, Lee K. Title. Lancet. 2019;393(10168):253-64. doi: …")."""
    if local(citation) != "element-citation":
        return text_of(citation)

    def field(name: str) -> str:
        return text_of(citation.find(f".//{{*}}{name}"))

    names = []
    for name in citation.iter("{*}name", "{*}string-name", "{*}collab"):
        if local(name) == "collab":
            names.append(text_of(name))
            continue
        given = text_of(name.find("{*}given-names"))
        initials = given if given.isupper() and len(given) <= 3 else "".join(w[0] for w in given.split() if w)
        names.append(f"{text_of(name.find('{*}surname'))} {initials}".strip())
    pages = "-".join(x for x in (field("fpage"), field("lpage")) if x)
    where = field("year") + (f";{field('volume')}" if field("volume") else "") + (
        f"({field('issue')})" if field("issue") else "") + (f":{pages}" if pages else "")
    doi = next((text_of(i) for i in citation.iter("{*}pub-id") if i.get("pub-id-type") == "doi"), "")
    pmid = next((text_of(i) for i in citation.iter("{*}pub-id") if i.get("pub-id-type") == "pmid"), "")
    parts = [", ".join(names), field("article-title").rstrip("."), field("source"), where,
             f"doi: {doi}" if doi else "", f"PMID: {pmid}" if pmid else ""]
    return ". ".join(p for p in parts if p)


def _walk(node: etree._Element, blocks: list[Block], where: str, deadline: Deadline) -> None:
    for child in node:
        name = local(child)
        if name == "title" or (name == "label" and child.getparent() is not None and local(child.getparent()) == "sec"):
            if text := text_of(child):
                blocks.append(Block(text))
        elif name == "p":
            if text := text_of(child, _SKIP):
                blocks.append(Block(text))
            _walk(child, blocks, where, deadline)  # a table-wrap or list inside a paragraph
        elif name == "table-wrap":
            deadline.check("a table-wrap")
            _drop_footnote_marks(child)
            label = text_of(child.find("{*}label")) if child.find("{*}label") is not None else ""
            caption_el = child.find("{*}caption")
            caption = " ".join(x for x in (label, _caption_text(caption_el)) if x)
            for table in (t for t in child.iter() if local(t) == "table" and any(local(r) == "tr" for r in t.iter())):
                line = table.sourceline or 0
                if sum(1 for b in blocks if b.table is not None) >= MAX_TABLES:
                    raise refuse(f"{where}:{line}", f"the article holds more than {MAX_TABLES} tables; the drafter "
                                                    f"reads at most {MAX_TABLES}", 413)
                blocks.append(Block(table=grid_table(table, caption, f"{where}:{line}", text_of)))
            if (foot := child.find("{*}table-wrap-foot")) is not None and (text := text_of(foot)):
                blocks.append(Block(text))
        elif name == "fig":
            caption_el = child.find("{*}caption")
            if caption_el is not None and (text := text_of(caption_el)):
                blocks.append(Block(text))
        elif name == "ref":
            citation = next((c for c in child if local(c) in ("mixed-citation", "element-citation", "citation")),
                            None)
            label = text_of(child.find("{*}label")) if child.find("{*}label") is not None else ""
            if citation is not None and (text := _citation_text(citation)):
                blocks.append(Block(f"{label.rstrip('.')}. {text}" if label else text))
        elif name in ("sec", "abstract", "trans-abstract", "body", "back", "ref-list", "list", "list-item",
                      "boxed-text", "def-list", "def-item", "ack", "app", "app-group", "glossary"):
            if name == "sec":
                deadline.check("a section")
            _walk(child, blocks, where, deadline)


def read_jats(root: etree._Element, where: str, deadline: Deadline) -> InputDocument:
    """The derived text of a JATS article: title, abstract, body sections, tables in place, references."""
    for xref in [x for x in root.iter() if local(x) == "xref" and x.get("ref-type") == "bibr"]:
        cited = text_of(xref)  # "survival<xref>12</xref>" reads "survival [12]", as articles print it
        if cited and not cited.startswith(("[", "(")):
            for child in list(xref):
                xref.remove(child)
            xref.text = f" [{cited}]"
    blocks: list[Block] = []
    front = root.find("{*}front")
    meta = front.find("{*}article-meta") if front is not None else None
    if meta is not None:
        title = meta.find("{*}title-group/{*}article-title")
        if title is not None:
            blocks.append(Block(text_of(title)))
        for abstract in (a for a in meta if local(a) == "abstract"):
            _walk(abstract, blocks, where, deadline)
    for part in ("body", "back"):
        element = root.find(f"{{*}}{part}")
        if element is not None:
            _walk(element, blocks, where, deadline)
    return compose("jats", blocks)
