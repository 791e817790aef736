"""The chat conversation every channel holds with a citizen, without the rendering.

Telegram, Zalo and later channels share it: the same texts, the same consent rule, the same
feedback semantics, the same checks that a button belongs to the citizen who taps it. The
methods are blocking (database, model) and edges call them from worker threads; what to
show comes back as plain values — text plus rows of ``Button`` — for the edge to render.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from core import actions, replies
from core.browse import CategoryItem, FaqBrowser, Page, QuestionItem, short_ref
from core.catalog import case_of
from core.channel import ChannelServices
from core.db.models import ConversationState, Feedback, utcnow
from core.db.outage import UNREACHABLE
from core.db.statements import affected_rows
from core.erasure import ErasureReport, erase_user
from core.handoff import hand_off
from core.interaction_log import FEEDBACK_REASONS, UnknownInteractionError
from core.messages import Decision, IncomingMessage, Reply
from core.privacy import mask_personal_data

log = logging.getLogger(__name__)
CATALOG_TITLE = "Thông tin từ Cơ sở dữ liệu quốc gia về thủ tục hành chính"
CHOSEN = "✅ "

# How each channel asks for the same things: slash commands on Telegram, words on Zalo.
CHANNEL_WORDS: dict[str, dict[str, str]] = {
    "telegram": {
        "cmd_browse": "/linhvuc",
        "cmd_contact": "/lienhe",
        "cmd_erase": "/xoadulieu",
        "erase_how": "bằng lệnh /xoadulieu",
        "restart_how": "gõ /start",
        "comment_how": "bằng cách trả lời tin nhắn này",
    },
    "zalo": {
        "cmd_browse": "Nhắn \u201cdanh mục\u201d",
        "cmd_contact": "Nhắn \u201cliên hệ\u201d",
        "cmd_erase": "Nhắn \u201cxóa dữ liệu\u201d",
        "erase_how": "bằng cách nhắn \u201cxóa dữ liệu\u201d",
        "restart_how": "cứ nhắn câu hỏi",
        "comment_how": "bằng một tin nhắn bắt đầu bằng \u201cGóp ý:\u201d",
    },
    "web": {
        "cmd_browse": "Nút \u201cLĩnh vực\u201d",
        "cmd_contact": "Nút \u201cLiên hệ\u201d",
        "cmd_erase": "Nút \u201cXóa dữ liệu\u201d",
        "erase_how": "bằng nút \u201cXóa dữ liệu\u201d ở đầu khung chat",
        "restart_how": "cứ nhập câu hỏi",
        "comment_how": "vào ô ngay bên dưới",
    },
}


@dataclass(frozen=True)
class Button:
    """A button: it either performs an ``action`` or opens a ``url``; ``action=None`` and no
    url is a label that only shows a state (e.g. "✅ Đã chuyển cho cán bộ")."""

    label: str
    action: actions.Action | None = None
    url: str | None = None


Rows = list[list[Button]]


@dataclass(frozen=True)
class Outgoing:
    """One thing to show: a text and the buttons under it."""

    text: str
    rows: Rows = field(default_factory=list)
    title: str | None = None  # shown in bold where the channel can


# --- layouts ----------------------------------------------------------------------------------


def _mark(label: str, chosen: bool) -> str:
    return CHOSEN + label if chosen else label


def link_rows(links: Sequence[str]) -> Rows:
    return [[Button(replies.PORTAL_BUTTON, url=url)] for url in links[:1]]


def feedback_rows(
    interaction_id: str, links: Sequence[str] = (), helpful: bool | None = None, reason: str | None = None
) -> Rows:
    """👍/👎 under an answer; after 👎 the reasons; the choice made is ticked."""
    rows = link_rows(links)
    rows.append(
        [
            Button(_mark(replies.HELPFUL_BUTTON, helpful is True), actions.Feedback(interaction_id, True)),
            Button(
                _mark(replies.NOT_HELPFUL_BUTTON, helpful is False), actions.Feedback(interaction_id, False)
            ),
        ]
    )
    if helpful is False:
        rows.extend(reason_rows(interaction_id, reason))
    return rows


def reason_rows(interaction_id: str, chosen: str | None = None) -> Rows:
    buttons = [
        Button(_mark(replies.REASON_LABELS[r], r == chosen), actions.Reason(interaction_id, r))
        for r in FEEDBACK_REASONS
    ]
    return [buttons[:2], buttons[2:]]


def suggestion_rows(reply: Reply) -> Rows:
    return [[Button(s.question, actions.Choose(short_ref(s.entry_id)))] for s in reply.suggestions]


def case_rows(reply: Reply) -> Rows:
    """The other cases listed under a procedure card, numbered as in its text."""
    return [
        [Button(f"{i}. {case_of(s.question)}", actions.Choose(short_ref(s.entry_id)))]
        for i, s in enumerate(reply.suggestions, start=1)
    ]


def handoff_rows(interaction_id: str) -> Rows:
    return [[Button(replies.HANDOFF_BUTTON, actions.Handoff(interaction_id))]]


def handed_off_rows() -> Rows:
    return [[Button(CHOSEN + replies.HANDED_OFF_LABEL)]]


def consent_rows() -> Rows:
    return [[Button(replies.CONSENT_BUTTON, actions.Consent())]]


def erase_rows() -> Rows:
    return [[Button(replies.ERASE_YES, actions.Erase(True)), Button(replies.ERASE_NO, actions.Erase(False))]]


def reply_rows(reply: Reply) -> Rows:
    """The buttons under a reply of the answering core."""
    match reply.decision:
        case Decision.ANSWER:
            return feedback_rows(reply.interaction_id, reply.links)
        case Decision.CATALOG:  # the other cases of its procedure, if any, come first
            return case_rows(reply) + feedback_rows(reply.interaction_id, reply.links)
        case Decision.SUGGEST:
            return suggestion_rows(reply)
        case Decision.FALLBACK:
            return handoff_rows(reply.interaction_id)
    return []


def reply_title(reply: Reply) -> str | None:
    if reply.decision is Decision.ANSWER and reply.question:
        return reply.question
    return CATALOG_TITLE if reply.decision is Decision.CATALOG else None


def as_outgoing(reply: Reply) -> Outgoing:
    return Outgoing(reply.text, reply_rows(reply), reply_title(reply))


def _pager(page: Page[Any], to: Callable[[int], actions.Action]) -> list[Button]:
    row = []
    if page.has_previous:
        row.append(Button(replies.PREVIOUS_BUTTON, to(page.page - 1)))
    if page.has_next:
        row.append(Button(replies.NEXT_BUTTON, to(page.page + 1)))
    return row


def category_rows(page: Page[CategoryItem]) -> Rows:
    rows = [[Button(f"{c.name} ({c.count})", actions.Questions(c.ref, 0))] for c in page.items]
    pager = _pager(page, actions.Categories)
    return [*rows, pager] if pager else rows


def question_rows(category_ref: str, page: Page[QuestionItem]) -> Rows:
    rows = [[Button(q.question, actions.Choose(q.ref))] for q in page.items]
    pager = _pager(page, lambda p: actions.Questions(category_ref, p))
    if pager:
        rows.append(pager)
    rows.append([Button(replies.BACK_BUTTON, actions.Categories(0))])
    return rows


# --- the conversation -------------------------------------------------------------------------


@dataclass(frozen=True)
class Listing:
    """A page of categories or of one category's questions, ready to show."""

    text: str
    rows: Rows


