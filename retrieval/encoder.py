"""Sentence encoders: the default offline model, any sentence-transformers model, and a cache."""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

from core.settings import DEFAULT_MODEL, Settings
from core.text.normalize import nfc
from retrieval.embedding.install import ModelInstallError, install_model, is_installed

Vectors = NDArray[np.float32]
DEFAULT_MODEL_FOLDER = "multilingual-e5-small"


class EncoderError(RuntimeError):
    """The embedding model could not be loaded."""


class Encoder(Protocol):
    name: str
    dim: int
    passage_prompt: str

    def encode_queries(self, texts: Sequence[str]) -> Vectors: ...

    def encode_passages(self, texts: Sequence[str]) -> Vectors: ...


def cpu_has_bf16() -> bool:
    """True when the CPU multiplies bfloat16 natively (AMX or AVX512-BF16)."""
    try:
        flags = Path("/proc/cpuinfo").read_text()
    except OSError:
        return False
    return "amx_bf16" in flags or "avx512_bf16" in flags


class SentenceTransformerEncoder:
    """Wraps a sentence-transformers model; inputs are always NFC (NFD tokenises badly).

    Queries are encoded one at a time in float32 (bfloat16 only adds overhead there);
    batches of passages may use bfloat16 autocast where the CPU supports it.
    """

    def __init__(
        self,
        model_path: str,
        name: str,
        query_prompt: str,
        passage_prompt: str,
        threads: int,
        bf16_passages: bool = False,
    ) -> None:
        import torch
        from safetensors import SafetensorError
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]  # noise in logs and CLIs
        torch.set_num_threads(threads)
        try:
            self._model = SentenceTransformer(model_path, device="cpu", local_files_only=True)
        except (OSError, ValueError, SafetensorError) as exc:
            raise EncoderError(
                f"cannot load embedding model {model_path!r}: {exc}; "
                "`hoidap model install` checks and repairs the default model"
            ) from exc
        self._model.eval()
        self.name = name
        dimension = getattr(self._model, "get_embedding_dimension", None) or (
            self._model.get_sentence_embedding_dimension
        )
        self.dim = int(dimension() or 0)
        self._query_prompt = query_prompt
        self.passage_prompt = passage_prompt
        self.bf16_passages = bf16_passages
        self._lock = threading.Lock()  # torch modules are not safe to call concurrently
        self._mean_normalized = _is_mean_pooled_and_normalized(self._model)

    def _encode(self, texts: Sequence[str], prompt: str, bf16: bool) -> Vectors:
        import torch

        batch = [prompt + nfc(t) for t in texts]
        if not batch:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock, torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            vectors = self._model.encode(
                batch, batch_size=32, normalize_embeddings=True, convert_to_numpy=True
            )
        return np.asarray(vectors, dtype=np.float32)

    def encode_queries(self, texts: Sequence[str]) -> Vectors:
        if len(texts) == 1 and self._mean_normalized:
            return self._encode_one(self._query_prompt + nfc(texts[0]))[None, :]
        return self._encode(texts, self._query_prompt, bf16=False)

    def _encode_one(self, text: str) -> NDArray[np.float32]:
        """One query straight through the transformer: the hot path of every answer.

        Same result as ``SentenceTransformer.encode`` (mean pooling over all tokens of the
        single, unpadded text, then L2 normalisation) without its batching machinery,
        which costs about 3 ms of a 20 ms query.
        """
        import torch

        transformer: Any = self._model[0]  # sentence_transformers.models.Transformer
        features = transformer.tokenizer(
            [text], return_tensors="pt", truncation=True, max_length=transformer.max_seq_length
        )
        with self._lock, torch.inference_mode():
            hidden = transformer.auto_model(**features).last_hidden_state[0]
            vector = torch.nn.functional.normalize(hidden.mean(dim=0), dim=0)
        return vector.numpy().astype(np.float32)

    def encode_passages(self, texts: Sequence[str]) -> Vectors:
        return self._encode(texts, self.passage_prompt, bf16=self.bf16_passages)


