"""The QC store the build fills piece by piece while HermiT runs holds what one load would, and fails as one would."""

from __future__ import annotations

import threading
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.errors import BuildError
from kg.pipeline.qc import QualityStore, qc_queries, run_qc
from kg.query.store import Store

R = "https://w3id.org/mmkg/resource/"
M = "https://w3id.org/mmkg/"
INFERRED = "https://w3id.org/mmkg/graph/inferred"


def _pieces(data: bytes, count: int) -> list[bytes]:
    """``data`` cut into ``count`` pieces of whole lines."""
    lines = data.splitlines(keepends=True)
    step = -(-len(lines) // count)
    return [b"".join(lines[i:i + step]) for i in range(0, len(lines), step)]


def _loaders() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("mmkg-qc-load")]


def _by_graph(data: bytes) -> list[bytes]:
    """``data``'s lines, one piece per named graph, as the build adds them."""
    graphs: dict[bytes, list[bytes]] = {}
    for line in data.splitlines(keepends=True):
        graphs.setdefault(line.rstrip().rsplit(b" ", 2)[-2], []).append(line)
    return [b"".join(lines) for lines in graphs.values()]


def _shape(store: ox.Store) -> tuple[set[ox.Quad], dict[tuple[str, str], int]]:
    """The quads without blank nodes, and how many quads with one there are per (graph, predicate):
    Oxigraph names blank nodes afresh at each load, so two loads of one file differ only in those names."""
    named: set[ox.Quad] = set()
    blank: dict[tuple[str, str], int] = {}
    for quad in store:
        if isinstance(quad.subject, ox.BlankNode) or isinstance(quad.object, ox.BlankNode):
            key = (str(quad.graph_name), quad.predicate.value)
            blank[key] = blank.get(key, 0) + 1
        else:
            named.add(quad)
    return named, blank


def test_no_blank_node_is_shared_between_two_graphs_of_the_release(release: Path) -> None:
    graphs_of: dict[bytes, set[bytes]] = {}
    for line in (release / "mmkg.nq").read_bytes().splitlines():
        if b"_:" not in line or b'"' in line:  # (a literal holds no blank node: skip them, safely)
            continue
        terms = line.rstrip(b" .").split(b" ")
        for term in terms[:-1]:
            if term.startswith(b"_:"):
                graphs_of.setdefault(term, set()).add(terms[-1])
    assert graphs_of, "the ontology's restrictions are blank nodes"
    assert all(len(graphs) == 1 for graphs in graphs_of.values())


def test_pieces_loaded_in_the_background_hold_the_quads_of_one_load(release: Path) -> None:
    data = (release / "mmkg.nq").read_bytes()
    whole = ox.Store()
    whole.load(data, format=ox.RdfFormat.N_QUADS)
    pieces = _by_graph(data)
    assert len(pieces) > 5
    with QualityStore() as quality:
        for piece in pieces:
            quality.add(piece)
        assert quality.check() == len(qc_queries())
        assert len(quality.store.raw) == len(whole)
        assert _shape(quality.store.raw) == _shape(whole)
        assert len(quality.piece_cpu) == len(pieces) and all(cpu >= 0 for cpu in quality.piece_cpu)
    assert not _loaders()


def test_a_violation_in_a_late_piece_fails_the_check_naming_the_finding(release: Path) -> None:
    data = (release / "mmkg.nq").read_bytes()
    wrong = (f'<{R}s001-os-hr> <{M}concernsDrug> <{R}bortezomib> <{INFERRED}> .\n'
             f'<{R}s003-os-te> <{M}activeRegimen> <{R}observation> <{INFERRED}> .\n').encode()
    with QualityStore() as quality:
        for piece in _pieces(data, 3):
            quality.add(piece)
        quality.add(wrong)
        with pytest.raises(BuildError) as raised:
            quality.check()
    message = str(raised.value)
    assert "concerns-drug-through-inference-violation" in message and "res:s001-os-hr" in message
    assert "active-regimen-violation" in message and "res:s003-os-te" in message


def test_queries_two_at_a_time_answer_as_one_at_a_time(release: Path) -> None:
    store = Store.from_release(release / "mmkg.nq")
    store.raw.add(ox.Quad(ox.NamedNode(R + "s002-ref4-os"), ox.NamedNode(M + "aboutTrial"),
                          ox.NamedNode(R + "s002-ref4"), ox.NamedNode(INFERRED)))
    store.raw.add(ox.Quad(ox.NamedNode(R + "s000-n-studies"), ox.NamedNode(M + "countOf"),
                          ox.Literal("studies"), ox.NamedNode(INFERRED)))
    one = run_qc(store)
    two = run_qc(store, threads=2)
    assert [v.query.name for v in one] == [v.query.name for v in two] == sorted(v.query.name for v in one)
    assert len(one) == 2 and [v.rows for v in one] == [v.rows for v in two]


def test_a_piece_that_is_not_n_quads_fails_the_check_and_ends_the_loader() -> None:
    with QualityStore() as quality:
        quality.add(b'<https://example.org/a> <https://example.org/b> "ok" .\n')
        quality.add(b"<https://example.org/a> <https://example.org/b> not-a-term .\n")
        with pytest.raises(SyntaxError):
            quality.check()
    assert not _loaders()


def test_a_build_failing_before_the_check_leaves_no_loader_running(release: Path) -> None:
    data = (release / "mmkg.nq").read_bytes()
    with pytest.raises(RuntimeError, match="HermiT failed"), QualityStore() as quality:
        quality.add(data)
        raise RuntimeError("HermiT failed")
    assert not _loaders()
