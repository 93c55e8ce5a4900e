"""A lint for our own vocabulary: every ``mmkg:`` term and ``res:`` IRI a query names, checked before it runs.

A misspelt term (``mmkg:endpiont``), class (``mmkg:HazardRatioEstimat``) or resource (``res:lenalidomid``) makes a
query that parses, runs and answers nothing; a deprecated term (``mmkg:countOf``) one that answers less than it
should. The graph knows every term of the ontology and every entity of the release, so each IRI in our namespaces
(written as a prefixed name with any prefix, or in full) is looked up there before the query runs:

* unknown: a warning naming its position and the closest existing term of the same kind
  (``mmkg:endpiont at 1:21 is not a term of the ontology; did you mean mmkg:endpoint?``);
* deprecated (``owl:deprecated true``): a warning naming its replacement (``dcterms:isReplacedBy``).

The query still runs; ``strict`` callers turn the warnings into a 400 (:class:`VocabularyError`). The vocabulary
is read once per store (a release never changes) by three small queries.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import urljoin

from kg.errors import QueryRefused
from kg.namespaces import GRAPH, MMKG, RES
from kg.query.protocol.lexer import Token, declared_prefixes, tokens, unescape
from kg.query.store import QueryStore, value_of

__all__ = ["LintVocabulary", "QueryWarning", "VocabularyError", "lint"]

_MMKG, _RES, _GRAPH = str(MMKG), str(RES), str(GRAPH)

_SUBJECTS = f"""SELECT DISTINCT ?s WHERE {{ ?s ?p ?o FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{_MMKG}")) }}"""
_PREDICATES = f"""SELECT DISTINCT ?p WHERE {{ ?s ?p ?o FILTER(STRSTARTS(STR(?p), "{_MMKG}")) }}"""
_CLASSES_USED = f"""SELECT DISTINCT ?c WHERE {{ ?s a ?c FILTER(isIRI(?c) && STRSTARTS(STR(?c), "{_MMKG}")) }}"""
_GRAPHS = "SELECT DISTINCT ?g WHERE { GRAPH ?g { } }"
_DEPRECATED = """PREFIX owl: <http://www.w3.org/2002/07/owl#> PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?term ?replacement WHERE { ?term owl:deprecated true . OPTIONAL { ?term dcterms:isReplacedBy ?replacement } }"""


@dataclass(frozen=True)
class QueryWarning:
    """One thing a query names that the graph does not have (or no longer uses), with its position."""

    message: str
    line: int
    column: int
    term: str
    """The IRI as written in the query (a prefixed name or ``<…>``)."""
    suggestion: str | None = None
    """The term to use instead, written the same way, when there is one."""

    def as_json(self) -> dict[str, object]:
        out: dict[str, object] = {"message": self.message, "line": self.line, "column": self.column,
                                  "term": self.term}
        if self.suggestion:
            out["suggestion"] = self.suggestion
        return out


class VocabularyError(QueryRefused):
    """``strict``: a query naming a term the graph does not have is refused (400) with the first warning."""

    def __init__(self, warnings: list[QueryWarning]) -> None:
        first = warnings[0]
        more = f" (and {len(warnings) - 1} more)" if len(warnings) > 1 else ""
        super().__init__(first.message + more, first.line, first.column, status=400)
        self.warnings = warnings


class LintVocabulary:
    """The IRIs of one release in our namespaces: terms, resources, graphs, and the deprecated terms."""

    def __init__(self, iris: Iterable[str], deprecated: Mapping[str, str | None]) -> None:
        self.known = frozenset(iris)
        self.deprecated = dict(deprecated)
        self._local: dict[str, list[str]] = {}
        for iri in self.known:
            if iri not in self.deprecated:
                self._local.setdefault(_namespace_of(iri), []).append(iri)

    @classmethod
    def of_store(cls, store: QueryStore) -> LintVocabulary:
        """Read the vocabulary of a store (ontology and release: the release holds the ontology)."""
        iris: set[str] = set()
        for query, name in ((_SUBJECTS, "s"), (_PREDICATES, "p"), (_CLASSES_USED, "c"), (_GRAPHS, "g")):
            iris.update(value_of(row, name) for row in store.query(query).rows if name in row)
        deprecated = {value_of(row, "term"): (value_of(row, "replacement") if "replacement" in row else None)
                      for row in store.query(_DEPRECATED).rows}
        return cls(iris, deprecated)

    def closest(self, iri: str) -> str | None:
        """The existing, not deprecated IRI of the same kind closest in spelling to ``iri``, if any is close."""
        namespace = _namespace_of(iri)
        local = iri[len(namespace):]
        candidates = {c[len(namespace):]: c for c in self._local.get(namespace, ())
                      if abs(len(c) - len(iri)) <= max(3, len(local) // 3)}
        folded = {name.lower(): name for name in candidates}
        if local.lower() in folded:  # a case slip: HazardRatio for hazardRatio
            return candidates[folded[local.lower()]]
        found = difflib.get_close_matches(local, list(candidates), n=1, cutoff=0.75)
        return candidates[found[0]] if found else None


def _namespace_of(iri: str) -> str:
    for namespace in (_GRAPH, _RES):
        if iri.startswith(namespace):
            return namespace
    return _MMKG


def _kind(namespace: str) -> str:
    return {_RES: "a resource of the graph", _GRAPH: "a graph of this dataset"}.get(namespace,
                                                                                    "a term of the ontology")


def lint(text: str, vocabulary: LintVocabulary, predeclared: Mapping[str, str] | None = None,
         base: str | None = None) -> list[QueryWarning]:
    """The warnings for ``text``: its IRIs in our namespaces that the release does not have or deprecates.

    >>> vocab = LintVocabulary(["https://w3id.org/mmkg/endpoint", "https://w3id.org/mmkg/resource/pfs"], {})
    >>> [w.message for w in lint("SELECT * WHERE { ?f mmkg:endpiont res:pfs }", vocab, {
    ...     "mmkg": "https://w3id.org/mmkg/", "res": "https://w3id.org/mmkg/resource/"})]
    ['mmkg:endpiont at 1:21 is not a term of the ontology; did you mean mmkg:endpoint?']
    """
    toks = list(tokens(unescape(text)))
    prefixes = {**(predeclared or {}), **declared_prefixes(toks)}
    warnings: list[QueryWarning] = []
    for i, token in enumerate(toks):
        if i > 0 and toks[i - 1].upper in ("PREFIX", "BASE"):
            continue
        if i > 1 and toks[i - 2].upper == "PREFIX":
            continue
        iri = _iri(token, prefixes, base)
        if iri is None or not iri.startswith(_MMKG) or iri in (_MMKG, _RES, _GRAPH) or iri.endswith("/"):
            continue
        warning = _check(token, iri, vocabulary, prefixes)
        if warning is not None:
            warnings.append(warning)
    return warnings


def _iri(token: Token, prefixes: Mapping[str, str], base: str | None) -> str | None:
    if token.kind == "iri":
        written = token.text[1:-1]
        return urljoin(base, written) if base and ":" not in written else written
    if token.kind == "pname":
        prefix, _, local = token.text.partition(":")
        if prefix in prefixes and local:
            return prefixes[prefix] + local.replace("\\", "")
    return None


def _written(iri: str, token: Token, prefixes: Mapping[str, str]) -> str:
    """``iri`` written the way ``token`` was: with the same prefix, or in full."""
    if token.kind == "pname":
        prefix = token.text.partition(":")[0]
        namespace = prefixes[prefix]
        if iri.startswith(namespace) and "/" not in iri[len(namespace):]:
            return f"{prefix}:{iri[len(namespace):]}"
        for name in ("mmkg", "res", "graph"):  # e.g. res: for a resource written as mmkg:resource/...
            if name in prefixes and iri.startswith(prefixes[name]) and "/" not in iri[len(prefixes[name]):]:
                return f"{name}:{iri[len(prefixes[name]):]}"
    return f"<{iri}>"


def _check(token: Token, iri: str, vocabulary: LintVocabulary, prefixes: Mapping[str, str]) -> QueryWarning | None:
    written = token.text
    where = f"{written} at {token.line}:{token.column}"
    if iri in vocabulary.deprecated:
        replacement = vocabulary.deprecated[iri]
        shown = _written(replacement, token, prefixes) if replacement else None
        advice = f"use {shown} instead" if shown else "it has no replacement"
        return QueryWarning(f"{where} is deprecated; {advice}", token.line, token.column, written, shown)
    if iri in vocabulary.known:
        return None
    closest = vocabulary.closest(iri)
    shown = _written(closest, token, prefixes) if closest else None
    advice = f"did you mean {shown}?" if shown else "no existing one is spelt like it"
    return QueryWarning(f"{where} is not {_kind(_namespace_of(iri))}; {advice}", token.line, token.column, written,
                        shown)
