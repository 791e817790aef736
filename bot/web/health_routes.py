"""Liveness (`/healthz`) and readiness (`/readyz`) for monitoring and load balancers.

Liveness says the process answers; readiness says it can do its job now: an index is serving
and the database answers. A load balancer takes a worker that is not ready out of rotation
instead of sending citizens to it.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

router = APIRouter(tags=["health"])
HEALTH_EXAMPLE = {"status": "ok", "index_version": "20260712T083015123456Z", "zalo_outbox": 0}
READY_EXAMPLE = {"status": "ready", "index_version": "20260712T083015123456Z", "database": "ok"}
NOT_READY_EXAMPLE = {"status": "not_ready", "index_version": None, "database": "unreachable"}


@router.get("/healthz", responses={200: {"content": {"application/json": {"example": HEALTH_EXAMPLE}}}})
def healthz(request: Request) -> dict[str, str | int | None]:
    """Liveness for monitoring: the serving index version and, with Zalo on, its unsent replies."""
    state = request.app.state
    health: dict[str, str | int | None] = {"status": "ok", "index_version": state.runtime.live.version}
    if state.zalo is not None:  # replies Zalo has not taken yet: staff should know
        health["zalo_outbox"] = state.zalo.outbox.count()
    return health


@router.get(
    "/readyz",
    responses={
        200: {"content": {"application/json": {"example": READY_EXAMPLE}}},
        503: {
            "description": "no index serving or the database unreachable",
            "content": {"application/json": {"example": NOT_READY_EXAMPLE}},
        },
    },
)
def readyz(request: Request) -> JSONResponse:
    """Readiness: 200 when an index is serving and the database answers, else 503 saying which."""
    runtime = request.app.state.runtime
    body: dict[str, Any] = {"index_version": runtime.live.version, "database": _database(runtime.engine)}
    ready = body["index_version"] is not None and body["database"] == "ok"
    body = {"status": "ready" if ready else "not_ready", **body}
    return JSONResponse(body, status_code=200 if ready else 503)


def _database(engine: Any) -> str:
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError:
        return "unreachable"
    return "ok"
