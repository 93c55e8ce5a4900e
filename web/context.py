"""What every view needs: the store, the saved queries and the indexes built from them."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import cast

from flask import current_app, request

from kg.evidence.gather import Finding, gather, source_names
from kg.evidence.index import EvidenceIndex
from kg.evidence.map_index import MapIndex
from kg.evidence.trials import Trial, trial_table
from kg.query.answer_cache import AnswerCache
from kg.query.catalogue import Catalogue
from kg.query.outside import Budget, OutsideQueries
from kg.query.protocol.admission import Admission
from kg.query.protocol.guard import QueryPolicy
from kg.query.protocol.sandbox import QueryPool
from kg.query.store import QueryStore
from kg.readers.describe import Describer
from kg.readers.graphs import ParameterChoices
from kg.readers.names import Names
from kg.readers.result_context import ResultContexts
from kg.readers.search_index import SearchIndex
from kg.readers.stats import DatasetStats
from kg.readers.vocabulary import Vocabulary
from web.page_cache import PageCache
from web.settings import Settings

__all__ = ["AppContext", "client_id", "ctx"]


@dataclass
class AppContext:
    """Shared, read-only state of one app."""

    store: QueryStore
    catalogue: Catalogue
    settings: Settings = field(default_factory=Settings)
    pool: QueryPool | None = None
    """Worker processes for queries from outside; None runs them in-process (no time limit)."""
    page_cache: PageCache | None = None
    """Rendered pages of the served release (None: not cached, e.g. a remote store whose data may change)."""
    plotted: dict[str, tuple[list[Finding], int]] = field(default_factory=dict)
    """Per entity: the ratio estimates its forest plot shows and how many it has (derived, like ``findings``)."""
    map_plots: dict[object, str] = field(default_factory=dict)
    """The evidence map's forest plot per filter combination (derived; bounded by the map index's cache)."""

    @cached_property
    def policy(self) -> QueryPolicy:
        return QueryPolicy(self.settings.allowed_services, frozenset(g for g, _ in self.stats.graphs))

    @cached_property
    def outside(self) -> OutsideQueries:
        """The one entry for queries from outside (/sparql, the editor, the saved-query twins)."""
        answers = (AnswerCache(self.settings.answer_cache_bytes, self.settings.answer_cache_entries)
                   if self.settings.answer_cache_bytes > 0 and self.settings.answer_cache_entries > 0 else None)
        return OutsideQueries(self.store, pool=self.pool, policy=self.policy, admission=self.admission,
                              budget=Budget(self.settings.max_rows, self.settings.max_result_bytes), answers=answers)

    @cached_property
    def admission(self) -> Admission:
        return Admission(self.settings.client_queries, self.settings.client_budget)

    @cached_property
    def vocabulary(self) -> Vocabulary:
        return Vocabulary(self.store)

    @cached_property
    def search(self) -> SearchIndex:
        return SearchIndex(self.store, self.vocabulary)

    @cached_property
    def stats(self) -> DatasetStats:
        return DatasetStats.compute(self.store)

    @cached_property
    def describer(self) -> Describer:
        return Describer(self.store)

    @cached_property
    def findings(self) -> list[Finding]:
        """Every finding, flattened for evidence views (read once: a release never changes)."""
        return gather(self.store)

    @cached_property
    def findings_by_iri(self) -> dict[str, Finding]:
        return {f.iri: f for f in self.findings}

    @cached_property
    def supports(self) -> dict[str, list[Finding]]:
        """For each finding, the findings it supports (those that name it in ``supported_by``)."""
        found: dict[str, list[Finding]] = {}
        for f in self.findings:
            for supporting in f.supported_by:
                found.setdefault(supporting, []).append(f)
        return found

    @cached_property
    def evidence(self) -> EvidenceIndex:
        return EvidenceIndex(self.store, self.findings)

    @cached_property
    def maps(self) -> MapIndex:
        """The findings by filter value; evidence maps and summary tables worked out once per release."""
        return MapIndex(self.store, self.findings, self.trials)

    @cached_property
    def source_names(self) -> dict[str, str]:
        return source_names(self.store)

    @cached_property
    def trials(self) -> dict[str, Trial]:
        """Every trial or analysis with its key, design, included trials, N (for the exports)."""
        return trial_table(self.store, self.findings)

    @cached_property
    def names(self) -> Names:
        """Sources, cited trials and publications as a reader names them (read lazily, piece by piece)."""
        return Names(self.store)

    @cached_property
    def contexts(self) -> ResultContexts:
        """Population, N, trials pooled and design beside each result."""
        return ResultContexts(self.findings)

    @cached_property
    def choices(self) -> ParameterChoices:
        """Labels an IRI parameter of a saved query can be picked from."""
        return ParameterChoices(self.store)

    def warm(self) -> None:
        """Build the indexes now rather than on the first request."""
        _ = self.vocabulary, self.search, self.stats, self.policy, self.findings_by_iri, self.supports, self.evidence
        _ = self.names.warm(), self.contexts, self.choices
        _ = self.outside.vocabulary
        self.maps.warm()


def client_id() -> str:
    """Who is asking: the connection's address (behind a trusted proxy, the one it forwards for)."""
    return request.remote_addr or "unknown"


def ctx() -> AppContext:
    """The context of the app handling the current request."""
    return cast(AppContext, current_app.extensions["mmkg"])
