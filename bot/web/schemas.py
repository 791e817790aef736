"""Request and response bodies of the public chat API."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from core.interaction_log import MAX_COMMENT_CHARS

FeedbackReason = Literal["wrong_question", "missing_info", "hard_to_understand", "outdated", "other"]


class ChatRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    message: str = Field(max_length=20_000, description="The citizen's question")
    session_id: str = Field(
        min_length=8,
        max_length=64,
        pattern=r"^[A-Za-z0-9_-]+$",
        description="Random id kept by the browser",
    )


class SuggestionOut(BaseModel):
    entry_id: str
    question: str


class ChatResponse(BaseModel):
    interaction_id: str
    decision: str
    text: str
    entry_id: str | None = None
    question: str | None = None
    legal_basis: list[str] = []
    links: list[str] = []
    suggestions: list[SuggestionOut] = []
    latency_ms: float


class FeedbackRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    interaction_id: str = Field(min_length=32, max_length=32, pattern=r"^[0-9a-f]{32}$")
    helpful: bool
    reason: FeedbackReason | None = None
    comment: str | None = Field(default=None, max_length=MAX_COMMENT_CHARS)


class FeedbackResponse(BaseModel):
    id: int
    message: str
