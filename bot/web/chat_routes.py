"""Public chat endpoints: translate HTTP to the core and back, nothing more.

`/api/widget/...` is the web chat widget's conversation (consent, feedback on one's own
replies, handoff), the same one the bots hold. `/api/chat` and `/api/feedback` are the older
direct calls, kept for scripts and integrations that use them (they ask for no consent and do
not check whose reply is rated, so the widget does not use them).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request

from bot.web.chat_widget_routes import router as widget_router
from bot.web.schemas import (
    ChatRequest,
    ChatResponse,
    FeedbackRequest,
    FeedbackResponse,
    SuggestionOut,
)
from core.answering import AnswerService
from core.interaction_log import UnknownInteractionError
from core.messages import IncomingMessage
from core.spool import SpoolError

router = APIRouter(prefix="/api", tags=["chat"])
router.include_router(widget_router)  # /api/widget/...
THANKS_FOR_FEEDBACK = "Cảm ơn bạn đã đánh giá! Ý kiến của bạn giúp chúng tôi cải thiện câu trả lời."
FEEDBACK_NOT_KEPT = "Hệ thống tạm thời chưa lưu được đánh giá của bạn. Mong bạn thử lại sau ít phút."


def get_service(request: Request) -> AnswerService:
    service: AnswerService = request.app.state.runtime.service
    return service


Service = Annotated[AnswerService, Depends(get_service)]


@router.post("/chat", response_model=ChatResponse)
def chat(body: ChatRequest, service: Service) -> ChatResponse:
    """Answer a question directly: an entry's answer, suggestions to pick from, or where to ask.
    No privacy notice is shown here: a citizen-facing page uses `/api/widget/message`."""
    limit = service.settings.max_message_chars
    if len(body.message) > limit:
        raise HTTPException(
            status_code=422,
            detail=[
                {
                    "loc": ["body", "message"],
                    "msg": f"at most {limit} characters",
                    "type": "too_long",
                }
            ],
        )
    reply = service.handle(IncomingMessage(channel="web", user_id=body.session_id, text=body.message))
    return ChatResponse(
        interaction_id=reply.interaction_id,
        decision=str(reply.decision),
        text=reply.text,
        entry_id=reply.entry_id,
        question=reply.question,
        legal_basis=list(reply.legal_basis),
        links=list(reply.links),
        suggestions=[SuggestionOut(entry_id=s.entry_id, question=s.question) for s in reply.suggestions],
        latency_ms=round(reply.latency_ms, 2),
    )


@router.post("/feedback", response_model=FeedbackResponse, status_code=201)
def feedback(body: FeedbackRequest, service: Service) -> FeedbackResponse:
    """Record a 👍 or 👎 (with an optional reason and comment) on a reply of `/api/chat`.
    The widget rates through `/api/widget/action`, which checks the reply is the session's own."""
    try:
        stored = service.log.record_feedback(body.interaction_id, body.helpful, body.reason, body.comment)
    except UnknownInteractionError as exc:
        raise HTTPException(
            status_code=404,
            detail=[
                {
                    "loc": ["body", "interaction_id"],
                    "msg": "unknown interaction",
                    "type": "not_found",
                }
            ],
        ) from exc
    except SpoolError as exc:  # the database is down and so is the disk: nothing was kept
        raise HTTPException(status_code=503, detail=FEEDBACK_NOT_KEPT) from exc
    return FeedbackResponse(id=stored.id, message=THANKS_FOR_FEEDBACK)
