"""Where an IRI of the graph is shown in the app, and how it is written for people.

The graph's IRIs are ``https://w3id.org/mmkg/...``; the app serves each at a local path so that a
w3id redirect to the app's base URL resolves every IRI to its page:

============================================  =========================
IRI                                           page
============================================  =========================
``https://w3id.org/mmkg/resource/<id>``       ``/resource/<id>``
``https://w3id.org/mmkg/graph/<id>``          ``/graph/<id>``
``https://w3id.org/mmkg/<Term>``              ``/ontology/<Term>``
``https://w3id.org/mmkg/`` (and ``ontology``)  ``/ontology``
anything else                                 ``/describe?iri=<iri>``
============================================  =========================
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

from kg.namespaces import PREFIXES, compact

__all__ = ["BASE", "compact", "iri_for_path", "local_path"]

BASE = PREFIXES["mmkg"]
_RESOURCE = PREFIXES["res"]
_GRAPH = PREFIXES["graph"]


def local_path(iri: str) -> str:
    """The app path that shows ``iri``.

    >>> local_path("https://w3id.org/mmkg/resource/lenalidomide")
    '/resource/lenalidomide'
    >>> local_path("https://w3id.org/mmkg/Drug")
    '/ontology/Drug'
    >>> local_path("http://purl.obolibrary.org/obo/CHEBI_63791")
    '/describe?iri=http%3A%2F%2Fpurl.obolibrary.org%2Fobo%2FCHEBI_63791'
    """
    if iri.startswith(_RESOURCE) and len(iri) > len(_RESOURCE):
        return "/resource/" + quote(iri[len(_RESOURCE):], safe="/-._~")
    if iri.startswith(_GRAPH) and len(iri) > len(_GRAPH):
        return "/graph/" + quote(iri[len(_GRAPH):], safe="/-._~")
    if iri in (BASE, BASE + "ontology"):
        return "/ontology"
    if iri.startswith(BASE) and "/" not in iri[len(BASE):] and "#" not in iri[len(BASE):]:
        return "/ontology/" + quote(iri[len(BASE):], safe="-._~")
    return "/describe?" + urlencode({"iri": iri})


def iri_for_path(kind: str, rest: str) -> str:
    """The inverse of :func:`local_path` for ``resource``, ``graph`` and ``ontology`` paths."""
    namespace = {"resource": _RESOURCE, "graph": _GRAPH, "ontology": BASE}[kind]
    return namespace + rest
