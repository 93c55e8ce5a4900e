"""Flask-free readers of a release for the web app and the API: entity descriptions (:mod:`~kg.readers.describe`),
finding rows (:mod:`~kg.readers.findings`), citations, the search index, statistics and the vocabulary lists.
Each reads through a store's ``query``; none writes to it."""
