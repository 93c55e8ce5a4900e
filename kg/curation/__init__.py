"""Curation: what a curator writes and how it is checked before anything is built.

:mod:`~kg.curation.schema` (the fact-file models, the single source of truth for finding kinds and
references), :mod:`~kg.curation.yamlread` (YAML with line numbers), :mod:`~kg.curation.factbase`
(loading and reference checks), :mod:`~kg.curation.texts` (source texts, paragraphs, sentences,
locators) and :mod:`~kg.curation.provenance` (every figure found at its locator).
"""
