"""All staff routes under /admin/api."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from admin_api.nul_guard import refuse_nul
from admin_api.routes import (
    audit_log,
    categories,
    charts,
    entries,
    login,
    logs,
    publishing,
    stats,
    suggestions,
    transfer,
    unanswered,
    users,
)
from core.faq_versions import StaleVersionError

router = APIRouter(prefix="/admin/api", dependencies=[Depends(refuse_nul)])
for module in (
    login,
    users,
    entries,
    publishing,
    unanswered,
    suggestions,
    categories,
    audit_log,
    logs,
    stats,
    charts,
    transfer,
):
    router.include_router(module.router)


def concurrent_change(request: Request, exc: Exception) -> JSONResponse:
    """Two staff saves based on the same version, at the same moment: the save's compare-and-set
    (or, failing that, the unique version number) lets one through and stops the other here,
    which gets 409 like any stale update, not a 500."""
    if not request.url.path.startswith(router.prefix):
        raise exc
    detail: dict[str, object] = {"message": "conflicts with a change saved at the same moment; reload"}
    if isinstance(exc, StaleVersionError):  # an entry's version; other races have no field to name
        detail.update(field="base_version", current_version=exc.current)
    return JSONResponse({"detail": detail}, status_code=409)
