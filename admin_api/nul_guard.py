"""NUL characters are valid JSON and URL text but no PostgreSQL text value can hold one: a
request carrying one is refused with 422 naming where it is, before any route stores it."""

from __future__ import annotations

import json
from typing import Any

from fastapi import HTTPException, Request, status


def _find_nul(value: Any, where: list[str | int]) -> list[str | int] | None:
    if isinstance(value, str):
        return where if "\x00" in value else None
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        if isinstance(key, str) and "\x00" in key:
            return [*where, key]
        found = _find_nul(item, [*where, key])
        if found is not None:
            return found
    return None


def _refuse(loc: list[str | int]) -> HTTPException:
    detail = [{"loc": loc, "msg": "NUL characters are not accepted", "type": "value_error"}]
    return HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail)


async def refuse_nul(request: Request) -> None:
    for source, values in (("path", request.path_params), ("query", request.query_params)):
        for name, value in values.items():
            if "\x00" in name or "\x00" in str(value):
                raise _refuse([source, name])
    if request.headers.get("content-type", "").startswith("application/json"):
        try:
            body = json.loads(await request.body() or b"null")
        except ValueError:
            return  # malformed JSON: the route's own validation names it
        found = _find_nul(body, ["body"])
        if found is not None:
            raise _refuse(found)
