"""Queries from outside run in worker processes that are killed at the time limit.

A running pyoxigraph query ignores signals and has no timeout, so the only way to stop a runaway
query is to end its process. :class:`QueryPool` keeps ``workers`` processes, each with its own copy
of the store (re-opened from a :class:`StoreSpec`), hands each query to an idle one and waits at most
the time limit; past it the worker is killed, a fresh one started in the background, and the caller
gets :class:`QueryTimeout`. Other requests keep being served by the other workers meanwhile.
"""

from __future__ import annotations

import logging
import math
import multiprocessing as mp
import queue
import select
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

from kg.errors import EngineError, PoolBusy, QuerySyntaxError, QueryTimeout, ResultTooLarge, WorkerCrashed
from kg.query.prefixes import PREDECLARED
from kg.query.protocol.native import NotAcceptable, serialised_query
from kg.query.results import NotRepresentable, Serialised
from kg.query.store import BASE_IRI, QueryResult, Store, Term

__all__ = ["QueryPool", "StoreSpec"]

_log = logging.getLogger("mmkg.query")

@dataclass(frozen=True)
class StoreSpec:
    """How a worker process opens its own copy of the store."""

    nquads: Path | None = None
    """A release's N-Quads, loaded into memory."""
    store_dir: Path | None = None
    """An on-disk pyoxigraph store, opened read-only."""
    rdf_file: Path | None = None
    """Any RDF file (``mmkg serve --graph``)."""

    def open(self) -> Store:
        if self.store_dir is not None:
            return Store.read_only(self.store_dir)
        if self.nquads is not None:
            return Store.from_release(self.nquads)
        if self.rdf_file is not None:
            return Store.from_file(self.rdf_file)
        raise ValueError("an empty StoreSpec")


def _serve(spec: StoreSpec, conn: Connection, memory_limit: int | None = None) -> None:
    """A worker: answer queries until the pipe closes, within ``memory_limit`` bytes of address space."""
    if memory_limit:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (memory_limit, memory_limit))
    store = spec.open()
    conn.send(("ready", None))
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):  # the pool closed the pipe (shutdown): stop quietly
            return
        mode, sparql, bindings, options = task
        if options.get("prefixes") == _PREDECLARED_TOKEN:
            options["prefixes"] = PREDECLARED
        try:
            if mode == "serialise":
                conn.send(("ok", serialised_query(store, sparql, bindings=bindings, **options)))
            else:
                conn.send(("ok", store.query(sparql, bindings, **options)))
        except QuerySyntaxError as exc:
            conn.send(("syntax", (exc.message, exc.position, exc.detail)))
        except (NotAcceptable, ResultTooLarge, NotRepresentable) as exc:
            conn.send(("refused", (type(exc).__name__, str(exc))))
        except (KeyboardInterrupt, SystemExit):
            raise
        except MemoryError:
            conn.send(("memory", None))
            return  # a fresh worker replaces this one: nothing half-freed is kept
        except BaseException as exc:  # pyoxigraph's Rust panics are BaseExceptions: answer them, keep serving
            conn.send(("error", f"{type(exc).__name__}: {exc}"))


_REFUSALS: dict[str, type[Exception]] = {"NotAcceptable": NotAcceptable, "ResultTooLarge": ResultTooLarge,
                                         "NotRepresentable": NotRepresentable}


_PREDECLARED_TOKEN = "predeclared"
"""Sent instead of the predeclared prefixes, which every worker knows (pickling ~70 of them per query was a
fifth of a small query's hand-off)."""


def _dataset(default_graphs: Sequence[str] | None, named_graphs: Sequence[str] | None, base_iri: str | None,
             prefixes: Mapping[str, str] | None) -> dict[str, Any]:
    sent: dict[str, str] | str | None = dict(prefixes) if prefixes else None
    if prefixes is PREDECLARED or sent == PREDECLARED:
        sent = _PREDECLARED_TOKEN
    return {"base_iri": base_iri, "prefixes": sent,
            "default_graphs": tuple(default_graphs) if default_graphs is not None else None,
            "named_graphs": tuple(named_graphs) if named_graphs is not None else None}


