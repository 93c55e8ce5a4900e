"""Reading and drafting articles in their real formats: the candidate libraries compared, and a 20-page PDF timed.

    .venv/bin/python bench/draft_inputs.py [--pages 20] [--runs 3]

1. For PDF (pdfplumber words with our column-gap tables, against pypdf's layout text read as aligned
   plain text) and HTML (trafilatura against readability-lxml, when installed), each candidate reads
   its corpus file (tests/data/articles); the draft is scored against the expected figures (recall
   and precision with endpoint, arm and direction) and the reading is timed.
2. A PDF of ``--pages`` pages (the corpus trial report, its discussion repeated) is read and drafted
   ``--runs`` times: seconds per run against the 10 s target, and whether every run's YAML is the same.
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg import paths  # noqa: E402
from kg.curation.factbase import FactBase, load_facts  # noqa: E402
from kg.drafting.document import draft_article  # noqa: E402
from kg.drafting.figure_score import expected_of, score_figures  # noqa: E402
from kg.drafting.inputs import InputDocument, derived_name, read_input  # noqa: E402
from kg.drafting.lexicon import Lexicon  # noqa: E402
from kg.drafting.writing import draft_yaml  # noqa: E402
from kg.errors import ArticleError  # noqa: E402

ARTICLES = ROOT / "tests" / "data" / "articles"
DEBRIS = ("cookies", "Related Articles", "Continue Reading", "Most read", "Home", "All rights reserved", "staff writer")
TARGET_SECONDS = 10.0


def _draft(document: InputDocument, name: str, base: FactBase, lexicon: Lexicon) -> dict[str, Any]:
    return draft_article(document.text, source_id="s099", file_name=derived_name(name, document), base=base,
                         lexicon=lexicon).data


def compare(base: FactBase, lexicon: Lexicon, runs: int) -> list[str]:
    expected: dict[str, list[list[Any]]] = yaml.safe_load((ARTICLES / "expected.yaml").read_text(encoding="utf-8"))
    lines = ["| file | candidate | recall | precision | tables | debris left | read ms (median) |",
             "|---|---|---:|---:|---:|---:|---:|"]
    candidates = [("falcon2.pdf", "pdf_backend", "pdfplumber"), ("falcon2.pdf", "pdf_backend", "pypdf"),
                  ("merlin-news.html", "html_backend", "trafilatura"),
                  ("merlin-news.html", "html_backend", "readability")]
    for name, option, backend in candidates:
        data = (ARTICLES / name).read_bytes()
        try:
            times = []
            for _ in range(runs):
                started = time.perf_counter()
                document = read_input(data, name, **{option: backend})
                times.append(time.perf_counter() - started)
        except ImportError as exc:
            lines.append(f"| {name} | {backend} | not installed ({exc.name}) | | | | |")
            continue
        except ArticleError as exc:
            lines.append(f"| {name} | {backend} | refused: {exc.message[:90]} | | | | |")
            continue
        result = score_figures(_draft(document, name, base, lexicon), expected_of(expected[name]))
        debris = sum(1 for d in DEBRIS if d in document.text) if name.endswith(".html") else 0
        lines.append(f"| {name} | {backend} | {result.recalled}/{result.figures} ({result.recall:.0%}) | "
                     f"{result.right}/{result.drafted} ({result.precision:.0%}) | {len(document.tables)} | {debris} | "
                     f"{1000 * statistics.median(times):.0f} |")
    return lines


def long_pdf(base: FactBase, lexicon: Lexicon, pages: int, runs: int) -> list[str]:
    spec = importlib.util.spec_from_file_location("make_falcon2_pdf", ARTICLES / "make_falcon2_pdf.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "long.pdf"
        module.build(path, pages=pages)
        data = path.read_bytes()
    outputs, read_times, draft_times = set(), [], []
    for _ in range(runs):
        started = time.perf_counter()
        document = read_input(data, "long.pdf")
        read_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        outputs.add(draft_yaml(_draft(document, "long.pdf", base, lexicon)))
        draft_times.append(time.perf_counter() - started)
    total = statistics.median(r + d for r, d in zip(read_times, draft_times, strict=True))
    return [f"{pages}-page PDF ({len(data):,} bytes, {len(document.text):,} characters of derived text): "
            f"read {statistics.median(read_times):.2f} s + draft {statistics.median(draft_times):.2f} s = "
            f"{total:.2f} s per run (median of {runs}); {total / TARGET_SECONDS:.2f} of the "
            f"{TARGET_SECONDS:g} s target; "
            f"{'deterministic' if len(outputs) == 1 else f'{len(outputs)} different drafts'} over {runs} runs."]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=20)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    facts = paths.facts_dir()
    base = load_facts(facts / "reference.yaml", sorted((facts / "sources").glob("*.yaml")))
    lexicon = Lexicon.from_facts(base)
    print("\n".join(compare(base, lexicon, args.runs)))
    print()
    print("\n".join(long_pdf(base, lexicon, args.pages, args.runs)))


if __name__ == "__main__":
    main()
