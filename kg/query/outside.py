"""The one way in for a query from outside: ``/sparql``, the editor (``/query``), the saved-query twins and
``mmkg sparql`` all call :class:`OutsideQueries`.

Each query is **checked** (:func:`kg.query.protocol.guard.check_query`: no updates, no SERVICE off the allow-list,
no remote graphs; then :func:`kg.query.lint.lint` for our own vocabulary, whose warnings travel with the answer or,
``strict``, refuse it), **admitted** (:class:`kg.query.protocol.admission.Admission`: the client's share of the
workers), **run** on the worker pool when there is one, else on the store (embedded, or a remote endpoint), and
brought back under one :class:`Budget`: rows past ``budget.rows`` are cut and the answer flagged ``truncated``;
an answer over ``budget.bytes`` is refused with :class:`~kg.errors.ResultTooLarge` (413), never held whole.
Given an :class:`~kg.query.answer_cache.AnswerCache`, an answer written by the embedded store is kept for the
same query asked again; a repeated query is still checked and admitted, only not run again.

The site's own saved queries (``own=True``) skip the guard, the lint and admission (their text is ours) and may
use the workers kept for the site's pages; they keep the same budget.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Hashable, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from kg.errors import QueryError, QueryRefused
from kg.query.answer_cache import AnswerCache
from kg.query.lint import LintVocabulary, QueryWarning, VocabularyError, lint
from kg.query.prefixes import PREDECLARED
from kg.query.protocol.admission import Admission
from kg.query.protocol.guard import QueryPolicy, check_query
from kg.query.protocol.native import NotAcceptable, serialised_query
from kg.query.protocol.sandbox import QueryPool
from kg.query.results import GRAPH_FORMATS, RESULT_FORMATS, Serialised, serialise
from kg.query.store import BASE_IRI, QueryResult, QueryStore, Store, Term, result_too_large

__all__ = ["WARNING_HEADER", "Answer", "Budget", "OutsideQueries", "OutsideQuery", "UnknownGraph", "Written",
           "warning_headers"]

WARNING_HEADER = "Warning"
"""The HTTP header that carries vocabulary warnings, one field per warning in RFC 7234's form
(``199 mmkg "mmkg:endpiont at 1:21 is not a term of the ontology; did you mean mmkg:endpoint?"``: 199 is its
"miscellaneous warning" code). Non-ASCII characters are written as ``\\uXXXX``."""


_CACHED_TEXT = 8192
"""Query texts up to this many characters have their guard and lint verdicts kept (256 of each at most)."""


class UnknownGraph(QueryError):
    """A ``default-graph-uri`` / ``named-graph-uri`` the dataset does not hold (400; remote graphs are never
    fetched)."""

    http_status = 400


@dataclass(frozen=True)
class Budget:
    """What one answer may hold: rows (or triples) before it is cut and flagged, bytes before it is refused."""

    rows: int = 10_000
    bytes: int = 64 * 2**20


@dataclass(frozen=True)
class OutsideQuery:
    """A query as it came in, with what the caller knows about it."""

    text: str
    bindings: Mapping[str, Term] | None = None
    default_graphs: Sequence[str] = ()
    """The protocol's ``default-graph-uri`` (with ``named_graphs``: the dataset; neither: the query's own)."""
    named_graphs: Sequence[str] = ()
    base_iri: str = BASE_IRI
    client: str = "local"
    """Whose share of the workers it uses (an address)."""
    timeout: float | None = None
    """Seconds the caller asks for (at most the pool's limit)."""
    strict: bool = False
    """Vocabulary warnings refuse the query (400) instead of travelling with the answer."""
    own: bool = False
    """One of the site's saved queries: not checked or admitted, may use the reserved workers."""


@dataclass
class Answer:
    """Rows, a boolean or triples (at most the budget's rows), and the vocabulary warnings."""

    result: QueryResult
    warnings: list[QueryWarning] = field(default_factory=list)

    @property
    def truncated(self) -> bool:
        return self.result.truncated


@dataclass
class Written:
    """An answer already written in a media type (by the engine where it can), and the warnings."""

    answer: Serialised
    warnings: list[QueryWarning] = field(default_factory=list)
    kept_as: Hashable | None = None
    """The key the answer cache holds this answer under (None: not kept); :meth:`OutsideQueries.again` gives it
    back for the same request without reading or checking the query anew."""

    @property
    def truncated(self) -> bool:
        return self.answer.truncated

    @property
    def body(self) -> bytes:
        """The answer, with a top-level ``"warnings"`` member in SPARQL JSON results when there are warnings
        (after ``head``, where standard parsers ignore it, like the ``truncated`` member)."""
        body = self.answer.body
        if not self.warnings or self.answer.media_type != "application/sparql-results+json":
            return body
        head = body.find(b'"head":')
        end = body.find(b"}", head) if head >= 0 else -1
        if end < 0:
            return body
        member = json.dumps([w.as_json() for w in self.warnings], ensure_ascii=False).encode()
        return body[:end + 1] + b',"warnings":' + member + body[end + 1:]


def warning_headers(warnings: Sequence[QueryWarning]) -> list[str]:
    """The :data:`WARNING_HEADER` field values for ``warnings``.

    >>> warning_headers([QueryWarning('res:x at 1:2 is not "known"', 1, 2, "res:x")])
    ['199 mmkg "res:x at 1:2 is not \\\\"known\\\\""']
    """
    values = []
    for warning in warnings:
        text = warning.message.replace("\\", "\\\\").replace('"', '\\"')
        text = text.encode("ascii", "backslashreplace").decode("ascii")
        values.append(f'199 mmkg "{text}"')
    return values


class OutsideQueries:
    """Check, admit, run and bound every query from outside against one store (and its pool)."""

    def __init__(self, store: QueryStore, *, pool: QueryPool | None = None, policy: QueryPolicy | None = None,
                 admission: Admission | None = None, budget: Budget | None = None,
                 vocabulary: Callable[[], LintVocabulary] | None = None,
                 prefixes: Mapping[str, str] = PREDECLARED, answers: AnswerCache | None = None) -> None:
        self.store = store
        self.answers = answers
        """Written answers kept for repeated queries (:mod:`kg.query.answer_cache`; the embedded store only, whose
        release never changes); None: every query runs."""
        self.pool = pool
        self.policy = policy or QueryPolicy()
        self.admission = admission
        self.budget = budget or Budget()
        self.prefixes = dict(prefixes)
        self._vocabulary = vocabulary or (lambda: LintVocabulary.of_store(store))
        self._lint_cached = lru_cache(maxsize=256)(self._lint_uncached)
        self._guard_cached = lru_cache(maxsize=256)(self._guard_uncached)

    # --- checks ---------------------------------------------------------------------------------

    @cached_property
    def vocabulary(self) -> LintVocabulary:
        """The release's terms and resources, read on first use (a release never changes)."""
        return self._vocabulary()

    def _guard_uncached(self, text: str, base: str) -> QueryRefused | None:
        try:
            check_query(text, self.policy, self.prefixes, base)
        except QueryRefused as exc:
            return exc
        return None

    def _lint_uncached(self, text: str, base: str) -> tuple[QueryWarning, ...]:
        return tuple(lint(text, self.vocabulary, self.prefixes, base))

    def check(self, query: OutsideQuery) -> list[QueryWarning]:
        """Refuse what the policy refuses; the vocabulary warnings (a 400 when ``strict``).

        Results are kept per query text and base (a guard or lint pass is pure), so a repeated query is not lexed
        again.

        :raises QueryRefused: for an update, a SERVICE off the allow-list, a graph the dataset does not hold.
        :raises VocabularyError: ``strict``, when the query names a term or resource the release does not have.
        """
        if query.own:
            return []
        small = len(query.text) <= _CACHED_TEXT  # verdicts kept for small texts only: the cache stays small
        guard = self._guard_cached if small else self._guard_uncached
        lint_of = self._lint_cached if small else self._lint_uncached
        refused = guard(query.text, query.base_iri)
        if refused is not None:
            raise refused
        local = self.policy.local_graphs
        for graph in [*query.default_graphs, *query.named_graphs]:
            if local is not None and graph not in local:
                raise UnknownGraph(f"graph <{graph}> is not a graph of this dataset (remote graphs are never fetched)")
        warnings = list(lint_of(query.text, query.base_iri))
        if warnings and query.strict:
            raise VocabularyError(warnings)
        return warnings

    def _options(self, query: OutsideQuery) -> dict[str, object]:
        dataset = bool(query.default_graphs or query.named_graphs)
        return {"default_graphs": tuple(query.default_graphs) if dataset else None,
                "named_graphs": tuple(query.named_graphs) if dataset else None,
                "base_iri": query.base_iri, "prefixes": self.prefixes}

    # --- running --------------------------------------------------------------------------------

    def rows(self, query: OutsideQuery, *, rows: int | None = None) -> Answer:
        """Check and run ``query``; at most ``rows`` rows (the budget's when not given; never more).

        :raises ResultTooLarge: when the kept rows come to more than the byte budget.
        :raises QueryError: the store boundary's errors (refused, does not parse, timeout, busy, remote failures).
        """
        warnings = self.check(query)
        limit = min(rows, self.budget.rows) if rows is not None else self.budget.rows
        options = self._options(query)
        with self._admitted(query):
            if self.pool is not None:
                result = self.pool.query(query.text, query.bindings, limit=limit, timeout=query.timeout,
                                         outside=not query.own, max_bytes=self.budget.bytes,
                                         **options)  # type: ignore[arg-type]
            else:
                result = self.store.query(query.text, query.bindings, limit=limit, max_bytes=self.budget.bytes,
                                          **options)  # type: ignore[arg-type]
        return Answer(result, warnings)

    def written(self, query: OutsideQuery, select_type: str | None, graph_type: str | None) -> Written:
        """Check and run ``query`` and write its answer in ``select_type`` (SELECT, ASK) or ``graph_type``
        (CONSTRUCT, DESCRIBE), whichever fits; None where the client accepts none of that kind.

        The embedded store (and its workers) write the answer in the engine; a remote store's rows are written
        here. Either way under the budget.

        :raises NotAcceptable: when the answer's kind has no acceptable format (406).
        :raises ResultTooLarge: over the byte budget (413).
        """
        if not isinstance(self.store, Store):
            answer = self.rows(query)
            media = graph_type if answer.result.kind == "graph" else select_type
            if media is None:
                offered = GRAPH_FORMATS if answer.result.kind == "graph" else RESULT_FORMATS
                raise NotAcceptable(f"ask for one of {', '.join(offered)} for this answer")
            body = serialise(answer.result, media)
            if len(body.body) > self.budget.bytes:
                raise result_too_large(self.budget.bytes)
            return Written(body, answer.warnings)
        warnings = self.check(query)
        options = {**self._options(query), "select_type": select_type, "graph_type": graph_type,
                   "limit": self.budget.rows, "max_bytes": self.budget.bytes}
        key = self._answer_key(query, select_type, graph_type)
        with self._admitted(query):
            kept = self.answers.get(key) if self.answers is not None and key is not None else None
            if kept is not None:
                return Written(kept, warnings, key)
            if self.pool is not None:
                written = self.pool.query_serialised(query.text, timeout=query.timeout,
                                                     **options)  # type: ignore[arg-type]
            else:
                written = serialised_query(self.store, query.text, bindings=query.bindings,
                                           **options)  # type: ignore[arg-type]
        if self.answers is not None and key is not None and self.answers.put(key, query.text, written):
            return Written(written, warnings, key)
        return Written(written, warnings)

    def again(self, key: Hashable, warnings: list[QueryWarning], client: str, *, own: bool = False) -> Written | None:
        """The answer kept under ``key`` (a :attr:`Written.kept_as` this entry point gave), admitted for ``client``
        as the query was; None when the cache no longer holds it (the caller then asks :meth:`written`).

        For a caller that remembers which request gave which key (:mod:`web.fast_sparql`): every check a query
        passed (guard, dataset, lint, ``strict``) is pure for one release, so the same request passes again; only
        admission depends on the moment, and it is done here.

        :raises ClientOverLimit: when ``client`` is over its share (429), as :meth:`written` would.
        """
        if self.answers is None:
            return None
        with self._admission(client, own):
            kept = self.answers.get(key)
        return None if kept is None else Written(kept, warnings, key)

    def _answer_key(self, query: OutsideQuery, select_type: str | None, graph_type: str | None) -> Hashable | None:
        """What an answer is kept under: everything it depends on (None: not kept, e.g. bound values)."""
        if self.answers is None or query.bindings or len(query.text) > _CACHED_TEXT:
            return None
        return (query.text, query.base_iri, tuple(query.default_graphs), tuple(query.named_graphs), select_type,
                graph_type, query.own)

    def _admitted(self, query: OutsideQuery) -> AbstractContextManager[None]:
        """The client's share of the workers (nothing for the site's own queries)."""
        return self._admission(query.client, query.own)

    def _admission(self, client: str, own: bool) -> AbstractContextManager[None]:
        if own or self.admission is None:
            return nullcontext()
        return self.admission.admit(client)


