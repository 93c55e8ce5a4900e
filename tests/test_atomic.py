"""Atomic writes publish with the umask's modes: exported files 0644 and release folders 0755 under umask 022."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.atomic import current_umask, staging_folder, write_atomically
from kg.cli import main
from kg.pipeline.releases import _publish


@pytest.fixture()
def umask_022() -> Iterator[None]:
    old = os.umask(0o022)
    yield
    os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_umask_is_read_without_changing_it(umask_022: None) -> None:
    assert current_umask() == 0o022
    os.umask(0o027)
    assert current_umask() == 0o027 and current_umask() == 0o027


def test_written_files_and_staging_folders_take_the_umask(tmp_path: Path, umask_022: None) -> None:
    target = tmp_path / "out" / "graph.ttl"
    write_atomically(target, lambda tmp: Path(tmp).write_text("x", encoding="utf-8"))
    assert target.read_text(encoding="utf-8") == "x" and _mode(target) == 0o644
    assert _mode(staging_folder(tmp_path, ".staging-")) == 0o755
    os.umask(0o077)
    private = tmp_path / "private.txt"
    write_atomically(private, lambda tmp: Path(tmp).write_text("y", encoding="utf-8"))
    assert _mode(private) == 0o600


def test_a_failed_write_leaves_nothing(tmp_path: Path) -> None:
    def fail(tmp: str) -> None:
        Path(tmp).write_text("half", encoding="utf-8")
        raise RuntimeError("disk full")
    with pytest.raises(RuntimeError):
        write_atomically(tmp_path / "graph.ttl", fail)
    assert list(tmp_path.iterdir()) == []


def test_a_release_folder_and_its_files_are_readable_by_others(tmp_path: Path, umask_022: None) -> None:
    def write(staging: Path, stamp: str) -> None:
        (staging / "manifest.json").write_text("{}", encoding="utf-8")
    release = _publish(tmp_path, write)
    assert _mode(release) == 0o755 and _mode(release / "manifest.json") == 0o644
    assert _mode(tmp_path / "releases") == 0o755


def test_an_exported_graph_is_0644(release: Path, tmp_path: Path, umask_022: None) -> None:
    output = tmp_path / "mmkg.ttl"
    result = CliRunner().invoke(main, ["export", "--format", "turtle", "-o", str(output),
                                       "--out", str(release.parent.parent)])
    assert result.exit_code == 0, result.output
    assert _mode(output) == 0o644
