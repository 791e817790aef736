"""What every chat channel (Telegram, Zalo) needs from the core, built once from the runtime."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

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
    # Answers run on their own small pool: the model is used one call at a time, and queued
    # answers must not take the threads that cheap database calls (duplicate checks,
    # feedback) need, or every update would wait behind the model.
    answer_pool: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(max_workers=2, thread_name_prefix="answer")
    )

    @classmethod
    def from_runtime(cls, runtime: Runtime) -> ChannelServices:
        s = runtime.settings
        return cls(
            settings=s,
            runtime=runtime,
            answers=runtime.service,
            consent=ConsentRegistry(runtime.engine),
            ledger=UpdateLedger(runtime.engine),
            limiter=UserRateLimiter(s.user_rate_limit, runtime.engine),
            browser=FaqBrowser(runtime.engine, runtime.live),
        )

    def close(self) -> None:
        """Stop the answer pool (once every channel using it has stopped)."""
        self.answer_pool.shutdown(wait=False)

    def reply_values(self) -> dict[str, str]:
        """Placeholder values for channel texts (the office's facts plus a few settings)."""
        return {
            **self.settings.placeholders(),
            "retention_days": str(self.settings.retention_days),
            "max_message_chars": str(self.settings.max_message_chars),
        }