def _is_mean_pooled_and_normalized(model: object) -> bool:
    """True for the module stack [Transformer, mean Pooling, Normalize] the fast path reproduces."""
    modules = [type(m).__name__ for m in model]  # type: ignore[attr-defined]
    if modules != ["Transformer", "Pooling", "Normalize"]:
        return False
    pooling = model[1]  # type: ignore[index]
    return getattr(pooling, "pooling_mode", None) == "mean" or bool(
        getattr(pooling, "pooling_mode_mean_tokens", False)
    )


def resolve_model_path(settings: Settings, *, auto_install: bool = True) -> str:
    """Local folder of the configured model, converting the bundled one on first use."""
    if settings.embedding_model != DEFAULT_MODEL:
        return settings.embedding_model
    folder = settings.models_dir / DEFAULT_MODEL_FOLDER
    if not is_installed(folder):
        if not auto_install:
            raise EncoderError(f"model not installed in {folder}; run `hoidap model install`")
        try:
            install_model(folder)
        except ModelInstallError as exc:
            raise EncoderError(str(exc)) from exc
    return str(folder)


def load_encoder(settings: Settings) -> SentenceTransformerEncoder:
    bf16 = settings.embedding_bf16 == "on" or (settings.embedding_bf16 == "auto" and cpu_has_bf16())
    return SentenceTransformerEncoder(
        resolve_model_path(settings),
        settings.embedding_model,
        settings.query_prompt,
        settings.passage_prompt,
        settings.embedding_threads,
        bf16_passages=bf16,
    )


class EmbeddingCache:
    """Passage vectors keyed by (model, prompt, text) hash, so unchanged content is never re-encoded."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(str(path), check_same_thread=False)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("CREATE TABLE IF NOT EXISTS vec (key TEXT PRIMARY KEY, v BLOB NOT NULL)")
        self._lock = threading.Lock()

    @staticmethod
    def key(model: str, text: str) -> str:
        return hashlib.sha256(f"{model}\x00{text}".encode()).hexdigest()

    def get_many(self, keys: Sequence[str]) -> dict[str, Vectors]:
        found: dict[str, Vectors] = {}
        with self._lock:
            for start in range(0, len(keys), 500):
                chunk = list(keys[start : start + 500])
                marks = ",".join("?" * len(chunk))
                rows = self._conn.execute(f"SELECT key, v FROM vec WHERE key IN ({marks})", chunk)
                for key, blob in rows:
                    found[key] = np.frombuffer(blob, dtype=np.float32)
        return found

    def put_many(self, items: dict[str, Vectors]) -> None:
        with self._lock, self._conn:
            self._conn.executemany(
                "INSERT OR REPLACE INTO vec (key, v) VALUES (?, ?)",
                [(k, np.asarray(v, dtype=np.float32).tobytes()) for k, v in items.items()],
            )

    def close(self) -> None:
        self._conn.close()


def encode_passages_cached(
    encoder: Encoder, cache: EmbeddingCache | None, texts: Sequence[str]
) -> tuple[Vectors, int]:
    """Vectors for ``texts``; returns them with the number that had to be encoded."""
    prefix = f"{encoder.name}|{encoder.passage_prompt}"
    return _encode_cached(encoder.encode_passages, prefix, encoder.dim, cache, texts)


def encode_queries_cached(
    encoder: Encoder, cache: EmbeddingCache | None, texts: Sequence[str]
) -> tuple[Vectors, int]:
    """Query vectors (the symmetric form, for comparing questions with each other), cached."""
    return _encode_cached(encoder.encode_queries, f"{encoder.name}|query", encoder.dim, cache, texts)


def _encode_cached(
    encode: Callable[[Sequence[str]], Vectors],
    prefix: str,
    dim: int,
    cache: EmbeddingCache | None,
    texts: Sequence[str],
) -> tuple[Vectors, int]:
    if cache is None:
        return encode(texts), len(texts)
    keys = [EmbeddingCache.key(prefix, t) for t in texts]
    found = cache.get_many(keys)
    missing = sorted({k: t for k, t in zip(keys, texts, strict=True) if k not in found}.items())
    if missing:
        fresh = encode([t for _, t in missing])
        new = {k: fresh[i] for i, (k, _) in enumerate(missing)}
        cache.put_many(new)
        found.update(new)
    matrix = np.stack([found[k] for k in keys]) if keys else np.zeros((0, dim), np.float32)
    return matrix.astype(np.float32), len(missing)
