"""Draft the figures of table cells: each row read as a clause built from its headers and cells.

A figure in a cell means what its row header (outcome, subgroup, trial) and column header (arm, n,
measure) say. Each body row becomes one clause written the way an article states a result:

* a table whose columns are arms (their headers name regimens) reads a row
  ``Median PFS, months | 49.3 | 37.6 | 0.71 (0.57-0.88)`` as "Median PFS, months: 49.3 months with
  isatuximab vs 37.6 months with lenalidomide; HR 0.71 (95% CI 0.57-0.88)";
* a table whose rows are trials or subgroups reads each cell after its column header
  (``HR for PFS (95% CI)`` and ``0.66 (0.52-0.83)`` give "PFS: HR 0.66 (95% CI 0.52-0.83)");
* the header row's arm cells give the arms' sizes (``Isatuximab (n = 310)``).

The clause goes through the drafter's own sentence path (:func:`kg.drafting.assemble.draft_sentence`),
and each finding is placed at the cells its figures came from (``tN.rM.cK-L``); a finding whose figures
are not all in those cells and their headers (what the provenance check reads) is left out.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import TypeAdapter, ValidationError

from kg.curation.schema import FindingEntry
from kg.curation.tabletext import TableSegment
from kg.curation.texts import SourceText, numbers_in, parse_locator
from kg.drafting.assemble import Drafted, draft_sentence
from kg.drafting.attach import Context, SentenceTerms
from kg.drafting.figures import recognise
from kg.drafting.lexicon import Lexicon
from kg.drafting.statements import short_name

__all__ = ["Clause", "draft_tables", "row_clauses"]

_RATIO = re.compile(r"\b(?P<label>HR|hazard ratio|RR|risk ratio|relative risk)\b", re.IGNORECASE)
_LEVEL = re.compile(r"(?P<level>\d{2}(?:\.\d)?)\s*%\s*(?:CI|confidence interval)", re.IGNORECASE)
_ESTIMATE = re.compile(r"^\s*(?P<est>\d*[.·]?\d+)\s*[(\[]\s*(?:(?P<level>\d{2}(?:\.\d)?)\s*%\s*CI[,:;]?\s*)?"
                       r"(?P<lo>\d*[.·]?\d+)\s*(?:[-–—−,;]|to)\s*"
                       r"(?P<hi>\d*[.·]?\d+)\s*[)\]]\s*(?P<rest>.*)$")
_P_HEADER = re.compile(r"^\s*p(?:\s*[- ]?values?)?\s*$|\bp[- ]value\b", re.IGNORECASE)
_COUNT_HEADER = re.compile(r"^\s*(?:n|no\.?|number)?\s*(?:of\s+)?(?:patients|participants|subjects|n)\s*"
                           r"(?:\((?:n|no\.|randomi[sz]ed|enrolled|assigned|analy[sz]ed|evaluable|itt)\))?\s*$",
                           re.IGNORECASE)
_UNIT = re.compile(r"\b(months?|mo|years?|weeks?)\b|(%)", re.IGNORECASE)
_NUMERIC = re.compile(r"^(?:[\s\d.,·%<>=≤≥()\[\]–—−-]|\bvs\.?|\bversus\b|\bNR\b|\bNE\b|not reached)+$",
                      re.IGNORECASE)
_PAIR_NOTE = re.compile(r"\s*[(\[][^)\]]*\b(?:vs\.?|versus)\s[^)\]]*[)\]]|,?\s*\b(?:months?|mo|%)\b(?=\s*(?:[(\[]|$))",
                        re.IGNORECASE)
_LEVEL_NOTE = re.compile(r"[(\[]\s*\d{2}(?:\.\d)?\s*%\s*(?:CI|confidence interval)\s*[)\]]", re.IGNORECASE)
_MEASURE_UNIT = re.compile(r"(?<!\w)(?:n\s*\(%\)|n|no\.|%|mo|months?)(?!\w)", re.IGNORECASE)
_NOT_REACHED = re.compile(r"^\s*(?:NR|not reached)\s*(?:[(\[][^)\]]*[)\]])?\s*$", re.IGNORECASE)
_TRIAL_COLUMN = re.compile(r"^\s*(?:trials?|stud(?:y|ies)|rcts?)\b", re.IGNORECASE)
_N_SHARE = re.compile(r"^\s*\d[\d,]*\s*[(\[]\s*(?P<share>\d+(?:[.·]\d+)?)\s*%?\s*[)\]]\s*$")
_EMPTY = re.compile(r"^[\s–—−-]*$|^(?:NA|n/?a|NE|—)$", re.IGNORECASE)


@dataclass
class Clause:
    """A synthetic clause and, for each of its pieces, the cell it came from (row, column; row 0 the header)."""

    text: str = ""
    pieces: list[tuple[int, int, tuple[int, int] | None]] = field(default_factory=list)

    def add(self, text: str, cell: tuple[int, int] | None = None) -> None:
        self.pieces.append((len(self.text), len(self.text) + len(text), cell))
        self.text += text

    def cells(self, start: int, end: int) -> list[tuple[int, int]]:
        """The cells the span ``start:end`` of the clause was built from (body cells first)."""
        found = [cell for a, b, cell in self.pieces if cell is not None and a < end and start < b]
        body = [c for c in found if c[0] > 0]
        return body or found


def _unit(*texts: str) -> str:
    """The unit a header gives its cells ("%", " months"); the level of an interval ("95% CI") is none."""
    for text in texts:
        text = _LEVEL.sub(" ", text)
        if "%" in text:
            return "%"
        match = _UNIT.search(text)
        if match is not None and match[1]:
            return " months" if match[1].lower().startswith("mo") else f" {match[1].lower()}"
    return ""


def _with_unit(value: str, unit: str) -> str:
    """``49.3`` as "49.3 months", ``52.0 vs 28.4`` as "52.0 vs 28.4 months", ``49 (42-56)`` as "49% (42-56)";
    a count with its share (``28 (9.0)`` under "n (%)") as its share, "9.0%"."""
    if unit == "%" and (share := _N_SHARE.match(value)) is not None:
        return f"{share['share']}%"
    if not unit or re.search(r"%|months?|years?|weeks?", value):
        return value
    if re.search(r"\b(?:vs\.?|versus)\s", value):
        return f"{value}{unit}" if re.search(r"\d\s*$", value) else value
    return re.sub(r"^(\s*\d[\d.,·]*)", lambda m: f"{m[1]}{unit}", value, count=1)


def _ratio_text(header: str, cell: str) -> tuple[str, str, str] | None:
    """(words before, the figure, words after) for a ratio cell under a ratio header, else None."""
    label = _RATIO.search(header)
    match = _ESTIMATE.match(cell)
    if label is None or match is None:
        return None
    level = _LEVEL.search(header)
    stated_level = match["level"] or (level["level"] if level else None)  # "0.71 (95% CI, 0.57-0.88)" or the header's
    ci = f"{stated_level}% CI " if stated_level else ""
    about = _RATIO.sub("", _LEVEL.sub("", header))
    about = re.sub(r"[()\[\],]|\bfor\b|\bCI\b", " ", about).strip()
    before = f"{about}: " if about else ""
    stated = re.search(r"(?P<cmp>[<=>≤≥])?\s*(?P<p>\d*[.·]\d+|[01])\s*$", match["rest"])  # "; P = .006"
    p = f"; p{stated['cmp'] or '='}{stated['p']}" if stated and re.search(r"\bp\b|^\W*$", match["rest"][
        :stated.start()], re.IGNORECASE) else ""
    return before, f"{label['label']} {match['est']} ({ci}{match['lo']}-{match['hi']}{p})", ""


def _arm_columns(table: TableSegment, lexicon: Lexicon) -> list[int]:
    """The columns (1-based) whose headers name a regimen and that are not ratios or p-values."""
    arms = []
    for k, header in enumerate(table.columns[1:], 2):
        if _RATIO.search(header) or _P_HEADER.search(header) or _COUNT_HEADER.match(header):
            continue
        if any(m.term.kind in ("regimen", "drug") for m in lexicon.find(header)):
            arms.append(k)
    return arms


def _arm_label(header: str) -> str:
    return re.sub(r"\s*[(\[][^)\]]*\b[nN]\s*=\s*\d[^)\]]*[)\]]", "", header).strip()


def _arm_parts(header: str, lexicon: Lexicon) -> tuple[str, str]:
    """(arm, measure) of an arm column's header: "Isatuximab (n = 310) Grade 3-4" is isatuximab's grade 3-4."""
    label = _arm_label(header)
    named = [m for m in lexicon.find(label) if m.term.kind in ("regimen", "drug")]
    if not named:
        return label, ""
    start, end = min(m.start for m in named), max(m.end for m in named)
    measure = " ".join(f"{label[:start]} {label[end:]}".replace(",", " ").split()).strip(" :;-–")
    # "Median (95% CI), mo" is the median; "Events, n" the events: the interval and the unit are the cells'
    measure = _MEASURE_UNIT.sub(" ", _LEVEL_NOTE.sub(" ", measure))
    arm = re.sub(r"\s*\+\s*", " plus ", label[start:end])  # "Daratumumab + lenalidomide", as prose writes it
    return arm, " ".join(measure.split()).strip(" :;-–")


def row_clauses(table: TableSegment, lexicon: Lexicon) -> list[tuple[int, Clause]]:
    """The clause of every row (row 0: the arms' sizes from the header row)."""
    arms = _arm_columns(table, lexicon) if len(table.columns) > 2 else []
    trials = _TRIAL_COLUMN.match(table.columns[0]) is not None
    out: list[tuple[int, Clause]] = []
    extra: list[tuple[int, Clause]] = []
    header = Clause()
    parts = {k: _arm_parts(table.columns[k - 1], lexicon) for k in arms}
    sizes: set[tuple[str, str]] = set()
    for k in arms:
        size = re.search(r"\b[nN]\s*=\s*\d[\d,]*", table.columns[k - 1])
        if size is not None and (parts[k][0], size[0]) not in sizes:  # each arm's size once
            sizes.add((parts[k][0], size[0]))
            header.add(f"{'; ' if header.text else ''}{table.columns[k - 1]}", (0, k))
    if header.text:
        header.add(".")
        out.append((0, header))
    group = ""
    for r, row in enumerate(table.rows, 1):
        if row[0] and all(_EMPTY.match(c) for c in row[1:]):  # a label over the rows below ("Transplant-eligible")
            group = row[0]
            continue
        clause = Clause()
        if group:
            clause.add(f"{group}, ")
        clause.add(row[0], (r, 1))
        if trials and not re.search(r"\b(?:trial|study)\b", row[0], re.IGNORECASE):
            clause.add(" trial")  # "OSPREY trial: ...", as articles name a trial
        unit = _unit(row[0])
        measures = list(dict.fromkeys(parts[k][1] for k in arms))  # any grade, grade 3-4: a clause each
        for m, measure in enumerate(measures):
            target = clause if m == 0 else Clause()
            if m:
                target.add(f"{group}, " if group else "")
                target.add(row[0], (r, 1))
            target.add(f", {measure}: " if measure else ": ")
            arm_values = [(k, row[k - 1]) for k in arms if parts[k][1] == measure and not _EMPTY.match(row[k - 1])]
            for n, (k, value) in enumerate(arm_values):
                target.add(" vs " if n else "")
                if (ratio := _ratio_text(row[0], value)) is not None:  # a row of ratios: "HR for PFS (95% CI)"
                    target.add(ratio[1], (r, k))
                elif _NOT_REACHED.match(value):  # "NR (NR-NR)": a median not reached, as articles write it
                    target.add("not reached", (r, k))
                else:
                    target.add(_with_unit(value, unit or _unit(table.columns[k - 1])), (r, k))
                target.add(" with ")
                target.add(parts[k][0], (0, k))
            if m:
                target.add(".")
                extra.append((r, target))
        if not measures:
            clause.add(": ")
        for k in range(2, table.width + 1):
            cell, head = row[k - 1], table.columns[k - 1]
            if k in arms or _EMPTY.match(cell):
                continue
            if not clause.text.endswith(": "):
                clause.add("; ")
            if (ratio := _ratio_text(head, cell)) is not None:
                clause.add(ratio[0], (0, k))
                clause.add(ratio[1], (r, k))
            elif _P_HEADER.search(head) and _NUMERIC.match(cell):
                clause.add("p" + ("" if cell.strip()[:1] in "<=>≤" else "="), (0, k))
                clause.add(cell.strip(), (r, k))
            elif _COUNT_HEADER.match(head) and re.fullmatch(r"\s*\d[\d,]*\s*", cell):
                clause.add(cell.strip(), (r, k))
                clause.add(" patients")
            elif _NUMERIC.match(cell):  # "Median PFS, months (X vs Y)" + "52 vs 28": "Median PFS 52 vs 28 months"
                clause.add(f"{_PAIR_NOTE.sub('', head).strip()} ", (0, k))
                clause.add(_with_unit(cell, _unit(head, row[0])), (r, k))
            elif doses := [f for f in recognise(cell) if f.kind == "dose"]:
                # the drafter reads no times in a sentence with a dose: the dose cell is a clause of its own
                alone = Clause()
                alone.add(row[0], (r, 1))
                alone.add(" trial: " if trials and not re.search(r"\b(?:trial|study)\b", row[0], re.I) else ": ")
                alone.add(cell, (r, k))
                alone.add(".")
                extra.append((r, alone))
                kept, at = [], 0
                for dose in doses:
                    kept.append(cell[at:dose.start])
                    at = dose.end
                kept.append(cell[at:])
                clause.add(" ".join(" ".join(kept).split()), (r, k))
            else:
                clause.add(f"{head} ", (0, k))
                clause.add(cell, (r, k))
        clause.add(".")
        out.append((r, clause))
        out += extra
        extra = []
    return out


_FINDING = TypeAdapter(FindingEntry)
Marked = tuple[str, int, int, tuple[str, ...]]
"""A finding's mark on the page: (locator, start, end, finding ids)."""


def _stated(fields: dict[str, Any], text: str) -> bool:
    """Whether every figure of a drafted finding is in ``text`` (as the provenance check will ask)."""
    try:
        finding = _FINDING.validate_python({**fields, "statement": "check"})
    except ValidationError:
        return True  # the drafter reports what the schema refuses; not this check's to judge
    numbers = numbers_in(text)
    return all(f.normalize() in numbers for f in finding.figures())


def _locator(table: int, row: int, cells: list[tuple[int, int]]) -> str:
    columns = sorted({c for r, c in cells if r == row})
    if not columns:
        return f"t{table}.r{row}"
    first, last = columns[0], columns[-1]
    return f"t{table}.r{row}.c{first}" if first == last else f"t{table}.r{row}.c{first}-{last}"


def draft_tables(doc: SourceText, lexicon: Lexicon, context: Context, source_id: str,
                 seen: set[tuple[Any, ...]], signature: Callable[[dict[str, Any]], tuple[Any, ...]],
                 never_restated: tuple[str, ...] = ()) -> tuple[list[Drafted], list[Marked]]:
    """The draft findings of every table of ``doc`` with their cell locators, and the marks for the page.

    ``seen`` and ``signature`` are the article's restatement check: a table row that repeats a
    finding already drafted from the prose adds nothing.
    """
    drafted: list[Drafted] = []
    marks: list[Marked] = []
    for table in doc.tables:
        # rows that are trials: each row's trial is its own, never the article's main study
        rows_context = Context() if _TRIAL_COLUMN.match(table.columns[0]) else context
        named = {m.term for m in lexicon.find(table.caption) if m.term.kind == "study"}
        if len(named) == 1 and rows_context is context:  # "Adverse events in the WREN trial": that trial's rows
            rows_context = Context(main_study=next(iter(named)), single_trial=True)
        for row, clause in row_clauses(table, lexicon):
            rows_context.new_paragraph()
            terms = SentenceTerms(clause.text, lexicon.find(clause.text), lexicon, rows_context)
            figures = recognise(clause.text)
            found = draft_sentence(clause.text, f"t{table.number}.r{row}", figures, terms) if figures else []
            per_kind: dict[str, int] = {}
            for item in found:
                cells = clause.cells(item.start, item.end)
                body_row = next((r for r, _ in cells), row)
                locator = _locator(table.number, body_row, cells)
                item.fields["at"] = locator
                if not _stated(item.fields, doc.at(parse_locator(locator))):
                    continue
                sig = signature(item.fields)
                if item.fields["kind"] not in never_restated and sig in seen:
                    continue
                seen.add(sig)
                short = short_name(item.fields["kind"])
                per_kind[short] = per_kind.get(short, 0) + 1
                item.fields = {"id": f"{source_id}-t{table.number}r{row}-{short}-{per_kind[short]}", **item.fields}
                drafted.append(item)
                marks.append((locator, 0, 0, (item.fields["id"],)))
    return drafted, marks
