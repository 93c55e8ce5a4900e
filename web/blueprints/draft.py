"""``/draft``: upload an article (PDF, JATS/MEDLINE XML, a saved page, text; up to 8 MB) or paste it, see
its numbered sentences with the recognised figures marked and linked to the drafted findings, review each
finding (confirm, reject, or correct its endpoint, arm or direction from the graph's own terms), and
download the draft fact file with those decisions. The same code as ``mmkg draft`` (:mod:`kg.drafting`);
the server writes nothing, and the text is bounded by the request size cap. When served with query
workers (``mmkg serve``), uploads are read and drafts run in their own worker processes
(:class:`~kg.drafting.worker.DraftPool`: time limit, memory limit, a cap per client and overall, 429/503
with ``Retry-After``), never in a request thread.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, request
from flask.blueprints import BlueprintSetupState
from markupsafe import Markup, escape
from pydantic import ValidationError

from kg import paths
from kg.curation.factbase import FactBase, load_facts
from kg.curation.schema import SourceFile
from kg.drafting.document import Draft, draft_article
from kg.drafting.inputs import derived_name, read_input
from kg.drafting.inputs.limits import MAX_FILE_BYTES, MAX_UPLOAD_BYTES
from kg.drafting.lexicon import Lexicon
from kg.drafting.review import Choices, ReviewError, apply_review, choices_for, parse_review
from kg.drafting.worker import DraftBusy, DraftPool, DraftTimeout
from kg.drafting.writing import draft_yaml, next_source_id
from kg.errors import ArticleError
from web.context import AppContext, client_id, ctx
from web.errors import HttpError, error_response
from web.views import View, render

__all__ = ["bp"]

bp = Blueprint("draft", __name__)


@dataclass
class DraftSentence:
    locator: str
    html: Markup
    findings: list[str]


@dataclass
class DraftView(View):
    template = "draft.html"
    text: str = ""
    name: str = "article.txt"
    sentences: list[DraftSentence] = field(default_factory=list)
    findings: list[dict[str, Any]] = field(default_factory=list)
    entries: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    yaml_text: str = ""
    references: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    choices: Choices = field(default_factory=Choices)
    warnings: list[str] = field(default_factory=list)


@cache
def _facts() -> tuple[FactBase, Lexicon]:
    facts = paths.facts_dir()
    base = load_facts(facts / "reference.yaml", sorted((facts / "sources").glob("*.yaml")))
    return base, Lexicon.from_facts(base)


_POOL_LOCK = threading.Lock()
_POOLS: dict[Path, DraftPool] = {}
"""One draft pool per fact folder for the whole process (an app reloaded on SIGHUP keeps it)."""


def _start_pool(context: AppContext) -> DraftPool:
    with _POOL_LOCK:
        facts = paths.facts_dir()
        pool = _POOLS.get(facts)
        if pool is None:
            settings = context.settings
            pool = _POOLS[facts] = DraftPool(facts, settings.draft_workers, settings.draft_timeout,
                                             settings.draft_memory_mb * 2**20, settings.client_drafts)
        return pool


@bp.record_once
def _start_with_the_app(state: BlueprintSetupState) -> None:
    """Served with query workers, the draft workers start with the app (at low priority), not on the first draft."""
    context = state.app.extensions.get("mmkg")
    if isinstance(context, AppContext) and context.pool is not None:
        _start_pool(context)


def _pool() -> DraftPool | None:
    """The draft workers, when the app is served with query workers (else drafts run inline: tests, embedding)."""
    if ctx().pool is None:
        return None
    return _start_pool(ctx())


@bp.errorhandler(DraftBusy)
@bp.errorhandler(DraftTimeout)
def _over_limit(exc: DraftBusy | DraftTimeout) -> Response:
    response = error_response(exc.http_status, exc.message)
    response.headers["Retry-After"] = str(exc.retry_after)
    return response


MAX_REVIEW_ROWS = 300
"""Findings the page lists for review (a hostile text can draft thousands; the download has them all)."""


def _article() -> tuple[str | bytes, str]:
    """The pasted text and its source-text name, or an uploaded file's bytes and its file name (read by
    the draft worker, or inline without one)."""
    request.max_content_length = MAX_UPLOAD_BYTES  # an uploaded PDF is larger than a query
    for key in [*request.form, *request.files]:
        if key not in ("text", "name", "file") and not key.startswith("review."):
            raise HttpError(400, f"unknown field {key!r} (the draft form takes file, text and name)")
    upload = request.files.get("file")
    if upload is not None and upload.filename:
        return upload.stream.read(MAX_FILE_BYTES + 1), Path(upload.filename).name
    text = request.form.get("text", "")
    if len(text.encode("utf-8")) > ctx().settings.max_query_bytes:
        raise HttpError(413, f"field 'text': longer than {ctx().settings.max_query_bytes:,} bytes; upload the file")
    name = (request.form.get("name") or "article.txt").strip()
    if not re.fullmatch(r"[\w.-]+\.txt", name):
        raise HttpError(400, f"field 'name': {name!r} must be a file name ending in .txt (letters, digits, . _ -)")
    try:  # a pasted text may hold tab-separated tables, or be a page's or an XML file's source
        return (read_input(text.encode("utf-8"), "field 'text'").text if text.strip() else text), name
    except ArticleError as exc:
        raise HttpError(exc.http_status, str(exc)) from exc


def _draft() -> tuple[str, str, Draft, str]:
    payload, name = _article()
    field = "file" if isinstance(payload, bytes) else "text"
    source_id = next_source_id(paths.facts_dir())
    pool = _pool()
    try:
        if pool is not None:
            gone = request.environ.get("waitress.client_disconnected")  # stop the draft if the client leaves
            drafted, yaml_text, text, name = pool.draft_file(client_id(), payload, source_id, name,
                                                             gone if callable(gone) else None)
        else:
            if isinstance(payload, bytes):
                document = read_input(payload, name)
                text, name = document.text, derived_name(name, document)
            else:
                text = payload
            base, lexicon = _facts()
            drafted = draft_article(text, source_id=source_id, file_name=name, base=base, lexicon=lexicon)
            yaml_text = draft_yaml(drafted.data)
    except ArticleError as exc:
        raise HttpError(exc.http_status, f"field {field!r}: {exc.message if field == 'text' else exc}") from exc
    return text, name, drafted, yaml_text


def _marked(sentence: str, marks: list[tuple[int, int, tuple[str, ...]]]) -> Markup:
    out: list[str] = []
    at = 0
    for start, end, ids in sorted(marks):
        if start < at:
            continue
        out.append(str(escape(sentence[at:start])))
        title = ", ".join(ids)
        out.append(f'<a class="figure-mark" href="#f-{escape(ids[0])}" title="{escape(title)}">'
                   f"<mark>{escape(sentence[start:end])}</mark></a>")
        at = end
    out.append(str(escape(sentence[at:])))
    return Markup("".join(out))


@bp.route("/draft", methods=["GET", "POST"])
def draft_page() -> str:
    if request.method == "GET":
        return render(DraftView())
    text, name, drafted, yaml_text = _draft()
    by_sentence: dict[str, list[tuple[int, int, tuple[str, ...]]]] = {}
    for mark in drafted.marks:
        by_sentence.setdefault(mark.locator, []).append((mark.start, mark.end, mark.findings))
    sentences = []
    for p_index, paragraph in enumerate(drafted.text.paragraphs, 1):
        for s_index, sentence in enumerate(paragraph, 1):
            locator = f"p{p_index}.s{s_index}"
            marks = by_sentence.get(locator, [])
            sentences.append(DraftSentence(locator, _marked(sentence, marks), [i for m in marks for i in m[2]]))
    entries = {k: v for k, v in drafted.data.items() if k in ("drugs", "regimens", "endpoints", "adverse_events",
                                                              "studies", "populations", "arms", "publications")}
    return render(DraftView(text, name, sentences, drafted.findings[:MAX_REVIEW_ROWS], entries, yaml_text,
                            drafted.references, drafted.skipped, choices_for(drafted.data, _facts()[1]),
                            drafted.warnings))


@bp.route("/draft.yaml", methods=["POST"])
def draft_download() -> Response:
    """The draft as YAML, with the review's decisions (``review.<id>.<field>`` fields) applied."""
    _, _, drafted, yaml_text = _draft()
    data = drafted.data
    form = {k: v for k, v in request.form.items() if k.startswith("review.")}
    if form:
        try:
            data = apply_review(data, parse_review(form, data, choices_for(data, _facts()[1])))
            SourceFile.model_validate(data)
        except ReviewError as exc:
            raise HttpError(400, str(exc)) from exc
        except ValidationError as exc:
            first = exc.errors()[0]
            raise HttpError(400, "the reviewed draft does not load: " + ".".join(str(x) for x in first["loc"])
                            + ": " + first["msg"]) from exc
        yaml_text = draft_yaml(data)
    filename = f"{data['source']['id']}-draft.yaml"
    return Response(yaml_text, mimetype="application/yaml",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
