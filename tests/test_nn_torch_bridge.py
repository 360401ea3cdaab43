"""to_torch / load_torch / from_torch: the same architecture, numbers and gradients in PyTorch.

Every model is checked in float64: outputs and every parameter's gradient of the same loss agree
with torch to 1e-12. Every layer of the table ``EQUIVALENTS`` has a case here.
"""

from __future__ import annotations

import subprocess
import sys
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import torch
from helpers import assert_close

import nn
from autograd import Tensor, Value
from nn.torch_bridge import EQUIVALENTS

TOL = 1e-12
X = np.random.default_rng(0).normal(size=(6, 4))
Y = np.random.default_rng(1).normal(size=(6, 2))


# one model per layer of the table, each ending in 2 outputs on inputs of 4 features
TENSOR_MODELS: dict[type, Callable[[], nn.Module]] = {
    nn.Linear: lambda: nn.Sequential(nn.Linear(4, 2, seed=0)),
    nn.Sequential: lambda: nn.Sequential(
        nn.Sequential(nn.Linear(4, 3, seed=0)), nn.Linear(3, 2, bias=False, seed=1)
    ),
    nn.ReLU: lambda: nn.Sequential(nn.Linear(4, 8, seed=0), nn.ReLU(), nn.Linear(8, 2, seed=1)),
    nn.Tanh: lambda: nn.Sequential(nn.Linear(4, 8, seed=0), nn.Tanh(), nn.Linear(8, 2, seed=1)),
    nn.Sigmoid: lambda: nn.Sequential(nn.Linear(4, 8, seed=0), nn.Sigmoid(), nn.Linear(8, 2, seed=1)),
    nn.Softmax: lambda: nn.Sequential(nn.Linear(4, 2, seed=0), nn.Softmax(axis=1)),
    nn.Flatten: lambda: nn.Sequential(nn.Flatten(), nn.Linear(4, 2, seed=0)),
    nn.Dropout: lambda: nn.Sequential(
        nn.Linear(4, 8, seed=0), nn.Dropout(0.3), nn.Linear(8, 2, seed=1)
    ).eval(),
    nn.LeakyReLU: lambda: nn.Sequential(nn.Linear(4, 8, seed=0), nn.LeakyReLU(0.2), nn.Linear(8, 2, seed=1)),
    nn.ELU: lambda: nn.Sequential(nn.Linear(4, 8, seed=0), nn.ELU(0.7), nn.Linear(8, 2, seed=1)),
    nn.GELU: lambda: nn.Sequential(nn.Linear(4, 8, seed=0), nn.GELU(), nn.Linear(8, 2, seed=1)),
    nn.SiLU: lambda: nn.Sequential(nn.Linear(4, 8, seed=0), nn.SiLU(), nn.Linear(8, 2, seed=1)),
    nn.Softplus: lambda: nn.Sequential(nn.Linear(4, 8, seed=0), nn.Softplus(), nn.Linear(8, 2, seed=1)),
    nn.LayerNorm: lambda: _norm_model(nn.LayerNorm(8, eps=1e-3)),
    nn.BatchNorm1d: lambda: _norm_model(nn.BatchNorm1d(8, eps=1e-3, momentum=0.3)),
}


def _norm_model(norm: nn.Module) -> nn.Module:
    model = nn.Sequential(nn.Linear(4, 8, seed=0), norm, nn.Linear(8, 2, seed=1))
    model[1].weight.data[:] = np.linspace(0.5, 2.0, 8)  # not the initial ones and zeros
    model[1].bias.data[:] = np.linspace(-1.0, 1.0, 8)
    if isinstance(norm, nn.BatchNorm1d):  # running statistics away from 0 and 1, as after training
        norm.running_mean = np.linspace(-0.5, 0.5, 8)
        norm.running_var = np.linspace(0.5, 3.0, 8)
        norm.num_batches_tracked = np.array(7)
    return model


SCALAR_MODELS: dict[type, Callable[[], nn.Module]] = {
    nn.MLP: lambda: nn.MLP(4, [5, 3, 2], seed=0),
    nn.Layer: lambda: nn.Layer(4, 2, activation="tanh", seed=0),
    nn.Neuron: lambda: nn.Neuron(4, activation="sigmoid", seed=0),
}


