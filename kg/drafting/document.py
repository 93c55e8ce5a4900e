"""Draft a source fact file from an article's plain text: ``draft_article``.

The text is split exactly as the provenance check splits it (:class:`~kg.curation.texts.SourceText`),
so every locator the draft writes is the one the build will check. Printed references become
publication entries; every other sentence is searched for figures (:mod:`kg.drafting.figures`) and
terms (:mod:`kg.drafting.lexicon`), and :mod:`kg.drafting.assemble` turns them into findings. A
finding that repeats one drafted earlier (same kind, study, figures, endpoint and regimen) is a
restatement (an abstract's figures again in the results, a duration again in the discussion) and is
left out. The result is checked against the fact-file schema before it is
returned, so a draft always loads.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from pydantic import TypeAdapter, ValidationError

from kg.curation.factbase import FactBase
from kg.curation.schema import FindingEntry, SourceFile
from kg.curation.texts import SourceText
from kg.drafting.anaphora import OPENING, Comparison, established_comparison
from kg.drafting.article import check_article
from kg.drafting.assemble import Drafted, draft_sentence
from kg.drafting.attach import Context, SentenceTerms
from kg.drafting.citation import Citation, is_reference, parse_reference
from kg.drafting.entries import (
    MainStudy,
    authors_line,
    draft_arms,
    draft_populations,
    main_study,
    new_entries,
    publication_entry,
    source_meta,
    trial_ids,
)
from kg.drafting.figures import recognise
from kg.drafting.lexicon import Lexicon
from kg.drafting.statements import describe, short_name
from kg.drafting.tables import draft_tables
from kg.drafting.trials import learn_trials

__all__ = ["Draft", "Mark", "draft_article"]


@dataclass(frozen=True)
class Mark:
    """A recognised span of a sentence and the drafted findings read from it (for the /draft page)."""

    locator: str
    start: int
    end: int
    findings: tuple[str, ...]


@dataclass
class Draft:
    """A drafted source file, with what the page shows beside it."""

    data: dict[str, Any]
    text: SourceText
    marks: list[Mark] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    """Locators of the paragraphs read as printed references."""
    skipped: list[str] = field(default_factory=list)
    """Figures read but not drafted because the finding would break the schema (with the reason)."""
    warnings: list[str] = field(default_factory=list)
    """What the drafter read but could not use (a malformed author line, a reference printed twice)."""

    @property
    def findings(self) -> list[dict[str, Any]]:
        return list(self.data["findings"])


_NEVER_RESTATED = ("count", "comparison")
"""Kinds whose equal fields do not make a restatement: two counts of 2 studies, two p < 0.001, are two findings."""


def _signature(fields: dict[str, Any]) -> tuple[Any, ...]:
    keys = ("kind", "study", "endpoint", "adverse_event", "arm", "regimen", "intervention", "value", "range",
            "estimate", "ci", "counts", "unit", "activity", "date", "p")
    return tuple(str(fields.get(k)) for k in keys)


def draft_article(text: str, *, source_id: str, file_name: str, base: FactBase,
                  lexicon: Lexicon | None = None) -> Draft:
    """Draft the source file of one article.

    :raises ArticleError: for an empty, binary or oversized text (checked by :func:`check_article`).
    """
    check_article(text, file_name)
    doc = SourceText.from_text(text)
    article_lexicon = (lexicon or Lexicon.from_facts(base)).for_article()
    learn_trials(article_lexicon, text)  # "(FALCON-2): a randomised ...", "FALCON-2 (NCT01234567)"
    lexicon = _with_abbreviations(article_lexicon, doc)
    citations, reference_texts = _references(text)
    in_references = _ReferenceText(reference_texts)
    references: list[str] = []
    prose: list[tuple[int, int, str]] = []
    for p_index, paragraph in enumerate(doc.paragraphs, 1):
        joined = " ".join(paragraph)
        body = _HEADING.sub("", joined)
        if all(sentence in in_references for sentence in paragraph) or in_references.holds_a_line(body):
            in_references.add(joined)  # a run of reference lines, each read already: no second citation
        elif is_reference(body):
            citations.append(parse_reference(body))
            reference_texts.append(body)
            in_references.add(joined)
        if joined in in_references:
            references.append(f"p{p_index}")
            continue
        prose.extend((p_index, s_index, sentence) for s_index, sentence in enumerate(paragraph, 1)
                     if sentence not in in_references)
    warnings: list[str] = []
    publications: list[dict[str, Any]] = []
    printed: dict[str, int] = {}
    for number, citation in enumerate(citations, 1):
        key = (citation.doi or citation.text()).lower()
        if key in printed:
            warnings.append(f"reference {number} repeats reference {printed[key]}; drafted once")
            continue
        printed[key] = number
        publications.append(publication_entry(citation, base, {p["id"] for p in publications}))
    if (authors_warning := authors_line(text)[1]) is not None:
        warnings.append(authors_warning)
    study = main_study(doc, lexicon, source_id, [p["id"] for p in publications])
    context = Context(main_study=study.term if study else None, comparison=_comparison(doc, lexicon),
                      single_trial=_single_trial(doc, lexicon, study))
    drafted: list[Drafted] = []
    marks: list[Mark] = []
    seen: set[tuple[Any, ...]] = set()
    last_paragraph = 0
    starts = _block_starts(text)
    for p_index, s_index, sentence in prose:
        if p_index != last_paragraph or _key(sentence) in starts:
            context.new_paragraph()
            last_paragraph = p_index
        found = []
        for offset, window in windows(sentence):
            terms = SentenceTerms(window, lexicon.find(window), lexicon, context)
            figures = recognise(window)
            for item in (draft_sentence(window, f"p{p_index}.s{s_index}", figures, terms) if figures else []):
                item.start, item.end = item.start + offset, item.end + offset
                found.append(item)
            terms.remember()
        kept = []
        for item in found:
            signature = _signature(item.fields)
            if item.fields["kind"] in _NEVER_RESTATED or signature not in seen:
                seen.add(signature)
                kept.append(item)
        per_kind: dict[str, int] = {}
        for item in kept:
            short = short_name(item.fields["kind"])
            per_kind[short] = per_kind.get(short, 0) + 1
            item.fields = {"id": f"{source_id}-p{p_index}s{s_index}-{short}-{per_kind[short]}", **item.fields}
        drafted.extend(kept)
        by_span: dict[tuple[int, int], list[str]] = {}
        for item in kept:
            by_span.setdefault((item.start, item.end), []).append(item.fields["id"])
        marks.extend(Mark(f"p{p_index}.s{s_index}", a, b, tuple(ids)) for (a, b), ids in sorted(by_span.items()))
    table_items, table_marks = draft_tables(doc, lexicon, context, source_id, seen, _signature, _NEVER_RESTATED)
    drafted.extend(table_items)
    marks.extend(Mark(*mark) for mark in table_marks)
    drafted, skipped = _valid(drafted)
    data = _assemble(doc, text, source_id, file_name, lexicon, study, publications, citations, drafted, base)
    SourceFile.model_validate(data)
    kept_ids = {d.fields["id"] for d in drafted}
    marks = [Mark(m.locator, m.start, m.end, ids) for m in marks
             if (ids := tuple(i for i in m.findings if i in kept_ids))]
    return Draft(data, doc, marks, references, skipped, warnings)


_FINDING = TypeAdapter(FindingEntry)


def _problem(where: tuple[Any, ...], message: str) -> str:
    field_path = ".".join(str(part) for part in where)
    message = message.removeprefix("Value error, ")
    return f"{field_path}: {message}" if field_path else message


def _valid(drafted: list[Drafted]) -> tuple[list[Drafted], list[str]]:
    """The drafted findings the schema accepts; the others are reported, never written half-right."""
    kept: list[Drafted] = []
    skipped: list[str] = []
    for item in drafted:
        try:
            _FINDING.validate_python({**item.fields, "statement": "check"})
        except ValidationError as exc:
            problem = "; ".join(_problem(e["loc"][1:], e["msg"]) for e in exc.errors())
            skipped.append(f"{item.fields['at']} {item.fields['kind']}: {problem}")
            continue
        kept.append(item)
    return kept, skipped


def _with_abbreviations(lexicon: Lexicon, doc: SourceText) -> Lexicon:
    """The lexicon plus the article's abbreviations, regimens composed of their drugs included (KR, VMP)."""
    named = []
    for paragraph in doc.paragraphs:
        for sentence in paragraph:
            terms = SentenceTerms(sentence, lexicon.find(sentence), lexicon, Context())
            named.append((sentence, [*terms.regimens, *(m for m in terms.mentions if m.term.kind != "drug")]))
    return lexicon.learn_abbreviations(named)


