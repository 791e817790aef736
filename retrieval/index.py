"""The search index: built from a content snapshot, stored as a versioned folder, swapped atomically.

Layout under ``<data_dir>/index``::

    versions/<version>/   meta.json, entries.json, rows.json, dense.faiss (holds the vectors), bm25/
    CURRENT               name of the version that serves (replaced with os.replace)

A build writes into a hidden temporary folder and only then renames it into
``versions/`` and repoints ``CURRENT``; a crash at any point leaves the previous
version serving.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from core.faq import FaqEntry
from core.text.pipeline import TextPipeline, codes_in, lexical_terms
from core.text.restore import DiacriticsRestorer, common_phrases
from retrieval.dense import HNSW_ABOVE, DenseIndex
from retrieval.encoder import EmbeddingCache, Encoder, encode_passages_cached
from retrieval.lexical import LexicalIndex
from retrieval.types import Row, RowKind

ALL_FIELDS: tuple[RowKind, ...] = (RowKind.QUESTION, RowKind.PARAPHRASE, RowKind.ANSWER)
KEEP_VERSIONS = 3

Progress = Callable[[str, int, int], None]


class SearchIndexError(RuntimeError):
    """Base class of index problems."""


class IndexNotFoundError(SearchIndexError):
    """No index has been built yet."""


class IndexMismatchError(SearchIndexError):
    """The index was built with another embedding model or dimension than the one configured."""


@dataclass(frozen=True)
class IndexMeta:
    version: str
    model: str
    dim: int
    content_hash: str
    built_at: str
    entries: int
    rows: int
    fields: tuple[str, ...]
    dense_kind: str
    build_seconds: float
    encoded_rows: int


def content_hash(entries: Sequence[FaqEntry], fields: Sequence[RowKind]) -> str:
    digest = hashlib.sha256(",".join(fields).encode())
    for entry in sorted(entries, key=lambda e: e.id):
        digest.update(entry.model_dump_json().encode())
    return digest.hexdigest()


def entry_rows(entry: FaqEntry, fields: Sequence[RowKind]) -> list[Row]:
    rows = []
    if RowKind.QUESTION in fields:
        rows.append(Row(entry.id, RowKind.QUESTION, entry.question))
    if RowKind.PARAPHRASE in fields:
        rows.extend(Row(entry.id, RowKind.PARAPHRASE, p) for p in entry.paraphrases)
    if RowKind.ANSWER in fields:
        rows.append(Row(entry.id, RowKind.ANSWER, entry.answer))
    return [row for row in rows if row.text.strip()]


class SearchIndex:
    """A loaded, immutable index: entries, their rows, dense and lexical structures."""

    def __init__(
        self,
        meta: IndexMeta,
        entries: list[FaqEntry],
        rows: list[Row],
        dense: DenseIndex,
        lexical: LexicalIndex,
    ) -> None:
        self.meta = meta
        self.entries = {e.id: e for e in entries}
        self.rows = rows
        self.dense = dense
        self.lexical = lexical
        order = {e.id: i for i, e in enumerate(entries)}
        self.row_entry = np.array([order[r.entry_id] for r in rows], dtype=np.int64)
        self.row_is_answer = np.array([r.kind is RowKind.ANSWER for r in rows], dtype=bool)
        self.entry_ids = [e.id for e in entries]
        self.rows_of: list[NDArray[np.int64]] = [np.zeros(0, np.int64)] * len(entries)
        for i, rows_idx in _group(self.row_entry).items():
            self.rows_of[i] = rows_idx
        self.code_entries: dict[str, set[str]] = {}
        for row in rows:
            for code in codes_in(row.text):
                self.code_entries.setdefault(code, set()).add(row.entry_id)
        self._pipeline: TextPipeline | None = None

    @property
    def pipeline(self) -> TextPipeline:
        """Query preparation with a restorer learned from this index's text (built on first use:
        an index only consulted with queries prepared elsewhere, like the catalog, never needs it)."""
        if self._pipeline is None:
            self._pipeline = TextPipeline(_restorer_for(list(self.entries.values()), self.rows))
        return self._pipeline


def _group(row_entry: NDArray[np.int64]) -> dict[int, NDArray[np.int64]]:
    order = np.argsort(row_entry, kind="stable")
    groups: dict[int, NDArray[np.int64]] = {}
    if len(order) == 0:
        return groups
    boundaries = np.flatnonzero(np.diff(row_entry[order])) + 1
    for chunk in np.split(order, boundaries):
        groups[int(row_entry[chunk[0]])] = chunk.astype(np.int64)
    return groups


def _restorer_for(entries: Sequence[FaqEntry], rows: Sequence[Row]) -> DiacriticsRestorer:
    texts = [r.text for r in rows] + [e.question for e in entries] + list(common_phrases())
    return DiacriticsRestorer(texts)


def build_index(
    entries: Sequence[FaqEntry],
    encoder: Encoder,
    *,
    fields: Sequence[RowKind] = ALL_FIELDS,
    cache: EmbeddingCache | None = None,
    hnsw_above: int = HNSW_ABOVE,
    progress: Progress = lambda _stage, _done, _total: None,
) -> SearchIndex:
    started = time.perf_counter()
    entries = list(entries)
    rows = [row for entry in entries for row in entry_rows(entry, fields)]
    pipeline = TextPipeline(None)
    prepared = [pipeline.prepare_document(r.text) for r in rows]
    progress("encode", 0, len(rows))
    vectors, encoded = _encode_in_batches(encoder, cache, prepared, progress)
    dense = DenseIndex.build(vectors, hnsw_above=hnsw_above)
    lexical = LexicalIndex.build([lexical_terms(t) for t in prepared])
    progress("lexical", len(rows), len(rows))
    meta = IndexMeta(
        version=datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ"),
        model=encoder.name,
        dim=encoder.dim,
        content_hash=content_hash(entries, fields),
        built_at=datetime.now(UTC).isoformat(timespec="seconds"),
        entries=len(entries),
        rows=len(rows),
        fields=tuple(str(f) for f in fields),
        dense_kind=dense.kind,
        build_seconds=round(time.perf_counter() - started, 3),
        encoded_rows=encoded,
    )
    return SearchIndex(meta, entries, rows, dense, lexical)


def _encode_in_batches(
    encoder: Encoder, cache: EmbeddingCache | None, texts: list[str], progress: Progress
) -> tuple[NDArray[np.float32], int]:
    """Encode in chunks of similar length (less padding), reporting progress per chunk."""
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    vectors = np.zeros((len(texts), encoder.dim), dtype=np.float32)
    encoded, step = 0, 256
    for start in range(0, len(order), step):
        chunk = order[start : start + step]
        part, fresh = encode_passages_cached(encoder, cache, [texts[i] for i in chunk])
        vectors[chunk] = part
        encoded += fresh
        progress("encode", min(start + step, len(texts)), len(texts))
    return vectors, encoded


class IndexStore:
    """Versioned index folders with an atomically replaced CURRENT pointer."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.versions = root / "versions"

    def current_version(self) -> str | None:
        try:
            name = (self.root / "CURRENT").read_text().strip()
        except FileNotFoundError:
            return None
        return name if (self.versions / name / "meta.json").is_file() else None

    def save(self, index: SearchIndex) -> Path:
        self.versions.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".build-", dir=self.versions))
        try:
            _write(index, staging)
            final = self.versions / index.meta.version
            staging.rename(final)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        pointer = self.root / "CURRENT.tmp"
        pointer.write_text(index.meta.version)
        os.replace(pointer, self.root / "CURRENT")
        self._prune(keep=index.meta.version)
        return final

    def _prune(self, keep: str) -> None:
        names = sorted(p.name for p in self.versions.iterdir() if p.is_dir() and not p.name.startswith("."))
        for name in names[:-KEEP_VERSIONS]:
            if name != keep:
                shutil.rmtree(self.versions / name, ignore_errors=True)
        for leftover in self.versions.glob(".build-*"):
            if time.time() - leftover.stat().st_mtime > 3600:  # an interrupted build
                shutil.rmtree(leftover, ignore_errors=True)

    def load(
        self, version: str | None = None, *, model: str | None = None, dim: int | None = None
    ) -> SearchIndex:
        version = version or self.current_version()
        if version is None:
            raise IndexNotFoundError(f"no index in {self.root}; run `hoidap index build`")
        folder = self.versions / version
        raw = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        meta = IndexMeta(**{**raw, "fields": tuple(raw["fields"])})
        if (model is not None and meta.model != model) or (dim is not None and meta.dim != dim):
            raise IndexMismatchError(
                f"index {version} was built with {meta.model} (dim {meta.dim}); configured model is "
                f"{model} (dim {dim}); rebuild with `hoidap index build`"
            )
        entries = [
            FaqEntry.model_validate(e) for e in json.loads((folder / "entries.json").read_text("utf-8"))
        ]
        rows = [Row(r[0], RowKind(r[1]), r[2]) for r in json.loads((folder / "rows.json").read_text("utf-8"))]
        return SearchIndex(meta, entries, rows, DenseIndex.load(folder), LexicalIndex.load(folder))


def _write(index: SearchIndex, folder: Path) -> None:
    entries = [e.model_dump(mode="json") for e in index.entries.values()]
    (folder / "entries.json").write_text(json.dumps(entries, ensure_ascii=False), encoding="utf-8")
    rows = [[r.entry_id, str(r.kind), r.text] for r in index.rows]
    (folder / "rows.json").write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    index.dense.save(folder)
    index.lexical.save(folder)
    # meta.json last: its presence marks a complete version
    (folder / "meta.json").write_text(json.dumps(asdict(index.meta), ensure_ascii=False, indent=2))
