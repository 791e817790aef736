"""POST /webhooks/telegram: verify the secret, answer 200 at once, process through the queue."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, HTTPException, Request, Response

router = APIRouter(tags=["telegram"])


@router.post("/webhooks/telegram", status_code=200, include_in_schema=False)
async def telegram_webhook(
    request: Request,
    secret: Annotated[str | None, Header(alias="X-Telegram-Bot-Api-Secret-Token")] = None,
) -> Response:
    channel = getattr(request.app.state, "telegram", None)
    if channel is None or not channel.webhook:
        raise HTTPException(status_code=404, detail="telegram webhook is not enabled")
    if not channel.secret_matches(secret):
        raise HTTPException(status_code=403, detail="invalid secret token")
    try:
        data: Any = await request.json()
    except ValueError as exc:
        raise HTTPException(status_code=400, detail="body must be a JSON Telegram update") from exc
    if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
        raise HTTPException(status_code=400, detail="update_id: an integer is required")
    await channel.enqueue(data)
    return Response(status_code=200)
