"""How the reasoning step scales: HermiT on synthetic graphs of growing size.

    .venv/bin/python bench/reasoner_scale.py [--sizes 10000,100000]

For each size, ``mmkg synth`` writes a graph; its ontology graph is the TBox and everything but
``graph:inferred`` the ABox, exactly as ``mmkg build`` hands them to :func:`kg.pipeline.reasoning.reason`.
Prints how many individuals are classified (drugs, regimens and ratio estimates: the rest of the
graph never reaches HermiT), how many HermiT is given (one ratio estimate per signature stands for
the others), the size of its input, the time, and how many types were inferred.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rdflib import Dataset, Graph, URIRef  # noqa: E402

from kg.pipeline.reasoning import reason, reasoning_input, representatives  # noqa: E402

ONTOLOGY = URIRef("https://w3id.org/mmkg/graph/ontology")
INFERRED = URIRef("https://w3id.org/mmkg/graph/inferred")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000")
    args = parser.parse_args()
    print("| triples | individuals classified | given to HermiT | HermiT input triples | reasoning s "
          "| types inferred |")
    print("|---:|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as tmp:
        for size in (int(s) for s in args.sizes.split(",")):
            path = Path(tmp) / f"s{size}.nq"
            subprocess.run([sys.executable, "-m", "kg", "synth", "--triples", str(size), "-o", str(path)],
                           check=True, capture_output=True, cwd=ROOT)
            dataset = Dataset()
            dataset.parse(path, format="nquads")
            tbox, abox = Graph(), Graph()
            for graph in dataset.graphs():
                if graph.identifier == INFERRED:
                    continue
                target = tbox if graph.identifier == ONTOLOGY else abox
                for triple in graph:
                    target.add(triple)
            given, selected = reasoning_input(tbox, abox)
            classified = sum(len(members) for members in representatives(tbox, abox).values())
            started = time.perf_counter()
            result = reason(tbox, abox)
            seconds = time.perf_counter() - started
            print(f"| {size:,} | {classified:,} | {len(selected):,} | {len(given):,} | {seconds:.1f} | "
                  f"{result.individual_types:,} |", flush=True)


if __name__ == "__main__":
    main()
