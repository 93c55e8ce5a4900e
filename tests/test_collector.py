"""The cyclic collector during a build: paused and frozen inside its scope, handed back as it was after."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from kg import collector, paths
from kg.curation.factbase import load_facts
from kg.errors import FactErrors


@pytest.fixture(autouse=True)
def _collector_restored() -> Iterator[None]:
    enabled = gc.isenabled()
    assert gc.get_freeze_count() == 0
    yield
    gc.unfreeze()
    if enabled:
        gc.enable()


@collector.keeping
def _bulk(seen: dict[str, object], fail: bool = False) -> list[list[int]]:
    collector.pause()
    seen["paused"] = not gc.isenabled()
    made = [[i] for i in range(1000)]
    collector.settle()
    seen["enabled after settle"] = gc.isenabled()
    seen["frozen"] = gc.get_freeze_count()
    if fail:
        raise ValueError("the build failed")
    return made


def test_a_scope_pauses_freezes_and_hands_everything_back() -> None:
    seen: dict[str, object] = {}
    made = _bulk(seen)
    assert seen["paused"] is True and seen["enabled after settle"] is True
    assert isinstance(seen["frozen"], int) and seen["frozen"] >= len(made)
    assert gc.get_freeze_count() == 0 and gc.isenabled()


def test_a_failing_scope_hands_everything_back_too() -> None:
    with pytest.raises(ValueError, match="the build failed"):
        _bulk({}, fail=True)
    assert gc.get_freeze_count() == 0 and gc.isenabled()


def test_a_disabled_collector_stays_disabled() -> None:
    gc.disable()
    seen: dict[str, object] = {}
    _bulk(seen)
    assert seen["enabled after settle"] is False
    assert gc.get_freeze_count() == 0 and not gc.isenabled()


def test_objects_frozen_before_the_scope_stay_frozen_and_nothing_more_is() -> None:
    gc.freeze()
    before = gc.get_freeze_count()
    seen: dict[str, object] = {}
    made = _bulk(seen)
    # A frozen object can still die of its last reference (another test's thread may drop a few while this runs),
    # so the count may fall a little; freezing the scope's objects would add len(made), unfreezing would empty it.
    assert len(made) > 100 and seen["paused"] is False and isinstance(seen["frozen"], int)
    assert before - 100 <= seen["frozen"] <= before
    assert before - 100 <= gc.get_freeze_count() <= before


def test_an_inner_scope_leaves_the_freezing_to_the_outer_one() -> None:
    seen: dict[str, object] = {}

    @collector.keeping
    def outer() -> int:
        _bulk(seen)
        return gc.get_freeze_count()  # the inner scope did not unfreeze

    assert outer() > 0
    assert gc.get_freeze_count() == 0


def test_another_thread_neither_pauses_nor_freezes() -> None:
    seen: dict[str, object] = {}
    inside = threading.Event()
    leave = threading.Event()

    @collector.keeping
    def holding() -> None:
        inside.set()
        leave.wait(10)

    holder = threading.Thread(target=holding)
    holder.start()
    inside.wait(10)
    try:
        collector.pause()
        assert gc.isenabled()
        collector.settle()
        assert gc.get_freeze_count() == 0
        _bulk(seen)  # a scope opened while another thread holds one: no effect
        assert seen["paused"] is False and seen["frozen"] == 0
    finally:
        leave.set()
        holder.join()


def test_loading_facts_leaves_the_collector_as_it_was(tmp_path: Path) -> None:
    facts = paths.facts_dir()
    base = load_facts(facts / "reference.yaml", sorted((facts / "sources").glob("*.yaml")))
    assert base.sources and gc.isenabled() and gc.get_freeze_count() == 0
    bad = tmp_path / "bad.yaml"
    bad.write_text("source: [unclosed\n", encoding="utf-8")
    with pytest.raises(FactErrors):
        load_facts(facts / "reference.yaml", [bad])
    assert gc.isenabled() and gc.get_freeze_count() == 0
