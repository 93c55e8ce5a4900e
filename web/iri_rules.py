"""Redirect rules that make the data IRIs (``https://w3id.org/mmkg/...``) resolve on a published site.

w3id.org forwards ``https://w3id.org/mmkg/<path>`` to ``<site>/mmkg/<path>`` (one prefix rule; the
``.htaccess`` for w3id's repository is in ``docs/w3id.htaccess``, and it may as well map each IRI to its page
itself). The site then sends each IRI to the page or data file that shows it, as :mod:`web.iris` maps it
for the app: ``/mmkg/resource/<id>`` to ``/resource/<id>``, ``/mmkg/<Term>`` to ``/ontology/<Term>``, the
ontology and the import module to theirs, ``/mmkg/sparql`` to the endpoint. 303 See Other, as for
non-information resources; nginx keeps negotiating ``Accept`` on the target.
"""

from __future__ import annotations

__all__ = ["NAMESPACE_PATH", "nginx_locations", "redirect_lines"]

NAMESPACE_PATH = "/mmkg"
"""The path of the IRIs' namespace (``https://w3id.org/mmkg/``) as w3id forwards it."""
_PREFIXED = ("resource", "graph", "imports")


def redirect_lines(endpoint: str | None) -> list[str]:
    """``_redirects`` lines (Netlify, Cloudflare Pages); the first rule that matches wins."""
    lines = ["# The data IRIs https://w3id.org/mmkg/... (w3id forwards them to /mmkg/...; see docs/w3id.htaccess)."]
    lines += [f"{NAMESPACE_PATH}/{kind}/*  /{kind}/:splat  303" for kind in _PREFIXED]
    lines += [f"{NAMESPACE_PATH}/ontology  /ontology  303", f"{NAMESPACE_PATH}/  /ontology  303",
              f"{NAMESPACE_PATH}/sparql  {endpoint or '/sparql'}  307",
              f"{NAMESPACE_PATH}/*  /ontology/:splat  303"]
    return lines


def nginx_locations(endpoint: str | None) -> list[str]:
    """``location`` blocks for nginx's ``server { }``, indented for :func:`web.publish._nginx`."""
    kinds = "|".join(_PREFIXED)
    sparql = endpoint or "/sparql"
    return [
        "        # The data IRIs https://w3id.org/mmkg/... (w3id forwards them to /mmkg/...).",
        f"        location ~ ^{NAMESPACE_PATH}/({kinds})/(.+)$ {{ return 303 /$1/$2$is_args$args; }}",
        f"        location ~ ^{NAMESPACE_PATH}/(ontology)?$ {{ return 303 /ontology; }}",
        f"        location = {NAMESPACE_PATH}/sparql {{ return 307 {sparql}$is_args$args; }}",
        f"        location ~ ^{NAMESPACE_PATH}/([^/]+)$ {{ return 303 /ontology/$1; }}",
        "        location ^~ /imports/ {",
        "            add_header Vary Accept;",
        "            default_type text/turtle;",
        "            try_files $uri$mmkg_twin $uri $uri.ttl =404;",
        "        }",
    ]
