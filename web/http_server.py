"""The embedded HTTP server: waitress with limits it lacks on its own.

Slow writers: waitress reads requests asynchronously and closes a connection only after
``channel_timeout`` of *silence*, so a client that trickles one header line (or one body byte) every
few seconds keeps its connection for ever, and enough of them fill ``connection_limit``.
:class:`DeadlineChannel` notes when each request's first bytes arrived, and the server's periodic
maintenance closes a connection whose request is still incomplete after ``Settings.read_deadline``
seconds — nginx's ``client_header_timeout`` / ``client_body_timeout``, for the server we ship.

Slow readers: waitress queues a whole answer for its client (past 1 MB in a temporary file) and
keeps it while the client reads even a byte now and then, so eight clients reading a 56 MB CSV one
byte every 10 s held 461 MB of deleted files for as long as they liked. Here an answer must be read
within ``Settings.write_deadline`` seconds plus one per ``write_min_rate`` bytes of it, or it is
dropped with its connection and its spool freed; and all connections together hold at most
``Settings.max_spool_bytes`` of unread answers: an answer whose ``Content-Length`` would go over gets
503 with ``Retry-After`` before anything is written (:class:`SpoolBudget`).

waitress notes "Task queue depth is N" for every request that waits for a thread; under load that
is one line per request, so :class:`RateLimited` lets one through every ten seconds and says how
many it held back.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import waitress
from waitress.buffers import ReadOnlyFileBasedBuffer
from waitress.channel import ClientDisconnected, HTTPChannel

from kg.drafting.inputs.limits import MAX_UPLOAD_BYTES
from web.settings import Settings

__all__ = ["DeadlineChannel", "RateLimited", "SpoolBudget", "create_server", "server_limits"]

_log = logging.getLogger("mmkg.serve")


class SpoolBudget:
    """Bytes queued for clients over all open connections (waitress's ``total_outbufs_len``), with a cap;
    answers about to be written reserve their size first."""

    def __init__(self, cap: int, channels: dict[int, Any] | None = None) -> None:
        self.cap = cap
        self.channels: dict[int, Any] = channels if channels is not None else {}
        self._lock = threading.Lock()
        self.reserved = 0
        self.refused = 0

    def queued(self) -> int:
        """Bytes of the answers not yet sent in full, now (what their buffers and spool files hold)."""
        return sum(getattr(c, "held", 0) for c in list(self.channels.values()) if getattr(c, "total_outbufs_len", 0))

    def reserve(self, size: int) -> bool:
        """Hold ``size`` bytes for an answer about to be written; False when that would go over the cap."""
        with self._lock:
            if self.cap and self.queued() + self.reserved + size > self.cap:
                self.refused += 1
                return False
            self.reserved += size
            return True

    def release(self, size: int) -> None:
        with self._lock:
            self.reserved -= size


class _Reserved:
    """An app's answer that gives its reservation back once waitress has written it (or given up)."""

    def __init__(self, body: Iterable[bytes], budget: SpoolBudget, size: int) -> None:
        self._body, self._budget, self._size = body, budget, size

    def __iter__(self) -> Iterator[bytes]:
        return iter(self._body)

    def close(self) -> None:
        try:
            close = getattr(self._body, "close", None)
            if close is not None:
                close()
        finally:
            self._budget.release(self._size)


_HEAD_EXTRA = 256
"""Bytes of the lines waitress adds to an answer's head (Server, Date, Connection), with room to spare."""
_BUSY = (b"The server is holding too many answers that their clients have not read yet; "
         b"retry in a few seconds.\n")


def spool_guard(app: Callable[..., Iterable[bytes]], budget: SpoolBudget) -> Callable[..., Iterable[bytes]]:
    """``app`` refusing (503, ``Retry-After``) an answer whose ``Content-Length`` does not fit the budget."""

    def guarded(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") == "HEAD" or not budget.cap:
            return app(environ, start_response)
        held: list[int] = []

        def checked(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            length = next((v for k, v in headers if k.lower() == "content-length"), None)
            size = int(length) if length is not None and length.isdigit() else 0
            if size:  # the head goes into the same buffer: its lines and the few waitress adds
                size += len(status) + sum(len(k) + len(v) + 4 for k, v in headers) + _HEAD_EXTRA
            if exc_info is None and size and not budget.reserve(size):
                held.append(-1)
                return lambda data: None
            if size and exc_info is None:
                held.append(size)
            return start_response(status, headers, exc_info)

        try:
            body = app(environ, checked)
        except BaseException:
            if held and held[0] > 0:
                budget.release(held[0])
            raise
        if held and held[0] < 0:
            close = getattr(body, "close", None)
            if close is not None:
                close()
            _log.warning("refused an answer to %s: %d bytes of answers are still unread by their clients",
                         environ.get("REMOTE_ADDR"), budget.queued())
            start_response("503 Service Unavailable", [("Content-Type", "text/plain; charset=utf-8"),
                                                       ("Content-Length", str(len(_BUSY))), ("Retry-After", "10")])
            return [_BUSY]
        if not held:
            return body
        sent_as_file = isinstance(body, ReadOnlyFileBasedBuffer)  # a static file sent as it is: nothing spooled
        if sent_as_file:
            budget.release(held[0])
            return body
        return _Reserved(body, budget, held[0])

    return guarded


class DeadlineChannel(HTTPChannel):  # type: ignore[misc]
    """An HTTP channel that knows since when its current, incomplete request has been arriving, and by
    when the answers queued for its client must have been read."""

    request_started: float | None = None
    _tracked: object | None = None
    drain_by: float | None = None
    held = 0
    """Bytes written since the buffers were last empty: what they (and their spool files) hold at most."""

    def received(self, data: bytes) -> bool:
        result: bool = super().received(data)
        if self.request is None:  # everything read so far is a complete request
            self.request_started, self._tracked = None, None
        elif self.request is not self._tracked:  # a new request began in this chunk
            self.request_started, self._tracked = time.time(), self.request
        return result

    def write_soon(self, data: Any) -> int:
        size = len(data) if data else 0
        settings: Settings | None = getattr(self.server, "mmkg_settings", None)
        budget: SpoolBudget | None = getattr(self.server, "spool_budget", None)
        if size and settings is not None:
            if budget is not None and budget.cap and budget.queued() + size > budget.cap + budget.reserved:
                budget.refused += 1  # more than was reserved (an answer of unknown length): its connection goes
                raise ClientDisconnected
            if settings.write_deadline:
                extra = size / max(1, settings.write_min_rate)
                if not self.total_outbufs_len or self.drain_by is None:
                    self.drain_by = time.time() + settings.write_deadline + extra
                else:
                    self.drain_by += extra
        if size:
            if not self.total_outbufs_len:
                self.held = 0
            self.held += size
        written: int = super().write_soon(data)
        return written


class RateLimited(logging.Filter):
    """Lets one record through every ``interval`` seconds; that one says how many were held back since."""

    def __init__(self, interval: float = 10.0) -> None:
        super().__init__()
        self.interval = interval
        self._next = 0.0
        self._held = 0
        self._lock = threading.Lock()

    def filter(self, record: logging.LogRecord) -> bool:
        now = time.monotonic()
        with self._lock:
            if now < self._next:
                self._held += 1
                return False
            self._next = now + self.interval
            held, self._held = self._held, 0
        if held:
            record.msg = f"{record.msg} ({held} more such notes held back over the last {self.interval:g} s)"
        return True


_QUEUE_NOTES = RateLimited()


def server_limits(settings: Settings) -> dict[str, object]:
    """What waitress refuses early: a body whose Content-Length is over the query cap gets 413 before
    it is read; headers over 64 KiB; connections over the limit wait to be accepted. Behind a trusted
    proxy, its X-Forwarded-For becomes the client's address (forwarding headers from others are dropped)."""
    checks = [settings.read_deadline / 2] + ([settings.write_deadline / 2] if settings.write_deadline else [])
    limits: dict[str, object] = {
        # an article uploaded to /draft may be larger than a query; every other route keeps the query cap (Flask)
        "max_request_body_size": max(settings.max_query_bytes, MAX_UPLOAD_BYTES), "max_request_header_size": 64 * 1024,
        "connection_limit": settings.connection_limit, "channel_timeout": settings.channel_timeout,
        "clear_untrusted_proxy_headers": True, "cleanup_interval": max(1, min(30, int(min(checks)))),
        # read one request ahead, so a request learns that its client left (waitress.client_disconnected):
        # /draft stops a draft whose client has gone
        "channel_request_lookahead": 1}
    if settings.trusted_proxy:
        limits.update(trusted_proxy=settings.trusted_proxy, trusted_proxy_headers={"x-forwarded-for"},
                      trusted_proxy_count=1)
    return limits


def create_server(app: Any, settings: Settings, host: str, port: int, threads: int) -> Any:
    """A waitress server for ``app`` with :func:`server_limits`, read and write deadlines and the spool
    budget; ``.run()`` serves."""
    queue_log = logging.getLogger("waitress.queue")
    if _QUEUE_NOTES not in queue_log.filters:
        queue_log.addFilter(_QUEUE_NOTES)
    budget = SpoolBudget(settings.max_spool_bytes)
    server = waitress.create_server(spool_guard(app, budget), host=host, port=port, threads=threads,
                                    ident="myeloma-kg", **server_limits(settings))
    budget.channels = server.active_channels
    server.channel_class = DeadlineChannel
    server.mmkg_settings = settings
    server.spool_budget = budget
    idle_maintenance = server.maintenance

    def maintenance(now: float) -> None:
        idle_maintenance(now)
        cutoff = now - settings.read_deadline
        for channel in list(server.active_channels.values()):
            started = getattr(channel, "request_started", None)
            if started is not None and started < cutoff and channel.request is not None:
                channel.will_close = True  # the server closes it on its next turn
            drain_by = getattr(channel, "drain_by", None)
            if settings.write_deadline and drain_by is not None and channel.total_outbufs_len and now > drain_by:
                _log.warning("dropped an answer %s did not read in time (%d bytes still unread)",
                             channel.addr[0] if channel.addr else "?", channel.total_outbufs_len)
                channel.drain_by = None
                channel.will_close = True
                # Its socket is full, so the loop would never get to write (and close) it: shut it down,
                # the next write fails at once and waitress closes the channel, freeing its spool.
                with contextlib.suppress(OSError):
                    channel.socket.shutdown(socket.SHUT_RDWR)

    server.maintenance = maintenance
    return server
