"""Telegram webhook under load: 20 concurrent citizens for 60 s against `hoidap serve` on loopback.

The app runs as its own process (`hoidap serve`, webhook mode, SQLite in a fresh data folder);
this process plays Telegram twice over: it posts updates to the webhook as Telegram would, and
serves the fake Bot API the app sends its replies to. Latency is measured from the moment an
update is posted to the moment its first `sendMessage` reaches the fake API (one clock). About
5% of updates are delivered twice, as Telegram does when a 200 is late; each must be answered once.

Run: `python -m benchmarks.telegram_webhook_bench [--users 20] [--seconds 60]`. Prints JSON.

Closed-loop mode (`--clients 1 10 50 [--seconds 30]`): one server, and per level N citizens that
ask again as soon as their reply arrives (no reading pause), for a fixed window after a warm-up:
throughput, webhook acknowledgement and reply latency, errors and lost replies. Replies cannot
leave faster than the outgoing rate limiter allows (30 Bot API sends a second), so the answering
time the server stored is reported beside them.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlmodel import Session, col, select

from benchmarks.markdown import row
from benchmarks.serve_process import bench_engine, hoidap_serve, latency_figures, server_errors, stored
from core import actions as cb
from core import replies
from core.db.models import Interaction, utcnow
from core.evaluation import read_queries
from tests.fakes.telegram_api import (
    Call,
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
# Closed loop: back-to-back questions. A single fast citizen would pass the default per-citizen
# limit (12/minute) and even the 1000/minute of the paced run, and get "you are sending too fast".
LEVELS = (1, 10, 50)
WARMUP_SECONDS = 3.0
REPLY_TIMEOUT = 15.0  # a reply later than this is lost
SETTLE_SECONDS = 1.0  # the rest of a reply sent in several messages
CLOSED_LOOP_USER_RATE = "100000/minute"
BOT_API_RATE = 30  # AIORateLimiter's default overall rate, which bot/telegram/application.py keeps


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
    data = [b.get("callback_data", "") for line in markup.get("inline_keyboard", []) for b in line]
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


# --- closed loop: 1, 10, 50 citizens asking back to back ---------------------------------------


@dataclass
class Level:
    clients: int
    ack_ms: list[float] = field(default_factory=list)
    reply_ms: list[float] = field(default_factory=list)
    questions: int = 0
    errors: int = 0
    lost: int = 0
    rate_limited: int = 0
    not_onboarded: int = 0


@dataclass
class Rig:
    """What every closed-loop citizen shares: the HTTP client, the fake API, the waiting threads."""

    client: httpx.AsyncClient
    url: str
    fake: FakeTelegram
    pool: ThreadPoolExecutor  # one waiting thread per citizen: the default pool has 6 on 2 cores
    queries: list[str]

    async def post(self, update: dict[str, Any]) -> float | None:
        """Milliseconds to the webhook's 200; None for a non-2xx answer or a timeout."""
        started = time.perf_counter()
        headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
        try:
            r = await self.client.post(self.url, json=update, headers=headers)
        except httpx.HTTPError:
            return None
        return (time.perf_counter() - started) * 1000 if r.is_success else None

    async def sent(self, user: int, count: int, timeout: float) -> list[Call]:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.pool, self.fake.wait_sent, user, count, max(timeout, 0.0))


async def _onboard(rig: Rig, user: int) -> int | None:
    """/start and consent, as `_citizen` does; the number of messages the chat then holds."""
    if await rig.post(text_update(rig.fake, user, "/start")) is None:
        return None
    sent = await rig.sent(user, 2, REPLY_TIMEOUT)
    if len(sent) < 2:
        return None
    markup = sent[1].params.get("reply_markup")
    if await rig.post(callback_update(rig.fake, user, 2, cb.encode(cb.Consent()), markup)) is None:
        return None
    sent = await rig.sent(user, 3, REPLY_TIMEOUT)
    return len(sent) if len(sent) >= 3 else None


def _has_keyboard(call: Call) -> bool:
    markup = call.params.get("reply_markup")
    return isinstance(markup, dict) and bool(markup.get("inline_keyboard"))


async def _settled(rig: Rig, user: int, sent: list[Call]) -> int:
    """Messages in the chat once the reply is complete (its last message carries the buttons)."""
    deadline = time.perf_counter() + SETTLE_SECONDS
    while not _has_keyboard(sent[-1]) and time.perf_counter() < deadline:
        more = await rig.sent(user, len(sent) + 1, deadline - time.perf_counter())
        if len(more) == len(sent):
            break
        sent = more
    return len(sent)


async def _resync(rig: Rig, user: int) -> int:
    """After a failed post the update may still be answered: skip whatever arrives meanwhile."""
    await asyncio.sleep(SETTLE_SECONDS)
    return len(await rig.sent(user, 0, 0))


