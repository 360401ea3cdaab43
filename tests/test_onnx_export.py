"""export_onnx: onnx.checker passes and onnxruntime gives graphgrad's outputs on other batch sizes.

Every op of the table ``EMITTERS`` appears in a case here (checked), exported from a batch of 5
and run on batches of 1, 2 and 9, in float32 to 1e-5, and in float64 where onnxruntime has the
kernels.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import onnx
import onnxruntime
import pytest

import nn
from autograd import Tensor, concatenate, export_onnx, stack, where
from autograd.graph import topological_order
from autograd.onnx_export import EMITTERS, OPSET

RNG = np.random.default_rng(0)
F32 = np.float32
W = Tensor(RNG.normal(size=(3, 4)).astype(F32), requires_grad=True, label="W")
B = Tensor(RNG.normal(size=4).astype(F32), requires_grad=True, label="B")
V = Tensor(RNG.normal(size=3).astype(F32), requires_grad=True, label="V")
P = Tensor(np.array([1.5, 2.0, 0.5], F32), requires_grad=True, label="P")
MASK = np.array([True, False, True])

# name -> f of one input of shape (batch, 3)
CASES: dict[str, Callable[[Tensor], Any]] = {
    "add-sub": lambda x: (x @ W + B) - 1.5,
    "reflected": lambda x: 2.0 - x * 3.0 + 1.0 / (x.abs() + 1),
    "pow": lambda x: (x**2, x.abs() ** P, 2.0**x, (x.abs() + 1) ** -0.5),
    "matmul-vector": lambda x: x @ V,
    "unary": lambda x: (-x).exp() + (x.abs() + 1).log() + x.tanh() + x.sigmoid() + x.relu() + x.abs().sqrt(),
    "sin-cos": lambda x: ((x * 4).sin(), (x * 4).cos(), np.sin(x) * np.cos(x)),
    "erf": lambda x: ((x * 2).erf(), x.erf() * 3),
    "leaky-relu": lambda x: (x.leaky_relu(), x.leaky_relu(0.2), x.leaky_relu(-1.5)),
    "elu": lambda x: (x.elu(), (x * 30).elu(0.7)),
    "gelu": lambda x: (x.gelu(), (x * 10).gelu()),
    "silu": lambda x: (x.silu(), (x * 1e4).silu()),
    "softplus": lambda x: ((x * 8 + 20).softplus(), (x * 1e4).softplus(), x.softplus()),  # x itself above 20
    "maximum-minimum": lambda x: x.maximum(V) + x.minimum(0.25),
    "clip": lambda x: (x.clip(-0.5, 0.5), x.clip(lo=np.array([0.0, -1.0, 0.5])), x.clip(hi=0.1)),
    "clip-tensor-bounds": lambda x: (  # bounds that are Tensors, one following the batch
        x.clip(Tensor(np.array([0.0, -1.0, 0.5], F32)), x.sum(axis=1, keepdims=True)),
        x.clip(hi=x * 0.5),
    ),
    "astype": lambda x: (x.astype(np.float64) * 2).astype(F32),
    "sum": lambda x: (x.sum(), x.sum(axis=1), x.sum(axis=0, keepdims=True), x.sum(axis=())),
    "max-min": lambda x: (x.max(axis=1), x.min(axis=0, keepdims=True), x.max()),
    "mean": lambda x: (x.mean(), x.mean(axis=0), x.mean(axis=1, keepdims=True)),
    "prod": lambda x: (x.prod(axis=1), x.prod(axis=0, keepdims=True), (x + 1).prod(), x.prod(axis=())),
    "var-std": lambda x: (  # over the batch axis too: the divisor follows the batch
        x.var(axis=1),
        x.var(axis=0),
        x.var(axis=1, ddof=1, keepdims=True),
        x.std(axis=1),
        x.std(ddof=1),
        x.std(axis=(0, 1), ddof=0.5, keepdims=True),
    ),
    "logsumexp": lambda x: ((x * 1e4).logsumexp(axis=1), x.logsumexp()),
    "softmax": lambda x: ((x * 100).softmax(axis=1), x.softmax(axis=0)),
    "log-softmax": lambda x: ((x * 1e4).log_softmax(axis=1), x.log_softmax(axis=0)),
    "reshape": lambda x: (x.reshape(-1, 1, 3), x.reshape(-1), x.unsqueeze(1).squeeze(1), x.flatten()),
    "broadcast-to": lambda x: x.reshape(-1, 1, 3).broadcast_to((len(x), 4, 3)) * 2,
    "transpose": lambda x: (
        x.T,
        (x @ W).T @ x,
        x.unsqueeze(2).transpose(2, 0, 1),
        x.unsqueeze(1).swapaxes(1, 2),
    ),
    "index": lambda x: (
        (x[:, 1], x[1:], x[:, ::-1], x[..., None], x[:, [2, 0, 2]], x[-1, 1:], x[:, None, 1:2])
        + (
            x.unsqueeze(2)[:, 2, 0],
            x.unsqueeze(1)[::2, None, 0, ..., -2:0:-1],
            x[:, np.array([[0, 1], [2, 2]])],
        )
    ),
    "cumsum": lambda x: (x.cumsum(axis=1), x.cumsum(axis=0), x.cumsum(), x.cumsum(-1)),
    "flip": lambda x: (x.flip(1), x.flip(0), x.flip(), x.unsqueeze(1).flip((0, 2))),
    "pad": lambda x: (x.pad(((0, 0), (1, 2))), x.pad(1), x.pad((2, 0)), x.pad(((1, 0), (0, 0))) * 2),
    "tile": lambda x: (x.tile((1, 2)), x.tile(2), x.tile((2, 1, 3)), x.tile((2, 1)), x[0, 0].tile(3)),
    "concatenate": lambda x: (concatenate([x, x * 2], axis=1), concatenate([x, V.reshape(1, 3)], axis=0)),
    "stack": lambda x: (stack([x, -x], axis=1), stack([x, x], axis=2)),
    "where": lambda x: where(MASK, x, -x) + where(MASK, 1.0, x),
}
BATCHES = (1, 2, 9)


def outputs(result: Any) -> list[Tensor]:
    return list(result) if isinstance(result, tuple) else [result]


def run(path: Path, *inputs: np.ndarray) -> list[np.ndarray]:
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    names = [i.name for i in session.get_inputs()]
    return session.run(None, dict(zip(names, inputs)))


def check(f: Callable[..., Any], path: Path, shapes: list[tuple[int, ...]], dtype: Any = F32) -> None:
    """Export from a batch of 5; onnxruntime agrees with graphgrad on batches of other sizes."""
    examples = tuple(RNG.normal(size=(5, *s)).astype(dtype) for s in shapes)
    export_onnx(f, examples if len(examples) > 1 else examples[0], path)
    model = onnx.load(path)
    onnx.checker.check_model(model, full_check=True)
    assert model.opset_import[0].version == OPSET
    for n in BATCHES:
        batch = [RNG.normal(size=(n, *s)).astype(dtype) for s in shapes]
        want = outputs(f(*map(Tensor, batch)))
        got = run(path, *batch)
        assert len(got) == len(want)
        for g, w in zip(got, want):
            assert g.shape == w.shape and g.dtype == w.dtype
            np.testing.assert_allclose(g, w.data, rtol=1e-5, atol=1e-5)


def ops_of(f: Callable[..., Any]) -> set[str]:
    x = Tensor(np.ones((5, 3), F32), requires_grad=True)
    found = set()
    for out in outputs(f(x)):
        found |= {n._op for n in topological_order(out) if n._a is not None}
    return {"**" if op.startswith("**") else op for op in found}


def test_every_op_of_the_table_has_a_case() -> None:
    covered = set().union(*(ops_of(f) for f in CASES.values()))
    assert set(EMITTERS) <= covered, f"ops with no case: {sorted(set(EMITTERS) - covered)}"


@pytest.mark.parametrize("name", list(CASES))
def test_op(name: str, tmp_path: Path) -> None:
    check(CASES[name], tmp_path / f"{name}.onnx", [(3,)])


# the ops whose ONNX nodes onnxruntime's CPU build has no float64 kernel for (export_onnx's docstring)
FLOAT32_ONLY_IN_ONNXRUNTIME = {"erf", "gelu", "leaky_relu", "elu", "softplus"}


@pytest.mark.parametrize("name", list(CASES))
def test_op_in_float64(name: str, tmp_path: Path) -> None:
    """Every case in float64: the model checks; onnxruntime runs it, or lacks just the ops named."""
    lacking = ops_of(CASES[name]) & FLOAT32_ONLY_IN_ONNXRUNTIME
    if not lacking:
        check(CASES[name], tmp_path / f"{name}.onnx", [(3,)], np.float64)
        return
    path = export_onnx(CASES[name], RNG.normal(size=(5, 3)), tmp_path / f"{name}.onnx")
    onnx.checker.check_model(onnx.load(path), full_check=True)
    with pytest.raises(Exception, match="NOT_IMPLEMENTED"):
        run(path, RNG.normal(size=(2, 3)))


def test_var_over_the_batch_divides_by_its_size_less_ddof(tmp_path: Path) -> None:
    """The divisor follows the batch, and is 0 (nan, as graphgrad) when ddof leaves no freedom."""
    path = export_onnx(
        lambda x: (x.var(axis=0, ddof=1), x.std(axis=0, ddof=2)), np.ones((5, 3)), tmp_path / "v"
    )
    for n in (1, 2, 3, 9):
        x = RNG.normal(size=(n, 3))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # no degrees of freedom left: nan, warned
            want = [Tensor(x).var(axis=0, ddof=1).data, Tensor(x).std(axis=0, ddof=2).data]
            got = run(path, x)
        np.testing.assert_allclose(got[0], want[0], rtol=1e-12)
        np.testing.assert_allclose(got[1], want[1], rtol=1e-12)
    assert np.isnan(got[0]).sum() == 0 and np.isnan(run(path, x[:1])[0]).all()


def test_model_with_parameters_named_as_in_the_module(tmp_path: Path) -> None:
    model = nn.Sequential(
        nn.Flatten(), nn.Linear(6, 16, dtype=F32, seed=0), nn.Tanh(), nn.Linear(16, 3, dtype=F32, seed=1)
    )
    check(model, tmp_path / "model.onnx", [(2, 3)])
    graph = onnx.load(tmp_path / "model.onnx").graph
    assert {"1.weight", "1.bias", "3.weight", "3.bias"} <= {i.name for i in graph.initializer}
    assert [i.name for i in graph.input] == ["input"]
    assert graph.input[0].type.tensor_type.shape.dim[0].dim_param == "batch"
    assert graph.output[0].type.tensor_type.shape.dim[0].dim_param == "batch"


def trained_norm_model(dtype: Any, three_d: bool = False) -> nn.Sequential:
    """BatchNorm1d and LayerNorm with statistics and affine weights away from their initial values,
    in eval mode; on inputs (batch, 3), or (batch, 3, 4) with ``three_d``."""
    if three_d:
        model = nn.Sequential(
            nn.BatchNorm1d(3, eps=1e-3, momentum=0.3, dtype=dtype),
            nn.LayerNorm((3, 4), dtype=dtype),
            nn.Flatten(),
        )
    else:
        model = nn.Sequential(
            nn.Linear(3, 8, dtype=dtype, seed=0),
            nn.BatchNorm1d(8, momentum=0.3, dtype=dtype),
            nn.GELU(),
            nn.LayerNorm(8, eps=1e-3, dtype=dtype),
            nn.Linear(8, 2, dtype=dtype, seed=1),
        )
    for _ in range(4):  # training steps move the running statistics
        model(Tensor((RNG.normal(size=(16, 3, 4) if three_d else (16, 3)) * 2 + 1).astype(dtype)))
    for layer in model:
        if isinstance(layer, (nn.BatchNorm1d, nn.LayerNorm)):
            layer.weight.data[...] = RNG.uniform(0.5, 2.0, layer.weight.shape)
            layer.bias.data[...] = RNG.normal(size=layer.bias.shape)
    model.eval()
    return model


@pytest.mark.parametrize("three_d", [False, True], ids=["N-d", "N-d-L"])
def test_batch_norm_and_layer_norm_models(three_d: bool, tmp_path: Path) -> None:
    model = trained_norm_model(F32, three_d)
    assert model[0 if three_d else 1].num_batches_tracked == 4
    check(model, tmp_path / "norms.onnx", [(3, 4) if three_d else (3,)])
    before = model.state_dict()
    export_onnx(model, np.ones((5, 3, 4) if three_d else (5, 3), F32), tmp_path / "again.onnx")
    assert all(np.array_equal(before[k], v) for k, v in model.state_dict().items())


def test_batch_norm_and_layer_norm_in_float64(tmp_path: Path) -> None:
    model = trained_norm_model(np.float64, three_d=True)
    check(model, tmp_path / "norms64.onnx", [(3, 4)], np.float64)


def test_a_model_whose_state_changes_is_refused_and_put_back(tmp_path: Path) -> None:
    """A BatchNorm1d in training mode updates its running statistics each run: not exported."""
    model = nn.Sequential(nn.Linear(3, 4, seed=0), nn.BatchNorm1d(4))
    model(Tensor(RNG.normal(size=(8, 3))))
    before = model.state_dict()
    pattern = (
        r"running the model changed its state \('1.running_mean', '1.running_var', '1.num_batches_tracked'\)"
    )
    with pytest.raises(ValueError, match=pattern + r".*call model.eval\(\) first"):
        export_onnx(model, RNG.normal(size=(5, 3)), tmp_path / "m.onnx")
    assert all(np.array_equal(before[k], v) for k, v in model.state_dict().items())
    assert model[1].num_batches_tracked == 1
    assert list(tmp_path.iterdir()) == []
    export_onnx(model.eval(), RNG.normal(size=(5, 3)), tmp_path / "m.onnx")
    assert all(np.array_equal(before[k], v) for k, v in model.state_dict().items())


def test_the_state_is_put_back_when_f_fails_half_way(tmp_path: Path) -> None:
    class Picky(nn.Module):
        def __init__(self) -> None:
            self.norm = nn.BatchNorm1d(3)

        def forward(self, x: Tensor) -> Tensor:
            y = self.norm(x)
            if len(x) > 5:
                raise RuntimeError("Picky: at most 5 rows")
            return y

    model = Picky()
    with pytest.raises(RuntimeError, match="at most 5 rows"):  # on the longer batch, after one update
        export_onnx(model, RNG.normal(size=(5, 3)), tmp_path / "m.onnx")
    assert model.norm.num_batches_tracked == 0 and np.array_equal(model.norm.running_mean, np.zeros(3))


def test_float64_model(tmp_path: Path) -> None:
    model = nn.Sequential(nn.Linear(3, 8, seed=0), nn.ReLU(), nn.Linear(8, 2, seed=1), nn.Softmax())
    check(lambda x: model(x).log(), tmp_path / "f64.onnx", [(3,)], np.float64)


def test_several_inputs_and_outputs_and_mixed_dtypes(tmp_path: Path) -> None:
    def f(x: Tensor, y: Tensor) -> tuple[Tensor, ...]:
        z = x @ W + y.astype(F32)
        return z, z.sum(axis=1), x  # an input as an output too

    check(f, tmp_path / "two.onnx", [(3,), (4,)])
    model = onnx.load(tmp_path / "two.onnx")
    assert [i.name for i in model.graph.input] == ["input0", "input1"]
    assert [o.name for o in model.graph.output] == ["output0", "output1", "output2"]


def test_example_inputs_as_tensors_and_lists(tmp_path: Path) -> None:
    path = export_onnx(lambda x: x * 2, Tensor(np.ones((2, 3), F32)), tmp_path / "t.onnx")
    assert run(path, np.ones((4, 3), F32))[0].shape == (4, 3)
    path = export_onnx(lambda x: x * 2, [[1.0, 2.0]], tmp_path / "l.onnx")
    assert run(path, np.ones((3, 2)))[0].tolist() == [[2.0, 2.0]] * 3


def test_a_failed_write_leaves_nothing_behind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "model.onnx"
    target.write_bytes(b"the old model")

    def full_disk(src: Any, dst: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full_disk)
    with pytest.raises(OSError, match="No space left"):
        export_onnx(lambda x: x * 2, np.ones((2, 3)), target)
    assert target.read_bytes() == b"the old model"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.onnx"]


def test_errors_write_nothing(tmp_path: Path) -> None:
    from nn.losses import cross_entropy

    with pytest.raises(ValueError, match="op 'cross_entropy' has no ONNX form"):
        export_onnx(lambda x: cross_entropy(x, np.zeros(len(x), int)), np.ones((4, 3)), tmp_path / "m.onnx")
    with pytest.raises(
        ValueError, match="a constant of shape \\(4, 3\\) that op '\\*' uses changes with the input"
    ):
        export_onnx(nn.Dropout(0.5, seed=0), np.ones((4, 3)), tmp_path / "m.onnx")
    assert list(tmp_path.iterdir()) == []


def test_dynamic_shapes_that_onnx_cannot_follow(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="op 'broadcast_to': the target \\(5, 3\\) follows the batch size"):
        export_onnx(lambda x: x + V.broadcast_to(x.shape), np.ones((5, 3)), tmp_path / "m.onnx")
    with pytest.raises(ValueError, match="op 'reshape' to \\(5, 5\\): 2 of its sizes follow the batch"):
        export_onnx(
            lambda x: (x.unsqueeze(1) * x.unsqueeze(0)).reshape(len(x), -1), np.ones((5, 1)), tmp_path / "m"
        )
    with pytest.raises(ValueError, match="op 'index': its index changes with the input data"):
        export_onnx(lambda x: x[: len(x) - 1], np.ones((5, 2)), tmp_path / "m.onnx")
    with pytest.raises(ValueError, match="op 'index': ONNX export takes ints, slices"):
        export_onnx(lambda x: x[:, np.array([True, False])], np.ones((5, 2)), tmp_path / "m.onnx")
    with pytest.raises(ValueError, match="f recorded different ops for a batch one row longer"):
        export_onnx(lambda x: x.sum() if len(x) < 5 else x * 2, np.ones((4, 2)), tmp_path / "m.onnx")
    assert list(tmp_path.iterdir()) == []
