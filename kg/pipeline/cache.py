"""The build's cache of per-source results, keyed by the digests of their inputs.

``build/cache/`` (beside the releases of a data home) keeps what a build worked out for one input
and can reuse when that input comes back unchanged: the parsed model of a fact file, the provenance
check of a source against its text, a source's RDF, the SHACL verdict on a source's part of the
graph, HermiT's answer for an unchanged reasoner input. Every key is a SHA-256 over the bytes the
result depends on, the cache's format and the code of the ``kg`` package, so a changed input (or a
changed program) never meets a stale result: it simply misses. Entries are written atomically
(:func:`kg.atomic.write_atomically`), so a build killed midway leaves whole entries or none, and
the release it was writing is never published (:mod:`kg.pipeline.releases`). After a successful
build, :meth:`BuildCache.prune` drops the entries it did not use, so the folder stays the size of
one build.
"""

from __future__ import annotations

import hashlib
import pickle
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

import kg
from kg.atomic import write_atomically

__all__ = ["BuildCache", "code_digest", "digest"]

_FORMAT = "mmkg-build-cache-1"


@lru_cache(maxsize=1)
def code_digest() -> str:
    """A digest of the ``kg`` package's code and version: results of other code never match."""
    h = hashlib.sha256(f"{_FORMAT} {kg.__version__}\n".encode())
    package = Path(kg.__file__).resolve().parent
    for path in sorted(package.rglob("*.py")):
        if "__pycache__" not in path.parts:
            h.update(path.relative_to(package).as_posix().encode() + b"\n")
            h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


def digest(*parts: bytes | str) -> str:
    """SHA-256 of the parts (each length-prefixed, so no two sequences collide) and the code digest."""
    h = hashlib.sha256(code_digest().encode())
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "big"))
        h.update(data)
    return h.hexdigest()


class BuildCache:
    """Pickled results under ``folder/<kind>/<key>.pickle``; None as a folder caches nothing."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self.used: set[Path] = set()
        self.hits = 0
        self.misses = 0

    def _path(self, kind: str, key: str) -> Path:
        assert self.folder is not None
        return self.folder / kind / f"{key}.pickle"

    def get(self, kind: str, key: str) -> Any | None:
        """The result stored under ``kind``/``key``, or None (also for an unreadable entry)."""
        if self.folder is None:
            return None
        path = self._path(kind, key)
        self.used.add(path)
        try:
            with path.open("rb") as handle:
                value = pickle.load(handle)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
            self.misses += 1
            return None
        self.hits += 1
        return value

    def has(self, kind: str, key: str) -> bool:
        """Whether an entry is stored under ``kind``/``key`` (kept by :meth:`prune` as if read)."""
        if self.folder is None:
            return False
        path = self._path(kind, key)
        self.used.add(path)
        return path.is_file()

    def put(self, kind: str, key: str, value: Any) -> None:
        """Store ``value`` (atomically: readers see the old entry, none, or the whole new one)."""
        if self.folder is None:
            return
        path = self._path(kind, key)
        self.used.add(path)
        data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        write_atomically(path, lambda tmp: Path(tmp).write_bytes(data))

    def prune(self, kinds: Iterable[str] | None = None) -> int:
        """Delete the entries this build did not use (of ``kinds``, default all); how many."""
        if self.folder is None or not self.folder.is_dir():
            return 0
        removed = 0
        folders = [self.folder / k for k in kinds] if kinds is not None else \
            [p for p in self.folder.iterdir() if p.is_dir()]
        for folder in folders:
            for path in folder.glob("*.pickle") if folder.is_dir() else ():
                if path not in self.used:
                    path.unlink(missing_ok=True)
                    removed += 1
        return removed
