"""Request and response bodies of the direct chat API (`/api/chat`, `/api/feedback`); the
widget's conversation API has its own, in bot/web/chat_schemas.py."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from core.interaction_log import MAX_COMMENT_CHARS

INTERACTION_ID_EXAMPLE = "5b1f0e9c2a7d4c38b6e4f1a09d3c7e25"
FeedbackReason = Literal["wrong_question", "missing_info", "hard_to_understand", "outdated", "other"]


class ChatRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"message": "lam lai cccd bi mat o dau", "session_id": "w7Kp2xQ9aLm4"}]
        },
    )

    message: str = Field(max_length=20_000, description="The citizen's question")
    session_id: str = Field(
        min_length=8,
        max_length=64,
        pattern=r"^[A-Za-z0-9_-]+$",
        description="Random id kept by the browser",
    )


class SuggestionOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "entry_id": "can-cuoc-le-phi-cap-lai",
                    "question": "Lệ phí cấp lại thẻ căn cước là bao nhiêu?",
                }
            ]
        }
    )

    entry_id: str = Field(description="The suggested entry")
    question: str = Field(description="Its question, to show")


class ChatResponse(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "interaction_id": INTERACTION_ID_EXAMPLE,
                    "decision": "answer",
                    "text": "Bạn nộp hồ sơ cấp lại thẻ căn cước tại Công an cấp xã nơi cư trú "
                    "hoặc trực tuyến trên Cổng Dịch vụ công quốc gia.",
                    "entry_id": "can-cuoc-cap-lai-khi-mat",
                    "question": "Làm lại thẻ căn cước bị mất ở đâu?",
                    "legal_basis": ["Luật Căn cước 2023, Điều 24"],
                    "links": ["https://dichvucong.gov.vn"],
                    "suggestions": [
                        {
                            "entry_id": "can-cuoc-le-phi-cap-lai",
                            "question": "Lệ phí cấp lại thẻ căn cước là bao nhiêu?",
                        }
                    ],
                    "latency_ms": 182.4,
                }
            ]
        }
    )

    interaction_id: str = Field(description="What feedback attaches to")
    decision: str = Field(description="answer, suggest, fallback, catalog, smalltalk or empty")
    text: str = Field(description="Plain text with line breaks: show it as text, never as markup")
    entry_id: str | None = Field(default=None, description="The answered entry")
    question: str | None = Field(default=None, description="The answered entry's question")
    legal_basis: list[str] = Field(default=[], description="Legal references of the answer")
    links: list[str] = Field(default=[], description="Official links of the answer")
    suggestions: list[SuggestionOut] = Field(
        default=[],
        description="Close questions, for suggest; for catalog, the other cases of the procedure",
    )
    latency_ms: float = Field(description="Time the core took")


class FeedbackRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "interaction_id": INTERACTION_ID_EXAMPLE,
                    "helpful": False,
                    "reason": "missing_info",
                    "comment": "Chưa nói rõ cần mang giấy tờ gì.",
                }
            ]
        },
    )

    interaction_id: str = Field(
        min_length=32, max_length=32, pattern=r"^[0-9a-f]{32}$", description="From the reply rated"
    )
    helpful: bool = Field(description="👍 (true) or 👎 (false)")
    reason: FeedbackReason | None = Field(default=None, description="Why not helpful")
    comment: str | None = Field(default=None, max_length=MAX_COMMENT_CHARS, description="Free text")


class FeedbackResponse(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 1024,
                    "message": "Cảm ơn bạn đã đánh giá! Ý kiến của bạn giúp chúng tôi cải thiện câu trả lời.",
                }
            ]
        }
    )

    id: int | None = Field(
        description="The stored feedback; null when the database was unreachable and the rating "
        "waits in the spool, to be stored when it answers again"
    )
    message: str = Field(description="Thanks, to show")
