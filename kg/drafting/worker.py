"""Drafts run in worker processes, within a time limit and a memory limit, a few at a time.

Python's regular-expression engine holds the interpreter lock while it matches, so a draft in a
server's request thread would stall every other request. :class:`DraftPool` keeps a small pool of
its own processes (separate from the query workers), each with the curated facts loaded once and
its address space capped (``RLIMIT_AS``); a draft waits at most ``max_wait`` for a free one (else
:class:`DraftBusy`, 503), one client may run ``per_client`` at once (else 429), and a draft past
``timeout`` seconds has its worker killed and replaced (:class:`DraftTimeout`). ``mmkg draft``
uses :func:`run_limited`: the same limits around one draft in a forked child.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing as mp
import os
import queue
import threading
import time
from collections import Counter
from collections.abc import Callable
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

from kg.errors import ArticleError, MmkgError

__all__ = ["DraftBusy", "DraftPool", "DraftTimeout", "run_limited"]

_log = logging.getLogger("mmkg.draft")


class DraftTimeout(MmkgError):
    """A draft ran past its time limit (or its memory limit) and was stopped."""

    http_status = 503
    exit_code = 3

    def __init__(self, message: str, retry_after: int = 10) -> None:
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after


class DraftBusy(MmkgError):
    """Too many drafts at once: overall (503) or from this client (429); try again after ``retry_after``."""

    def __init__(self, message: str, http_status: int, retry_after: int = 5) -> None:
        super().__init__(message)
        self.message = message
        self.http_status = http_status
        self.retry_after = retry_after


def _limit_memory(memory_limit: int | None) -> None:
    """Cap the child's address space growth to ``memory_limit`` bytes, and lower its priority so the
    server's own threads come first."""
    with contextlib.suppress(OSError):
        if os.getpriority(os.PRIO_PROCESS, 0) < 10:
            os.nice(10 - os.getpriority(os.PRIO_PROCESS, 0))
    if memory_limit:
        import resource

        # on top of what the process holds already (a forked child shares its parent's address space)
        try:
            held = int(Path("/proc/self/statm").read_text().split()[0]) * resource.getpagesize()
        except (OSError, ValueError, IndexError):
            held = 0
        limit = held + memory_limit
        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _lower_priority(process: BaseProcess) -> None:
    if process.pid is not None:
        with contextlib.suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, process.pid, 10)


def _child(conn: Connection, fn: Callable[..., Any], args: tuple[Any, ...], memory_limit: int | None) -> None:
    _limit_memory(memory_limit)
    try:
        conn.send(("ok", fn(*args)))
    except MemoryError:
        conn.send(("memory", None))
    except MmkgError as exc:
        conn.send(_refusal(exc))
    finally:
        conn.close()


def _refusal(exc: MmkgError) -> tuple[str, Any]:
    """An error as the pipe carries it (an ArticleError's fields, so it is raised again as it was)."""
    if isinstance(exc, ArticleError):
        return "article", (exc.where, exc.message, exc.http_status)
    return "error", str(exc)


def _wait(process: BaseProcess, conn: Connection, timeout: float, what: str,
          cancelled: Callable[[], bool] | None = None) -> Any:
    """The child's answer, or the child killed at the time limit (or as soon as ``cancelled()``: the
    client went away)."""
    deadline = time.monotonic() + timeout
    while not conn.poll(min(0.2, max(0.0, deadline - time.monotonic()))):
        if cancelled is not None and cancelled():
            process.kill()
            process.join(5)
            raise DraftTimeout(f"{what} was stopped: the client disconnected", retry_after=1)
        if time.monotonic() >= deadline:
            process.kill()
            process.join(5)
            raise DraftTimeout(f"{what} took longer than {timeout:g} s and was stopped")
    try:
        status, payload = conn.recv()
    except (EOFError, OSError):
        process.join(5)
        raise DraftTimeout(f"{what} ended its worker (exit code {process.exitcode}); the text may be too "
                           "large for the memory limit") from None
    if status == "memory":
        raise DraftTimeout(f"{what} ran out of its memory limit and was stopped")
    if status == "article":
        where, message, http_status = payload
        raise ArticleError(where, message, http_status=http_status)
    if status == "error":
        raise DraftTimeout(f"{what} failed: {payload}")
    return payload


def run_limited(fn: Callable[..., Any], args: tuple[Any, ...], *, timeout: float,
                memory_limit: int | None = None, what: str = "the draft") -> Any:
    """``fn(*args)`` in a forked child, killed past ``timeout`` seconds (for ``mmkg draft``).

    :raises DraftTimeout: past the time or memory limit.
    """
    context = mp.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(sender, fn, args, memory_limit), daemon=True)
    process.start()
    sender.close()
    try:
        return _wait(process, receiver, timeout, what)
    finally:
        receiver.close()
        if process.is_alive():
            process.kill()
        process.join(5)


