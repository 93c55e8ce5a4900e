"""How long the drafter takes on hostile inputs (issue 29): seconds per input, and the 10 KB -> 100 KB ratio.

    .venv/bin/python bench/draft_budget.py [--cap 60]

Each input is drafted in this process (``draft_article``) under an alarm of ``--cap`` seconds
(printed as ``> cap`` when it fires). A linear drafter's ratio between the 100 KB and the 10 KB
run of the same pattern is about 10; a quadratic one's about 100.
"""

from __future__ import annotations

import argparse
import signal
import sys
import time
from pathlib import Path
from types import FrameType

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg import paths  # noqa: E402
from kg.curation.factbase import load_facts  # noqa: E402
from kg.drafting.document import draft_article  # noqa: E402
from kg.drafting.lexicon import Lexicon  # noqa: E402

UNITS = {
    "digits": "1",
    "digits and spaces": "1 ",
    "decimals": "0.5 ",
    "ratio then digits": "HR 0.5 ",
    "upper-case words": "AB ",
    "capitalised hyphens": "Ab-",
    "brackets": "(1 ",
    "separators": "1, 1-1/",
    "vs": "1 vs ",
    "doses": "1 mg ",
    "months": "1 months ",
    "HR words": "HR ",
    "figures": "Median PFS was 26.5 vs 21.3 months (HR, 0.72; 95% CI, 0.58-0.89; P=.0023) in 42% of 395 patients. ",
}


class _Late(Exception):
    pass


def _alarm(signum: int, frame: FrameType | None) -> None:
    raise _Late


def _time(text: str, base: object, lexicon: Lexicon, cap: int) -> float | None:
    signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(cap)
    started = time.perf_counter()
    try:
        draft_article(text, source_id="s999", file_name="x.txt", base=base, lexicon=lexicon)  # type: ignore[arg-type]
    except _Late:
        return None
    finally:
        signal.alarm(0)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cap", type=int, default=60)
    parser.add_argument("--sizes", default="8000,10000,100000")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    facts = paths.facts_dir()
    base = load_facts(facts / "reference.yaml", sorted((facts / "sources").glob("*.yaml")))
    lexicon = Lexicon.from_facts(base)
    print("| input | " + " | ".join(f"{s // 1000} KB s" for s in sizes) + " | ratio last/previous |")
    print("|---|" + "---:|" * (len(sizes) + 1))
    for name, unit in UNITS.items():
        cells, times = [], []
        for size in sizes:
            text = "Study. " + (unit * (size // len(unit) + 1))[:size]
            took = _time(text, base, lexicon, args.cap)
            times.append(took)
            cells.append(f"> {args.cap}" if took is None else f"{took:.2f}")
        a, b = times[-2], times[-1]
        ratio = f"{b / a:.1f}" if a and b else "-"
        print(f"| {name} | " + " | ".join(cells) + f" | {ratio} |", flush=True)


if __name__ == "__main__":
    main()
