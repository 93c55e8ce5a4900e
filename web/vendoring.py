"""Vendor browser code from the npm registry, reproducibly: the editor (CodeMirror 5) and YASGUI.

The web app must work offline, so the few CodeMirror files it uses are committed under
``web/static/vendor/codemirror/`` with the package's MIT licence. YASGUI (MIT), the SPARQL client
many SPARQL users know, is committed under ``web/static/vendor/yasgui/`` and served at
``/static/vendor/yasgui/``, so a page on any origin can point it at ``/sparql`` (a browser test
does, by POST, from another origin). This module is how they got there and how anyone can redo it::

    python -m web.vendoring          # download the pinned tarballs, verify, extract, write VENDOR.json
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
from dataclasses import dataclass
from pathlib import Path

__all__ = ["PACKAGES", "VendoredPackage", "check", "vendor"]

_STATIC = Path(__file__).resolve().parent / "static" / "vendor"
_MANIFEST = "VENDOR.json"


@dataclass(frozen=True)
class VendoredPackage:
    """An npm package whose files we commit: name, pinned version, files, folder."""

    name: str
    version: str
    files: tuple[str, ...]
    folder: Path


PACKAGES = (
    VendoredPackage("codemirror", "5.65.21", ("LICENSE", "lib/codemirror.js", "lib/codemirror.css",
                                              "mode/sparql/sparql.js", "addon/hint/show-hint.js",
                                              "addon/hint/show-hint.css", "addon/edit/matchbrackets.js"),
                    _STATIC / "codemirror"),
    VendoredPackage("@triply/yasgui", "4.2.28", ("LICENSE.txt", "build/yasgui.min.js", "build/yasgui.min.css",
                                                 "build/yasgui.min.js.LICENSE.txt"),
                    _STATIC / "yasgui"),
)
# Kept for readers of the single-package module this was.
PACKAGE, VERSION, FILES, VENDOR_DIR = PACKAGES[0].name, PACKAGES[0].version, PACKAGES[0].files, PACKAGES[0].folder


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def vendor(package: VendoredPackage = PACKAGES[0], registry: str = "https://registry.npmjs.org") -> dict[str, object]:
    """Download, verify and extract a pinned package; returns the manifest written."""
    with urllib.request.urlopen(f"{registry}/{package.name}/{package.version}", timeout=30) as response:
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
        for name in package.files:
            member = archive.extractfile(f"package/{name}")
            if member is None:
                raise RuntimeError(f"{tarball_url}: no file {name}")
            data = member.read()
            target = package.folder / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            files[name] = _sha256(data)
    manifest: dict[str, object] = {"package": package.name, "version": package.version,
                                   "license": meta.get("license"), "tarball": tarball_url, "integrity": integrity,
                                   "files": files}
    (package.folder / _MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest


def check() -> list[str]:
    """Problems with the committed vendored files of every package (empty when they match ``VENDOR.json``)."""
    return [problem for package in PACKAGES for problem in _check(package)]


def _check(package: VendoredPackage) -> list[str]:
    manifest_path = package.folder / _MANIFEST
    if not manifest_path.is_file():
        return [f"{manifest_path} is missing: run python -m web.vendoring"]
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    problems = []
    if manifest.get("version") != package.version:
        problems.append(f"{manifest_path}: version {manifest.get('version')} but {package.version} is pinned")
    recorded: dict[str, str] = manifest.get("files", {})
    for name in package.files:
        path = package.folder / name
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
    for pkg in PACKAGES:
        vendor(pkg)
        print(f"vendored {pkg.name} {pkg.version} ({len(pkg.files)} files) into {pkg.folder}")
