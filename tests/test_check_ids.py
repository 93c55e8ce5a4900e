"""``mmkg check-ids``: clean on the curated graph; each kind of bad identifier named with its entity."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from kg.linking.check_ids import NOTES, check_identifiers
from kg.query.store import Store

_BAD = """@prefix mmkg: <https://w3id.org/mmkg/> .
@prefix res: <https://w3id.org/mmkg/resource/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
res:drug-a mmkg:xref "chebi:63791" ; skos:exactMatch <http://purl.obolibrary.org/obo/CHEBI_63791> .
res:drug-b mmkg:xref "CHEBI:abc" .
res:drug-c mmkg:xref "nosuchprefix:1" .
res:disease-d mmkg:xref "MONDO:0006450" .
res:drug-e mmkg:xref "CHEBI:63791" ; skos:exactMatch <http://purl.obolibrary.org/obo/CHEBI_63791> .
"""


def test_the_curated_graph_is_clean(store: Store) -> None:
    checked, problems = check_identifiers(store)
    assert checked >= 100 and [p for p in problems if p.kind not in NOTES] == []


def test_preferred_forms_are_bioregistrys(store: Store, release: Path) -> None:
    """bioregistry prefers mesh:; the graph writes MESH:, one of its synonyms: a note, never called preferred."""
    _, problems = check_identifiers(store)
    notes = {p.curie.split(":", 1)[0] for p in problems if p.kind == "synonym"}
    assert notes == {"MESH"}
    assert all("bioregistry's preferred prefix is mesh:" in p.detail for p in problems if p.kind == "synonym")
    done = subprocess.run([sys.executable, "-m", "kg", "check-ids", "--out", str(release.parent.parent)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "write MESH:, a synonym of bioregistry's preferred mesh:" in done.stdout
    assert "in bioregistry's preferred form" not in done.stdout


def test_each_kind_of_problem_is_found(tmp_path: Path) -> None:
    path = tmp_path / "bad.ttl"
    path.write_text(_BAD)
    checked, problems = check_identifiers(Store.from_file(path))
    found = {(p.kind, p.curie, p.entity) for p in problems}
    assert checked == 5
    assert ("non-standard", "chebi:63791", "res:drug-a") in found
    assert ("invalid", "CHEBI:abc", "res:drug-b") in found
    assert ("unknown", "nosuchprefix:1", "res:drug-c") in found
    assert ("no IRI link", "MONDO:0006450", "res:disease-d") in found
    assert not any(p.entity == "res:drug-e" for p in problems)


@pytest.mark.slow  # over 3 s: the full suite runs it, the fast loop does not
def test_cli_exit_status(tmp_path: Path) -> None:
    path = tmp_path / "bad.ttl"
    path.write_text(_BAD)
    bad = subprocess.run([sys.executable, "-m", "kg", "check-ids", "--graph", str(path)], capture_output=True,
                         text=True, timeout=60)
    assert bad.returncode == 1 and "CHEBI:abc" in bad.stdout and "res:drug-b" in bad.stdout
    assert "4 problem(s) in 5" in bad.stderr
    garbage = tmp_path / "x.ttl"
    garbage.write_text("this is not turtle")
    broken = subprocess.run([sys.executable, "-m", "kg", "check-ids", "--graph", str(garbage)], capture_output=True,
                            text=True, timeout=60)
    assert broken.returncode == 2 and "--graph" in broken.stderr and "Traceback" not in broken.stderr
