"""The Zalo channel inside our FastAPI app: accepts verified events, processes each in the
background (once, in order per follower), sends the replies, and retries what Zalo refused."""

from __future__ import annotations

import asyncio
import logging
import time
import weakref

from bot.zalo import signature
from bot.zalo.client import OAClient, ZaloApiError, ZaloError
from bot.zalo.events import ZaloEvent
from bot.zalo.handlers import ZaloConversation
from bot.zalo.outbox import Message, Outbox
from bot.zalo.render import to_messages
from bot.zalo.tokens import DatabaseTokenStore, TokenPair
from core import replies
from core.channel import ChannelServices
from core.conversation import Conversation, Outgoing
from core.log_redaction import protect
from core.settings import Settings

log = logging.getLogger(__name__)
CHANNEL = "zalo"
RETRY_BATCH = 50
PAGE_SIZE = 4  # browsing pages small enough for Zalo's few buttons per message


class ZaloChannel:
    def __init__(self, settings: Settings, services: ChannelServices, client: OAClient | None = None) -> None:
        assert settings.zalo_app_id and settings.zalo_oa_secret_key and settings.zalo_app_secret
        self.settings = settings
        self.services = services
        self._secret_key = settings.zalo_oa_secret_key.get_secret_value()
        self._signed_id = settings.zalo_oa_id if settings.zalo_signature_id == "oa" else settings.zalo_app_id
        protect([self._secret_key])
        self.tokens = DatabaseTokenStore(services.runtime.engine)
        self.client = client or OAClient(
            settings.zalo_app_id,
            settings.zalo_app_secret.get_secret_value(),
            self.tokens,
            api_url=settings.zalo_api_url,
            oauth_url=settings.zalo_oauth_url,
        )
        self.conversation = Conversation(services, CHANNEL, page_size=PAGE_SIZE)
        self.talk = ZaloConversation(self.conversation, services.answer_pool)
        self.outbox = Outbox(services.runtime.engine)
        self._tasks: set[asyncio.Task[None]] = set()
        self._user_locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()
        self._retrying: asyncio.Task[None] | None = None

    # --- life cycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        await asyncio.to_thread(self._seed_tokens)
        self._retrying = asyncio.create_task(self._retry_periodically())
        log.info("zalo: webhook channel on POST /webhooks/zalo")

    def _seed_tokens(self) -> None:
        """The first token pair may come from settings; after that the database owns it."""
        s = self.settings
        if self.tokens.load() is None and s.zalo_access_token and s.zalo_refresh_token:
            self.tokens.save(
                TokenPair(s.zalo_access_token.get_secret_value(), s.zalo_refresh_token.get_secret_value())
            )

    async def stop(self) -> None:
        if self._retrying is not None:
            self._retrying.cancel()
        if self._tasks:  # let replies being sent finish (or reach the outbox), within reason
            _, unfinished = await asyncio.wait(self._tasks, timeout=10)
            if unfinished:
                log.error(
                    "zalo: %d event(s) still being answered at shutdown were cancelled", len(unfinished)
                )
                for task in unfinished:
                    task.cancel()
        await self.client.aclose()

    async def drain(self) -> None:
        """Wait until every accepted event has been processed (tests and benchmarks)."""
        while self._tasks:
            await asyncio.wait(set(self._tasks))

    # --- events in ----------------------------------------------------------------------------

    def signature_valid(self, header: str | None, raw_body: bytes, timestamp: str) -> bool:
        return signature.is_valid(header, self._signed_id or "", raw_body, timestamp, self._secret_key)

    def is_stale(self, event: ZaloEvent, now_ms: int | None = None) -> bool:
        now = now_ms if now_ms is not None else int(time.time() * 1000)
        return abs(now - event.signed_at_ms()) > self.settings.zalo_timestamp_tolerance_seconds * 1000

    def accept(self, event: ZaloEvent) -> None:
        """Take a verified event; it is processed in the background so Zalo gets its 200 now."""
        task = asyncio.create_task(self._process(event))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _lock_for(self, user_id: str) -> asyncio.Lock:
        lock = self._user_locks.get(user_id)
        if lock is None:
            lock = asyncio.Lock()
            self._user_locks[user_id] = lock
        return lock

    async def _process(self, event: ZaloEvent) -> None:
        if not event.answered or event.user_id is None:
            return  # nothing to answer, so nothing to record
        # The lock is taken before the first await, so events of one follower run in the
        # order they arrived (asyncio locks are first-come, first-served).
        async with self._lock_for(event.user_id):
            try:
                if not await asyncio.to_thread(self.services.ledger.claim, CHANNEL, event.dedupe_key):
                    return  # a redelivery, here or on another worker
                outgoing = await self.talk.respond(event)
                await self.deliver(event.user_id, outgoing)
            except Exception:  # never the message text: it is personal data
                log.exception("zalo event %s (%s) failed", event.msg_id or event.dedupe_key, event.name)
                await self._apologise(event.user_id)

    async def _apologise(self, user_id: str) -> None:
        try:
            await self.deliver(user_id, [Outgoing(self.conversation.text(replies.ERROR))])
        except Exception:
            log.warning("could not send the apology to a Zalo follower")

    # --- replies out --------------------------------------------------------------------------

    async def deliver(self, user_id: str, outgoing: list[Outgoing]) -> None:
        """Send in order; what Zalo does not take now is queued for a retry and logged."""
        messages = [m for out in outgoing for m in to_messages(out)]
        rest, error = await self._send(user_id, messages)
        if rest:
            user_hash = self.conversation.user_hash(user_id)
            await asyncio.to_thread(self.outbox.put, user_id, user_hash, rest, error)
            log.error(
                "zalo: %d message(s) for user %s queued for retry: %s", len(rest), user_hash[:12], error
            )

    async def _send(self, user_id: str, messages: list[Message]) -> tuple[list[Message], str]:
        """Send until Zalo stops taking messages; returns the unsent rest and why."""
        for sent, message in enumerate(messages):
            try:
                await self.client.send_message(user_id, message)
            except ZaloApiError as exc:  # Zalo refused this message itself: retrying cannot help
                log.error(
                    "zalo: message refused (error %s); %d not delivered", exc.code, len(messages) - sent
                )
                return [], ""
            except Exception as exc:  # refresh refused, network, 5xx, client closed: try later
                return messages[sent:], f"{type(exc).__name__}: {exc}"
        return [], ""

    async def retry_outbox(self) -> int:
        """One pass over the undelivered replies, oldest first; returns how many went out."""
        if dropped := await asyncio.to_thread(self.outbox.drop_expired):
            log.error(
                "zalo: %d undelivered repl(ies) dropped: older than Zalo's 48-hour reply window", dropped
            )
        delivered = 0
        for pending in await asyncio.to_thread(self.outbox.claim_oldest, RETRY_BATCH):
            async with self._lock_for(pending.user_id):
                rest, error = await self._send(pending.user_id, pending.messages)
            if rest:
                await asyncio.to_thread(self.outbox.failed, pending, rest, error)
            else:
                await asyncio.to_thread(self.outbox.delivered, pending)
                delivered += 1
        return delivered

    async def _retry_periodically(self) -> None:
        while True:
            await asyncio.sleep(self.settings.zalo_outbox_retry_seconds)
            try:
                if delivered := await self.retry_outbox():
                    log.info("zalo: delivered %d queued repl(ies)", delivered)
            except Exception:
                log.exception("zalo: outbox retry failed; will try again")


__all__ = ["CHANNEL", "ZaloChannel", "ZaloError"]