async def _ask(rig: Rig, user: int, question: str, expected: int, level: Level) -> int:
    """One question and its reply, counted in ``level``; the number of messages the chat then holds."""
    started = time.perf_counter()
    ack = await rig.post(text_update(rig.fake, user, question))
    level.questions += 1
    if ack is None:
        level.errors += 1
        return await _resync(rig, user)
    level.ack_ms.append(ack)
    sent = await rig.sent(user, expected + 1, REPLY_TIMEOUT)
    if len(sent) <= expected:
        level.lost += 1
        return expected
    level.reply_ms.append((sent[expected].at - started) * 1000)
    level.rate_limited += sent[expected].params.get("text") == replies.RATE_LIMITED
    return await _settled(rig, user, sent)


async def _closed_loop(rig: Rig, user: int, expected: int, window: tuple[float, float], level: Level) -> None:
    """Back to back until the window ends: warm-up questions first, then counted ones."""
    rng, warmup = random.Random(user), Level(level.clients)  # warm-up figures are dropped
    start, end = window
    while (now := time.perf_counter()) < end:
        expected = await _ask(rig, user, rng.choice(rig.queries), expected, level if now >= start else warmup)


def _answering_since(data_dir: Path, since: datetime) -> tuple[list[float], int]:
    """Answering time of each interaction stored since ``since``, and how many came from the cache."""
    engine = bench_engine(data_dir)
    with Session(engine) as session:
        query = select(Interaction.latency_ms, Interaction.cached).where(col(Interaction.created_at) >= since)
        rows = session.exec(query).all()
    engine.dispose()
    return [float(ms) for ms, _ in rows], sum(bool(cached) for _, cached in rows)


def _limited_sends(fake: FakeTelegram, start: float, end: float) -> tuple[int, int]:
    """Bot API calls in the window that the outgoing limiter counts (those with a chat_id), and of
    them the "typing…" actions (sent when an answer takes longer than the typing delay)."""
    calls = [c for c in list(fake.calls) if "chat_id" in c.params and start <= c.at < end]
    return len(calls), sum(c.method == "sendChatAction" for c in calls)


async def _run_level(
    rig: Rig, clients: int, first_user: int, seconds: float
) -> tuple[Level, float, datetime]:
    """Onboard the level's citizens, warm up, then the window; returns once every reply is in or
    lost, with the window's start on the fake API's clock and on the database's."""
    level = Level(clients)
    users = range(first_user, first_user + clients)
    onboarded = await asyncio.gather(*(_onboard(rig, u) for u in users))
    level.not_onboarded = sum(e is None for e in onboarded)
    start, since = time.perf_counter() + WARMUP_SECONDS, utcnow() + timedelta(seconds=WARMUP_SECONDS)
    window = (start, start + seconds)
    loops = [
        _closed_loop(rig, u, e, window, level) for u, e in zip(users, onboarded, strict=True) if e is not None
    ]
    bound = WARMUP_SECONDS + seconds + REPLY_TIMEOUT + 2 * SETTLE_SECONDS + 10
    await asyncio.wait_for(asyncio.gather(*loops), timeout=bound)
    return level, start, since


def _figures(
    level: Level, seconds: float, answering: tuple[list[float], int], sends: tuple[int, int]
) -> dict[str, Any]:
    times, cached = answering
    return {
        "clients": level.clients,
        "questions": level.questions,
        "answered": len(level.reply_ms),
        "throughput_qps": round(len(level.reply_ms) / seconds, 1),
        **latency_figures(level.ack_ms, "ack_"),
        **latency_figures(level.reply_ms, "reply_"),
        **latency_figures(times, "answering_"),  # of which AnswerService (stored by the app)
        "interactions_stored": len(times),
        "answering_cached": cached,
        "bot_api_sends_per_s": round(sends[0] / seconds, 1),  # what the outgoing limiter counts
        "typing_actions": sends[1],
        "errors": level.errors,
        "error_rate": round(level.errors / max(level.questions, 1), 4),
        "lost_replies": level.lost,
        "rate_limited_replies": level.rate_limited,
        "not_onboarded": level.not_onboarded,
    }


async def _levels(
    base: str, fake: FakeTelegram, data_dir: Path, levels: Sequence[int], seconds: float
) -> list[dict[str, Any]]:
    queries = [q.text for q in read_queries(GOLDEN)]
    limits = httpx.Limits(max_connections=2 * max(levels))
    results = []
    with ThreadPoolExecutor(max(levels) + 4, thread_name_prefix="wait-sent") as pool:
        async with httpx.AsyncClient(timeout=10, limits=limits) as client:
            rig = Rig(client, f"{base}/webhooks/telegram", fake, pool, queries)
            for k, clients in enumerate(levels):
                level, start, since = await _run_level(rig, clients, 700000 + 1000 * k, seconds)
                answering = _answering_since(data_dir, since)
                sends = _limited_sends(fake, start, start + seconds)
                results.append(_figures(level, seconds, answering, sends))
    return results


