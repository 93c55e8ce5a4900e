"""The entries a draft defines besides its findings: source record, main study, publications, new terms."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from kg.curation.factbase import FactBase
from kg.curation.texts import SourceText, parse_locator
from kg.drafting.candidates import drug_candidates, term_candidates, vocabularies
from kg.drafting.citation import Citation
from kg.drafting.design_figures import iso_date
from kg.drafting.lexicon import Lexicon, Term
from kg.drafting.pieces import MONTHS
from kg.drafting.statements import clean_text

__all__ = ["MainStudy", "authors_line", "draft_arms", "draft_populations", "main_study", "new_entries",
           "publication_entry", "source_meta", "trial_ids"]

_DESIGNS = (
    (re.compile(r"network meta-?analys[ie]s", re.IGNORECASE), ["NetworkMetaAnalysis", "MetaAnalysis"],
     "network meta-analysis"),
    (re.compile(r"meta-?analys[ie]s", re.IGNORECASE), ["MetaAnalysis"], "meta-analysis"),
    (re.compile(r"\b(?:this|the present|a|an)\s+(?:\w+\s+){0,3}?randomi[sz]ed\s+(?:\w+\s+){0,3}?(?:trial|study)",
                re.IGNORECASE), ["RandomisedControlledTrial"], "randomised trial"),
)
_PHASE = re.compile(r"\bphase\s+(3|III|2|II)\b", re.IGNORECASE)
_UPDATED = re.compile(r"\b(?:Updated|Published|Posted)\s*:?\s*(?P<month>[A-Z][a-z]+)\s+(?P<day>\d{1,2}),\s*"
                      r"(?P<year>\d{4})")
_AUTHOR = re.compile(r"\bAuthors?:[ \t]*(?P<names>[^\n]{0,2000})")
_DEGREES = re.compile(r",?\s*\b(?:MD|PhD|MBBS|DO|MPH|PharmD|MSc|BSc|FRCP|FRCPath)\b\.?")
_DRAFT = "draft"
_SUBGROUP = re.compile(r"\b(?:subgroups?|subsets?|among)\b|\bin\s+(?:the\s+)?[A-Za-z][\w-]*(?:[- ][A-Za-z][\w-]*){0,3}?"
                       r"\s+patients\b", re.IGNORECASE)


@dataclass(frozen=True)
class MainStudy:
    """The study the article reports: a trial the graph holds (``entry`` None) or a new draft entry."""

    term: Term
    entry: dict[str, Any] | None


def main_study(doc: SourceText, lexicon: Lexicon, source_id: str, publications: list[str]) -> MainStudy | None:
    """The trial the article's opening names (or its only named trial), else a meta-analysis or randomised
    trial it describes, else None."""
    sentences = [s for p in doc.paragraphs for s in p]
    for scope in (sentences[:3], sentences):  # the trial the opening names, else the article's only trial
        named = {m.term for s in scope for m in lexicon.find(s) if m.term.kind == "study"}
        if len(named) == 1:
            (only,) = named  # a trial the graph holds, or a new one the draft defines among its new entries
            return MainStudy(only, None)
    for p_index, paragraph in enumerate(doc.paragraphs[:6], 1):
        for s_index, sentence in enumerate(paragraph, 1):
            for pattern, types, design in _DESIGNS:
                if pattern.search(sentence):
                    systematic = any("systematic review" in s.lower() for p in doc.paragraphs for s in p)
                    entry: dict[str, Any] = {
                        "id": f"{source_id}-study", "label": f"{design} reported in {source_id}",
                        "status": _DRAFT,
                        "types": types + (["SystematicReview"] if systematic and "MetaAnalysis" in types else []),
                        "disease": "multiple-myeloma", "at": f"p{p_index}.s{s_index}"}
                    phase = _PHASE.search(sentence)
                    if phase and "RandomisedControlledTrial" in types:
                        entry["phase"] = {"3": 3, "III": 3, "2": 2, "II": 2}[phase[1].upper()]
                    if publications:
                        entry["published_in"] = publications[:1]
                    # known: the draft itself defines it (never a second, new-entry copy)
                    return MainStudy(Term("study", entry["id"], entry["label"], known=True), entry)
    return None


def authors_line(text: str) -> tuple[list[str], str | None]:
    """The names an ``Authors:`` line prints, and a warning when it has one but names nobody.

    >>> authors_line("Authors: Jane Smith, MD; Li Wei, PhD")
    (['Jane Smith', 'Li Wei'], None)
    >>> authors_line("Authors: ;")
    ([], "an 'Authors:' line at line 1 names no author; the draft leaves the authors out")
    """
    match = _AUTHOR.search(text)
    if match is None:
        return [], None
    segments = [seg for seg in match["names"].split(";") if ":" not in seg]  # not "Chief Editor: ..."
    names = [clean_text(_DEGREES.sub("", n), 120) for seg in segments
             for n in re.split(r"\band\b|,(?=\s*[A-Z][a-z])", _DEGREES.sub("", seg))]
    names = [n.strip(" ,.") for n in names if sum(c.isalpha() for c in n) >= 2]
    if names:
        return names, None
    line = text.count("\n", 0, match.start()) + 1
    return [], f"an 'Authors:' line at line {line} names no author; the draft leaves the authors out"


def publication_entry(citation: Citation, base: FactBase, taken_here: set[str] | None = None) -> dict[str, Any]:
    """The publication a printed reference names: the graph's own when DOI or first author and year match.

    A new one gets an id neither the graph nor ``taken_here`` (the draft's other publications) uses.
    """
    surname = citation.authors[0].split()[0] if citation.authors else "anonymous"
    for pub in base.publications():
        same_doi = citation.doi is not None and pub.doi is not None and citation.doi.lower() == pub.doi.lower()
        same_author = (pub.authors and pub.authors[0].split()[0] == surname and pub.year == citation.year)
        if same_doi or same_author:
            return {"id": pub.id, "_new": False}
    pub_id = f"{re.sub(r'[^a-z0-9]+', '-', surname.lower())}-{citation.year or 'nd'}"
    taken = {p.id for p in base.publications()} | (taken_here or set())
    suffix = 2
    base_id = pub_id
    while pub_id in taken:
        pub_id, suffix = f"{base_id}-{suffix}", suffix + 1
    entry: dict[str, Any] = {
        "id": pub_id, "status": _DRAFT,
        "label": clean_text(f"{surname} et al. {citation.year or ''}, {citation.journal or 'journal not printed'}"),
        "authors": [clean_text(a, 120) for a in citation.authors if clean_text(a, 120)],
        "journal": clean_text(citation.journal) or None if citation.journal else None, "year": citation.year,
        "date": citation.date, "citation": clean_text(citation.text(), 1000), "doi": citation.doi,
        "pmid": citation.pmid, "pmcid": citation.pmcid, "_new": True}
    return {k: v for k, v in entry.items() if v not in (None, [])}


def new_entries(terms: list[Term], lexicon: Lexicon, text: str = "") -> dict[str, list[dict[str, Any]]]:
    """Entries for the terms the graph does not hold yet, each marked draft, by fact-file section; new
    drugs, endpoints and adverse events with candidate identifiers (and a drug's mechanism class) from
    the pinned vocabularies (:mod:`kg.drafting.candidates`)."""
    sections: dict[str, list[dict[str, Any]]] = {"drugs": [], "endpoints": [], "adverse_events": [], "regimens": [],
                                                 "studies": []}
    done: set[tuple[str, str]] = set()
    new = [t for t in terms if not t.known and t.kind in ("drug", "endpoint", "adverse_event", "regimen")]
    vocab = vocabularies() if new else None

    def add(term: Term) -> None:
        if term.known or (term.kind, term.id) in done:
            return
        done.add((term.kind, term.id))
        entry: dict[str, Any] = {"id": term.id, "label": term.label, "status": _DRAFT}
        if term.short_label:
            entry["short_label"] = term.short_label
        if term.synonyms:
            entry["synonyms"] = list(term.synonyms)
        if term.kind == "drug":
            xrefs, classes, note = drug_candidates(term.label, text, vocab)
            classes = sorted(set(term.classes) | set(classes))
            sections["drugs"].append({**entry, **({"classes": classes} if classes else {}),
                                      **({"xrefs": xrefs} if xrefs else {}), **({"note": note} if note else {})})
        elif term.kind == "regimen":
            for component in term.components:
                add(lexicon.term("drug", component) or Term("drug", component, component, known=False))
            sections["regimens"].append({**entry, "components": list(term.components)})
        elif term.kind == "endpoint":
            xrefs = term_candidates(term.label, vocab)
            sections["endpoints"].append({**entry, **({"xrefs": xrefs} if xrefs else {})})
        elif term.kind == "adverse_event":
            broader = [b for b in term.broader if (known := lexicon.term("adverse_event", b)) and known.known]
            xrefs = term_candidates(term.label, vocab)
            sections["adverse_events"].append({**entry, **({"broader": broader} if broader else {}),
                                               **({"xrefs": xrefs} if xrefs else {})})
        elif term.kind == "study":
            xrefs = [{"curie": f"{'clinicaltrials' if r.startswith('NCT') else 'isrctn'}:{r}", "confidence": "likely",
                      "checked_in": "printed in the article (draft: verify in the registry)"} for r in term.registry]
            sections["studies"].append({**entry, "types": ["ClinicalTrial"], "disease": "multiple-myeloma",
                                        **({"xrefs": xrefs} if xrefs else {})})

    for term in terms:
        add(term)
    return sections


_TRIAL_TYPES = {"RandomisedControlledTrial", "ClinicalTrial", "OpenLabelStudy", "AdaptiveDesignStudy"}
_NO_ACTIVE_ROLES = {"placebo": "placebo", "observation": "observation"}


def draft_arms(findings: list[dict[str, Any]], trials: set[str], regimens: dict[str, Term]) -> list[dict[str, Any]]:
    """Arms for the regimens the findings give a trial's values, as the curated files model them.

    A finding with ``study`` (one of ``trials``) and ``regimen`` gets the arm of that trial that
    receives the regimen instead (``s005-trial-len``), defined here: the first active regimen the
    article names is the intervention arm, later active ones active comparators, placebo, observation
    and no maintenance their own roles.
    """
    arms: dict[tuple[str, str], dict[str, Any]] = {}
    for finding in findings:
        study, regimen = finding.get("study"), finding.get("regimen")
        if not isinstance(study, str) or not isinstance(regimen, str) or study not in trials:
            continue
        key = (study, regimen)
        if key not in arms:
            term = regimens.get(regimen)
            no_active = term is not None and term.no_active
            taken = [a for (s, _), a in arms.items() if s == study and a["role"] == "intervention"]
            role = (_NO_ACTIVE_ROLES.get(regimen, "no_maintenance") if no_active
                    else "active_comparator" if taken else "intervention")
            label = term.label if term is not None else regimen.replace("-", " ")
            arms[key] = {"id": f"{study}-{regimen}"[:80].rstrip("-"), "label": f"{label} arm of {study}",
                         "status": _DRAFT, "study": study, "role": role, "regimen": regimen}
        finding["arm"] = arms[key]["id"]
        del finding["regimen"]
    for finding in findings:  # a dose goes with the arm whose regimen contains its drug
        study, drug = finding.get("study"), finding.get("drug")
        if finding["kind"] != "dose" or "arm" in finding:
            continue
        for (arm_study, regimen), arm in arms.items():
            term = regimens.get(regimen)
            if arm_study == study and term is not None and drug in term.components:
                finding["arm"] = arm["id"]
                del finding["study"]
                break
    return list(arms.values())


def draft_populations(studies: list[dict[str, Any]], findings: list[dict[str, Any]], doc: SourceText,
                      lexicon: Lexicon) -> list[dict[str, Any]]:
    """A population for each study the draft defines, with the characteristics (newly diagnosed,
    transplant-eligible, after ASCT ...) the sentences about it name; its findings get it too."""
    populations = []
    # each sentence read once: which studies and which characteristics it names
    traits: dict[str, set[str]] = {}
    by_study: dict[str, set[str]] = {}
    for sentence in {s for p in doc.paragraphs for s in p}:
        found = lexicon.find(sentence)
        traits[sentence] = {m.term.id for m in found if m.term.kind == "characteristic"}
        for m in found:
            if m.term.kind == "study":
                by_study.setdefault(m.term.id, set()).add(sentence)
    at_of: dict[str, set[str]] = {}
    for f in findings:
        if isinstance(f.get("study"), str):
            at_of.setdefault(f["study"], set()).add(f["at"])
    for study in studies:
        locators = at_of.get(study["id"], set()) | {study.get("at")}
        sentences = {doc.at(parse_locator(at)) for at in locators if at} | by_study.get(study["id"], set())
        for sentence in sentences - traits.keys():  # a locator over several sentences
            traits[sentence] = {m.term.id for m in lexicon.find(sentence) if m.term.kind == "characteristic"}
        # "among transplantation-eligible patients, ...": a subgroup, not the trial's population
        subgroup = {s for s in sentences if traits[s] and _SUBGROUP.search(s)}
        characteristics = sorted({t for s in sentences - subgroup for t in traits[s]})
        population: dict[str, Any] | None = None
        if characteristics:
            population = {"id": f"{study['id']}-population"[:80], "label": f"patients of {study['label']}",
                          "status": _DRAFT, "disease": "multiple-myeloma", "characteristics": characteristics}
            populations.append(population)
            study["populations"] = [population["id"]]
        subgroups: dict[str, dict[str, Any]] = {}
        for finding in findings:
            if finding.get("study") != study["id"] or finding["kind"] in ("count", "dose", "duration", "statement"):
                continue
            sentence = doc.at(parse_locator(finding["at"]))
            extra = sorted(traits.get(sentence, set()) - set(characteristics)) if sentence in subgroup else []
            if extra:
                sub_id = f"{study['id']}-{'-'.join(extra)}"[:80].rstrip("-")
                if sub_id not in subgroups:
                    named = ", ".join(e.replace("-", " ") for e in extra)
                    subgroups[sub_id] = {"id": sub_id, "label": f"{named} patients of {study['label']}",
                                         "status": _DRAFT, "disease": "multiple-myeloma",
                                         "characteristics": sorted({*characteristics, *extra}),
                                         **({"subgroup_of": population["id"]} if population else {})}
                finding["population"] = sub_id
            elif population is not None:
                finding.setdefault("population", population["id"])
        populations.extend(subgroups.values())
    return populations


def trial_ids(studies: list[dict[str, Any]], base: FactBase) -> set[str]:
    """The trials among the studies a draft names: those it defines and the graph's own."""
    found = {s["id"] for s in studies if _TRIAL_TYPES & set(s.get("types", ()))}
    return found | {s.id for s in base.studies() if _TRIAL_TYPES & set(s.types)}


def _date(match: re.Match[str] | None) -> str | None:
    if match is None or match["month"].lower() not in MONTHS:
        return None
    return iso_date(match["year"], match["month"], match["day"])


def source_meta(doc: SourceText, text: str, source_id: str, file_name: str, lexicon: Lexicon,
                study: MainStudy | None, publications: list[dict[str, Any]],
                citations: list[Citation]) -> dict[str, Any]:
    """The ``source:`` record: title from a heading when the text has one, kind, date and authors as printed."""
    first = doc.paragraphs[0] if doc.paragraphs else ()
    lines = text.strip().splitlines()
    heading = lines[0].strip() if lines else ""
    if len(lines) > 1 and not lines[1].strip() and 0 < len(heading) <= 150 and heading[-1] not in ".:;," \
            and clean_text(heading):
        title = clean_text(heading)
    elif study is not None:
        title = f"Article reporting the {study.term.label}"
    elif citations and citations[0].authors:
        title = f"Article citing {citations[0].authors[0].split()[0]} et al. {citations[0].year or ''}".strip()
    else:
        title = f"Article {file_name}"
    lead = " ".join(first)
    kind = "news report" if re.search(r"according to (?:a|the) (?:study|report|analysis)|published (?:online )?in",
                                      lead, re.IGNORECASE) else "article"
    meta: dict[str, Any] = {"id": source_id, "file": file_name, "title": title, "kind": kind}
    if (date := _date(_UPDATED.search(text))) is not None:
        meta["date"] = date
    if names := authors_line(text)[0]:
        meta["authors"] = names
    if study is not None:
        meta["reports"] = [study.term.id]
    if publications:
        meta["cites"] = list(dict.fromkeys(p["id"] for p in publications))
    meta["note"] = ("Drafted by `mmkg draft`: every finding is status draft with the drafter's confidence; confirm "
                    "each (set status: curated, or delete it), check the new entries, then `mmkg draft --accept`.")
    return meta
