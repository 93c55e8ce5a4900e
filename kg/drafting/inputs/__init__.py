"""Read an article file, whatever its format, into a derived plain text with its tables.

``read_input(data, where)`` chooses the reader by content (magic bytes, then root element or
doctype), never by file name: PDF (:mod:`.pdf`), JATS / PMC XML (:mod:`.jats`), PubMed MEDLINE XML
(:mod:`.medline`), saved HTML pages (:mod:`.html`) and plain UTF-8 text with tab- or space-aligned
tables (:mod:`.plain`); a gzip-compressed file is inflated first (bounded). Every reader keeps the
bounds of :mod:`.limits`, never touches the network, never expands an entity or loads a DTD, and
raises :class:`~kg.errors.ArticleError` naming what is wrong and where. The derived text
(:attr:`InputDocument.text`, tables written as blocks, :mod:`kg.curation.tabletext`) is what the
drafter reads and what is stored with an accepted source.
"""

from __future__ import annotations

import re
import zlib
from pathlib import Path

from kg.drafting.inputs.limits import MAX_FILE_BYTES, MAX_INFLATED_BYTES, MAX_TEXT_BYTES, Deadline, refuse
from kg.drafting.inputs.model import InputDocument
from kg.drafting.inputs.plain import decode_text, read_plain
from kg.drafting.inputs.sniff import binary_kind, markup_kind
from kg.errors import ArticleError

__all__ = ["InputDocument", "derived_name", "derived_text", "read_input", "read_input_file"]


def _inflate(data: bytes, where: str) -> bytes:
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(data, MAX_INFLATED_BYTES + 1)
    except zlib.error as exc:
        raise refuse(where, f"a damaged gzip file: {exc}") from exc
    if len(out) > MAX_INFLATED_BYTES or inflater.unconsumed_tail:
        raise refuse(where, f"the gzip file inflates to more than {MAX_INFLATED_BYTES:,} bytes; "
                            "the drafter stops there", 413)
    if not inflater.eof:
        raise refuse(where, f"a damaged or truncated gzip file (it ends after {len(data):,} bytes)")
    return out


def read_input(data: bytes, where: str, *, deadline: Deadline | None = None, pdf_backend: str = "pdfplumber",
               html_backend: str = "trafilatura") -> InputDocument:
    """The document in ``data`` (``where`` names it in errors).

    :raises ArticleError: for a file too large, of a format the drafter does not read (saying what it
        looks like), an encrypted or damaged PDF, XML that is neither JATS nor MEDLINE, a table without
        headers, or text that is not UTF-8 (with the byte offset).
    """
    deadline = deadline or Deadline(where)
    if len(data) > MAX_FILE_BYTES:
        raise refuse(where, f"the file is {len(data):,} bytes; the drafter reads at most {MAX_FILE_BYTES:,}", 413)
    kind = binary_kind(data)
    if kind == "gzip":
        data = _inflate(data, where)
        kind = binary_kind(data)
    if kind == "pdf":
        from kg.drafting.inputs.pdf import read_pdf

        return read_pdf(data, where, deadline, pdf_backend)
    if kind is not None:
        nul = data.find(b"\x00")
        detail = f" (it holds a NUL byte at offset {nul}: it is binary, not text)" if nul >= 0 else ""
        raise refuse(where, f"not a format the drafter reads: it looks like {kind}{detail}; give it the "
                            "article as PDF, JATS or MEDLINE XML, a saved web page or plain text")
    if (nul := data.find(b"\x00")) >= 0 and data[:2] not in (b"\xff\xfe", b"\xfe\xff"):
        raise refuse(where, f"the file holds a NUL byte at offset {nul}: it is binary, not plain text")
    if markup_kind(data[:8192].decode("latin-1")) == "html":  # its own charset (a meta tag) is lxml's to read
        from kg.drafting.inputs.html import read_html

        return read_html(data, where, deadline, html_backend)
    text = decode_text(data, where)
    markup = markup_kind(text)
    if markup == "html":
        from kg.drafting.inputs.html import read_html

        return read_html(text.encode("utf-8"), where, deadline, html_backend)
    if markup == "xml":
        return _read_xml(text.encode("utf-8"), where, deadline)
    if len(data) > MAX_TEXT_BYTES:
        raise refuse(where, f"the file is {len(data):,} bytes; the drafter reads at most {MAX_TEXT_BYTES:,}", 413)
    return read_plain(text, where)


def _read_xml(data: bytes, where: str, deadline: Deadline) -> InputDocument:
    from kg.drafting.inputs.jats import read_jats
    from kg.drafting.inputs.medline import read_medline
    from kg.drafting.inputs.xmlsafe import local, parse_xml

    try:
        root = parse_xml(data, where)
    except ArticleError:
        if re.search(rb"<(?:p|div|body|br|table|span|h[1-6])\b", data[:65536], re.IGNORECASE):
            from kg.drafting.inputs.html import read_html  # an HTML fragment or page without its doctype

            if not re.search(rb"<!ENTITY", data[:65536], re.IGNORECASE):
                return read_html(data, where, deadline)
        raise
    name = local(root)
    if name == "pmc-articleset":  # what PMC's E-utilities return: the article inside a set
        inner = next((child for child in root if local(child) == "article"), None)
        if inner is not None:
            root, name = inner, "article"
    if name == "article" and (root.find("{*}front") is not None or root.find("{*}body") is not None):
        return read_jats(root, where, deadline)
    if name in ("PubmedArticleSet", "PubmedArticle", "MedlineCitation", "MedlineCitationSet"):
        return read_medline(root, where, deadline)
    if name == "html":
        from kg.drafting.inputs.html import read_html

        return read_html(data, where, deadline)
    raise refuse(f"{where}:{root.sourceline or 1}",
                 f"XML whose root element is <{name}>: neither a JATS article (<article> with <front> and <body>) "
                 "nor PubMed MEDLINE XML (<PubmedArticleSet>); the drafter reads only those two")


def read_input_file(path: Path) -> InputDocument:
    """:func:`read_input` on a file's bytes (read at most one byte past the size bound).

    :raises ArticleError: if the file cannot be read, or as :func:`read_input`.
    """
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise refuse(str(path), f"cannot read the article: {exc.strerror}") from exc
    return read_input(data, str(path))


def derived_text(path: Path) -> str:
    """The text stored for an article file: a plain text as it is, any other format as derived."""
    return read_input_file(path).text


def derived_name(name: str, document: InputDocument) -> str:
    """The source-text file name for an article named ``name``: itself for a ``.txt`` plain text, else
    its stem with ``.txt`` (``falcon2.pdf`` -> ``falcon2.txt``), characters other than letters, digits,
    ``.``, ``_`` and ``-`` replaced by ``-``."""
    stem = name if document.format == "text" and name.endswith(".txt") else name.rsplit(".", 1)[0] + ".txt"
    cleaned = re.sub(r"[^\w.-]", "-", stem)
    return cleaned if cleaned != ".txt" else "article.txt"
