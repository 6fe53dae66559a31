"""Fixtures shared by the whole test tree: where `../shared` is, and Hypothesis profiles.

Tests that read `../shared` (the OCPI digest and the official examples) skip with a clear message
where it is absent, as in a user's fresh clone; with PLUGFEST_REQUIRE_SHARED=1 (set by .ci/run)
its absence is an error instead.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

REPO_ROOT = Path(__file__).resolve().parent.parent
pytest_plugins = ["pytester"]

import conformance.profiles  # noqa: E402,F401 - registers dev, ci and thorough

settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


def _shared_dir() -> Path:
    configured = os.environ.get("PLUGFEST_SHARED_DIR")
    return Path(configured) if configured else REPO_ROOT.parent / "shared"


def _require(flag: str) -> bool:
    return os.environ.get(flag, "").lower() in {"1", "true", "yes"}


@pytest.fixture(scope="session")
def ocpi_shared() -> Path:
    """`../shared/ocpi-2.2.1`: DIGEST.md, fields.json and the official examples."""
    path = _shared_dir() / "ocpi-2.2.1"
    if not (path / "fields.json").is_file():
        message = (
            f"{path} not found: the OCPI digest and official examples live beside the clone "
            "(set PLUGFEST_SHARED_DIR to point elsewhere)"
        )
        if _require("PLUGFEST_REQUIRE_SHARED"):
            pytest.fail(message + "; PLUGFEST_REQUIRE_SHARED is set, so this is an error")
        pytest.skip(message)
    return path
