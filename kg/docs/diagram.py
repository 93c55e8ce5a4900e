"""The model diagram, drawn from the ontology itself so it cannot drift from it.

Boxes are the ontology's main classes with the datatype properties whose domain they are (so a
finding's box lists ``estimate``, ``ciLower``, ``ciUpper``, ``pValue`` …); arrows are the object
properties between them from their ``rdfs:domain`` and ``rdfs:range``, labelled with the property
names; hollow-headed arrows are ``rdfs:subClassOf`` between drawn classes; a property from a class
to itself is listed in its box with ↺. Only the *placement* is given here (a grid slot per main
class); which classes, properties and labels appear comes from the ontology graph passed in. A
class of the ontology with properties but no slot is named under the drawing, so nothing new is
left out silently.

Graphviz's ``dot`` (Debian's graphviz) lays the drawing out when it is installed: boxes ranked
along the arrows, edge labels placed without overlapping, lines routed around boxes. Without it the
grid slots below are used (:func:`grid_svg`).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections import defaultdict
from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from kg.namespaces import MMKG

__all__ = ["Model", "dot_svg", "grid_svg", "model_of", "model_svg"]

# Grid slots (column, row) of the main classes, from drugs on the left through studies and findings
# to sources on the right.
_SLOTS: dict[str, tuple[int, int]] = {
    "MolecularTarget": (0, 0), "Drug": (1, 0), "Regimen": (2, 0), "PooledRegimen": (3, 0),
    "EvidenceSynthesis": (4, 0),
    "Disease": (0, 1), "Population": (1, 1), "StudyArm": (2, 1), "Study": (3, 1), "Publication": (4, 1),
    "PopulationCharacteristic": (0, 2), "AdverseEvent": (1, 2), "Finding": (2, 2), "SourceDocument": (3, 2),
    "CountKind": (4, 2),
    "SignificanceBasis": (0, 3), "Direction": (1, 3), "EffectEstimate": (2, 3), "Endpoint": (3, 3), "Unit": (4, 3),
}
_W, _H, _GAP_X, _GAP_Y, _LINE = 210, 150, 70, 60, 13


@dataclass
class _Box:
    name: str
    col: int
    row: int
    fields: list[str] = field(default_factory=list)
    loops: list[str] = field(default_factory=list)

    @property
    def x(self) -> float:
        return 20 + self.col * (_W + _GAP_X)

    @property
    def y(self) -> float:
        return 20 + self.row * (_H + _GAP_Y)

    def anchor(self, other: _Box) -> tuple[float, float]:
        """Where a line towards ``other`` leaves this box's border."""
        cx, cy = self.x + _W / 2, self.y + _H / 2
        ox, oy = other.x + _W / 2, other.y + _H / 2
        dx, dy = ox - cx, oy - cy
        if dx == 0 and dy == 0:
            return cx, cy
        scale = min((_W / 2) / abs(dx) if dx else float("inf"), (_H / 2) / abs(dy) if dy else float("inf"))
        return cx + dx * scale, cy + dy * scale


def _local(node: object) -> str | None:
    text = str(node)
    return text[len(str(MMKG)):] if text.startswith(str(MMKG)) and "/" not in text[len(str(MMKG)):] else None


def _fold(ontology: Graph, edges: dict[tuple[str, str], list[str]]
          ) -> tuple[dict[tuple[str, str], list[str]], dict[tuple[str, str], list[str]]]:
    """Keep one label per arrow where the ontology allows: a sub-property drawn beside its
    super-property (intervention beside regimen), the inverse of a property drawn the other way
    (armOf against hasArm) and deprecated properties are folded into the arrow's tooltip."""
    def name(node: object) -> str | None:
        return _local(node)

    supers = {(name(p), name(q)) for p, q in ontology.subject_objects(RDFS.subPropertyOf)}
    inverses = {(name(p), name(q)) for p, q in ontology.subject_objects(OWL.inverseOf)}
    deprecated = {name(p) for p in ontology.subjects(OWL.deprecated, None)}
    kept: dict[tuple[str, str], list[str]] = {}
    hidden: dict[tuple[str, str], list[str]] = defaultdict(list)
    for (source, target), props in edges.items():
        reverse = set(edges.get((target, source), []))
        for prop in sorted(props):
            if (prop in deprecated or any((prop, other) in supers for other in props)
                    or any((prop, other) in inverses for other in reverse)):
                hidden[(source, target)].append(prop)
            else:
                kept.setdefault((source, target), []).append(prop)
    return kept, hidden


@dataclass
class Model:
    """What the diagram shows: classes with their fields and self-loops, labelled arrows, subclass links."""

    boxes: dict[str, _Box]
    edges: dict[tuple[str, str], list[str]]
    hidden: dict[tuple[str, str], list[str]]
    subclass_edges: list[tuple[str, str]]
    not_drawn: list[str]

    def arrows(self) -> list[tuple[str, str, str]]:
        """(source class, property label, target class) of every drawn arrow, for a list view."""
        return [(a, " / ".join(sorted(props)), b) for (a, b), props in sorted(self.edges.items())
                if a in self.boxes and b in self.boxes]


