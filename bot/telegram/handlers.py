"""Thin async handlers: translate the update, call the core conversation, render what it returns.

Database and model work runs in worker threads (``asyncio.to_thread``) so one slow answer
never stalls the event loop that receives everybody else's updates.
"""

from __future__ import annotations

import asyncio
import logging
from html import escape
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

from bot.telegram.keyboards import markup
from bot.telegram.render import reply_html, split_message
from core import actions as cb
from core import conversation as talk
from core import replies
from core.channel import ChannelServices
from core.conversation import Conversation, Rows
from core.messages import Reply

log = logging.getLogger(__name__)
CHANNEL = "telegram"
Context = ContextTypes.DEFAULT_TYPE


def _services(context: Context) -> ChannelServices:
    services: ChannelServices = context.bot_data["services"]
    return services


def _talk(context: Context) -> Conversation:
    conversation: Conversation = context.bot_data["conversation"]
    return conversation


def _user_id(update: Update) -> str:
    assert update.effective_user is not None
    return str(update.effective_user.id)


async def _send(
    chat: Chat, html: str, reply_markup: InlineKeyboardMarkup | ForceReply | None = None
) -> Message:
    return await chat.send_message(html, parse_mode=ParseMode.HTML, reply_markup=reply_markup)


async def _show(chat: Chat, text: str, rows: Rows | None = None) -> Message:
    """A plain core text (escaped: settings and FAQ texts may hold "<" or "&") with buttons."""
    return await _send(chat, escape(text, quote=False), markup(rows or []))


async def send_reply(chat: Chat, reply: Reply) -> None:
    """The reply in as many messages as it takes; buttons go under the last one."""
    chunks = split_message(reply_html(reply))
    for chunk in chunks[:-1]:
        await _send(chat, chunk)
    await _send(chat, chunks[-1], markup(talk.reply_rows(reply)))


# --- updates in -------------------------------------------------------------------------------


async def drop_duplicates(update: Update, context: Context) -> None:
    """Runs first: an update redelivered (to this or another worker) is processed once."""
    claimed = await asyncio.to_thread(_services(context).ledger.claim, CHANNEL, update.update_id)
    if not claimed:
        raise ApplicationHandlerStop


async def start(update: Update, context: Context) -> None:
    chat = update.effective_chat
    assert chat is not None
    conversation = _talk(context)
    await _show(chat, conversation.text(replies.WELCOME))
    notice = await asyncio.to_thread(conversation.privacy_notice, _user_id(update))
    await _show(chat, notice.text, notice.rows)


async def help_command(update: Update, context: Context) -> None:
    assert update.effective_chat is not None
    await _show(update.effective_chat, _talk(context).text(replies.HELP))


async def contact(update: Update, context: Context) -> None:
    assert update.effective_chat is not None
    await _show(update.effective_chat, _talk(context).text(replies.CONTACT))


async def browse(update: Update, context: Context) -> None:
    assert update.effective_chat is not None
    listing = await asyncio.to_thread(_talk(context).categories, 0)
    if listing is None:
        await _show(update.effective_chat, replies.NO_CATEGORIES)
        return
    await _show(update.effective_chat, listing.text, listing.rows)


async def erase_request(update: Update, context: Context) -> None:
    assert update.effective_chat is not None
    await _show(update.effective_chat, replies.ERASE_CONFIRM, talk.erase_rows())


async def non_text(update: Update, context: Context) -> None:
    assert update.effective_chat is not None
    await _show(update.effective_chat, replies.NON_TEXT)


async def text_message(update: Update, context: Context) -> None:
    message = update.effective_message
    assert message is not None and message.text is not None
    if await _is_comment(update, message, context):
        return
    await answer_question(update, context, message.text, needs_consent=True)


async def answer_question(update: Update, context: Context, text: str, needs_consent: bool = False) -> None:
    services, conversation, user_id = _services(context), _talk(context), _user_id(update)
    chat = update.effective_chat
    assert chat is not None
    if not conversation.allowed(user_id):
        await _show(chat, replies.RATE_LIMITED)
        return
    typing_sent = asyncio.Event()
    typing = asyncio.create_task(_typing_after(chat, services.settings.telegram_typing_delay_ms, typing_sent))
    try:
        loop = asyncio.get_running_loop()
        ask = conversation.answer_if_agreed if needs_consent else conversation.answer
        reply = await loop.run_in_executor(services.answer_pool, ask, user_id, text)
    finally:
        if not typing_sent.is_set():  # a request already on its way is let through
            typing.cancel()
    if reply is None:  # held until the citizen agrees to the privacy notice
        await _show(chat, replies.CONSENT_REQUIRED)
        await _show(chat, conversation.text(replies.PRIVACY_NOTICE), talk.consent_rows())
        return
    if conversation.is_truncated(text):
        await _show(chat, conversation.text(replies.TRUNCATED))
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


