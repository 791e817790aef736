"""The staff API over real HTTP for tests: an app on a loopback port with one account per
role, signed in, on SQLite or PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
from sqlmodel import Session

from admin_api.roles import Role
from admin_api.users import create_user
from admin_api.users_model import UserCreate
from bot.web.app import create_app
from core.faq import FaqEntry
from core.runtime import Runtime
from core.settings import Settings
from retrieval.index import SearchIndex
from tests.channel_runtime import chat_runtime
from tests.polling import until
from tests.serving import serving

PASSWORD = "mật-khẩu-đủ-dài-123"
API = "/admin/api"


@dataclass
class Admin:
    base: str
    runtime: Runtime
    tokens: dict[Role, str]

    def call(self, method: str, path: str, role: Role | None = None, **kwargs: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.tokens[role]}"} if role else {}
        return httpx.request(method, f"{self.base}{API}{path}", headers=headers, timeout=30, **kwargs)

    def login(self, username: str, password: str = PASSWORD) -> httpx.Response:
        return httpx.post(
            f"{self.base}{API}/login", json={"username": username, "password": password}, timeout=30
        )


@contextmanager
def staff_api(
    settings: Settings,
    encoder: Any,
    chat_index: SearchIndex,
    chat_entries: list[FaqEntry],
    seed: Callable[[Session], object] | None = None,
) -> Iterator[Admin]:
    """The app serving the chat entries, with accounts viewer01 … admin01 signed in; ``seed``
    adds rows to the database before the app starts."""
    s = settings.model_copy(update={"admin_login_rate": "3/minute"})
    runtime = chat_runtime(s, encoder, chat_index, chat_entries)
    for role in Role:
        create_user(runtime.engine, UserCreate(username=f"{role}01", role=role, password=PASSWORD))
    if seed is not None:
        with Session(runtime.engine) as session:
            seed(session)
    try:
        with serving(create_app(s, runtime)) as base:
            admin = Admin(base, runtime, {})
            for role in Role:
                response = admin.login(f"{role}01")
                assert response.status_code == 200, response.text
                admin.tokens[role] = response.json()["access_token"]
            yield admin
    finally:
        runtime.engine.dispose()


def wait_for_build(admin: Admin, previous_version: str | None) -> dict[str, Any]:
    """Poll the build status until a new index serves; returns the status."""
    seen: list[dict[str, Any]] = []

    def built() -> bool:
        seen.append(admin.call("GET", "/index/status", Role.VIEWER).json())
        return bool(seen[-1]["state"] == "idle" and seen[-1]["index_version"] != previous_version)

    assert until(built, 60, every=0.2), f"no new index within 60 s: {seen[-1]}"
    status = seen[-1]
    assert status["last_error"] is None and status["entries"] > 0
    return status