def test_every_layer_of_the_table_is_tested() -> None:
    assert set(EQUIVALENTS) == set(TENSOR_MODELS) | set(SCALAR_MODELS)


def test_importing_autograd_and_nn_imports_neither_torch_nor_onnx() -> None:
    code = "import sys, autograd, nn; print(sorted({'torch', 'onnx', 'onnxruntime'} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# --- Tensor models ---------------------------------------------------------------------------


def grads_of_both(model: nn.Module, tm: torch.nn.Module, x: np.ndarray) -> tuple[Any, ...]:
    """Outputs and gradients of sum((out - target)**2) in graphgrad and in torch."""
    xg = Tensor(x, requires_grad=True)
    out = model(xg)
    ((out - Y[: len(x), : out.shape[1]]) ** 2).sum().backward()
    xt = torch.from_numpy(x).requires_grad_()
    tout = tm(xt)
    ((tout - torch.from_numpy(Y[: len(x), : tout.shape[1]])) ** 2).sum().backward()
    return out, xg, tout, xt


@pytest.mark.parametrize("layer", list(TENSOR_MODELS), ids=lambda c: c.__name__)
def test_tensor_model_same_outputs_and_gradients(layer: type) -> None:
    model = TENSOR_MODELS[layer]()
    tm = model.to_torch()
    x = X.reshape(6, 2, 2) if layer is nn.Flatten else X
    out, xg, tout, xt = grads_of_both(model, tm, x)
    assert_close(out.data, tout.detach().numpy(), TOL, TOL)
    assert_close(xg.grad, xt.grad.numpy(), TOL, TOL)
    named = dict(tm.named_parameters())
    assert [name for name, _ in model.named_parameters()] == list(named)
    for name, p in model.named_parameters():
        assert named[name].dtype == torch.float64
        assert_close(p.grad, named[name].grad.numpy(), TOL, TOL)


def test_dtype_and_parameters_are_kept_bit_for_bit() -> None:
    model = nn.Sequential(
        nn.Linear(4, 3, dtype=np.float32, seed=0), nn.ReLU(), nn.Linear(3, 2, dtype=np.float32)
    )
    tm = model.to_torch()
    for (name, p), (tname, tp) in zip(model.named_parameters(), tm.named_parameters()):
        assert name == tname and tp.dtype == torch.float32
        assert np.array_equal(p.data, tp.detach().numpy())
    x = X.astype(np.float32)  # float32 products: the same to rounding (summation orders differ)
    assert_close(model(Tensor(x)).data, tm(torch.from_numpy(x)).detach().numpy(), 1e-6, 1e-6)


def test_modes_are_copied() -> None:
    model = nn.Sequential(nn.Linear(4, 4), nn.Dropout(0.5), nn.Linear(4, 2))
    assert all(m.training for m in model.to_torch().modules())
    model.eval()
    assert not any(m.training for m in model.to_torch().modules())
    model.train()
    model[1].eval()  # one layer in another mode
    assert [m.training for m in model.to_torch()] == [True, False, True]
    back = nn.from_torch(torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.Dropout(0.1)).eval())
    assert not any(m.training for m in back.modules())


def test_parameters_are_copies() -> None:
    model = nn.Sequential(nn.Linear(4, 2, seed=0))
    tm = model.to_torch()
    with torch.no_grad():
        tm[0].weight.zero_()
    assert np.any(model[0].weight.data != 0)


def train_in_torch(tm: torch.nn.Module, steps: int = 5) -> None:
    opt = torch.optim.Adam(tm.parameters(), lr=0.05)
    for _ in range(steps):
        opt.zero_grad()
        out = tm(torch.from_numpy(X))
        ((out - torch.from_numpy(Y[:, : out.shape[1]])) ** 2).mean().backward()
        opt.step()


def test_train_in_torch_and_load_back() -> None:
    model = nn.Sequential(nn.Linear(4, 8, seed=0), nn.Tanh(), nn.Linear(8, 2, seed=1))
    tm = model.to_torch()
    train_in_torch(tm)
    assert model.load_torch(tm) is model
    assert_close(model(Tensor(X)).data, tm(torch.from_numpy(X)).detach().numpy(), TOL, TOL)
    for name, p in tm.named_parameters():
        assert np.array_equal(model.state_dict()[name], p.detach().numpy())


