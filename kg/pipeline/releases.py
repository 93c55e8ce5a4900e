"""Releases: each build written atomically into its own folder, ``current`` switched to it.

Layout of the data directory (``./build`` by default, ``--out`` or ``$MMKG_HOME`` to change)::

    build/
      current -> releases/<timestamp>      (a symbolic link, swapped atomically)
      releases/<timestamp>/mmkg.nq         (every named graph, N-Quads)
      releases/<timestamp>/manifest.json   (counts, timings, checks, the inputs' fingerprint)
      releases/<timestamp>/ontology/       (mmkg.ttl/.rdf/.owl and imports/external-terms.*, for owlready2)
      enrichment/<profile>.nq              (answers of ``mmkg enrich``, added to every release)
      cache/                               (per-source results of the last build, :mod:`kg.pipeline.cache`)

A failed build writes nothing: the previous ``current`` release stays in place and usable. Old
releases are pruned (the three newest kept) but never one a running server has pinned
(:func:`pinned`: a ``.pins/<pid>`` file inside it, ignored once that process is gone). Builds into
one data home take turns (:func:`build_lock`).
:func:`inputs_fingerprint` digests everything a build reads, so an unchanged build can be skipped.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

import kg
from kg import paths
from kg.atomic import staging_folder, write_atomically
from kg.errors import BuildError
from kg.namespaces import GRAPH
from kg.pipeline.steps import BuiltGraph

__all__ = [
    "MANIFEST",
    "NQUADS",
    "add_enrichment",
    "build_lock",
    "current_release",
    "data_home",
    "inputs_fingerprint",
    "pinned",
    "read_manifest",
    "up_to_date",
    "write_release",
]

NQUADS = "mmkg.nq"
ENRICHMENT_DIR = "enrichment"
MANIFEST = "manifest.json"
_KEEP_RELEASES = 3


def data_home(out: Path | None = None) -> Path:
    """The data directory: ``out``, else ``$MMKG_HOME``, else ``./build``."""
    if out is not None:
        return out
    return Path(os.environ.get("MMKG_HOME", "build"))


def current_release(home: Path) -> Path | None:
    """The folder of the current release, or None if nothing was built yet."""
    link = home / "current"
    if link.is_symlink() or link.is_dir():
        target = link.resolve()
        if (target / NQUADS).is_file() and (target / MANIFEST).is_file():
            return target
    return None


def write_release(built: BuiltGraph, home: Path) -> Path:
    """Write the graph and its manifest as a new release and make it current, atomically.

    Enrichment graphs kept in ``home/enrichment/`` (see ``mmkg enrich``) are added to the release.
    """
    def write(staging: Path, stamp: str) -> None:
        with (staging / NQUADS).open("wb") as target:
            target.writelines(built.pieces)
        built.report.release = stamp
        manifest = asdict(built.report)
        manifest["enrichment"] = _append_enrichment(staging / NQUADS, home)
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")

    release = _publish(home, write)
    built.cache.prune()  # the per-source results this build did not use belong to no release any more
    return release


def add_enrichment(home: Path, profile: str, nquads: bytes) -> Path:
    """Keep an enrichment graph in ``home/enrichment/<profile>.nq`` and publish the current release
    again with it (replacing that profile's earlier answers), atomically.

    :raises BuildError: when there is no current release to add it to.
    """
    current = current_release(home)
    if current is None:
        raise BuildError(f"no graph in {home} yet: run mmkg build first")
    folder = home / ENRICHMENT_DIR
    folder.mkdir(parents=True, exist_ok=True)
    write_atomically(folder / f"{profile}.nq", lambda tmp: Path(tmp).write_bytes(nquads))

    def write(staging: Path, stamp: str) -> None:
        marker = f"<{GRAPH['enrichment/']}"
        with (current / NQUADS).open("rb") as source, (staging / NQUADS).open("wb") as target:
            for line in source:
                if marker.encode() not in line:
                    target.write(line)
        manifest = read_manifest(current)
        manifest["release"] = stamp
        manifest["enrichment"] = _append_enrichment(staging / NQUADS, home)
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")

    return _publish(home, write)


def _append_enrichment(nquads: Path, home: Path) -> dict[str, int]:
    """Append every kept enrichment graph to a release's N-Quads; quads per profile."""
    counts: dict[str, int] = {}
    folder = home / ENRICHMENT_DIR
    if not folder.is_dir():
        return counts
    with nquads.open("ab") as target:
        for path in sorted(folder.glob("*.nq")):
            data = path.read_bytes()
            target.write(data)
            counts[path.stem] = data.count(b"\n")
    return counts


def _publish(home: Path, write: Callable[[Path, str], None]) -> Path:
    """Let ``write`` fill a staging folder, then rename it into ``releases/`` and point ``current`` at it."""
    releases = home / "releases"
    releases.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    staging = staging_folder(releases, ".staging-")
    try:
        write(staging, stamp)
        from kg.interop.owl import write_ontology_files  # the ontology in Turtle and RDF/XML, for owlready2

        write_ontology_files(staging / "ontology", owlxml=False)
        final = releases / stamp
        staging.rename(final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    link = home / "current"
    tmp_link = home / f".current-{stamp}"
    tmp_link.symlink_to(Path("releases") / stamp)
    os.replace(tmp_link, link)
    _prune(releases, keep=final)
    return final


def _prune(releases: Path, keep: Path) -> None:
    done = sorted(p for p in releases.iterdir() if p.is_dir() and not p.name.startswith("."))
    for old in done[:-_KEEP_RELEASES]:
        if old != keep and not _in_use(old):
            shutil.rmtree(old, ignore_errors=True)


_PINS = ".pins"


@contextmanager
def build_lock(home: Path, waiting: Callable[[], None] | None = None) -> Iterator[None]:
    """Hold the data home's build lock (``.build.lock``, an advisory ``flock``): two builds into one
    home run one after the other. ``waiting`` is called once if another build holds it."""
    import fcntl

    home.mkdir(parents=True, exist_ok=True)
    with open(home / ".build.lock", "w", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if waiting is not None:
                waiting()
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def pinned(release: Path) -> Iterator[Path]:
    """Keep ``release`` from being pruned while the block runs (a server serving it)."""
    pins = release / _PINS
    pins.mkdir(exist_ok=True)
    pin = pins / str(os.getpid())
    pin.touch()
    try:
        yield release
    finally:
        pin.unlink(missing_ok=True)


def _in_use(release: Path) -> bool:
    """Whether a live process has pinned ``release`` (pins of dead processes are removed)."""
    pins = release / _PINS
    if not pins.is_dir():
        return False
    alive = False
    for pin in pins.iterdir():
        try:
            os.kill(int(pin.name), 0)
        except ValueError:
            continue
        except ProcessLookupError:
            pin.unlink(missing_ok=True)
            continue
        except PermissionError:  # another user's live process
            pass
        alive = True
    return alive


def read_manifest(release: Path) -> dict[str, object]:
    """The manifest of a release."""
    data: dict[str, object] = json.loads((release / MANIFEST).read_text(encoding="utf-8"))
    return data


def _files(folder: Path | None, pattern: str) -> Iterable[Path]:
    if folder is None or not folder.is_dir():
        return []
    return sorted(p for p in folder.rglob(pattern) if p.is_file() and "__pycache__" not in p.parts)


def inputs_fingerprint(sources_dir: Path | None, facts_dir: Path | None = None, home: Path | None = None) -> str:
    """A digest of everything a build reads: ontology, shapes and imports, fact files, source texts
    (when checked), kept enrichment graphs, and the code of the ``kg`` package with its version."""
    digest = hashlib.sha256(f"myeloma-kg {kg.__version__}\n".encode())
    package = Path(kg.__file__).resolve().parent
    groups = [("ontology", paths.ontology_dir(), "*"), ("facts", facts_dir or paths.facts_dir(), "*.yaml"),
              ("sources", sources_dir, "*.txt"), ("code", package, "*.py"),
              ("enrichment", (home / ENRICHMENT_DIR) if home else None, "*.nq")]
    for name, folder, pattern in groups:
        for path in _files(folder, pattern):
            assert folder is not None
            digest.update(f"{name}/{path.relative_to(folder).as_posix()}\n".encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def up_to_date(home: Path, fingerprint: str) -> Path | None:
    """The current release when it was built from exactly these inputs, else None."""
    release = current_release(home)
    if release is None:
        return None
    return release if read_manifest(release).get("inputs") == fingerprint else None
