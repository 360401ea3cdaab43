"""Tests for nn.data: toy datasets, the MNIST IDX reader and the batch iterator."""

from __future__ import annotations

import doctest
import gzip
import re
import struct
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import nn
from nn import data
from nn.data import batches, load_digits, load_mnist, make_moons, make_regression, spiral

BAD_POSITIVE_INTS = [0, -3, 2.5, True, "10", None]
BAD_NON_NEGATIVE_FLOATS = [-0.1, float("nan"), float("inf"), "0.1", None, True]
BAD_SEEDS = [-1, 1.5, "0", True, [1, 2]]


def test_docstring_examples_run() -> None:
    result = doctest.testmod(data, raise_on_error=False, verbose=False)
    assert result.attempted > 0
    assert result.failed == 0


def test_package_exports() -> None:
    for name in [
        "make_moons",
        "spiral",
        "make_regression",
        "load_digits",
        "load_mnist",
        "batches",
    ]:
        assert name in nn.__all__
        assert getattr(nn, name) is getattr(data, name)


# ---------------------------------------------------------------- make_moons


@pytest.mark.parametrize("n", [1, 2, 7, 100, 101])
def test_moons_shapes_dtypes_and_balance(n: int) -> None:
    X, y = make_moons(n_samples=n, seed=0)
    assert X.shape == (n, 2)
    assert X.dtype == np.float64
    assert y.shape == (n,)
    assert y.dtype == np.int64
    assert set(np.unique(y).tolist()) <= {0, 1}
    # Half each; for odd n the extra point goes to class 0.
    assert int(np.sum(y == 0)) == n - n // 2
    assert int(np.sum(y == 1)) == n // 2


def test_moons_noise_free_points_lie_on_their_circles() -> None:
    X, y = make_moons(n_samples=201, noise=0.0, seed=3)
    outer, inner = X[y == 0], X[y == 1]
    # Class 0: upper half of the unit circle centred at (0, 0).
    np.testing.assert_allclose(np.hypot(outer[:, 0], outer[:, 1]), 1.0, atol=1e-12)
    assert np.all(outer[:, 1] >= -1e-12)
    # Class 1: lower half of the unit circle centred at (1, 0.5).
    np.testing.assert_allclose(
        np.hypot(inner[:, 0] - 1.0, inner[:, 1] - 0.5), 1.0, atol=1e-12
    )
    assert np.all(inner[:, 1] <= 0.5 + 1e-12)


def test_moons_noise_free_points_are_evenly_spaced_over_half_circles() -> None:
    X, y = make_moons(n_samples=9, noise=0.0, seed=1)
    t_outer = np.linspace(0.0, np.pi, 5)
    t_inner = np.linspace(0.0, np.pi, 4)
    expected_outer = np.column_stack([np.cos(t_outer), np.sin(t_outer)])
    expected_inner = np.column_stack([1 - np.cos(t_inner), 0.5 - np.sin(t_inner)])

    def sort_rows(a: np.ndarray) -> np.ndarray:
        return a[np.lexsort((a[:, 1], a[:, 0]))]

    np.testing.assert_allclose(sort_rows(X[y == 0]), sort_rows(expected_outer))
    np.testing.assert_allclose(sort_rows(X[y == 1]), sort_rows(expected_inner))


def test_moons_noise_has_the_requested_std() -> None:
    X, y = make_moons(n_samples=40_000, noise=0.05, seed=0)
    radial = np.hypot(X[y == 0, 0], X[y == 0, 1]) - 1.0
    assert abs(radial.mean()) < 0.005
    assert radial.std() == pytest.approx(0.05, rel=0.1)


def test_moons_are_shuffled() -> None:
    _, y = make_moons(n_samples=100, noise=0.0, seed=0)
    assert not np.array_equal(y, np.sort(y))


def test_moons_reproducible_from_seed() -> None:
    X1, y1 = make_moons(seed=42)
    X2, y2 = make_moons(seed=42)
    X3, _ = make_moons(seed=43)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    assert not np.allclose(X1, X3)


