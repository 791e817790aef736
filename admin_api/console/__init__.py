"""The staff console at /admin: static pages and scripts over the staff API."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
