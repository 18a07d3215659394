"""The user's files load (CSV, NPZ, image folders, MNIST IDX, CIFAR-10 binary), and every
missing or malformed file gives a DatasetError that names the file and what was expected."""

from __future__ import annotations

import gzip

import numpy as np
import pytest
import torch
from runtime_files import cifar_bytes, idx_bytes, png_bytes, write_cifar, write_mnist, write_png

from netbuilder.runtime.datasets import DatasetError, detect_format, load_dataset
from netbuilder.runtime.datasets.image_folder import pillow_available

# ----- CSV ---------------------------------------------------------------------------------


def test_csv_with_text_labels_in_the_last_column(tmp_path):
    path = tmp_path / "flowers.csv"
    path.write_text("length,width,species\n1.0,2.0,rose\n3,4,tulip\n5,6.5,rose\n\n")
    data = load_dataset(str(path))
    assert data.x.tolist() == [[1.0, 2.0], [3.0, 4.0], [5.0, 6.5]]
    assert data.y.tolist() == [0, 1, 0]
    assert data.info.class_names == ("rose", "tulip")
    assert data.info.task == "classification" and data.info.sample_shape == (2,)


def test_csv_label_column_by_name_semicolons_and_whole_number_classes(tmp_path):
    path = tmp_path / "data.csv"
    path.write_text("label;a;b\n3;0.5;1\n1;0.25;2\n3;1;3\n")
    data = load_dataset(str(path), label_column="label")
    assert data.x.tolist() == [[0.5, 1.0], [0.25, 2.0], [1.0, 3.0]]
    assert data.y.tolist() == [1, 0, 1] and data.info.class_names == ("1", "3")


def test_csv_fractional_labels_make_a_regression_task(tmp_path):
    path = tmp_path / "prices.csv"
    path.write_text("size,price\n1,2.5\n2,3.25\n3,4.0\n")
    data = load_dataset(str(path))
    assert data.info.task == "regression" and data.y.dtype == torch.float32
    assert data.y.tolist() == [2.5, 3.25, 4.0]
    forced = load_dataset(str(path), task="classification")
    assert forced.info.num_classes == 3


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a,b\n1,x\n2,y\nthree,z\n", r"bad\.csv line 4, column 'a': expected a finite number, found 'three'"),
        ("a,b,c\n1,2,0\n1,2\n", r"bad\.csv line 3: expected 3 values like the header, found 2"),
        ("a,b\n", r"bad\.csv: expected a header row and at least one data row"),
        ("only\n1\n2\n", r"bad\.csv: expected at least two columns"),
        ("a,b\nnan,1\n", r"expected a finite number, found 'nan'"),
    ],
)
def test_malformed_csv_names_the_file_line_and_column(tmp_path, text, message):
    path = tmp_path / "bad.csv"
    path.write_text(text)
    with pytest.raises(DatasetError, match=message):
        load_dataset(str(path))


def test_csv_that_is_not_text_and_unknown_label_column(tmp_path):
    path = tmp_path / "bin.csv"
    path.write_bytes(b"a,b\n\xff\xfe,1\n")
    with pytest.raises(DatasetError, match="bin.csv: expected UTF-8 text"):
        load_dataset(str(path))
    path.write_text("a,b\n1,2\n")
    with pytest.raises(DatasetError, match="label_column='c' names no column; the header has: a, b"):
        load_dataset(str(path), label_column="c")


# ----- NPZ ---------------------------------------------------------------------------------


def test_npz_images_tokens_and_regression(tmp_path):
    images = tmp_path / "images.npz"
    np.savez(images, x=np.full((4, 1, 3, 3), 255, np.uint8), y=np.array([0, 1, 2, 1]),
             class_names=np.array(["a", "b", "c"]))
    data = load_dataset(str(images))
    assert data.x.dtype == torch.float32 and data.x.max() == 1.0
    assert data.info.num_classes == 3 and data.info.class_names == ("a", "b", "c")

    tokens = tmp_path / "tokens.npz"
    np.savez(tokens, x=np.arange(12, dtype=np.int32).reshape(3, 4), y=np.array([0, 1, 1]))
    data = load_dataset(str(tokens))
    assert data.x.dtype == torch.int64 and data.info.sample_shape == (4,)

    regression = tmp_path / "reg.npz"
    np.savez(regression, x=np.ones((5, 2), np.float64), y=np.linspace(0, 1, 5))
    data = load_dataset(str(regression))
    assert data.info.task == "regression" and data.y.dtype == torch.float32


