"""A pytest plugin that stops a run whose tests share a node id (tests/conftest.py loads it).

pytest-xdist schedules tests by node id: of tests that share one it runs only one, and says
nothing. schemathesis's `schema.parametrize()` made 47 such tests once (tests/test_api_fuzz.py).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

import pytest


def _refuse_shared_node_ids(ids: Iterable[str]) -> None:
    shared = [nodeid for nodeid, n in Counter(ids).items() if n > 1]
    if shared:
        message = f"{len(shared)} node ids name more than one test, e.g. {shared[0]}"
        pytest.exit(message, returncode=pytest.ExitCode.USAGE_ERROR)


def pytest_collection_finish(session: pytest.Session) -> None:
    if not hasattr(session.config, "workerinput"):  # an xdist worker's; the controller checks, below
        _refuse_shared_node_ids(item.nodeid for item in session.items)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_node_collection_finished(node: object, ids: Sequence[str]) -> None:
    _refuse_shared_node_ids(ids)
