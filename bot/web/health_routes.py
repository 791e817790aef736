"""Liveness (`/healthz`) and readiness (`/readyz`) for monitoring and load balancers.

Liveness says the process answers; readiness says it can do its job now. A worker whose index
serves is ready even while the database is unreachable: it still answers, and the questions and
ratings it cannot store wait in its spool (core/spool.py). Both endpoints then say "degraded",
with the database state and the number of records waiting, so monitoring sees the outage while
citizens do not. Only a worker with no index to answer from is not ready (503), and a load
balancer takes it out of rotation.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

router = APIRouter(tags=["health"])
HEALTH_EXAMPLE = {
    "status": "ok",
    "index_version": "20260712T083015123456Z",
    "database": "ok",
    "spooled": 0,
    "zalo_outbox": 0,
}
DEGRADED_EXAMPLE = {
    "status": "degraded",
    "index_version": "20260712T083015123456Z",
    "database": "unreachable",
    "spooled": 12,
}
NOT_READY_EXAMPLE = {"status": "not_ready", "index_version": None, "database": "ok", "spooled": 0}


def _examples(*bodies: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {str(body["status"]): {"value": body} for body in bodies}


@router.get(
    "/healthz",
    responses={
        200: {"content": {"application/json": {"examples": _examples(HEALTH_EXAMPLE, DEGRADED_EXAMPLE)}}}
    },
)
def healthz(request: Request) -> dict[str, Any]:
    """Liveness for monitoring: always 200 while the process runs; "degraded" while the database
    is unreachable or records wait in the spool. With Zalo on, its unsent replies too."""
    state = request.app.state
    health = _state(state.runtime)
    health["status"] = "ok" if health["database"] == "ok" and not health["spooled"] else "degraded"
    if state.zalo is not None and health["database"] == "ok":  # replies Zalo has not taken yet
        health["zalo_outbox"] = state.zalo.outbox.count()
    return health


@router.get(
    "/readyz",
    responses={
        200: {"content": {"application/json": {"examples": _examples(HEALTH_EXAMPLE, DEGRADED_EXAMPLE)}}},
        503: {
            "description": "no index serving: this worker cannot answer",
            "content": {"application/json": {"example": NOT_READY_EXAMPLE}},
        },
    },
)
def readyz(request: Request) -> JSONResponse:
    """Readiness: 200 when an index is serving ("ready", or "degraded" while the database is
    unreachable and records are spooled); 503 when there is no index to answer from."""
    body = _state(request.app.state.runtime)
    if body["index_version"] is None:
        status, code = "not_ready", 503
    else:
        status, code = ("ready" if body["database"] == "ok" else "degraded"), 200
    return JSONResponse({"status": status, **body}, status_code=code)


def _state(runtime: Any) -> dict[str, Any]:
    spool = runtime.service.log.spool
    return {
        "index_version": runtime.live.version,
        "database": _database(runtime.engine),
        "spooled": spool.pending() if spool is not None else 0,
    }


def _database(engine: Any) -> str:
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError:
        return "unreachable"
    return "ok"