def test_moons_accepts_a_generator_as_seed() -> None:
    X1, _ = make_moons(seed=np.random.default_rng(5))
    X2, _ = make_moons(seed=5)
    np.testing.assert_array_equal(X1, X2)


def test_moons_error_message_names_function_argument_and_value() -> None:
    with pytest.raises(ValueError) as info:
        make_moons(n_samples=-3)
    assert str(info.value) == "make_moons: n_samples must be a positive int, got -3"


@pytest.mark.parametrize("bad", BAD_POSITIVE_INTS)
def test_moons_rejects_bad_n_samples(bad: object) -> None:
    with pytest.raises(
        ValueError, match=r"make_moons: n_samples .*" + re.escape(repr(bad))
    ):
        make_moons(n_samples=bad)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", BAD_NON_NEGATIVE_FLOATS)
def test_moons_rejects_bad_noise(bad: object) -> None:
    with pytest.raises(
        ValueError, match=r"make_moons: noise .*" + re.escape(repr(bad))
    ):
        make_moons(noise=bad)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", BAD_SEEDS)
def test_moons_rejects_bad_seed(bad: object) -> None:
    with pytest.raises(ValueError, match=r"make_moons: seed .*" + re.escape(repr(bad))):
        make_moons(seed=bad)  # type: ignore[arg-type]


# -------------------------------------------------------------------- spiral


@pytest.mark.parametrize(("n", "k"), [(1, 1), (100, 3), (7, 5)])
def test_spiral_shapes_dtypes_and_labels(n: int, k: int) -> None:
    X, y = spiral(samples_per_class=n, classes=k, seed=0)
    assert X.shape == (n * k, 2)
    assert X.dtype == np.float64
    assert y.dtype == np.int64
    np.testing.assert_array_equal(y, np.repeat(np.arange(k), n))


def test_spiral_radius_runs_from_0_to_1_in_each_class() -> None:
    n = 50
    X, y = spiral(samples_per_class=n, classes=3, seed=0)
    radius = np.hypot(X[:, 0], X[:, 1])
    assert radius.min() >= 0.0
    assert radius.max() <= 1.0 + 1e-12
    for k in range(3):
        np.testing.assert_allclose(radius[y == k], np.linspace(0, 1, n), atol=1e-12)


def test_spiral_angles_follow_the_book_formula() -> None:
    # x = r sin(2.5 t), y = r cos(2.5 t) with t = linspace(4k, 4k + 4) + 0.2 z,
    # so atan2(x, y) - 2.5 * linspace(...) is 0.5 z, wrapped to (-pi, pi].
    n = 20_000
    X, y = spiral(samples_per_class=n, classes=3, seed=0)
    for k in range(3):
        pts = X[y == k][1:]  # the point at r = 0 has no angle
        base = np.linspace(4.0 * k, 4.0 * (k + 1), n)[1:]
        diff = np.angle(np.exp(1j * (np.arctan2(pts[:, 0], pts[:, 1]) - 2.5 * base)))
        assert abs(diff.mean()) < 0.02
        assert diff.std() == pytest.approx(0.5, rel=0.05)


def test_spiral_reproducible_from_seed() -> None:
    X1, _ = spiral(seed=7)
    X2, _ = spiral(seed=7)
    X3, _ = spiral(seed=8)
    np.testing.assert_array_equal(X1, X2)
    assert not np.allclose(X1, X3)


@pytest.mark.parametrize("name", ["samples_per_class", "classes"])
@pytest.mark.parametrize("bad", BAD_POSITIVE_INTS)
def test_spiral_rejects_bad_sizes(name: str, bad: object) -> None:
    with pytest.raises(ValueError, match=rf"spiral: {name} .*" + re.escape(repr(bad))):
        spiral(**{name: bad})  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", BAD_SEEDS)
