"""Request and response bodies of the web chat widget's API (`/api/widget/...`).

A reply is what the bots send too: messages made of a text and rows of buttons. A button
carries opaque action data (``core.actions.encode``) that the widget posts back unchanged to
`/api/widget/action`, so what a tap means is decided in one place, the core.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from core.interaction_log import MAX_COMMENT_CHARS

SESSION_EXAMPLE = "w7Kp2xQ9aLm4Rt8vZc3nB6yD"
INTERACTION_EXAMPLE = "5b1f0e9c2a7d4c38b6e4f1a09d3c7e25"
# Control characters other than line breaks and tabs carry no meaning in a question, and
# PostgreSQL refuses NUL in text: dropped before anything is stored.
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _without_controls(text: str) -> str:
    return _CONTROLS.sub("", text)


SessionId = Annotated[
    str,
    Field(
        min_length=16,
        max_length=64,
        pattern=r"^[A-Za-z0-9_-]+$",
        description="Random id the browser generates once and keeps (16–64 of A–Z, a–z, 0–9, _ and -)",
        examples=[SESSION_EXAMPLE],
    ),
]
CleanText = Annotated[str, AfterValidator(_without_controls)]
Command = Literal["start", "help", "contact", "browse", "privacy", "erase"]


def _examples(*examples: dict[str, Any]) -> ConfigDict:
    return ConfigDict(extra="forbid", json_schema_extra={"examples": list(examples)})


class MessageRequest(BaseModel):
    model_config = _examples({"session_id": SESSION_EXAMPLE, "message": "lam lai cccd bi mat o dau"})

    session_id: SessionId
    message: CleanText = Field(
        min_length=1,
        max_length=20_000,
        description="The citizen's question; beyond the configured maximum only the start is read",
    )


class CommandRequest(BaseModel):
    model_config = _examples({"session_id": SESSION_EXAMPLE, "command": "privacy"})

    session_id: SessionId
    command: Command = Field(
        description="start: greeting (and privacy notice until agreed); help; contact; "
        "browse: questions by category; privacy: the privacy notice; erase: asks to confirm erasure"
    )


class ActionRequest(BaseModel):
    model_config = _examples({"session_id": SESSION_EXAMPLE, "action": f"fb:{INTERACTION_EXAMPLE}:d"})

    session_id: SessionId
    action: str = Field(
        min_length=1,
        max_length=64,
        pattern=r"^[A-Za-z0-9_:-]+$",
        description="The `action` of a button this API returned, sent back unchanged",
    )


class CommentRequest(BaseModel):
    model_config = _examples(
        {
            "session_id": SESSION_EXAMPLE,
            "interaction_id": INTERACTION_EXAMPLE,
            "comment": "Chưa nói rõ cần mang giấy tờ gì.",
        }
    )

    session_id: SessionId
    interaction_id: str = Field(
        min_length=32,
        max_length=32,
        pattern=r"^[0-9a-f]{32}$",
        description="The reply the comment is about (a message's `comment_for`)",
    )
    comment: CleanText = Field(min_length=1, max_length=MAX_COMMENT_CHARS, description="Free text")


class ButtonOut(BaseModel):
    label: str = Field(description="What the button says")
    action: str | None = Field(
        default=None, description="Data to post to /api/widget/action when tapped; null with a url"
    )
    url: str | None = Field(default=None, description="A link to open instead")
    chosen: bool | None = Field(
        default=None,
        description="For a choice (👍/👎, a reason): whether it is the one made (show it pressed); "
        "null for other buttons",
    )


Rows = list[list[ButtonOut]]


class MessageOut(BaseModel):
    text: str = Field(description="Plain text with line breaks: show it as text, never as markup")
    title: str | None = Field(default=None, description="A heading (the question answered)")
    rows: Rows = Field(default_factory=list, description="Rows of buttons under the text")
    comment_for: str | None = Field(
        default=None, description="When set, offer a comment box for this reply (POST /api/widget/comment)"
    )


FEEDBACK_EXAMPLE: dict[str, Any] = {
    "messages": [
        {
            "text": "Cảm ơn bạn. Câu trả lời chưa đúng ở điểm nào?",
            "title": None,
            "rows": [
                [
                    {"label": "Không đúng câu hỏi", "action": f"fr:{INTERACTION_EXAMPLE}:0", "chosen": False},
                    {"label": "Thiếu thông tin", "action": f"fr:{INTERACTION_EXAMPLE}:1", "chosen": False},
                ]
            ],
            "comment_for": None,
        }
    ],
    "update": [
        [
            {"label": "👍 Hữu ích", "action": f"fb:{INTERACTION_EXAMPLE}:u", "chosen": False},
            {"label": "👎 Chưa đúng", "action": f"fb:{INTERACTION_EXAMPLE}:d", "chosen": True},
        ]
    ],
    "reset": False,
}


class WidgetReply(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [FEEDBACK_EXAMPLE]})

    messages: list[MessageOut] = Field(description="New messages to append, in order")
    update: Rows | None = Field(
        default=None,
        description="After a tap: the new action buttons of the message that held the tapped button "
        "(its link rows stay); null to leave them",
    )
    reset: bool = Field(
        default=False, description="The citizen's data was erased: forget the stored transcript"
    )
