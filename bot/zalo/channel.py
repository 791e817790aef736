"""The Zalo channel inside our FastAPI app: accepts verified events, processes each in the
background (once, in order per follower), sends the replies, and retries what Zalo refused."""

from __future__ import annotations

import asyncio
import logging
import time
import weakref

from bot.zalo import signature
from bot.zalo.client import OAClient, ZaloApiError, ZaloAuthError, ZaloError, ZaloTransportError
from bot.zalo.events import ZaloEvent
from bot.zalo.handlers import ZaloConversation
from bot.zalo.outbox import Message, Outbox, Pending
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
        if self._tasks:  # let replies being sent finish, within reason
            await asyncio.wait(self._tasks, timeout=10)
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
        if event.user_id is None:
            return
        try:
            if not await asyncio.to_thread(self.services.ledger.claim, CHANNEL, event.dedupe_key):
                return  # a redelivery, here or on another worker
            async with self._lock_for(event.user_id):  # one follower's replies stay in order
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
        messages = [m for out in outgoing for m in to_messages(out)]
        await self._send_or_queue(user_id, messages, attempts=0)

    async def _send_or_queue(self, user_id: str, messages: list[Message], attempts: int) -> bool:
        """Send in order; what Zalo does not take now (refresh refused, API unreachable) is
        queued for a retry and logged, never dropped."""
        for sent, message in enumerate(messages):
            try:
                await self.client.send_message(user_id, message)
            except (ZaloAuthError, ZaloTransportError) as exc:
                rest = messages[sent:]
                user_hash = self.conversation.user_hash(user_id)
                await asyncio.to_thread(self.outbox.put, user_id, user_hash, rest, attempts + 1, str(exc))
                log.error(
                    "zalo: %d message(s) for user %s queued for retry: %s", len(rest), user_hash[:12], exc
                )
                return False
            except ZaloApiError as exc:  # Zalo refused this message itself: retrying cannot help
                log.error(
                    "zalo: message refused (error %s); %d message(s) not delivered",
                    exc.code,
                    len(messages) - sent,
                )
                return False
        return True

    async def retry_outbox(self) -> int:
        """One pass over the undelivered replies; returns how many batches were delivered."""
        delivered = 0
        for pending in await asyncio.to_thread(self.outbox.oldest, RETRY_BATCH):
            if not await asyncio.to_thread(self.outbox.claim, pending):
                continue  # another worker took it
            if not await self._redeliver(pending):
                break  # Zalo still refuses: try again next round
            delivered += 1
        return delivered

    async def _redeliver(self, pending: Pending) -> bool:
        async with self._lock_for(pending.user_id):
            return await self._send_or_queue(pending.user_id, pending.messages, pending.attempts)

    async def _retry_periodically(self) -> None:
        while True:
            await asyncio.sleep(self.settings.zalo_outbox_retry_seconds)
            try:
                if delivered := await self.retry_outbox():
                    log.info("zalo: delivered %d queued repl(ies)", delivered)
            except Exception:
                log.exception("zalo: outbox retry failed; will try again")


__all__ = ["CHANNEL", "ZaloChannel", "ZaloError"]