def _comparison(doc: SourceText, lexicon: Lexicon) -> Comparison | None:
    """The main comparison the article's opening sentences establish (:mod:`kg.drafting.anaphora`)."""
    opening = []
    for sentence in [s for p in doc.paragraphs for s in p][:OPENING]:
        mentions = lexicon.find(sentence)
        opening.append((sentence, mentions, SentenceTerms(sentence, mentions, lexicon, Context()).regimens))
    return established_comparison(opening, lexicon)


def _single_trial(doc: SourceText, lexicon: Lexicon, study: MainStudy | None) -> bool:
    """Whether the article reports one trial: a main study that is no meta-analysis, and no other trial named."""
    if study is None or any(t in (study.entry or {}).get("types", []) for t in ("MetaAnalysis", "SystematicReview")):
        return False
    named = {m.term for p in doc.paragraphs for s in p for m in lexicon.find(s) if m.term.kind == "study"}
    return named <= {study.term}


MAX_WINDOW = 1500
"""The longest stretch of one sentence drafted at once (real sentences are under 600 characters): a
longer one is read in windows cut at white space, so no sentence costs more than its length allows."""


def windows(sentence: str, size: int = MAX_WINDOW) -> list[tuple[int, str]]:
    """``(offset, text)`` windows of at most ``size`` characters covering the sentence, cut at white space
    where there is some in the window's last third.

    >>> [(o, w) for o, w in windows("aa bb cc dd", 6)]
    [(0, 'aa bb '), (6, 'cc dd')]
    """
    out: list[tuple[int, str]] = []
    at = 0
    while len(sentence) - at > size:
        cut = sentence.rfind(" ", at + size * 2 // 3, at + size)
        cut = cut + 1 if cut > at else at + size
        out.append((at, sentence[at:cut]))
        at = cut
    out.append((at, sentence[at:]))
    return out


class _ReferenceText:
    """The printed references' lines, asked whether a paragraph or sentence is one (or part of one).

    A set lookup, then (for an article with a normal number of references) a substring search, so a
    text made of thousands of reference-like lines costs no more than its length.
    """

    def __init__(self, lines: list[str]) -> None:
        self.lines: set[str] = set()
        self.parts: set[str] = set()
        for line in lines:
            self.add(line)

    def add(self, line: str) -> None:
        self.lines.add(line)
        self.parts.update(s for p in SourceText.from_text(line).paragraphs for s in p)

    def holds_a_line(self, paragraph: str) -> bool:
        """Whether a paragraph is mostly reference lines read already (for a normal number of them)."""
        if len(self.lines) > 200:
            return False
        return sum(len(line) + 1 for line in self.lines if line in paragraph) >= 0.8 * len(paragraph)

    def __contains__(self, text: object) -> bool:
        if not isinstance(text, str):
            return False
        if text in self.lines or text in self.parts:
            return True
        return len(self.lines) <= 200 and any(text in line for line in self.lines)


def _key(text: str) -> str:
    return " ".join(text.split())[:60]


def _block_starts(text: str) -> set[str]:
    """Where the author's paragraphs begin, also in texts the locator rules read as one paragraph.

    A text whose paragraphs are single lines between blank lines counts as one paragraph for
    locators (see :mod:`kg.curation.texts`); a block that follows one ending a sentence still starts
    a new topic, so what the previous block named is not carried into it.
    """
    blocks = [" ".join(b.split()) for b in re.split(r"\n[ \t]*\n", text) if b.strip()]
    return {_key(block) for previous, block in zip([".", *blocks], blocks, strict=False)
            if re.search(r"[.!?:)\"”\d\]]$", previous)}


_HEADING = re.compile(r"^(?:references?|bibliography|literature cited|sources?|works cited)\s*:?\s+(?=\S)",
                      re.IGNORECASE)


def _references(text: str) -> tuple[list[Citation], list[str]]:
    """Printed references written one per line (however the text's paragraphs are counted); a
    "References" heading on the same line is not part of the first one (never an author)."""
    citations: list[Citation] = []
    texts: list[str] = []
    for raw in text.splitlines():
        line = " ".join(raw.split())
        line = _HEADING.sub("", line)
        if line and is_reference(line):
            citations.append(parse_reference(line))
            texts.append(line)
    return citations, texts


def _assemble(doc: SourceText, text: str, source_id: str, file_name: str, lexicon: Lexicon,
              study: MainStudy | None, publications: list[dict[str, Any]], citations: list[Citation],
              drafted: list[Drafted], base: FactBase) -> dict[str, Any]:
    entries = new_entries([t for d in drafted for t in d.terms], lexicon, text)
    studies = ([study.entry] if study is not None and study.entry is not None else []) + entries.pop("studies")
    regimens = {t.id: t for t in lexicon.by_kind("regimen")} | {t.id: t for d in drafted for t in d.terms
                                                                 if t.kind == "regimen"}
    fields_of = [dict(item.fields) for item in drafted]
    new_arms = draft_arms(fields_of, trial_ids(studies, base), regimens)
    populations = draft_populations(studies, fields_of, doc, lexicon)
    arms = {arm: regimen for term in lexicon.by_kind("study") for arm, regimen in term.arms}
    arms |= {arm["id"]: arm["regimen"] for arm in new_arms}
    order = ("id", "kind", "at", "status", "confidence", "statement")
    findings = []
    for item_fields in fields_of:
        fields = {**item_fields, "statement": describe(item_fields, lexicon, arms)}
        findings.append({**{k: fields[k] for k in order}, **{k: v for k, v in fields.items() if k not in order}})
    if not findings:
        findings.append({"id": f"{source_id}-no-figures", "kind": "statement", "at": "p1.s1", "status": "draft",
                         "confidence": Decimal("0.1"), "role": "background",
                         "statement": "The drafter found no figures in this article; summarise it by hand."})
    data: dict[str, Any] = {
        "source": source_meta(doc, text, source_id, file_name, lexicon, study, publications, citations),
        **{section: items for section, items in entries.items() if items},
        "publications": [{k: v for k, v in p.items() if k != "_new"} for p in publications if p["_new"]],
        "studies": studies,
        "populations": populations,
        "arms": new_arms,
        "findings": findings,
    }
    return {k: v for k, v in data.items() if v != []}
