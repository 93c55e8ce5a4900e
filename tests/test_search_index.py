"""The search ranks only the entries its token index lets through, and answers exactly as ranking every entry.

:class:`kg.readers.token_index.TokenIndex` keeps the candidates (every typed word inside one of an entry's
tokens); these tests rank the same typed texts once through it and once over every entry (a subclass whose
``_candidates`` is everything) and compare whole answers: hits, order, ranks, what matched, the type's words.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from kg.namespaces import PREFIXES
from kg.query.store import Store
from kg.readers.search_index import SearchIndex, _Entry
from kg.readers.token_index import TokenIndex
from kg.readers.vocabulary import Vocabulary


class _Everything(SearchIndex):
    """The same ranking over every entry: what the index must agree with."""

    def _candidates(self, words: list[str]) -> list[_Entry]:
        return list(self._entries)


def _typed_texts(index: SearchIndex, count: int, seed: int) -> list[str]:
    """What people type: whole names, their starts, pieces of words and across words, two words far apart,
    single characters, hyphens, identifiers' forms, other cases and spacing, and texts in nothing."""
    rng = random.Random(seed)
    names = [original for entry in index._entries for _, original in entry.names]
    texts = {"a", "e", "1", "-", ":", "zzzz", "lenalidomide", "LENALIDOMIDE", "  len  ", "pfs", "PFS",
             "progression free survival", "progression-free survival", "CHEBI:63791", "chebi:63791",
             "https://doi.org/10.1001/JAMAONCOL.2018.2961", "pubmed:30098165/", "nct", "hazard ratio 0.",
             "thalidomide neuropathy", "Lenalidomide\tmaintenance", "é", "ß", "İ", "e e e e e", "len len"}
    for name in rng.sample(names, min(count, len(names))):
        lowered = name.lower()
        start = rng.randrange(len(lowered))
        texts.add(name)
        texts.add(name[: rng.randint(1, len(name))])
        texts.add(lowered[start: start + rng.randint(1, 12)])
        words = name.split()
        if len(words) > 2:
            texts.add(f"{rng.choice(words)} {rng.choice(words)}")
            first = rng.randrange(len(words) - 1)
            texts.add(" ".join(words[first: first + 2]))
    return sorted(texts)


def _rank(needle: str, lowered: str) -> int | None:
    """How a name holds the typed text, as the search's rules say (written out plainly, word by word)."""
    words = needle.split()
    if lowered == needle or (":" in lowered and lowered.split(":", 1)[1] == needle):
        return 0
    if lowered.startswith(needle):
        return 1
    if any(word.startswith(needle) for word in lowered.replace("-", " ").split()):
        return 2
    if needle in lowered:
        return 3
    if len(words) > 1 and all(word in lowered for word in words):
        return 4
    return None


def _plain_matches(index: SearchIndex, needle: str) -> dict[str, tuple[tuple[int, int], str]]:
    """Every entry's best (rank, length) and the name that gave it, from :func:`_rank` over every name."""
    found: dict[str, tuple[tuple[int, int], str]] = {}
    for entry in index._entries:
        for lowered, original in entry.names:
            rank = _rank(needle, lowered)
            if rank is not None and (entry.iri not in found or (rank, len(original)) < found[entry.iri][0]):
                found[entry.iri] = ((rank, len(original)), original)
    return found


def _same_answers(store: Store, texts: list[str] | None = None, *, limit: int = 100) -> int:
    vocabulary = Vocabulary(store)
    indexed, everything = SearchIndex(store, vocabulary), _Everything(store, vocabulary)
    typed = texts if texts is not None else _typed_texts(indexed, 300, seed=7)
    found = 0
    for text in typed:
        expected = everything.search(text, limit=limit)
        assert indexed.search(text, limit=limit) == expected, text
        needle = " ".join(text.lower().split())
        if needle and not needle.startswith(("https:", "http:", "pubmed:")):  # links are read as CURIEs first
            matched = {hit.iri: (hit.rank, hit.matched) for hit in indexed._matches(needle)}
            assert matched == _plain_matches(indexed, needle), text
        found += bool(expected)
    for type_iri in (PREFIXES["mmkg"] + "ClinicalTrial", PREFIXES["mmkg"] + "Drug"):
        for text in ("myeloma", "a", "lenal"):
            assert indexed.search(text, 20, type_iri) == everything.search(text, 20, type_iri), (text, type_iri)
    return found


