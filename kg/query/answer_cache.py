"""Answers of one immutable release, kept for queries asked again: bounded by entries and by bytes.

A release never changes, so the same query text with the same dataset, base IRI and chosen media type has the
same answer until the next release (Wikidata's query service keeps answers the same way). The cache belongs to
one :class:`kg.query.outside.OutsideQueries`, which belongs to one served release: loading a new release makes a
new, empty one, and :meth:`AnswerCache.clear` empties it at any time. What goes in is what the entry point sent
after its checks and within its budget; errors are never kept, and an answer over ``max_bytes // 16`` is not kept
(one large answer must not flush the rest).
"""

from __future__ import annotations

import sys
import threading
from collections import OrderedDict
from collections.abc import Hashable

from kg.query.results import Serialised

__all__ = ["AnswerCache"]

_ENTRY = 400
"""Bytes an entry costs besides its query text and body: the key tuple, the answer object, the map's node."""


class AnswerCache:
    """A thread-safe LRU map of written answers, at most ``max_entries`` of them and ``max_bytes`` in all."""

    def __init__(self, max_bytes: int, max_entries: int = 1024) -> None:
        if max_bytes <= 0 or max_entries <= 0:
            raise ValueError("an answer cache needs room: max_bytes and max_entries > 0")
        self.max_bytes = max_bytes
        self.max_entries = max_entries
        self._answers: OrderedDict[Hashable, tuple[Serialised, int]] = OrderedDict()
        self._lock = threading.Lock()
        self.bytes = 0
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._answers)

    @staticmethod
    def footprint(text: str, answer: Serialised) -> int:
        """Bytes an entry for ``answer`` to a query of ``text`` holds (at least)."""
        return sys.getsizeof(text) + sys.getsizeof(answer.body) + len(answer.media_type) + _ENTRY

    def get(self, key: Hashable) -> Serialised | None:
        with self._lock:
            entry = self._answers.get(key)
            if entry is None:
                self.misses += 1
                return None
            self._answers.move_to_end(key)
            self.hits += 1
            return entry[0]

    def put(self, key: Hashable, text: str, answer: Serialised) -> bool:
        """Keep ``answer`` under ``key`` (``text`` is the query's, counted in its size); whether it was kept."""
        size = self.footprint(text, answer)
        if size > self.max_bytes // 16:
            return False
        with self._lock:
            old = self._answers.pop(key, None)
            if old is not None:
                self.bytes -= old[1]
            self._answers[key] = (answer, size)
            self.bytes += size
            while self._answers and (self.bytes > self.max_bytes or len(self._answers) > self.max_entries):
                _, (_, evicted) = self._answers.popitem(last=False)
                self.bytes -= evicted
        return True

    def clear(self) -> None:
        with self._lock:
            self._answers.clear()
            self.bytes = 0
