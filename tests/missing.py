"""What a test does when this machine lacks something it needs (PostgreSQL, Chromium, ../shared).

Outside CI the test is skipped, and the run closes with one banner per missing thing; CI must have
everything, so there the test fails instead.

The banner is built from the skip reports, not from state kept where the skip happened: with
pytest-xdist the tests run in worker processes and only their reports reach the process that
prints the summary (tests/conftest.py calls `report` from its terminal summary).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any, NoReturn

import pytest

MARK = "[missing] "  # opens the reason of every skip made here, so the summary can find them
_SEP = " :: "  # between the banner's subject and the reason


def skip_or_fail(subject: str, reason: str) -> NoReturn:
    """Skip (or, under CI, fail) the current test; ``subject`` names the banner, e.g.
    "PostgreSQL tests" gives "PostgreSQL tests were SKIPPED"."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}; CI requires it")
    pytest.skip(f"{MARK}{subject}{_SEP}{reason}")


def missing(reports: Iterable[Any]) -> dict[str, str]:
    """The first reason given for each missing thing, by banner subject, from skipped reports."""
    found: dict[str, str] = {}
    for report in reports:
        longrepr = getattr(report, "longrepr", None)
        if not isinstance(longrepr, tuple) or len(longrepr) != 3:
            continue
        message = str(longrepr[2]).removeprefix("Skipped: ")
        if message.startswith(MARK) and _SEP in message:
            subject, reason = message.removeprefix(MARK).split(_SEP, 1)
            found.setdefault(subject, reason)
    return found


def report(terminalreporter: pytest.TerminalReporter) -> None:
    for subject, reason in missing(terminalreporter.stats.get("skipped", [])).items():
        terminalreporter.write_sep("!", f"{subject} were SKIPPED", red=True, bold=True)
        terminalreporter.write_line(reason)