def measure_concurrency(
    levels: Sequence[int] = LEVELS, seconds: float = 30, threads: int | None = None
) -> dict[str, Any]:
    """Closed-loop citizens at each level against one `hoidap serve` (webhook mode, fresh data dir)."""
    with running_fake_telegram(TOKEN) as fake, tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp)
        env = {**_env(fake, threads), "HOIDAP_USER_RATE_LIMIT": CLOSED_LOOP_USER_RATE}
        with hoidap_serve(data_dir, env) as base:
            results = asyncio.run(_levels(base, fake, data_dir, levels, seconds))
        errors = server_errors(data_dir)
    return {
        "embedding_threads": threads or int(os.environ.get("HOIDAP_EMBEDDING_THREADS", "2")),
        "seconds": seconds,
        "warmup_seconds": WARMUP_SECONDS,
        "user_rate_limit": CLOSED_LOOP_USER_RATE,
        "question_pool": len(read_queries(GOLDEN)),
        "cores": os.cpu_count(),
        "levels": results,
        "server_errors": errors,
    }


def concurrency_section(result: dict[str, Any]) -> list[str]:
    """The report's section: a table per level, and a sentence on its errors and lost replies."""
    lines = [
        "",
        f"## Telegram webhook under concurrent clients (`{_command(result)}`)",
        "",
        "One `hoidap serve` (webhook mode, SQLite, fresh data folder) on loopback; this process posts "
        "updates as Telegram would and serves the fake Bot API the replies go to, on the same "
        f"{result['cores']} cores. "
        "At each level N citizens (after /start and consent) ask golden-set questions back to back, "
        f"the next as soon as the reply arrives, for {result['seconds']:g} s after a "
        f"{result['warmup_seconds']:g} s warm-up. Acknowledgement: post → HTTP 200; reply: post → first "
        "`sendMessage` at the fake API; answering: the time the app stored for the answer itself. "
        f"Replies leave through the outgoing rate limiter ({BOT_API_RATE} Bot API sends a second, as "
        "Telegram allows one bot): when the sends per second reach it, the reply latency is that queue, "
        "not answering. The answer cache is on (the default) and fills from level to level, as the "
        f"{result['question_pool']} golden questions repeat. Per-citizen limit raised to "
        f"{result['user_rate_limit']}.",
    ]
    for x in result["levels"]:
        lines += ["", _level_lead(x), "", row(["latency", "p50 ms", "p95 ms", "p99 ms"]), row(["---"] * 4)]
        for label, prefix in (
            ("webhook acknowledgement", "ack_"),
            ("reply (first `sendMessage`)", "reply_"),
            ("of which answering (stored)", "answering_"),
        ):
            lines.append(row([label, *(x[f"{prefix}p{q}_ms"] for q in (50, 95, 99))]))
        lines += ["", _level_verdict(x)]
    return lines


def _command(result: dict[str, Any]) -> str:
    levels = " ".join(str(x["clients"]) for x in result["levels"])
    return f"python -m benchmarks.telegram_webhook_bench --clients {levels} --seconds {result['seconds']:g}"


def _clients(x: dict[str, Any]) -> str:
    return f"{x['clients']} client{'' if x['clients'] == 1 else 's'}"


def _level_lead(x: dict[str, Any]) -> str:
    return (
        f"{_clients(x)}: {x['questions']} questions, {x['throughput_qps']} answered a second; "
        f"{x['bot_api_sends_per_s']} Bot API sends a second (of which {x['typing_actions']} "
        f'"typing…" actions); {x["answering_cached"]} of {x["interactions_stored"]} stored answers '
        "from the answer cache:"
    )


def _level_verdict(x: dict[str, Any]) -> str:
    if not (x["errors"] or x["lost_replies"] or x["rate_limited_replies"] or x["not_onboarded"]):
        return f"With {_clients(x)}, no update failed and every reply arrived."
    return (
        f"With {_clients(x)}, {x['errors']} updates failed (non-2xx or timeout, "
        f"{x['error_rate']:.1%} of {x['questions']}), {x['lost_replies']} replies were lost "
        f"(none within {REPLY_TIMEOUT:g} s), {x['rate_limited_replies']} were the per-citizen limit's "
        f"notice and {x['not_onboarded']} citizens could not start."
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--clients", type=int, nargs="+", help="closed-loop levels, e.g. 1 10 50")
    parser.add_argument(
        "--seconds", type=float, default=None, help="60 (paced users), 30 per level (--clients)"
    )
    parser.add_argument("--threads", type=int, default=None, help="HOIDAP_EMBEDDING_THREADS of the server")
    args = parser.parse_args()
    if args.clients:
        result = measure_concurrency(args.clients, args.seconds or 30, args.threads)
    else:
        result = measure(args.users, args.seconds or 60, args.threads)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
