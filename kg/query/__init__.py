"""Querying the built graph: stores, saved queries, the sandbox, and the readers the web app uses.

Stores (:mod:`~kg.query.store` embedded, :mod:`~kg.query.remote` any SPARQL 1.1 server), the
saved-query catalogue (:mod:`~kg.query.catalogue`), result formats (:mod:`~kg.query.results`),
the guard and sandbox for queries from outside (:mod:`~kg.query.guard`, :mod:`~kg.query.sandbox`),
and Flask-free readers: entity descriptions (:mod:`~kg.query.describe`), search
(:mod:`~kg.query.search_index`), counts (:mod:`~kg.query.stats`), the vocabulary
(:mod:`~kg.query.vocabulary`) and SPARQL term writing (:mod:`~kg.query.sparqlterms`).
"""