def test_spiral_rejects_bad_seed(bad: object) -> None:
    with pytest.raises(ValueError, match=r"spiral: seed"):
        spiral(seed=bad)  # type: ignore[arg-type]


# ----------------------------------------------------------- make_regression


@pytest.mark.parametrize(("n", "f"), [(1, 1), (100, 1), (30, 4)])
def test_regression_shapes_and_dtypes(n: int, f: int) -> None:
    X, y, coef = make_regression(n_samples=n, n_features=f, seed=0)
    assert X.shape == (n, f)
    assert y.shape == (n,)
    assert coef.shape == (f,)
    assert X.dtype == y.dtype == coef.dtype == np.float64


def test_regression_without_noise_lstsq_recovers_coef() -> None:
    X, y, coef = make_regression(n_samples=50, n_features=5, noise=0.0, seed=1)
    fitted, *_ = np.linalg.lstsq(X, y, rcond=None)
    np.testing.assert_allclose(fitted, coef, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(X @ coef, y, rtol=1e-12, atol=1e-10)


def test_regression_bias_is_recovered() -> None:
    X, y, coef = make_regression(n_samples=50, n_features=3, bias=-7.5, seed=2)
    design = np.column_stack([X, np.ones(len(X))])
    fitted, *_ = np.linalg.lstsq(design, y, rcond=None)
    np.testing.assert_allclose(fitted, [*coef, -7.5], rtol=1e-10, atol=1e-10)


def test_regression_coef_in_0_100() -> None:
    _, _, coef = make_regression(n_features=1000, seed=0)
    assert coef.min() >= 0.0
    assert coef.max() < 100.0
    assert coef.mean() == pytest.approx(50.0, abs=5.0)


def test_regression_noise_has_the_requested_std() -> None:
    X, y, coef = make_regression(n_samples=20_000, n_features=2, noise=3.0, seed=0)
    residual = y - X @ coef
    assert abs(residual.mean()) < 0.1
    assert residual.std() == pytest.approx(3.0, rel=0.05)


def test_regression_reproducible_from_seed() -> None:
    a = make_regression(n_samples=10, n_features=2, noise=1.0, seed=3)
    b = make_regression(n_samples=10, n_features=2, noise=1.0, seed=3)
    c = make_regression(n_samples=10, n_features=2, noise=1.0, seed=4)
    for left, right in zip(a, b, strict=True):
        np.testing.assert_array_equal(left, right)
    assert not np.allclose(a[0], c[0])


@pytest.mark.parametrize(
    ("kwargs", "pattern"),
    [
        ({"n_samples": 0}, r"make_regression: n_samples must be a positive int, got 0"),
        ({"n_features": -2}, r"make_regression: n_features .* got -2"),
        ({"noise": -1.0}, r"make_regression: noise .* got -1\.0"),
        ({"bias": float("nan")}, r"make_regression: bias .* got nan"),
        ({"bias": "1"}, r"make_regression: bias .* got '1'"),
        ({"seed": -5}, r"make_regression: seed .* got -5"),
    ],
)
def test_regression_rejects_bad_arguments(
    kwargs: dict[str, object], pattern: str
) -> None:
    with pytest.raises(ValueError, match=pattern):
        make_regression(**kwargs)  # type: ignore[arg-type]


# --------------------------------------------------------------- load_digits


def test_load_digits_with_sklearn_from_the_test_extra() -> None:
    X, y = load_digits()  # scikit-learn is in the test extra: no skip
    assert X.shape == (1797, 64)
    assert X.dtype == np.float64
    assert X.min() == 0.0
    assert X.max() == 1.0
    assert y.shape == (1797,)
    assert y.dtype == np.int64
    assert set(y.tolist()) == set(range(10))


def test_load_digits_without_sklearn_explains_how_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A None entry in sys.modules makes the import fail, installed or not.
    monkeypatch.setitem(sys.modules, "sklearn", None)
    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)
    with pytest.raises(ImportError, match=r'pip install "graphgrad\[digits\]"') as info:
        load_digits()
    assert "scikit-learn" in str(info.value)
    assert isinstance(info.value.__cause__, ImportError)


