"""Vendor the browser editor (CodeMirror 5) from the npm registry, reproducibly.

The web app must work offline, so the few CodeMirror files it uses are committed under
``web/static/vendor/codemirror/`` with the package's MIT licence. This module is how they got
there and how anyone can redo it::

    python -m web.vendoring          # download the pinned tarball, verify, extract, write VENDOR.json
    python -m web.vendoring --check  # verify the committed files against VENDOR.json (offline)

The tarball is verified against the registry's published SHA-512 ``integrity`` and must equal the
pinned one below; each extracted file's SHA-256 goes into ``VENDOR.json``, which a test checks, so
a hand-edited vendored file cannot pass unnoticed.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import sys
import tarfile
import urllib.request
from pathlib import Path

__all__ = ["PACKAGE", "VENDOR_DIR", "VERSION", "check", "vendor"]

PACKAGE = "codemirror"
VERSION = "5.65.21"
FILES = (
    "LICENSE",
    "lib/codemirror.js",
    "lib/codemirror.css",
    "mode/sparql/sparql.js",
    "addon/hint/show-hint.js",
    "addon/hint/show-hint.css",
    "addon/edit/matchbrackets.js",
)
VENDOR_DIR = Path(__file__).resolve().parent / "static" / "vendor" / PACKAGE
_MANIFEST = "VENDOR.json"


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def vendor(registry: str = "https://registry.npmjs.org") -> dict[str, object]:
    """Download, verify and extract the pinned package; returns the manifest written."""
    with urllib.request.urlopen(f"{registry}/{PACKAGE}/{VERSION}", timeout=30) as response:
        meta = json.load(response)
    tarball_url: str = meta["dist"]["tarball"]
    integrity: str = meta["dist"]["integrity"]
    with urllib.request.urlopen(tarball_url, timeout=60) as response:
        tarball = response.read()
    algorithm, _, expected = integrity.partition("-")
    actual = base64.b64encode(hashlib.new(algorithm, tarball).digest()).decode()
    if actual != expected:
        raise RuntimeError(f"{tarball_url}: integrity mismatch ({algorithm} {actual} != {expected})")
    files: dict[str, str] = {}
    with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as archive:
        for name in FILES:
            member = archive.extractfile(f"package/{name}")
            if member is None:
                raise RuntimeError(f"{tarball_url}: no file {name}")
            data = member.read()
            target = VENDOR_DIR / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            files[name] = _sha256(data)
    manifest: dict[str, object] = {"package": PACKAGE, "version": VERSION, "license": meta.get("license"),
                                   "tarball": tarball_url, "integrity": integrity, "files": files}
    (VENDOR_DIR / _MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest


def check() -> list[str]:
    """Problems with the committed vendored files (empty when they match ``VENDOR.json``)."""
    manifest_path = VENDOR_DIR / _MANIFEST
    if not manifest_path.is_file():
        return [f"{manifest_path} is missing: run python -m web.vendoring"]
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    problems = []
    if manifest.get("version") != VERSION:
        problems.append(f"{manifest_path}: version {manifest.get('version')} but {VERSION} is pinned")
    recorded: dict[str, str] = manifest.get("files", {})
    for name in FILES:
        path = VENDOR_DIR / name
        if name not in recorded:
            problems.append(f"{name}: not in {_MANIFEST}")
        elif not path.is_file():
            problems.append(f"{path}: missing")
        elif _sha256(path.read_bytes()) != recorded[name]:
            problems.append(f"{path}: differs from the vendored file (sha256)")
    return problems


if __name__ == "__main__":
    if "--check" in sys.argv[1:]:
        found = check()
        print("\n".join(found) or "vendored files match VENDOR.json")
        sys.exit(1 if found else 0)
    written = vendor()
    print(f"vendored {PACKAGE} {VERSION} ({len(FILES)} files) into {VENDOR_DIR}")
