"""An async client for the Zalo OA OpenAPI: customer-service messages (built by
``bot.zalo.render``) and access-token refresh.

Exceptions (all subclasses of ``ZaloError``):
- ``ZaloTransportError``: the network failed, or Zalo answered 5xx, after every retry;
- ``ZaloApiError``: Zalo answered with an error code (``code``) other than an expired token;
- ``ZaloAuthError``: no token pair is stored, or refreshing it failed.

Tests replace the network by passing an ``httpx`` transport, or point the base URLs at a fake.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import httpx

from bot.zalo.tokens import TokenPair, TokenStore
from core.log_redaction import protect

log = logging.getLogger(__name__)
TOKEN_EXPIRED = -216
TIMEOUT = httpx.Timeout(10.0, connect=5.0)


class ZaloError(Exception):
    """Base class of the client's errors."""


class ZaloTransportError(ZaloError):
    """The request failed at the network or with a 5xx after all retries."""


class ZaloApiError(ZaloError):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(f"Zalo error {code}: {message}")
        self.code = code


class ZaloAuthError(ZaloError):
    """No token pair stored, or the refresh was refused."""


class OAClient:
    def __init__(
        self,
        app_id: str,
        app_secret: str,
        store: TokenStore,
        api_url: str = "https://openapi.zalo.me",
        oauth_url: str = "https://oauth.zaloapp.com",
        transport: httpx.AsyncBaseTransport | None = None,
        retries: int = 3,
        backoff_seconds: float = 0.2,
    ) -> None:
        self._app_id = app_id
        self._app_secret = app_secret
        self._store = store
        self._api_url = api_url.rstrip("/")
        self._oauth_url = oauth_url.rstrip("/")
        self._http = httpx.AsyncClient(timeout=TIMEOUT, transport=transport)
        self._retries = retries
        self._backoff = backoff_seconds
        self._pair: TokenPair | None = None
        self._refresh_lock = asyncio.Lock()  # single flight: concurrent senders wait for one refresh
        protect([app_secret])

    async def aclose(self) -> None:
        await self._http.aclose()

    async def send_message(self, user_id: str, message: dict[str, Any]) -> str:
        """Send one message body (text or attachment) as a customer-service message; returns
        its id. An expired access token is refreshed once and the message resent."""
        body = {"recipient": {"user_id": user_id}, "message": message}
        pair = self._pair or await self._tokens()
        data = await self._post_message(pair.access_token, body)
        if data.get("error") == TOKEN_EXPIRED:
            pair = await self.refresh(expired=pair.access_token)
            data = await self._post_message(pair.access_token, body)
            if data.get("error") == TOKEN_EXPIRED:
                self._pair = None  # read the store again next time
                raise ZaloAuthError("the access token is still refused after a refresh")
        if data.get("error") != 0:
            raise ZaloApiError(int(data.get("error", -1)), str(data.get("message", "")))
        return str((data.get("data") or {}).get("message_id", ""))

    async def _post_message(self, access_token: str, body: dict[str, Any]) -> dict[str, Any]:
        url = f"{self._api_url}/v3.0/oa/message/cs"
        response = await self._request("POST", url, json=body, headers={"access_token": access_token})
        return _json(response)

    async def _tokens(self) -> TokenPair:
        """The stored pair (kept in memory until Zalo says it expired: it is read on every send)."""
        pair = await asyncio.to_thread(self._store.load)
        if pair is None:
            raise ZaloAuthError("no Zalo token pair stored: run `hoidap zalo set-tokens`")
        protect([pair.access_token, pair.refresh_token])
        self._pair = pair
        return pair

    async def refresh(self, expired: str | None = None) -> TokenPair:
        """Exchange the stored refresh token for a new pair, once for all waiting senders.

        A caller that saw ``expired`` fail gets the pair another caller refreshed meanwhile
        instead of spending the (single-use) refresh token a second time.
        """
        async with self._refresh_lock:
            current = await self._tokens()
            if expired is not None and current.access_token != expired:
                return current
            response = await self._request(
                "POST",
                f"{self._oauth_url}/v4/oa/access_token",
                data={
                    "refresh_token": current.refresh_token,
                    "app_id": self._app_id,
                    "grant_type": "refresh_token",
                },
                headers={"secret_key": self._app_secret},
            )
            data = _json(response)
            if "access_token" not in data or "refresh_token" not in data:
                latest = await self._tokens()
                if latest.refresh_token != current.refresh_token:  # another worker rotated it first
                    return latest
                log.error("Zalo token refresh refused: %s", data.get("error_name") or data.get("error"))
                raise ZaloAuthError(f"token refresh refused: {data.get('error_name') or data.get('error')}")
            pair = TokenPair(str(data["access_token"]), str(data["refresh_token"]))
            protect([pair.access_token, pair.refresh_token])
            await asyncio.to_thread(self._store.save, pair)  # durable before use: the old one is spent
            self._pair = pair
            log.info("Zalo access token refreshed")
            return pair

    async def _request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """Retry network errors and 5xx with exponential backoff; other statuses return."""
        for attempt in range(self._retries + 1):
            try:
                response = await self._http.request(method, url, **kwargs)
                if response.status_code < 500:
                    return response
                problem = f"HTTP {response.status_code}"
            except httpx.TransportError as exc:
                problem = type(exc).__name__
            if attempt < self._retries:
                log.warning("Zalo %s failed (%s); retrying", url.rsplit("/", 1)[-1], problem)
                await asyncio.sleep(self._backoff * 2**attempt)
        raise ZaloTransportError(f"{method} {url}: {problem} after {self._retries + 1} attempts")


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError as exc:
        raise ZaloTransportError(f"non-JSON answer (HTTP {response.status_code})") from exc
    if not isinstance(data, dict):
        raise ZaloTransportError("unexpected JSON answer")
    return data
