"""The HTTP layer's defences, in process: HEAD as GET, the spool budget's 503, rate-limited queue notes."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask
from werkzeug.test import Client

from web.http_server import RateLimited, SpoolBudget, server_limits, spool_guard
from web.settings import Settings


def test_head_is_get_without_the_body_where_there_is_a_get(app: Flask) -> None:
    client = app.test_client()
    for path in ("/sparql", "/sparql?query=ASK%7B%7D", "/draft", "/", "/resource/lenalidomide", "/queries",
                 "/evidence.csv", "/resource/no-such-thing"):
        got, head = client.get(path), client.head(path)
        assert head.status_code == got.status_code and head.data == b"", path
        assert head.headers["Content-Type"] == got.headers["Content-Type"], path
        assert head.headers["Content-Length"] == str(len(got.data)), path


def test_head_where_there_is_no_get_is_405_with_allow(app: Flask) -> None:
    head = app.test_client().head("/draft.yaml")
    assert head.status_code == 405 and head.data == b""
    assert set(head.headers["Allow"].replace(" ", "").split(",")) == {"POST", "OPTIONS"}
    assert app.test_client().post("/sparql", data=b"", content_type="text/plain").status_code == 415  # POST as before


class _Channel:
    def __init__(self, held: int, unsent: int) -> None:
        self.held, self.total_outbufs_len = held, unsent


def _app(size: int) -> Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]:
    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        start_response("200 OK", [("Content-Type", "text/csv"), ("Content-Length", str(size))])
        return [b"x" * size]
    return app


def test_an_answer_that_does_not_fit_the_spool_gets_503_before_anything_is_written() -> None:
    budget = SpoolBudget(2000, {1: _Channel(600, 10), 2: _Channel(5000, 0)})  # 2 has sent all: holds nothing
    assert budget.queued() == 600
    answered = Client(spool_guard(_app(100), budget)).get("/", buffered=True)
    assert answered.status_code == 200 and answered.data == b"x" * 100
    assert budget.reserved == 0  # released once written
    refused = Client(spool_guard(_app(1200), budget)).get("/", buffered=True)
    assert refused.status_code == 503 and refused.headers["Retry-After"] == "10" and b"retry" in refused.data
    assert budget.refused == 1 and budget.reserved == 0
    assert Client(spool_guard(_app(1200), SpoolBudget(0, {}))).get("/", buffered=True).status_code == 200  # no cap
    assert budget.reserve(800) and not budget.reserve(800)  # reservations count until released
    budget.release(800)
    assert budget.reserve(800)


def test_queue_depth_notes_are_rate_limited() -> None:
    limited = RateLimited(interval=60)
    records = [logging.LogRecord("waitress.queue", logging.WARNING, __file__, 1, "Task queue depth is %d", (i,), None)
               for i in range(50)]
    passed = [r for r in records if limited.filter(r)]
    assert len(passed) == 1 and passed[0].getMessage() == "Task queue depth is 0"
    limited._next = 0.0  # the interval is over
    late = logging.LogRecord("waitress.queue", logging.WARNING, __file__, 1, "Task queue depth is %d", (7,), None)
    assert limited.filter(late) and late.getMessage() == \
        "Task queue depth is 7 (49 more such notes held back over the last 60 s)"


def test_maintenance_runs_often_enough_for_the_write_deadline() -> None:
    assert server_limits(Settings(read_deadline=10, write_deadline=4))["cleanup_interval"] == 2
    assert server_limits(Settings(read_deadline=10, write_deadline=0))["cleanup_interval"] == 5
