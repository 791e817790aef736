"""Core button rows as Telegram inline keyboards."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from core import actions
from core.conversation import Button, Rows

BUTTON_CHARS = 60  # longer labels are cut: Telegram shows about this much on a phone


def _button(button: Button) -> InlineKeyboardButton:
    label = button.label if len(button.label) <= BUTTON_CHARS else button.label[: BUTTON_CHARS - 1] + "…"
    if button.url is not None:
        return InlineKeyboardButton(label, url=button.url)
    data = actions.encode(button.action) if button.action is not None else actions.NOOP
    return InlineKeyboardButton(label, callback_data=data)


def markup(rows: Rows) -> InlineKeyboardMarkup | None:
    return InlineKeyboardMarkup([[_button(b) for b in row] for row in rows]) if rows else None
