"""The pure-Python PNG decoder used when Pillow is absent reads every filter, colour type and
bit depth exactly, and refuses damaged files with a DatasetError."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from runtime_files import png_bytes

from netbuilder.runtime.datasets.png import decode_png
from netbuilder.runtime.errors import DatasetError


@settings(max_examples=60, deadline=None)
@given(
    height=st.integers(1, 6),
    width=st.integers(1, 7),
    channels=st.sampled_from([1, 2, 3, 4]),
    data=st.data(),
)
def test_decoding_inverts_every_row_filter(height, width, channels, data):
    pixels = np.array(
        data.draw(st.lists(st.integers(0, 255), min_size=height * width * channels,
                           max_size=height * width * channels)),
        dtype=np.uint8,
    ).reshape(height, width, channels)
    filters = data.draw(st.lists(st.integers(0, 4), min_size=height, max_size=height))
    assert np.array_equal(decode_png("t.png", png_bytes(pixels, filters)), pixels)


@pytest.mark.parametrize("depth", [1, 2, 4])
def test_low_bit_depth_grayscale_is_scaled_to_0_255(depth):
    top = (1 << depth) - 1
    values = np.array([[0, top, 0, top, 1 % (top + 1)]], dtype=np.uint8)
    decoded = decode_png("g.png", png_bytes(values[..., None], depth=depth))
    assert decoded.shape == (1, 5, 1)
    assert decoded[0, :, 0].tolist() == [int(v) * 255 // top for v in values[0]]


def test_palette_images_expand_to_rgb():
    palette = np.array([[255, 0, 0], [0, 0, 255], [10, 20, 30]])
    indices = np.array([[0, 1, 2], [2, 2, 0]], dtype=np.uint8)
    decoded = decode_png("p.png", png_bytes(indices, palette=palette, depth=2))
    assert np.array_equal(decoded, palette[indices].astype(np.uint8))


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda b: b"GIF89a" + b[6:], "expected the PNG signature"),
        (lambda b: b[:30], "cut off"),
        (lambda b: b[:20] + bytes([b[20] ^ 0xFF]) + b[21:], "fails its CRC check"),
        (lambda b: b"", "an empty file"),
    ],
)
def test_damaged_png_is_a_dataset_error(damage, message):
    good = png_bytes(np.zeros((3, 3, 3), np.uint8))
    with pytest.raises(DatasetError, match=message):
        decode_png("bad.png", damage(good))
