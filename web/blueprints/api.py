"""``/openapi.json``: OpenAPI 3 for the saved queries (one operation each), search and the SPARQL endpoint."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request

from kg.query.catalogue import Parameter
from web.context import ctx

__all__ = ["bp", "openapi"]

bp = Blueprint("api", __name__)

_ERROR = {"description": "A client error, with a message naming the parameter",
          "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def _schema(param: Parameter) -> dict[str, Any]:
    if param.type == "number":
        schema: dict[str, Any] = {"type": "number"}
    elif param.values:
        schema = {"type": "string", "enum": list(param.values)}
    else:
        schema = {"type": "string"}
        if param.type == "iri":
            schema["description"] = "An IRI or a CURIE (res:, mmkg:, ...)"
    if param.default is not None:
        schema["default"] = float(param.default) if param.type == "number" else param.default
    return schema


def openapi() -> dict[str, Any]:
    """The OpenAPI 3.0 document of this app."""
    paths: dict[str, Any] = {}
    for query in ctx().catalogue:
        paths[f"/queries/{query.name}.json"] = {"get": {
            "operationId": query.name.replace("-", "_"),
            "summary": query.title,
            "description": query.description,
            "tags": list(query.tags) or ["queries"],
            "parameters": [{"name": p.name, "in": "query", "required": False,
                            "description": p.description or p.name, "schema": _schema(p)} for p in query.parameters],
            "responses": {"200": {"description": "Rows of the query",
                                  "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Rows"}}}},
                          "400": _ERROR, "404": _ERROR},
        }}
    paths["/search.json"] = {"get": {
        "operationId": "search", "summary": "Search labels, synonyms and identifiers",
        "parameters": [{"name": "q", "in": "query", "required": True, "schema": {"type": "string"}},
                       {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100}},
                       {"name": "type", "in": "query", "schema": {"type": "string"},
                        "description": "Only entities of this class (IRI or CURIE)"}],
        "responses": {"200": {"description": "Matches", "content": {"application/json": {"schema": {
            "type": "array", "items": {"$ref": "#/components/schemas/Hit"}}}}}, "400": _ERROR}}}
    paths["/sparql"] = {"get": {
        "operationId": "sparql", "summary": "SPARQL 1.1 Protocol query operation (read-only)",
        "parameters": [{"name": "query", "in": "query", "required": False, "schema": {"type": "string"}}],
        "responses": {"200": {"description": "Results in the negotiated format", "content": {
            "application/sparql-results+json": {}, "application/sparql-results+xml": {}, "text/csv": {},
            "text/tab-separated-values": {}, "text/turtle": {}, "application/ld+json": {},
            "application/n-triples": {}, "application/rdf+xml": {}}},
            "400": {"description": "The query does not parse (message with line and column)"},
            "406": {"description": "No acceptable format"}}}}
    return {
        "openapi": "3.0.3",
        "info": {"title": f"{ctx().settings.title} API", "version": "1",
                 "description": "Saved SPARQL queries over the multiple-myeloma maintenance evidence graph, "
                                "as JSON operations; parameters are bound, never spliced into the query."},
        "servers": [{"url": request.url_root.rstrip("/")}],
        "paths": paths,
        "components": {"schemas": {
            "Rows": {"type": "object", "required": ["columns", "rows", "truncated"], "properties": {
                "query": {"type": "string"}, "title": {"type": "string"},
                "parameters": {"type": "object", "additionalProperties": {"type": "string"}},
                "columns": {"type": "array", "items": {"type": "string"}},
                "rows": {"type": "array", "items": {"type": "object"}},
                "truncated": {"type": "boolean"}, "boolean": {"type": "boolean"}}},
            "Hit": {"type": "object", "required": ["label", "iri", "url"], "properties": {
                "label": {"type": "string"}, "iri": {"type": "string"}, "url": {"type": "string"},
                "type": {"type": "string", "nullable": True}, "matched": {"type": "string"}}},
            "Error": {"type": "object", "required": ["status", "error"], "properties": {
                "status": {"type": "integer"}, "error": {"type": "string"},
                "line": {"type": "integer"}, "column": {"type": "integer"}}},
        }},
    }


@bp.route("/openapi.json")
def document() -> Response:
    return jsonify(openapi())
