"""Query results in the W3C formats: SPARQL 1.1 JSON, XML, CSV and TSV; RDF for graph results.

The serialisers work from :class:`kg.query.store.QueryResult` (not from pyoxigraph's own serialisers) so
that a result capped at a row limit can still be written. JSON then carries a top-level
``"truncated": true`` member between ``head`` and ``results`` (standard parsers ignore it there;
Oxigraph's streaming parser refuses anything after ``results``); the other formats have no place for it,
so :class:`Serialised` carries the flag and the web app sends it as a header.

CSV and TSV are safe to open in a spreadsheet (:func:`spreadsheet_safe`). A CSV cell that starts with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading apostrophe
(:func:`kg.csvcells.neutralise`) unless it is a number (``-0.94``, ``+1.5e-3``, ``-INF``), so numeric
columns still read as numbers in R and pandas. TSV writes terms in N-Triples syntax, so such text is
already inside quotes (``"=1+1"``) -- but spreadsheets strip the quotes on import and evaluate the rest;
there the first character is written as an escape instead (``"\u003D1+1"``), which every SPARQL TSV
parser reads back as the same literal and a spreadsheet shows as text.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from kg.csvcells import neutralise
from kg.query.store import QueryResult, Term

__all__ = ["GRAPH_FORMATS", "RESULT_FORMATS", "NotRepresentable", "Serialised", "csv_cell", "serialise",
           "serialise_triples", "spreadsheet_safe", "term_json", "tsv_cell", "xml_safe"]

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

#: media type -> short name, for SELECT and ASK results.
RESULT_FORMATS: dict[str, str] = {
    "application/sparql-results+json": "json",
    "application/sparql-results+xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
#: media type -> pyoxigraph RDF format, for CONSTRUCT and DESCRIBE results.
GRAPH_FORMATS: dict[str, ox.RdfFormat] = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    # The other RDF formats pyoxigraph writes (a graph result's triples are in the default graph).
    "application/n-quads": ox.RdfFormat.N_QUADS,
    "application/trig": ox.RdfFormat.TRIG,
    "text/n3": ox.RdfFormat.N3,
}


# Characters XML 1.0 cannot carry, not even as character references.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class NotRepresentable(ValueError):
    """A result holds something the requested format cannot carry (e.g. U+0001 in XML)."""


def xml_safe(text: str, media_type: str) -> str:
    """``text`` unchanged, or :class:`NotRepresentable` if XML 1.0 cannot carry one of its characters."""
    bad = _NOT_XML.search(text)
    if bad is not None:
        raise NotRepresentable(f"the results contain U+{ord(bad.group()):04X}, which {media_type} (XML 1.0) cannot "
                               f"carry; ask for a JSON, CSV or TSV format instead")
    return text


@dataclass(frozen=True)
class Serialised:
    """A serialised result with its media type."""

    media_type: str
    body: bytes
    truncated: bool


def term_json(term: Term) -> dict[str, Any]:
    """One RDF term in the SPARQL 1.1 JSON results form."""
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out: dict[str, Any] = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != _XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    return {"type": "triple", "value": {"subject": term_json(term.subject), "predicate": term_json(term.predicate),
                                        "object": term_json(term.object)}}


def _term_xml(term: Term) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, ox.Literal):
        if term.language:
            return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
        if term.datatype.value != _XSD_STRING:
            return f"<literal datatype={quoteattr(term.datatype.value)}>{escape(term.value)}</literal>"
        return f"<literal>{escape(term.value)}</literal>"
    return (f"<triple><subject>{_term_xml(term.subject)}</subject><predicate>{_term_xml(term.predicate)}"
            f"</predicate><object>{_term_xml(term.object)}</object></triple>")


_INFINITY = ("-INF", "+INF")  # xsd:double's infinities: numbers, not formulas


def csv_cell(text: str) -> str:
    """A CSV cell a spreadsheet shows as text: formula-leading text gets an apostrophe, numbers stay."""
    return text if text in _INFINITY else neutralise(text)


_FORMULA_LITERAL = re.compile(r'(^|\t)"([=+\-@])((?:[^"\\\t\n]|\\.)*)"', re.MULTILINE)


def _escape_lead(match: re.Match[str]) -> str:
    lead, first, rest = match.groups()
    if csv_cell(first + rest) == first + rest:  # a number written as a string: no formula
        return match.group()
    return f'{lead}"\\u{ord(first):04X}{rest}"'


def tsv_cell(term_text: str) -> str:
    """A TSV term (N-Triples syntax) whose literal text starts with a formula character, with that
    character escaped (``"=x"`` -> ``"\\u003Dx"``: the same literal, not a formula in a spreadsheet)."""
    return _FORMULA_LITERAL.sub(_escape_lead, term_text)


_SUSPECT_CSV = re.compile(rb'(?:^|,)"?[=+\-@\t\r]', re.MULTILINE)
_SUSPECT_TSV = re.compile(rb'(?:^|\t)"[=+\-@]', re.MULTILINE)


def spreadsheet_safe(body: bytes, media_type: str) -> bytes:
    """A CSV or TSV results document (as pyoxigraph writes them) with each cell made safe as
    :func:`csv_cell` and :func:`tsv_cell` say; other media types, and documents with no cell that
    starts like a formula, unchanged."""
    if media_type == "text/csv" and _SUSPECT_CSV.search(body):
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        for row in csv.reader(io.StringIO(body.decode("utf-8"), newline="")):
            writer.writerow([csv_cell(cell) for cell in row])
        return buffer.getvalue().encode()
    if media_type == "text/tab-separated-values" and _SUSPECT_TSV.search(body):
        return tsv_cell(body.decode("utf-8")).encode()
    return body


def _csv_value(term: Term) -> str:
    if isinstance(term, ox.Literal | ox.NamedNode):
        return csv_cell(term.value)
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return csv_cell(str(term))


def _json(result: QueryResult) -> bytes:
    doc: dict[str, Any]
    if result.kind == "ask":
        doc = {"head": {}, "boolean": bool(result.boolean)}
    else:
        doc = {"head": {"vars": result.variables}}
        if result.truncated:  # before "results": streaming parsers (Oxigraph's) stop reading after it
            doc["truncated"] = True
        doc["results"] = {"bindings": [{k: term_json(v) for k, v in row.items()} for row in result.rows]}
        return json.dumps(doc, ensure_ascii=False).encode()
    if result.truncated:
        doc["truncated"] = True
    return json.dumps(doc, ensure_ascii=False).encode()


def _xml(result: QueryResult) -> bytes:
    parts = ['<?xml version="1.0" encoding="utf-8"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">']
    if result.kind == "ask":
        parts.append(f"<head/><boolean>{'true' if result.boolean else 'false'}</boolean>")
    else:
        parts.append("<head>" + "".join(f"<variable name={quoteattr(v)}/>" for v in result.variables) + "</head>")
        parts.append("<results>")
        for row in result.rows:
            parts.append("<result>" + "".join(f"<binding name={quoteattr(k)}>{_term_xml(v)}</binding>"
                                              for k, v in row.items()) + "</result>")
        parts.append("</results>")
    parts.append("</sparql>\n")
    return xml_safe("".join(parts), "application/sparql-results+xml").encode()


def _tsv_term(term: Term) -> str:
    if isinstance(term, ox.Triple):
        return f"<<( {_tsv_term(term.subject)} {_tsv_term(term.predicate)} {_tsv_term(term.object)} )>>"
    return tsv_cell(str(term))


def _delimited(result: QueryResult, tsv: bool) -> bytes:
    if result.kind == "ask":
        return b"true\r\n" if result.boolean else b"false\r\n"
    if tsv:
        lines = ["\t".join(f"?{v}" for v in result.variables)]
        lines += ["\t".join(_tsv_term(row[v]) if v in row else "" for v in result.variables) for row in result.rows]
        return ("\n".join(lines) + "\n").encode()
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(result.variables)
    for row in result.rows:
        writer.writerow([_csv_value(row[v]) if v in row else "" for v in result.variables])
    return buffer.getvalue().encode()


def serialise_triples(triples: list[ox.Triple], media_type: str, prefixes: Mapping[str, str] | None = None) -> bytes:
    """Triples in an RDF format of :data:`GRAPH_FORMATS`, with ``prefixes`` where the format has them.

    :raises NotRepresentable: for RDF/XML of a literal with a character XML 1.0 cannot carry.
    """
    fmt = GRAPH_FORMATS[media_type]
    with_prefixes = (ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML, ox.RdfFormat.TRIG, ox.RdfFormat.N3)
    kwargs = {"prefixes": dict(prefixes)} if prefixes and fmt in with_prefixes else {}
    body = ox.serialize(triples, format=fmt, **kwargs) or b""  # type: ignore[arg-type]
    if fmt == ox.RdfFormat.RDF_XML:
        xml_safe(body.decode("utf-8"), media_type)
    return body


def serialise(result: QueryResult, media_type: str) -> Serialised:
    """Write a result in a media type of :data:`RESULT_FORMATS` (SELECT, ASK) or :data:`GRAPH_FORMATS` (graphs).

    :raises ValueError: for a media type that does not fit the kind of result.
    :raises NotRepresentable: for XML formats of a result with a character XML 1.0 cannot carry.
    """
    if result.kind == "graph":
        if media_type not in GRAPH_FORMATS:
            raise ValueError(f"{media_type} is not an RDF format for a graph result")
        return Serialised(media_type, serialise_triples(result.triples or [], media_type), result.truncated)
    name = RESULT_FORMATS.get(media_type)
    if name is None:
        raise ValueError(f"{media_type} is not a SPARQL results format")
    writer = {"json": _json, "xml": _xml}.get(name)
    body = writer(result) if writer else _delimited(result, tsv=name == "tsv")
    return Serialised(media_type, body, result.truncated)
