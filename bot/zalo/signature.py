"""Verifying Zalo's ``X-ZEvent-Signature: mac=<hex>`` header.

The mac is SHA-256 (hex) of: an id + the raw request body + the event's ``timestamp`` + the OA
secret key. Zalo's documentation uses the app id; one secondary source uses the OA id, so
which id is hashed is a setting (``HOIDAP_ZALO_SIGNATURE_ID``: ``app`` or ``oa``).
"""

from __future__ import annotations

import hashlib
import hmac

PREFIX = "mac="


def expected_mac(identifier: str, raw_body: bytes, timestamp: str, oa_secret_key: str) -> str:
    data = identifier.encode() + raw_body + timestamp.encode() + oa_secret_key.encode()
    return hashlib.sha256(data).hexdigest()


def signature_header(identifier: str, raw_body: bytes, timestamp: str, oa_secret_key: str) -> str:
    """The header value Zalo would send (used by tests and the benchmark's fake Zalo)."""
    return PREFIX + expected_mac(identifier, raw_body, timestamp, oa_secret_key)


def is_valid(
    header: str | None, identifier: str, raw_body: bytes, timestamp: str, oa_secret_key: str
) -> bool:
    """Constant-time check of the header against the body it came with."""
    if not header or not header.startswith(PREFIX) or not oa_secret_key:
        return False
    expected = expected_mac(identifier, raw_body, timestamp, oa_secret_key)
    return hmac.compare_digest(header[len(PREFIX) :].strip().lower().encode(), expected.encode())
