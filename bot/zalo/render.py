"""Core conversation output as Zalo OA messages, and button payloads back into actions.

Zalo cannot edit a sent message, so every step of a conversation is a new message; and an OA
may send a follower only a few free replies per interaction, so a text and its buttons travel
together in one "button" template whenever they fit.
"""

from __future__ import annotations

from typing import Any

from core import actions
from core.chunking import split_message
from core.conversation import Button, Outgoing

MAX_TEXT_CHARS = 2000  # reported limit of a text message; used for a template's text as well
MAX_BUTTONS = 5  # per template: a conservative reading of the OA documentation
MAX_TITLE_CHARS = 100
PAYLOAD_PREFIX = "#hd:"  # marks a tapped button's hidden message; citizens do not type this
MORE_BUTTONS = "Chọn tiếp:"

Message = dict[str, Any]


def payload(action: actions.Action) -> str:
    return PAYLOAD_PREFIX + actions.encode(action)


def is_payload(text: str) -> bool:
    return text.startswith(PAYLOAD_PREFIX)


def action_of(text: str) -> actions.Action:
    """The action a tapped button sent back; ``ActionDataError`` for anything else."""
    if not is_payload(text):
        raise actions.ActionDataError(text)
    return actions.decode(text[len(PAYLOAD_PREFIX) :])


def _button(button: Button) -> dict[str, Any] | None:
    title = (
        button.label if len(button.label) <= MAX_TITLE_CHARS else button.label[: MAX_TITLE_CHARS - 1] + "…"
    )
    if button.url is not None:
        return {"title": title, "type": "oa.open.url", "payload": {"url": button.url}}
    if button.action is None:
        return None  # a state-only label has no place in a message that cannot change
    return {"title": title, "type": "oa.query.hide", "payload": payload(button.action)}


def _template(text: str, buttons: list[dict[str, Any]]) -> Message:
    body = {"template_type": "button", "text": text, "buttons": buttons}
    return {"attachment": {"type": "template", "payload": body}}


def text_of(outgoing: Outgoing) -> str:
    return f"{outgoing.title}\n\n{outgoing.text}" if outgoing.title else outgoing.text


def _belongs_to_the_message(button: Button) -> bool:
    """The portal link and the 👍/👎 are about the message itself: they ride on it when the
    buttons need more than one template (a procedure card listing other cases)."""
    return button.url is not None or isinstance(button.action, actions.Feedback | actions.Reason)


def to_messages(outgoing: Outgoing) -> list[Message]:
    """Text chunks of at most 2,000 characters; the buttons ride on the last chunk, five to a
    template (more buttons continue in further templates)."""
    chunks = split_message(text_of(outgoing), MAX_TEXT_CHARS)
    ordered = sorted((x for row in outgoing.rows for x in row), key=lambda x: not _belongs_to_the_message(x))
    buttons = [b for b in map(_button, ordered) if b is not None]
    if not buttons:
        return [{"text": chunk} for chunk in chunks]
    messages: list[Message] = [{"text": chunk} for chunk in chunks[:-1]]
    groups = [buttons[i : i + MAX_BUTTONS] for i in range(0, len(buttons), MAX_BUTTONS)]
    messages.append(_template(chunks[-1], groups[0]))
    messages.extend(_template(MORE_BUTTONS, group) for group in groups[1:])
    return messages
