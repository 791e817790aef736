"""The data beside the project (`../shared`): the national procedure catalog and the external
eval sets. Benchmarks and tests read it in place; it is never copied into the project."""

from __future__ import annotations

from pathlib import Path

SHARED = Path(__file__).resolve().parents[2] / "shared"
CATALOG = SHARED / "data" / "tthc_catalog.jsonl"
EVAL = SHARED / "eval"
