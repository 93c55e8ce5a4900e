"""Settings of the web app, from keyword arguments or ``MMKG_*`` environment variables."""

from __future__ import annotations

import os
from dataclasses import dataclass, fields

__all__ = ["Settings"]


@dataclass(frozen=True)
class Settings:
    """Limits and switches; every field can be set as ``MMKG_<FIELD>`` in the environment."""

    max_rows: int = 10_000
    """Rows (or triples) a query may return before the answer is cut and flagged truncated."""
    max_result_bytes: int = 64 * 2**20
    """Largest answer ``/sparql`` writes (413 with a message above; rows past ``max_rows`` are cut first)."""
    max_query_bytes: int = 100_000
    """Largest query text or request body accepted (413 above)."""
    page_rows: int = 1_000
    """Rows shown in an HTML results table (downloads carry up to ``max_rows``)."""
    query_page_rows: int = 100
    """Rows a saved query's page shows at a time (``page=N`` for the next; its downloads carry up to ``max_rows``)."""
    query_timeout: float = 10.0
    """Seconds a query from outside may run before its worker is killed (requests may ask for less)."""
    min_query_timeout: float = 0.5
    """A request's ``timeout=`` below this counts as this (a tiny one would only kill workers)."""
    queue_wait: float = 1.0
    """Seconds a query waits for a free worker before a 503 with ``Retry-After``."""
    client_queries: int = 1
    """Queries one client may run at once in the workers (one more: 429 with ``Retry-After``)."""
    client_budget: float = 30.0
    """Seconds of worker time one client's queries may use per minute (past it: 429 with ``Retry-After``)."""
    trusted_proxy: str = ""
    """Address of a reverse proxy in front (e.g. ``127.0.0.1``): its ``X-Forwarded-For`` then names the
    client whose limits apply (waitress rewrites the address); empty, the default: the connection's
    address, and forwarding headers from anyone are ignored."""
    worker_memory_mb: int = 0
    """Address space each query worker may use, MiB (RLIMIT_AS; a query past it ends its worker, which is
    replaced, and the client gets 503 saying so). 0, the default: 1 GiB plus 8 times the data file."""
    reserved_workers: int = 1
    """Query workers kept for the app's own saved queries: ``/sparql`` may use the others only, so the
    site's pages answer however busy it is (with one worker, none is kept)."""
    connection_limit: int = 500
    """Open connections the HTTP server keeps (waitress; above its threads, waiting ones are queued)."""
    read_deadline: float = 10.0
    """Seconds a request may take to arrive, headers and body (slow clients are closed past it)."""
    channel_timeout: int = 30
    """Seconds an idle connection is kept open."""
    write_deadline: float = 30.0
    """Seconds a client may take to read an answer, plus one more per ``write_min_rate`` bytes of it: an
    answer still unread past that is dropped with its connection and its spool freed (0: no deadline)."""
    write_min_rate: int = 512 * 2**10
    """Bytes per second, on average, a client must read a large answer at (see ``write_deadline``)."""
    max_spool_bytes: int = 256 * 2**20
    """Bytes of answers held for clients that have not read them yet, all connections together (in memory
    and in temporary files); an answer that would go over it gets 503 with ``Retry-After`` (0: no cap)."""
    workers: int = 2
    """Worker processes running queries from outside (``mmkg serve``; tests may run without)."""
    service_allow: str = ""
    """Space- or comma-separated endpoint URLs ``SERVICE`` may call (scheme, host and port must match, the
    path is a prefix); empty, the default: federation off. Federated queries run in the workers under
    ``query_timeout`` like any other."""
    cors: bool = True
    """Allow cross-origin GET and POST of ``/sparql`` with their preflight (read-only), as Oxigraph's ``--cors``."""
    answer_cache_bytes: int = 16 * 2**20
    """Memory for ``/sparql`` answers of the served release kept for queries asked again (same text, dataset
    and media type; LRU, an answer over a sixteenth of it is not kept; 0: every query runs)."""
    answer_cache_entries: int = 1024
    """Answers kept at most (see ``answer_cache_bytes``)."""
    title: str = "myeloma-kg"
    page_cache_bytes: int = 64 * 2**20
    """Memory for rendered pages and data twins of the served release (LRU by bytes; 0: no cache)."""
    cache_max_age: int = 300
    """Seconds browsers and proxies may reuse a page without asking; after that they revalidate with the
    ETag and get 304 while the release is the same."""
    warm_pages: int = 40
    """Most-linked entity pages rendered into the cache when the server starts (0: none)."""
    draft_workers: int = 2
    """Worker processes for ``/draft`` when served with query workers (drafts never run in a request thread)."""
    draft_timeout: float = 20.0
    """Seconds a ``/draft`` may take before its worker is killed (503 with ``Retry-After``)."""
    draft_memory_mb: int = 2048
    """Address space each draft worker may use, MiB (RLIMIT_AS)."""
    client_drafts: int = 1
    """Drafts one client may run at once (one more: 429 with ``Retry-After``)."""

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        """Defaults, then ``MMKG_*`` variables, then ``overrides``.

        :raises ValueError: naming the variable whose value does not parse.
        """
        values: dict[str, object] = {}
        for f in fields(cls):
            raw = os.environ.get(f"MMKG_{f.name.upper()}")
            if raw is None:
                continue
            try:
                if f.type == "bool":
                    values[f.name] = raw.lower() in ("1", "true", "yes", "on")
                elif f.type == "int":
                    values[f.name] = int(raw)
                elif f.type == "float":
                    values[f.name] = float(raw)
                else:
                    values[f.name] = raw
            except ValueError as exc:
                raise ValueError(f"MMKG_{f.name.upper()}={raw!r}: {exc}") from exc
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)  # type: ignore[arg-type]

    @property
    def allowed_services(self) -> tuple[str, ...]:
        return tuple(p for p in self.service_allow.replace(",", " ").split() if p)
