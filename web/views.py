"""View models: one documented dataclass per page, holding everything its template shows.

Views gather data and build every link (including the SPARQL behind "open in the editor" links);
templates only render what they are given. :func:`render` passes a view's fields to its template
by name, so ``{{ entity.label }}`` in ``entity.html`` is :attr:`EntityView.entity`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any, ClassVar

from flask import render_template, url_for
from markupsafe import Markup

from kg.evidence.gather import Link
from kg.evidence.grid import Column, EvidenceMap, Result
from kg.evidence.paging import MapPage
from kg.query.catalogue import SavedQuery
from kg.query.lint import QueryWarning
from kg.query.store import QueryResult
from kg.readers.describe import Entity
from kg.readers.graphs import ParameterChoices
from kg.readers.names import Names
from kg.readers.result_context import ResultContexts
from kg.readers.stats import DatasetStats
from kg.readers.vocabulary import VocabTerm, Vocabulary
from web.context import ctx
from web.entity_evidence import EvidenceTable, FindingCard, TrialSummary
from web.errors import HttpError

__all__ = [
    "DocsView",
    "EditorView",
    "EntityView",
    "EvidenceView",
    "GraphView",
    "HomeView",
    "OntologyView",
    "QueryListView",
    "QueryView",
    "ReaderAids",
    "RowsPage",
    "SearchView",
    "ServiceView",
    "View",
    "at_a_glance",
    "editor_link",
    "reader_aids",
    "render",
]


def editor_link(sparql: str, *, run: bool = True) -> str:
    """The editor's URL with ``sparql`` in it (``run=False`` opens it without running it)."""
    return url_for("pages.editor", query=sparql) if run else url_for("pages.editor", query=sparql, run=0)


@dataclass
class View:
    """Base of the page views; ``template`` names the Jinja template that renders it."""

    template: ClassVar[str]


@dataclass(frozen=True)
class ReaderAids:
    """What every template uses to show words instead of codes and the context of each result."""

    names: Names
    contexts: ResultContexts
    choices: ParameterChoices


def reader_aids() -> ReaderAids:
    """The app's names, result contexts and parameter choices (read once per app: a release never changes)."""
    app_ctx = ctx()
    return ReaderAids(app_ctx.names, app_ctx.contexts, app_ctx.choices)


def render(view: View) -> str:
    """The page: the view's template with each of its fields as a variable of the same name, plus
    ``view`` itself and the reader aids (``names``, ``contexts``, ``parameter_choices``)."""
    aids = reader_aids()
    return render_template(view.template, view=view, names=aids.names, contexts=aids.contexts,
                           parameter_choices=aids.choices,
                           **{f.name: getattr(view, f.name) for f in fields(view)})


@dataclass(frozen=True)
class GlanceLine:
    """One regimen's results for one outcome, for the home page."""

    regimen: Link
    results: list[Result]


@dataclass(frozen=True)
class Glance:
    """Which regimens improve an outcome, by how much, according to which sources."""

    column: Column
    significant: list[GlanceLine]
    other: list[GlanceLine]


def at_a_glance(evidence: EvidenceMap, keys: tuple[str, ...] = ("pfs", "os")) -> list[Glance]:
    """For PFS and OS: regimens with a significant benefit (their estimates first), then the others."""
    found = []
    for column in evidence.columns:
        if column.key not in keys:
            continue
        significant: list[GlanceLine] = []
        other: list[GlanceLine] = []
        for row in evidence.rows:
            results = row.cells.get(column.key, [])
            if not results:
                continue
            ranked = sorted(results, key=lambda r: (r.mark.css != "sig-benefit", not r.finding.is_ratio,
                                                    r.finding.source))
            line = GlanceLine(row.regimen, ranked[:3])
            (significant if ranked[0].mark.css == "sig-benefit" else other).append(line)
        found.append(Glance(column, significant, other))
    return found


@dataclass
class HomeView(View):
    """``/``: evidence at a glance, entry points, sources, what the graph holds, a few saved queries."""

    template: ClassVar[str] = "home.html"
    stats: DatasetStats
    classes: list[tuple[str, int]]
    entry_points: list[tuple[str, str]]
    queries: list[SavedQuery]
    vocabulary: Vocabulary
    glance: list[Glance] = field(default_factory=list)
    source_names: dict[str, str] = field(default_factory=dict)


@dataclass
class OntologyView(View):
    """``/ontology``: our classes as a tree, our properties, and the imported terms by vocabulary."""

    template: ClassVar[str] = "ontology.html"
    vocabulary: Vocabulary
    roots: list[VocabTerm]
    children: dict[str, list[VocabTerm]]
    classes: list[VocabTerm]
    properties: list[VocabTerm]
    imported: list[tuple[str, list[tuple[str, str, str]]]]
    diagram: Markup = field(default_factory=Markup)
    """The model diagram's SVG (drawn by this package from the ontology, never user input)."""
    arrows: list[tuple[str, str, str]] = field(default_factory=list)
    """The diagram's arrows as a list: (class, property, class)."""


