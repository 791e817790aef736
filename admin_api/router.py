"""All staff routes under /admin/api."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from admin_api.nul_guard import refuse_nul
from admin_api.routes import (
    audit_log,
    categories,
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
    transfer,
):
    router.include_router(module.router)
