"""Phrasing cases as data (tests/data/phrasings.yaml): each sentence's recognised figures, and a case for every kind."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from kg.drafting import figures
from kg.drafting.figures import recognise

CASES: list[dict[str, Any]] = yaml.safe_load((Path(__file__).parent / "data" / "phrasings.yaml").read_text("utf-8"))


def _same(found: Any, wanted: Any) -> bool:
    if isinstance(wanted, list):
        items = list(found) if isinstance(found, list | tuple) else [found]
        return len(items) == len(wanted) and all(_same(f, w) for f, w in zip(items, wanted, strict=True))
    if isinstance(found, Decimal):
        return found == Decimal(str(wanted))
    return bool(found == wanted)


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_phrasing(case: dict[str, Any]) -> None:
    found = recognise(case["sentence"])
    assert [f.kind for f in found] == [w["kind"] for w in case["figures"]], case["sentence"]
    for figure, wanted in zip(found, case["figures"], strict=True):
        for key, value in wanted.items():
            if key != "kind":
                assert _same(figure.data[key], value), (case["id"], key, figure.data[key])


def test_every_kind_has_a_case() -> None:
    covered = {w["kind"] for c in CASES for w in c["figures"]}
    assert set(figures._PRIORITY) - covered == set()
