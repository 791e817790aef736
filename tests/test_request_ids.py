"""Request ids: made or taken from the proxy, returned in the response, on every log line of the
request (also from the worker thread a sync endpoint runs in), in text or JSON log format."""

from __future__ import annotations

import json
import logging
import re
import subprocess
import sys
from collections.abc import Iterator

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from bot.web.request_ids import HEADER, RequestIds
from core.log_format import JsonFormatter
from core.request_context import RequestIdFilter
from tests.serving import serving

log = logging.getLogger("tests.request_ids")


def handled(request: Request) -> PlainTextResponse:  # sync: runs in a worker thread
    log.warning("handling %s", request.url.path)
    return PlainTextResponse("ok")


@pytest.fixture
def lines() -> Iterator[list[str]]:
    """What a JSON log handler, configured as `hoidap serve` configures it, writes."""
    written: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            written.append(self.format(record))

    handler = Keep()
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter())
    log.addHandler(handler)
    yield written
    log.removeHandler(handler)


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    app = RequestIds(Starlette(routes=[Route("/q", handled)]))
    with serving(app) as url:
        yield url


def test_each_request_gets_an_id_on_its_log_lines(base: str, lines: list[str]) -> None:
    first, second = httpx.get(f"{base}/q"), httpx.get(f"{base}/q")
    ids = [first.headers[HEADER], second.headers[HEADER]]
    assert all(re.fullmatch(r"[0-9a-f]{32}", i) for i in ids) and ids[0] != ids[1]
    records = [json.loads(line) for line in lines]
    assert [r["request_id"] for r in records] == ids
    assert records[0]["message"] == "handling /q" and records[0]["level"] == "WARNING"


def test_a_proxys_id_is_kept_only_when_it_looks_like_one(base: str, lines: list[str]) -> None:
    kept = httpx.get(f"{base}/q", headers={HEADER: "lb-7f3a9c21-0001"})
    assert kept.headers[HEADER] == "lb-7f3a9c21-0001"
    forged = httpx.get(f"{base}/q", headers={HEADER: "x] ERROR forged line"})
    assert re.fullmatch(r"[0-9a-f]{32}", forged.headers[HEADER])
    assert [json.loads(line)["request_id"] for line in lines] == ["lb-7f3a9c21-0001", forged.headers[HEADER]]


def test_lines_outside_a_request_say_so() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "started", None, None)
    RequestIdFilter().filter(record)
    assert json.loads(JsonFormatter().format(record))["request_id"] == "-"


def test_serve_logging_config_in_both_formats() -> None:
    """Applied in a fresh interpreter, as `hoidap serve` applies it (not in this test process)."""
    script = (
        "import logging, logging.config; from core.log_format import logging_config; import sys; "
        "logging.config.dictConfig(logging_config(sys.argv[1])); "
        "logging.getLogger('uvicorn.error').info('Application startup complete.')"
    )
    outputs = {
        fmt: subprocess.run(
            [sys.executable, "-c", script, fmt], capture_output=True, text=True, check=True
        ).stderr
        for fmt in ("text", "json")
    }
    line = json.loads(outputs["json"])
    assert (line["logger"], line["request_id"], line["message"]) == (
        "uvicorn.error",
        "-",
        "Application startup complete.",
    )
    assert re.search(r" INFO uvicorn\.error \[-\] Application startup complete\.$", outputs["text"].strip())
