"""The data beside the project (`../shared`): the national catalog and the external eval sets.

Tests and benchmarks read it in place; it is never copied into the project. A test that needs it
carries the `shared` mark. Without `../shared` those tests are skipped and the run says so; under
CI (CI=true), which always clones beside it, a missing `../shared` fails them instead.
"""

from __future__ import annotations

from benchmarks.shared_data import CATALOG
from tests.missing import skip_or_fail

SHARED_CATALOG = CATALOG  # the one path, defined with the benchmarks


def require_shared() -> None:
    if SHARED_CATALOG.is_file():
        return
    skip_or_fail(
        "Tests needing ../shared", f"{SHARED_CATALOG} not found (the national catalog beside the project)"
    )