def test_the_index_answers_as_ranking_every_entry_on_the_real_graph(store: Store) -> None:
    found = _same_answers(store)
    assert found > 300  # the typed texts do find things: the comparison is not between empty answers


def test_the_types_are_worked_out_for_the_hits_shown(store: Store) -> None:
    hits = SearchIndex(store, Vocabulary(store)).search("lenalidomide", limit=5)
    assert len(hits) == 5 and hits[0].type == "immunomodulatory imide drug"
    assert all(hit.type is not None for hit in hits)


def _tricky_store(tmp_path: Path) -> Store:
    """Labels whose spacing, hyphens, colons and case could split a match from its token."""
    res, rdfs, skos = PREFIXES["res"], PREFIXES["rdfs"], PREFIXES["skos"]
    labels = ["Anti-CD38 antibody", "daratumumab\u00a0maintenance", "tab\tseparated  double  spaced",
              "PMID:30098165", "clinicaltrials:NCT01554852", "x", "İstanbul cohort", "STRASSE straße",
              "re-re-induction", "a-b c-d", "trailing hyphen-", "-leading", "ümlaut Über", "1.5 mg/kg",
              "pfs-2 (second progression)", "CR:VGPR ratio", "a", "ab", "abc", "b a"]
    text = "".join(f'<{res}t{i}> <{rdfs}label> "{label}" .\n' for i, label in enumerate(labels))
    text += f'<{res}t0> <{skos}altLabel> "CD38-directed" .\n<{res}t3> <{skos}altLabel> "doi:10.1/x-y" .\n'
    path = tmp_path / "tricky.nt"
    path.write_text(text, encoding="utf-8")
    return Store.from_file(path)


def test_the_index_answers_as_ranking_every_entry_on_awkward_labels(tmp_path: Path) -> None:
    store = _tricky_store(tmp_path)
    texts = ["cd38", "anti-cd38", "anti cd38", "ti-c", "38 ant", "maintenance", "daratumumab maintenance",
             "double spaced", "double  spaced", "tab separated", "30098165", "nct01554852", "pmid:3", "x", "ab",
             "a", "b", "b a", "a b", "c-d", "b c", "i̇stanbul", "istanbul", "straße", "strasse", "re-in",
             "induction", "re", "hyphen", "hyphen-", "-", "leading", "über", "mg/kg", "1.5", "pfs-2", "2",
             "(second", "vgpr", "cr:vgpr", "doi:10.1/x-y", "x-y", "directed", "cd38-", "a a", "b a b", "a a a"]
    assert _same_answers(store, texts) > 30


def test_token_index_candidates_are_every_entry_with_a_token_holding_each_word() -> None:
    rng = random.Random(3)
    alphabet = "abc- :"
    texts = [["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12))) for _ in range(rng.randint(1, 3))]
             for _ in range(400)]
    index = TokenIndex([[t.lower() for t in own] for own in texts])
    for _ in range(300):
        words = ["".join(rng.choice("abc-:") for _ in range(rng.randint(1, 4))) for _ in range(rng.randint(1, 3))]
        expected = [i for i, own in enumerate(texts)
                    if all(any(word in token for text in own for token in text.split()) for word in words)]
        assert index.candidates(words) == expected, words


@pytest.mark.parametrize("words", [["lenalidomide"], ["a"], ["zz"], ["ma", "len"]])
def test_token_index_on_nothing_and_on_repeats(words: list[str]) -> None:
    assert TokenIndex([]).candidates(words) == []
    repeated = TokenIndex([["lenalidomide lenalidomide", "lenalidomide"], ["maintenance"]])
    assert len(repeated) == 2
    assert repeated.candidates(words) == [i for i, t in enumerate(["lenalidomide", "maintenance"])
                                          if all(w in t for w in words)]


def test_store_literals_that_are_not_text_are_left_out(tmp_path: Path) -> None:
    path = tmp_path / "odd.nt"
    res, rdfs = PREFIXES["res"], PREFIXES["rdfs"]
    path.write_text(f'<{res}q> <{rdfs}label> <{res}not-a-literal> .\n<{res}r> <{rdfs}label> "real" .\n')
    index = SearchIndex(Store.from_file(path))
    assert [hit.iri for hit in index.search("real")] == [res + "r"]
    assert index.search("not-a-literal") == [] and len(index) == 1
