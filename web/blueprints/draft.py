"""``/draft``: upload an article (PDF, JATS/MEDLINE XML, a saved page, text; up to 8 MB) or paste it, see
its numbered sentences with the recognised figures marked and
linked to the drafted findings, and download the draft fact file. The same code as ``mmkg draft``
(:mod:`kg.drafting`); nothing leaves the server, and the text is bounded by the request size cap.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, request
from markupsafe import Markup, escape

from kg import paths
from kg.curation.factbase import FactBase, load_facts
from kg.drafting.document import Draft, draft_article
from kg.drafting.inputs import derived_name, read_input
from kg.drafting.inputs.limits import MAX_FILE_BYTES, MAX_UPLOAD_BYTES
from kg.drafting.lexicon import Lexicon
from kg.drafting.writing import draft_yaml, next_source_id
from kg.errors import ArticleError
from web.context import ctx
from web.errors import HttpError
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


@cache
def _facts() -> tuple[FactBase, Lexicon]:
    facts = paths.facts_dir()
    base = load_facts(facts / "reference.yaml", sorted((facts / "sources").glob("*.yaml")))
    return base, Lexicon.from_facts(base)


def _article() -> tuple[str, str]:
    """The article's derived text and source-text name, from the uploaded file or the pasted text."""
    request.max_content_length = MAX_UPLOAD_BYTES  # an uploaded PDF is larger than a query
    for key in [*request.form, *request.files]:
        if key not in ("text", "name", "file"):
            raise HttpError(400, f"unknown field {key!r} (the draft form takes file, text and name)")
    upload = request.files.get("file")
    if upload is not None and upload.filename:
        try:
            document = read_input(upload.stream.read(MAX_FILE_BYTES + 1), upload.filename)
        except ArticleError as exc:
            raise HttpError(exc.http_status, f"field 'file': {exc}") from exc
        return document.text, derived_name(Path(upload.filename).name, document)
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


def _draft() -> tuple[str, str, Draft]:
    text, name = _article()
    base, lexicon = _facts()
    try:
        drafted = draft_article(text, source_id=next_source_id(paths.facts_dir()), file_name=name, base=base,
                                lexicon=lexicon)
    except ArticleError as exc:
        raise HttpError(exc.http_status, f"field 'text': {exc.message}") from exc
    return text, name, drafted


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
    text, name, drafted = _draft()
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
    return render(DraftView(text, name, sentences, drafted.findings, entries, draft_yaml(drafted.data),
                            drafted.references, drafted.skipped))


@bp.route("/draft.yaml", methods=["POST"])
def draft_download() -> Response:
    drafted = _draft()[2]
    filename = f"{drafted.data['source']['id']}-draft.yaml"
    return Response(draft_yaml(drafted.data), mimetype="application/yaml",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