@dataclass
class _Worker:
    process: BaseProcess
    conn: Connection
    waiter: select.poll = field(default_factory=select.poll)
    """Polls the pipe for the answer (kept: ``Connection.poll`` builds a selector on every call)."""

    def __post_init__(self) -> None:
        self.waiter.register(self.conn.fileno(), select.POLLIN)

    def answered(self, seconds: float) -> bool:
        """Whether the worker's answer (or its end) arrives within ``seconds``."""
        return bool(self.waiter.poll(max(0, math.ceil(seconds * 1000))))


class QueryPool:
    """Worker processes that run queries with a hard time limit."""

    def __init__(self, spec: StoreSpec, workers: int = 2, timeout: float = 10.0, max_wait: float = 1.0,
                 memory_limit: int | None = None, reserved: int = 0) -> None:
        if workers < 1:
            raise ValueError("a pool needs at least one worker")
        self.spec = spec
        self._outside_max = max(1, workers - reserved)
        self._outside = threading.BoundedSemaphore(self._outside_max)
        """Queries from outside may hold all workers but ``reserved``: the app's own (saved queries) always
        find one, however busy /sparql is."""
        self.timeout = timeout
        self.memory_limit = memory_limit
        """Address space each worker may use (RLIMIT_AS); a query past it ends its worker, which is replaced."""
        self.start_failures = 0
        """Replacement workers that failed to start (each is retried; the pool never shrinks silently)."""
        self.max_wait = max_wait
        """Longest a query waits for a free worker before :class:`PoolBusy` (not the time limit: a
        waiting request holds a server thread)."""
        self._context = mp.get_context("spawn")
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._closed = False
        self.killed = 0
        started = [self._start() for _ in range(workers)]
        for worker in started:
            self._wait_ready(worker)
            self._idle.put(worker)
        self.size = workers

    @property
    def idle_workers(self) -> int:
        """Workers waiting for a query (a killed one counts again once its replacement has started)."""
        return self._idle.qsize()

    def _start(self) -> _Worker:
        parent, child = self._context.Pipe()
        process = self._context.Process(target=_serve, args=(self.spec, child, self.memory_limit), daemon=True,
                                        name="mmkg-query")
        process.start()
        child.close()
        return _Worker(process, parent)

    def _wait_ready(self, worker: _Worker) -> None:
        if not worker.conn.poll(120):
            worker.process.kill()
            raise RuntimeError("a query worker did not start within 120 s")
        try:
            status, _ = worker.conn.recv()
        except (EOFError, OSError):
            worker.process.join(5)
            raise RuntimeError(f"a query worker died while opening the store (exit code "
                               f"{worker.process.exitcode}); is {self.spec} still there?") from None
        if status != "ready":
            raise RuntimeError(f"a query worker failed to start: {status}")

    def _replace(self) -> None:
        def start() -> None:
            delay = 0.5
            while not self._closed:
                try:
                    worker = self._start()
                    self._wait_ready(worker)
                except Exception as exc:  # report and retry: a pool that shrinks silently ends at zero
                    self.start_failures += 1
                    _log.error("could not start a replacement query worker (%s); retrying in %.1f s", exc, delay)
                    time.sleep(delay)
                    delay = min(delay * 2, 30.0)
                    continue
                self._idle.put(worker)
                return

        threading.Thread(target=start, daemon=True, name="mmkg-query-respawn").start()

    def query(self, sparql: str, bindings: Mapping[str, Term] | None = None, *, limit: int | None = None,
              default_graphs: Sequence[str] | None = None, named_graphs: Sequence[str] | None = None,
              base_iri: str | None = BASE_IRI, prefixes: Mapping[str, str] | None = None,
              timeout: float | None = None, outside: bool = True, max_bytes: int | None = None) -> QueryResult:
        """Run a query in a worker; like :meth:`kg.query.store.Store.query`, plus a time limit.
        ``outside=False`` for the app's own queries, which may use the reserved workers.

        :raises QueryTimeout: past the time limit (the worker is killed).
        :raises PoolBusy: when no worker frees up within ``max_wait``.
        :raises WorkerCrashed: when the engine died on the query (the worker is replaced).
        :raises QuerySyntaxError: for a query that does not parse.
        :raises EngineError: for any other engine error, with its message.
        """
        options = {"limit": limit, "max_bytes": max_bytes, **_dataset(default_graphs, named_graphs, base_iri, prefixes)}
        result: QueryResult = self._run("query", sparql, bindings, options, timeout, outside)
        return result

    def query_serialised(self, sparql: str, select_type: str | None, graph_type: str | None, *, limit: int,
                         max_bytes: int, default_graphs: Sequence[str] | None = None,
                         named_graphs: Sequence[str] | None = None, base_iri: str | None = BASE_IRI,
                         prefixes: Mapping[str, str] | None = None, timeout: float | None = None) -> Serialised:
        """Run a query in a worker that also writes the answer (:func:`kg.query.protocol.native.serialised_query`):
        the web process receives bytes, and the time limit covers writing them.

        :raises NotAcceptable, ResultTooLarge, NotRepresentable: as :func:`~kg.query.protocol.native.serialised_query`;
            and the errors of :meth:`query`.
        """
        options = {"select_type": select_type, "graph_type": graph_type, "limit": limit, "max_bytes": max_bytes,
                   **_dataset(default_graphs, named_graphs, base_iri, prefixes)}
        answer: Serialised = self._run("serialise", sparql, None, options, timeout, True)
        return answer

    def _run(self, mode: str, sparql: str, bindings: Mapping[str, Term] | None, options: dict[str, Any],
             timeout: float | None, outside: bool) -> Any:
        limit_s = min(timeout, self.timeout) if timeout is not None else self.timeout
        wait = min(self.max_wait, limit_s)
        if outside and not self._outside.acquire(timeout=wait):
            raise PoolBusy(f"the query workers are busy ({self.size - self._outside_max} kept for this site's own "
                           "pages); try again in a few seconds")
        try:
            return self._run_in_worker(mode, sparql, bindings, options, limit_s, wait)
        finally:
            if outside:
                self._outside.release()

    def _run_in_worker(self, mode: str, sparql: str, bindings: Mapping[str, Term] | None,
                       options: dict[str, Any], limit_s: float, wait: float) -> Any:
        started = time.monotonic()
        try:
            worker = self._idle.get(timeout=wait)
        except queue.Empty:
            raise PoolBusy(f"all {self.size} query workers are busy; try again in a few seconds") from None
        remaining = max(0.0, limit_s - (time.monotonic() - started))
        try:
            worker.conn.send((mode, sparql, dict(bindings or {}), options))
            if not worker.answered(remaining):
                raise TimeoutError
            status, payload = worker.conn.recv()
        except (TimeoutError, EOFError, OSError) as exc:
            self._discard(worker)
            if isinstance(exc, TimeoutError):
                raise QueryTimeout(f"the query ran longer than {limit_s:g} s and was stopped") from None
            raise WorkerCrashed(self._crash_message()) from None
        if status == "memory":
            self._discard(worker)
            raise WorkerCrashed(self._crash_message())
        self._idle.put(worker)
        if status == "ok":
            return payload
        if status == "syntax":
            message, position, detail = payload
            raise QuerySyntaxError(message, position, detail)
        if status == "refused":
            name, message = payload
            raise _REFUSALS[name](message)
        raise EngineError(payload)

    def _discard(self, worker: _Worker) -> None:
        """End ``worker`` and start its replacement in the background."""
        worker.process.kill()
        worker.process.join(5)
        worker.conn.close()
        self.killed += 1
        self._replace()

    def _crash_message(self) -> str:
        memory = (f"needed more than the {self.memory_limit / 2**20:,.0f} MiB a query worker may use, or "
                  if self.memory_limit else "")
        return (f"the query {memory}crashed the engine, and its worker was replaced; ask for less (LIMIT, fewer "
                "or shorter values), or avoid ORDER BY over values of mixed kinds (pyoxigraph can abort on "
                "those, cf. oxigraph issue #1542; ORDER BY STR(?x) works)")

    def close(self) -> None:
        """Stop every worker."""
        self._closed = True
        while True:
            try:
                worker = self._idle.get_nowait()
            except queue.Empty:
                break
            worker.conn.close()
            worker.process.kill()
            worker.process.join(5)
