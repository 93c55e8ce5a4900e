"""A curator's review of a draft: confirm, reject or correct each drafted finding, before it is downloaded.

The choices come from the graph's own terms (its endpoints, the arms of the draft's studies and the
arms the draft defines, the schema's directions), so a correction can only name something that
exists. :func:`apply_review` returns the draft with the decisions applied: a confirmed finding is
``status: curated``, a rejected one is left out (and named in the source's note), a correction
replaces the field and keeps the finding's status as decided. Nothing is written anywhere.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from kg.drafting.lexicon import Lexicon

__all__ = ["DECISIONS", "DIRECTIONS", "Choices", "Decision", "ReviewError", "apply_review", "choices_for",
           "parse_review"]

DECISIONS = ("draft", "confirm", "reject")
DIRECTIONS = ("benefit", "no_difference", "harm")
_PREFIX = "review."
_FIELDS = ("status", "endpoint", "arm", "direction")
_WITH_ENDPOINT = ("hazard_ratio", "risk_ratio", "median", "proportion", "comparison")


class ReviewError(ValueError):
    """A review field names a finding, a field or a value the draft does not offer."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(f"field {field_name!r}: {message}")
        self.field_name = field_name


@dataclass
class Decision:
    """What the curator decided for one finding (None: left as drafted)."""

    status: str = "draft"
    endpoint: str | None = None
    arm: str | None = None
    direction: str | None = None


@dataclass
class Choices:
    """What a correction may name."""

    endpoints: list[tuple[str, str]] = field(default_factory=list)
    """(id, label) of every endpoint the graph and the draft know."""
    arms: list[tuple[str, str]] = field(default_factory=list)
    """(id, label) of the arms of the studies the draft names and the arms it defines."""
    directions: tuple[str, ...] = DIRECTIONS


def choices_for(data: dict[str, Any], lexicon: Lexicon) -> Choices:
    """The terms a review of this draft may choose from."""
    endpoints = {t.id: t.short_label or t.label for t in lexicon.by_kind("endpoint")}
    endpoints |= {e["id"]: e.get("short_label") or e["label"] for e in data.get("endpoints", [])}
    studies = {f.get("study") for f in data.get("findings", [])} | {s["id"] for s in data.get("studies", [])}
    studies |= set(data.get("source", {}).get("reports", []))
    arms = {arm: f"{regimen} arm of {t.label}" for t in lexicon.by_kind("study") if t.id in studies
            for arm, regimen in t.arms}
    arms |= {a["id"]: a["label"] for a in data.get("arms", [])}
    return Choices(sorted(endpoints.items()), sorted(arms.items()))


def parse_review(form: dict[str, str], data: dict[str, Any], choices: Choices) -> dict[str, Decision]:
    """The decisions in form fields ``review.<finding id>.<status|endpoint|arm|direction>``.

    :raises ReviewError: for an unknown finding or field, or a value not among the choices.
    """
    ids = {f["id"] for f in data.get("findings", [])}
    allowed = {"status": set(DECISIONS), "endpoint": {e for e, _ in choices.endpoints},
               "arm": {a for a, _ in choices.arms}, "direction": set(choices.directions)}
    decisions: dict[str, Decision] = {}
    for key, value in form.items():
        if not key.startswith(_PREFIX):
            continue
        finding, _, name = key[len(_PREFIX):].rpartition(".")
        if finding not in ids:
            raise ReviewError(key, f"the draft has no finding {finding!r}")
        if name not in _FIELDS:
            raise ReviewError(key, f"a review sets {', '.join(_FIELDS)}, not {name!r}")
        value = value.strip()
        if value == "" and name != "status":
            continue  # left as drafted
        if value not in allowed[name]:
            raise ReviewError(key, f"{value!r} is not one of the choices ({', '.join(sorted(allowed[name]))})")
        setattr(decisions.setdefault(finding, Decision()), name, value)
    return decisions


def apply_review(data: dict[str, Any], decisions: dict[str, Decision]) -> dict[str, Any]:
    """A copy of the draft with the decisions applied (the draft itself is left as it was)."""
    out = copy.deepcopy(data)
    kept = []
    rejected = []
    for finding in out.get("findings", []):
        decision = decisions.get(finding["id"])
        if decision is None:
            kept.append(finding)
            continue
        if decision.status == "reject":
            rejected.append(finding["id"])
            continue
        if decision.endpoint and finding["kind"] in _WITH_ENDPOINT:
            finding["endpoint"] = decision.endpoint
        if decision.arm and finding["kind"] != "comparison":
            finding.pop("regimen", None)
            finding["arm"] = decision.arm
        if decision.direction and finding["kind"] == "comparison":
            finding["direction"] = decision.direction
        if decision.status == "confirm":
            finding["status"] = "curated"
            finding.pop("confidence", None)
        kept.append(finding)
    out["findings"] = kept
    if rejected:
        note = out["source"].get("note", "")
        out["source"]["note"] = f"{note} Rejected on review: {', '.join(rejected)}.".strip()
    return out
