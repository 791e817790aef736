"""Secrets never reach a log line: the Telegram token sits in every Bot API URL that httpx and
python-telegram-bot log, and in the text of some of their exceptions.

A log-record factory rewrites each record as it is created, so the redaction holds for every
logger and handler (filters on a logger would miss records of its child loggers).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable

REDACTED = "[REDACTED]"
_secrets: set[str] = set()
_lock = threading.Lock()
_installed = False


def redact(text: str) -> str:
    for secret in _secrets:
        text = text.replace(secret, REDACTED)
    return text


def _redact_object(value: object) -> object:
    """Non-string arguments (URLs, exceptions) are redacted through their text when they hold a secret."""
    if value is None or isinstance(value, int | float | bool):
        return value
    text = str(value)
    redacted = redact(text)
    return redacted if redacted != text else value


def _redacting_factory(base: logging._LogRecordFactory) -> logging._LogRecordFactory:  # type: ignore[name-defined]
    def factory(*args: object, **kwargs: object) -> logging.LogRecord:
        record: logging.LogRecord = base(*args, **kwargs)
        if not _secrets:
            return record
        # Redact in place, keeping msg and args apart: formatters such as uvicorn's access log
        # read record.args as a tuple.
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else _redact_object(a) for a in record.args)
        if record.exc_info:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        return record

    return factory


def protect(secrets: Iterable[str | None]) -> None:
    """Redact these strings (for example the bot token) from every log record from now on."""
    global _installed
    with _lock:
        _secrets.update(s for s in secrets if s and len(s) >= 8)
        if not _installed:
            logging.setLogRecordFactory(_redacting_factory(logging.getLogRecordFactory()))
            _installed = True


class DropQueryStrings(logging.Filter):
    """Access-log lines keep the path, not the query: a public search puts the citizen's typed
    question (which may hold personal data) in the URL, and the app does not record it either."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        # uvicorn's access record: (client, method, path with query, http version, status)
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str) and "?" in args[2]:
            record.args = (*args[:2], args[2].split("?", 1)[0] + "?…", *args[3:])
        return True


def drop_access_log_queries(logger_name: str = "uvicorn.access") -> None:
    logger = logging.getLogger(logger_name)
    if not any(isinstance(f, DropQueryStrings) for f in logger.filters):
        logger.addFilter(DropQueryStrings())
