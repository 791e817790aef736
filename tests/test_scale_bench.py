"""The scale benchmark: its report section is written from the figures it is given, and the smallest
size runs end to end with the real model."""

from pathlib import Path
from typing import Any

import pytest

from benchmarks.scale_bench import measure, section


def _size(entries: int, p95: float, rss: float, hwm: float) -> dict[str, Any]:
    timing = {"p50_ms": p95 / 2, "p95_ms": p95, "p99_ms": p95 * 1.2}
    return {
        "entries": entries,
        "rows": entries * 6,
        "construction_s": 1.5,
        "vectors_mib": 8.8,
        "search": timing,
        "dense": {
            "flat": {"build_s": 0.1, **timing},
            "hnsw": {"build_s": 0.2, **timing, "recall_at_k": 0.95},
        },
        "restorer_build_s": 0.4,
        "end_to_end": {**timing, "stages_p50_ms": {"encode": 12.0}},
        "reindex_after_one_edit_s": 2.25,
        "rows_reencoded": 1,
        "index_save_s": 0.3,
        "index_disk_mib": 20.0,
        "serving": {"ready_rss_mib": rss - 100, "rss_mib": rss, "hwm_mib": hwm, **timing},
    }


def _report(*sizes: dict[str, Any]) -> dict[str, Any]:
    baseline = {"ready_rss_mib": 800.0, "rss_mib": 1000.0, "hwm_mib": 1010.0, "p50_ms": 10.0}
    return {"encode_rows_per_s": 100.0, "serving_baseline": baseline, "sizes": list(sizes)}


def test_section_has_a_row_per_size_and_judges_the_largest() -> None:
    lines = section(_report(_size(1_000, 20.0, 1100.0, 1150.0), _size(20_000, 44.0, 1400.0, 1600.0)))
    text = "\n".join(lines)
    assert "| 1,000 | 6,000 | 1.5 | 60 | 2.25 (1) |" in text
    assert "| 20,000 | 120,000 |" in text
    assert "22.0 / 44.0" in text and "1,400.0 (1,600.0)" in text
    assert "over the target by 4.0 ms" in text  # p95 44 ms against 40
    assert "over the target by 64.0 MiB" in text  # peak 1,600 MiB against 1,536
    assert "share over the model alone is 400.0 MiB" in text
    assert "largest size measured here" not in text


def test_section_says_when_the_largest_size_is_not_the_target_size() -> None:
    text = "\n".join(section(_report(_size(200, 30.0, 1050.0, 1060.0))))
    assert "the largest size measured here is 200" in text
    assert "within the target, 10.0 ms to spare" in text
    assert "within the target, 476.0 MiB to spare" in text


@pytest.mark.model
@pytest.mark.shared  # its entries are made from the national catalog
def test_smallest_size_measures_end_to_end_reindex_and_serving_memory(tmp_path: Path) -> None:
    report = measure(sizes=[50], cache_file=tmp_path / "vectors.sqlite")
    size = report["sizes"][0]
    assert size["rows"] == 300 and size["rows_reencoded"] == 1
    assert size["end_to_end"]["p95_ms"] > size["search"]["p95_ms"] > 0
    assert size["serving"]["rss_mib"] > report["serving_baseline"]["ready_rss_mib"] > 0
    assert "| 50 | 300 |" in "\n".join(section(report))