# ---------------------------------------------------------------- load_mnist


def idx_bytes(
    dims: tuple[int, ...],
    payload: bytes,
    *,
    magic: bytes = b"\x00\x00",
    type_code: int = 0x08,
    ndim: int | None = None,
) -> bytes:
    """Build an IDX file: magic, type code, ndim, big-endian uint32 dims, data."""
    header = magic + bytes([type_code, len(dims) if ndim is None else ndim])
    return header + struct.pack(f">{len(dims)}I", *dims) + payload


def write(path: Path, content: bytes) -> Path:
    path.write_bytes(gzip.compress(content) if path.suffix == ".gz" else content)
    return path


IMAGES = np.arange(5 * 4 * 3, dtype=np.uint8).reshape(5, 4, 3) * 4 + 3
IMAGES[0, 0, 0] = 0
IMAGES[-1, -1, -1] = 255
LABELS = np.array([3, 0, 9, 1, 7], dtype=np.uint8)


def write_set(
    folder: Path, prefix: str = "train", gz: bool = False, images: np.ndarray = IMAGES
) -> tuple[Path, Path]:
    suffix = ".gz" if gz else ""
    img = write(
        folder / f"{prefix}-images-idx3-ubyte{suffix}",
        idx_bytes(images.shape, images.tobytes()),
    )
    lbl = write(
        folder / f"{prefix}-labels-idx1-ubyte{suffix}",
        idx_bytes(LABELS.shape, LABELS.tobytes()),
    )
    return img, lbl


def assert_matches_written(X: np.ndarray, y: np.ndarray) -> None:
    assert X.shape == (5, 12)
    assert X.dtype == np.float64
    assert y.dtype == np.int64
    np.testing.assert_allclose(X, IMAGES.reshape(5, 12) / 255.0)
    assert X.min() == 0.0
    assert X.max() == 1.0
    np.testing.assert_array_equal(y, LABELS)


@pytest.mark.parametrize("gz", [False, True])
def test_load_mnist_reads_raw_and_gzip(tmp_path: Path, gz: bool) -> None:
    write_set(tmp_path, gz=gz)
    assert_matches_written(*load_mnist(tmp_path))


def test_load_mnist_test_kind_reads_t10k_files(tmp_path: Path) -> None:
    write_set(tmp_path, prefix="t10k")
    assert_matches_written(*load_mnist(str(tmp_path), kind="test"))
    with pytest.raises(FileNotFoundError, match="train-images-idx3-ubyte"):
        load_mnist(tmp_path, kind="train")


def test_load_mnist_mixes_raw_and_gzip(tmp_path: Path) -> None:
    write(
        tmp_path / "train-images-idx3-ubyte",
        idx_bytes(IMAGES.shape, IMAGES.tobytes()),
    )
    write(
        tmp_path / "train-labels-idx1-ubyte.gz",
        idx_bytes(LABELS.shape, LABELS.tobytes()),
    )
    assert_matches_written(*load_mnist(tmp_path))


def test_load_mnist_prefers_raw_file_when_both_exist(tmp_path: Path) -> None:
    write_set(tmp_path, gz=False)
    write_set(tmp_path, gz=True, images=np.zeros_like(IMAGES))
    assert_matches_written(*load_mnist(tmp_path))


def test_load_mnist_missing_file_names_paths_looked_for(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError) as info:
        load_mnist(tmp_path)
    message = str(info.value)
    assert str(tmp_path / "train-images-idx3-ubyte") in message
    assert str(tmp_path / "train-images-idx3-ubyte.gz") in message


def test_load_mnist_missing_labels_names_labels_paths(tmp_path: Path) -> None:
    _, labels = write_set(tmp_path)
    labels.unlink()
    with pytest.raises(FileNotFoundError) as info:
        load_mnist(tmp_path)
    assert str(tmp_path / "train-labels-idx1-ubyte.gz") in str(info.value)


