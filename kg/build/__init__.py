"""The build: facts to a reasoned, validated, released graph.

:mod:`~kg.build.pipeline` (the steps, releases written atomically), :mod:`~kg.build.rdfize`
(entities to RDF) and :mod:`~kg.build.finding_rdf` (findings to RDF, one entry per kind),
:mod:`~kg.build.reasoning` (HermiT) and :mod:`~kg.build.validation` (SHACL).
"""
