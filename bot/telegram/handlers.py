"""Thin async handlers: build an IncomingMessage, call the core, render the Reply.

Database and model work runs in worker threads (``asyncio.to_thread``) so one slow answer
never stalls the event loop that receives everybody else's updates.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from telegram import (
    CallbackQuery,
    Chat,
    ForceReply,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
)
from telegram.constants import ChatAction, ParseMode
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.telegram import callbacks as cb
from bot.telegram import keyboards
from bot.telegram.render import reply_html, split_message
from core import replies
from core.browse import short_ref
from core.channel import ChannelServices
from core.erasure import erase_user
from core.handoff import hand_off
from core.interaction_log import UnknownInteractionError
from core.messages import Decision, IncomingMessage, Reply

log = logging.getLogger(__name__)
CHANNEL = "telegram"
Context = ContextTypes.DEFAULT_TYPE


def _services(context: Context) -> ChannelServices:
    services: ChannelServices = context.bot_data["services"]
    return services


def _text(context: Context, template: str, **extra: str) -> str:
    return replies.fill(template, {**_services(context).reply_values(), **extra})


def _user_hash(update: Update, context: Context) -> str:
    assert update.effective_user is not None
    return _services(context).answers.user_hash(CHANNEL, str(update.effective_user.id))


async def _has_agreed(update: Update, context: Context) -> bool:
    user_data: dict[str, Any] = context.user_data if context.user_data is not None else {}
    if user_data.get("agreed"):
        return True
    agreed = await asyncio.to_thread(_services(context).consent.has_agreed, _user_hash(update, context))
    user_data["agreed"] = agreed
    return agreed


async def _send(chat: Chat, html: str, markup: InlineKeyboardMarkup | ForceReply | None = None) -> Message:
    return await chat.send_message(html, parse_mode=ParseMode.HTML, reply_markup=markup)


def _markup(reply: Reply) -> InlineKeyboardMarkup | None:
    match reply.decision:
        case Decision.ANSWER | Decision.CATALOG:
            return keyboards.feedback(reply.interaction_id, reply.links)
        case Decision.SUGGEST:
            return keyboards.suggestions([(short_ref(s.entry_id), s.question) for s in reply.suggestions])
        case Decision.FALLBACK:
            return keyboards.handoff(reply.interaction_id)
    return None


async def send_reply(chat: Chat, reply: Reply) -> None:
    """The reply in as many messages as it takes; buttons go under the last one."""
    chunks = split_message(reply_html(reply))
    for chunk in chunks[:-1]:
        await _send(chat, chunk)
    await _send(chat, chunks[-1], _markup(reply))


# --- updates in -------------------------------------------------------------------------------


async def drop_duplicates(update: Update, context: Context) -> None:
    """Runs first: an update redelivered (to this or another worker) is processed once."""
    claimed = await asyncio.to_thread(_services(context).ledger.claim, CHANNEL, update.update_id)
    if not claimed:
        raise ApplicationHandlerStop


async def start(update: Update, context: Context) -> None:
    chat = update.effective_chat
    assert chat is not None
    await _send(chat, _text(context, replies.WELCOME))
    agreed = await _has_agreed(update, context)
    await _send(chat, _text(context, replies.PRIVACY_NOTICE), None if agreed else keyboards.consent())


async def help_command(update: Update, context: Context) -> None:
    assert update.effective_chat is not None
    await _send(update.effective_chat, _text(context, replies.HELP))


async def contact(update: Update, context: Context) -> None:
    assert update.effective_chat is not None
    await _send(update.effective_chat, _text(context, replies.CONTACT))


async def browse(update: Update, context: Context) -> None:
    assert update.effective_chat is not None
    page = await asyncio.to_thread(_services(context).browser.categories, 0)
    if not page.items:
        await _send(update.effective_chat, replies.NO_CATEGORIES)
        return
    await _send(update.effective_chat, replies.CATEGORIES_TITLE, keyboards.categories(page))


async def erase_request(update: Update, context: Context) -> None:
    assert update.effective_chat is not None
    await _send(update.effective_chat, replies.ERASE_CONFIRM, keyboards.erase())


async def non_text(update: Update, context: Context) -> None:
    assert update.effective_chat is not None
    await _send(update.effective_chat, replies.NON_TEXT)


async def text_message(update: Update, context: Context) -> None:
    message = update.effective_message
    assert message is not None and message.text is not None
    if await _is_comment(message, context):
        return
    if not await _has_agreed(update, context):
        if context.user_data is not None:
            context.user_data["pending_question"] = message.text
        await _send(message.chat, replies.CONSENT_REQUIRED)
        await _send(message.chat, _text(context, replies.PRIVACY_NOTICE), keyboards.consent())
        return
    await answer_question(update, context, message.text)


async def answer_question(update: Update, context: Context, text: str) -> None:
    services = _services(context)
    chat, user = update.effective_chat, update.effective_user
    assert chat is not None and user is not None
    if not services.limiter.allow(_user_hash(update, context)):
        await _send(chat, replies.RATE_LIMITED)
        return
    typing_sent = asyncio.Event()
    typing = asyncio.create_task(_typing_after(chat, services.settings.telegram_typing_delay_ms, typing_sent))
    try:
        message = IncomingMessage(CHANNEL, str(user.id), text)
        loop = asyncio.get_running_loop()
        reply = await loop.run_in_executor(services.answer_pool, services.answers.handle, message)
    finally:
        if not typing_sent.is_set():  # a request already on its way is let through
            typing.cancel()
    if len(text) > services.settings.max_message_chars:
        await _send(chat, _text(context, replies.TRUNCATED))
    await send_reply(chat, reply)


async def _typing_after(chat: Chat, delay_ms: int, sent: asyncio.Event) -> None:
    """ "typing…" when an answer takes a while: sent for every answer, it would spend the bot's
    30-requests-a-second budget (the outgoing rate limiter) on answers that arrive within it."""
    await asyncio.sleep(delay_ms / 1000)
    sent.set()
    try:
        await chat.send_action(ChatAction.TYPING)
    except TelegramError:  # cosmetic: the answer itself still goes out
        log.debug("typing action failed", exc_info=True)


async def _is_comment(message: Message, context: Context) -> bool:
    """A reply to our "add a comment" prompt is feedback, not a new question."""
    prompts: dict[int, str] = (context.user_data or {}).get("comment_prompts", {})
    replied = message.reply_to_message
    if replied is None or replied.message_id not in prompts or message.text is None:
        return False
    interaction_id = prompts.pop(replied.message_id)
    log_feedback = _services(context).answers.log.record_feedback
    try:
        await asyncio.to_thread(log_feedback, interaction_id, False, None, message.text)
    except UnknownInteractionError:
        await _send(message.chat, replies.FEEDBACK_EXPIRED)
        return True
    await _send(message.chat, replies.FEEDBACK_COMMENT_THANKS)
    return True


# --- button taps ------------------------------------------------------------------------------


def _toast(action: cb.Action) -> str | None:
    if isinstance(action, cb.Feedback):
        return replies.FEEDBACK_THANKS if action.helpful else replies.FEEDBACK_ASK_REASON
    return replies.FEEDBACK_THANKS if isinstance(action, cb.Reason) else None


async def button(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    try:
        action = cb.decode(query.data)
    except cb.CallbackDataError:
        await query.answer()  # an old or state-only button: nothing to do
        return
    await query.answer(_toast(action))  # first, so the citizen's spinner stops at once
    match action:
        case cb.Feedback() | cb.Reason():
            await _feedback(query, context, action)
        case cb.Choose(ref):
            await _choose(update, context, ref)
        case cb.Categories(page):
            await _show_categories(query, context, page)
        case cb.Questions(ref, page):
            await _show_questions(query, context, ref, page)
        case cb.Handoff(interaction_id):
            await _handoff(query, context, interaction_id)
        case cb.Consent():
            await _consent(update, context)
        case cb.Erase(confirmed):
            await _erase(update, context, confirmed)


def _links_of(query: CallbackQuery) -> list[str]:
    """The URL buttons already under the message (kept when the feedback row changes)."""
    message = query.message
    markup = message.reply_markup if isinstance(message, Message) else None
    buttons: list[InlineKeyboardButton] = [b for row in markup.inline_keyboard for b in row] if markup else []
    return [b.url for b in buttons if b.url]


async def _feedback(query: CallbackQuery, context: Context, action: cb.Feedback | cb.Reason) -> None:
    helpful = action.helpful if isinstance(action, cb.Feedback) else False
    reason = action.reason if isinstance(action, cb.Reason) else None
    log_feedback = _services(context).answers.log.record_feedback
    try:
        stored = await asyncio.to_thread(log_feedback, action.interaction_id, helpful, reason)
    except UnknownInteractionError:
        await query.edit_message_reply_markup(None)
        return
    markup = keyboards.feedback(action.interaction_id, _links_of(query), stored.helpful, stored.reason)
    await query.edit_message_reply_markup(markup)
    if isinstance(action, cb.Reason) and isinstance(query.message, Message):
        prompt = await _send(
            query.message.chat, replies.FEEDBACK_ASK_COMMENT, ForceReply(input_field_placeholder="Góp ý")
        )
        if context.user_data is not None:
            context.user_data.setdefault("comment_prompts", {})[prompt.message_id] = action.interaction_id


async def _choose(update: Update, context: Context, ref: str) -> None:
    services, chat, user = _services(context), update.effective_chat, update.effective_user
    assert chat is not None and user is not None
    entry = await asyncio.to_thread(services.browser.entry, ref)
    if entry is None:
        await _send(chat, replies.ENTRY_GONE)
        return
    if not await _has_agreed(update, context):
        await _send(chat, _text(context, replies.PRIVACY_NOTICE), keyboards.consent())
        return
    message = IncomingMessage(CHANNEL, str(user.id), entry.question)
    loop = asyncio.get_running_loop()
    reply = await loop.run_in_executor(services.answer_pool, services.answers.handle_choice, message, entry)
    await send_reply(chat, reply)


async def _show_categories(query: CallbackQuery, context: Context, page: int) -> None:
    listing = await asyncio.to_thread(_services(context).browser.categories, page)
    await query.edit_message_text(replies.CATEGORIES_TITLE, reply_markup=keyboards.categories(listing))


async def _show_questions(query: CallbackQuery, context: Context, ref: str, page: int) -> None:
    browser = _services(context).browser
    listing = await asyncio.to_thread(browser.questions, ref, page)
    name = await asyncio.to_thread(browser.category_name, ref) or "Lĩnh vực"
    title = f"{name} (trang {listing.page + 1}/{listing.pages}):"
    await query.edit_message_text(title, reply_markup=keyboards.questions(ref, listing))


async def _handoff(query: CallbackQuery, context: Context, interaction_id: str) -> None:
    engine = _services(context).runtime.engine
    try:
        await asyncio.to_thread(hand_off, engine, interaction_id)
    except UnknownInteractionError:
        await query.edit_message_reply_markup(None)
        return
    await query.edit_message_reply_markup(keyboards.handed_off())
    if isinstance(query.message, Message):
        await _send(query.message.chat, _text(context, replies.HANDOFF_DONE))


async def _consent(update: Update, context: Context) -> None:
    query, chat = update.callback_query, update.effective_chat
    assert query is not None and chat is not None
    await asyncio.to_thread(_services(context).consent.agree, _user_hash(update, context), CHANNEL)
    user_data: dict[str, Any] = context.user_data if context.user_data is not None else {}
    user_data["agreed"] = True
    await query.edit_message_reply_markup(None)
    pending = user_data.pop("pending_question", None)
    if pending is None:
        await _send(chat, replies.CONSENT_THANKS)
        return
    await answer_question(update, context, pending)


async def _erase(update: Update, context: Context, confirmed: bool) -> None:
    query = update.callback_query
    assert query is not None
    if not confirmed:
        await query.edit_message_text(replies.ERASE_CANCELLED)
        return
    engine = _services(context).runtime.engine
    report = await asyncio.to_thread(erase_user, engine, _user_hash(update, context))
    if context.user_data is not None:
        context.user_data.clear()
    await query.edit_message_text(replies.fill(replies.ERASE_DONE, {"count": str(report.interactions)}))


# --- errors and wiring ------------------------------------------------------------------------


async def on_error(update: object, context: Context) -> None:
    """Log with the traceback (never the message text) and apologise instead of going silent."""
    update_id = update.update_id if isinstance(update, Update) else None
    log.error("telegram update %s failed", update_id, exc_info=context.error)
    if isinstance(update, Update) and update.effective_chat is not None:
        try:
            await _send(update.effective_chat, _text(context, replies.ERROR))
        except Exception:  # the apology itself may fail when Telegram is unreachable
            log.warning("could not send the apology for update %s", update_id)


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    private = filters.ChatType.PRIVATE  # a public-service desk talks to one citizen at a time
    app.add_handler(TypeHandler(Update, drop_duplicates), group=-1)
    app.add_handler(CommandHandler("start", start, filters=private))
    app.add_handler(CommandHandler(["help", "huongdan"], help_command, filters=private))
    app.add_handler(CommandHandler("lienhe", contact, filters=private))
    app.add_handler(CommandHandler("linhvuc", browse, filters=private))
    app.add_handler(CommandHandler("xoadulieu", erase_request, filters=private))
    app.add_handler(MessageHandler(private & filters.COMMAND, help_command))  # unknown commands
    app.add_handler(MessageHandler(private & filters.TEXT, text_message))
    app.add_handler(MessageHandler(private & filters.UpdateType.MESSAGE, non_text))
    app.add_handler(CallbackQueryHandler(button))
    app.add_error_handler(on_error)
