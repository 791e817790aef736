"""What a test does when this machine lacks something it needs (PostgreSQL, Chromium, ../shared).

Outside CI the test is skipped and the reason kept for the run's closing banner; CI must have
everything, so there the test fails instead.
"""

from __future__ import annotations

import os
from typing import NoReturn

import pytest


def skip_or_fail(reason: str, skipped: list[str]) -> NoReturn:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}; CI requires it")
    skipped.append(reason)
    pytest.skip(reason)
