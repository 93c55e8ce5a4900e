"""Writers for the formats other tools read: RDF exports, compacted JSON-LD, OWL views, FHIR Evidence.

Each module produces files or documents that a standard library of the field accepts: pyoxigraph,
rdflib and pyld for RDF and JSON-LD (:mod:`kg.interop.rdf_export`, :mod:`kg.interop.jsonld`), the OWL API
and owlready2 + HermiT for the OWL 2 DL view (:mod:`kg.interop.owl`), ``fhir.resources`` for FHIR R5
``Evidence`` (:mod:`kg.interop.fhir`).
"""
