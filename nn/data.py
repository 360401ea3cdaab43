"""Small datasets and a mini-batch iterator for graphgrad demos (pure numpy).

Every function validates its arguments and raises ``ValueError`` (also for
an argument of the wrong type, so callers catch one exception) with a message
of the form ``"<function>: <what> must be ..., got <value>"``.

Randomness always comes from ``np.random.default_rng(seed)``; ``seed`` may be
``None`` (fresh entropy), a non-negative int (reproducible), or an existing
``np.random.Generator`` (used as is, so successive calls continue its stream).
"""

from __future__ import annotations

import gzip
import os
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path

import numpy as np
from numpy.typing import ArrayLike

from nn.checks import check_count, make_rng

Seed = int | np.random.Generator | None

_IDX_UBYTE = 0x08


def _check_finite_float(func: str, name: str, value: object) -> float:
    if (
        isinstance(value, (bool, np.bool_))
        or not isinstance(value, (int, float, np.integer, np.floating))
        or not np.isfinite(value)
    ):
        raise ValueError(f"{func}: {name} must be a finite number, got {value!r}")
    return float(value)


def _check_non_negative_float(func: str, name: str, value: object) -> float:
    number = _check_finite_float(func, name, value)
    if number < 0:
        raise ValueError(f"{func}: {name} must be >= 0 (e.g. 0.1), got {value!r}")
    return number


def make_moons(
    n_samples: int = 100, noise: float = 0.1, seed: Seed = None
) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles, the classic 2-D binary classification toy.

    Class 0 lies on the upper half of the unit circle, ``(cos t, sin t)`` for
    ``t`` evenly spaced over ``[0, pi]``; class 1 on the lower half circle
    ``(1 - cos t, 1 - sin t - 0.5)``. This is the same geometry as
    scikit-learn's ``make_moons``. Gaussian noise with standard deviation
    ``noise`` is added to every coordinate, then the samples are shuffled.

    Each class gets ``n_samples // 2`` points; for odd ``n_samples`` the
    extra point goes to class 0.

    Returns ``X`` (float64, shape ``(n_samples, 2)``) and ``y`` (int64, values
    in ``{0, 1}``). For a model with one scalar output trained with a hinge or
    tanh loss, use ``y * 2 - 1`` as labels in ``{-1, 1}``.

    >>> X, y = make_moons(n_samples=5, noise=0.0, seed=0)
    >>> X.shape, X.dtype, y.dtype
    ((5, 2), dtype('float64'), dtype('int64'))
    >>> sorted(y.tolist())
    [0, 0, 0, 1, 1]
    >>> sorted((y * 2 - 1).tolist())
    [-1, -1, -1, 1, 1]
    """
    n = check_count(n_samples, "make_moons", "n_samples")
    std = _check_non_negative_float("make_moons", "noise", noise)
    rng = make_rng(seed, "make_moons")

    n_inner = n // 2
    n_outer = n - n_inner
    t_outer = np.linspace(0.0, np.pi, n_outer)
    t_inner = np.linspace(0.0, np.pi, n_inner)
    outer = np.column_stack([np.cos(t_outer), np.sin(t_outer)])
    inner = np.column_stack([1.0 - np.cos(t_inner), 1.0 - np.sin(t_inner) - 0.5])

    X = np.concatenate([outer, inner]) + std * rng.standard_normal((n, 2))
    y = np.concatenate([np.zeros(n_outer, np.int64), np.ones(n_inner, np.int64)])
    order = rng.permutation(n)
    return X[order], y[order]


def spiral(
    samples_per_class: int = 100, classes: int = 3, seed: Seed = None
) -> tuple[np.ndarray, np.ndarray]:
    """The spiral dataset of the "Neural Networks from Scratch" book.

    For class ``k`` with ``N = samples_per_class`` points::

        r = linspace(0, 1, N)
        t = linspace(4k, 4(k + 1), N) + 0.2 * standard_normal(N)
        X_k = [r * sin(2.5 t), r * cos(2.5 t)]

    so every point's distance from the origin is exactly its ``r``. The
    samples are not shuffled: class 0 comes first, then class 1, and so on.

    Returns ``X`` (float64, shape ``(N * classes, 2)``) and ``y`` (int64,
    values ``0 .. classes - 1``).

    >>> X, y = spiral(samples_per_class=4, classes=3, seed=0)
    >>> X.shape, y.tolist()
    ((12, 2), [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2])
    """
    n = check_count(samples_per_class, "spiral", "samples_per_class")
    k_classes = check_count(classes, "spiral", "classes")
    rng = make_rng(seed, "spiral")

    r = np.linspace(0.0, 1.0, n)
    points = []
    for k in range(k_classes):
        t = np.linspace(4.0 * k, 4.0 * (k + 1), n) + 0.2 * rng.standard_normal(n)
        points.append(np.column_stack([r * np.sin(2.5 * t), r * np.cos(2.5 * t)]))
    X = np.concatenate(points)
    y = np.repeat(np.arange(k_classes, dtype=np.int64), n)
    return X, y


def make_regression(
    n_samples: int = 100,
    n_features: int = 1,
    noise: float = 0.0,
    bias: float = 0.0,
    seed: Seed = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A random linear regression problem ``y = X @ coef + bias + noise``.

    ``X`` is drawn from the standard normal distribution, ``coef`` uniformly
    from ``[0, 100)`` (the same scale as scikit-learn's ``make_regression``,
    so expect large targets: standardise ``y`` before training with plain
    gradient descent), and the noise is Gaussian with standard deviation
    ``noise``.

    Returns ``X`` (float64, shape ``(n_samples, n_features)``), ``y``
    (float64, shape ``(n_samples,)``) and ``coef`` (float64, shape
    ``(n_features,)``).

    >>> X, y, coef = make_regression(n_samples=3, n_features=2, bias=1.0, seed=0)
    >>> X.shape, y.shape, coef.shape
    ((3, 2), (3,), (2,))
    >>> bool(np.allclose(y, X @ coef + 1.0))
    True
    """
    n = check_count(n_samples, "make_regression", "n_samples")
    n_feat = check_count(n_features, "make_regression", "n_features")
    std = _check_non_negative_float("make_regression", "noise", noise)
    offset = _check_finite_float("make_regression", "bias", bias)
    rng = make_rng(seed, "make_regression")

    X = rng.standard_normal((n, n_feat))
    coef = 100.0 * rng.uniform(0.0, 1.0, n_feat)
    y = X @ coef + offset + std * rng.standard_normal(n)
    return X, y, coef


