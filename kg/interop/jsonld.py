"""Compacted JSON-LD with the published ``@context`` (``/context.jsonld``, and ``context.jsonld`` here).

The context is derived from the ontology: ``@vocab`` is our term namespace, so ``mmkg:intervention``
reads as ``intervention``; object properties are typed ``@id``, so a link is a plain IRI string;
datatype properties with a range carry it, so ``estimate`` is a JSON string of an ``xsd:decimal`` without
a value object; ``label``, ``definition``, ``comment`` (English strings) name the usual annotation
properties (an untagged label, as external terms have, stays ``rdfs:label``). ``rdf:type`` is ``@type``.
Documents are compacted by pyld (the JSON-LD reference processor in Python) from an expanded form with one
node object per subject, and always hold a ``@graph`` array.

>>> doc = compact_triples([ox.Triple(ox.NamedNode(PREFIXES["res"] + "x"), ox.NamedNode(PREFIXES["rdfs"] + "label"),
...                                  ox.Literal("X", language="en"))])
>>> doc["@graph"][0]["label"], doc["@graph"][0]["@id"]
('X', 'https://w3id.org/mmkg/resource/x')
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from pyld import jsonld

from kg import paths
from kg.namespaces import PREFIXES

__all__ = ["CONTEXT_FILE", "CONTEXT_PATH", "compact_triples", "context", "context_document", "expanded",
           "write_context"]

CONTEXT_FILE = Path(__file__).with_name("context.jsonld")
"""The context as a file in the package (regenerate with ``python -m kg.interop.jsonld``)."""
CONTEXT_PATH = "/context.jsonld"
"""Where the web app serves it."""

_RDF_TYPE = PREFIXES["rdf"] + "type"
_OWL = PREFIXES["owl"]
_ALIASES = {"label": PREFIXES["rdfs"] + "label", "comment": PREFIXES["rdfs"] + "comment",
            "definition": PREFIXES["skos"] + "definition", "prefLabel": PREFIXES["skos"] + "prefLabel",
            "exactMatch": PREFIXES["skos"] + "exactMatch", "closeMatch": PREFIXES["skos"] + "closeMatch",
            "seeAlso": PREFIXES["rdfs"] + "seeAlso", "subClassOf": PREFIXES["rdfs"] + "subClassOf",
            "wasDerivedFrom": PREFIXES["prov"] + "wasDerivedFrom", "source": PREFIXES["dcterms"] + "source",
            "title": PREFIXES["dcterms"] + "title", "altLabel": PREFIXES["skos"] + "altLabel"}
_LINKS = {"exactMatch", "closeMatch", "seeAlso", "subClassOf", "wasDerivedFrom"}
# Data namespaces (and ours, the @vocab): links stay full IRIs a client can follow.
_NOT_PREFIXES = {"res", "graph", "mmkg", "obo"}
_ENGLISH = {"label", "comment", "definition", "prefLabel", "altLabel", "title"}


def context(ontology: Path | None = None) -> dict[str, Any]:
    """The ``@context`` object, from the ontology's property declarations."""
    copy: dict[str, Any] = json.loads(json.dumps(_context(str(ontology or paths.ontology_file()))))
    return copy


