"""The web chat's side of the shared conversation: a widget request in, what to show out.

Like the Telegram and Zalo handlers it is thin: the core ``Conversation`` decides consent,
answers, feedback ownership and handoff; this turns its results into a ``Turn`` (messages to
append, new buttons for the message a tapped button was under, and whether to forget the
transcript). Every method blocks; the routes are sync FastAPI endpoints (run in a thread pool).
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import Any, TypeVar

from fastapi import FastAPI

from core import actions, replies
from core import conversation as talk
from core.app_state import one_per_app
from core.channel import ChannelServices
from core.conversation import Conversation, Outgoing, Rows
from core.messages import Reply

CHANNEL = "web"
T = TypeVar("T")


class Refused(Exception):
    """The request cannot be done; ``text`` says why, politely, to the citizen."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


class NotYours(Refused):
    """The reply a button or comment names is unknown, or another session's."""


class RateLimited(Refused):
    """Too many questions from this session for now."""


@dataclass(frozen=True)
class WebOutgoing(Outgoing):
    comment_for: str | None = None  # offer a comment box for this interaction


@dataclass(frozen=True)
class Turn:
    messages: list[Outgoing]
    update: Rows | None = None  # replaces the action buttons of the message that was tapped
    reset: bool = False  # data erased: the widget forgets its transcript


def _turn(*messages: Outgoing, update: Rows | None = None) -> Turn:
    return Turn(list(messages), update)


def shown(reply: Reply) -> Outgoing:
    """A core reply as the widget shows it: suggestions and a card's other cases are chips, so
    the numbered list the chat apps need in the text would only repeat them."""
    out = talk.as_outgoing(reply)
    return out if reply.lead is None else Outgoing(reply.lead, out.rows, out.title)


