"""A six-turn Telegram conversation on the real FAQ, in polling and in webhook mode, written out
from the fake Bot API server's recorded calls (docs/TELEGRAM_TRANSCRIPT.md).

Run: `python -m benchmarks.telegram_transcript`.
"""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path
from typing import Any

from bot.web.app import create_app
from core import actions as cb
from core.runtime import start_runtime
from core.settings import Settings
from retrieval.encoder import load_encoder
from tests.fakes.telegram_api import Call, running_fake_telegram
from tests.fakes.telegram_driver import Bot, buttons, callback_data_for
from tests.serving import serving

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "TELEGRAM_TRANSCRIPT.md"
TOKEN = "123456789:TRANSCRIPT-token-abcdefghijklmnopqrstu"
SECRET = "transcript-webhook-secret-0123456789"


def _conversation(bot: Bot, log: list[tuple[float, str]]) -> None:
    def citizen(text: str) -> None:
        log.append((time.perf_counter(), f"**Citizen:** {text}"))

    def settle(count: int) -> list[dict[str, Any]]:
        messages = bot.sent(count)
        time.sleep(0.3)  # let edits and callback answers that follow arrive
        return messages

    citizen("/start")
    bot.say("/start")
    notice = settle(2)[1]
    citizen("taps “✅ Tôi đồng ý”")
    bot.tap(notice, cb.encode(cb.Consent()))
    settle(3)
    citizen("lam lai cccd bi mat o dau")  # turn 2: no diacritics
    bot.say("lam lai cccd bi mat o dau")
    answer = settle(4)[3]
    citizen("taps “👎 Chưa đúng”, then “Thiếu thông tin”")  # turn 3: feedback
    bot.tap(answer, callback_data_for(answer, "Chưa đúng"))
    edits = bot.fake.wait_for("editMessageReplyMarkup", 2)
    with_reasons = {**answer, "reply_markup": edits[-1].params["reply_markup"]}
    bot.tap(with_reasons, callback_data_for(with_reasons, "Thiếu thông tin"))
    prompt = settle(5)[4]
    citizen("(replying to the prompt) Cho mình xin thêm số điện thoại công an xã")  # turn 4: comment
    bot.say("Cho mình xin thêm số điện thoại công an xã", reply_to=int(prompt["message_id"]))
    settle(6)
    citizen("đk tạm trú cho ng thuê trọ cần gì")  # turn 5: abbreviations
    bot.say("đk tạm trú cho ng thuê trọ cần gì")
    reply = settle(7)[6]
    count = 7
    if any("Hữu ích" in b["text"] for b in buttons(reply)):
        citizen("taps “👍 Hữu ích”")
        bot.tap(reply, callback_data_for(reply, "Hữu ích"))
    elif buttons(reply):
        first = buttons(reply)[0]
        citizen(f"taps the first suggestion “{first['text']}”")
        bot.tap(reply, str(first["callback_data"]))
        count += 1
        settle(count)
    citizen("/lienhe")  # turn 6
    bot.say("/lienhe")
    settle(count + 1)


def _render_call(call: Call) -> str | None:
    params = call.params
    if call.method == "sendMessage":
        keyboard = _keyboard(params.get("reply_markup"))
        return f"**Bot:**\n\n```\n{params['text']}\n```" + (f"\n\n{keyboard}" if keyboard else "")
    if call.method == "editMessageReplyMarkup":
        keyboard = _keyboard(params.get("reply_markup")) or "(none)"
        return f"*Bot edits the buttons of message {params.get('message_id')}:* {keyboard}"
    if call.method == "answerCallbackQuery":
        return f"*Bot answers the tap:* {params.get('text', '(no toast)')}"
    if call.method == "sendChatAction":
        return "*Bot shows “typing…”*"
    if call.method == "setWebhook":
        shown = {k: v for k, v in params.items() if k != "secret_token"}
        return f"*Start-up: setWebhook* `{json.dumps(shown, ensure_ascii=False)}` (secret_token set)"
    return None


def _keyboard(markup: Any) -> str:
    if not isinstance(markup, dict) or "inline_keyboard" not in markup:
        return ""
    rows = [" · ".join(f"[{b['text']}]" for b in row) for row in markup["inline_keyboard"]]
    return "Buttons: " + " / ".join(rows)


def _run(mode: str, settings: Settings, encoder: Any) -> list[str]:
    with running_fake_telegram(TOKEN) as fake, tempfile.TemporaryDirectory() as tmp:
        updates: dict[str, Any] = {
            "data_dir": Path(tmp),
            "telegram_token": TOKEN,
            "telegram_api_url": fake.base_url,
        }
        if mode == "webhook":
            updates |= {
                "telegram_webhook_url": "https://hoidap.example/webhooks/telegram",
                "telegram_webhook_secret": SECRET,
            }
        s = Settings(**{**settings.model_dump(), **updates})
        runtime = start_runtime(s, encoder)
        log: list[tuple[float, str]] = []
        try:
            with serving(create_app(s, runtime)) as base:
                _conversation(Bot(fake, base, runtime.engine, mode == "webhook", SECRET), log)
        finally:
            runtime.engine.dispose()
        for call in fake.calls:
            rendered = _render_call(call)
            if rendered:
                log.append((call.at, rendered))
    return [text for _, text in sorted(log, key=lambda item: item[0])]


def main() -> None:
    settings = Settings()
    encoder = load_encoder(settings)
    parts = [
        "# Telegram conversation transcripts\n",
        "Generated by `python -m benchmarks.telegram_transcript` from the calls the fake Bot API server "
        "recorded (tests/fakes/telegram_api.py); the bot runs the real FAQ through python-telegram-bot's "
        "real networking stack. Placeholders (hotline, address) show the unconfigured defaults.\n",
    ]
    for mode in ("polling", "webhook"):
        parts.append(f"\n## {mode.capitalize()} mode\n")
        parts.extend(f"{line}\n" for line in _run(mode, settings, encoder))
    OUT.write_text("\n".join(parts), encoding="utf-8")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