def test_npz_without_the_arrays_or_with_objects_is_refused(tmp_path):
    path = tmp_path / "wrong.npz"
    np.savez(path, data=np.ones(3))
    with pytest.raises(DatasetError, match="wrong.npz: expected arrays 'x' and 'y', found data"):
        load_dataset(str(path))
    objects = tmp_path / "objects.npz"
    np.savez(objects, x=np.array([{"a": 1}, None], dtype=object), y=np.array([0, 1]))
    with pytest.raises(DatasetError, match="objects.npz: expected an .npz archive of numeric arrays"):
        load_dataset(str(objects))
    mismatch = tmp_path / "mismatch.npz"
    np.savez(mismatch, x=np.ones((3, 2)), y=np.array([0, 1]))
    with pytest.raises(DatasetError, match=r"mismatch.npz: expected 'x' and 'y' with the same number"):
        load_dataset(str(mismatch))
    not_zip = tmp_path / "garbage.npz"
    not_zip.write_bytes(b"not a zip file at all")
    with pytest.raises(DatasetError, match="garbage.npz"):
        load_dataset(str(not_zip))


# ----- image folders -----------------------------------------------------------------------


def _image_folder(root, size=(6, 5), channels=3):
    rng = np.random.default_rng(0)
    for name in ("cat", "dog"):
        for i in range(3):
            write_png(root / name / f"{i}.png", rng.integers(0, 256, (*size, channels), dtype=np.uint8))
    return root


def test_image_folder_gives_one_class_per_subfolder(tmp_path):
    root = _image_folder(tmp_path / "pets")
    (root / "notes.txt").write_text("ignored")
    data = load_dataset(str(root))
    assert data.x.shape == (6, 3, 6, 5)
    assert data.y.tolist() == [0, 0, 0, 1, 1, 1]
    assert data.info.class_names == ("cat", "dog")
    assert 0 <= data.x.min() and data.x.max() <= 1


def test_image_folder_resize_and_grayscale(tmp_path):
    root = _image_folder(tmp_path / "pets")
    write_png(root / "dog" / "big.png", np.zeros((12, 9, 3), np.uint8))
    with pytest.raises(DatasetError, match=r"big.png: is 12x9 .* pass size=\(h, w\)"):
        load_dataset(str(root))
    data = load_dataset(str(root), size=8, grayscale=True)
    assert data.x.shape == (7, 1, 8, 8)


def test_image_folder_pixels_are_read_exactly(tmp_path):
    pixels = np.arange(2 * 3 * 3, dtype=np.uint8).reshape(2, 3, 3) * 10
    write_png(tmp_path / "set" / "a" / "x.png", pixels, filters=[1, 4])
    data = load_dataset(str(tmp_path / "set"))
    assert torch.equal((data.x[0] * 255).round().to(torch.uint8), torch.from_numpy(pixels).permute(2, 0, 1))