# --- BatchNorm1d: running statistics, num_batches_tracked and the mode ----------------------------


def assert_same_state(model: nn.Module, tm: torch.nn.Module, tol: float = TOL) -> None:
    """Every parameter and buffer agrees under the same name, in the same dtype and shape."""
    state, tstate = model.state_dict(), tm.state_dict()
    assert list(state) == list(tstate)
    for name, arr in state.items():
        t = tstate[name].detach().numpy()
        assert (arr.dtype, arr.shape) == (t.dtype, t.shape), name
        assert_close(arr, t, tol, tol)


def batch_norm_model(three_d: bool) -> nn.Sequential:
    """BatchNorm1d on (N, d) or on (N, d, L) inputs (features on axis 1, L = 3)."""
    if three_d:
        layers = [nn.Linear(3, 5, seed=0), nn.BatchNorm1d(4, eps=1e-3, momentum=0.25), nn.Flatten()]
        return nn.Sequential(*layers, nn.Tanh(), nn.Linear(20, 2, seed=1))
    layers = [nn.Linear(4, 5, seed=0), nn.BatchNorm1d(5, eps=1e-3, momentum=0.25)]
    return nn.Sequential(*layers, nn.Tanh(), nn.Linear(5, 2, seed=1))


@pytest.mark.parametrize("three_d", [False, True], ids=["N-d", "N-d-L"])
def test_batch_norm_trains_and_predicts_the_same_in_both(three_d: bool) -> None:
    rng = np.random.default_rng(2)
    shape = (6, 4, 3) if three_d else (6, 4)
    model = batch_norm_model(three_d)
    tm = model.to_torch()
    assert (tm[1].eps, tm[1].momentum, tm[1].training) == (1e-3, 0.25, True)
    assert_same_state(model, tm, tol=0)
    opt, topt = nn.optim.SGD(model.parameters(), lr=0.02), torch.optim.SGD(tm.parameters(), lr=0.02)
    for _ in range(5):  # training mode: the batch's statistics, the running ones updated on both sides
        opt.zero_grad()
        topt.zero_grad()
        out, xg, tout, xt = grads_of_both(model, tm, rng.normal(size=shape) * 2 + 1)
        assert_close(out.data, tout.detach().numpy(), TOL, TOL)
        assert_close(xg.grad, xt.grad.numpy(), TOL, TOL)
        named = dict(tm.named_parameters())
        for name, p in model.named_parameters():
            assert_close(p.grad, named[name].grad.numpy(), TOL, TOL)
        opt.step()
        topt.step()
        assert_same_state(model, tm)
    assert model[1].num_batches_tracked == tm[1].num_batches_tracked.item() == 5
    model.eval()
    tm.eval()
    before = model.state_dict()
    out, xg, tout, xt = grads_of_both(model, tm, rng.normal(size=shape))  # the running statistics
    assert_close(out.data, tout.detach().numpy(), TOL, TOL)
    assert_close(xg.grad, xt.grad.numpy(), TOL, TOL)
    assert all(np.array_equal(before[k], v) for k, v in model.state_dict().items())
    assert_same_state(model, tm)


def test_batch_norm_comes_back_from_torch_in_its_mode() -> None:
    rng = np.random.default_rng(3)
    torch.manual_seed(0)
    tm = torch.nn.Sequential(
        torch.nn.Linear(4, 5), torch.nn.BatchNorm1d(5, eps=1e-4, momentum=0.4), torch.nn.Linear(5, 2)
    ).double()
    with torch.no_grad():
        for _ in range(3):  # torch's own training steps move the running statistics
            tm(torch.from_numpy(rng.normal(size=(8, 4)) * 3))
    copy = nn.Sequential(nn.Linear(4, 5), nn.BatchNorm1d(5), nn.Linear(5, 2))
    assert copy.load_torch(tm) is copy
    assert_same_state(copy, tm, tol=0)
    assert copy[1].num_batches_tracked == 3 and copy[1].eps == 1e-5  # options are the layer's own
    tm.eval()
    back = nn.from_torch(tm)
    assert isinstance(back, nn.Sequential)
    assert (back[1].eps, back[1].momentum, back.training, back[1].training) == (1e-4, 0.4, False, False)
    assert_same_state(back, tm, tol=0)
    for mode in ("eval", "train"):
        getattr(back, mode)()
        getattr(tm, mode)()
        out, xg, tout, xt = grads_of_both(back, tm, rng.normal(size=(6, 4)))
        assert_close(out.data, tout.detach().numpy(), TOL, TOL)
        assert_close(xg.grad, xt.grad.numpy(), TOL, TOL)
        assert_same_state(back, tm)


