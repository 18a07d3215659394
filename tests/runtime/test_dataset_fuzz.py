"""Any bytes in a data file give a Dataset or a DatasetError, never another exception."""

from __future__ import annotations

import gzip

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from runtime_files import cifar_bytes, idx_bytes, png_bytes

from netbuilder.runtime.datasets import Dataset, DatasetError, load_dataset
from netbuilder.runtime.datasets.png import decode_png

FUZZ = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _load_or_dataset_error(path, **options):
    try:
        result = load_dataset(str(path), **options)
    except DatasetError as exc:
        assert path.name in str(exc) or str(path) in str(exc) or "option" in str(exc)
        return None
    assert isinstance(result, Dataset)
    return result


def _mutations():
    """Bytes near a valid file (truncations, flipped bytes) plus arbitrary bytes."""
    return st.one_of(
        st.binary(max_size=300),
        st.tuples(st.integers(0, 4000), st.integers(0, 255), st.integers(0, 4000)),
    )


def _apply(valid: bytes, mutation) -> bytes:
    if isinstance(mutation, bytes):
        return mutation
    cut, value, position = mutation
    data = bytearray(valid[: max(cut, len(valid) // 2)])
    if data:
        data[position % len(data)] = value
    return bytes(data)


CSV_TEXT = st.text(alphabet=st.sampled_from(list("0123456789.,;-e\n\"abn x\t")), max_size=200)


@FUZZ
@given(text=CSV_TEXT, raw=st.binary(max_size=100), use_raw=st.booleans())
def test_csv_fuzz(tmp_path_factory, text, raw, use_raw):
    path = tmp_path_factory.mktemp("csv") / "fuzz.csv"
    path.write_bytes(raw if use_raw else text.encode())
    data = _load_or_dataset_error(path)
    if data is not None:
        assert data.x.shape[0] == data.y.shape[0] > 0


@FUZZ
@given(mutation=_mutations(), gz=st.booleans())
def test_idx_fuzz(tmp_path_factory, mutation, gz):
    folder = tmp_path_factory.mktemp("idx")
    images = idx_bytes(np.zeros((3, 4, 4), np.uint8))
    (folder / "train-labels-idx1-ubyte").write_bytes(idx_bytes(np.array([0, 1, 2], np.uint8)))
    data = _apply(images, mutation)
    (folder / "train-images-idx3-ubyte").write_bytes(gzip.compress(data) if gz else data)
    _load_or_dataset_error(folder / "train-images-idx3-ubyte")


@FUZZ
@given(mutation=_mutations())
def test_cifar_fuzz(tmp_path_factory, mutation):
    path = tmp_path_factory.mktemp("cifar") / "data_batch_1.bin"
    path.write_bytes(_apply(cifar_bytes(np.array([1]), np.zeros((1, 3072), np.uint8)), mutation))
    _load_or_dataset_error(path)


@FUZZ
@given(mutation=_mutations())
def test_npz_fuzz(tmp_path_factory, mutation):
    folder = tmp_path_factory.mktemp("npz")
    valid = folder / "valid.npz"
    np.savez(valid, x=np.ones((2, 3), np.float32), y=np.array([0, 1]))
    path = folder / "fuzz.npz"
    path.write_bytes(_apply(valid.read_bytes(), mutation))
    _load_or_dataset_error(path)


@FUZZ
@given(mutation=_mutations())
def test_png_fuzz(mutation):
    valid = png_bytes(np.arange(48, dtype=np.uint8).reshape(4, 4, 3), filters=[0, 1, 3, 4])
    try:
        pixels = decode_png("fuzz.png", _apply(valid, mutation))
    except DatasetError as exc:
        assert "fuzz.png" in str(exc)
    else:
        assert pixels.dtype == np.uint8 and pixels.ndim == 3