def model_svg(ontology: Graph) -> str:
    """The model diagram of ``ontology`` as a standalone SVG document: laid out by Graphviz's
    ``dot`` when it is installed, else on the fixed grid."""
    model = model_of(ontology)
    return (dot_svg(model) if shutil.which("dot") else None) or grid_svg(model)


def model_of(ontology: Graph) -> Model:
    """The classes, fields and arrows of ``ontology``'s main classes."""
    classes = {name for c in ontology.subjects(RDF.type, OWL.Class) if (name := _local(c))}
    edges: dict[tuple[str, str], list[str]] = defaultdict(list)
    fields: dict[str, list[str]] = defaultdict(list)
    for kind in (OWL.ObjectProperty, OWL.DatatypeProperty):
        for prop in ontology.subjects(RDF.type, kind):
            name = _local(prop)
            if name is None:
                continue
            for domain in ontology.objects(prop, RDFS.domain):
                source = _local(domain)
                if source is None:
                    continue
                ranges = [r for r in ontology.objects(prop, RDFS.range)]
                if kind == OWL.DatatypeProperty:
                    datatype = str(ranges[0]).rsplit("#", 1)[-1] if ranges else "literal"
                    fields[source].append(f"{name}: {datatype}")
                    continue
                for rng in ranges:
                    target = _local(rng)
                    if target is not None:
                        edges[(source, target)].append(name)
    edges, hidden = _fold(ontology, edges)
    linked = {c for pair in edges for c in pair} | set(fields)
    boxes = {name: _Box(name, *_SLOTS[name], sorted(fields.get(name, []))) for name in sorted(classes & set(_SLOTS))}
    not_drawn = sorted((linked & classes) - set(_SLOTS))
    subclass_edges: list[tuple[str, str]] = []
    for name in boxes:
        for parent in ontology.objects(URIRef(str(MMKG) + name), RDFS.subClassOf):
            parent_name = _local(parent)
            if parent_name is not None and parent_name in boxes and parent_name != name:
                subclass_edges.append((name, parent_name))
    for (source, target), props in list(edges.items()):
        if source == target and source in boxes:
            boxes[source].loops += sorted(props)
            del edges[(source, target)]
    return Model(boxes, dict(edges), dict(hidden), subclass_edges, not_drawn)


def grid_svg(model: Model) -> str:
    """The diagram on the fixed grid of :data:`_SLOTS` (the fallback without Graphviz)."""
    boxes, edges, hidden, subclass_edges, not_drawn = (model.boxes, model.edges, model.hidden,
                                                        model.subclass_edges, model.not_drawn)
    width = 40 + 5 * _W + 4 * _GAP_X
    height = 40 + (max(b.row for b in boxes.values()) + 1) * (_H + _GAP_Y) + 20
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
             f'height="{height}" font-family="sans-serif" font-size="11" role="img" '
             f'aria-labelledby="model-title">',
             '<title id="model-title">myeloma-kg model: main classes and the properties between them</title>',
             '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
             'orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#555"/></marker>'
             '<marker id="sub" viewBox="0 0 12 12" refX="12" refY="6" markerWidth="11" markerHeight="11" '
             'orient="auto"><path d="M 0 0 L 12 6 L 0 12 z" fill="white" stroke="#36c"/></marker></defs>']
    for box in boxes.values():
        parts.append(f'<g><title>mmkg:{escape(box.name)}</title>'
                     f'<rect x="{box.x}" y="{box.y}" width="{_W}" height="{_H}" rx="6" fill="#f7f9fc" '
                     f'stroke="#36c" fill-opacity="0.92"/><text x="{box.x + 8}" y="{box.y + 16}" font-weight="bold" '
                     f'font-size="12">{escape(box.name)}</text>')
        lines = box.fields + [f"↺ {loop}" for loop in box.loops]
        room = int((_H - 26) / _LINE)
        if len(lines) > room:
            lines = [*lines[: room - 1], f"… {len(lines) - room + 1} more"]
        for i, line in enumerate(lines):
            parts.append(f'<text x="{box.x + 8}" y="{box.y + 32 + i * _LINE}" fill="#222">{escape(line)}</text>')
        parts.append("</g>")
    labels: list[str] = []  # drawn last, over lines and boxes
    for i, ((source, target), props) in enumerate(sorted(edges.items())):
        if source not in boxes or target not in boxes:
            continue
        a, b = boxes[source], boxes[target]
        x1, y1 = a.anchor(b)
        x2, y2 = b.anchor(a)
        folded = hidden.get((source, target), [])
        also = f" (also {', '.join(folded)})" if folded else ""
        tooltip = escape(f"{source} → {target}{also}")
        parts.append(f'<line x1="{x1:.0f}" y1="{y1:.0f}" x2="{x2:.0f}" y2="{y2:.0f}" stroke="#777" '
                     f'marker-end="url(#arrow)"><title>{tooltip}</title></line>')
        label = " / ".join(sorted(props)) + (f" (+{len(folded)})" if folded else "")
        at = (0.3, 0.5, 0.7)[i % 3]  # staggered, so labels of parallel lines do not sit on each other
        mx, my = x1 + (x2 - x1) * at, y1 + (y2 - y1) * at
        labels.append(f'<text x="{mx:.0f}" y="{my:.0f}" text-anchor="middle" fill="#333" '
                     f'paint-order="stroke" stroke="white" stroke-width="3">{escape(label)}</text>')
    for sub, sup in sorted(subclass_edges):
        a, b = boxes[sub], boxes[sup]
        x1, y1 = a.anchor(b)
        x2, y2 = b.anchor(a)
        parts.append(f'<line x1="{x1:.0f}" y1="{y1:.0f}" x2="{x2:.0f}" y2="{y2:.0f}" stroke="#36c" '
                     f'stroke-dasharray="5 3" marker-end="url(#sub)"><title>{escape(sub)} is a kind of '
                     f'{escape(sup)}</title></line>')
    parts += labels
    if not_drawn:
        parts.append(f'<text x="20" y="{height - 12}" fill="#555">Also in the ontology, with properties, not drawn: '
                     f'{escape(", ".join(not_drawn))} (see the class list).</text>')
    parts.append("</svg>")
    return "\n".join(parts)


