"""Index lifecycle: round trip, atomic swap under load, failed builds, model guard, cache."""

import threading
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from core.faq import FaqEntry
from retrieval.encoder import EmbeddingCache
from retrieval.index import IndexMismatchError, IndexNotFoundError, IndexStore, build_index
from retrieval.live import LiveIndex
from retrieval.searcher import SearchConfig


def test_round_trip(tmp_path: Path, sample_index, encoder) -> None:
    store = IndexStore(tmp_path / "index")
    store.save(sample_index)
    loaded = store.load(model=encoder.name, dim=encoder.dim)
    assert loaded.meta == sample_index.meta
    assert loaded.rows == sample_index.rows
    assert loaded.entries == sample_index.entries
    assert np.allclose(loaded.dense.vectors, sample_index.dense.vectors)
    terms = loaded.pipeline.prepare_query("sang tên sổ đỏ").lexical_terms
    assert np.allclose(loaded.lexical.scores(terms), sample_index.lexical.scores(terms))
    assert loaded.meta.model == encoder.name and loaded.meta.dim == 384


def test_no_index_and_model_mismatch(tmp_path: Path, sample_index) -> None:
    store = IndexStore(tmp_path / "index")
    with pytest.raises(IndexNotFoundError):
        store.load()
    store.save(sample_index)
    with pytest.raises(IndexMismatchError, match="rebuild"):
        store.load(model="intfloat/multilingual-e5-base", dim=768)


def test_failed_build_leaves_previous_version_serving(tmp_path: Path, sample_index, monkeypatch) -> None:
    store = IndexStore(tmp_path / "index")
    store.save(sample_index)
    before = store.current_version()

    def broken_save(self, folder):
        raise OSError("disk full")

    monkeypatch.setattr(type(sample_index.lexical), "save", broken_save)
    with pytest.raises(OSError, match="disk full"):
        store.save(sample_index)
    assert store.current_version() == before
    assert store.load().meta.version == before
    assert not list(store.versions.glob(".build-*"))  # the half-written folder is gone


def test_swap_under_concurrent_queries(tmp_path: Path, sample_entries: list[FaqEntry], encoder) -> None:
    store = IndexStore(tmp_path / "index")
    first = build_index(sample_entries, encoder)
    store.save(first)
    live = LiveIndex(store, encoder, SearchConfig())
    assert live.refresh()
    renamed = [e.model_copy(update={"question": e.question + " (mới)"}) for e in sample_entries]
    second = build_index(renamed, encoder)
    errors: list[BaseException] = []
    answers: list[str] = []
    stop = threading.Event()

    def ask() -> None:
        while not stop.is_set():
            try:
                searcher = live.searcher
                assert searcher is not None
                hits = searcher.search(searcher.index.pipeline.prepare_query("đăng ký kết hôn"))
                answers.append(hits[0].id)
            except BaseException as exc:  # collected and asserted below
                errors.append(exc)

    threads = [threading.Thread(target=ask) for _ in range(3)]
    for t in threads:
        t.start()
    store.save(second)
    assert live.refresh()
    stop.set()
    for t in threads:
        t.join()
    assert not errors
    assert answers and set(answers) == {"ket-hon"}
    assert live.version == second.meta.version
    assert live.searcher is not None
    assert live.searcher.index.entries["ket-hon"].question.endswith("(mới)")


def test_one_edit_reencodes_one_row(tmp_path: Path, sample_entries: list[FaqEntry], encoder) -> None:
    cache = EmbeddingCache(tmp_path / "cache.sqlite")
    first = build_index(sample_entries, encoder, cache=cache)
    assert first.meta.encoded_rows == first.meta.rows
    edited = list(sample_entries)
    edited[0] = edited[0].model_copy(update={"answer": edited[0].answer + " Thêm một câu."})
    second = build_index(edited, encoder, cache=cache)
    assert second.meta.encoded_rows == 1
    assert second.meta.content_hash != first.meta.content_hash
    cache.close()


def test_old_versions_are_pruned(tmp_path: Path, sample_index) -> None:
    store = IndexStore(tmp_path / "index")
    for i in range(5):
        meta = sample_index.meta.__class__(**{**sample_index.meta.__dict__, "version": f"2026010{i}"})
        sample_index.meta = meta
        store.save(sample_index)
    assert sorted(p.name for p in store.versions.iterdir()) == ["20260102", "20260103", "20260104"]
    assert store.current_version() == "20260104"


