"""The Zalo side of the conversation: an event in, the messages to send back out.

Thin like the Telegram handlers: commands are words (Zalo has no slash commands), taps come
back as hidden messages carrying an action payload, and everything else is the shared core
conversation. Blocking core calls run in worker threads.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from enum import Enum
from typing import TypeVar

from bot.zalo import render
from bot.zalo.events import FOLLOW, MEDIA, TEXT, ZaloEvent
from core import actions, replies
from core import conversation as talk
from core.conversation import Conversation, Outgoing
from core.text.normalize import fold_case, strip_diacritics, tokens

T = TypeVar("T")


class Command(Enum):
    START = "start"
    HELP = "help"
    CONTACT = "contact"
    BROWSE = "browse"
    ERASE = "erase"


# Whole messages (folded, without punctuation) that are commands rather than questions.
COMMAND_WORDS = {
    Command.START: {"start", "bat dau", "batdau"},
    Command.HELP: {"help", "huong dan", "huongdan", "tro giup"},
    Command.CONTACT: {"lien he", "lienhe", "contact"},
    Command.BROWSE: {"danh muc", "danhmuc", "linh vuc", "linhvuc", "danh sach cau hoi"},
    Command.ERASE: {"xoa du lieu", "xoadulieu", "xoa du lieu cua toi"},
}
# "Góp ý:" with its colon, as the prompt asks: "góp ý kiến về…" without one is a question.
COMMENT_PREFIX = re.compile(r"^\s*g[oó]p\s*[yý]\s*[:：]\s*", re.IGNORECASE)


def command_of(text: str) -> Command | None:
    words = " ".join(tokens(strip_diacritics(fold_case(text))))  # as small talk folds it
    return next((command for command, forms in COMMAND_WORDS.items() if words in forms), None)


@dataclass
class ZaloConversation:
    """Runs one event through the shared conversation; returns what to send, in order."""

    conversation: Conversation
    answer_pool: ThreadPoolExecutor

    async def _run(self, function: Callable[..., T], *args: object) -> T:
        return await asyncio.to_thread(function, *args)

    async def _answering(self, function: Callable[..., T], *args: object) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.answer_pool, function, *args)

    def _say(self, template: str, **extra: str) -> Outgoing:
        return Outgoing(self.conversation.text(template, **extra))

    async def respond(self, event: ZaloEvent) -> list[Outgoing]:
        if event.user_id is None:
            return []
        if event.name == FOLLOW:
            return await self._welcome(event.user_id)
        if event.name in MEDIA:
            return [self._say(replies.NON_TEXT)]
        if event.name != TEXT or event.text is None:
            return []  # seen/received receipts, unfollow, the OA's own messages: nothing to say
        return await self._text(event.user_id, event.text)

    async def _text(self, user_id: str, text: str) -> list[Outgoing]:
        if render.is_payload(text):
            return await self._tap(user_id, text)
        command = command_of(text)
        if command is not None:
            return await self._command(user_id, command)
        comment = COMMENT_PREFIX.match(text)
        if comment and await self._run(self.conversation.comment_target, user_id) is not None:
            stored = await self._run(self.conversation.comment, user_id, text[comment.end() :] or text)
            return [self._say(replies.FEEDBACK_COMMENT_THANKS if stored else replies.FEEDBACK_EXPIRED)]
        return await self._answer(user_id, text, needs_consent=True)

    async def _welcome(self, user_id: str) -> list[Outgoing]:
        """Greeting and privacy notice in one message (an OA's free replies are few)."""
        notice = await self._run(self.conversation.privacy_notice, user_id)
        text = self.conversation.text(replies.WELCOME) + "\n\n" + notice.text
        return [Outgoing(text, notice.rows)]

    async def _answer(self, user_id: str, text: str, needs_consent: bool = False) -> list[Outgoing]:
        if not self.conversation.allowed(user_id):  # in memory: no thread needed
            return [self._say(replies.RATE_LIMITED)]
        ask = self.conversation.answer_if_agreed if needs_consent else self.conversation.answer
        reply = await self._answering(ask, user_id, text)
        if reply is None:  # the first message: held until the follower agrees
            return await self._welcome(user_id)
        out = talk.as_outgoing(reply)
        if self.conversation.is_truncated(text):
            out = Outgoing(self.conversation.text(replies.TRUNCATED) + "\n\n" + out.text, out.rows, out.title)
        return [out]

    async def _command(self, user_id: str, command: Command) -> list[Outgoing]:
        match command:
            case Command.START:
                return await self._welcome(user_id)
            case Command.HELP:
                return [self._say(replies.HELP)]
            case Command.CONTACT:
                return [self._say(replies.CONTACT)]
            case Command.BROWSE:
                return await self._categories(0)
            case Command.ERASE:
                return [Outgoing(replies.ERASE_CONFIRM, talk.erase_rows())]

    async def _categories(self, page: int) -> list[Outgoing]:
        listing = await self._run(self.conversation.categories, page)
        if listing is None:
            return [Outgoing(replies.NO_CATEGORIES)]
        return [Outgoing(listing.text, listing.rows)]

    async def _tap(self, user_id: str, text: str) -> list[Outgoing]:
        """A button's hidden message: an action, never a question (an unknown one is ignored
        politely: it may come from an older version of the bot)."""
        try:
            action = render.action_of(text)
        except actions.ActionDataError:
            return [Outgoing(replies.BUTTON_EXPIRED)]
        handler = self._tap_handlers().get(type(action))
        return await handler(user_id, action) if handler else []

    def _tap_handlers(self) -> dict[type, Callable[[str, actions.Action], Awaitable[list[Outgoing]]]]:
        return {
            actions.Feedback: self._feedback,
            actions.Reason: self._feedback,
            actions.Choose: self._choose,
            actions.Categories: self._browse,
            actions.Questions: self._browse,
            actions.Handoff: self._handoff,
            actions.Consent: self._consent,
            actions.Erase: self._erase,
        }

    async def _feedback(self, user_id: str, action: actions.Action) -> list[Outgoing]:
        assert isinstance(action, actions.Feedback | actions.Reason)
        stored = await self._run(self.conversation.feedback, user_id, action)
        if stored is None:
            return [Outgoing(replies.FEEDBACK_EXPIRED)]
        if isinstance(action, actions.Feedback) and not action.helpful:
            return [Outgoing(replies.FEEDBACK_ASK_REASON, talk.reason_rows(action.interaction_id))]
        if isinstance(action, actions.Reason):
            return [self._say(replies.FEEDBACK_THANKS + " " + replies.FEEDBACK_ASK_COMMENT)]
        return [Outgoing(replies.FEEDBACK_THANKS)]

    async def _choose(self, user_id: str, action: actions.Action) -> list[Outgoing]:
        assert isinstance(action, actions.Choose)
        if not await self._run(self.conversation.has_agreed, user_id):
            return await self._welcome(user_id)
        reply = await self._answering(self.conversation.choose, user_id, action.entry_ref)
        return [talk.as_outgoing(reply)] if reply is not None else [Outgoing(replies.ENTRY_GONE)]

    async def _browse(self, user_id: str, action: actions.Action) -> list[Outgoing]:
        if isinstance(action, actions.Categories):
            return await self._categories(action.page)
        assert isinstance(action, actions.Questions)
        listing = await self._run(self.conversation.questions, action.category_ref, action.page)
        return [Outgoing(listing.text, listing.rows)]

    async def _handoff(self, user_id: str, action: actions.Action) -> list[Outgoing]:
        assert isinstance(action, actions.Handoff)
        if not await self._run(self.conversation.handoff, user_id, action.interaction_id):
            return [Outgoing(replies.BUTTON_EXPIRED)]
        return [self._say(replies.HANDOFF_DONE)]

    async def _consent(self, user_id: str, action: actions.Action) -> list[Outgoing]:
        held = await self._run(self.conversation.agree, user_id)
        if held is None:
            return [Outgoing(replies.CONSENT_THANKS)]
        return await self._answer(user_id, held)

    async def _erase(self, user_id: str, action: actions.Action) -> list[Outgoing]:
        assert isinstance(action, actions.Erase)
        if not action.confirmed:
            return [Outgoing(replies.ERASE_CANCELLED)]
        report = await self._run(self.conversation.erase, user_id)
        return [self._say(replies.ERASE_DONE, count=str(report.interactions))]