async def _is_comment(update: Update, message: Message, context: Context) -> bool:
    """A reply to our "add a comment" prompt is feedback, not a new question."""
    prompts: dict[int, str] = (context.user_data or {}).get("comment_prompts", {})
    replied = message.reply_to_message
    if replied is None or replied.message_id not in prompts or message.text is None:
        return False
    interaction_id = prompts.pop(replied.message_id)
    stored = await asyncio.to_thread(_talk(context).comment, _user_id(update), message.text, interaction_id)
    await _show(message.chat, replies.FEEDBACK_COMMENT_THANKS if stored else replies.FEEDBACK_EXPIRED)
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
    except cb.ActionDataError:
        await query.answer()  # an old or state-only button: nothing to do
        return
    await query.answer(_toast(action))  # first, so the citizen's spinner stops at once
    match action:
        case cb.Feedback() | cb.Reason():
            await _feedback(update, query, context, action)
        case cb.Choose(ref):
            await _choose(update, context, ref)
        case cb.Categories(page):
            listing = await asyncio.to_thread(_talk(context).categories, page)
            if listing is not None:
                await query.edit_message_text(listing.text, reply_markup=markup(listing.rows))
        case cb.Questions(ref, page):
            listing = await asyncio.to_thread(_talk(context).questions, ref, page)
            await query.edit_message_text(listing.text, reply_markup=markup(listing.rows))
        case cb.Handoff(interaction_id):
            await _handoff(update, query, context, interaction_id)
        case cb.Consent():
            await _consent(update, context)
        case cb.Erase(confirmed):
            await _erase(update, context, confirmed)


def _keyboard_of(query: CallbackQuery) -> list[InlineKeyboardButton]:
    message = query.message
    keyboard = message.reply_markup if isinstance(message, Message) else None
    return [b for row in keyboard.inline_keyboard for b in row] if keyboard else []


def _links_of(query: CallbackQuery) -> list[str]:
    """The URL buttons already under the message (kept when the feedback row changes)."""
    return [b.url for b in _keyboard_of(query) if b.url]


def _cases_of(query: CallbackQuery) -> Rows:
    """The cases listed under a procedure card (kept when the feedback row changes)."""
    rows: Rows = []
    for button in _keyboard_of(query):
        if not isinstance(button.callback_data, str):
            continue
        try:
            action = cb.decode(button.callback_data)
        except cb.ActionDataError:
            continue  # a label-only button
        if isinstance(action, cb.Choose):
            rows.append([talk.Button(button.text, action)])
    return rows


async def _feedback(
    update: Update, query: CallbackQuery, context: Context, action: cb.Feedback | cb.Reason
) -> None:
    stored = await asyncio.to_thread(_talk(context).feedback, _user_id(update), action)
    if stored is None:
        await query.edit_message_reply_markup(None)
        return
    verdict = talk.feedback_rows(action.interaction_id, _links_of(query), stored.helpful, stored.reason)
    rows = _cases_of(query) + verdict
    await query.edit_message_reply_markup(markup(rows))
    if isinstance(action, cb.Reason) and isinstance(query.message, Message):
        ask = _talk(context).text(replies.FEEDBACK_ASK_COMMENT)
        prompt = await _send(
            query.message.chat, escape(ask, quote=False), ForceReply(input_field_placeholder="Góp ý")
        )
        if context.user_data is not None:
            context.user_data.setdefault("comment_prompts", {})[prompt.message_id] = action.interaction_id


async def _choose(update: Update, context: Context, ref: str) -> None:
    services, conversation, user_id = _services(context), _talk(context), _user_id(update)
    chat = update.effective_chat
    assert chat is not None
    if not await asyncio.to_thread(conversation.has_agreed, user_id):
        await _show(chat, conversation.text(replies.PRIVACY_NOTICE), talk.consent_rows())
        return
    loop = asyncio.get_running_loop()
    reply = await loop.run_in_executor(services.answer_pool, conversation.choose, user_id, ref)
    if reply is None:
        await _show(chat, replies.ENTRY_GONE)
        return
    await send_reply(chat, reply)


async def _handoff(update: Update, query: CallbackQuery, context: Context, interaction_id: str) -> None:
    conversation = _talk(context)
    if not await asyncio.to_thread(conversation.handoff, _user_id(update), interaction_id):
        await query.edit_message_reply_markup(None)
        return
    await query.edit_message_reply_markup(markup(talk.handed_off_rows()))
    if isinstance(query.message, Message):
        await _show(query.message.chat, conversation.text(replies.HANDOFF_DONE))


async def _consent(update: Update, context: Context) -> None:
    query, chat = update.callback_query, update.effective_chat
    assert query is not None and chat is not None
    held = await asyncio.to_thread(_talk(context).agree, _user_id(update))
    await query.edit_message_reply_markup(None)
    if held is None:
        await _show(chat, replies.CONSENT_THANKS)
        return
    await answer_question(update, context, held)


async def _erase(update: Update, context: Context, confirmed: bool) -> None:
    query = update.callback_query
    assert query is not None
    if not confirmed:
        await query.edit_message_text(replies.ERASE_CANCELLED)
        return
    conversation = _talk(context)
    report = await asyncio.to_thread(conversation.erase, _user_id(update))
    if context.user_data is not None:
        context.user_data.clear()
    done = conversation.text(replies.ERASE_DONE, count=str(report.interactions))
    await query.edit_message_text(done)  # plain text: no parse mode, nothing to escape


# --- errors and wiring ------------------------------------------------------------------------


async def on_error(update: object, context: Context) -> None:
    """Log with the traceback (never the message text) and apologise instead of going silent."""
    update_id = update.update_id if isinstance(update, Update) else None
    log.error("telegram update %s failed", update_id, exc_info=context.error)
    if isinstance(update, Update) and update.effective_chat is not None:
        try:
            await _show(update.effective_chat, _talk(context).text(replies.ERROR))
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
