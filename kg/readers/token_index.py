"""Which entries may contain a typed word: the candidates a search ranks instead of every entry.

:class:`kg.readers.search_index.SearchIndex` ranks a name by how it holds the typed text (equal, prefix, a word's
prefix, substring, every word somewhere). Each of those needs every whitespace-free word of the typed text to lie
inside one whitespace-free token of the name: a substring without whitespace cannot span a space. So the entries
to rank are those having, for every typed word, a token that contains it; :class:`TokenIndex` finds them from the
distinct tokens (each kept once, with the entries that have it) through the tokens' trigrams, and the ranking
itself is left unchanged: a superset of the matches is ranked by the same code, so the answers are the same as
ranking everything (``tests/test_search_index.py`` compares the two on every kind of typed text).

Per release, like the search index: built once, read by every request. A word of one or two characters is
looked for among the distinct tokens (tens of thousands at 1,000 sources, not every name).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

__all__ = ["TokenIndex"]

_GRAM = 3


def _grams(text: str) -> set[str]:
    return {text[i:i + _GRAM] for i in range(len(text) - _GRAM + 1)}


class TokenIndex:
    """Entries (by position) of the whitespace-free tokens of their lower-cased texts.

    >>> index = TokenIndex([["lenalidomide maintenance"], ["bortezomib"], ["anti-cd38 antibody"]])
    >>> index.candidates(["lenalid"]), index.candidates(["mib"]), index.candidates(["cd38", "anti"])
    ([0], [1], [2])
    >>> index.candidates(["a"]), index.candidates(["zz"]), index.candidates(["main", "bort"])
    ([0, 2], [], [])
    """

    def __init__(self, texts: Iterable[Iterable[str]]) -> None:
        ids: dict[str, int] = {}
        self._entries: list[list[int]] = []
        """Per token id, the positions of the entries that have it (ascending, each once)."""
        for position, own in enumerate(texts):
            for text in own:
                for token in text.split():
                    tid = ids.setdefault(token, len(ids))
                    if tid == len(self._entries):
                        self._entries.append([])
                    having = self._entries[tid]
                    if not having or having[-1] != position:
                        having.append(position)
        self._tokens = list(ids)
        self._by_gram: dict[str, list[int]] = {}
        for tid, token in enumerate(self._tokens):
            for gram in _grams(token):
                self._by_gram.setdefault(gram, []).append(tid)

    def __len__(self) -> int:
        """How many distinct tokens."""
        return len(self._tokens)

    def _tokens_with(self, word: str) -> list[int]:
        """The ids of the tokens that contain ``word``."""
        if len(word) < _GRAM:
            return [tid for tid, token in enumerate(self._tokens) if word in token]
        lists = sorted((self._by_gram.get(gram, []) for gram in _grams(word)), key=len)
        if not lists[0]:
            return []
        found = set(lists[0]).intersection(*lists[1:])
        return [tid for tid in found if word in self._tokens[tid]]

    def candidates(self, words: Sequence[str]) -> list[int]:
        """The positions, ascending, of the entries having for each of ``words`` (whitespace-free) a token that
        contains it."""
        result: set[int] | None = None
        for word in sorted(set(words), key=len, reverse=True):  # the longest word is the most selective
            having: set[int] = set()
            for tid in self._tokens_with(word):
                having.update(self._entries[tid])
            result = having if result is None else result & having
            if not result:
                return []
        return sorted(result) if result is not None else []