def _serve(conn: Connection, facts_dir: Path, memory_limit: int | None) -> None:
    """A pool worker: load the facts once, then draft each text it is sent until the pipe closes."""
    _limit_memory(memory_limit)
    from kg.curation.factbase import load_facts
    from kg.drafting.document import draft_article
    from kg.drafting.lexicon import Lexicon
    from kg.drafting.writing import draft_yaml

    base = load_facts(facts_dir / "reference.yaml", sorted((facts_dir / "sources").glob("*.yaml")))
    lexicon = Lexicon.from_facts(base)
    conn.send(("ready", None))
    while True:
        try:
            payload, source_id, file_name = conn.recv()
        except (EOFError, OSError):
            return
        try:
            if isinstance(payload, bytes):  # an uploaded file: read here too, never in the web process
                from kg.drafting.inputs import derived_name, read_input

                document = read_input(payload, file_name)
                text, file_name = document.text, derived_name(file_name, document)
            else:
                text = payload
            drafted = draft_article(text, source_id=source_id, file_name=file_name, base=base, lexicon=lexicon)
            # the YAML too (dumping it is slow Python), and the text and name the draft was made from
            conn.send(("ok", (drafted, draft_yaml(drafted.data), text, file_name)))
        except MemoryError:
            conn.send(("memory", None))
        except MmkgError as exc:
            conn.send(_refusal(exc))


class _Worker:
    def __init__(self, context: Any, facts_dir: Path, memory_limit: int | None) -> None:
        self.conn, child = context.Pipe()
        self.process: BaseProcess = context.Process(target=_serve, args=(child, facts_dir, memory_limit),
                                                    daemon=True, name="mmkg-draft")
        self.process.start()
        _lower_priority(self.process)  # its start-up (imports, the facts) already yields to the server
        child.close()
        self.ready = False
        self.drafts = 0

    def stop(self) -> None:
        self.conn.close()
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)


class DraftPool:
    """A few draft worker processes with a time limit, a memory limit and concurrency caps."""

    def __init__(self, facts_dir: Path, workers: int = 2, timeout: float = 20.0, memory_limit: int | None = None,
                 per_client: int = 1, max_wait: float = 1.0, startup: float = 60.0, recycle_after: int = 8) -> None:
        self.facts_dir = facts_dir
        self.recycle_after = recycle_after
        """Drafts a worker makes before a fresh one replaces it (as gunicorn's ``max_requests``): a worker's
        resident memory grows by tens of MB per draft of a table-heavy article, which its memory limit alone
        would let reach the limit."""
        self.timeout = timeout
        self.memory_limit = memory_limit
        self.per_client = per_client
        self.max_wait = max_wait
        self.startup = startup
        self._context = mp.get_context("spawn")
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._running: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._all: list[_Worker] = []
        self._closed = False
        for _ in range(workers):
            self._add()

    def _add(self) -> None:
        worker = _Worker(self._context, self.facts_dir, self.memory_limit)
        with self._lock:
            self._all.append(worker)
        self._idle.put(worker)

    def _replace(self, worker: _Worker) -> None:
        worker.stop()
        with self._lock:
            if worker in self._all:
                self._all.remove(worker)
            closed = self._closed
        if not closed:
            self._add()

    def draft(self, client: str, text: str, source_id: str, file_name: str,
              cancelled: Callable[[], bool] | None = None) -> Any:
        """The :class:`~kg.drafting.document.Draft` of ``text`` and its YAML, drafted in a worker
        (see :meth:`draft_file` for the limits and errors)."""
        drafted, yaml_text, _, _ = self.draft_file(client, text, source_id, file_name, cancelled)
        return drafted, yaml_text

    def draft_file(self, client: str, payload: str | bytes, source_id: str, file_name: str,
                   cancelled: Callable[[], bool] | None = None) -> Any:
        """The draft of ``payload`` (a text, or an uploaded file's bytes that the worker reads with
        :func:`kg.drafting.inputs.read_input`, never the web process) as ``(Draft, YAML, text, file name)``.

        :raises DraftBusy: 429 if ``client`` already runs ``per_client`` drafts, 503 if no worker is free.
        :raises DraftTimeout: past the time or memory limit (the worker is replaced).
        :raises ArticleError: for a text the drafter refuses.

        ``cancelled`` is asked while the draft runs (waitress's ``waitress.client_disconnected``): when
        it answers True the worker is killed and replaced.
        """
        with self._lock:
            if self._running[client] >= self.per_client:
                raise DraftBusy(f"you already have {self._running[client]} draft(s) running; wait for it to finish",
                                429, retry_after=max(1, int(self.timeout // 4)))
            self._running[client] += 1
        try:
            try:
                worker = self._idle.get(timeout=self.max_wait)
            except queue.Empty:
                raise DraftBusy("every draft worker is busy; try again shortly", 503) from None
            try:
                if not worker.ready:
                    if not worker.conn.poll(self.startup):
                        raise DraftTimeout("a draft worker did not start in time")
                    worker.conn.recv()
                    worker.ready = True
                worker.conn.send((payload, source_id, file_name))
                result = _wait(worker.process, worker.conn, self.timeout, "the draft", cancelled)
            except DraftTimeout:
                _log.warning("draft worker replaced after a timeout or crash (client %s)", client)
                self._replace(worker)
                raise
            except (OSError, EOFError) as exc:
                self._replace(worker)
                raise DraftTimeout(f"the draft worker failed: {exc}") from None
            except BaseException:
                self._idle.put(worker)
                raise
            worker.drafts += 1
            if worker.drafts >= self.recycle_after:
                self._replace(worker)
            else:
                self._idle.put(worker)
            return result
        finally:
            with self._lock:
                self._running[client] -= 1
                if self._running[client] <= 0:
                    del self._running[client]

    def close(self) -> None:
        with self._lock:
            self._closed = True
            workers = list(self._all)
            self._all.clear()
        for worker in workers:
            worker.stop()