def test_batch_norm_in_float32_keeps_its_dtypes() -> None:
    model = nn.Sequential(nn.BatchNorm1d(3, dtype=np.float32))
    model(Tensor(X[:, :3].astype(np.float32)))
    tm = model.to_torch()
    dtypes = [t.dtype for t in tm.state_dict().values()]
    assert dtypes == [torch.float32] * 4 + [torch.int64]
    assert_same_state(model, tm, tol=0)
    back = nn.from_torch(tm)
    assert [a.dtype for a in back.state_dict().values()] == [np.float32] * 4 + [np.int64]
    assert_same_state(back, tm, tol=0)


def test_batch_norm_options_and_buffers_that_do_not_match() -> None:
    options_torch_has: list[dict[str, Any]] = [
        {"affine": False},
        {"bias": False},
        {"track_running_stats": False},
        {"momentum": None},
    ]
    no_equivalent = r"from_torch: BatchNorm1d\(affine=.* has no graphgrad equivalent"
    for options in options_torch_has:
        with pytest.raises(ValueError, match=no_equivalent):
            nn.from_torch(torch.nn.BatchNorm1d(3, **options))
    model = nn.Sequential(nn.BatchNorm1d(3))
    before = snapshot(model)
    untracked = torch.nn.Sequential(torch.nn.BatchNorm1d(3, track_running_stats=False)).double()
    with pytest.raises(nn.StateDictError, match=r"(?s)3 problem\(s\).*missing key '0.running_mean'"):
        model.load_torch(untracked)
    half = torch.nn.Sequential(torch.nn.BatchNorm1d(3)).double()
    half[0].num_batches_tracked = torch.tensor(2.0)  # a counter in float: the wrong dtype
    wrong = r"'0.num_batches_tracked': dtype float32 where the model has int64"
    with pytest.raises(nn.StateDictError, match=wrong):
        model.load_torch(half)
    assert all(np.array_equal(before[k], v) for k, v in snapshot(model).items())


def snapshot(model: nn.Module) -> dict[str, np.ndarray]:
    return model.state_dict()


def test_load_torch_checks_everything_first_and_names_the_first_mismatch() -> None:
    model = nn.Sequential(nn.Linear(4, 8, seed=0), nn.ReLU(), nn.Linear(8, 2, seed=1))
    before = snapshot(model)
    other = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 3)).double()
    with pytest.raises(nn.StateDictError) as err:
        model.load_torch(other)
    lines = str(err.value).splitlines()
    assert lines[0] == "Sequential.load_torch: 2 problem(s), nothing was changed:"
    assert lines[1].strip() == "'2.weight': shape (3, 8) where the model has (2, 8)"
    assert all(np.array_equal(before[k], v) for k, v in snapshot(model).items())


def test_load_torch_dtype_and_names() -> None:
    model = nn.Sequential(nn.Linear(4, 2, seed=0))
    before = snapshot(model)
    with pytest.raises(nn.StateDictError, match=r"'0.weight': dtype float32 where the model has float64"):
        model.load_torch(torch.nn.Sequential(torch.nn.Linear(4, 2)))
    with pytest.raises(nn.StateDictError, match=r"(?s)missing key '0.weight'.*unexpected key 'weight'"):
        model.load_torch(torch.nn.Linear(4, 2).double())
    with pytest.raises(nn.StateDictError, match=r"'0.weight': cannot be read as an array.*bfloat16"):
        model.load_torch(torch.nn.Sequential(torch.nn.Linear(4, 2, dtype=torch.bfloat16)))
    assert all(np.array_equal(before[k], v) for k, v in snapshot(model).items())


