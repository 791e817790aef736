"""Inline keyboards: feedback, reasons, suggestions, categories, handoff, consent, erasure."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.telegram import callbacks as cb
from core import replies
from core.browse import CategoryItem, Page, QuestionItem
from core.interaction_log import FEEDBACK_REASONS

T = TypeVar("T")
BUTTON_CHARS = 60  # longer labels are cut: Telegram shows about this much on a phone
CHOSEN = "✅ "


def _button(label: str, action: cb.Action) -> InlineKeyboardButton:
    text = label if len(label) <= BUTTON_CHARS else label[: BUTTON_CHARS - 1] + "…"
    return InlineKeyboardButton(text, callback_data=cb.encode(action))


def _mark(label: str, chosen: bool) -> str:
    return CHOSEN + label if chosen else label


def link_rows(links: Sequence[str]) -> list[list[InlineKeyboardButton]]:
    return [[InlineKeyboardButton(replies.PORTAL_BUTTON, url=url)] for url in links[:1]]


def feedback(
    interaction_id: str,
    links: Sequence[str] = (),
    helpful: bool | None = None,
    reason: str | None = None,
) -> InlineKeyboardMarkup:
    """👍/👎 under an answer; after 👎 a row of reasons; the choice made is ticked."""
    rows = link_rows(links)
    rows.append(
        [
            _button(_mark(replies.HELPFUL_BUTTON, helpful is True), cb.Feedback(interaction_id, True)),
            _button(_mark(replies.NOT_HELPFUL_BUTTON, helpful is False), cb.Feedback(interaction_id, False)),
        ]
    )
    if helpful is False:
        labels = [(r, _mark(replies.REASON_LABELS[r], r == reason)) for r in FEEDBACK_REASONS]
        rows.append([_button(label, cb.Reason(interaction_id, r)) for r, label in labels[:2]])
        rows.append([_button(label, cb.Reason(interaction_id, r)) for r, label in labels[2:]])
    return InlineKeyboardMarkup(rows)


def suggestions(refs_and_questions: Sequence[tuple[str, str]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[_button(q, cb.Choose(ref))] for ref, q in refs_and_questions])


def handoff(interaction_id: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[_button(replies.HANDOFF_BUTTON, cb.Handoff(interaction_id))]])


def handed_off() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(CHOSEN + "Đã chuyển cho cán bộ", callback_data=cb.NOOP)]]
    )


def consent() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[_button(replies.CONSENT_BUTTON, cb.Consent())]])


def erase() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[_button(replies.ERASE_YES, cb.Erase(True)), _button(replies.ERASE_NO, cb.Erase(False))]]
    )


def _pager(page: Page[T], action: Callable[[int], cb.Action]) -> list[InlineKeyboardButton]:
    row = []
    if page.has_previous:
        row.append(_button(replies.PREVIOUS_BUTTON, action(page.page - 1)))
    if page.has_next:
        row.append(_button(replies.NEXT_BUTTON, action(page.page + 1)))
    return row


def categories(page: Page[CategoryItem]) -> InlineKeyboardMarkup:
    rows = [[_button(f"{c.name} ({c.count})", cb.Questions(c.ref, 0))] for c in page.items]
    pager = _pager(page, cb.Categories)
    return InlineKeyboardMarkup([*rows, pager] if pager else rows)


def questions(category_ref: str, page: Page[QuestionItem]) -> InlineKeyboardMarkup:
    rows = [[_button(q.question, cb.Choose(q.ref))] for q in page.items]
    pager = _pager(page, lambda p: cb.Questions(category_ref, p))
    if pager:
        rows.append(pager)
    rows.append([_button(replies.BACK_BUTTON, cb.Categories(0))])
    return InlineKeyboardMarkup(rows)
