"""AnswerService end to end on the real model, against SQLite and PostgreSQL."""

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from core import replies
from core.answering import AnswerService
from core.db.models import Feedback, Interaction
from core.decision import Thresholds
from core.interaction_log import InteractionLog, UnknownInteractionError
from core.messages import Decision, IncomingMessage
from core.privacy import pseudonymise
from core.settings import Settings
from retrieval.live import LiveIndex
from retrieval.searcher import SearchConfig


@pytest.fixture
def service(settings: Settings, any_engine: Engine, sample_index, encoder) -> AnswerService:
    live = LiveIndex(None, encoder, SearchConfig())
    live.install(sample_index)
    return AnswerService(settings, live, InteractionLog(any_engine), Thresholds.from_settings(settings))


def ask(service: AnswerService, text: str, user: str = "user-1"):
    return service.handle(IncomingMessage("web", user, text))


def stored(service: AnswerService, interaction_id: str) -> Interaction:
    with Session(service.log.engine) as session:
        row = session.get(Interaction, interaction_id)
        assert row is not None
        return row


def test_answer_is_logged_masked_and_pseudonymous(service: AnswerService, settings: Settings) -> None:
    reply = ask(service, "lam lai cccd bi mat o dau, sdt cua toi 0912345678", user="tg-777")
    assert reply.decision is Decision.ANSWER
    assert reply.entry_id == "cccd-cap-lai"
    assert "Công an cấp xã" in reply.text
    row = stored(service, reply.interaction_id)
    assert "0912345678" not in row.query_masked and "[số điện thoại]" in row.query_masked
    assert row.user_hash == pseudonymise("web", "tg-777", settings.user_id_salt.get_secret_value())
    assert "777" not in row.user_hash
    assert row.decision == "answer" and row.entry_id == "cccd-cap-lai"
    assert row.top_hits[0]["id"] == "cccd-cap-lai" and row.top_hits[0]["dense"] > 0.8
    assert row.index_version == service.live.version
    assert row.latency_ms > 0


def test_feedback_attaches_to_the_interaction(service: AnswerService) -> None:
    reply = ask(service, "đăng ký kết hôn ở đâu")
    service.log.record_feedback(reply.interaction_id, False, "missing_info", "gọi tôi 0987654321 nhé")
    with Session(service.log.engine) as session:
        feedback = session.exec(select(Feedback)).one()
    assert feedback.interaction_id == reply.interaction_id
    assert feedback.helpful is False and feedback.reason == "missing_info"
    assert feedback.comment_masked == "gọi tôi [số điện thoại] nhé"
    with pytest.raises(UnknownInteractionError):
        service.log.record_feedback("0" * 32, True)
    with pytest.raises(ValueError, match="reason"):
        service.log.record_feedback(reply.interaction_id, True, "because")


def test_out_of_scope_falls_back_honestly(service: AnswerService, settings: Settings) -> None:
    reply = ask(service, "Messi thuận chân nào")
    assert reply.decision is Decision.FALLBACK
    assert "chưa có thông tin" in reply.text
    assert settings.national_portal_url in reply.text
    assert stored(service, reply.interaction_id).decision == "fallback"


def test_smalltalk_and_empty(service: AnswerService) -> None:
    assert ask(service, "xin chào").decision is Decision.SMALLTALK
    assert ask(service, "cảm ơn ad nhé").decision is Decision.SMALLTALK
    empty = ask(service, "   \n ")
    assert empty.decision is Decision.EMPTY
    assert "vui lòng nhập câu hỏi" in empty.text
    assert ask(service, "???").decision is Decision.EMPTY


def test_repeated_question_is_served_from_cache(service: AnswerService) -> None:
    first = ask(service, "Đăng ký tạm trú khi thuê trọ cần gì?")
    second = ask(service, "đăng ký tạm trú khi thuê trọ cần gì")
    assert not first.cached and second.cached
    assert second.entry_id == first.entry_id
    assert "encode" not in second.stages_ms
    assert stored(service, second.interaction_id).cached is True


def test_restoration_is_timed_as_its_own_stage(service: AnswerService) -> None:
    """Benchmarks report restoring diacritics apart from the rest of normalisation."""
    plain = ask(service, "lam lai the can cuoc bi mat o dau")
    accented = ask(service, "Làm lại thẻ căn cước bị mất ở đâu?")
    assert {"normalise", "restore", "encode"} <= set(plain.stages_ms)
    assert "normalise" in accented.stages_ms and "restore" not in accented.stages_ms


def test_suggestions_when_candidates_are_close(service: AnswerService) -> None:
    strict = Thresholds(
        answer_threshold=0.99,
        passage_answer_threshold=0.99,
        suggest_threshold=0.5,
        answer_margin=0.0,
        max_suggestions=3,
    )
    service.thresholds = strict
    reply = ask(service, "căn cước")
    assert reply.decision is Decision.SUGGEST
    assert reply.text.startswith("Có phải bạn muốn hỏi")
    assert 1 <= len(reply.suggestions) <= 3
    assert reply.lead == replies.SUGGEST_INTRO  # what the widget shows above its chips
    assert {s.entry_id for s in reply.suggestions} & {"cccd-cap-lai", "cccd-cap-doi"}


def test_answer_cites_legal_basis(service: AnswerService, sample_index) -> None:
    entry = sample_index.entries["khai-sinh"]
    entry.legal_basis.append("Luật Hộ tịch 2014, Điều 16")
    try:
        reply = ask(service, "đăng ký khai sinh cho con cần giấy tờ gì")
        assert reply.text.endswith("Căn cứ pháp lý: Luật Hộ tịch 2014, Điều 16.")
    finally:
        entry.legal_basis.clear()


def test_database_failure_does_not_silence_the_reply(service: AnswerService, any_engine: Engine) -> None:
    any_engine.dispose()
    service.log = InteractionLog(__import__("sqlalchemy").create_engine("sqlite:////nonexistent/dir/x.db"))
    reply = ask(service, "đăng ký kết hôn ở đâu")
    assert reply.decision is Decision.ANSWER
