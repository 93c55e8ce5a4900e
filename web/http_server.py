"""The embedded HTTP server: waitress with limits it lacks on its own.

waitress reads requests asynchronously and closes a connection only after ``channel_timeout`` of
*silence*, so a client that trickles one header line (or one body byte) every few seconds keeps its
connection for ever, and enough of them fill ``connection_limit``. :class:`DeadlineChannel` notes
when each request's first bytes arrived, and the server's periodic maintenance closes a connection
whose request is still incomplete after ``Settings.read_deadline`` seconds — nginx's
``client_header_timeout`` / ``client_body_timeout``, for the server we ship.
"""

from __future__ import annotations

import time
from typing import Any

import waitress
from waitress.channel import HTTPChannel

from kg.drafting.inputs.limits import MAX_UPLOAD_BYTES
from web.settings import Settings

__all__ = ["DeadlineChannel", "create_server", "server_limits"]


class DeadlineChannel(HTTPChannel):  # type: ignore[misc]
    """An HTTP channel that knows since when its current, incomplete request has been arriving."""

    request_started: float | None = None
    _tracked: object | None = None

    def received(self, data: bytes) -> bool:
        result: bool = super().received(data)
        if self.request is None:  # everything read so far is a complete request
            self.request_started, self._tracked = None, None
        elif self.request is not self._tracked:  # a new request began in this chunk
            self.request_started, self._tracked = time.time(), self.request
        return result


def server_limits(settings: Settings) -> dict[str, object]:
    """What waitress refuses early: a body whose Content-Length is over the query cap gets 413 before
    it is read; headers over 64 KiB; connections over the limit wait to be accepted. Behind a trusted
    proxy, its X-Forwarded-For becomes the client's address (forwarding headers from others are dropped)."""
    limits: dict[str, object] = {
        # an article uploaded to /draft may be larger than a query; every other route keeps the query cap (Flask)
        "max_request_body_size": max(settings.max_query_bytes, MAX_UPLOAD_BYTES), "max_request_header_size": 64 * 1024,
        "connection_limit": settings.connection_limit, "channel_timeout": settings.channel_timeout,
        "clear_untrusted_proxy_headers": True, "cleanup_interval": max(1, min(30, int(settings.read_deadline / 2)))}
    if settings.trusted_proxy:
        limits.update(trusted_proxy=settings.trusted_proxy, trusted_proxy_headers={"x-forwarded-for"},
                      trusted_proxy_count=1)
    return limits


def create_server(app: Any, settings: Settings, host: str, port: int, threads: int) -> Any:
    """A waitress server for ``app`` with :func:`server_limits` and read deadlines; ``.run()`` serves."""
    server = waitress.create_server(app, host=host, port=port, threads=threads, ident="myeloma-kg",
                                    **server_limits(settings))
    server.channel_class = DeadlineChannel
    idle_maintenance = server.maintenance

    def maintenance(now: float) -> None:
        idle_maintenance(now)
        cutoff = now - settings.read_deadline
        for channel in list(server.active_channels.values()):
            started = getattr(channel, "request_started", None)
            if started is not None and started < cutoff and channel.request is not None:
                channel.will_close = True  # the server closes it on its next turn

    server.maintenance = maintenance
    return server