def test_damaged_or_unsupported_images_name_the_file(tmp_path):
    root = _image_folder(tmp_path / "pets")
    (root / "cat" / "broken.png").write_bytes(png_bytes(np.zeros((4, 4, 1), np.uint8))[:40])
    with pytest.raises(DatasetError, match="broken.png"):
        load_dataset(str(root))
    (root / "cat" / "broken.png").unlink()
    if not pillow_available():
        (root / "cat" / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really")
        with pytest.raises(DatasetError, match=r"photo.jpg: reading .jpg images needs Pillow"):
            load_dataset(str(root))


# ----- MNIST IDX ---------------------------------------------------------------------------


@pytest.mark.parametrize("gz", [True, False])
def test_mnist_folder_gzipped_or_raw(tmp_path, gz):
    folder = write_mnist(tmp_path / "mnist", gz=gz)
    assert detect_format(folder) == "mnist"
    train = load_dataset(str(folder))
    assert train.x.shape == (12, 1, 28, 28) and train.y.tolist()[:3] == [0, 1, 2]
    assert train.info.class_names == tuple("0123456789")
    test = load_dataset(str(folder), subset="test")
    assert len(test) == 5
    assert len(load_dataset(str(folder), subset="all")) == 17
    name = "train-images-idx3-ubyte" + (".gz" if gz else "")
    assert len(load_dataset(str(folder / name))) == 12


def test_fashion_mnist_gets_its_class_names(tmp_path):
    folder = write_mnist(tmp_path / "fashion-mnist")
    assert load_dataset(str(folder)).info.class_names[0] == "T-shirt/top"


def test_idx_magic_and_size_errors_name_the_file(tmp_path):
    folder = write_mnist(tmp_path / "mnist", gz=False)
    images = folder / "train-images-idx3-ubyte"
    # a gzip file renamed without .gz is still detected by content; a double-gzipped one is not
    images.write_bytes(gzip.compress(gzip.compress(idx_bytes(np.zeros((12, 28, 28), np.uint8)))))
    with pytest.raises(DatasetError, match=r"train-images-idx3-ubyte: expected IDX magic 0x00000803 .*found 0x1f8b0800"):
        load_dataset(str(folder))
    images.write_bytes(idx_bytes(np.zeros((12, 28, 28), np.uint8))[:-10])
    with pytest.raises(DatasetError, match=r"announces 12x28x28 = 9408 bytes of data, the file holds 9398"):
        load_dataset(str(folder))
    images.write_bytes(idx_bytes(np.zeros((11, 28, 28), np.uint8)))
    with pytest.raises(DatasetError, match="holds 11 images but train-labels-idx1-ubyte holds 12 labels"):
        load_dataset(str(folder))
    (folder / "train-labels-idx1-ubyte").unlink()
    with pytest.raises(DatasetError, match="expected the MNIST file train-labels-idx1-ubyte.gz"):
        load_dataset(str(folder))


def test_truncated_gzip_names_the_file(tmp_path):
    folder = write_mnist(tmp_path / "mnist")
    path = folder / "train-labels-idx1-ubyte.gz"
    path.write_bytes(path.read_bytes()[:15])
    with pytest.raises(DatasetError, match="train-labels-idx1-ubyte.gz: starts like a gzip file but cannot be decompressed"):
        load_dataset(str(folder))


# ----- CIFAR-10 binary ---------------------------------------------------------------------


def test_cifar_folder_and_single_batch(tmp_path):
    folder = write_cifar(tmp_path / "cifar-10-batches-bin")
    data = load_dataset(str(tmp_path))  # the parent of cifar-10-batches-bin is found too
    assert data.x.shape == (8, 3, 32, 32) and data.info.class_names[1] == "car"
    assert len(load_dataset(str(folder), subset="test")) == 4
    assert len(load_dataset(str(folder), subset="all")) == 12
    assert len(load_dataset(str(folder / "data_batch_2.bin"))) == 4


def test_cifar_pixels_are_channel_planes_in_record_order(tmp_path):
    image = np.zeros((1, 3, 32, 32), np.uint8)
    image[0, 1, 2, 3] = 255  # green plane, row 2, column 3
    path = tmp_path / "one.bin"
    path.write_bytes(cifar_bytes(np.array([7]), image))
    data = load_dataset(str(path))
    assert data.y.tolist() == [7] and data.x[0, 1, 2, 3] == 1.0 and data.x.sum() == 1.0


def test_malformed_cifar_names_the_file(tmp_path):
    path = tmp_path / "data_batch_1.bin"
    path.write_bytes(b"\x00" * 3000)
    with pytest.raises(DatasetError, match="data_batch_1.bin: expected CIFAR-10 binary records of 3073 bytes"):
        load_dataset(str(path))
    path.write_bytes(cifar_bytes(np.array([12]), np.zeros((1, 3072), np.uint8)))
    with pytest.raises(DatasetError, match="data_batch_1.bin: record 0 has label byte 12, expected 0..9"):
        load_dataset(str(path))
    folder = write_cifar(tmp_path / "c")
    (folder / "batches.meta.txt").write_text("a\nb\n")
    with pytest.raises(DatasetError, match="batches.meta.txt: expected 10 class names"):
        load_dataset(str(folder))


# ----- paths in general --------------------------------------------------------------------


def test_missing_paths_and_unknown_formats(tmp_path):
    with pytest.raises(DatasetError, match="neither a shipped dataset nor an existing file"):
        load_dataset(str(tmp_path / "nothing.csv"))
    odd = tmp_path / "data.xyz"
    odd.write_text("1")
    with pytest.raises(DatasetError, match="data.xyz: cannot tell the format from the name"):
        load_dataset(str(odd))
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(DatasetError, match="this folder holds no dataset netbuilder can read"):
        load_dataset(str(empty))
    with pytest.raises(DatasetError, match="format='parquet' is unknown"):
        load_dataset(str(odd), format="parquet")


def test_limit_keeps_the_first_samples(tmp_path):
    folder = write_mnist(tmp_path / "mnist")
    assert len(load_dataset(str(folder), limit=3)) == 3
