"""Writers for the standard file formats, so tests read real files they made themselves.

PNG follows the PNG specification (each row filtered with a chosen filter type), IDX the
MNIST layout, CIFAR-10 the binary version's 1 + 3072-byte records.
"""

from __future__ import annotations

import gzip
import struct
import zlib
from pathlib import Path

import numpy as np

PNG_COLOR = {1: 0, 2: 4, 3: 2, 4: 6}  # channels -> colour type


def _paeth(a: int, b: int, c: int) -> int:
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def filter_row(kind: int, row: bytes, prev: bytes, bpp: int) -> bytes:
    out = bytearray(len(row))
    for i, value in enumerate(row):
        left = row[i - bpp] if i >= bpp else 0
        up = prev[i]
        upleft = prev[i - bpp] if i >= bpp else 0
        pred = (0, left, up, (left + up) >> 1, _paeth(left, up, upleft))[kind]
        out[i] = (value - pred) & 0xFF
    return bytes(out)


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_bytes(pixels: np.ndarray, filters: list[int] | None = None, *, palette: np.ndarray | None = None,
              depth: int = 8) -> bytes:
    """PNG of uint8 ``pixels`` (H, W, C); with ``palette`` the pixels are (H, W) indices."""
    if palette is not None:
        height, width = pixels.shape
        color, channels = 3, 1
        rows = [_pack_bits(pixels[r], depth) for r in range(height)]
        bpp = 1
    else:
        height, width, channels = pixels.shape
        color = PNG_COLOR[channels]
        if depth < 8:
            rows = [_pack_bits(pixels[r, :, 0], depth) for r in range(height)]
            bpp = 1
        else:
            rows = [pixels[r].astype(np.uint8).tobytes() for r in range(height)]
            bpp = channels
    filters = filters or [0] * height
    raw, prev = bytearray(), bytes(len(rows[0]))
    for r, row in enumerate(rows):
        raw.append(filters[r])
        raw += filter_row(filters[r], row, prev, bpp)
        prev = row
    header = struct.pack(">IIBBBBB", width, height, depth, color, 0, 0, 0)
    body = _chunk(b"IHDR", header)
    if palette is not None:
        body += _chunk(b"PLTE", palette.astype(np.uint8).tobytes())
    return b"\x89PNG\r\n\x1a\n" + body + _chunk(b"IDAT", zlib.compress(bytes(raw))) + _chunk(b"IEND", b"")


def _pack_bits(values: np.ndarray, depth: int) -> bytes:
    if depth == 8:
        return values.astype(np.uint8).tobytes()
    bits = ((values[:, None].astype(np.uint8) >> np.arange(depth - 1, -1, -1)) & 1).reshape(-1)
    return np.packbits(bits).tobytes()


def write_png(path: Path, pixels: np.ndarray, filters: list[int] | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(png_bytes(pixels, filters))
    return path


def idx_bytes(array: np.ndarray) -> bytes:
    magic = 0x00000800 | array.ndim
    return struct.pack(">I", magic) + struct.pack(f">{array.ndim}I", *array.shape) + array.astype(np.uint8).tobytes()


def write_mnist(folder: Path, n_train: int = 12, n_test: int = 5, *, gz: bool = True, seed: int = 0) -> Path:
    """The standard four MNIST files with random 28x28 images and labels 0..9."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    for prefix, n in (("train", n_train), ("t10k", n_test)):
        images = rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
        labels = (np.arange(n) % 10).astype(np.uint8)
        for kind, array in (("images-idx3", images), ("labels-idx1", labels)):
            data = idx_bytes(array)
            name = f"{prefix}-{kind}-ubyte" + (".gz" if gz else "")
            (folder / name).write_bytes(gzip.compress(data) if gz else data)
    return folder


def cifar_bytes(labels: np.ndarray, images: np.ndarray) -> bytes:
    records = np.concatenate([labels.astype(np.uint8)[:, None], images.reshape(len(labels), -1)], axis=1)
    return records.astype(np.uint8).tobytes()


def write_cifar(folder: Path, per_batch: int = 4, batches: int = 2, *, seed: int = 0, meta: bool = True) -> Path:
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    names = [f"data_batch_{i}.bin" for i in range(1, batches + 1)] + ["test_batch.bin"]
    for name in names:
        labels = rng.integers(0, 10, size=per_batch)
        images = rng.integers(0, 256, size=(per_batch, 3, 32, 32))
        (folder / name).write_bytes(cifar_bytes(labels, images))
    if meta:
        (folder / "batches.meta.txt").write_text(
            "\n".join(["plane", "car", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]) + "\n\n"
        )
    return folder
