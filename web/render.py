"""Template helpers: how RDF terms appear in tables and lists."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pyoxigraph as ox
from flask import Flask

from kg.namespaces import PREFIXES
from kg.query.catalogue import Column, SavedQuery, column_title
from kg.query.store import Term
from web.iris import compact, local_path

__all__ = ["Cell", "cell", "register_filters"]

_NUMERIC = {"integer", "decimal", "double", "float", "int", "long", "nonNegativeInteger", "positiveInteger"}


@dataclass(frozen=True)
class Cell:
    """A term ready to show: its text, where it links, and a hint for the cell's class."""

    text: str
    href: str | None = None
    title: str | None = None
    kind: str = "literal"  # iri, literal, number, bnode, boolean


def cell(term: Term | None, labels: dict[str, str] | None = None) -> Cell:
    """How a term is shown: IRIs by label (or CURIE) and linked to their page; literals as text."""
    if term is None:
        return Cell("")
    if isinstance(term, ox.NamedNode):
        source = _source_names().get(term.value)
        if source is not None:  # a source document: its id as a compact badge, its name on hover
            return Cell(term.value.rsplit("/", 1)[-1], local_path(term.value), source, "source")
        label = (labels or {}).get(term.value)
        return Cell(label or compact(term.value), local_path(term.value), term.value, "iri")
    if isinstance(term, ox.Literal):
        local = term.datatype.value.rsplit("#", 1)[-1]
        if local in _NUMERIC:
            return Cell(term.value, None, f"xsd:{local}", "number")
        if local == "boolean":
            return Cell(term.value, None, "xsd:boolean", "boolean")
        title = f"@{term.language}" if term.language else (None if local in ("string", "langString")
                                                         else compact(term.datatype.value))
        return Cell(term.value, None, title, "literal")
    if isinstance(term, ox.BlankNode):
        return Cell(f"_:{term.value}", None, "blank node", "bnode")
    return Cell(str(term), None, "quoted triple", "literal")


def _source_names() -> dict[str, str]:
    """Source documents of the app's graph by IRI, with their readable names (empty outside a request)."""
    from flask import has_app_context

    if not has_app_context():
        return {}
    from web.context import ctx

    return {PREFIXES["res"] + sid: name for sid, name in ctx().source_names.items()}


def column_of(query: SavedQuery | None, variable: str) -> Column:
    """A result column's title and unit: as the saved query declares, else the variable in words."""
    return query.column(variable) if query is not None else Column(column_title(variable))


def humanise(name: str) -> str:
    """A class's local name for people: ``RandomisedControlledTrial`` -> ``randomised controlled trial``.

    >>> humanise("NetworkMetaAnalysis")
    'network meta-analysis'
    """
    words = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name).lower()
    return words.replace("meta analysis", "meta-analysis").replace("non randomised", "non-randomised")


def register_filters(app: Flask) -> None:
    app.jinja_env.filters["humanise"] = humanise
    app.jinja_env.filters["compact"] = compact
    app.jinja_env.filters["local_path"] = local_path
    app.jinja_env.globals["cell"] = cell
    app.jinja_env.globals["column_of"] = column_of
    app.jinja_env.globals["is_iri"] = lambda term: isinstance(term, ox.NamedNode)
    app.jinja_env.globals["is_literal"] = lambda term: isinstance(term, ox.Literal)
    app.jinja_env.globals["is_blank"] = lambda term: isinstance(term, ox.BlankNode)