def load_digits() -> tuple[np.ndarray, np.ndarray]:
    """The 8x8 handwritten digits shipped with scikit-learn (1797 images).

    Needs the optional extra: ``pip install "graphgrad[digits]"`` (or
    ``pip install scikit-learn``); raises ``ImportError`` saying so otherwise.

    Returns ``X`` (float64, shape ``(1797, 64)``, pixel values scaled from
    ``0 .. 16`` to ``[0, 1]``) and ``y`` (int64, digits ``0 .. 9``).

    >>> X, y = load_digits()  # doctest: +SKIP
    >>> X.shape, y.shape  # doctest: +SKIP
    ((1797, 64), (1797,))
    """
    try:
        from sklearn.datasets import load_digits as sklearn_load_digits
    except ImportError as exc:
        raise ImportError(
            f"load_digits: needs scikit-learn, which could not be imported ({exc}); "
            'install it with pip install "graphgrad[digits]" '
            "(or pip install scikit-learn)"
        ) from exc
    bunch = sklearn_load_digits()
    X = np.asarray(bunch.data, dtype=np.float64) / 16.0
    y = np.asarray(bunch.target, dtype=np.int64)
    return X, y


def _find_idx_file(folder: Path, name: str) -> Path:
    candidates = [folder / name, folder / f"{name}.gz"]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    looked = " or ".join(str(c) for c in candidates)
    raise FileNotFoundError(
        f"load_mnist: no file {looked}; download the MNIST IDX files into {folder}"
    )


def _read_idx(file: Path, expected_ndim: int) -> np.ndarray:
    """Parse one IDX file of unsigned bytes into an array of its shape."""
    raw = file.read_bytes()
    if file.suffix == ".gz":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as exc:
            raise ValueError(
                f"load_mnist: {file}: not a valid gzip file ({exc})"
            ) from exc

    if len(raw) < 4:
        raise ValueError(
            f"load_mnist: {file}: truncated, {len(raw)} bytes is shorter than "
            "the 4-byte IDX magic number"
        )
    if raw[0] != 0 or raw[1] != 0:
        raise ValueError(
            f"load_mnist: {file}: bad magic number 0x{raw[:4].hex()}, an IDX file "
            "starts with two zero bytes; is this really an MNIST IDX file?"
        )
    if raw[2] != _IDX_UBYTE:
        raise ValueError(
            f"load_mnist: {file}: wrong type code 0x{raw[2]:02x}, expected "
            f"0x{_IDX_UBYTE:02x} (unsigned byte)"
        )
    ndim = raw[3]
    if ndim != expected_ndim:
        raise ValueError(
            f"load_mnist: {file}: has {ndim} dimensions, expected {expected_ndim}"
        )
    header_len = 4 + 4 * ndim
    if len(raw) < header_len:
        raise ValueError(
            f"load_mnist: {file}: truncated, {len(raw)} bytes is shorter than "
            f"its {header_len}-byte header"
        )
    shape = struct.unpack(f">{ndim}I", raw[4:header_len])
    expected = int(np.prod(shape, dtype=np.int64))
    found = len(raw) - header_len
    if found < expected:
        raise ValueError(
            f"load_mnist: {file}: truncated, header promises shape {shape} "
            f"({expected} data bytes) but only {found} follow"
        )
    if found > expected:
        raise ValueError(
            f"load_mnist: {file}: {found - expected} unexpected trailing bytes after "
            f"the {expected} data bytes its header (shape {shape}) promises"
        )
    return np.frombuffer(raw, dtype=np.uint8, offset=header_len).reshape(shape)


