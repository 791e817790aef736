"""Telegram webhook under load: 20 concurrent citizens for 60 s against `hoidap serve` on loopback.

The app runs as its own process (`hoidap serve`, webhook mode, SQLite in a fresh data folder);
this process plays Telegram twice over: it posts updates to the webhook as Telegram would, and
serves the fake Bot API the app sends its replies to. Latency is measured from the moment an
update is posted to the moment its first `sendMessage` reaches the fake API (one clock). About
5% of updates are delivered twice, as Telegram does when a 200 is late; each must be answered once.

Run: `python -m benchmarks.telegram_webhook_bench [--users 20] [--seconds 60]`. Prints JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from benchmarks.serve_process import hoidap_serve, latency_figures, server_errors, stored
from core import actions as cb
from core.evaluation import read_queries
from tests.fakes.telegram_api import (
    FakeTelegram,
    callback_update,
    running_fake_telegram,
    text_update,
)

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "faq_data" / "eval" / "golden.jsonl"
TOKEN = "123456789:BENCH-token-abcdefghijklmnopqrstuvwxy"
SECRET = "bench-webhook-secret-0123456789abcdef"
REDELIVERY_SHARE = 0.05
# Between a reply and the next question a citizen reads (answers run to several hundred
# characters). Without a pause the 20 users would ask faster than Telegram lets one bot send
# (30 messages a second, enforced by the outgoing rate limiter), and we would measure that queue.
READING_SECONDS = (2.0, 4.0)


@dataclass
class Tally:
    latencies_ms: list[float] = field(default_factory=list)
    questions: int = 0
    redelivered: int = 0
    taps: int = 0
    lost: int = 0
    errors: int = 0


def _env(fake: FakeTelegram, threads: int | None) -> dict[str, str]:
    env = {
        "HOIDAP_TELEGRAM_TOKEN": TOKEN,
        "HOIDAP_TELEGRAM_API_URL": fake.base_url,
        "HOIDAP_TELEGRAM_WEBHOOK_URL": "https://hoidap.example/webhooks/telegram",
        "HOIDAP_TELEGRAM_WEBHOOK_SECRET": SECRET,
        "HOIDAP_USER_RATE_LIMIT": "1000/minute",
    }
    if threads is not None:
        env["HOIDAP_EMBEDDING_THREADS"] = str(threads)
    return env


async def _post(client: httpx.AsyncClient, url: str, update: dict[str, Any]) -> None:
    r = await client.post(url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET})
    r.raise_for_status()


async def _citizen(
    user: int,
    client: httpx.AsyncClient,
    url: str,
    fake: FakeTelegram,
    queries: list[str],
    end: float,
    t: Tally,
) -> None:
    rng = random.Random(user)
    await asyncio.sleep(rng.uniform(*READING_SECONDS))  # independent citizens do not arrive in step
    await _post(client, url, text_update(fake, user, "/start"))
    notice = (await asyncio.to_thread(fake.wait_sent, user, 2))[1]
    await _post(
        client,
        url,
        callback_update(fake, user, 2, cb.encode(cb.Consent()), notice.params.get("reply_markup")),
    )
    expected = len(await asyncio.to_thread(fake.wait_sent, user, 3))
    while time.perf_counter() < end:
        update = text_update(fake, user, rng.choice(queries))
        started = time.perf_counter()
        await _post(client, url, update)
        t.questions += 1
        if rng.random() < REDELIVERY_SHARE:
            await _post(client, url, update)
            t.redelivered += 1
        sent = await asyncio.to_thread(fake.wait_sent, user, expected + 1, 10.0)
        if len(sent) <= expected:
            t.lost += 1
            continue
        t.latencies_ms.append((sent[expected].at - started) * 1000)
        expected = len(sent)
        await _maybe_tap(user, client, url, fake, sent[-1], rng, t, expected)
        await asyncio.sleep(rng.uniform(*READING_SECONDS))


async def _maybe_tap(
    user: int,
    client: httpx.AsyncClient,
    url: str,
    fake: FakeTelegram,
    last: Any,
    rng: random.Random,
    t: Tally,
    message_id: int,
) -> None:
    markup = last.params.get("reply_markup") or {}
    data = [b.get("callback_data", "") for row in markup.get("inline_keyboard", []) for b in row]
    verdicts = [d for d in data if d.startswith("fb:")]
    if not verdicts or rng.random() < 0.4:
        return
    choice = rng.choice(verdicts)
    await _post(client, url, callback_update(fake, user, message_id, choice, markup))
    t.taps += 1


async def _load(base: str, fake: FakeTelegram, users: int, seconds: float) -> Tally:
    queries = [q.text for q in read_queries(GOLDEN)]
    tally = Tally()
    end = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=users * 2)
    async with httpx.AsyncClient(timeout=10, limits=limits) as client:
        url = f"{base}/webhooks/telegram"
        await asyncio.gather(
            *(_citizen(900000 + i, client, url, fake, queries, end, tally) for i in range(users))
        )
    return tally


def measure(users: int = 20, seconds: float = 60, threads: int | None = None) -> dict[str, Any]:
    with running_fake_telegram(TOKEN) as fake, tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp)
        with hoidap_serve(data_dir, _env(fake, threads)) as base:
            tally = asyncio.run(_load(base, fake, users, seconds))
            time.sleep(2)  # late taps and stragglers
        errors = server_errors(data_dir)
        interactions, feedback, answering = stored(data_dir)
        replies = sum(len(fake.wait_sent(900000 + i, 0, 0)) - 3 for i in range(users))
    return {
        "embedding_threads": threads or int(os.environ.get("HOIDAP_EMBEDDING_THREADS", "2")),
        "users": users,
        "seconds": seconds,
        "questions": tally.questions,
        "redelivered_updates": tally.redelivered,
        "replies": replies,
        "lost_replies": tally.lost,
        "duplicated_replies": replies - (tally.questions - tally.lost),
        "interactions_stored": interactions,
        "feedback_taps": tally.taps,
        "feedback_rows": feedback,
        **latency_figures(tally.latencies_ms, with_max=True),
        **latency_figures(answering, "answering_", (50, 95)),  # of which AnswerService (in the app)
        "throughput_qps": round(tally.questions / seconds, 1),
        "server_errors": errors,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--threads", type=int, default=None, help="HOIDAP_EMBEDDING_THREADS of the server")
    args = parser.parse_args()
    print(json.dumps(measure(args.users, args.seconds, args.threads), indent=2))


if __name__ == "__main__":
    main()
