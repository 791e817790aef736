"""Tests that share a node id stop the run, in one process and under pytest-xdist (whose workers
would otherwise run one of them and drop the rest without a word)."""

import pytest

TWO_OPERATIONS_ONE_NODE_ID = """
import schemathesis

OK = {"responses": {"200": {"description": "ok"}}}
SCHEMA = schemathesis.openapi.from_dict(
    {
        "openapi": "3.0.2",
        "info": {"title": "t", "version": "1"},
        "paths": {"/a": {"get": OK}, "/b": {"get": OK}},
    }
)


@SCHEMA.parametrize()
def test_operation(case):
    pass
"""


@pytest.mark.parametrize("workers", [[], ["-n", "2"]], ids=["one-process", "xdist"])
def test_a_shared_node_id_stops_the_run(pytester: pytest.Pytester, workers: list[str]) -> None:
    pytester.makepyfile(test_operations=TWO_OPERATIONS_ONE_NODE_ID)
    result = pytester.runpytest_subprocess("-p", "tests.node_ids", *workers)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stdout.fnmatch_lines(
        ["*1 node ids name more than one test, e.g. test_operations.py::test_operation*"]
    )
    result.assert_outcomes()  # nothing ran


def test_distinct_node_ids_run(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_two="def test_one():\n    pass\n\n\ndef test_two():\n    pass\n")
    result = pytester.runpytest_subprocess("-p", "tests.node_ids", "-n", "2")
    result.assert_outcomes(passed=2)
