"""The querying guide and the model diagram as files: ``mmkg docs -o DIR``.

The guide (``docs/querying.md``) holds its example queries as fenced ``sparql`` blocks whose first
line is ``# example: NAME — TITLE``; a second line ``# needs: network`` marks one that calls a
remote endpoint. :func:`guide_examples` reads them, so that the tests can run every one against
the graph and the web app can offer each in the editor.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph

from kg import paths
from kg.docs.diagram import model_svg

__all__ = ["GuideExample", "guide_examples", "guide_text", "render_guide_html", "write_docs"]

_FENCE = re.compile(r"^```sparql\n(.*?)^```", re.MULTILINE | re.DOTALL)
_HEADER = re.compile(r"^# example: (?P<name>[a-z0-9-]+) — (?P<title>.+)$")


@dataclass(frozen=True)
class GuideExample:
    name: str
    title: str
    sparql: str
    needs_network: bool


def guide_text() -> str:
    return (paths.docs_dir() / "querying.md").read_text(encoding="utf-8")


def guide_examples(text: str | None = None) -> list[GuideExample]:
    """The guide's example queries, in order.

    :raises ValueError: for a ``sparql`` block without its ``# example:`` line, or a name used twice.
    """
    text = guide_text() if text is None else text
    examples: list[GuideExample] = []
    for match in _FENCE.finditer(text):
        body = match.group(1)
        line_no = text.count("\n", 0, match.start()) + 1
        header = _HEADER.match(body.splitlines()[0] if body else "")
        if header is None:
            raise ValueError(f"docs/querying.md:{line_no}: a sparql block must start with "
                             f"'# example: NAME — TITLE'")
        if any(e.name == header["name"] for e in examples):
            raise ValueError(f"docs/querying.md:{line_no}: example name {header['name']!r} used twice")
        examples.append(GuideExample(header["name"], header["title"], body, "# needs: network" in body))
    return examples


def render_guide_html(text: str, editor_link: Callable[[str], str] | None = None) -> str:
    """The guide as an HTML fragment; ``editor_link(sparql) -> url`` adds an editor link under each example."""
    import markdown

    if editor_link is not None:
        def add_link(match: re.Match[str]) -> str:
            # Markdown ends a link destination at an unbalanced ")"; URL encoders leave parentheses alone
            url = editor_link(match.group(1)).replace("(", "%28").replace(")", "%29")
            return f"{match.group(0)}\n\n[Open in the editor]({url}){{: .open-in-editor }}\n"

        text = _FENCE.sub(add_link, text)
    return str(markdown.markdown(text, extensions=["fenced_code", "tables", "toc", "attr_list"],
                                 output_format="html"))


def write_docs(out: Path) -> list[Path]:
    """Write ``model.svg`` and ``querying.html`` (the guide with the diagram) into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    svg = model_svg(Graph().parse(paths.ontology_file(), format="turtle"))
    model = out / "model.svg"
    model.write_text(svg, encoding="utf-8")
    body = render_guide_html(guide_text())
    page = out / "querying.html"
    page.write_text("<!doctype html><html lang=en><meta charset=utf-8><title>Querying myeloma-kg</title>"
                    f"<body>{body}<h2>Model</h2>{svg}</body></html>\n", encoding="utf-8")
    return [model, page]