@dataclass
class EditorView(View):
    """``/query``: the SPARQL editor with the query, its result or error, and the examples."""

    template: ClassVar[str] = "editor.html"
    text: str
    result: QueryResult | None
    error: HttpError | None
    labels: dict[str, str]
    examples: list[dict[str, str]]
    graph_text: str | None
    ran: bool
    warnings: list[QueryWarning] = field(default_factory=list)
    """Terms of the query the graph does not have (:mod:`kg.query.lint`), shown at their position."""


@dataclass
class QueryListView(View):
    """``/queries``: the saved-query catalogue."""

    template: ClassVar[str] = "queries.html"
    queries: list[SavedQuery]


@dataclass(frozen=True)
class RowsPage:
    """Where the rows a saved query's page shows stand in its whole answer."""

    page: int
    size: int
    """Rows a page shows at most."""
    first: int
    """The number of this page's first row in the answer (from 1)."""
    shown: int
    more: bool
    """Whether a next page has rows."""
    total: int | None
    """Every row of the answer, when this page is the last (None: not counted)."""
    capped: bool = False
    """The answer has rows past the ones a page can reach (downloads carry them)."""
    previous_href: str | None = None
    next_href: str | None = None

    @property
    def last(self) -> int:
        """The number of this page's last row."""
        return self.first + self.shown - 1


@dataclass
class QueryView(View):
    """``/queries/<name>``: a saved query's form, its result or error, and its links."""

    template: ClassVar[str] = "query.html"
    query: SavedQuery
    fields: list[dict[str, Any]]
    result: QueryResult | None
    labels: dict[str, str]
    error: HttpError | None
    query_string: str
    editor_url: str
    plot: str = ""
    """A forest plot when the result has estimates with intervals."""
    warnings: list[str] = field(default_factory=list)
    """IRI parameters that name nothing in the graph (a typo answers with no rows)."""
    rows: RowsPage | None = None
    """Which of the answer's rows the page shows (None: not a table of rows); its links keep the parameters."""


@dataclass
class SearchView(View):
    """``/search``: the hits for ``q``."""

    template: ClassVar[str] = "search.html"
    q: str
    hits: list[dict[str, str | None]]
    shown: str = ""
    """Only the hits of this kind ("" for all)."""

    @property
    def groups(self) -> list[tuple[str, list[dict[str, str | None]]]]:
        """The hits by kind (finding, drug, publication, ...), in the order of each kind's best hit."""
        grouped: dict[str, list[dict[str, str | None]]] = {}
        for hit in self.hits:
            grouped.setdefault(hit["type"] or "other term", []).append(hit)
        return list(grouped.items())


@dataclass
class EntityView(View):
    """``/resource/…``, ``/ontology/…``, ``/describe``: one entity with its findings and forest plot."""

    template: ClassVar[str] = "entity.html"
    entity: Entity
    plot: str
    term: VocabTerm | None
    children: list[str]
    vocabulary: Vocabulary
    instances_url: str | None = None
    """The editor listing the instances of a class (when the entity is one of ours with instances)."""
    findings_url: str | None = None
    """The editor listing every finding when the table shows only the first ones."""
    incoming_urls: dict[str, str] = field(default_factory=dict)
    """For each incoming property with more subjects than shown: the editor listing all of them."""
    card: FindingCard | None = None
    """For a finding: its summary card (title, figures, significance, source sentence, related findings)."""
    evidence: EvidenceTable | None = None
    """Every finding that concerns the entity, with how (via a pooled regimen, a trial identification ...)."""
    trial: TrialSummary | None = None
    """For a study: design, patients per arm, endpoints and main results."""
    source_names: dict[str, str] = field(default_factory=dict)


@dataclass
class GraphView(View):
    """``/graph/…``: a named graph's size, its source document and its subjects."""

    template: ClassVar[str] = "graph.html"
    iri: str
    count: int
    subjects: list[tuple[str, str | None]]
    source: str | None
    inferred: bool
    editor_url: str


@dataclass
class ServiceView(View):
    """``GET /sparql`` without a query, in a browser: how to use the endpoint."""

    template: ClassVar[str] = "sparql_service.html"
    endpoint: str
    graphs: list[str]
    prefixes: list[tuple[str, str]]
    """The predeclared prefixes, (prefix, namespace)."""


@dataclass
class EvidenceView(View):
    """``/evidence``: regimens by outcomes across sources, with filters, a forest plot and downloads."""

    template: ClassVar[str] = "evidence.html"
    evidence: EvidenceMap
    plot: str
    source_names: dict[str, str]
    query_string: str
    downloads: list[tuple[str, str]]
    """(label, URL) of the twins and exports, with the same filters."""
    page: MapPage
    """The rows (or the one cell's results) this page shows."""
    state: dict[str, str]
    """The URL state but the page number: filters, chosen regimen and outcome (links keep it)."""
    json_query: str
    """The JSON twin's query string: the same state, every result (the twin is never paged)."""
    warnings: list[str] = field(default_factory=list)
    """Duplicate reports of one trial's result in the meta-analysis export: check before pooling."""


@dataclass
class DocsView(View):
    """``/docs/querying``: the querying guide rendered from Markdown."""

    template: ClassVar[str] = "docs.html"
    body: Markup
    examples: int
