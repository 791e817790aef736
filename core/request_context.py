"""The id of the request being handled, for every log line written while handling it.

A context variable: asyncio tasks and the worker threads FastAPI runs sync endpoints in copy
the context, so a line logged deep in the answering core still names its request.
"""

from __future__ import annotations

import logging
import re
import uuid
from contextvars import ContextVar

request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
# A proxy's id is kept when it looks like one (not free text that could forge log lines).
_ACCEPTED = re.compile(r"[A-Za-z0-9._-]{8,64}")


def new_request_id(offered: str | None = None) -> str:
    return offered if offered and _ACCEPTED.fullmatch(offered) else uuid.uuid4().hex


class RequestIdFilter(logging.Filter):
    """Adds ``record.request_id`` ("-" outside a request) for formatters to print."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get() or "-"
        return True
