"""`hoidap bench --quick` as CI's smoke check of the benchmark harness: it must run end to end
and write its report. It asserts nothing about speed (the figures depend on the machine)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT


@pytest.mark.shared  # the quick bench imports part of the national catalog
def test_quick_benchmark_runs_and_writes_its_report(tmp_path: Path) -> None:
    report = tmp_path / "BENCHMARKS.md"
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "from cli.main import app; app()",
            "bench",
            "--quick",
            "--output",
            str(report),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    text = report.read_text("utf-8")
    for section in ("## Targets", "## AnswerService", "## Index build", "## Serving process", "## Quality"):
        assert section in text
    figures = json.loads((tmp_path / "benchmarks.json").read_text("utf-8"))
    assert figures["meta"]["command"] == "hoidap bench --quick"
    assert figures["answer_service"]["end_to_end_ms"]["p50"] > 0
