"""All staff routes under /admin/api."""

from __future__ import annotations

from fastapi import APIRouter

from admin_api.routes import audit_log, categories, entries, login, users

router = APIRouter(prefix="/admin/api")
for module in (login, users, entries, categories, audit_log):
    router.include_router(module.router)
