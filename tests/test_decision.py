import pytest

from core.decision import Thresholds, decide, read_calibration, write_calibration
from core.messages import Decision
from core.settings import Settings
from retrieval.types import Hit, RowKind

T = Thresholds(
    answer_threshold=0.87,
    passage_answer_threshold=0.95,
    suggest_threshold=0.82,
    answer_margin=0.01,
    max_suggestions=3,
)


def hit(id_: str, score: float, dense: float, kind: RowKind = RowKind.PARAPHRASE) -> Hit:
    asked = dense if kind is not RowKind.ANSWER else 0.0
    return Hit(id_, score, dense, 0.0, "", kind, asked)


@pytest.mark.parametrize(
    ("hits", "decision", "n_suggestions"),
    [
        ([], Decision.FALLBACK, 0),
        ([hit("a", 0.95, 0.93), hit("b", 0.90, 0.88)], Decision.ANSWER, 0),
        ([hit("a", 0.95, 0.93)], Decision.ANSWER, 0),
        ([hit("a", 0.905, 0.90), hit("b", 0.90, 0.89)], Decision.SUGGEST, 2),  # too close to call
        (
            [
                hit("a", 0.86, 0.86),
                hit("b", 0.84, 0.84),
                hit("c", 0.83, 0.83),
                hit("d", 0.82, 0.82),
            ],
            Decision.SUGGEST,
            3,
        ),
        ([hit("a", 0.86, 0.86), hit("b", 0.80, 0.80)], Decision.SUGGEST, 1),
        ([hit("a", 0.81, 0.81)], Decision.FALLBACK, 0),
        ([hit("a", 1.5, 0.80)], Decision.FALLBACK, 0),  # a high fused score alone is not confidence
        # an entry known only by its answer passage must clear the higher passage bar
        ([hit("a", 0.93, 0.93, RowKind.ANSWER), hit("b", 0.85, 0.85)], Decision.SUGGEST, 2),
        ([hit("a", 0.96, 0.96, RowKind.ANSWER), hit("b", 0.85, 0.85)], Decision.ANSWER, 0),
        ([hit("a", 0.93, 0.93, RowKind.QUESTION), hit("b", 0.85, 0.85)], Decision.ANSWER, 0),
        # the passage matched best, but one of the entry's own questions also clears the bar
        ([Hit("a", 0.93, 0.93, 0, "", RowKind.ANSWER, 0.90), hit("b", 0.85, 0.85)], Decision.ANSWER, 0),
    ],
)
def test_decisions(hits: list[Hit], decision: Decision, n_suggestions: int) -> None:
    outcome = decide(hits, T)
    assert outcome.decision is decision
    assert len(outcome.suggestions) == n_suggestions


def test_calibration_file_is_used_unless_settings_are_explicit(tmp_path) -> None:
    settings = Settings(data_dir=tmp_path, _env_file=None)
    write_calibration(settings.calibration_file, Thresholds(0.9, 0.96, 0.85, 0.02), {"answer_rate": 0.9})
    assert read_calibration(settings.calibration_file)["answer_threshold"] == 0.9
    assert Thresholds.from_settings(settings).answer_threshold == 0.9
    explicit = Settings(data_dir=tmp_path, answer_threshold=0.88, _env_file=None)
    chosen = Thresholds.from_settings(explicit)
    assert chosen.answer_threshold == 0.88
    assert chosen.answer_margin == 0.02


def test_production_refuses_the_development_secrets(tmp_path) -> None:
    key = "k" * 40
    with pytest.raises(ValueError, match="HOIDAP_USER_ID_SALT"):
        Settings(environment="production", admin_secret_key=key, data_dir=tmp_path, _env_file=None)
    with pytest.raises(ValueError, match="HOIDAP_ADMIN_SECRET_KEY"):
        Settings(environment="production", user_id_salt="a-real-secret", data_dir=tmp_path, _env_file=None)
    with pytest.raises(ValueError, match="at least 32"):
        Settings(admin_secret_key="short", data_dir=tmp_path, _env_file=None)
    Settings(
        environment="production",
        user_id_salt="a-real-secret",
        admin_secret_key=key,
        data_dir=tmp_path,
        _env_file=None,
    )


def test_env_example_lists_every_setting() -> None:
    from pathlib import Path

    text = (Path(__file__).resolve().parent.parent / ".env.example").read_text("utf-8")
    for name in Settings.model_fields:
        assert f"HOIDAP_{name.upper()}=" in text, name


def test_empty_optional_settings_mean_unset(tmp_path) -> None:
    s = Settings(data_dir=tmp_path, database_url="", faq_dir="", _env_file=None)
    assert s.database_url is None and s.faq_dir is None
    assert s.resolved_database_url.startswith("sqlite:///")
