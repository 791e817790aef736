"""The Zalo OA client over real HTTP against a fake OpenAPI/OAuth server, and webhook signatures."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy.engine import Engine

from bot.zalo import signature
from bot.zalo.client import (
    OAClient,
    ZaloAuthError,
    ZaloTransportError,
)
from bot.zalo.render import MAX_TEXT_CHARS, to_messages
from bot.zalo.tokens import DatabaseTokenStore, TokenPair
from core.actions import Feedback
from core.conversation import Button, Outgoing
from tests.fakes.zalo_api import APP_SECRET, FakeZalo, running_fake_zalo

USER = "2468013579"


@pytest.fixture
def fake() -> Iterator[FakeZalo]:
    with running_fake_zalo() as server:
        yield server


def _client(fake: FakeZalo, engine: Engine, **kwargs: object) -> tuple[OAClient, DatabaseTokenStore]:
    store = DatabaseTokenStore(engine)
    store.save(TokenPair(fake.access_token, fake.refresh_token))
    client = OAClient(
        "app-1",
        APP_SECRET,
        store,
        api_url=fake.base_url,
        oauth_url=fake.base_url,
        backoff_seconds=0.01,
        **kwargs,  # type: ignore[arg-type]
    )
    return client, store


def test_long_text_is_split_at_the_limit(fake: FakeZalo, sqlite_engine: Engine) -> None:
    client, _ = _client(fake, sqlite_engine)
    paragraph = "Hồ sơ gồm tờ khai và giấy tờ tùy thân. " * 20
    ids = asyncio.run(_send_and_close(client, "\n\n".join([paragraph] * 6)))
    texts = [m["message"]["text"] for m in fake.sent]
    assert len(ids) == len(texts) > 1 and all(len(t) <= MAX_TEXT_CHARS for t in texts)
    assert all(m["recipient"] == {"user_id": USER} for m in fake.sent)


async def _send_and_close(client: OAClient, text: str) -> list[str]:
    """The text as the channel sends it: rendered into Zalo messages, sent in order."""
    try:
        return [await client.send_message(USER, message) for message in to_messages(Outgoing(text))]
    finally:
        await client.aclose()


def test_buttons_are_hidden_queries_or_links(fake: FakeZalo, sqlite_engine: Engine) -> None:
    client, _ = _client(fake, sqlite_engine)
    rows = [
        [Button("👍 Hữu ích", Feedback("abc", True)), Button("Cổng DVC", url="https://dichvucong.gov.vn")]
    ]
    [message] = to_messages(Outgoing("Câu trả lời có giúp được bạn?", rows))

    async def go() -> None:
        await client.send_message(USER, message)
        await client.aclose()

    asyncio.run(go())
    payload = fake.sent[0]["message"]["attachment"]["payload"]
    assert payload["template_type"] == "button"
    assert payload["buttons"][0] == {
        "title": "👍 Hữu ích",
        "type": "oa.query.hide",
        "payload": "#hd:fb:abc:u",
    }
    assert payload["buttons"][1]["type"] == "oa.open.url"


def test_expired_token_is_refreshed_once_for_concurrent_senders(
    any_engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with running_fake_zalo() as fake:
        client, store = _client(fake, any_engine)
        fake.expire()

        async def go() -> list[str]:
            try:
                return await asyncio.gather(
                    *(client.send_message(USER, {"text": f"tin {i}"}) for i in range(10))
                )
            finally:
                await client.aclose()

        ids = asyncio.run(go())
    assert fake.refreshes == 1 and len(fake.sent) == 10 and all(ids)
    assert store.load() == TokenPair("access-1", "refresh-1")  # the rotated pair is persisted
    for secret in ("access-1", "refresh-1", "refresh-0", APP_SECRET):
        assert secret not in caplog.text


def test_refresh_failure_is_reported_not_swallowed(
    fake: FakeZalo, sqlite_engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    client, store = _client(fake, sqlite_engine)
    fake.expire()
    fake.refuse_refresh = True

    async def go() -> None:
        try:
            await client.send_message(USER, {"text": "xin chào"})
        finally:
            await client.aclose()

    with pytest.raises(ZaloAuthError, match="refresh refused"):
        asyncio.run(go())
    assert "refresh refused" in caplog.text
    assert store.load() == TokenPair("access-0", "refresh-0")  # nothing overwritten
    assert fake.sent == []


def test_server_errors_are_retried_with_backoff(fake: FakeZalo, sqlite_engine: Engine) -> None:
    client, _ = _client(fake, sqlite_engine)
    fake.fail_next = 2
    asyncio.run(_send_and_close(client, "xin chào"))
    assert fake.message_calls == 3 and len(fake.sent) == 1


def test_network_failure_after_retries_raises_transport_error(sqlite_engine: Engine) -> None:
    calls: list[httpx.Request] = []

    def refuse(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        raise httpx.ConnectError("connection refused", request=request)

    store = DatabaseTokenStore(sqlite_engine)
    store.save(TokenPair("a", "r"))
    client = OAClient("app-1", APP_SECRET, store, transport=httpx.MockTransport(refuse), backoff_seconds=0.0)
    with pytest.raises(ZaloTransportError, match="ConnectError after 4 attempts"):
        asyncio.run(_send_and_close(client, "xin chào"))
    assert len(calls) == 4


def test_no_tokens_stored_is_a_clear_error(fake: FakeZalo, sqlite_engine: Engine) -> None:
    client = OAClient("app-1", APP_SECRET, DatabaseTokenStore(sqlite_engine), api_url=fake.base_url)
    with pytest.raises(ZaloAuthError, match="zalo set-tokens"):
        asyncio.run(_send_and_close(client, "xin chào"))


@pytest.mark.parametrize("identifier", ["app-id-1", "oa-id-9"])
def test_signature_round_trip_and_rejections(identifier: str) -> None:
    body = b'{"app_id":"app-id-1","event_name":"user_send_text","timestamp":"1732250000000"}'
    header = signature.signature_header(identifier, body, "1732250000000", "oa-secret")
    assert signature.is_valid(header, identifier, body, "1732250000000", "oa-secret")
    assert not signature.is_valid(header, identifier, body + b" ", "1732250000000", "oa-secret")
    assert not signature.is_valid(header, identifier, body, "1732250000001", "oa-secret")
    assert not signature.is_valid(header, identifier, body, "1732250000000", "other-secret")
    assert not signature.is_valid(None, identifier, body, "1732250000000", "oa-secret")
    assert not signature.is_valid(header.removeprefix("mac="), identifier, body, "1732250000000", "oa-secret")
