"""Write a draft as YAML in the fact files' style, and the source id a new draft takes."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

__all__ = ["HEADER", "draft_yaml", "next_source_id"]

HEADER = """\
# Draft source fact file written by `mmkg draft` from {file} (schema: `mmkg schema`).
#
# Every finding and every new entry is `status: draft`; `confidence` is the drafter's (0-1: endpoint,
# regimen and study all named in the sentence give 0.9, each taken from the context or missing lowers it).
# To curate: check each finding against its sentence (`at: pN.sM`), correct it, set `status: curated`
# (or delete the line) or delete the finding; write the statements in your own words; give new entries
# identifiers from ../shared/reference/identifiers.md. Preview: `mmkg build --draft THIS.yaml --source
# {file}`; accept into kg/facts: `mmkg draft --accept THIS.yaml --source {file}`.

"""


class _Dumper(yaml.SafeDumper):
    pass


def _decimal(dumper: yaml.SafeDumper, value: Decimal) -> yaml.ScalarNode:
    value = value.normalize()
    if value == value.to_integral_value():
        return dumper.represent_scalar("tag:yaml.org,2002:int", str(int(value)))
    return dumper.represent_scalar("tag:yaml.org,2002:float", f"{value:f}")


def _string(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    # p-values ("<0.001", "=0.082") and dates are quoted like the curated files quote them.
    style = '"' if re.match(r"^[<>=]|^\d{4}-\d{2}", value) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _list(dumper: yaml.SafeDumper, value: list[Any]) -> yaml.SequenceNode:
    # [0.57, 0.67] and [3, 4] inline, as the curated files write them; lists of entries as blocks
    flow = all(not isinstance(item, dict | list) for item in value)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=flow)


def _dict(dumper: yaml.SafeDumper, value: dict[str, Any]) -> yaml.MappingNode:
    return dumper.represent_mapping("tag:yaml.org,2002:map", value.items(), flow_style=False)


_Dumper.add_representer(Decimal, _decimal)
_Dumper.add_representer(str, _string)
_Dumper.add_representer(list, _list)
_Dumper.add_representer(dict, _dict)


def draft_yaml(data: dict[str, Any]) -> str:
    """The draft as a commented YAML document (a blank line between findings)."""
    body = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=110)
    body = re.sub(r"(?<!:)\n(- id: )", r"\n\n\1", body)
    body = re.sub(r"\n([a-z_]+:)", r"\n\n\1", body)
    return HEADER.format(file=data["source"]["file"]) + body


def next_source_id(facts_dir: Path) -> str:
    """``sNNN`` one above the highest source id in ``facts_dir/sources`` (``s005`` after ``s004``)."""
    numbers = [int(m[1]) for p in (facts_dir / "sources").glob("*.yaml") if (m := re.fullmatch(r"s(\d+)", p.stem))]
    return f"s{max(numbers, default=-1) + 1:03d}"
