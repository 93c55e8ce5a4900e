"""Which ``/sparql`` request got which kept answer: a repeated request is answered without being read again.

A query's answer is kept by :class:`kg.query.answer_cache.AnswerCache` under its text, dataset, base IRI and media
type; reaching that key from a request costs more than the lookup (parsing the URL's parameters, decoding the
query, negotiating ``Accept`` twice, building the query, the guard's and lint's verdicts: about 100 µs on a
2-core VM against 25 µs for the rest). :class:`RequestMemo` remembers, per request as it came (method, URL query
string, body, ``Accept``, the endpoint's address), the key its answer was kept under and the headers it was sent
with, so that the same request again goes straight to :meth:`kg.query.outside.OutsideQueries.again`: still
admitted for its client, still the cache's answer (gone from the cache: the request is read anew).

Everything a request's answer depends on is in the memo's key, and everything in between is pure for one release
(the memo belongs to one app, which belongs to one release). Bounded: ``size`` requests, none whose query string
and body come to more than ``max_request`` bytes (1,024 of 8 KB: 8 MiB at most besides the answers themselves,
which the answer cache holds and bounds). Only answers the cache kept are remembered; errors never are.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass

from kg.query.lint import QueryWarning

__all__ = ["Remembered", "RequestMemo"]


@dataclass(frozen=True)
class Remembered:
    """What a request was answered with: the answer cache's key, the warnings, the headers (no length)."""

    key: Hashable
    warnings: list[QueryWarning]
    headers: tuple[tuple[str, str], ...]


class RequestMemo:
    """A thread-safe LRU map from a request's signature to :class:`Remembered`."""

    def __init__(self, size: int = 1024, max_request: int = 8192) -> None:
        if size <= 0:
            raise ValueError("a request memo needs room for at least one request")
        self.size = size
        self.max_request = max_request
        self._known: OrderedDict[Hashable, Remembered] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._known)

    def signature(self, method: str, query_string: str, media: str, body: bytes, accept: str | None,
                  endpoint: Hashable) -> Hashable | None:
        """The key a request is remembered under; None for one too large to remember."""
        if len(query_string) + len(body) > self.max_request:
            return None
        return method, query_string, media, body, accept, endpoint

    def get(self, signature: Hashable) -> Remembered | None:
        with self._lock:
            found = self._known.get(signature)
            if found is not None:
                self._known.move_to_end(signature)
            return found

    def put(self, signature: Hashable, remembered: Remembered) -> None:
        with self._lock:
            self._known[signature] = remembered
            self._known.move_to_end(signature)
            while len(self._known) > self.size:
                self._known.popitem(last=False)

    def forget(self, signature: Hashable) -> None:
        with self._lock:
            self._known.pop(signature, None)
