"""POST /webhooks/zalo: size-capped, signature-checked, fresh events only; 200 at once."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Header, HTTPException, Request, Response

from bot.zalo.channel import ZaloChannel
from bot.zalo.events import EventError, parse_event

router = APIRouter(tags=["zalo"])


async def _body(request: Request, limit: int) -> bytes:
    """The raw body (the signature covers its exact bytes), refused past ``limit`` bytes
    without reading the rest."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise HTTPException(status_code=413, detail=f"body over {limit} bytes")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise HTTPException(status_code=413, detail=f"body over {limit} bytes")
    return bytes(body)


@router.post("/webhooks/zalo", status_code=200, include_in_schema=False)
async def zalo_webhook(
    request: Request,
    signature: Annotated[str | None, Header(alias="X-ZEvent-Signature")] = None,
) -> Response:
    channel: ZaloChannel | None = getattr(request.app.state, "zalo", None)
    if channel is None:
        raise HTTPException(status_code=404, detail="zalo webhook is not enabled")
    raw = await _body(request, channel.settings.zalo_webhook_max_bytes)
    if not signature:
        raise HTTPException(status_code=403, detail="X-ZEvent-Signature: header missing")
    try:
        event = parse_event(json.loads(raw))
    except EventError as exc:
        raise HTTPException(status_code=400, detail=str(exc)) from exc
    except (ValueError, RecursionError) as exc:  # not JSON, not UTF-8, or nested beyond reason
        raise HTTPException(status_code=400, detail="body: not a JSON document") from exc
    if not channel.signature_valid(signature, raw, event.timestamp):
        raise HTTPException(status_code=403, detail="X-ZEvent-Signature: does not match the body")
    if channel.is_stale(event):
        raise HTTPException(status_code=403, detail="timestamp: outside the accepted window")
    channel.accept(event)
    return Response(status_code=200)