def load_mnist(
    path: str | os.PathLike[str], kind: str = "train"
) -> tuple[np.ndarray, np.ndarray]:
    """Read MNIST (or Fashion-MNIST) from the IDX files downloaded into ``path``.

    ``kind="train"`` reads ``train-images-idx3-ubyte`` and
    ``train-labels-idx1-ubyte``; ``kind="test"`` reads ``t10k-images-idx3-ubyte``
    and ``t10k-labels-idx1-ubyte``. Each may be stored raw or gzipped with a
    ``.gz`` suffix; if both exist the raw one is read.

    Raises ``FileNotFoundError`` naming the paths looked for when a file is
    missing, and ``ValueError`` naming the file for a bad magic number, a type
    code other than 0x08 (unsigned byte), the wrong number of dimensions, a
    file shorter or longer than its header promises, or image and label counts
    that differ.

    Returns ``X`` (float64, shape ``(n, rows * cols)``, pixels scaled to
    ``[0, 1]``) and ``y`` (int64, shape ``(n,)``).

    >>> X, y = load_mnist("data/mnist", kind="test")  # doctest: +SKIP
    >>> X.shape, y.shape  # doctest: +SKIP
    ((10000, 784), (10000,))
    """
    prefixes = {"train": "train", "test": "t10k"}
    if kind not in prefixes:
        raise ValueError(f"load_mnist: kind must be 'train' or 'test', got {kind!r}")
    folder = Path(path)
    prefix = prefixes[kind]
    images_file = _find_idx_file(folder, f"{prefix}-images-idx3-ubyte")
    labels_file = _find_idx_file(folder, f"{prefix}-labels-idx1-ubyte")

    images = _read_idx(images_file, expected_ndim=3)
    labels = _read_idx(labels_file, expected_ndim=1)
    if len(images) != len(labels):
        raise ValueError(
            f"load_mnist: {images_file} holds {len(images)} images but "
            f"{labels_file} holds {len(labels)} labels"
        )
    X = images.reshape(len(images), -1).astype(np.float64) / 255.0
    y = labels.astype(np.int64)
    return X, y


def batches(
    X: ArrayLike,
    y: ArrayLike,
    batch_size: int = 32,
    shuffle: bool = True,
    seed: Seed = None,
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Iterate over ``(X_batch, y_batch)`` mini-batches, each sample once.

    ``X`` and ``y`` (both required) are arrays, or anything ``np.asarray``
    accepts, whose first axis indexes the samples. Each batch holds
    ``batch_size`` samples, except the last one, which may be smaller. With ``shuffle=True`` the order is a
    permutation drawn from ``np.random.default_rng(seed)``: a fixed int seed
    gives the same order on every call, so for a new order each epoch pass
    ``seed=epoch`` or one ``np.random.Generator`` reused across epochs. With
    ``shuffle=False`` the samples come in their stored order and ``seed`` is
    not used.

    Arguments are checked when ``batches`` is called, not when the first batch
    is requested; ``seed`` is checked even when ``shuffle=False``.

    >>> X = np.arange(10.0).reshape(5, 2)
    >>> y = np.arange(5)
    >>> [yb.tolist() for _, yb in batches(X, y, batch_size=2, shuffle=False)]
    [[0, 1], [2, 3], [4]]
    """
    if y is None:
        raise ValueError("batches: y is required, got None; pass the targets of X")
    X_arr = np.asarray(X)
    y_arr = np.asarray(y)
    if X_arr.ndim == 0 or y_arr.ndim == 0:
        raise ValueError(
            f"batches: X and y must have at least one dimension (samples first), got "
            f"shapes {X_arr.shape} and {y_arr.shape}"
        )
    if len(X_arr) != len(y_arr):
        raise ValueError(
            f"batches: X and y must hold the same number of samples, got "
            f"len(X)={len(X_arr)} and len(y)={len(y_arr)}"
        )
    size = check_count(batch_size, "batches", "batch_size")
    if not isinstance(shuffle, (bool, np.bool_)):
        # ValueError, like every argument check in this module (see its docstring).
        msg = f"batches: shuffle must be True or False, got {shuffle!r}"
        raise ValueError(msg)  # noqa: TRY004
    rng = make_rng(seed, "batches")
    n = len(X_arr)
    order = rng.permutation(n) if shuffle else np.arange(n)
    return _iterate(X_arr, y_arr, order, size)


def _iterate(
    X: np.ndarray, y: np.ndarray, order: np.ndarray, size: int
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    for start in range(0, len(order), size):
        idx = order[start : start + size]
        yield X[idx], y[idx]
