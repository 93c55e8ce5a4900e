"""Bounds every reader keeps: file size, decompressed size, PDF pages, time; and the error they raise."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from kg.errors import ArticleError

__all__ = ["MAX_FILE_BYTES", "MAX_INFLATED_BYTES", "MAX_PDF_PAGES", "MAX_SECONDS", "MAX_TABLES", "MAX_TEXT_BYTES",
           "MAX_UPLOAD_BYTES", "Deadline", "refuse"]

MAX_FILE_BYTES = 16 * 1024 * 1024
"""The largest file read (a 20-page PDF with figures is 1-5 MB; a PMC XML file well under 1 MB)."""
MAX_UPLOAD_BYTES = 8 * 1024 * 1024
"""The largest upload the /draft page takes (the web server lets a request body this large reach it)."""
MAX_TEXT_BYTES = 512 * 1024
"""The largest plain-text file, and the largest derived text (the drafter's own bound)."""
MAX_INFLATED_BYTES = 8 * 1024 * 1024
"""A gzip-compressed file may inflate to at most this much (a decompression bomb stops here)."""
MAX_PDF_PAGES = 60
"""PDF pages read; a longer PDF (a thesis, a whole journal issue) is refused."""
MAX_TABLES = 200
"""Tables read from one page or XML article (a report has a handful; thousands are a data dump or a widget grid)."""
MAX_SECONDS = 30.0
"""Reading one file may take at most this long (checked between pages and elements)."""


def refuse(where: str, message: str, status: int = 400) -> ArticleError:
    """The error an unreadable input raises (HTTP 400 or 413, exit status 2)."""
    return ArticleError(where, message, http_status=status)


@dataclass
class Deadline:
    """A time bound, checked by the readers between units of work (pages, sections, tables)."""

    where: str
    seconds: float = MAX_SECONDS
    started: float = field(default_factory=time.monotonic)

    def check(self, doing: str) -> None:
        """:raises ArticleError: once the time is spent, naming what was being read."""
        if time.monotonic() - self.started > self.seconds:
            raise refuse(self.where, f"reading took longer than {self.seconds:g} s (stopped at {doing}); "
                                     "the file is too large or too complex for the drafter", 413)
