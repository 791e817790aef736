"""Locust users for `benchmarks.chat_load`: each asks golden-set questions on POST /api/chat
back to back (no think time: this measures what the server sustains, not a day's traffic)."""

from __future__ import annotations

import json
import os
import random
import uuid
from pathlib import Path

from locust import FastHttpUser, constant, task

QUERIES = [
    json.loads(line)["query"]
    for line in Path(os.environ["CHAT_LOAD_QUERIES"]).read_text("utf-8").splitlines()
    if line.strip()
]


class Citizen(FastHttpUser):
    wait_time = constant(0)

    def on_start(self) -> None:
        self.session_id = uuid.uuid4().hex

    @task
    def ask(self) -> None:
        body = {"message": random.choice(QUERIES), "session_id": self.session_id}
        with self.client.post("/api/chat", json=body, catch_response=True) as response:
            if response.status_code != 200 or "interaction_id" not in (response.text or ""):
                response.failure(f"status {response.status_code}")
