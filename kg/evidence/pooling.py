"""Inverse-variance pooling of log ratios: the project's own computation, to check exports against R.

:func:`pool` gives the fixed-effect estimate (weights 1/se²) or the DerSimonian–Laird random-effects
estimate (weights 1/(se² + τ²), τ² from Cochran's Q), the same methods as ``metafor::rma(method = "FE")``
and ``method = "DL"``, on the log scale.

>>> round(pool([0.0, 1.0], [1.0, 1.0]).estimate, 6)
0.5
>>> round(pool([-0.94, -0.48], [0.16, 0.04], "DL").tau2, 4)
0.0922
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

__all__ = ["Pooled", "pool"]


@dataclass(frozen=True)
class Pooled:
    """A pooled log ratio with its standard error, between-study variance and Cochran's Q."""

    estimate: float
    se: float
    tau2: float
    q: float


def pool(te: Sequence[float], se: Sequence[float], method: Literal["FE", "DL"] = "FE") -> Pooled:
    """Pool log ratios ``te`` with standard errors ``se``.

    :raises ValueError: for no rows, rows of unequal length or a standard error that is not positive.
    """
    if not te or len(te) != len(se):
        raise ValueError("pool needs one standard error per estimate, and at least one estimate")
    if any(s <= 0 for s in se):
        raise ValueError("every standard error must be positive")
    w = [1 / s**2 for s in se]
    fixed = sum(wi * yi for wi, yi in zip(w, te, strict=True)) / sum(w)
    q = sum(wi * (yi - fixed) ** 2 for wi, yi in zip(w, te, strict=True))
    tau2 = 0.0
    if method == "DL" and len(te) > 1:
        c = sum(w) - sum(wi**2 for wi in w) / sum(w)
        tau2 = max(0.0, (q - (len(te) - 1)) / c)
    weights = [1 / (s**2 + tau2) for s in se]
    estimate = sum(wi * yi for wi, yi in zip(weights, te, strict=True)) / sum(weights)
    return Pooled(estimate, math.sqrt(1 / sum(weights)), tau2, q)
