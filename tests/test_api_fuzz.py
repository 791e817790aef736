"""A bounded property-based run (schemathesis) of every route in the OpenAPI schema against the
real app on PostgreSQL, signed in as an admin: whatever the schema allows, no 5xx.

One pytest parameter per operation, each drawing valid and invalid requests from schemathesis's
strategies. `schema.parametrize()` would be shorter, but it gives every operation's test the same
node id, and pytest-xdist, which schedules by node id, then runs one of them instead of all."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.core.result import Err
from schemathesis.schemas import APIOperation

from admin_api.roles import Role
from bot.web.app import create_app
from core.settings import Settings
from tests.conftest import temporary_postgres
from tests.staff_api import Admin, staff_api

SCHEMA = schemathesis.openapi.from_dict(create_app(Settings(_env_file=None)).openapi())  # type: ignore[call-arg]


def operations() -> list[APIOperation]:
    """Every operation in the schema; one schemathesis cannot read fails the collection."""
    found = []
    for result in SCHEMA.get_all_operations():
        if isinstance(result, Err):
            raise result.err()
        found.append(result.ok())
    return found


OPERATIONS = operations()


@pytest.fixture(scope="module")
def running(
    tmp_path_factory: pytest.TempPathFactory,
    encoder: Any,
    chat_index: Any,
    chat_entries: Any,
    postgres_server: str,
) -> Iterator[Admin]:
    """One app and one database for the whole run (a server per generated case would be slow)."""
    folder = tmp_path_factory.mktemp("fuzz")
    with temporary_postgres(postgres_server) as url:
        s = Settings(_env_file=None, environment="test", data_dir=folder, database_url=url)  # type: ignore[call-arg]
        with staff_api(s, encoder, chat_index, chat_entries) as admin:
            yield admin


def requests(operation: APIOperation) -> st.SearchStrategy[schemathesis.Case]:
    return st.one_of(*(operation.as_strategy(mode) for mode in GenerationMode))


@pytest.mark.parametrize("operation", OPERATIONS, ids=[o.label for o in OPERATIONS])
@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(data=st.data())
def test_no_input_makes_a_server_error(operation: APIOperation, data: st.DataObject, running: Admin) -> None:
    case = data.draw(requests(operation))
    headers = {"Authorization": f"Bearer {running.tokens[Role.ADMIN]}"}
    response = case.call(base_url=running.base, headers=headers, timeout=60)
    assert response.status_code < 500, (case.method, case.path, response.status_code, response.text[:300])
