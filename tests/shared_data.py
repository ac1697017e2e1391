"""Locate the reference data in ../shared/data (or $SYMFONIE_SHARED_DATA).

Outside CI a missing file skips the test with the reason; in CI (CI=true) it fails, never skips.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent


def shared_data_dir() -> Path:
    configured = os.environ.get("SYMFONIE_SHARED_DATA")
    if configured:
        return Path(configured)
    return REPO_ROOT.parent / "shared" / "data"


def shared_data_file(relative_path: str) -> Path:
    """Return the path of a reference file, or skip (fail in CI) when it is missing."""
    path = shared_data_dir() / relative_path
    if not path.exists():
        message = f"reference data file missing: {path}"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path
