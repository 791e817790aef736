"""What every chat channel (Telegram, Zalo) needs from the core, built once from the runtime."""

from __future__ import annotations

from dataclasses import dataclass

from core.answering import AnswerService
from core.browse import FaqBrowser
from core.consent import ConsentRegistry
from core.rate_limit import UserRateLimiter
from core.runtime import Runtime
from core.settings import Settings
from core.update_ledger import UpdateLedger


@dataclass(frozen=True)
class ChannelServices:
    settings: Settings
    runtime: Runtime
    answers: AnswerService
    consent: ConsentRegistry
    ledger: UpdateLedger
    limiter: UserRateLimiter
    browser: FaqBrowser

    @classmethod
    def from_runtime(cls, runtime: Runtime) -> ChannelServices:
        s = runtime.settings
        return cls(
            settings=s,
            runtime=runtime,
            answers=runtime.service,
            consent=ConsentRegistry(runtime.engine),
            ledger=UpdateLedger(runtime.engine),
            limiter=UserRateLimiter(s.user_rate_limit),
            browser=FaqBrowser(runtime.engine, runtime.live),
        )

    def reply_values(self) -> dict[str, str]:
        """Placeholder values for channel texts (the office's facts plus a few settings)."""
        return {
            **self.settings.placeholders(),
            "retention_days": str(self.settings.retention_days),
            "max_message_chars": str(self.settings.max_message_chars),
        }
