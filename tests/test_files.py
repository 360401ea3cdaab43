"""Files graphgrad writes and reads: whole or not at all, with their permissions and links kept,
and bad files refused before they cost memory or time."""

from __future__ import annotations

import multiprocessing
import os
import stat
import time
import tracemalloc
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import nn
from autograd import Tensor, export_onnx
from autograd.files import write_atomic


def _model(fill: float) -> nn.Module:
    model = nn.Sequential(nn.Linear(30, 40, seed=0), nn.Linear(40, 5, seed=1))
    for p in model.parameters():
        p.data[...] = fill
    return model


def _fills(path: Path) -> set[float]:
    """The distinct numbers in a saved model (one, for a whole model of ``_model``)."""
    state = nn.module.read_state(path)
    return {float(x) for arr in state.values() for x in np.unique(arr)}


# --- writing -----------------------------------------------------------------------------------


def test_a_private_checkpoint_stays_private(tmp_path: Path) -> None:
    path = tmp_path / "m.npz"
    _model(1.0).save(path)
    os.chmod(path, 0o600)
    _model(2.0).save(path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert _fills(path) == {2.0}


def test_a_new_file_gets_the_mode_open_would_give(tmp_path: Path) -> None:
    mask = os.umask(0o027)
    try:
        _model(1.0).save(tmp_path / "m.npz")
    finally:
        os.umask(mask)
    assert stat.S_IMODE(os.stat(tmp_path / "m.npz").st_mode) == 0o640


def test_saving_through_a_symlink_updates_its_target(tmp_path: Path) -> None:
    (tmp_path / "runs").mkdir()
    target = tmp_path / "runs" / "best-0042.npz"
    _model(1.0).save(target)
    link = tmp_path / "best.npz"
    link.symlink_to(target)
    _model(3.0).save(link)
    assert link.is_symlink() and link.resolve() == target.resolve()
    assert _fills(target) == {3.0}
    assert sorted(p.name for p in (tmp_path / "runs").iterdir()) == ["best-0042.npz"]


def test_a_users_own_partial_file_is_left_alone(tmp_path: Path) -> None:
    mine = tmp_path / "m.npz.partial"
    mine.write_text("my notes")
    _model(1.0).save(tmp_path / "m.npz")
    assert mine.read_text() == "my notes"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.npz", "m.npz.partial"]


def test_paths_that_are_no_file_names_are_refused_clearly(tmp_path: Path) -> None:
    with pytest.raises(IsADirectoryError, match=r"^save: .* is a folder; give a file name like model\.npz"):
        _model(1.0).save(tmp_path)
    with pytest.raises(ValueError, match="^save: the path is empty"):
        _model(1.0).save("")
    assert list(tmp_path.iterdir()) == []


def test_an_interrupted_write_leaves_the_old_file_and_nothing_else(tmp_path: Path) -> None:
    path = tmp_path / "data.bin"
    path.write_bytes(b"old")

    def interrupted(file: Any) -> None:
        file.write(b"half of the new")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_atomic(path, interrupted, "test")
    assert path.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["data.bin"]


def test_a_failed_write_names_the_file_not_a_temporary_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "m.npz"
    _model(1.0).save(path)

    def full_disk(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full_disk)
    with pytest.raises(OSError, match=r"^\[Errno 28\] save: could not write .*m\.npz' \(No space left"):
        _model(2.0).save(path)
    monkeypatch.undo()
    assert _fills(path) == {1.0}
    assert [p.name for p in tmp_path.iterdir()] == ["m.npz"]


def _save_many(path: str, fill: float, times: int) -> None:
    model = _model(fill)
    for _ in range(times):
        model.save(path)


def test_two_processes_saving_to_one_path_leave_one_whole_model(tmp_path: Path) -> None:
    path = tmp_path / "m.npz"
    _model(0.0).save(path)
    context = multiprocessing.get_context("fork")
    writers = [context.Process(target=_save_many, args=(str(path), fill, 40)) for fill in (1.0, 2.0)]
    for w in writers:
        w.start()
    seen = set()
    while any(w.is_alive() for w in writers):
        fills = _fills(path)  # every read finds one whole model
        assert len(fills) == 1, fills
        seen |= fills
        time.sleep(0.001)
    for w in writers:
        w.join()
    assert [w.exitcode for w in writers] == [0, 0]
    assert len(_fills(path)) == 1
    assert [p.name for p in tmp_path.iterdir()] == ["m.npz"]


def test_export_onnx_writes_the_same_way(tmp_path: Path) -> None:
    pytest.importorskip("onnx")
    (tmp_path / "out").mkdir()
    target = tmp_path / "out" / "model.onnx"
    target.write_bytes(b"old")
    os.chmod(target, 0o600)
    link = tmp_path / "model.onnx"
    link.symlink_to(target)
    assert export_onnx(lambda x: x * 2, np.ones((2, 3), np.float32), link) == link
    assert link.is_symlink() and target.read_bytes() != b"old"
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["model.onnx"]


# --- reading -----------------------------------------------------------------------------------


def _npz_with_header(path: Path, name: str, shape: tuple[int, ...], data: bytes) -> None:
    """An .npz whose member ``name`` declares ``shape`` (float64) and holds ``data``."""
    with zipfile.ZipFile(path, "w") as archive, archive.open(name + ".npy", "w") as f:
        header = {"descr": "<f8", "fortran_order": False, "shape": shape}
        np.lib.format.write_array_header_1_0(f, header)
        f.write(data)


def test_wrong_shapes_are_refused_from_the_headers_before_any_data_is_read(tmp_path: Path) -> None:
    model = nn.Linear(3, 2, seed=0)
    np.savez_compressed(tmp_path / "zeros.npz", weight=np.zeros(4_000_000), bias=np.zeros(2))
    assert (tmp_path / "zeros.npz").stat().st_size < 100_000  # 32 MB of zeros, compressed
    before = model.state_dict()
    tracemalloc.start()
    try:
        with pytest.raises(nn.StateDictError, match=r"(?s)does not fit Linear.*'weight': shape \(4000000,\)"):
            model.load(tmp_path / "zeros.npz")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 2_000_000, f"load read {peak:,} bytes to refuse the file"
    assert all(np.array_equal(before[k], v) for k, v in model.state_dict().items())


@pytest.mark.parametrize("name", ["weight", "not_a_parameter"])
def test_a_header_declaring_a_huge_array_is_a_state_dict_error(tmp_path: Path, name: str) -> None:
    _npz_with_header(tmp_path / "huge.npz", name, (10**12,), b"\0" * 64)
    with pytest.raises(nn.StateDictError, match=r"declares shape \(1000000000000,\)"):
        nn.Linear(3, 2).load(tmp_path / "huge.npz")
    with pytest.raises(nn.StateDictError, match="truncated or corrupt"):
        nn.module.read_state(tmp_path / "huge.npz")


def test_a_bad_checksum_is_a_state_dict_error(tmp_path: Path) -> None:
    path = nn.Linear(3, 2, seed=0).save(tmp_path / "m.npz")
    raw = bytearray(path.read_bytes())
    at = raw.index(b"NUMPY") + 130  # a byte of the first array's data (stored uncompressed)
    raw[at] ^= 0xFF
    path.write_bytes(bytes(raw))
    with pytest.raises(nn.StateDictError, match="BadZipFile"):
        nn.Linear(3, 2).load(path)


def test_load_of_a_device_or_a_pipe_says_what_it_is(tmp_path: Path) -> None:
    with pytest.raises(nn.StateDictError, match="'/dev/null' is not a regular file"):
        nn.Linear(3, 2).load("/dev/null")
    os.mkfifo(tmp_path / "pipe.npz")  # never opened: reading it would wait for a writer
    with pytest.raises(nn.StateDictError, match="not a regular file"):
        nn.Linear(3, 2).load(tmp_path / "pipe.npz")


def test_a_loaded_model_is_the_saved_one(tmp_path: Path) -> None:
    saved = nn.Sequential(nn.Linear(3, 4, seed=0), nn.BatchNorm1d(4), nn.Linear(4, 2, seed=1))
    saved[1].running_mean = np.asfortranarray(np.arange(4.0))
    loaded = nn.Sequential(nn.Linear(3, 4, seed=5), nn.BatchNorm1d(4), nn.Linear(4, 2, seed=6))
    loaded.load(saved.save(tmp_path / "m.npz"))
    for (name, a), b in zip(saved.state_dict().items(), loaded.state_dict().values()):
        assert np.array_equal(a, b) and a.dtype == b.dtype, name
    assert isinstance(loaded.parameters()[0], Tensor) and loaded.parameters()[0].data.flags.writeable



def _history() -> Any:
    model = nn.Sequential(nn.Linear(2, 1, seed=0))
    optimizer = nn.optim.SGD(model.parameters(), lr=0.1)
    return nn.fit(model, nn.mse_loss, optimizer, np.ones((4, 2)), np.ones((4, 1)), epochs=1, progress=False)


def _other_writers() -> dict[str, tuple[str, Any]]:
    """The writers besides Module.save and export_onnx: (a file suffix, a function saving to a path)."""
    from autograd import Value, draw, explore

    x = Value(2.0, label="x")
    return {
        "Drawing.save": (".dot", lambda path: draw(x * x).save(path)),
        "Explorer.save": (".html", lambda path: explore(x * x).save(path)),
        "History.plot": (".png", lambda path: _history().plot(path)),
    }


@pytest.mark.parametrize("writer", ["Drawing.save", "Explorer.save", "History.plot"])
def test_every_writer_keeps_modes_and_links(writer: str, tmp_path: Path) -> None:
    suffix, save = _other_writers()[writer]
    private = tmp_path / f"private{suffix}"
    private.write_bytes(b"old")
    private.chmod(0o600)
    old = private.stat().st_ino
    save(private)
    assert stat.S_IMODE(private.stat().st_mode) == 0o600 and private.read_bytes() != b"old"
    assert private.stat().st_ino != old  # a new file moved into place, never the old one rewritten
    target, link = tmp_path / f"target{suffix}", tmp_path / f"link{suffix}"
    target.write_bytes(b"old")
    link.symlink_to(target)
    save(link)
    assert link.is_symlink() and target.read_bytes() != b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([private.name, target.name, link.name])
