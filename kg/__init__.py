"""myeloma-kg: the clinical evidence on maintenance therapy in multiple myeloma as a knowledge graph.

The package builds the graph (:mod:`kg.pipeline.steps`), serves it from an embedded store (:mod:`kg.query.store`)
and runs saved queries (:mod:`kg.query.catalogue`). It never imports the web front end.
"""

from typing import TYPE_CHECKING

__version__ = "0.1.0"

if TYPE_CHECKING:  # for type checkers; at run time the API is imported when first used (below)
    from kg.api import Graph, Rows, open

__all__ = ["Graph", "Rows", "__version__", "open"]


def __getattr__(name: str) -> object:
    """``kg.open``, ``kg.Graph``, ``kg.Rows``: the Python API (:mod:`kg.api`), imported when first used."""
    if name in ("open", "Graph", "Rows"):
        from kg import api

        return getattr(api, name)
    raise AttributeError(f"module 'kg' has no attribute {name!r}")