def test_load_mnist_rejects_bad_kind(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"load_mnist: kind must be 'train' or 'test'"):
        load_mnist(tmp_path, kind="validation")


IMAGE_BYTES = IMAGES.tobytes()


@pytest.mark.parametrize("gz", [False, True])
@pytest.mark.parametrize(
    ("content", "pattern"),
    [
        (idx_bytes((5, 4, 3), IMAGE_BYTES, magic=b"\x01\x00"), r"bad magic number"),
        (idx_bytes((5, 4, 3), IMAGE_BYTES, magic=b"\x00\x07"), r"bad magic number"),
        (idx_bytes((5, 4, 3), IMAGE_BYTES, type_code=0x0D), r"type code 0x0d"),
        (idx_bytes((60,), IMAGE_BYTES), r"has 1 dimensions, expected 3"),
        (idx_bytes((5, 4, 3), IMAGE_BYTES[:-1]), r"truncated.*59"),
        (idx_bytes((6, 4, 3), IMAGE_BYTES), r"truncated.*\(6, 4, 3\)"),
        (idx_bytes((5, 4, 3), b"")[:9], r"truncated.*16-byte header"),
        (b"\x00\x00", r"truncated"),
        (b"", r"truncated"),
        (idx_bytes((5, 4, 3), IMAGE_BYTES + b"\x00"), r"1 unexpected trailing"),
    ],
)
def test_load_mnist_rejects_malformed_images(
    tmp_path: Path, gz: bool, content: bytes, pattern: str
) -> None:
    images, _ = write_set(tmp_path, gz=gz)
    write(images, content)
    with pytest.raises(ValueError, match=pattern) as info:
        load_mnist(tmp_path)
    assert str(images) in str(info.value)


def test_load_mnist_rejects_malformed_labels(tmp_path: Path) -> None:
    _, labels = write_set(tmp_path)
    write(labels, idx_bytes((5,), LABELS.tobytes(), type_code=0x0C))
    with pytest.raises(ValueError, match=r"type code 0x0c") as info:
        load_mnist(tmp_path)
    assert str(labels) in str(info.value)


def test_load_mnist_rejects_count_mismatch(tmp_path: Path) -> None:
    images, labels = write_set(tmp_path)
    write(labels, idx_bytes((4,), LABELS[:4].tobytes()))
    with pytest.raises(ValueError, match=r"5 images .* 4 labels") as info:
        load_mnist(tmp_path)
    assert str(images) in str(info.value)
    assert str(labels) in str(info.value)


def test_load_mnist_rejects_corrupt_gzip(tmp_path: Path) -> None:
    images, _ = write_set(tmp_path, gz=True)
    images.write_bytes(images.read_bytes()[:-10])
    with pytest.raises(ValueError, match=r"not a valid gzip file") as info:
        load_mnist(tmp_path)
    assert str(images) in str(info.value)
    images.write_bytes(b"this is not gzip")
    with pytest.raises(ValueError, match=r"not a valid gzip file"):
        load_mnist(tmp_path)


# ------------------------------------------------------------------- batches


