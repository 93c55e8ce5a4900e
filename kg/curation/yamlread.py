"""Read YAML while remembering the line of every mapping key and sequence item.

Pydantic reports an error at a location such as ``("findings", 3, "estimate")``; :class:`LineMap`
turns that location into the line of the file where the value (or its nearest parent) stands, so
that an error names file, line and field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from kg.errors import FactError

__all__ = ["LineMap", "load_yaml"]

Loc = tuple[str | int, ...]


@dataclass
class LineMap:
    """Maps a location inside a YAML document to a 1-based line number."""

    lines: dict[Loc, int] = field(default_factory=dict)

    def line(self, loc: tuple[Any, ...]) -> int:
        """The line of ``loc`` or of its nearest ancestor that has one (1 for the document)."""
        key: tuple[Any, ...] = tuple(loc)
        while key:
            if key in self.lines:
                return self.lines[key]
            key = key[:-1]
        return 1


def _walk(node: yaml.Node, loc: Loc, lines: dict[Loc, int]) -> Any:
    lines.setdefault(loc, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = key_node.value
            if key in result:
                raise ValueError(f"line {key_node.start_mark.line + 1}: key {key!r} appears twice")
            lines[(*loc, key)] = key_node.start_mark.line + 1
            result[key] = _walk(value_node, (*loc, key), lines)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_walk(item, (*loc, i), lines) for i, item in enumerate(node.value)]
    return _SCALARS.construct_object(node, deep=True)


_SCALARS = yaml.constructor.SafeConstructor()
"""Resolves one scalar node as the safe loader would (much cheaper than serialising it and loading it again)."""
_COMPOSER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's parser where PyYAML was built with it (the same nodes, several times faster)."""


def load_yaml(path: Path) -> tuple[Any, LineMap]:
    """Parse a YAML file into plain Python values and a :class:`LineMap`.

    Scalars are resolved as PyYAML's safe loader would; a key repeated in one mapping is an error
    (PyYAML would silently keep the last one).

    :raises FactError: for a YAML syntax error or a repeated key, naming file and line.
    """
    text = path.read_text(encoding="utf-8")
    try:
        node = yaml.compose(text, Loader=_COMPOSER)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = mark.line + 1 if mark is not None else 1
        raise FactError(path, line, "", f"YAML syntax error: {exc.problem}") from exc
    lines: dict[Loc, int] = {}
    if node is None:
        return {}, LineMap(lines)
    try:
        data = _walk(node, (), lines)
    except ValueError as exc:
        message = str(exc)
        line = int(message.split(":", 1)[0].removeprefix("line "))
        raise FactError(path, line, "", message.split(": ", 1)[1]) from exc
    return data, LineMap(lines)
