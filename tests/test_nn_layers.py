"""Tensor layers (nn/layers.py) against torch: values and gradients in float64."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from helpers import assert_close

import nn
from autograd import Value
from autograd.tensor import Tensor

# --- layers -------------------------------------------------------------------------------------


def test_linear_init_shapes_and_torch_forward_backward() -> None:
    layer = nn.Linear(5, 3, seed=0)
    assert layer.weight.shape == (3, 5) and layer.bias is not None and layer.bias.shape == (3,)
    bound = 1 / math.sqrt(5)
    assert np.abs(layer.weight.data).max() <= bound and np.abs(layer.bias.data).max() <= bound
    big = nn.Linear(400, 300, seed=1).weight.data
    assert abs(big.var() - bound_var(400)) < 0.05 * bound_var(400)  # U(-k, k) has variance k^2 / 3
    X = np.random.default_rng(0).normal(size=(4, 5))
    out = layer(Tensor(X))
    (out * out).sum().backward()
    tl = torch.nn.Linear(5, 3).double()
    with torch.no_grad():
        tl.weight.copy_(torch.tensor(layer.weight.data))
        tl.bias.copy_(torch.tensor(layer.bias.data))
    tout = tl(torch.tensor(X))
    (tout * tout).sum().backward()
    assert_close(out.data, tout)
    assert_close(layer.weight.grad, tl.weight.grad)
    assert_close(layer.bias.grad, tl.bias.grad)


def bound_var(fan_in: int) -> float:
    return 1 / (3 * fan_in)


def test_linear_options_and_errors() -> None:
    layer = nn.Linear(2, 2, bias=False, dtype=np.float32, seed=0)
    assert layer.bias is None and layer.weight.dtype == np.float32
    assert [n for n, _ in layer.named_parameters()] == ["weight"]
    assert layer(np.ones((3, 2), dtype=np.float32)).dtype == np.float32
    with pytest.raises(
        ValueError, match=r"Linear\(2, 2\): the input's last axis must have 2 features, got shape \(3, 4\)"
    ):
        layer(np.ones((3, 4)))
    with pytest.raises(TypeError, match="nn.MLP"):
        layer(Value(1.0))


def test_sequential_activations_and_names() -> None:
    model = nn.Sequential(
        nn.Flatten(), nn.Linear(6, 4, seed=0), nn.Tanh(), nn.Linear(4, 3, seed=1), nn.Sigmoid()
    )
    x = np.random.default_rng(1).normal(size=(5, 2, 3))
    out = model(x)
    assert out.shape == (5, 3) and np.all((out.data > 0) & (out.data < 1))
    assert len(model) == 5 and isinstance(model[1], nn.Linear)
    assert [n for n, _ in model.named_parameters()] == ["1.weight", "1.bias", "3.weight", "3.bias"]
    probs = nn.Softmax(axis=1)(Tensor(np.array([[1.0, 2.0, 3.0]])))
    assert probs.data.sum() == pytest.approx(1.0)
    assert np.array_equal(nn.ReLU()(np.array([-1.0, 2.0])).data, [0.0, 2.0])
    model.append(nn.ReLU())
    assert len(model) == 6


def test_dropout_honours_train_and_eval() -> None:
    drop = nn.Dropout(0.25, seed=0)
    x = Tensor(np.ones((200, 50)), requires_grad=True)
    y = drop(x)
    kept = y.data != 0
    assert 0.7 < kept.mean() < 0.8 and np.allclose(y.data[kept], 1 / 0.75)
    y.sum().backward()
    assert np.array_equal(x.grad, np.where(kept, 1 / 0.75, 0.0))
    drop.eval()
    assert drop(x) is x
    assert np.all(nn.Dropout(1.0)(x).data == 0)
    with pytest.raises(ValueError, match="probability"):
        nn.Dropout(1.5)


# --- losses against torch -----------------------------------------------------------------------


# --- losses on Values ---------------------------------------------------------------------------


# --- activations as layers, LayerNorm, BatchNorm1d ----------------------------------------------


@pytest.mark.parametrize(
    ("layer", "theirs"),
    [
        (nn.LeakyReLU(), torch.nn.LeakyReLU()),
        (nn.LeakyReLU(0.3), torch.nn.LeakyReLU(0.3)),
        (nn.ELU(), torch.nn.ELU()),
        (nn.ELU(0.4), torch.nn.ELU(0.4)),
        (nn.GELU(), torch.nn.GELU()),
        (nn.SiLU(), torch.nn.SiLU()),
        (nn.Softplus(), torch.nn.Softplus()),
    ],
    ids=lambda m: repr(m),
)
def test_activation_layers_match_torch_on_tensors_and_values(
    layer: nn.Module, theirs: torch.nn.Module
) -> None:
    X = np.linspace(-4.0, 25.0, 12).reshape(3, 4)
    x = Tensor(X, requires_grad=True)
    tx = torch.tensor(X, requires_grad=True)
    y, ty = layer(x), theirs(tx)
    assert_close(y.data, ty)
    (y * y).sum().backward()
    (ty * ty).sum().backward()
    assert_close(x.grad, tx.grad)
    v = Value(-0.7)
    assert_close(layer(v).data, theirs(torch.tensor(-0.7, dtype=torch.float64)))
    assert layer.parameters() == [] and type(layer).__name__ in repr(layer)


def test_activation_layer_reprs_show_their_options() -> None:
    assert repr(nn.LeakyReLU(0.2)) == "LeakyReLU(negative_slope=0.2)"
    assert repr(nn.ELU()) == "ELU(alpha=1.0)" and repr(nn.GELU()) == "GELU()"


@pytest.mark.parametrize("shape", [(4, 5), (2, 3, 5)])
def test_layer_norm_matches_torch(shape: tuple[int, ...]) -> None:
    rng = np.random.default_rng(3)
    ln = nn.LayerNorm(5, eps=1e-3)
    ln.weight.data[:] = rng.normal(size=5)
    ln.bias.data[:] = rng.normal(size=5)
    tl = torch.nn.LayerNorm(5, eps=1e-3).double()
    with torch.no_grad():
        tl.weight.copy_(torch.tensor(ln.weight.data))
        tl.bias.copy_(torch.tensor(ln.bias.data))
    X = rng.normal(size=shape) * 3
    x, tx = Tensor(X, requires_grad=True), torch.tensor(X, requires_grad=True)
    w = rng.normal(size=shape)
    (ln(x) * w).sum().backward()
    (tl(tx) * torch.tensor(w)).sum().backward()
    assert_close(ln(x).data, tl(tx))
    assert_close(x.grad, tx.grad)
    assert_close(ln.weight.grad, tl.weight.grad)
    assert_close(ln.bias.grad, tl.bias.grad)
    assert list(ln.state_dict()) == list(tl.state_dict()) == ["weight", "bias"]
    two = nn.LayerNorm((3, 5))  # normalised over the last two axes
    out = two(Tensor(np.arange(30.0).reshape(2, 3, 5)))
    np.testing.assert_allclose(out.data.mean(axis=(1, 2)), 0.0, atol=1e-12)


@pytest.mark.parametrize("shape", [(6, 3), (4, 3, 2)])
def test_batch_norm_matches_torch_in_training_and_eval(shape: tuple[int, ...]) -> None:
    rng = np.random.default_rng(4)
    bn = nn.BatchNorm1d(3, eps=1e-4, momentum=0.25)
    tb = torch.nn.BatchNorm1d(3, eps=1e-4, momentum=0.25).double()
    bn.weight.data[:] = [1.5, -0.5, 2.0]
    bn.bias.data[:] = [0.1, 0.2, -0.3]
    with torch.no_grad():
        tb.weight.copy_(torch.tensor(bn.weight.data))
        tb.bias.copy_(torch.tensor(bn.bias.data))
    for step in range(4):
        X = rng.normal(size=shape) * (step + 1) + step
        x, tx = Tensor(X, requires_grad=True), torch.tensor(X, requires_grad=True)
        w = rng.normal(size=shape)
        (bn(x) * w).sum().backward()
        (tb(tx) * torch.tensor(w)).sum().backward()
        assert_close(x.grad, tx.grad)
    assert_close(bn.weight.grad, tb.weight.grad)
    assert_close(bn.bias.grad, tb.bias.grad)
    for name, value in tb.state_dict().items():  # the same names, order and numbers as torch
        np.testing.assert_allclose(bn.state_dict()[name], value.numpy(), rtol=1e-12)
    assert list(bn.state_dict()) == list(tb.state_dict())
    assert bn.state_dict()["num_batches_tracked"] == 4
    bn.eval()
    tb.eval()
    X = rng.normal(size=shape)
    x, tx = Tensor(X, requires_grad=True), torch.tensor(X, requires_grad=True)
    (bn(x) * 2).sum().backward()
    (tb(tx) * 2).sum().backward()
    assert_close(bn(x).data, tb(tx))
    assert_close(x.grad, tx.grad)
    assert bn.state_dict()["num_batches_tracked"] == 4  # eval mode leaves the statistics alone


def test_batch_norm_state_loads_and_is_not_optimised() -> None:
    model = nn.Sequential(nn.Linear(3, 4, seed=0), nn.BatchNorm1d(4), nn.ReLU())
    model(Tensor(np.random.default_rng(0).normal(size=(8, 3))))
    assert [name for name, _ in model.named_parameters()] == ["0.weight", "0.bias", "1.weight", "1.bias"]
    assert [name for name, _ in model.named_buffers()] == [
        "1.running_mean",
        "1.running_var",
        "1.num_batches_tracked",
    ]
    copy = nn.Sequential(nn.Linear(3, 4, seed=1), nn.BatchNorm1d(4), nn.ReLU())
    copy.load_state_dict(model.state_dict())
    for name, value in model.state_dict().items():
        np.testing.assert_array_equal(copy.state_dict()[name], value)
    state = model.state_dict()
    state["1.running_var"] = np.ones(5)
    with pytest.raises(nn.StateDictError, match=r"'1.running_var': shape \(5,\) where the model has \(4,\)"):
        copy.load_state_dict(state)
    assert len(nn.optim.SGD(model.parameters(), lr=0.1).params) == 4


def test_batch_norm_refuses_one_sample_in_training_as_torch() -> None:
    bn = nn.BatchNorm1d(3)
    with pytest.raises(ValueError, match="training mode needs more than one value per feature"):
        bn(Tensor(np.ones((1, 3))))
    with pytest.raises(ValueError):
        torch.nn.BatchNorm1d(3)(torch.ones(1, 3))
    bn.eval()
    assert bn(Tensor(np.ones((1, 3)))).shape == (1, 3)


# --- the new losses -------------------------------------------------------------------------------


def test_mlp_given_a_batch_points_to_predict_and_sequential() -> None:
    model = nn.MLP(3, [4, 1], seed=0)
    for batch in (np.ones((5, 3)), Tensor(np.ones((5, 3))), Tensor(np.ones(3))):
        with pytest.raises(TypeError, match=r"MLP: takes one example as a list of 3 numbers .*nn\.predict"):
            model(batch)
    assert isinstance(model(np.ones(3)), Value)  # one example as an array still works
