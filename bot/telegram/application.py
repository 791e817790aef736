"""The python-telegram-bot Application, and the channel that starts and stops it with our app.

Polling suits a small office (no public URL needed); webhook mode is for production: Telegram
posts to POST /webhooks/telegram on our own FastAPI app, which answers 200 at once and hands
the update to the application's queue.
"""

from __future__ import annotations

import hmac
import logging
from typing import Any

from telegram import Update
from telegram.ext import AIORateLimiter, Application

from bot.telegram import handlers
from core.channel import ChannelServices
from core.conversation import Conversation
from core.log_redaction import protect
from core.settings import Settings

log = logging.getLogger(__name__)
ALLOWED_UPDATES = ["message", "callback_query"]
TelegramApp = Application[Any, Any, Any, Any, Any, Any]


class TelegramConfigError(ValueError):
    """Telegram was asked for but is not configured."""


def _token(settings: Settings) -> str:
    if settings.telegram_token is None:
        raise TelegramConfigError("HOIDAP_TELEGRAM_TOKEN is not set")
    token = settings.telegram_token.get_secret_value()
    protect([token])
    return token


def build_application(settings: Settings, services: ChannelServices, polling: bool) -> TelegramApp:
    builder = (
        Application.builder()
        .token(_token(settings))
        .base_url(settings.telegram_api_url)
        .rate_limiter(AIORateLimiter(max_retries=3))
        .concurrent_updates(True)  # citizens are independent; one slow answer must not queue others
    )
    if not polling:
        builder = builder.updater(None)
    app = builder.build()
    app.bot_data["services"] = services
    app.bot_data["conversation"] = Conversation(services, handlers.CHANNEL)
    handlers.register(app)
    return app


class TelegramChannel:
    def __init__(self, settings: Settings, services: ChannelServices) -> None:
        self.settings = settings
        self.webhook = bool(settings.telegram_webhook_url)
        self.services = services
        self.application = build_application(settings, services, polling=not self.webhook)
        secret = settings.telegram_webhook_secret
        self._secret = secret.get_secret_value().encode() if secret is not None else b""
        if self._secret:
            protect([secret.get_secret_value() if secret else None])

    async def start(self) -> None:
        app = self.application
        await app.initialize()
        await app.start()
        if self.webhook:
            await app.bot.set_webhook(
                url=str(self.settings.telegram_webhook_url),
                secret_token=self._secret.decode(),
                allowed_updates=ALLOWED_UPDATES,
            )
            log.info("telegram: webhook mode")
        else:
            assert app.updater is not None
            await app.updater.start_polling(allowed_updates=ALLOWED_UPDATES)
            log.info("telegram: polling mode")

    async def stop(self) -> None:
        app = self.application
        if app.updater is not None and app.updater.running:
            await app.updater.stop()
        if app.running:
            await app.stop()
        await app.shutdown()

    def secret_matches(self, header: str | None) -> bool:
        """Constant-time comparison of X-Telegram-Bot-Api-Secret-Token."""
        return bool(self._secret) and hmac.compare_digest((header or "").encode(), self._secret)

    async def enqueue(self, data: dict[str, Any]) -> None:
        update = Update.de_json(data, self.application.bot)
        await self.application.update_queue.put(update)
