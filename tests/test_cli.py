"""The `hoidap` command, run as a real process."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.zalo.tokens import DatabaseTokenStore, TokenPair
from core.db.engine import make_engine
from tests.conftest import ROOT, SAMPLE_FAQ, SAMPLE_OOS, SAMPLE_QUERIES, write_content_dir
from tests.shared_data import SHARED_CATALOG

MODEL = ROOT / "var" / "models" / "multilingual-e5-small"
HOIDAP = [sys.executable, "-c", "from cli.main import app; app()"]


@pytest.fixture
def env(tmp_path: Path, sample_entries, encoder) -> dict[str, str]:
    content = write_content_dir(tmp_path / "content", sample_entries)
    return {
        **os.environ,
        "HOIDAP_DATA_DIR": str(tmp_path / "var"),
        "HOIDAP_FAQ_DIR": str(content),
        "HOIDAP_EMBEDDING_MODEL": str(MODEL),
        "HOIDAP_ENVIRONMENT": "test",
    }


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*HOIDAP, *args], env=env, capture_output=True, text=True, timeout=300, cwd=ROOT)


def test_ask_json_builds_the_index_on_first_use(env: dict[str, str]) -> None:
    result = run(env, "ask", "lam lai cccd bi mat o dau", "--json")
    assert result.returncode == 0, result.stderr
    reply = json.loads(result.stdout)
    assert reply["decision"] == "answer"
    assert reply["entry_id"] == "cccd-cap-lai"
    assert reply["hits"][0]["id"] == "cccd-cap-lai"
    assert (Path(env["HOIDAP_DATA_DIR"]) / "hoidap.db").is_file()


def test_index_build_reuses_cached_vectors(env: dict[str, str]) -> None:
    first = run(env, "index", "build")
    assert first.returncode == 0, first.stderr
    assert "12 entries, 60 rows (60 encoded, 0 from cache)" in first.stdout
    second = run(env, "index", "build")
    assert "(0 encoded, 60 from cache)" in second.stdout


def test_eval_contract(env: dict[str, str]) -> None:
    result = run(
        env,
        "eval",
        "--faq",
        str(SAMPLE_FAQ),
        "--queries",
        str(SAMPLE_QUERIES),
        "--oos",
        str(SAMPLE_OOS),
        "--json",
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    for key in (
        "n_faq",
        "n_queries",
        "top1",
        "top3",
        "mrr",
        "answer_rate",
        "answer_precision",
        "oos_auroc",
        "oos_false_answer_rate",
        "p50_ms",
        "p95_ms",
    ):
        assert key in report
    assert report["n_faq"] == 12 and report["n_queries"] == 7
    assert report["top1"] == 1.0 and report["mrr"] == 1.0
    assert report["oos_false_answer_rate"] == 0.0
    assert not (Path(env["HOIDAP_DATA_DIR"]) / "index" / "CURRENT").exists()  # live index untouched


def test_eval_fields_and_modes(env: dict[str, str]) -> None:
    result = run(
        env,
        "eval",
        "--faq",
        str(SAMPLE_FAQ),
        "--queries",
        str(SAMPLE_QUERIES),
        "--fields",
        "answer",
        "--mode",
        "dense",
        "--json",
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["mode"] == "dense"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["eval", "--faq", "missing.jsonl", "--queries", str(SAMPLE_QUERIES)],
            "--faq: no such file",
        ),
        (
            ["eval", "--faq", str(SAMPLE_FAQ), "--queries", str(SAMPLE_QUERIES), "--mode", "fuzzy"],
            "--mode",
        ),
        (
            [
                "eval",
                "--faq",
                str(SAMPLE_FAQ),
                "--queries",
                str(SAMPLE_QUERIES),
                "--fields",
                "title",
            ],
            "--fields",
        ),
    ],
)
def test_errors_are_one_line_and_nonzero(env: dict[str, str], args: list[str], message: str) -> None:
    result = run(env, *args)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and message in lines[0]


def test_malformed_line_is_reported_with_its_number(env: dict[str, str], tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text(SAMPLE_FAQ.read_text("utf-8").splitlines()[0] + "\n{not json\n", "utf-8")
    result = run(env, "eval", "--faq", str(bad), "--queries", str(SAMPLE_QUERIES))
    assert result.returncode == 1
    assert f"{bad}:2: invalid JSON" in result.stderr


def test_bad_setting_is_reported(env: dict[str, str]) -> None:
    result = run({**env, "HOIDAP_ANSWER_THRESHOLD": "high"}, "ask", "hello")
    assert result.returncode == 1
    assert "HOIDAP_ANSWER_THRESHOLD" in result.stderr


def test_calibrate_writes_thresholds(env: dict[str, str]) -> None:
    result = run(
        env,
        "calibrate",
        "--faq",
        str(SAMPLE_FAQ),
        "--queries",
        str(SAMPLE_QUERIES),
        "--oos",
        str(SAMPLE_OOS),
        "--target-precision",
        "0.9",
        "--max-false-answer-rate",
        "0.0",
    )
    assert result.returncode == 0, result.stderr
    written = json.loads((Path(env["HOIDAP_DATA_DIR"]) / "calibration.json").read_text())
    assert set(written["thresholds"]) == {
        "answer_threshold",
        "passage_answer_threshold",
        "suggest_threshold",
        "answer_margin",
    }
    assert written["report"]["answer_precision"] >= 0.9


@pytest.mark.shared
def test_import_catalog(env: dict[str, str], tmp_path: Path) -> None:
    lines = SHARED_CATALOG.read_text("utf-8").splitlines()[:20]
    good = tmp_path / "catalog.jsonl"
    good.write_text("\n".join(lines) + "\n", "utf-8")
    result = run(env, "import", "catalog", str(good), "--level", "Cấp tỉnh", "--level", "Cấp xã")
    assert result.returncode == 0, result.stderr
    assert "of 20 records" in result.stdout
    bad = tmp_path / "bad.jsonl"
    bad.write_text("\n".join([*lines[:2], "{broken"]) + "\n", "utf-8")
    result = run(env, "import", "catalog", str(bad))
    assert result.returncode == 1 and f"{bad}:3: invalid JSON" in result.stderr


def test_export_and_import_faq(env: dict[str, str], tmp_path: Path) -> None:
    exported = tmp_path / "faq.yaml"
    result = run(env, "export", "faq", str(exported))
    assert result.returncode == 0, result.stderr
    assert "exported 12 entries" in result.stdout
    result = run(env, "import", "faq", str(exported))
    assert result.returncode == 0 and "imported 12 entries in 7 categories" in result.stdout
    result = run(env, "export", "faq", str(tmp_path / "faq.csv"))
    assert result.returncode == 1 and "use a .json, .yaml" in result.stderr


def test_zalo_set_tokens_stores_the_first_pair(env: dict[str, str], tmp_path: Path) -> None:
    missing = run(env, "zalo", "set-tokens", "--access-token", "a1")
    assert missing.returncode == 1 and missing.stderr.count("\n") == 1 and "--refresh-token" in missing.stderr
    stored = run(env, "zalo", "set-tokens", "--access-token", "a1", "--refresh-token", "r1")
    assert stored.returncode == 0, stored.stderr
    assert "a1" not in stored.stdout + stored.stderr  # tokens are not echoed
    engine = make_engine(f"sqlite:///{Path(env['HOIDAP_DATA_DIR']) / 'hoidap.db'}")
    assert DatabaseTokenStore(engine).load() == TokenPair("a1", "r1")
    engine.dispose()


def test_user_create_for_the_first_admin(env: dict[str, str]) -> None:
    made = run(env, "user", "create", "chanh.vp", "--role", "admin", "--password", "một-mật-khẩu-dài-1")
    assert made.returncode == 0, made.stderr
    assert "một-mật-khẩu" not in made.stdout + made.stderr
    again = run(env, "user", "create", "chanh.vp", "--role", "admin", "--password", "một-mật-khẩu-dài-1")
    assert again.returncode == 1 and again.stderr.count("\n") == 1 and "taken" in again.stderr
    bad = run(env, "user", "create", "nguoi.moi", "--role", "boss", "--password", "một-mật-khẩu-dài-1")
    assert bad.returncode == 1 and bad.stderr.startswith("error: role")


def _seed_citizen(env: dict[str, str], channel: str, user_id: str, days_old: int) -> str:
    """One question with a 👎 and a consent record, ``days_old`` days ago; returns the user hash."""
    from datetime import timedelta

    from sqlmodel import Session

    from core.db.engine import migrate
    from core.db.models import Consent, Feedback, Interaction, utcnow
    from core.privacy import pseudonymise
    from core.settings import Settings

    settings = Settings(data_dir=Path(env["HOIDAP_DATA_DIR"]), _env_file=None)  # type: ignore[call-arg]
    user_hash = pseudonymise(channel, user_id, settings.user_id_salt.get_secret_value())
    engine = make_engine(settings.resolved_database_url)
    migrate(engine)
    when = utcnow() - timedelta(days=days_old)
    iid = f"{user_hash[:16]}{days_old:016d}"
    with Session(engine) as session:
        session.add(
            Interaction(
                id=iid,
                created_at=when,
                channel=channel,
                user_hash=user_hash,
                query_masked="làm lại cccd số [SỐ ĐỊNH DANH] ở đâu",
                decision="answer",
                entry_id="cccd-cap-lai",
                latency_ms=20.0,
            )
        )
        session.flush()
        session.add(Feedback(interaction_id=iid, helpful=False, reason="missing_info", created_at=when))
        if session.get(Consent, user_hash) is None:
            session.add(Consent(user_hash=user_hash, channel=channel))
        session.commit()
    engine.dispose()
    return user_hash


def test_access_request_export_then_erasure(env: dict[str, str], tmp_path: Path) -> None:
    user_hash = _seed_citizen(env, "zalo", "84123456789", days_old=2)
    other = _seed_citizen(env, "zalo", "84999999999", days_old=2)
    target = tmp_path / "yeu-cau-truy-cap.json"
    exported = run(
        env, "data", "export", "--channel", "zalo", "--user-id", "84123456789", "--output", str(target)
    )
    assert exported.returncode == 0, exported.stderr
    document = json.loads(target.read_text("utf-8"))
    assert document["user_hash"] == user_hash and document["consent"]["channel"] == "zalo"
    assert [i["query_masked"] for i in document["interactions"]] == ["làm lại cccd số [SỐ ĐỊNH DANH] ở đâu"]
    assert [(f["helpful"], f["reason"]) for f in document["feedback"]] == [(False, "missing_info")]
    assert "top_hits" not in document["interactions"][0]

    erased = run(env, "data", "erase", "--channel", "zalo", "--user-id", "84123456789")
    assert erased.returncode == 0 and "1 questions, 1 ratings" in erased.stdout
    after = json.loads(run(env, "data", "export", "--channel", "zalo", "--user-id", "84123456789").stdout)
    assert after["interactions"] == [] and after["consent"] is None
    kept = json.loads(run(env, "data", "export", "--channel", "zalo", "--user-id", "84999999999").stdout)
    assert kept["user_hash"] == other and len(kept["interactions"]) == 1  # only that citizen's data went

    wrong = run(env, "data", "export", "--channel", "sms", "--user-id", "1")
    assert wrong.returncode == 1 and wrong.stderr.strip() == "error: --channel: one of telegram, zalo, web"


def test_purge_keeps_what_is_within_the_retention(env: dict[str, str]) -> None:
    _seed_citizen(env, "telegram", "42", days_old=400)
    _seed_citizen(env, "telegram", "42", days_old=3)
    purged = run(env, "purge", "--days", "365")
    assert purged.returncode == 0, purged.stderr
    assert purged.stdout.strip() == "purged 1 questions older than 365 days (1 ratings)"
    left = json.loads(run(env, "data", "export", "--channel", "telegram", "--user-id", "42").stdout)
    assert len(left["interactions"]) == 1
