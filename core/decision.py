"""ANSWER / SUGGEST / FALLBACK from the ranked hits.

The confidence signal is the dense cosine of the fused top hit: measured on our
sets it separates out-of-scope questions far better than the fused rank score.
Which row matched matters: a stored question or phrasing that matches means a
citizen asked this very question before, while a match on an answer passage only
says the topic is related (and query-to-passage cosines run higher). So an entry
is confident when one of its questions or phrasings clears the answer threshold,
or failing that, when its answer passage clears the higher passage threshold.
A margin rule refuses a confident answer when the runner-up is too close.
See docs/DECISIONS.md for the measurements.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from core.messages import Decision
from core.settings import Settings
from retrieval.types import Hit

THRESHOLD_FIELDS = ("answer_threshold", "passage_answer_threshold", "suggest_threshold", "answer_margin")


@dataclass(frozen=True)
class Thresholds:
    answer_threshold: float  # dense cosine a stored question or phrasing must reach
    passage_answer_threshold: float  # ... or, failing that, the answer passage
    suggest_threshold: float
    answer_margin: float
    max_suggestions: int = 3

    def confident(self, hit: Hit) -> bool:
        return hit.dense_question >= self.answer_threshold or hit.dense >= self.passage_answer_threshold

    @classmethod
    def from_settings(cls, settings: Settings) -> Thresholds:
        """Explicit settings win; otherwise a calibration file; otherwise the defaults."""
        values = {name: getattr(settings, name) for name in THRESHOLD_FIELDS}
        calibrated = read_calibration(settings.calibration_file)
        for name in THRESHOLD_FIELDS:
            if name not in settings.model_fields_set and name in calibrated:
                values[name] = float(calibrated[name])
        return cls(max_suggestions=settings.max_suggestions, **values)


def read_calibration(path: Path) -> dict[str, float]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {k: float(v) for k, v in data.get("thresholds", {}).items() if k in THRESHOLD_FIELDS}


def write_calibration(path: Path, thresholds: Thresholds, report: dict[str, object]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    chosen = {k: v for k, v in asdict(thresholds).items() if k in THRESHOLD_FIELDS}
    path.write_text(json.dumps({"thresholds": chosen, "report": report}, indent=2), encoding="utf-8")


@dataclass(frozen=True)
class Outcome:
    decision: Decision
    top: Hit | None
    suggestions: tuple[Hit, ...]


def decide(hits: list[Hit], t: Thresholds) -> Outcome:
    if not hits:
        return Outcome(Decision.FALLBACK, None, ())
    top = hits[0]
    runner_up = hits[1].score if len(hits) > 1 else float("-inf")
    if t.confident(top) and top.score - runner_up >= t.answer_margin:
        return Outcome(Decision.ANSWER, top, ())
    close = tuple(h for h in hits[: t.max_suggestions] if h.dense >= t.suggest_threshold)
    if close:
        return Outcome(Decision.SUGGEST, top, close)
    return Outcome(Decision.FALLBACK, top, ())