@lru_cache(maxsize=4)
def _context(ontology: str) -> dict[str, Any]:
    mmkg = PREFIXES["mmkg"]
    ctx: dict[str, Any] = {"@version": 1.1, "@vocab": mmkg}
    ctx.update({p: ns for p, ns in PREFIXES.items() if p not in _NOT_PREFIXES})
    for name, iri in _ALIASES.items():
        ctx[name] = ({"@id": iri, "@type": "@id"} if name in _LINKS
                     else {"@id": iri, "@language": "en"} if name in _ENGLISH else {"@id": iri})
    kinds: dict[str, set[str]] = {}
    ranges: dict[str, str] = {}
    for triple in ox.parse(path=ontology, format=ox.RdfFormat.TURTLE):
        subject = triple.subject
        if not isinstance(subject, ox.NamedNode) or not subject.value.startswith(mmkg):
            continue
        if triple.predicate.value == _RDF_TYPE and isinstance(triple.object, ox.NamedNode):
            kinds.setdefault(subject.value, set()).add(triple.object.value)
        elif triple.predicate.value == PREFIXES["rdfs"] + "range" and isinstance(triple.object, ox.NamedNode):
            ranges[subject.value] = triple.object.value
    for iri in sorted(kinds):
        name = iri[len(mmkg):]
        if not name or name in ctx:
            continue
        if _OWL + "ObjectProperty" in kinds[iri]:
            ctx[name] = {"@type": "@id"}
        elif (_OWL + "DatatypeProperty" in kinds[iri] and ranges.get(iri, "").startswith(PREFIXES["xsd"])
              and ranges[iri] != PREFIXES["xsd"] + "string"):
            ctx[name] = {"@type": ranges[iri]}
    return ctx


def context_document(ontology: Path | None = None) -> dict[str, Any]:
    """The document served at :data:`CONTEXT_PATH`."""
    return {"@context": context(ontology)}


def write_context(target: Path = CONTEXT_FILE) -> bool:
    """Write the context file; True when it changed."""
    text = json.dumps(context_document(), indent=2, ensure_ascii=False) + "\n"
    if target.is_file() and target.read_text(encoding="utf-8") == text:
        return False
    target.write_text(text, encoding="utf-8")
    return True


def _loader(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
    raise jsonld.JsonLdError(f"remote documents are never fetched ({url})", "jsonld.LoadDocumentError")


def expanded(triples: Iterable[ox.Triple]) -> list[dict[str, Any]]:
    """Triples in JSON-LD's expanded form: one node object per subject, ``rdf:type`` as ``@type``.

    (pyld's own ``from_rdf`` does the same but takes seconds for a few thousand triples.)
    """
    nodes: dict[str, dict[str, Any]] = {}
    for triple in triples:
        subject, predicate, obj = triple.subject, triple.predicate.value, triple.object
        if isinstance(subject, ox.Triple) or isinstance(obj, ox.Triple):
            continue  # RDF-star terms have no JSON-LD 1.1 form
        node = nodes.setdefault(_id(subject), {"@id": _id(subject)})
        if predicate == _RDF_TYPE and not isinstance(obj, ox.Literal):
            types = node.setdefault("@type", [])
            if _id(obj) not in types:
                types.append(_id(obj))
            continue
        values = node.setdefault(predicate, [])
        value = _value(obj)
        if value not in values:
            values.append(value)
    return list(nodes.values())


def _id(term: ox.NamedNode | ox.BlankNode) -> str:
    return term.value if isinstance(term, ox.NamedNode) else f"_:{term.value}"


def _value(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> dict[str, str]:
    if not isinstance(term, ox.Literal):
        return {"@id": _id(term)}
    if term.language:
        return {"@value": term.value, "@language": term.language}
    if term.datatype.value == PREFIXES["xsd"] + "string":
        return {"@value": term.value}
    return {"@value": term.value, "@type": term.datatype.value}


def compact_triples(triples: Iterable[ox.Triple]) -> dict[str, Any]:
    """Triples as one compacted JSON-LD document: each subject once, ``rdf:type`` as ``@type``.

    The context is embedded, so that every JSON-LD processor reads the document offline; it is the
    one published at :data:`CONTEXT_PATH`. Compaction is pyld's (the JSON-LD reference processor).
    """
    ctx = context()
    compacted: dict[str, Any] = jsonld.compact(expanded(triples), ctx,
                                               {"documentLoader": _loader, "skipExpansion": True})
    if "@graph" not in compacted:  # one node: keep the shape clients read (a @graph of nodes)
        node = {k: v for k, v in compacted.items() if k != "@context"}
        compacted = {"@graph": [node] if node else []}
    compacted["@context"] = ctx
    return compacted


if __name__ == "__main__":  # python -m kg.interop.jsonld: regenerate the package's context file
    print(f"{CONTEXT_FILE}: {'written' if write_context() else 'up to date'}")
