"""The test suite's own habits: ``require`` fails under ``MMKG_REQUIRE_<NAME>=1`` and skips otherwise, marks are
declared by the modules (strict markers), and the seeds are required in CI."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from .requirements import require

ROOT = Path(__file__).resolve().parents[1]


def test_require_skips_locally_and_fails_when_required(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MMKG_REQUIRE_SEEDS", raising=False)
    with pytest.raises(pytest.skip.Exception, match="the source texts"):
        require("seeds", False, what="the source texts", install="check out ../shared")
    monkeypatch.setenv("MMKG_REQUIRE_SEEDS", "1")
    with pytest.raises(pytest.fail.Exception, match=r"the source texts is required \(MMKG_REQUIRE_SEEDS=1\)"):
        require("seeds", False, what="the source texts", install="check out ../shared")
    require("seeds", True, what="the source texts", install="check out ../shared")  # present: nothing happens


def test_markers_are_strict_and_ci_requires_the_seeds() -> None:
    options = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["pytest"]["ini_options"]
    assert "--strict-markers" in options["addopts"].split()
    assert {m.split(":")[0] for m in options["markers"]} >= {"slow", "java", "server", "browser"}
    assert "export MMKG_REQUIRE_SEEDS=1" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_no_test_module_is_marked_by_its_file_name() -> None:
    conftest = (ROOT / "tests" / "conftest.py").read_text(encoding="utf-8")
    assert "_MODULE_MARKS" not in conftest and "item.path.stem" not in conftest
