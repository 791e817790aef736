"""Several workers on one PostgreSQL: what one publishes, the others serve within seconds.

In process, two runtimes stand for two workers (with their own index folders, or sharing one);
then two real `hoidap serve` processes: an edit published through one is answered by the other.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from admin_api.roles import Role
from admin_api.users import create_user
from admin_api.users_model import UserCreate
from benchmarks.serve_process import hoidap_serve
from benchmarks.zalo_webhook_bench import zalo_env
from core import faq_store
from core.db.engine import make_engine
from core.faq import FaqEntry
from core.index_watch import IndexWatcher
from core.messages import Decision, IncomingMessage
from core.runtime import BUILD_LOCK, Runtime, rebuild_index, start_runtime
from core.settings import Settings
from tests.conftest import write_content_dir
from tests.fakes.zalo_api import FakeZalo, running_fake_zalo
from tests.fakes.zalo_driver import sign, text_event
from tests.polling import until
from tests.staff_api import API, PASSWORD

ENTRY = "khai-sinh"
QUESTION = "Đăng ký khai sinh cho con cần giấy tờ gì?"


@pytest.fixture
def content(tmp_path: Path, sample_entries: list[FaqEntry]) -> Path:
    return write_content_dir(tmp_path / "content", sample_entries)


def worker(tmp_path: Path, name: str, database_url: str, content: Path, encoder) -> Runtime:
    settings = Settings(  # type: ignore[call-arg]
        data_dir=tmp_path / name,
        database_url=database_url,
        faq_dir=content,
        environment="test",
        _env_file=None,
    )
    return start_runtime(settings, encoder)


def answer_of(runtime: Runtime, question: str = QUESTION) -> str:
    reply = runtime.service.handle(IncomingMessage("web", "watch-test", question))
    assert reply.decision is Decision.ANSWER and reply.entry_id == ENTRY
    return reply.text


def publish_edit(publisher: Runtime, marker: str) -> None:
    """What the staff API's publish does in the worker that took the request."""
    categories, entries = faq_store.load(publisher.engine)
    edited = [
        e.model_copy(update={"answer": f"{e.answer} {marker}"}) if e.id == ENTRY else e for e in entries
    ]
    faq_store.save(publisher.engine, categories, [e for e in edited if e.id == ENTRY], actor="watch-test")
    served = faq_store.load_served(publisher.engine)
    publisher.live.install(rebuild_index(publisher.settings, publisher.encoder, served))


@pytest.fixture
def workers(tmp_path: Path, postgres_url: str, content: Path, encoder) -> Iterator[tuple[Runtime, Runtime]]:
    first = worker(tmp_path, "a", postgres_url, content, encoder)
    second = worker(tmp_path, "b", postgres_url, content, encoder)  # its own index folder
    yield first, second
    for runtime in (first, second):
        runtime.engine.dispose()


def test_a_worker_without_the_shared_folder_builds_what_another_published(workers) -> None:
    first, second = workers
    watcher = IndexWatcher(second, grace_seconds=0.3)
    assert watcher.check() is False  # in step at start
    publish_edit(first, "(bản sửa 1)")
    assert "(bản sửa 1)" in answer_of(first) and "(bản sửa 1)" not in answer_of(second)
    assert watcher.check() is False  # within the grace: the publisher may still be saving it
    time.sleep(0.35)
    assert watcher.check() is True
    assert "(bản sửa 1)" in answer_of(second)
    assert watcher.check() is False  # nothing new: nothing rebuilt


def test_no_second_build_while_this_workers_publisher_builds(workers) -> None:
    first, second = workers
    watcher = IndexWatcher(second, grace_seconds=0)
    watcher.check()
    publish_edit(first, "(bản sửa 3)")
    with BUILD_LOCK:  # the second worker's own publisher is building: leave it to it
        assert watcher.check() is False
        assert "(bản sửa 3)" not in answer_of(second)
    assert watcher.check() is True
    assert "(bản sửa 3)" in answer_of(second)


def test_a_worker_sharing_the_index_folder_loads_the_published_index(
    workers, tmp_path: Path, postgres_url: str, content: Path, encoder
) -> None:
    first, _ = workers
    sibling = worker(tmp_path, "a", postgres_url, content, encoder)  # same data_dir as the first
    try:
        watcher = IndexWatcher(sibling, grace_seconds=60)  # never builds itself within this test
        watcher.check()
        publish_edit(first, "(bản sửa 2)")
        assert watcher.check() is True  # at once: the publisher's saved index
        assert sibling.live.version == first.live.version
        assert "(bản sửa 2)" in answer_of(sibling)
    finally:
        sibling.engine.dispose()


def test_two_serve_processes_on_postgresql(tmp_path: Path, postgres_url: str, content: Path) -> None:
    """The issue's checks: publish through one `hoidap serve`, the other serves it within 5 s;
    one Zalo event delivered to both gets exactly one reply."""
    for name in ("one", "two"):
        (tmp_path / name).mkdir()
    with running_fake_zalo() as fake:
        env = {
            "HOIDAP_DATABASE_URL": postgres_url,
            "HOIDAP_FAQ_DIR": str(content),
            "HOIDAP_INDEX_POLL_SECONDS": "0.5",
            "HOIDAP_INDEX_BUILD_GRACE_SECONDS": "1",
            **zalo_env(fake),
        }
        with hoidap_serve(tmp_path / "one", env) as one, hoidap_serve(tmp_path / "two", env) as two:
            seen_after = _published_edit_reaches(one, two, postgres_url)
            _one_reply_for_a_redelivery(one, two, fake)
    print(f"second worker served the edit {seen_after:.2f} s after the publish returned")
    assert seen_after < 5, f"the second worker served the edit after {seen_after:.1f} s"


