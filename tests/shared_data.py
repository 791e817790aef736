"""The data beside the project (`../shared`): the national catalog and the external eval sets.

Tests and benchmarks read it in place; it is never copied into the project. A test that needs it
carries the `shared` mark. Without `../shared` those tests are skipped and the run says so; under
CI (CI=true), which always clones beside it, a missing `../shared` fails them instead.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[2] / "shared"
SHARED_CATALOG = SHARED / "data" / "tthc_catalog.jsonl"
skipped_shared: list[str] = []


def require_shared() -> None:
    if SHARED_CATALOG.is_file():
        return
    reason = f"{SHARED_CATALOG} not found (the national catalog beside the project)"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}; CI requires it")
    skipped_shared.append(reason)
    pytest.skip(reason)
