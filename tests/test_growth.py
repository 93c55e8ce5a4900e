"""Growth: a synthetic corpus builds like curated facts; a rebuild from the per-source cache equals a full build."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from rdflib import Dataset, URIRef
from rdflib.compare import isomorphic

from kg.pipeline.releases import current_release, write_release
from kg.pipeline.steps import BuiltGraph, build_graph
from kg.synthetic.corpus import change_one, synthesise_corpus

from .conftest import AppFactory

pytestmark = [pytest.mark.java, pytest.mark.slow]

N = 10


def _graphs(dataset: Dataset) -> dict[str, Dataset]:
    return {str(g.identifier): g for g in dataset.graphs() if len(g)}  # type: ignore[misc]


def _assert_same(a: Dataset, b: Dataset) -> None:
    left, right = _graphs(a), _graphs(b)
    assert sorted(left) == sorted(right)
    for name, graph in left.items():
        assert isomorphic(graph, right[name]), f"graph {name} differs"


def _build(facts: Path, cache: Path | None) -> BuiltGraph:
    return build_graph(facts / "texts", facts, cache_dir=cache)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("corpus")
    synthesise_corpus(folder, N, seed=5)
    return folder


def test_synthetic_corpus_passes_every_check_of_a_build(corpus: Path, tmp_path: Path) -> None:
    built = _build(corpus, None)
    report = built.report
    assert report.shacl_conforms and report.qc_checked > 0
    assert len(report.findings_by_source) == N
    assert report.provenance_checked is not None and report.provenance_checked > 20 * N
    home = tmp_path / "home"
    release = write_release(built, home)
    assert current_release(home) == release and (release / "mmkg.nq").stat().st_size > 0
    # the release is written piece by piece, never joined: whole lines each, the file their concatenation
    assert all(piece.endswith(b"\n") for piece in built.pieces if piece)
    written = (release / "mmkg.nq").read_bytes()
    assert written.startswith(built.nquads) and built.nquads == b"".join(built.pieces)


def test_one_source_changed_and_one_added_rebuilds_to_the_full_build(corpus: Path, tmp_path: Path) -> None:
    facts = tmp_path / "facts"
    shutil.copytree(corpus, facts)
    cache = tmp_path / "cache"
    first = _build(facts, cache)
    assert first.cache.misses > 0
    change_one(facts, 5, N)
    again = _build(facts, cache)
    assert again.cache.hits > N  # the unchanged sources' parsed files, checks and RDF came from the cache
    assert again.report.shacl_parts_validated is not None and again.report.shacl_parts_validated <= 3
    assert len(again.report.findings_by_source) == N + 1
    fresh = _build(facts, None)
    _assert_same(again.dataset, fresh.dataset)
    assert not _graphs_equal_sizes(first.dataset, fresh.dataset)  # the change reached the graph


def test_a_removed_source_and_a_changed_reference_entry_rebuild_to_the_full_build(corpus: Path, tmp_path: Path) -> None:
    facts = tmp_path / "facts"
    shutil.copytree(corpus, facts)
    cache = tmp_path / "cache"
    first = _build(facts, cache)
    sources = sorted((facts / "sources").glob("*.yaml"))
    others = {p: p.read_text(encoding="utf-8") for p in sources}
    removed = next(p for p in reversed(sources)
                   if not any(p.stem in text for q, text in others.items() if q != p))  # nobody corroborates it
    removed.unlink()
    reference = facts / "reference.yaml"
    text = reference.read_text(encoding="utf-8")
    assert "label: thalidomide\n" in text
    reference.write_text(text.replace("label: thalidomide\n", "label: thalidomide (renamed)\n", 1), encoding="utf-8")
    again = _build(facts, cache)
    assert removed.stem not in again.report.findings_by_source and len(again.report.findings_by_source) == N - 1
    fresh = _build(facts, None)
    _assert_same(again.dataset, fresh.dataset)
    assert "thalidomide (renamed)" in again.nquads.decode() and not _graphs_equal_sizes(first.dataset, fresh.dataset)


def _graphs_equal_sizes(a: Dataset, b: Dataset) -> bool:
    return {k: len(v) for k, v in _graphs(a).items()} == {k: len(v) for k, v in _graphs(b).items()}


def test_a_cached_entry_never_meets_a_changed_figure(corpus: Path, tmp_path: Path) -> None:
    """A figure changed in the YAML but not in the text fails the provenance check, cache or not."""
    facts = tmp_path / "facts"
    shutil.copytree(corpus, facts)
    cache = tmp_path / "cache"
    _build(facts, cache)
    path = facts / "sources" / "syn-0003.yaml"
    text = path.read_text(encoding="utf-8")
    value = next(line.split(":", 1)[1].strip() for line in text.splitlines() if line.strip().startswith("value:"))
    path.write_text(text.replace(f"value: {value}", f"value: {int(value) + 7}", 1), encoding="utf-8")
    from kg.errors import FactErrors

    with pytest.raises(FactErrors, match="syn-0003"):
        _build(facts, cache)


def test_reasoning_on_its_predicates_alone_infers_what_the_whole_graph_does(
        corpus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    reduced = _build(corpus, None)
    every = {p for _s, p, _o, _g in reduced.dataset.quads() if isinstance(p, URIRef)}
    monkeypatch.setattr("kg.pipeline.steps.reasoned_predicates", lambda _tbox: every)
    _assert_same(reduced.dataset, _build(corpus, None).dataset)


def test_the_evidence_map_plots_a_first_page_of_a_grown_graph(corpus: Path, tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch,
                                                                make_app: AppFactory) -> None:
    from kg.query.store import Store
    from web.settings import Settings

    release = write_release(_build(corpus, None), tmp_path / "home")
    store = Store.from_release(release / "mmkg.nq")
    client = make_app(Settings(page_cache_bytes=0), store=store).test_client()
    monkeypatch.setattr("web.blueprints.evidence.MAX_PLOTTED", 5)
    page = client.get("/evidence").get_data(as_text=True)
    assert "the first 5 of 40," in page
    assert page.count("syn-0") > 5  # the map's table still lists every source's findings
    response = client.get("/evidence?source=syn-0001")
    assert response.status_code == 200
    assert "the first 5 of" not in response.get_data(as_text=True)  # filtered (URL as state): plotted whole
