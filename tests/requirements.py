"""What a test needs from the machine: one ``require`` for tools, packages and data that CI installs.

Locally a missing tool skips the part that needs it; when ``MMKG_REQUIRE_<NAME>=1`` is set (``.ci/run`` sets it for
each tool it installs, and for the seeds) the absence is a failure that says what is missing and where it comes from.
"""

from __future__ import annotations

import os

import pytest

__all__ = ["require", "required"]


def required(name: str) -> bool:
    """Whether the environment insists on ``name`` (``MMKG_REQUIRE_<NAME>=1``)."""
    return os.environ.get(f"MMKG_REQUIRE_{name.upper()}") == "1"


def require(name: str, present: bool, *, what: str, install: str) -> None:
    """Skip the calling test (or fixture) when ``present`` is false, or fail when ``MMKG_REQUIRE_<NAME>=1``.

    ``what`` names the missing thing, ``install`` says how to get it; both go in the message.
    """
    if present:
        return
    variable = f"MMKG_REQUIRE_{name.upper()}"
    if required(name):
        pytest.fail(f"{what} is required ({variable}=1) but missing; {install}", pytrace=False)
    pytest.skip(f"{what} is not present ({install}); set {variable}=1 to make this a failure")
