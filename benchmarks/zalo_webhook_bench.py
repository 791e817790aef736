"""Zalo webhook under load: 20 concurrent followers for 60 s against `hoidap serve` on loopback.

The app runs as its own process (`hoidap serve`, SQLite in a fresh data folder, the Zalo
channel on); this process plays Zalo twice over: it posts signed events to the webhook and
serves the fake OpenAPI the app sends replies to. Two figures per question: the webhook's
acknowledgement (POST → 200) and the reply (POST → first message at the fake API, one clock).
About 5% of events are delivered twice, as Zalo does when a 200 is late; each must be answered
once. Followers read 2–4 s between questions and tap 👍/👎 under some answers.

Run: `python -m benchmarks.zalo_webhook_bench [--users 20] [--seconds 60]`. Prints JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from benchmarks.serve_process import hoidap_serve, latency_figures, server_errors, stored
from core.evaluation import read_queries
from tests.fakes.zalo_api import APP_SECRET, FakeZalo, running_fake_zalo
from tests.fakes.zalo_driver import APP_ID, OA_ID, OA_SECRET_KEY, buttons, event, sign, text_event

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "faq_data" / "eval" / "golden.jsonl"
REDELIVERY_SHARE = 0.05
READING_SECONDS = (2.0, 4.0)
REPLY_TIMEOUT = 10.0


@dataclass
class Tally:
    ack_ms: list[float] = field(default_factory=list)
    reply_ms: list[float] = field(default_factory=list)
    questions: int = 0
    redelivered: int = 0
    taps: int = 0
    lost: int = 0


def zalo_env(fake: FakeZalo) -> dict[str, str]:
    return {
        "HOIDAP_ZALO_APP_ID": APP_ID,
        "HOIDAP_ZALO_OA_ID": OA_ID,
        "HOIDAP_ZALO_OA_SECRET_KEY": OA_SECRET_KEY,
        "HOIDAP_ZALO_APP_SECRET": APP_SECRET,
        "HOIDAP_ZALO_ACCESS_TOKEN": fake.access_token,
        "HOIDAP_ZALO_REFRESH_TOKEN": fake.refresh_token,
        "HOIDAP_ZALO_API_URL": fake.base_url,
        "HOIDAP_ZALO_OAUTH_URL": fake.base_url,
        "HOIDAP_USER_RATE_LIMIT": "1000/minute",
    }


async def _post(client: httpx.AsyncClient, url: str, body: dict[str, Any], t: Tally | None = None) -> float:
    """Post a signed event; returns when it was sent. With a tally, the ack time is recorded."""
    raw = json.dumps(body, ensure_ascii=False).encode()
    headers = {"Content-Type": "application/json", "X-ZEvent-Signature": sign(raw, body["timestamp"])}
    started = time.perf_counter()
    response = await client.post(url, content=raw, headers=headers)
    response.raise_for_status()
    if t is not None:
        t.ack_ms.append((time.perf_counter() - started) * 1000)
    return started


async def _arrived(fake: FakeZalo, user: str, count: int) -> list[float]:
    """Arrival times once the follower has more than ``count`` messages (or on timeout)."""
    deadline = time.perf_counter() + REPLY_TIMEOUT
    while len(times := fake.arrivals(user)) <= count and time.perf_counter() < deadline:
        await asyncio.sleep(0.005)
    return times


async def _follower(
    n: int, client: httpx.AsyncClient, url: str, fake: FakeZalo, queries: list[str], end: float, t: Tally
) -> None:
    rng, user = random.Random(n), f"88000000000{n:05d}"
    await asyncio.sleep(rng.uniform(*READING_SECONDS))  # followers do not arrive in step
    await _post(client, url, event(user, "follow"))
    await _arrived(fake, user, 0)
    consent = buttons(fake.to(user)[0])[0]["payload"]
    await _post(client, url, text_event(user, consent))
    seen = len(await _arrived(fake, user, 1))
    while time.perf_counter() < end:
        body = text_event(user, rng.choice(queries))
        started = await _post(client, url, body, t)
        t.questions += 1
        if rng.random() < REDELIVERY_SHARE:
            await _post(client, url, body)
            t.redelivered += 1
        times = await _arrived(fake, user, seen)
        if len(times) <= seen:
            t.lost += 1
            continue
        t.reply_ms.append((times[seen] - started) * 1000)
        await asyncio.sleep(rng.uniform(*READING_SECONDS))  # a split answer's parts land meanwhile
        seen = await _maybe_tap(user, client, url, fake, rng, t)


async def _maybe_tap(
    user: str, client: httpx.AsyncClient, url: str, fake: FakeZalo, rng: random.Random, t: Tally
) -> int:
    messages = fake.to(user)
    verdicts = [
        b["payload"] for b in buttons(messages[-1]) if str(b.get("payload", "")).startswith("#hd:fb:")
    ]
    if verdicts and rng.random() < 0.6:
        await _post(client, url, text_event(user, rng.choice(verdicts)))
        t.taps += 1
        return len(await _arrived(fake, user, len(messages)))
    return len(messages)


async def _load(base: str, fake: FakeZalo, users: int, seconds: float) -> Tally:
    queries = [q.text for q in read_queries(GOLDEN)]
    tally = Tally()
    end = time.perf_counter() + seconds
    async with httpx.AsyncClient(timeout=10, limits=httpx.Limits(max_connections=users * 2)) as client:
        url = f"{base}/webhooks/zalo"
        await asyncio.gather(*(_follower(i, client, url, fake, queries, end, tally) for i in range(users)))
    return tally


def measure(users: int = 20, seconds: float = 60) -> dict[str, Any]:
    with running_fake_zalo() as fake, tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp)
        with hoidap_serve(data_dir, zalo_env(fake)) as base:
            tally = asyncio.run(_load(base, fake, users, seconds))
            time.sleep(2)  # late taps and stragglers
        errors = server_errors(data_dir)
        interactions, feedback, answering = stored(data_dir)
    return {
        "users": users,
        "seconds": seconds,
        "questions": tally.questions,
        "redelivered_events": tally.redelivered,
        "lost_replies": tally.lost,
        # Each question processed once is one interaction; a redelivery answered again would be two.
        "duplicated_replies": interactions - (tally.questions - tally.lost),
        "interactions_stored": interactions,
        "feedback_taps": tally.taps,
        "feedback_rows": feedback,
        **latency_figures(tally.ack_ms, "ack_"),
        **latency_figures(tally.reply_ms, "reply_", with_max=True),
        **latency_figures(answering, "answering_", (50, 95)),
        "throughput_qps": round(tally.questions / seconds, 1),
        "server_errors": errors,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    args = parser.parse_args()
    print(json.dumps(measure(args.users, args.seconds), indent=2))


if __name__ == "__main__":
    main()