def collect(
    n: int, batch_size: int, **kwargs: object
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    X = np.arange(n, dtype=np.float64).reshape(n, 1) * 10.0
    y = np.arange(n)
    xs, ys = [], []
    for xb, yb in batches(X, y, batch_size=batch_size, **kwargs):  # type: ignore[arg-type]
        xs.append(xb)
        ys.append(yb)
    return xs, ys


@pytest.mark.parametrize("shuffle", [True, False])
@pytest.mark.parametrize(("n", "size"), [(10, 3), (12, 4), (5, 32), (1, 1), (7, 1)])
def test_batches_cover_every_sample_once_with_right_sizes(
    n: int, size: int, shuffle: bool
) -> None:
    xs, ys = collect(n, size, shuffle=shuffle, seed=0)
    sizes = [len(b) for b in ys]
    assert sizes == [size] * (n // size) + ([n % size] if n % size else [])
    seen = np.concatenate(ys)
    np.testing.assert_array_equal(np.sort(seen), np.arange(n))
    for xb, yb in zip(xs, ys, strict=True):
        np.testing.assert_array_equal(xb[:, 0], yb * 10.0)  # rows stay paired


@given(
    n=st.integers(min_value=0, max_value=300),
    size=st.integers(min_value=1, max_value=64),
    seed=st.integers(min_value=0, max_value=2**32),
)
def test_batches_property_partition(n: int, size: int, seed: int) -> None:
    _, ys = collect(n, size, shuffle=True, seed=seed)
    assert all(len(b) == size for b in ys[:-1])
    assert all(0 < len(b) <= size for b in ys)
    seen = np.concatenate(ys) if ys else np.array([], dtype=np.int64)
    np.testing.assert_array_equal(np.sort(seen), np.arange(n))


def test_batches_without_shuffle_keep_order() -> None:
    _, ys = collect(10, 4, shuffle=False)
    assert [b.tolist() for b in ys] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]


def test_batches_shuffle_reproducible_from_seed() -> None:
    _, a = collect(100, 10, seed=1)
    _, b = collect(100, 10, seed=1)
    _, c = collect(100, 10, seed=2)
    order_a, order_b, order_c = (np.concatenate(o) for o in (a, b, c))
    np.testing.assert_array_equal(order_a, order_b)
    assert not np.array_equal(order_a, order_c)
    assert not np.array_equal(order_a, np.arange(100))


def test_batches_generator_seed_gives_new_order_each_epoch() -> None:
    rng = np.random.default_rng(0)
    _, first = collect(50, 50, seed=rng)
    _, second = collect(50, 50, seed=rng)
    assert not np.array_equal(first[0], second[0])


def test_batches_slice_multidimensional_inputs_along_first_axis() -> None:
    X = np.arange(6 * 8 * 8).reshape(6, 8, 8)
    y = np.arange(6)
    out = list(batches(X, y, batch_size=4, shuffle=False))
    assert [xb.shape for xb, _ in out] == [(4, 8, 8), (2, 8, 8)]
    np.testing.assert_array_equal(out[1][0], X[4:])


def test_batches_accept_lists() -> None:
    out = list(
        batches([[1, 2], [3, 4], [5, 6]], [0, 1, 0], batch_size=2, shuffle=False)
    )
    np.testing.assert_array_equal(out[0][0], [[1, 2], [3, 4]])
    np.testing.assert_array_equal(out[1][1], [0])


def test_batches_length_mismatch_raises_at_call_time() -> None:
    X, y = np.zeros((5, 2)), np.zeros(4)
    with pytest.raises(ValueError, match=r"len\(X\)=5 and len\(y\)=4"):
        batches(X, y)  # no next(): checked before iterating


def test_batches_require_y_and_samples_axis() -> None:
    with pytest.raises(ValueError, match=r"batches: y is required, got None"):
        batches(np.zeros((3, 2)), None)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"batches: X and y must have at least one"):
        batches(np.float64(1.0), np.zeros(1))


@pytest.mark.parametrize("bad", BAD_POSITIVE_INTS)
def test_batches_reject_bad_batch_size(bad: object) -> None:
    with pytest.raises(
        ValueError,
        match=r"batches: batch_size must be a positive int, got "
        + re.escape(repr(bad)),
    ):
        batches(np.zeros((3, 2)), np.zeros(3), batch_size=bad)  # type: ignore[arg-type]


def test_batches_reject_bad_shuffle_and_seed() -> None:
    X, y = np.zeros((3, 2)), np.zeros(3)
    with pytest.raises(ValueError, match=r"batches: shuffle must be True or False"):
        batches(X, y, shuffle="yes")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"batches: seed .* got -1"):
        batches(X, y, shuffle=False, seed=-1)
