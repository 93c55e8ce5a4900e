"""The fixed cost of a small query from outside, stage by stage, against raw pyoxigraph on the same store.

    .venv/bin/python bench/query_stages.py [--graph FILE.nq] [--reps 301]

In one process, for ``ASK {}`` and a small saved query: the engine alone (``pyoxigraph.Store.query`` and writing
the answer), then each stage the web app adds: the guard (lexing the text; cached per text since the entry point
keeps its verdicts), the vocabulary lint (likewise), the entry point on the embedded store, the same through a
worker process (the pipe hand-off), the same answered from the answer cache (a repeated query: still checked and
admitted), and the whole ``GET /sparql`` as a WSGI call with a prepared environ (what waitress hands the app),
once through the Flask view alone, once through the fast path in front of it (:mod:`web.fast_sparql`), and once
the same request again, answered through the request memo (:mod:`web.request_memo`). The second engine row is the
entry point's own call (:func:`kg.query.protocol.native.serialised_query`), which gives pyoxigraph only the
predeclared prefixes the text uses (:func:`kg.query.prefixes.used_prefixes`). Prints
p50 in microseconds and the ratio to the engine alone (issue 30's goal: the whole path ≤ 1.5× raw Oxigraph at p50
over HTTP, measured by ``bench/engine_speed.py``; this table says where the rest goes).
"""

from __future__ import annotations

import argparse
import io
import platform
import statistics
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pyoxigraph as ox  # noqa: E402

from bench._server import graph_or_release  # noqa: E402
from kg import paths  # noqa: E402
from kg.query.answer_cache import AnswerCache  # noqa: E402
from kg.query.catalogue import load_catalogue  # noqa: E402
from kg.query.lint import LintVocabulary, lint  # noqa: E402
from kg.query.outside import OutsideQueries, OutsideQuery  # noqa: E402
from kg.query.prefixes import PREDECLARED  # noqa: E402
from kg.query.protocol.guard import QueryPolicy, check_query  # noqa: E402
from kg.query.protocol.native import serialised_query  # noqa: E402
from kg.query.protocol.sandbox import QueryPool, StoreSpec  # noqa: E402
from kg.query.store import Store  # noqa: E402
from web import create_app  # noqa: E402
from web.settings import Settings  # noqa: E402

JSON = "application/sparql-results+json"
POLICY = QueryPolicy()


def p50_us(run: Callable[[], object], reps: int) -> float:
    for _ in range(5):
        run()
    times = []
    for _ in range(reps):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1e6


def wsgi_get(app: Callable[..., Iterable[bytes]], text: str) -> bytes:
    """``GET /sparql?query=text`` as waitress calls the app (a fresh environ each time, from a prepared one)."""
    environ = {**_ENVIRON, "QUERY_STRING": urlencode({"query": text}), "wsgi.input": io.BytesIO()}
    status: list[str] = []
    body = app(environ, lambda s, headers, exc_info=None: status.append(s))
    answer = b"".join(body)
    close = getattr(body, "close", None)
    if close is not None:
        close()
    if not status or not status[0].startswith("200"):
        raise RuntimeError(f"GET /sparql: {status} {answer[:200]!r}")
    return answer


_ENVIRON = {"REQUEST_METHOD": "GET", "PATH_INFO": "/sparql", "SCRIPT_NAME": "", "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8000", "SERVER_PROTOCOL": "HTTP/1.1", "HTTP_HOST": "127.0.0.1:8000", "HTTP_ACCEPT": JSON,
            "REMOTE_ADDR": "127.0.0.1", "wsgi.url_scheme": "http", "wsgi.errors": sys.stderr, "wsgi.version": (1, 0),
            "wsgi.multithread": True, "wsgi.multiprocess": False, "wsgi.run_once": False}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--graph", type=Path, help="an N-Quads file (default: the current release)")
    parser.add_argument("--reps", type=int, default=301)
    args = parser.parse_args()
    graph = graph_or_release(args.graph)
    store = Store.from_release(graph)
    saved = next(q for q in load_catalogue(paths.queries_dir()) if not q.parameters)
    vocabulary = LintVocabulary.of_store(store)
    pool = QueryPool(StoreSpec(nquads=graph), workers=1, timeout=10.0)
    entry = OutsideQueries(store, vocabulary=lambda: vocabulary)
    pooled = OutsideQueries(store, pool=pool, vocabulary=lambda: vocabulary)
    cached = OutsideQueries(store, pool=pool, vocabulary=lambda: vocabulary, answers=AnswerCache(2**24))
    app = create_app(store, load_catalogue(paths.queries_dir()), Settings(answer_cache_bytes=0), pool=pool, warm=True)
    fast = app.wsgi_app
    remembering = create_app(store, load_catalogue(paths.queries_dir()), Settings(), pool=pool, warm=True).wsgi_app
    flask_only = fast.inner  # type: ignore[attr-defined]
    print(f"Machine: {platform.platform()}, Python {platform.python_version()}; data {graph}; "
          f"{args.reps} runs per stage after a warm-up\n")
    print("| query | stage | p50 µs | ÷ engine |")
    print("|---|---|---:|---:|")
    try:
        for name, text in (("ASK {}", "ASK {}"), (f"saved: {saved.name}", saved.sparql)):
            def engine(text: str = text) -> None:
                buffer = io.BytesIO()
                store.raw.query(text, use_default_graph_as_union=True,
                                prefixes=PREDECLARED).serialize(buffer, format=ox.QueryResultsFormat.JSON)
            base = p50_us(engine, args.reps)
            stages: list[tuple[str, Callable[[], object]]] = [
                ("engine alone (query + JSON)", engine),
                ("engine, given only the prefixes the text uses", lambda text=text: serialised_query(
                    store, text, JSON, None, limit=10_000, max_bytes=2**26, prefixes=PREDECLARED)),
                ("guard, uncached", lambda text=text: check_query(text, POLICY, PREDECLARED)),
                ("lint, uncached", lambda text=text: lint(text, vocabulary, PREDECLARED)),
                ("entry point, embedded store", lambda text=text: entry.written(OutsideQuery(text), JSON, None)),
                ("entry point, one worker (hand-off)",
                 lambda text=text: pooled.written(OutsideQuery(text), JSON, None)),
                ("entry point, answer cache hit", lambda text=text: cached.written(OutsideQuery(text), JSON, None)),
                ("GET /sparql, WSGI, Flask view (pool)", lambda text=text: wsgi_get(flask_only, text)),
                ("GET /sparql, WSGI, fast path (pool)", lambda text=text: wsgi_get(fast, text)),
                ("GET /sparql, WSGI, fast path, the same request again (request memo)",
                 lambda text=text: wsgi_get(remembering, text)),
            ]
            for stage, run in stages:
                cost = base if run is engine else p50_us(run, args.reps)
                print(f"| {name} | {stage} | {cost:.0f} | {cost / base:.2f} |", flush=True)
    finally:
        pool.close()


if __name__ == "__main__":
    main()
