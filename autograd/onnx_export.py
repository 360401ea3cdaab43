"""``export_onnx``: a recorded Tensor graph written as an ONNX model (onnx is imported only here).

``export_onnx(f, example_inputs, path)`` runs ``f`` (a function of Tensors, or an nn module) on
the example inputs, walks the graph it recorded (``topological_order``, each node's ``_op``,
``inputs``, data and ``attrs``) and writes one ONNX node or a few per op, from the table
``EMITTERS`` (op name -> emitter). The example inputs become the graph's inputs, their first axis
the batch axis, of any size; leaves that require grad (the parameters) become initializers under
their ``named_parameters`` names, and so do the constants.

How the batch axis stays dynamic: ``f`` runs twice, on the example inputs and on a batch one row
longer made from them (rows rolled by one, scaled by 1 + 2**-7). The two graphs must hold the
same ops in the same order; what differs between them says which sizes follow the batch (a
reshape's target size there becomes -1) and which constants were computed from the data. ONNX
would keep such a constant's example value, so it is an error, except for those that the
compositions ``log_softmax``, ``mean`` and ``var`` make (the max that log_softmax subtracts, the
count that mean divides by, less var's ``ddof``): the model computes those from its input. A
module's state must come out of the two runs as it went in (a BatchNorm1d in training mode
updates its running statistics on every run: export it in eval mode); it is put back and the
export refused otherwise.

>>> import tempfile, pathlib, numpy as np, onnxruntime
>>> from autograd import Tensor
>>> W = Tensor(np.eye(3)[:2], requires_grad=True, label="W")
>>> path = pathlib.Path(tempfile.mkdtemp()) / "f.onnx"
>>> session = onnxruntime.InferenceSession(export_onnx(lambda x: (x @ W.T).tanh(), np.ones((4, 3)), path))
>>> session.run(None, {"input": np.zeros((7, 3))})[0].shape  # a batch of another size
(7, 2)
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from autograd.elementwise import SOFTPLUS_THRESHOLD
from autograd.files import destination, write_atomic
from autograd.graph import Node, enable_grad, topological_order
from autograd.tensor import Tensor

OPSET = 21
"""The ONNX opset the models are written in (onnx 1.16 and onnxruntime 1.18 on read it)."""
IR_VERSION = 10

# numpy dtype name -> the name of its ONNX TensorProto type
_ONNX_TYPES = {
    "float16": "FLOAT16",
    "float32": "FLOAT",
    "float64": "DOUBLE",
    "bool": "BOOL",
    "int64": "INT64",
}
_FLOATS = ("float16", "float32", "float64")
_INT64_MAX, _INT64_MIN = np.iinfo(np.int64).max, np.iinfo(np.int64).min


def import_onnx(who: str) -> Any:
    """onnx, or an ImportError that says which extra to install."""
    try:
        import onnx
    except ImportError:
        raise ImportError(
            f"{who} needs onnx, which is not installed: pip install 'graphgrad[onnx]' (onnx, and "
            "onnxruntime to run the models)"
        ) from None
    return onnx


def export_onnx(f: Callable[..., Any], example_inputs: Any, path: str | os.PathLike[str]) -> Path:
    """Run ``f`` on ``example_inputs`` and write the graph it records as an ONNX model at ``path``.

    ``example_inputs`` is one array or Tensor, or a tuple of them (one per argument of ``f``);
    the first axis of each is the batch axis (the model takes batches of any size). ``f``
    returns a Tensor or a tuple of Tensors (the model's outputs). The file is written whole
    or not at all. Returns the path.

    onnxruntime's CPU build runs every op of a float32 model; in float64 it has no kernels for
    Erf, Gelu, LeakyRelu, Elu and Softplus (the ONNX model is valid, other runtimes may run it):
    build a model holding those in float32 to run it there.
    """
    destination(path, "export_onnx", "model.onnx")  # the path is checked before f runs
    onnx = import_onnx("export_onnx")
    if not callable(f):
        raise TypeError(
            f"export_onnx: f must be a function of Tensors or an nn module, got {type(f).__name__}"
        )
    examples = _examples(example_inputs)
    (inputs, outputs), (twin_inputs, twin_outputs) = _runs(f, examples)
    pairs = _pair(_order(outputs), _order(twin_outputs), inputs, twin_inputs)
    graph = _Graph(onnx, inputs, _parameter_names(f))
    for node, twin in pairs:
        if not node.is_leaf:
            graph.emit(node, twin)
    model = graph.model(outputs, twin_outputs, examples)
    onnx.checker.check_model(model, full_check=True)
    return write_atomic(path, model.SerializeToString(), "export_onnx", "model.onnx")


# --- running f -------------------------------------------------------------------------------------


def _examples(example_inputs: Any) -> list[np.ndarray]:
    items = example_inputs if isinstance(example_inputs, tuple) else (example_inputs,)
    arrays = []
    for k, x in enumerate(items):
        data = np.array(Tensor(x).data, copy=True)
        if data.ndim == 0 or data.shape[0] == 0:
            raise ValueError(
                f"export_onnx: example input {k} has shape {data.shape}; the first axis of each input "
                "is the batch axis: give a batch of at least one row"
            )
        arrays.append(data)
    return arrays


def _longer(x: np.ndarray) -> np.ndarray:
    """A batch one row longer than ``x``, made of its rows rolled by one and scaled a little."""
    n = x.shape[0]
    return x[(np.arange(n + 1) + 1) % n] * (1 + 2**-7)


def _runs(f: Callable[..., Any], examples: list[np.ndarray]) -> tuple[Any, Any]:
    """``_run`` on the examples and on a batch one row longer; a module's state is left as it was."""
    module: Any = f
    before = module.state_dict() if callable(getattr(module, "state_dict", None)) else None
    try:
        runs = _run(f, examples), _run(f, [_longer(x) for x in examples])
    finally:
        changed = [] if before is None else _changed(before, module.state_dict())
        if changed:
            module.load_state_dict(before)
    if changed:
        more = f" and {len(changed) - 3} more" if len(changed) > 3 else ""
        raise ValueError(
            f"export_onnx: running the model changed its state ({', '.join(map(repr, changed[:3]))}{more}), "
            "and export_onnx runs it twice: a BatchNorm1d in training mode updates its running "
            "statistics on every batch; call model.eval() first (the state was put back)"
        )
    return runs


def _changed(before: dict[str, np.ndarray], after: dict[str, np.ndarray]) -> list[str]:
    """The names of the state entries that differ between two state dicts."""
    return [
        name
        for name in {**before, **after}
        if name not in before or name not in after or not _same(before[name], after[name])
    ]


def _run(f: Callable[..., Any], examples: list[np.ndarray]) -> tuple[list[Tensor], list[Tensor]]:
    """The input leaves made from ``examples``, and ``f``'s outputs on them as a list."""
    inputs = [Tensor(x, requires_grad=True) for x in examples]
    with enable_grad():
        out = f(*inputs)
    outputs = list(out) if isinstance(out, (tuple, list)) else [out]
    for o in outputs:
        if not isinstance(o, Tensor):
            hint = ""
            if isinstance(o, Node):
                hint = " (export_onnx writes Tensor graphs; for nn.MLP, which runs on Values, use to_torch())"
            raise TypeError(
                f"export_onnx: f must return a Tensor or a tuple of Tensors, got {type(o).__name__}{hint}"
            )
    return inputs, outputs


def _order(outputs: Sequence[Tensor]) -> list[Tensor]:
    """Every node the outputs depend on, each after the nodes it was made from."""
    order: list[Tensor] = []
    seen: set[Node] = set()
    for out in outputs:
        part = topological_order(out, stop_at=seen)
        part.reverse()
        order += part  # type: ignore[arg-type]
        seen.update(part)
    return order


def _pair(order: list[Tensor], twins: list[Tensor], inputs: list[Tensor], twin_inputs: list[Tensor]) -> Any:
    """Each node of the example run beside its twin of the longer run, once both graphs agree."""
    at = {node: i for i, node in enumerate(order)}
    twin_at = {node: i for i, node in enumerate(twins)}

    def signature(node: Tensor, where: dict[Tensor, int], ins: list[Tensor]) -> Any:
        kind = ("input", ins.index(node)) if node in ins else node.requires_grad
        return node.op, kind, node.ndim, tuple(where[x] for x in _inputs(node))

    same = len(order) == len(twins) and all(
        signature(a, at, inputs) == signature(b, twin_at, twin_inputs) for a, b in zip(order, twins)
    )
    if not same:
        raise ValueError(
            "export_onnx: f recorded different ops for a batch one row longer than the example; the "
            "model must run the same ops for every batch size (no Python branch on the data or on "
            "the batch size; a reshape or squeeze that keeps a batch of 1 is a no-op only then)"
        )
    for node, twin in zip(order, twins):
        _check_dtype(node)
        if not node.is_leaf:
            _check_attrs(node, twin)
    return list(zip(order, twins))


def _check_dtype(node: Tensor) -> None:
    if node.dtype.name not in _FLOATS:
        what = f"op {node.op!r} gives" if not node.is_leaf else "a leaf of the graph has"
        raise TypeError(
            f"export_onnx: {what} dtype {node.dtype}, which ONNX has no type for; "
            "use float16, float32 or float64"
        )


def _check_attrs(node: Tensor, twin: Tensor) -> None:
    """An op's parameters must not change with the data; sizes (``shape``) may follow the batch."""
    for key, value in node.attrs.items():
        if key != "shape" and not _same(value, twin.attrs.get(key)):
            hint = {
                "condition": "where(x > 0, x, 0) is x.relu() and where(x > y, x, y) is x.maximum(y)",
                "index": "index with slices (t[1:], t[:, :2]) rather than sizes read from the batch",
            }.get(key, "compute it with Tensor ops")
            raise ValueError(
                f"export_onnx: op {node.op!r}: its {key} changes with the input data (it was computed "
                f"from the data), and ONNX would keep the example's; {hint}"
            )


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return bool(np.shape(a) == np.shape(b) and np.array_equal(a, b, equal_nan=True))
    if isinstance(a, tuple) and isinstance(b, tuple):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return bool(type(a) is type(b) and a == b)


def _parameter_names(f: Any) -> dict[Tensor, str]:
    """The parameters' names when ``f`` is a module (``named_parameters``), else none."""
    named = getattr(f, "named_parameters", None)
    return {p: name for name, p in named() if isinstance(p, Tensor)} if callable(named) else {}


# --- the ONNX graph --------------------------------------------------------------------------------


class _Graph:
    """The ONNX graph being written: its nodes, its initializers, and a name for each value."""

    def __init__(self, onnx: Any, inputs: list[Tensor], parameter_names: dict[Tensor, str]) -> None:
        self.onnx = onnx
        self.nodes: list[Any] = []
        self.initializers: list[Any] = []
        self.used: set[str] = set()
        self.names: dict[Any, str] = {}  # node, or (node, dtype name) for a cast copy -> its name
        self.parameter_names = parameter_names
        self.input_names = ["input"] if len(inputs) == 1 else [f"input{k}" for k in range(len(inputs))]
        for x, name in zip(inputs, self.input_names):
            self.names[x] = self._unique(name)
        self.parameters = 0

    def _unique(self, name: str) -> str:
        candidate, k = name, 1
        while candidate in self.used:
            candidate, k = f"{name}_{k}", k + 1
        self.used.add(candidate)
        return candidate

    def add(self, op_type: str, inputs: Iterable[str], **attributes: Any) -> str:
        """Append an ONNX node; returns the name of its output."""
        out = self._unique(f"{op_type.lower()}{len(self.nodes)}")
        self.nodes.append(self.onnx.helper.make_node(op_type, list(inputs), [out], name=out, **attributes))
        return out

    def constant(self, array: Any, name: str = "const") -> str:
        """An initializer holding ``array``; returns its name."""
        unique = self._unique(name)
        self.initializers.append(self.onnx.numpy_helper.from_array(np.asarray(array), unique))
        return unique

    def ints(self, values: Any, name: str) -> str:
        """An int64 initializer (axes, sizes, pads, ...) holding ``values`` (an int or ints)."""
        return self.constant(np.asarray(values, np.int64), name)

    def onnx_type(self, dtype: np.dtype[Any]) -> int:
        return int(getattr(self.onnx.TensorProto, _ONNX_TYPES[dtype.name]))

    def value(self, node: Tensor, dtype: np.dtype[Any] | None = None) -> str:
        """The name of ``node``'s value in the ONNX graph (in ``dtype``: cast when it differs)."""
        if dtype is not None and dtype != node.dtype:
            key = (node, dtype.name)
            if key not in self.names:
                if node.is_leaf and node not in self.names:  # a constant: stored in the dtype asked
                    self.names[key] = self.constant(node.data.astype(dtype))
                else:
                    self.names[key] = self.add("Cast", [self.value(node)], to=self.onnx_type(dtype))
            return self.names[key]
        if node not in self.names:  # a leaf met for the first time: a parameter or a constant
            if node.requires_grad:
                self.parameters += 1
                name = self.parameter_names.get(node) or node.label or f"param{self.parameters}"
                self.names[node] = self.constant(node.data, name)
            else:
                self.names[node] = self.constant(node.data)
        return self.names[node]

    def operands(self, node: Tensor) -> list[str]:
        """The names of ``node``'s inputs, each in ``node``'s dtype (ONNX ops take one type)."""
        return [self.value(x, node.dtype) for x in _inputs(node)]

    def emit(self, node: Tensor, twin: Tensor) -> None:
        """Write the ONNX nodes of one op (after computing any input that follows the data)."""
        op = node.op
        emitter = EMITTERS.get("**" if op.startswith("**") else op)
        if emitter is None:
            raise ValueError(
                f"export_onnx: op {op!r} has no ONNX form here; the ops that export: "
                f"{', '.join(sorted(EMITTERS))} (losses are for training: export the model, not the loss)"
            )
        for k, (x, x_twin) in enumerate(zip(_inputs(node), _inputs(twin))):
            if x.is_leaf and x not in self.names and not x.requires_grad and _follows_data(x, x_twin):
                self.names[x] = _data_constant(self, node, twin, k)
        self.names[node] = emitter(self, node, twin)

    def model(self, outputs: list[Tensor], twins: list[Tensor], examples: list[np.ndarray]) -> Any:
        helper = self.onnx.helper
        sizes = {x.shape[0]: "batch" for x in examples}
        input_info = [
            helper.make_tensor_value_info(name, self.onnx_type(x.dtype), [sizes[x.shape[0]], *x.shape[1:]])
            for name, x in zip(self.input_names, examples)
        ]
        names = ["output"] if len(outputs) == 1 else [f"output{k}" for k in range(len(outputs))]
        output_info = []
        for name, out, twin in zip(names, outputs, twins):
            self.nodes.append(helper.make_node("Identity", [self.value(out)], [name], name=name))
            dims = [n if n == m else sizes.get(n) for n, m in zip(out.shape, twin.shape)]
            output_info.append(helper.make_tensor_value_info(name, self.onnx_type(out.dtype), dims))
        graph = helper.make_graph(self.nodes, "graphgrad", input_info, output_info, self.initializers)
        opset = [helper.make_opsetid("", OPSET)]
        return helper.make_model(graph, opset_imports=opset, ir_version=IR_VERSION, producer_name="graphgrad")


def _inputs(node: Tensor) -> tuple[Tensor, ...]:
    """A Tensor's inputs (Tensors all)."""
    return node.inputs  # type: ignore[return-value]


def _count(quotient: Tensor) -> float:
    """How many entries each entry of the sum that ``quotient`` divides added up."""
    total = _inputs(quotient)[0]
    return _inputs(total)[0].size / max(total.size, 1)


def _follows_data(x: Tensor, twin: Tensor) -> bool:
    return x.shape != twin.shape or not np.array_equal(x.data, twin.data, equal_nan=True)


def _data_constant(graph: _Graph, user: Tensor, twin: Tensor, k: int) -> str:
    """Compute in the model the constant input ``k`` of ``user`` that was made from the data.

    Three compositions make one: log_softmax subtracts the max along an axis (``x - max(x)``),
    mean divides a sum by the count of what it added up, and var by that count less ``ddof``
    (never below 0), the same ``ddof`` in both runs. Any other is an error.
    """
    c, first = _inputs(user)[k], _inputs(user)[0]
    if user.op == "-" and k == 1:
        for ax in range(first.ndim):
            if first.shape[ax] and np.array_equal(c.data, first.data.max(axis=ax, keepdims=True)):
                return graph.add("ReduceMax", [graph.value(first), graph.ints([ax], "axes")], keepdims=1)
    divisor = user.op == "/" and k == 1 and c.size == _inputs(twin)[1].size == 1
    if divisor and first.op == "sum" and not first.is_leaf:
        summed = _inputs(first)[0]
        ddof, twin_ddof = (_count(u) - float(_inputs(u)[1].data) for u in (user, twin))
        if summed.size and abs(ddof - twin_ddof) <= 4 * np.finfo(c.dtype).eps * _count(twin):
            sizes = [graph.add("Size", [graph.value(x)]) for x in (summed, first)]
            count = graph.add("Cast", [graph.add("Div", sizes)], to=graph.onnx_type(c.dtype))
            if not ddof:
                return count
            return graph.add("Relu", [graph.add("Sub", [count, graph.constant(np.asarray(ddof, c.dtype))])])
    raise ValueError(
        f"export_onnx: a constant of shape {c.shape} that op {user.op!r} uses changes with the input data, "
        "and ONNX would keep the example's value: a Dropout mask in training mode (call model.eval() "
        "first)? or an array computed from .data or detach()? compute it with Tensor ops instead"
    )


# --- the emitters: op name -> the ONNX nodes that compute it ------------------------------------


Emitter = Callable[[_Graph, Tensor, Tensor], str]


def _one_node(op_type: str, **attributes: str) -> Emitter:
    """An op that is one ONNX node of the same inputs (broadcasting as numpy does); ``attributes``
    maps each ONNX attribute to the op's parameter that gives it (``alpha="negative_slope"``)."""

    def emit(graph: _Graph, node: Tensor, twin: Tensor) -> str:
        attrs = node.attrs
        return graph.add(op_type, graph.operands(node), **{k: attrs[v] for k, v in attributes.items()})

    return emit


def _reduce(op_type: str) -> Emitter:
    def emit(graph: _Graph, node: Tensor, twin: Tensor) -> str:
        (x,) = graph.operands(node)
        axes = node.attrs["axis"]  # type: ignore[index]
        if not axes:
            return graph.add("Identity", [x])
        keep = int(node.attrs["keepdims"])  # type: ignore[index]
        return graph.add(op_type, [x, graph.ints(axes, "axes")], keepdims=keep)

    return emit


def _softplus(graph: _Graph, node: Tensor, twin: Tensor) -> str:
    """ONNX's Softplus, and x itself above the threshold, as graphgrad (and torch) compute it."""
    (x,) = graph.operands(node)
    threshold = graph.constant(np.asarray(SOFTPLUS_THRESHOLD, node.dtype), "threshold")
    return graph.add("Where", [graph.add("Greater", [x, threshold]), x, graph.add("Softplus", [x])])


def _clip(graph: _Graph, node: Tensor, twin: Tensor) -> str:
    x, *inputs = graph.operands(node)  # a bound given as a Tensor is an input ("input" in attrs)
    lo, hi = node.attrs["lo"], node.attrs["hi"]  # type: ignore[index]
    for op_type, bound, name in (("Max", lo, "lo"), ("Min", hi, "hi")):
        if isinstance(bound, str):
            x = graph.add(op_type, [x, inputs.pop(0)])
        elif bound is not None:
            x = graph.add(op_type, [x, graph.constant(np.asarray(bound, node.dtype), name)])
    return x


def _reshape(graph: _Graph, node: Tensor, twin: Tensor) -> str:
    shape = list(node.attrs["shape"])  # type: ignore[index]
    follows = [i for i, (n, m) in enumerate(zip(shape, twin.attrs["shape"])) if n != m]  # type: ignore[index]
    if len(follows) > 1:
        raise ValueError(
            f"export_onnx: op 'reshape' to {tuple(shape)}: {len(follows)} of its sizes follow the batch "
            "size, and ONNX can infer only one (-1); keep the batch on one axis"
        )
    for i in follows:
        shape[i] = -1
    (x,) = graph.operands(node)
    return graph.add("Reshape", [x, graph.ints(shape, "shape")], allowzero=1)


def _broadcast_to(graph: _Graph, node: Tensor, twin: Tensor) -> str:
    shape = list(node.attrs["shape"])  # type: ignore[index]
    x, x_twin = _inputs(node)[0], _inputs(twin)[0]
    lead = len(shape) - x.ndim
    for i, (n, m) in enumerate(zip(node.shape, twin.shape)):
        if n != m:
            j = i - lead
            if j < 0 or x.shape[j] == x_twin.shape[j]:
                raise ValueError(
                    f"export_onnx: op 'broadcast_to': the target {tuple(shape)} follows the batch size "
                    f"but the input {x.shape} does not (the size was read from another tensor); let an "
                    "elementwise op with a tensor of the batch broadcast it instead"
                )
            shape[i] = 1  # Expand keeps the input's size there
    return graph.add("Expand", [*graph.operands(node), graph.ints(shape, "shape")])


def _slice(graph: _Graph, x: str, slices: list[tuple[int, int, int, int]]) -> str:
    """ONNX Slice of ``x``, one ``(axis, start, stop, step)`` for each axis it slices."""
    axes, starts, stops, steps = zip(*slices)
    parts = zip((starts, stops, axes, steps), ("starts", "ends", "axes", "steps"))
    return graph.add("Slice", [x, *(graph.ints(v, name) for v, name in parts)])


def _index(graph: _Graph, node: Tensor, twin: Tensor) -> str:
    """Basic indexing (ints, slices, None, ...) and one integer array: Slice, Gather, Unsqueeze."""
    index = node.attrs["index"]  # type: ignore[index]
    items = list(index) if isinstance(index, tuple) else [index]
    arrays = [it for it in items if isinstance(it, np.ndarray)]
    ints = [it for it in items if isinstance(it, (int, np.integer))]
    if len(arrays) > 1 or any(a.dtype == np.bool_ for a in arrays) or (arrays and ints):
        raise ValueError(
            "export_onnx: op 'index': ONNX export takes ints, slices, None, ... and at most one integer "
            "array (with no int beside it); boolean masks and several arrays have no ONNX form here"
        )
    ndim = _inputs(node)[0].ndim
    taken = sum(1 for it in items if it is not None and it is not Ellipsis)
    at = next((i for i, it in enumerate(items) if it is Ellipsis), len(items))
    items[at : at + 1] = [slice(None)] * (ndim - taken)
    slices: list[tuple[int, int, int, int]] = []  # (axis, start, stop, step)
    gathers: list[tuple[int, Any]] = []  # (axis, int or array)
    new_axes: list[int] = []  # positions of None in the result
    axis = position = 0
    for it in items:
        if it is None:
            new_axes.append(position)
            position += 1
            continue
        if isinstance(it, slice):
            if it != slice(None):
                step = 1 if it.step is None else int(it.step)
                start = (0 if step > 0 else _INT64_MAX) if it.start is None else int(it.start)
                stop = (_INT64_MAX if step > 0 else _INT64_MIN) if it.stop is None else int(it.stop)
                slices.append((axis, start, stop, step))
            position += 1
        else:
            gathers.append((axis, it))
            position += np.ndim(it)
        axis += 1
    (x,) = graph.operands(node)
    if slices:
        x = _slice(graph, x, slices)
    for ax, it in reversed(gathers):  # from the last axis, so the earlier ones keep their numbers
        x = graph.add("Gather", [x, graph.ints(it, "indices")], axis=ax)
    if new_axes:
        x = graph.add("Unsqueeze", [x, graph.ints(new_axes, "axes")])
    return x


def _flip(graph: _Graph, node: Tensor, twin: Tensor) -> str:
    (x,) = graph.operands(node)
    return _slice(graph, x, [(ax, _INT64_MAX, _INT64_MIN, -1) for ax in node.attrs["axis"]])  # type: ignore[index]


def _pad(graph: _Graph, node: Tensor, twin: Tensor) -> str:
    pairs = node.attrs["pad_width"]  # type: ignore[index]
    pads = [before for before, _ in pairs] + [after for _, after in pairs]  # ONNX: all befores first
    return graph.add("Pad", [*graph.operands(node), graph.ints(pads, "pads")], mode="constant")


def _tile(graph: _Graph, node: Tensor, twin: Tensor) -> str:
    reps = node.attrs["reps"]  # type: ignore[index]
    (x,) = graph.operands(node)
    extra = len(reps) - _inputs(node)[0].ndim
    if extra:  # np.tile's reps longer than the shape: new leading axes of size 1 first
        x = graph.add("Unsqueeze", [x, graph.ints(range(extra), "axes")])
    return graph.add("Tile", [x, graph.ints(reps, "repeats")])


def _stack(graph: _Graph, node: Tensor, twin: Tensor) -> str:
    ax = node.attrs["axis"]  # type: ignore[index]
    axes = graph.ints([ax], "axes")
    return graph.add("Concat", [graph.add("Unsqueeze", [x, axes]) for x in graph.operands(node)], axis=ax)


def _where(graph: _Graph, node: Tensor, twin: Tensor) -> str:
    condition = graph.constant(node.attrs["condition"], "condition")  # type: ignore[index]
    return graph.add("Where", [condition, *graph.operands(node)])


EMITTERS: dict[str, Emitter] = {
    "+": _one_node("Add"),
    "-": _one_node("Sub"),
    "*": _one_node("Mul"),
    "/": _one_node("Div"),
    "**": _one_node("Pow"),  # also "**2" and the like: a constant exponent
    "@": _one_node("MatMul"),
    "neg": _one_node("Neg"),
    "exp": _one_node("Exp"),
    "log": _one_node("Log"),
    "tanh": _one_node("Tanh"),
    "sigmoid": _one_node("Sigmoid"),
    "relu": _one_node("Relu"),
    "abs": _one_node("Abs"),
    "sqrt": _one_node("Sqrt"),
    "sin": _one_node("Sin"),
    "cos": _one_node("Cos"),
    "erf": _one_node("Erf"),
    "leaky_relu": _one_node("LeakyRelu", alpha="negative_slope"),
    "elu": _one_node("Elu", alpha="alpha"),
    "gelu": _one_node("Gelu"),  # the exact erf form: approximate="none", ONNX's default
    "softplus": _softplus,
    "maximum": _one_node("Max"),
    "minimum": _one_node("Min"),
    "clip": _clip,
    "astype": lambda graph, node, twin: graph.add(
        "Cast", [graph.value(_inputs(node)[0])], to=graph.onnx_type(node.dtype)
    ),
    "sum": _reduce("ReduceSum"),
    "max": _reduce("ReduceMax"),
    "prod": _reduce("ReduceProd"),
    "std": _one_node("Sqrt"),  # of the variance, itself a composition of the ops here
    "logsumexp": _reduce("ReduceLogSumExp"),
    "softmax": _one_node("Softmax", axis="axis"),
    "cumsum": lambda graph, node, twin: graph.add(
        "CumSum",
        [*graph.operands(node), graph.ints(node.attrs["axis"], "axis")],  # type: ignore[index]
    ),
    "reshape": _reshape,
    "broadcast_to": _broadcast_to,
    "transpose": _one_node("Transpose", perm="axes"),
    "index": _index,
    "flip": _flip,
    "pad": _pad,
    "tile": _tile,
    "concatenate": _one_node("Concat", axis="axis"),
    "stack": _stack,
    "where": _where,
}
"""Op name -> the function that writes its ONNX nodes and returns the name of the result."""
