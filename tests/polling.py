"""Waiting for something another thread or process does: one loop instead of one per test."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def until(ready: Callable[[], T], seconds: float, every: float = 0.05) -> T:
    """Call ``ready`` until it returns a true value or ``seconds`` have passed.

    Returns its last value, false on a timeout, so that the caller's own assertion says what was
    missing (a bare timeout error would not).
    """
    deadline = time.monotonic() + seconds
    while not (value := ready()) and time.monotonic() < deadline:
        time.sleep(every)
    return value
