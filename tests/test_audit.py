"""The dependency audit step judges pip-audit's report: findings fail, nothing audited is said."""

import pytest

from tests.audit import _judge

SKIPPED = {"name": "aiolimiter", "skip_reason": "Dependency not found on PyPI and could not be audited"}
CLEAN = {"name": "httpx", "version": "0.28.1", "vulns": []}
VULNERABLE = {
    "name": "jinja2",
    "version": "3.1.2",
    "vulns": [{"id": "GHSA-h5c8-rqwp-cp95", "fix_versions": ["3.1.3"], "aliases": ["CVE-2024-22195"]}],
}


def test_a_known_vulnerability_fails_the_run(capsys: pytest.CaptureFixture[str]) -> None:
    assert _judge([CLEAN, VULNERABLE, SKIPPED]) == 1
    out = capsys.readouterr().out
    assert "VULNERABLE: jinja2 3.1.2: GHSA-h5c8-rqwp-cp95 (fixed in 3.1.3)" in out


def test_nothing_audited_is_said_not_reported_as_clean(capsys: pytest.CaptureFixture[str]) -> None:
    assert _judge([SKIPPED, SKIPPED]) == 0
    out = capsys.readouterr().out
    assert "SKIPPED" in out and "nothing was audited" in out and "none vulnerable" not in out


def test_a_partial_audit_says_how_much_was_checked(capsys: pytest.CaptureFixture[str]) -> None:
    assert _judge([CLEAN, SKIPPED]) == 0
    assert "1 of 2 packages audited, none vulnerable" in capsys.readouterr().out
