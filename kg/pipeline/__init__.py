"""The build: facts to a reasoned, validated, released graph.

:mod:`~kg.pipeline.steps` (the steps, releases written atomically), :mod:`~kg.pipeline.rdfize`
(entities to RDF) and :mod:`~kg.pipeline.finding_rdf` (findings to RDF, one entry per kind),
:mod:`~kg.pipeline.reasoning` (HermiT) and :mod:`~kg.pipeline.validation` (SHACL).
"""