def _dot_source(model: Model) -> str:
    """The model in Graphviz's DOT language, each class an HTML-like table (name, then its fields)."""
    lines = ['digraph model {', '  graph [rankdir=TB, nodesep=0.35, ranksep=0.9, fontname="DejaVu Sans", '
             'fontsize=11, pad=0.2, splines=true, overlap=false];',
             '  node [shape=plain, fontname="DejaVu Sans", fontsize=11];',
             '  edge [fontname="DejaVu Sans", fontsize=10, color="#777777", fontcolor="#333333", arrowsize=0.7];']
    for box in model.boxes.values():
        rows = [f'<tr><td align="left" bgcolor="#e8eef9"><b>{escape(box.name)}</b></td></tr>']
        extra = box.fields + [f"↺ {loop}" for loop in box.loops]
        if len(extra) > 9:
            extra = [*extra[:8], f"… {len(extra) - 8} more"]
        rows += [f'<tr><td align="left">{escape(line)}</td></tr>' for line in extra]
        lines.append(f'  {box.name} [tooltip={quoteattr("mmkg:" + box.name)}, label=<<table border="1" '
                     f'cellborder="0" cellspacing="0" cellpadding="3" color="#3366cc" bgcolor="#f7f9fc">'
                     f'{"".join(rows)}</table>>];')
    for (source, target), props in sorted(model.edges.items()):
        if source not in model.boxes or target not in model.boxes:
            continue
        folded = model.hidden.get((source, target), [])
        label = " / ".join(sorted(props)) + (f" (+{len(folded)})" if folded else "")
        also = f" (also {', '.join(folded)})" if folded else ""
        lines.append(f'  {source} -> {target} [label={quoteattr(label)}, '
                     f'tooltip={quoteattr(f"{source} → {target}{also}")}];')
    for sub, sup in sorted(model.subclass_edges):
        lines.append(f'  {sub} -> {sup} [style=dashed, color="#3366cc", arrowhead=onormal, '
                     f'tooltip={quoteattr(f"{sub} is a kind of {sup}")}];')
    lines.append("}")
    return "\n".join(lines)


def dot_svg(model: Model, timeout: float = 20.0) -> str | None:
    """The diagram laid out by ``dot -Tsvg`` (None if dot fails), without the XML prologue and
    doctype, with a title, and sized by its viewBox so a page can scale it."""
    try:
        done = subprocess.run(["dot", "-Tsvg"], input=_dot_source(model), capture_output=True, text=True,
                              timeout=timeout, check=True)
    except (OSError, subprocess.SubprocessError):
        return None
    svg = done.stdout[done.stdout.find("<svg"):]
    svg = re.sub(r"<!--.*?-->", "", svg, flags=re.S)
    title = '<title id="model-title">myeloma-kg model: main classes and the properties between them</title>'
    # one pixel per unit (type of 10-11 px), never scaled down: however many classes the ontology gains,
    # the text stays legible and the page scrolls instead (the stylesheet leaves .model-dot at this size)
    box = re.search(r'viewBox="[\d.\-]+ [\d.\-]+ ([\d.]+) ([\d.]+)"', svg)
    if box:
        svg = re.sub(r'width="[\d.]+pt" height="[\d.]+pt"',
                     f'width="{round(float(box.group(1)))}" height="{round(float(box.group(2)))}"', svg, count=1)
    svg = re.sub(r"<svg\b", '<svg role="img" aria-labelledby="model-title" class="model-dot"', svg, count=1)
    svg = svg.replace(">", ">" + title, 1) if "<title id=" not in svg else svg
    if model.not_drawn:
        note = escape(f"Also in the ontology, with properties, not drawn: {', '.join(model.not_drawn)}.")
        svg = svg.replace("</svg>", f"<desc>{note}</desc></svg>")
    return svg
