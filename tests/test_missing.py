"""A machine without PostgreSQL, Chromium or ../shared: the skipped tests are named in a closing
banner, also when pytest-xdist runs them in worker processes, and under CI they fail."""

import pytest

RUN_ON_A_MACHINE_WITHOUT_THEM = """
from tests.missing import skip_or_fail

def test_needs_postgres():
    skip_or_fail("PostgreSQL tests", "PostgreSQL not reachable at 127.0.0.1:1")

def test_needs_postgres_too():
    skip_or_fail("PostgreSQL tests", "PostgreSQL not reachable at 127.0.0.1:1")

def test_needs_chromium():
    skip_or_fail("Browser tests", "Chromium not found at /nope")

def test_needs_nothing():
    pass
"""
SUMMARY = """
from tests.missing import report

def pytest_terminal_summary(terminalreporter):
    report(terminalreporter)
"""


@pytest.mark.parametrize("workers", [[], ["-n", "2"]], ids=["one-process", "xdist"])
def test_each_missing_thing_gets_one_banner_with_its_reason(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, workers: list[str]
) -> None:
    monkeypatch.delenv("CI", raising=False)
    pytester.makeconftest(SUMMARY)
    pytester.makepyfile(test_machine=RUN_ON_A_MACHINE_WITHOUT_THEM)
    result = pytester.runpytest_subprocess(*workers)
    result.assert_outcomes(passed=1, skipped=3)
    output = result.stdout.str()
    assert output.count("PostgreSQL tests were SKIPPED") == 1
    assert output.count("Browser tests were SKIPPED") == 1
    result.stdout.fnmatch_lines(
        ["*PostgreSQL tests were SKIPPED*", "PostgreSQL not reachable at 127.0.0.1:1"], consecutive=True
    )
    result.stdout.fnmatch_lines(
        ["*Browser tests were SKIPPED*", "Chromium not found at /nope"], consecutive=True
    )


def test_under_ci_a_missing_thing_fails_the_test(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CI", "true")
    pytester.makeconftest(SUMMARY)
    pytester.makepyfile(test_machine=RUN_ON_A_MACHINE_WITHOUT_THEM)
    result = pytester.runpytest_subprocess()
    result.assert_outcomes(passed=1, failed=3)
    result.stdout.fnmatch_lines(["*Chromium not found at /nope; CI requires it*"])
    result.stdout.no_fnmatch_line("*! * were SKIPPED !*")
