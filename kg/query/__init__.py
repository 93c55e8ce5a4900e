"""Querying the built graph: stores, saved queries, the sandbox, and the readers the web app uses.

Stores (:mod:`~kg.query.store` embedded, :mod:`~kg.query.remote` any SPARQL 1.1 server), the
saved-query catalogue (:mod:`~kg.query.catalogue`), result formats (:mod:`~kg.query.results`),
the one entry for queries from outside (:mod:`~kg.query.outside`: check, vocabulary lint
:mod:`~kg.query.lint`, admission, pool or store, one row and byte budget) over the guard and sandbox
(:mod:`~kg.query.protocol.guard`, :mod:`~kg.query.protocol.sandbox`), terminal tables (:mod:`~kg.query.table`), the
lists and the editor's opening query web needs (:mod:`~kg.query.listings`, :mod:`~kg.query.editor`), and
Flask-free readers: entity descriptions (:mod:`~kg.readers.describe`), search
(:mod:`~kg.readers.search_index`), counts (:mod:`~kg.readers.stats`), the vocabulary
(:mod:`~kg.readers.vocabulary`) and SPARQL term writing (:mod:`~kg.readers.sparqlterms`).
"""
