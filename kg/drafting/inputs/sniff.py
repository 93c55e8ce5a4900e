"""What a file is, from its bytes (never its name): magic numbers, then the root element or doctype."""

from __future__ import annotations

import re

__all__ = ["binary_kind", "markup_kind"]

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"PK\x03\x04", "a ZIP archive (a .zip, .docx, .xlsx, .pptx or .epub file)"),
    (b"\xd0\xcf\x11\xe0", "an old Microsoft Office file (.doc, .xls)"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"{\\rtf", "an RTF document"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"Rar!", "a RAR archive"),
    (b"BZh", "a bzip2-compressed file"),
    (b"\xfd7zXZ", "an xz-compressed file"),
    (b"\x7fELF", "a program (ELF)"),
)


def binary_kind(data: bytes) -> str | None:
    """``pdf``, ``gzip``, or what another known binary format looks like (None for text)."""
    if b"%PDF-" in data[:1024]:
        return "pdf"
    if data[:2] == b"\x1f\x8b":
        return "gzip"
    return next((name for magic, name in _MAGIC if data.startswith(magic)), None)


def markup_kind(text: str) -> str | None:
    """``html`` when the text is a web page (an HTML doctype or root), ``xml`` for other markup, else None."""
    head = re.sub(r"^\ufeff?\s*(?:<!--[\s\S]*?-->\s*)*", "", text[:8192])
    if re.match(r"(?:<\?xml[^>]*>\s*)?(?:<!doctype\s+html|<html[\s>])", head, re.IGNORECASE):
        return "html"
    if re.match(r"<\?xml|<!DOCTYPE|<[A-Za-z_][\w.:-]*[\s>/]", head):
        return "xml"
    return None
