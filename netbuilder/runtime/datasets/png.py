"""A small pure-Python PNG decoder (zlib + numpy), used when Pillow is not installed.

Handles every non-interlaced PNG: grayscale, RGB, palette, gray+alpha and RGBA, bit depths
1 to 16 (16-bit samples keep their high byte). Interlaced (Adam7) files need Pillow.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import numpy as np

from netbuilder.runtime.errors import DatasetError

SIGNATURE = b"\x89PNG\r\n\x1a\n"
CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}
DEPTHS = {0: (1, 2, 4, 8, 16), 2: (8, 16), 3: (1, 2, 4, 8), 4: (8, 16), 6: (8, 16)}
MAX_PIXELS = 1 << 26  # refuse absurd sizes before allocating


class _Header:
    def __init__(self, name: str, data: bytes) -> None:
        if len(data) != 13:
            raise DatasetError(f"{name}: expected a 13-byte PNG IHDR chunk, found {len(data)} bytes")
        (self.width, self.height, self.depth, self.color, compression, filtering,
         self.interlace) = struct.unpack(">IIBBBBB", data)
        if self.color not in CHANNELS or self.depth not in DEPTHS[self.color]:
            raise DatasetError(
                f"{name}: PNG colour type {self.color} with bit depth {self.depth} is not a "
                f"valid combination"
            )
        if compression or filtering or self.interlace not in (0, 1):
            raise DatasetError(f"{name}: unknown PNG compression, filter or interlace method")
        if not 0 < self.width * self.height <= MAX_PIXELS:
            raise DatasetError(
                f"{name}: PNG size {self.width}x{self.height} is empty or too large "
                f"(at most {MAX_PIXELS} pixels)"
            )
        if self.interlace:
            raise DatasetError(
                f"{name}: interlaced PNG files need Pillow (pip install Pillow), or save the "
                f"image without interlacing"
            )
        self.channels = CHANNELS[self.color]
        bits = self.channels * self.depth
        self.bpp = max(1, bits // 8)
        self.stride = (self.width * bits + 7) // 8


def _chunks(name: str, data: bytes) -> list[tuple[bytes, bytes]]:
    if not data.startswith(SIGNATURE):
        raise DatasetError(
            f"{name}: expected the PNG signature 89 50 4E 47 0D 0A 1A 0A, found "
            f"{data[:8].hex(' ').upper() or 'an empty file'}"
        )
    chunks, pos = [], len(SIGNATURE)
    while pos < len(data):
        if pos + 8 > len(data):
            raise DatasetError(f"{name}: PNG chunk header cut off at byte {pos}; the file is truncated")
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        crc = data[pos + 8 + length:pos + 12 + length]
        if len(body) != length or len(crc) != 4:
            raise DatasetError(f"{name}: PNG chunk {kind!r} is cut off; the file is truncated")
        if zlib.crc32(kind + body) != struct.unpack(">I", crc)[0]:
            raise DatasetError(f"{name}: PNG chunk {kind!r} fails its CRC check; the file is damaged")
        chunks.append((kind, body))
        pos += 12 + length
        if kind == b"IEND":
            break
    return chunks


def _paeth(a: int, b: int, c: int) -> int:
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def _unfilter(name: str, raw: bytes, h: _Header) -> np.ndarray:
    rows = np.zeros((h.height, h.stride), dtype=np.uint8)
    prev = np.zeros(h.stride, dtype=np.int64)
    bpp, stride = h.bpp, h.stride
    for r in range(h.height):
        start = r * (stride + 1)
        kind = raw[start]
        line = np.frombuffer(raw, dtype=np.uint8, count=stride, offset=start + 1).astype(np.int64)
        if kind == 0:
            cur = line
        elif kind == 1:  # Sub: running sum along each byte lane
            cur = np.cumsum(line.reshape(-1, bpp), axis=0).reshape(-1) % 256
        elif kind == 2:  # Up
            cur = (line + prev) % 256
        elif kind in (3, 4):  # Average and Paeth depend on the byte just decoded
            out = line.tolist()
            up = prev.tolist()
            for i in range(stride):
                left = out[i - bpp] if i >= bpp else 0
                if kind == 3:
                    pred = (left + up[i]) >> 1
                else:
                    pred = _paeth(left, up[i], up[i - bpp] if i >= bpp else 0)
                out[i] = (out[i] + pred) & 0xFF
            cur = np.array(out, dtype=np.int64)
        else:
            raise DatasetError(f"{name}: PNG row {r} uses unknown filter type {kind}")
        rows[r] = cur
        prev = cur
    return rows


def _samples(rows: np.ndarray, h: _Header) -> np.ndarray:
    if h.depth == 16:
        return rows.reshape(h.height, h.width, h.channels, 2)[..., 0]
    if h.depth == 8:
        return rows.reshape(h.height, h.width, h.channels)
    bits = np.unpackbits(rows, axis=1).reshape(h.height, -1, h.depth)
    weights = (1 << np.arange(h.depth - 1, -1, -1)).astype(np.uint8)
    values = (bits * weights).sum(axis=2).astype(np.uint8)[:, : h.width]
    if h.color == 0:
        values = (values.astype(np.uint16) * 255 // ((1 << h.depth) - 1)).astype(np.uint8)
    return values[..., None]


def decode_png(name: str, data: bytes) -> np.ndarray:
    """PNG bytes -> uint8 array (height, width, channels): 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA."""
    chunks = _chunks(name, data)
    if not chunks or chunks[0][0] != b"IHDR":
        raise DatasetError(f"{name}: expected the PNG IHDR chunk first")
    h = _Header(name, chunks[0][1])
    palette = next((body for kind, body in chunks if kind == b"PLTE"), None)
    try:
        raw = zlib.decompress(b"".join(body for kind, body in chunks if kind == b"IDAT"))
    except zlib.error as exc:
        raise DatasetError(f"{name}: the PNG image data cannot be decompressed ({exc})") from None
    if len(raw) < h.height * (h.stride + 1):
        raise DatasetError(
            f"{name}: expected {h.height * (h.stride + 1)} bytes of PNG image data, found "
            f"{len(raw)}; the file is truncated"
        )
    pixels = _samples(_unfilter(name, raw, h), h)
    if h.color == 3:
        if palette is None or len(palette) % 3:
            raise DatasetError(f"{name}: palette PNG without a valid PLTE chunk")
        table = np.frombuffer(palette, dtype=np.uint8).reshape(-1, 3)
        index = pixels[..., 0]
        if index.max() >= len(table):
            raise DatasetError(
                f"{name}: a pixel uses palette entry {int(index.max())} but the palette has "
                f"{len(table)} entries"
            )
        pixels = table[index]
    return np.ascontiguousarray(pixels)


def read_png(path: Path) -> np.ndarray:
    """Decode the PNG file at ``path``; see :func:`decode_png`."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DatasetError(f"{path}: cannot read the file ({exc.strerror or exc})") from None
    return decode_png(path.name, data)