def test_load_torch_into_a_module_of_its_own() -> None:
    """A Module subclass has no torch equivalent, but loads from a torch module with its names."""

    class Net(nn.Module):
        def __init__(self) -> None:
            self.hidden = nn.Linear(4, 8, seed=0)
            self.scale = Value(2.0)
            self.out = nn.Linear(8, 2, seed=1)

        def forward(self, x: Tensor) -> Tensor:
            return self.out(self.hidden(x).relu()) * self.scale.data

    class TorchNet(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.hidden = torch.nn.Linear(4, 8, dtype=torch.float64)
            self.scale = torch.nn.Parameter(torch.tensor(3.0, dtype=torch.float64))
            self.out = torch.nn.Linear(8, 2, dtype=torch.float64)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return self.out(torch.relu(self.hidden(x))) * self.scale

    net, tnet = Net(), TorchNet()
    with pytest.raises(TypeError, match=r"to_torch: Net \(at Net\) has no torch equivalent"):
        net.to_torch()
    net.load_torch(tnet)
    assert net.scale.data == 3.0
    assert_close(net(Tensor(X)).data, tnet(torch.from_numpy(X)).detach().numpy(), TOL, TOL)


# --- the scalar networks ---------------------------------------------------------------------


def scalar_outputs(model: nn.Module, x: np.ndarray) -> list[list[Value]]:
    outs = [model(list(row)) for row in x]
    return [o if isinstance(o, list) else [o] for o in outs]


# the micrograd lecture's network: tanh on the hidden layers and on the output
LECTURE_MLP = lambda: nn.MLP(4, [4, 4, 2], activation="tanh", output_activation="tanh", seed=0)  # noqa: E731


@pytest.mark.parametrize(
    "make", [*SCALAR_MODELS.values(), LECTURE_MLP], ids=[*(c.__name__ for c in SCALAR_MODELS), "MLP-tanh"]
)
def test_scalar_model_is_a_linear_stack(make: Callable[[], nn.Module]) -> None:
    model = make()
    tm = model.to_torch()
    assert isinstance(tm, torch.nn.Sequential)
    assert all(p.dtype == torch.float64 for p in tm.parameters())
    outs = scalar_outputs(model, X)
    n_out = len(outs[0])
    loss = sum(((o - t) ** 2 for row, y in zip(outs, Y) for o, t in zip(row, y)), Value(0.0))
    loss.backward()
    tout = tm(torch.from_numpy(X))
    ((tout - torch.from_numpy(Y[:, :n_out])) ** 2).sum().backward()
    assert_close([[o.data for o in row] for row in outs], tout.detach().numpy(), TOL, TOL)
    linears = [m for m in tm if isinstance(m, torch.nn.Linear)]
    layers = model.layers if isinstance(model, nn.MLP) else [model] if isinstance(model, nn.Layer) else None
    neuron_rows = [layer.neurons for layer in layers] if layers else [[model]]
    for linear, neurons in zip(linears, neuron_rows, strict=True):
        assert_close([[w.grad for w in n.w] for n in neurons], linear.weight.grad.numpy(), TOL, TOL)
        assert_close([n.b.grad for n in neurons], linear.bias.grad.numpy(), TOL, TOL)


def test_mlp_activations_carry_over() -> None:
    for activation, torch_layer in (("relu", "ReLU"), ("tanh", "Tanh"), ("sigmoid", "Sigmoid"), (None, None)):
        tm = nn.MLP(4, [3, 2], activation=activation, seed=0).to_torch()
        kinds = [type(m).__name__ for m in tm]
        assert kinds == (["Linear", torch_layer, "Linear"] if torch_layer else ["Linear", "Linear"])
        tm = nn.MLP(4, [3, 2], activation=None, output_activation=activation, seed=0).to_torch()
        assert [type(m).__name__ for m in tm] == ["Linear", "Linear"] + ([torch_layer] if torch_layer else [])


def test_mlp_trained_in_torch_comes_back() -> None:
    model = nn.MLP(4, [6, 2], seed=0)
    tm = model.to_torch()
    train_in_torch(tm)
    model.load_torch(tm)
    assert_close(
        [[o.data for o in row] for row in scalar_outputs(model, X)], tm(torch.from_numpy(X)).detach().numpy()
    , TOL, TOL)
    before = snapshot(model)
    with pytest.raises(nn.StateDictError, match=r"'0.weight': shape \(6, 4\) where the model has \(5, 4\)"):
        nn.MLP(4, [5, 2], seed=0).load_torch(tm)
    assert snapshot(model).keys() == before.keys()


# --- from_torch ------------------------------------------------------------------------------


def test_from_torch_builds_the_same_model() -> None:
    tm = (
        torch.nn.Sequential(
            torch.nn.Flatten(),
            torch.nn.Linear(4, 8),
            torch.nn.ReLU(),
            torch.nn.Dropout(0.2),
            torch.nn.Linear(8, 6),
            torch.nn.Tanh(),
            torch.nn.Linear(6, 3),
            torch.nn.Sigmoid(),
            torch.nn.Linear(3, 2),
            torch.nn.Softmax(dim=1),
        )
        .double()
        .eval()
    )
    model = nn.from_torch(tm)
    assert [type(m).__name__ for m in model] == [type(m).__name__ for m in tm]
    x = X.reshape(6, 2, 2)
    out, xg, tout, xt = grads_of_both(model, tm, x)
    assert_close(out.data, tout.detach().numpy(), TOL, TOL)
    assert_close(xg.grad, xt.grad.numpy(), TOL, TOL)
    assert model[3].p == 0.2 and not model.training


def test_from_torch_named_children_and_float32() -> None:
    tm = torch.nn.Sequential(
        OrderedDict(hidden=torch.nn.Linear(4, 3), act=torch.nn.ReLU(), out=torch.nn.Linear(3, 2))
    )
    model = nn.from_torch(tm)
    assert model[0].weight.dtype == np.float32
    x = X.astype(np.float32)
    assert_close(model(Tensor(x)).data, tm(torch.from_numpy(x)).detach().numpy(), 1e-6, 1e-6)


def test_from_torch_activations_and_layer_norm_keep_their_options() -> None:
    tm = torch.nn.Sequential(
        torch.nn.Linear(4, 6), torch.nn.LeakyReLU(0.3), torch.nn.ELU(0.5), torch.nn.LayerNorm(6, eps=1e-4),
        torch.nn.GELU(), torch.nn.SiLU(), torch.nn.Softplus(), torch.nn.Linear(6, 2),
    ).double()  # fmt: skip
    model = nn.from_torch(tm)
    assert model[1].negative_slope == 0.3 and model[2].alpha == 0.5 and model[3].eps == 1e-4
    out, xg, tout, xt = grads_of_both(model, tm, X)
    assert_close(out.data, tout.detach().numpy(), TOL, TOL)
    assert_close(xg.grad, xt.grad.numpy(), TOL, TOL)
    with pytest.raises(ValueError, match=r"GELU\(approximate='tanh'\) has no graphgrad equivalent"):
        nn.from_torch(torch.nn.GELU(approximate="tanh"))
    with pytest.raises(ValueError, match=r"Softplus\(beta=2.0, threshold=20.0\) has no graphgrad equivalent"):
        nn.from_torch(torch.nn.Softplus(beta=2.0))
    with pytest.raises(ValueError, match="LayerNorm without a weight or a bias"):
        nn.from_torch(torch.nn.LayerNorm(3, elementwise_affine=False))


def test_from_torch_options_without_an_equivalent() -> None:
    with pytest.raises(ValueError, match=r"Flatten\(start_dim=1, end_dim=2\) has no graphgrad equivalent"):
        nn.from_torch(torch.nn.Flatten(1, 2))
    with pytest.raises(ValueError, match=r"Softmax\(dim=None\)"):
        nn.from_torch(torch.nn.Softmax())
    with pytest.raises(TypeError, match="expected a torch.nn.Module, got ndarray"):
        nn.from_torch(np.ones(2))

    class Custom(torch.nn.Linear):
        pass

    with pytest.raises(
        TypeError, match=r"test_nn_torch_bridge.*Custom \(at Custom\) has no graphgrad equivalent"
    ):
        nn.from_torch(Custom(2, 2))


def test_a_function_in_a_sequential_has_no_torch_equivalent() -> None:
    with pytest.raises(
        TypeError, match=r"to_torch: the function .* \(at Sequential.1\) has no torch equivalent"
    ):
        nn.Sequential(nn.Linear(2, 2), lambda x: x.relu()).to_torch()