def _one_reply_for_a_redelivery(one: str, two: str, fake: FakeZalo) -> None:
    body = text_event("follower-dup", "lam giay khai sinh can gi", msg_id="dup-msg-0001")
    raw = json.dumps(body, ensure_ascii=False).encode()
    headers = {"Content-Type": "application/json", "X-ZEvent-Signature": sign(raw, body["timestamp"])}
    for base in (one, two, one, two):  # Zalo retried; the load balancer sent the copies to both
        assert httpx.post(f"{base}/webhooks/zalo", content=raw, headers=headers).status_code == 200
    until(lambda: fake.to("follower-dup"), 10, every=0.1)
    time.sleep(2)  # time for a second reply, were there one
    assert len(fake.to("follower-dup")) == 1, fake.to("follower-dup")


def _published_edit_reaches(one: str, two: str, postgres_url: str) -> float:
    """Publish an edit through ``one``; seconds until ``two`` answers with it."""
    engine = make_engine(postgres_url)
    create_user(engine, UserCreate(username="publisher01", role=Role.PUBLISHER, password=PASSWORD))
    engine.dispose()
    token = httpx.post(f"{one}{API}/login", json={"username": "publisher01", "password": PASSWORD}).json()
    auth = {"Authorization": f"Bearer {token['access_token']}"}
    entry = httpx.get(f"{one}{API}/entries/{ENTRY}", headers=auth).json()
    marker = "(đã cập nhật qua máy chủ thứ nhất)"
    edit = {
        "base_version": entry["version"],
        "answer": f"{entry['answer']} {marker}",
        "legal_basis": ["Luật Hộ tịch 2014, Điều 13 và 16"],
    }
    saved = httpx.patch(f"{one}{API}/entries/{ENTRY}", headers=auth, json=edit).json()
    published = httpx.post(
        f"{one}{API}/entries/{ENTRY}/publish", headers=auth, json={"base_version": saved["version"]}
    )
    assert published.status_code == 200, published.text
    started = time.monotonic()
    served = until(lambda: marker in _asked(two), 15, every=0.1)
    seen_after = time.monotonic() - started
    assert served, "the second worker never served the published edit"
    assert marker in _asked(one)
    return seen_after


def _asked(base: str) -> str:
    reply = httpx.post(
        f"{base}/api/chat", json={"message": QUESTION, "session_id": "watch-test-01"}, timeout=30
    )
    assert reply.status_code == 200, reply.text
    return str(reply.json()["text"])


def test_serve_with_two_worker_processes(tmp_path: Path, postgres_url: str, content: Path) -> None:
    """`hoidap serve --workers 2`: the database and index are prepared once, two processes each
    load the model and share the port, and stopping the server stops both."""
    env = {"HOIDAP_FAQ_DIR": str(content), "HOIDAP_DATABASE_URL": postgres_url, "HOIDAP_ENVIRONMENT": "test"}
    data_dir = tmp_path / "several"
    data_dir.mkdir()
    with hoidap_serve(data_dir, env, "--workers", "2") as base:
        server = _listening_process(base)
        workers = _children(server)
        assert len(workers) == 2, workers
        # The server answers once one worker is up; the other may still be loading its model.
        assert _each_grows_past(workers, mib=200, seconds=120)  # each holds its own model
        with httpx.Client(base_url=base, timeout=30) as client:
            replies = [
                client.post(
                    "/api/chat", json={"message": "đk tạm trú ở trọ", "session_id": f"workers-{n:04d}"}
                )
                for n in range(8)
            ]
        assert {r.status_code for r in replies} == {200}
        assert {r.json()["entry_id"] for r in replies} == {"tam-tru"}
    log = (data_dir / "serve.log").read_text("utf-8")
    assert log.count("Started server process") == 2 and "Traceback" not in log
    assert not any(Path(f"/proc/{pid}").exists() for pid in workers)


def _listening_process(base: str) -> int:
    """The supervising `hoidap serve` process: the parent of the processes serving ``base``."""
    port = base.rsplit(":", 1)[1]
    for proc in Path("/proc").iterdir():
        cmdline = proc / "cmdline"
        if proc.name.isdigit() and cmdline.exists():
            args = cmdline.read_bytes().split(b"\0")
            if b"serve" in args and port.encode() in args:
                return int(proc.name)
    raise AssertionError(f"no hoidap serve process on port {port}")


def _children(pid: int) -> list[int]:
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    # the short-lived preparing process is gone; uvicorn's workers remain
    return [int(c) for c in children if b"spawn_main" in Path(f"/proc/{c}/cmdline").read_bytes()]


def _each_grows_past(pids: list[int], mib: float, seconds: float) -> bool:
    return until(lambda: all(_resident_mib(pid) > mib for pid in pids), seconds, every=0.5)


def _resident_mib(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    kib = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:"))
    return kib / 1024
