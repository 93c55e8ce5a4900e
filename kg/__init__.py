"""myeloma-kg: the clinical evidence on maintenance therapy in multiple myeloma as a knowledge graph.

The package builds the graph (:mod:`kg.pipeline.steps`), serves it from an embedded store (:mod:`kg.query.store`)
and runs saved queries (:mod:`kg.query.catalogue`). It never imports the web front end.
"""

__version__ = "0.1.0"