def test_runtime_rebuilds_when_content_changed(
    tmp_path: Path, sample_entries: list[FaqEntry], encoder, sqlite_engine
) -> None:
    from core import faq_store
    from core.runtime import load_or_build_index, served_entries
    from core.settings import Settings
    from tests.conftest import write_content_dir

    content = write_content_dir(tmp_path / "content", sample_entries)
    settings = Settings(data_dir=tmp_path / "var", faq_dir=content, _env_file=None)
    first = load_or_build_index(settings, encoder, served_entries(settings, sqlite_engine))
    again = load_or_build_index(settings, encoder, served_entries(settings, sqlite_engine))
    assert again.meta.version == first.meta.version  # unchanged content: the index is reused
    edited = next(e for e in sample_entries if e.id == "lltp")
    faq_store.save(sqlite_engine, [], [edited.model_copy(update={"answer": edited.answer + " Cập nhật."})])
    second = load_or_build_index(settings, encoder, served_entries(settings, sqlite_engine))
    assert second.meta.version != first.meta.version
    assert second.meta.encoded_rows == 1
    assert second.entries["lltp"].answer.endswith("Cập nhật.")


def test_hnsw_keeps_its_search_breadth_through_save_and_load(tmp_path: Path) -> None:
    """Above the size limit the dense index is an HNSW graph searched broadly (recall first)."""
    import faiss
    import numpy as np

    from retrieval.dense import _HNSW_EF_SEARCH, DenseIndex

    rng = np.random.default_rng(7)
    vectors = rng.normal(size=(2000, 32)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    graph = DenseIndex.build(vectors, hnsw_above=1000)
    assert graph.kind == "hnsw" and DenseIndex.build(vectors).kind == "flat"
    graph.save(tmp_path)
    loaded = DenseIndex.load(tmp_path)
    assert loaded.kind == "hnsw"
    inner: Any = faiss.downcast_index(loaded._index)
    assert inner.hnsw.efSearch == _HNSW_EF_SEARCH
    _, ids = loaded.search(vectors[5], 10)
    assert ids[0] == 5


@pytest.mark.parametrize("hnsw_above", [10_000, 0])
def test_vectors_are_held_once_and_score_as_stored(tmp_path: Path, hnsw_above: int) -> None:
    """Candidates found lexically are scored from faiss's own copy of the vectors, flat or HNSW:
    a second copy would hold 176 MiB more at 20,000 entries (BENCHMARKS, Scale)."""
    from retrieval.dense import DenseIndex

    rng = np.random.default_rng(11)
    vectors = rng.normal(size=(300, 16)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    DenseIndex.build(vectors, hnsw_above=hnsw_above).save(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dense.faiss"]
    loaded = DenseIndex.load(tmp_path)
    assert not loaded.vectors.flags.owndata and not loaded.vectors.flags.writeable
    kept = loaded.vectors
    del loaded  # the view keeps faiss's storage alive
    assert np.allclose(kept, vectors, atol=1e-6)
    loaded = DenseIndex.load(tmp_path)
    rows = np.array([0, 7, 299])
    assert np.allclose(loaded.scores_for(vectors[7], rows), vectors[rows] @ vectors[7], atol=1e-6)
    scores, ids = loaded.search(vectors[42], 3)
    assert ids[0] == 42 and scores[0] == pytest.approx(1.0, abs=1e-5)


def test_search_runs_on_one_openmp_thread_in_any_thread() -> None:
    """Answers run on pool threads; faiss's thread count is per thread, so each search sets it."""
    from concurrent.futures import ThreadPoolExecutor

    import faiss

    from retrieval.dense import DenseIndex

    vectors = np.eye(8, dtype=np.float32)
    dense = DenseIndex.build(vectors)

    def search_then_count() -> tuple[int, int]:
        _, ids = dense.search(vectors[3], 1)
        return int(ids[0]), faiss.omp_get_max_threads()

    with ThreadPoolExecutor(2) as pool:
        assert pool.submit(search_then_count).result() == (3, 1)