@dataclass
class WebConversation:
    """One instance per app; ``pool`` is the answer pool shared with the bots."""

    conversation: Conversation
    pool: Executor
    _handlers: dict[type, Callable[[str, Any], Turn]] = field(init=False)

    def __post_init__(self) -> None:
        self._handlers = {
            actions.Feedback: self._feedback,
            actions.Reason: self._reason,
            actions.Choose: self._choose,
            actions.Categories: lambda _, a: self._categories(a.page),
            actions.Questions: self._questions,
            actions.Handoff: self._handoff,
            actions.Consent: self._consent,
            actions.Erase: self._erase,
        }

    def _say(self, template: str, **extra: str) -> Outgoing:
        return Outgoing(self.conversation.text(template, **extra))

    def _answering(self, function: Callable[..., T], *args: Any) -> T:
        """Model work goes through the answer pool so all channels together stay within it."""
        return self.pool.submit(function, *args).result()

    # commands

    def command(self, user_id: str, command: str) -> Turn:
        match command:
            case "start":
                return self._start(user_id)
            case "help":
                return _turn(self._say(replies.HELP))
            case "contact":
                return _turn(self._say(replies.CONTACT))
            case "browse":
                return self._categories(0)
            case "privacy":
                return _turn(self._privacy(user_id))
            case "erase":  # the safe choice first: it is where focus lands
                return _turn(Outgoing(replies.ERASE_CONFIRM, [talk.erase_rows()[0][::-1]]))
        raise ValueError(command)  # pragma: no cover - the schema allows only the above

    def _start(self, user_id: str) -> Turn:
        welcome = self._say(replies.WELCOME)
        if self.conversation.has_agreed(user_id):
            return _turn(welcome)
        return _turn(welcome, self.conversation.privacy_notice(user_id))

    def _privacy(self, user_id: str) -> Outgoing:
        notice = self.conversation.privacy_notice(user_id)
        if notice.rows:
            return notice
        # Agreed already: the notice's last line ("bấm “Tôi đồng ý”…") has no button to press.
        lines = notice.text.split("\n")
        if "Tôi đồng ý" in lines[-1]:
            lines.pop()
        return Outgoing("\n".join(lines))

    # questions

    def message(self, user_id: str, text: str) -> Turn:
        if not text.strip():
            return _turn(self._say(replies.EMPTY))
        return self._answer(user_id, text, needs_consent=True)

    def _answer(self, user_id: str, text: str, needs_consent: bool = False) -> Turn:
        talking = self.conversation
        if not talking.allowed(user_id):
            raise RateLimited(replies.RATE_LIMITED)
        ask = talking.answer_if_agreed if needs_consent else talking.answer
        reply = self._answering(ask, user_id, text)
        if reply is None:  # held until the citizen agrees to the privacy notice
            notice = Outgoing(talking.text(replies.PRIVACY_NOTICE), talk.consent_rows())
            return _turn(Outgoing(replies.CONSENT_REQUIRED), notice)
        out = shown(reply)
        if talking.is_truncated(text):
            out = Outgoing(talking.text(replies.TRUNCATED) + "\n\n" + out.text, out.rows, out.title)
        return _turn(out)

    def comment(self, user_id: str, interaction_id: str, text: str) -> Turn:
        if not self.conversation.comment(user_id, text, interaction_id):
            raise NotYours(replies.FEEDBACK_EXPIRED)
        return _turn(Outgoing(replies.FEEDBACK_COMMENT_THANKS))

    # button taps

    def act(self, user_id: str, action: actions.Action) -> Turn:
        return self._handlers[type(action)](user_id, action)

    def _feedback(self, user_id: str, action: actions.Feedback) -> Turn:
        stored = self.conversation.feedback(user_id, action)
        if stored is None:
            raise NotYours(replies.FEEDBACK_EXPIRED)
        # Only the 👍/👎 row changes (ticked); the reasons come as a message of their own,
        # which the live region reads out and focus can move to.
        ticked = talk.feedback_rows(action.interaction_id, (), stored.helpful)[:1]
        if stored.helpful:
            return _turn(Outgoing(replies.FEEDBACK_THANKS), update=ticked)
        reasons = Outgoing(replies.FEEDBACK_ASK_REASON, talk.reason_rows(action.interaction_id))
        return _turn(reasons, update=ticked)

    def _reason(self, user_id: str, action: actions.Reason) -> Turn:
        if self.conversation.feedback(user_id, action) is None:
            raise NotYours(replies.FEEDBACK_EXPIRED)
        thanks = self.conversation.text(replies.FEEDBACK_THANKS + " " + replies.FEEDBACK_ASK_COMMENT)
        ask = WebOutgoing(thanks, comment_for=action.interaction_id)
        return _turn(ask, update=talk.reason_rows(action.interaction_id, action.reason))

    def _choose(self, user_id: str, action: actions.Choose) -> Turn:
        if not self.conversation.has_agreed(user_id):
            return _turn(self.conversation.privacy_notice(user_id))
        if not self.conversation.allowed(user_id):
            raise RateLimited(replies.RATE_LIMITED)
        reply: Reply | None = self._answering(self.conversation.choose, user_id, action.entry_ref)
        return _turn(shown(reply) if reply is not None else Outgoing(replies.ENTRY_GONE))

    def _categories(self, page: int) -> Turn:
        listing = self.conversation.categories(page)
        if listing is None:
            return _turn(Outgoing(replies.NO_CATEGORIES))
        return _turn(Outgoing(listing.text, listing.rows))

    def _questions(self, user_id: str, action: actions.Questions) -> Turn:
        listing = self.conversation.questions(action.category_ref, action.page)
        return _turn(Outgoing(listing.text, listing.rows))

    def _handoff(self, user_id: str, action: actions.Handoff) -> Turn:
        if not self.conversation.handoff(user_id, action.interaction_id):
            raise NotYours(replies.BUTTON_EXPIRED)
        return _turn(self._say(replies.HANDOFF_DONE), update=talk.handed_off_rows())

    def _consent(self, user_id: str, action: actions.Consent) -> Turn:
        held = self.conversation.agree(user_id)
        if held is None:
            return _turn(Outgoing(replies.CONSENT_THANKS), update=[])
        answered = self._answer(user_id, held)
        return Turn(answered.messages, update=[])

    def _erase(self, user_id: str, action: actions.Erase) -> Turn:
        if not action.confirmed:
            return _turn(Outgoing(replies.ERASE_CANCELLED), update=[])
        report = self.conversation.erase(user_id)
        return Turn([self._say(replies.ERASE_DONE, count=str(report.interactions))], update=[], reset=True)


def web_conversation(app: FastAPI) -> WebConversation:
    """The app's web conversation, made on first use from the channel services the app starts
    with: the web shares the bots' answer pool and rate limiter."""
    services: ChannelServices = app.state.channel_services
    return one_per_app(
        app.state,
        "web_conversation",
        lambda: WebConversation(Conversation(services, CHANNEL), services.answer_pool),
    )
