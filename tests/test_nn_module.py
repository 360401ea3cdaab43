"""nn.Module: parameters, modes, state dicts, save/load (bit-exact, and every bad file refused)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import pytest

import nn
from autograd import Value
from autograd.tensor import Tensor


class Line(nn.Module):
    def __init__(self) -> None:
        self.w, self.b = Value(2.0), Value(0.5)

    def __call__(self, x: float) -> Value:
        return self.w * x + self.b


class Net(nn.Module):
    """Values, a list of sub-modules, a dict, a Tensor parameter and a non-parameter Tensor."""

    def __init__(self) -> None:
        self.line = Line()
        self.blocks = [Line(), Line()]
        self.extra = {"scale": Value(3.0)}
        self.table = Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
        self.constant = Tensor(np.ones(2))  # no requires_grad: not a parameter
        self.name = "net"


def tensor_model(seed: int = 0) -> nn.Sequential:
    return nn.Sequential(
        nn.Linear(3, 4, seed=seed), nn.ReLU(), nn.Dropout(0.5, seed=seed), nn.Linear(4, 2, seed=seed + 1)
    )


def snapshot(model: nn.Module) -> dict[str, np.ndarray]:
    return {k: v.copy() for k, v in model.state_dict().items()}


def assert_unchanged(model: nn.Module, before: dict[str, np.ndarray]) -> None:
    after = model.state_dict()
    assert after.keys() == before.keys()
    for k in before:
        assert after[k].tobytes() == before[k].tobytes(), k


def test_named_parameters_walk_attributes_in_order() -> None:
    names = [n for n, _ in Net().named_parameters()]
    assert names == [
        "line.w",
        "line.b",
        "blocks.0.w",
        "blocks.0.b",
        "blocks.1.w",
        "blocks.1.b",
        "extra.scale",
        "table",
    ]


def test_shared_parameter_counted_once_and_results_are_not_parameters() -> None:
    line = Line()
    line.alias = line.w
    line.out = line.w * 2.0  # the result of an op, not a leaf
    assert [n for n, _ in line.named_parameters()] == ["w", "b"]
    assert nn.MLP(2, [3, 1], seed=0).num_parameters() == 13


def test_zero_grad_for_values_and_tensors() -> None:
    net = Net()
    loss = net.line(2.0) * net.extra["scale"] + (net.table * net.table).sum().item()
    loss.backward()
    (net.table * net.table).sum().backward()
    assert net.line.w.grad == 6.0 and net.table.grad is not None
    net.zero_grad()
    assert net.line.w.grad == 0.0 and net.extra["scale"].grad == 0.0 and net.table.grad is None


def test_train_eval_reach_every_submodule() -> None:
    model = tensor_model()
    assert model.training and model[2].training
    assert model.eval() is model
    assert not any(m.training for m in model.modules())
    model.train()
    assert all(m.training for m in model.modules())


def test_repr_is_nested_and_readable() -> None:
    text = repr(tensor_model())
    assert text.splitlines() == [
        "Sequential(",
        "  (0): Linear(3, 4, bias=True)",
        "  (1): ReLU()",
        "  (2): Dropout(p=0.5)",
        "  (3): Linear(4, 2, bias=True)",
        ")",
    ]
    assert "(layers.1): Layer(16 -> 16, activation='relu')" in repr(nn.MLP(2, [16, 16, 1]))


def test_state_dict_copies_and_value_entries_are_0d_float64() -> None:
    net = Net()
    state = net.state_dict()
    assert state["line.w"].shape == () and state["line.w"].dtype == np.float64
    assert state["table"].shape == (2, 3)
    state["table"][0, 0] = 99.0
    assert net.table.data[0, 0] == 0.0


@pytest.mark.parametrize("make", [lambda: nn.MLP(2, [4, 1], seed=0), tensor_model, Net])
def test_save_load_round_trip_is_bit_exact(tmp_path: Path, make) -> None:
    source = make()
    for p in source.parameters():  # awkward floats: every bit must survive
        if isinstance(p, Value):
            p.data = p.data / 3.0 + 1e-300
        else:
            p.data[...] = p.data / 3.0 + 1e-300
    path = source.save(tmp_path / "model.npz")
    assert path == tmp_path / "model.npz" and path.exists()
    target = make()
    if isinstance(target, nn.MLP):
        target = nn.MLP(2, [4, 1], seed=1)
    assert target.load(path) is target
    assert_unchanged(target, snapshot(source))


def test_load_state_dict_lists_every_problem_and_changes_nothing() -> None:
    model = tensor_model()
    before = snapshot(model)
    bad = snapshot(model)
    del bad["0.bias"]
    bad["3.weight"] = np.zeros((3, 3))
    bad["0.weight"] = bad["0.weight"].astype(np.float32)
    bad["9.weight"] = np.zeros(1)
    with pytest.raises(nn.StateDictError) as err:
        model.load_state_dict(bad)
    message = str(err.value)
    assert "4 problem(s), nothing was changed" in message
    for fragment in (
        "missing key '0.bias'",
        "unexpected key '9.weight'",
        "'3.weight': shape (3, 3)",
        "float32",
    ):
        assert fragment in message
    assert_unchanged(model, before)


def test_load_state_dict_non_strict_reports_and_still_checks_shapes() -> None:
    model = tensor_model()
    partial = {"0.weight": np.full((4, 3), 0.25), "other": np.zeros(2)}
    result = model.load_state_dict(partial, strict=False)
    assert result.unexpected_keys == ["other"] and "0.bias" in result.missing_keys
    assert np.all(model[0].weight.data == 0.25)
    with pytest.raises(nn.StateDictError, match="shape"):
        model.load_state_dict({"0.weight": np.zeros((3, 4))}, strict=False)


def test_load_state_dict_for_values_needs_0d_float64() -> None:
    line = Line()
    with pytest.raises(nn.StateDictError, match=r"'w': shape \(1,\)"):
        line.load_state_dict({"w": np.array([1.0]), "b": np.array(0.0)})
    line.load_state_dict({"w": np.array(-1.5), "b": np.array(0.25)})
    assert (line.w.data, line.b.data) == (-1.5, 0.25)
    assert type(line.w.data) is float


def _bad_files(tmp_path: Path, good: Path) -> dict[str, Path]:
    files = {}
    state = nn.MLP(2, [4, 1], seed=0).state_dict()
    missing = dict(state)
    missing.pop(next(iter(missing)))
    np.savez(tmp_path / "missing.npz", **missing)
    files["missing key"] = tmp_path / "missing.npz"
    shaped = dict(state)
    shaped[next(iter(shaped))] = np.zeros((2, 2))
    np.savez(tmp_path / "shape.npz", **shaped)
    files["wrong shape"] = tmp_path / "shape.npz"
    raw = good.read_bytes()
    for name, cut in (("truncated", len(raw) // 2), ("truncated early", 40)):
        (tmp_path / f"{name}.npz").write_bytes(raw[:cut])
        files[name] = tmp_path / f"{name}.npz"
    pickled = dict(state)
    pickled[next(iter(pickled))] = np.array([{"evil": 1}], dtype=object)
    np.savez(tmp_path / "pickled.npz", **pickled)
    files["pickled object array"] = tmp_path / "pickled.npz"
    (tmp_path / "text.npz").write_text("this is not an archive\n")
    files["foreign text"] = tmp_path / "text.npz"
    np.save(tmp_path / "single.npy", np.zeros(3))
    files["a .npy array"] = tmp_path / "single.npy"
    import pickle

    (tmp_path / "plain.pkl").write_bytes(pickle.dumps({"w": 1.0}))
    files["a pickle"] = tmp_path / "plain.pkl"
    with zipfile.ZipFile(tmp_path / "other.zip", "w") as z:
        z.writestr("readme.txt", "hello")
    files["a foreign zip"] = tmp_path / "other.zip"
    files["no such file"] = tmp_path / "nowhere.npz"
    return files


def test_every_bad_file_fails_clearly_and_changes_nothing(tmp_path: Path) -> None:
    good = nn.MLP(2, [4, 1], seed=0).save(tmp_path / "good.npz")
    model = nn.MLP(2, [4, 1], seed=7)
    before = snapshot(model)
    for what, path in _bad_files(tmp_path, good).items():
        with pytest.raises(nn.StateDictError) as err:
            model.load(path)
        assert str(path) in str(err.value) or "problem(s)" in str(err.value), what
        assert_unchanged(model, before)
    model.load(good)  # and a good file still loads afterwards
    assert not np.array_equal(model.state_dict()["layers.0.neurons.0.w.0"], before["layers.0.neurons.0.w.0"])


def test_pickled_file_message_says_why(tmp_path: Path) -> None:
    files = _bad_files(tmp_path, nn.MLP(2, [4, 1], seed=0).save(tmp_path / "good.npz"))
    with pytest.raises(nn.StateDictError, match="pickle"):
        nn.MLP(2, [4, 1]).load(files["pickled object array"])
    with pytest.raises(nn.StateDictError, match="truncated, corrupt"):
        nn.MLP(2, [4, 1]).load(files["truncated"])


def test_save_leaves_no_partial_file(tmp_path: Path) -> None:
    nn.MLP(2, [3, 1], seed=0).save(tmp_path / "m.npz")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.npz"]


def test_bad_files_are_named_for_what_they_are(tmp_path: Path) -> None:
    files = _bad_files(tmp_path, nn.MLP(2, [4, 1], seed=0).save(tmp_path / "good.npz"))
    expected = {
        "foreign text": "does not start like a zip archive",
        "a .npy array": "single .npy array",
        "a pickle": "is a pickle",
        "no such file": "does not exist",
    }
    for what, message in expected.items():
        with pytest.raises(nn.StateDictError, match=message):
            nn.MLP(2, [4, 1]).load(files[what])
    with pytest.raises(nn.StateDictError, match="folder"):
        nn.MLP(2, [4, 1]).load(tmp_path)


def test_parameters_named_like_savez_arguments_round_trip(tmp_path: Path) -> None:
    class Odd(nn.Module):
        def __init__(self) -> None:
            self.file, self.allow_pickle = Value(1.5), Value(-2.0)

    Odd().save(tmp_path / "odd.npz")
    loaded = Odd()
    loaded.file.data = loaded.allow_pickle.data = 0.0
    loaded.load(tmp_path / "odd.npz")
    assert (loaded.file.data, loaded.allow_pickle.data) == (1.5, -2.0)


def test_failed_save_leaves_nothing_behind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(FileNotFoundError, match="does not exist"):
        nn.MLP(2, [3, 1]).save(tmp_path / "missing" / "m.npz")

    def full_disk(*args: object, **kwargs: object) -> None:
        raise OSError("no space left on device")

    monkeypatch.setattr(np.lib.format, "write_array", full_disk)
    with pytest.raises(OSError, match="no space"):
        nn.MLP(2, [3, 1]).save(tmp_path / "m.npz")
    assert list(tmp_path.iterdir()) == []