class Conversation:
    """One channel's side of the conversation; every method blocks (call it from a thread)."""

    def __init__(self, services: ChannelServices, channel: str, page_size: int | None = None) -> None:
        self.services = services
        self.channel = channel
        self.engine = services.runtime.engine
        self.browser = (
            FaqBrowser(self.engine, services.runtime.live, page_size) if page_size else services.browser
        )
        self._values = {**services.reply_values(), **CHANNEL_WORDS.get(channel, {})}

    def text(self, template: str, **extra: str) -> str:
        return replies.fill(template, {**self._values, **extra})

    def user_hash(self, user_id: str) -> str:
        return self.services.answers.user_hash(self.channel, user_id)

    # consent, and the question held until it is given

    def has_agreed(self, user_id: str) -> bool:
        return self.services.consent.has_agreed(self.user_hash(user_id))

    def privacy_notice(self, user_id: str) -> Outgoing:
        rows = [] if self.has_agreed(user_id) else consent_rows()
        return Outgoing(self.text(replies.PRIVACY_NOTICE), rows)

    def hold(self, user_id: str, question: str) -> None:
        """Keep the question asked before consent (masked, like everything we store)."""
        limit = self.services.settings.max_message_chars  # all of it that would be read anyway
        self._update_state(user_id, held_question=mask_personal_data(question[:limit]))

    def agree(self, user_id: str) -> str | None:
        """Record consent; returns the held question, if any, now to be answered."""
        user_hash = self.user_hash(user_id)
        self.services.consent.agree(user_hash, self.channel)
        with Session(self.engine) as session:
            state = session.get(ConversationState, user_hash)
            held = state.held_question if state is not None else None
            if held is None:
                return None
            # Taken only if still there: of two taps (on two workers) one answers it.
            taken = update(ConversationState).where(
                col(ConversationState.user_hash) == user_hash, col(ConversationState.held_question) == held
            )
            claimed = affected_rows(session, taken.values(held_question=None))
            session.commit()
            return held if claimed else None

    # answering

    def allowed(self, user_id: str) -> bool:
        return self.services.limiter.allow(self.user_hash(user_id))

    def answer(self, user_id: str, question: str) -> Reply:
        return self.services.answers.handle(IncomingMessage(self.channel, user_id, question))

    def answer_if_agreed(self, user_id: str, question: str) -> Reply | None:
        """The answer; or None, with the question held, when the citizen has not agreed yet.
        One call for the common case, so a channel spends one thread hop on it, not two."""
        if not self.has_agreed(user_id):
            self.hold(user_id, question)
            return None
        return self.answer(user_id, question)

    def choose(self, user_id: str, entry_ref: str) -> Reply | None:
        """The answer to a suggested or browsed question, or the card of a case the citizen
        picked under a procedure card; None when it is no longer published or imported."""
        entry = self.browser.entry(entry_ref) or self.services.answers.catalog_entry(entry_ref)
        if entry is None:
            return None
        message = IncomingMessage(self.channel, user_id, entry.question)
        return self.services.answers.handle_choice(message, entry)

    def is_truncated(self, question: str) -> bool:
        return len(question) > self.services.settings.max_message_chars

    # feedback and handoff

    def feedback(self, user_id: str, action: actions.Feedback | actions.Reason) -> Feedback | None:
        """Record a 👍/👎 or a reason; None when the reply is unknown or not this citizen's."""
        helpful = action.helpful if isinstance(action, actions.Feedback) else False
        reason = action.reason if isinstance(action, actions.Reason) else None
        user_hash = self.user_hash(user_id)
        try:
            stored = self.services.answers.log.record_feedback(
                action.interaction_id, helpful, reason, user_hash=user_hash
            )
        except UnknownInteractionError:
            return None
        if reason is not None:  # a comment may follow; it belongs to this reply
            self._update_state(user_id, comment_for=action.interaction_id)
        return stored

    def comment(self, user_id: str, text: str, interaction_id: str | None = None) -> bool:
        """Attach a comment to the reply the citizen last gave a reason for (or to the one
        named); False when there is none to attach it to."""
        target = interaction_id or self.comment_target(user_id)
        if target is None:
            return False
        try:
            self.services.answers.log.record_feedback(
                target, False, None, text, user_hash=self.user_hash(user_id)
            )
        except UnknownInteractionError:
            return False
        finally:  # one comment per reason given; a target that is gone is forgotten too
            self._update_state(user_id, comment_for=None)
        return True

    def comment_target(self, user_id: str) -> str | None:
        """The reply a comment would attach to; none while the database is unreachable (the
        message is then taken as a question, which can be answered)."""
        try:
            with Session(self.engine) as session:
                state = session.get(ConversationState, self.user_hash(user_id))
                return state.comment_for if state is not None else None
        except UNREACHABLE:
            return None

    def handoff(self, user_id: str, interaction_id: str) -> bool:
        try:
            hand_off(self.engine, interaction_id, self.user_hash(user_id))
        except UnknownInteractionError:
            return False
        return True

    # browsing

    def categories(self, page: int = 0) -> Listing | None:
        listing = self.browser.categories(page)
        if not listing.items:
            return None
        return Listing(replies.CATEGORIES_TITLE, category_rows(listing))

    def questions(self, category_ref: str, page: int = 0) -> Listing:
        browser = self.browser
        listing = browser.questions(category_ref, page)
        name = browser.category_name(category_ref) or "Lĩnh vực"
        title = f"{name} (trang {listing.page + 1}/{listing.pages}):"
        return Listing(title, question_rows(category_ref, listing))

    # erasure

    def erase(self, user_id: str) -> ErasureReport:
        report = erase_user(self.engine, self.user_hash(user_id))
        self.services.consent.forget(self.user_hash(user_id))
        return report

    def _update_state(self, user_id: str, **changes: str | None) -> None:
        try:
            self._write_state(self.user_hash(user_id), changes)
        except IntegrityError:  # a concurrent first message created the row: update it
            self._write_state(self.user_hash(user_id), changes)
        except UNREACHABLE as exc:  # a held question or comment target is lost, not the answer
            log.warning("conversation state not kept: database unavailable (%s)", type(exc).__name__)

    def _write_state(self, user_hash: str, changes: dict[str, str | None]) -> None:
        with Session(self.engine) as session:
            state = session.get(ConversationState, user_hash) or ConversationState(
                user_hash=user_hash, channel=self.channel
            )
            for name, value in changes.items():
                setattr(state, name, value)
            state.updated_at = utcnow()
            session.add(state)
            session.commit()
