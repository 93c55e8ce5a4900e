"""Linking to external vocabularies: identifiers, checks, SSSOM, the term import module, enrichment.

:mod:`~kg.linking.prefix_map` (the one CURIE converter: bioregistry's pinned records, our prefixes and IRI forms on
top), :mod:`~kg.linking.identifiers` (prefixes, patterns, link formats), :mod:`~kg.linking.check_ids`
(against bioregistry), :mod:`~kg.linking.sssom` (mappings as SSSOM), :mod:`~kg.linking.term_import`
(MIREOT import module from pinned wheels) and :mod:`~kg.linking.enrich` (labels and xrefs from a
SPARQL endpoint).
"""
