"""The web chat widget's API: HTTP in, the shared conversation, messages and buttons out.

Every endpoint takes the widget's ``session_id`` (the citizen's id on the "web" channel) and
answers a ``WidgetReply``. Refusals keep FastAPI's error shape, ``{"detail": [{loc, msg,
type}]}``, naming the field at fault; for 404 and 429 ``msg`` is the polite Vietnamese
sentence the widget shows as it is.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request

from bot.web.chat_schemas import (
    ActionRequest,
    ButtonOut,
    CommandRequest,
    CommentRequest,
    MessageOut,
    MessageRequest,
    Rows,
    WidgetReply,
)
from bot.web.web_conversation import (
    NotYours,
    RateLimited,
    Refused,
    Turn,
    WebConversation,
    WebOutgoing,
    web_conversation,
)
from core import actions
from core import conversation as talk
from core.conversation import Outgoing

router = APIRouter(prefix="/widget", tags=["chat widget"])


def _error(description: str, loc: str, msg: str, kind: str) -> dict[str, Any]:
    example = {"detail": [{"loc": ["body", loc], "msg": msg, "type": kind}]}
    return {"description": description, "content": {"application/json": {"example": example}}}


NOT_FOUND = _error(
    "The reply named is unknown or belongs to another session",
    "action",
    "Câu trả lời này không còn nhận đánh giá.",
    "not_found",
)
RATE_LIMITED = {
    **_error("Too many questions from this session", "session_id", "Bạn đang gửi hơi nhanh…", "rate_limited"),
    "headers": {"Retry-After": {"description": "Seconds to wait", "schema": {"type": "integer"}}},
}


def _conversation(request: Request) -> WebConversation:
    return web_conversation(request.app)


Talk = Annotated[WebConversation, Depends(_conversation)]


def _button(button: talk.Button) -> ButtonOut:
    data = actions.encode(button.action) if button.action is not None else None
    if not isinstance(button.action, actions.Feedback | actions.Reason):
        return ButtonOut(label=button.label, action=data, url=button.url)
    # Chat apps have no pressed state, so the core ticks the choice made with "✅ " in the
    # label; the widget has one (aria-pressed), so the tick becomes ``chosen``.
    chosen = button.label.startswith(talk.CHOSEN)
    return ButtonOut(label=button.label.removeprefix(talk.CHOSEN), action=data, chosen=chosen)


def _rows(rows: talk.Rows) -> Rows:
    return [[_button(b) for b in row] for row in rows if row]


def _message(out: Outgoing) -> MessageOut:
    comment_for = out.comment_for if isinstance(out, WebOutgoing) else None
    return MessageOut(text=out.text, title=out.title, rows=_rows(out.rows), comment_for=comment_for)


def _reply(turn: Turn) -> WidgetReply:
    update = _rows(turn.update) if turn.update is not None else None
    return WidgetReply(messages=[_message(m) for m in turn.messages], update=update, reset=turn.reset)


def _refusal(
    status: int, field: str, refused: Refused, headers: dict[str, str] | None = None
) -> HTTPException:
    kind = "rate_limited" if status == 429 else "not_found"
    detail = [{"loc": ["body", field], "msg": refused.text, "type": kind}]
    return HTTPException(status_code=status, detail=detail, headers=headers)


def _run(field: str, step: Callable[[], Turn]) -> WidgetReply:
    """Run one conversation step; a refusal becomes a 404 naming ``field``, or a 429."""
    try:
        return _reply(step())
    except NotYours as refused:
        raise _refusal(404, field, refused) from refused
    except RateLimited as refused:  # the limiter's window is a minute
        raise _refusal(429, "session_id", refused, {"Retry-After": "60"}) from refused


@router.post("/message", response_model=WidgetReply, responses={429: RATE_LIMITED})
def message(body: MessageRequest, conversation: Talk) -> WidgetReply:
    """A question typed in the widget: its answer, suggestions to choose from, or where to ask.
    Before the citizen has agreed to the privacy notice the question is held (not logged) and
    the notice comes back with a consent button; agreeing answers it."""
    return _run("message", lambda: conversation.message(body.session_id, body.message))


@router.post("/command", response_model=WidgetReply)
def command(body: CommandRequest, conversation: Talk) -> WidgetReply:
    """What the widget's own buttons ask for: the greeting (with the privacy notice until agreed),
    help, contact details, the questions by category, the privacy notice, erasure."""
    return _run("command", lambda: conversation.command(body.session_id, body.command))


@router.post(
    "/action",
    response_model=WidgetReply,
    responses={404: NOT_FOUND, 429: RATE_LIMITED, 422: {"description": "Action data this API did not make"}},
)
def action(body: ActionRequest, conversation: Talk) -> WidgetReply:
    """A tapped button: its `action` sent back. 👍/👎 and their reasons, a suggested question,
    forward to staff, consent, browsing and erasure; only on this session's own replies."""
    try:
        decoded = actions.decode(body.action)
    except actions.ActionDataError as exc:
        detail = [{"loc": ["body", "action"], "msg": "not an action this API made", "type": "value_error"}]
        raise HTTPException(status_code=422, detail=detail) from exc
    return _run("action", lambda: conversation.act(body.session_id, decoded))


@router.post("/comment", response_model=WidgetReply, responses={404: NOT_FOUND})
def comment(body: CommentRequest, conversation: Talk) -> WidgetReply:
    """A free-text comment on one of this session's replies (after a 👎 reason)."""
    return _run(
        "interaction_id", lambda: conversation.comment(body.session_id, body.interaction_id, body.comment)
    )
