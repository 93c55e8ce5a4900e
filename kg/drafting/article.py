"""Read an article for drafting, refusing what is not a plain-text article (with what and where)."""

from __future__ import annotations

from pathlib import Path

from kg.errors import ArticleError

__all__ = ["MAX_ARTICLE_BYTES", "check_article", "read_article"]

MAX_ARTICLE_BYTES = 512 * 1024
"""The drafter reads at most this much text (a long trial report is about 100 KB of plain text)."""


def check_article(text: str, where: str) -> None:
    """Refuse an empty, binary or oversized text.

    :raises ArticleError: naming ``where`` and what is wrong (HTTP 400, or 413 for size).
    """
    size = len(text.encode("utf-8"))
    if size > MAX_ARTICLE_BYTES:
        raise ArticleError(where, f"the text is {size:,} bytes; the drafter reads at most {MAX_ARTICLE_BYTES:,}",
                           http_status=413)
    if not text.strip():
        raise ArticleError(where, "the text is empty")
    if "\x00" in text:
        raise ArticleError(where, f"the text holds a NUL byte at character {text.index(chr(0)) + 1}: "
                                  "it is binary, not plain text")
    control = sum(1 for c in text if ord(c) < 32 and c not in "\n\r\t\f")
    if control > max(8, len(text) // 100):
        raise ArticleError(where, f"the text holds {control} control characters: it is binary, not plain text")
    if not any(c.isalpha() for c in text):
        raise ArticleError(where, "the text holds no words")


def read_article(path: Path) -> str:
    """The text of an article file, checked by :func:`check_article`.

    :raises ArticleError: if the file is missing, not UTF-8, binary, empty or too large.
    """
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ArticleError(str(path), f"cannot read the article: {exc.strerror}") from exc
    if size > MAX_ARTICLE_BYTES:
        raise ArticleError(str(path), f"the file is {size:,} bytes; the drafter reads at most {MAX_ARTICLE_BYTES:,}",
                           http_status=413)
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ArticleError(str(path), f"not UTF-8 text (invalid byte 0x{raw[exc.start]:02x} at offset {exc.start}); "
                                      "save it as UTF-8 plain text") from exc
    check_article(text, str(path))
    return text
