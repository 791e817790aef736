"""Markdown pieces shared by the benchmark report's sections."""

from __future__ import annotations


def row(cells: list[object]) -> str:
    """One table row."""
    return "| " + " | ".join(str(c) for c in cells) + " |"
