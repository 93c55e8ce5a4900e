"""The ``page`` parameter every paged page reads (the evidence map, the summary of findings, a saved query's rows)."""

from __future__ import annotations

from web.errors import HttpError

__all__ = ["page_number"]


def page_number(raw: str | None) -> int:
    """The page a ``page`` parameter names (1 when absent or empty).

    >>> page_number(None), page_number(""), page_number("3")
    (1, 1, 3)

    :raises HttpError: 400 naming the parameter for anything but 1, 2, ... (ASCII digits only: ``int`` would
        also read "²" or a full-width "２").
    """
    if not raw:
        return 1
    if not (raw.isascii() and raw.isdigit()) or int(raw) < 1:
        raise HttpError(400, f"parameter 'page': {raw!r} is not a page number (1, 2, ...)")
    return int(raw)
