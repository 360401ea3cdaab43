"""Module: the base class of every network in ``nn``.

A Module finds its parameters and sub-modules by looking at its own attributes, in the order
they were set: a parameter is a ``Value`` or a ``Tensor`` with ``requires_grad=True``; a
sub-module is a ``Module``; lists, tuples and dicts of either are walked too. There is nothing to
register and ``super().__init__()`` is optional.

>>> from autograd import Value
>>> class Line(Module):
...     def __init__(self):
...         self.w, self.b = Value(2.0), Value(0.5)
...     def __call__(self, x):
...         return self.w * x + self.b
>>> line = Line()
>>> [name for name, _ in line.named_parameters()]
['w', 'b']
>>> line(3.0).data
6.5
>>> sorted(line.state_dict())
['b', 'w']

``state_dict()`` maps every parameter's dotted name to a copy of its data as an ndarray (a Value
gives a 0-d float64 array), and so every buffer's: an array attribute a module names in its
class attribute ``_buffers`` (BatchNorm1d's running statistics), state but no parameter.
``load_state_dict`` checks every name, shape and dtype before it changes anything, and lists the
mismatches in one ``StateDictError``. ``save(path)`` writes the
state dict as an uncompressed ``.npz`` (no pickle); ``load(path)`` reads it back with
``allow_pickle=False``: a missing, truncated, foreign or pickled file raises ``StateDictError``
and leaves the model as it was.
"""

from __future__ import annotations

import os
import zipfile
import zlib
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from autograd.graph import Node
from autograd.value import Value


class StateDictError(ValueError):
    """A state dict or a saved file that does not fit the model; the model was not changed."""


class Buffer(NamedTuple):
    """Where a buffer lives: the module and the name of its array attribute."""

    module: Any
    name: str

    @property
    def data(self) -> np.ndarray:
        return getattr(self.module, self.name)  # type: ignore[no-any-return]


class LoadResult(NamedTuple):
    """What ``load_state_dict(..., strict=False)`` skipped (both empty under ``strict=True``)."""

    missing_keys: list[str]
    unexpected_keys: list[str]


def is_parameter(x: Any) -> bool:
    """True for a leaf Value, or a leaf Tensor with ``requires_grad``: what optimizers update.

    Results of ops (nodes with inputs) are not parameters, even when stored on a module.
    """
    if type(x) is Value or isinstance(x, Value):
        return x.is_leaf
    return isinstance(x, Node) and bool(getattr(x, "requires_grad", False)) and x.is_leaf


def copy_into(p: Any, arr: np.ndarray) -> None:
    """Write ``arr`` into a parameter (a Value; a Tensor in place, unless its data is read-only) or
    a ``Buffer`` (a copy of ``arr`` becomes the attribute)."""
    if isinstance(p, Buffer):
        setattr(p.module, p.name, np.array(arr, copy=True))
    elif isinstance(p, Value):
        p.data = float(arr)
    elif p.data.flags.writeable:
        np.copyto(p.data, arr)
    else:
        p.data = arr.copy()


def _expected(p: Any) -> tuple[tuple[int, ...], np.dtype]:
    if isinstance(p, Value):
        return (), np.dtype(np.float64)
    return tuple(p.data.shape), p.data.dtype


MAX_LISTED = 10
"""How many problems a StateDictError lists before it says how many more there are."""


def _listing(problems: list[str]) -> str:
    """The problems one per line: the first ``MAX_LISTED``, then "... and N more"."""
    shown = problems[:MAX_LISTED]
    if len(problems) > MAX_LISTED:
        shown.append(f"... and {len(problems) - MAX_LISTED} more")
    return "\n  " + "\n  ".join(shown)


def check_state(
    expected: Mapping[str, tuple[tuple[int, ...], np.dtype]],
    state: Mapping[str, Any],
    who: str,
    strict: bool = True,
    read: Callable[[Any], np.ndarray] = np.asarray,
) -> dict[str, np.ndarray]:
    """The entries of ``state`` as arrays, by name, once every one fits ``expected``.

    ``expected`` maps each name to its (shape, dtype); ``read`` turns an entry into an array.
    Every entry is checked before anything is returned; otherwise a ``StateDictError`` from
    ``who`` lists the problems (the first ten, then how many more), in the order of ``expected``
    (unexpected names last). With
    ``strict=False`` missing and unexpected names are allowed (left out) but shapes and dtypes
    must still match.
    """
    problems: list[str] = []
    ready: dict[str, np.ndarray] = {}
    for name, (shape, dtype) in expected.items():
        if name not in state:
            if strict:
                problems.append(f"missing key {name!r}")
            continue
        raw = state[name]
        if isinstance(raw, Node):
            raw = raw.data
        try:
            arr = read(raw)
        except Exception as exc:  # noqa: BLE001 - anything that cannot be read is a bad entry
            problems.append(f"{name!r}: cannot be read as an array ({exc})")
            continue
        if arr.shape != shape:
            problems.append(f"{name!r}: shape {arr.shape} where the model has {shape}")
        elif arr.dtype != dtype:
            problems.append(f"{name!r}: dtype {arr.dtype} where the model has {dtype}")
        else:
            ready[name] = arr
    if strict:
        problems += [f"unexpected key {str(name)!r}" for name in state if name not in expected]
    if problems:
        hint = ""
        if expected and not set(expected) & set(map(str, state)):
            hint = "\n(no name matches: is this the state of a different model?)"
        raise StateDictError(
            f"{who}: {len(problems)} problem(s), nothing was changed:" + _listing(problems) + hint
        )
    return ready


class Module:
    """Base class for networks: parameters, gradients, train/eval mode, saving and loading."""

    training: bool = True
    _buffers: tuple[str, ...] = ()  # names of array attributes that are state but not parameters

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.forward(*args, **kwargs)

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """The computation; subclasses define ``forward`` (or ``__call__``)."""
        raise NotImplementedError(f"{type(self).__name__}: define forward() (or __call__) for this module")

    # --- walking the attributes ----------------------------------------------------------------

    def _members(self) -> Iterator[tuple[str, Any]]:
        """(name, object) for every parameter or sub-module among the attributes, lists unrolled."""
        for name, value in vars(self).items():
            if name == "training":
                continue
            if isinstance(value, (Module, Node)):
                yield name, value
            elif isinstance(value, (list, tuple)):
                for i, item in enumerate(value):
                    if isinstance(item, (Module, Node)):
                        yield f"{name}.{i}", item
            elif isinstance(value, dict):
                for key, item in value.items():
                    if isinstance(item, (Module, Node)):
                        yield f"{name}.{key}", item

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """(name, module) for each direct sub-module."""
        for name, value in self._members():
            if isinstance(value, Module):
                yield name, value

    def children(self) -> Iterator[Module]:
        """Each direct sub-module."""
        for _, module in self.named_children():
            yield module

    def modules(self) -> Iterator[Module]:
        """This module and every module inside it, depth first."""
        stack: list[Module] = [self]
        seen: set[int] = set()
        while stack:
            module = stack.pop()
            if id(module) in seen:
                continue
            seen.add(id(module))
            yield module
            stack.extend(reversed(list(module.children())))

    def named_parameters(self, prefix: str = "") -> Iterator[tuple[str, Any]]:
        """(dotted name, parameter) for every parameter, each shared parameter once.

        Names follow the attributes: ``layers.0.neurons.3.w.1`` is weight 1 of neuron 3 of the
        first layer.
        """
        return self._named_parameters(prefix, set())

    def _named_parameters(
        self, prefix: str, seen: set[int], buffers: bool = False
    ) -> Iterator[tuple[str, Any]]:
        """The parameters, each once; with ``buffers``, each module's buffers after its own members
        (as a ``Buffer``): the order of ``state_dict``, which is torch's."""
        for name, value in self._members():
            full = f"{prefix}.{name}" if prefix else name
            if isinstance(value, Module):
                yield from value._named_parameters(full, seen, buffers)
            elif is_parameter(value) and id(value) not in seen:
                seen.add(id(value))
                yield full, value
        if buffers and id(self) not in seen:
            seen.add(id(self))
            for name in self._buffers:
                yield (f"{prefix}.{name}" if prefix else name), Buffer(self, name)

    def named_buffers(self, prefix: str = "") -> Iterator[tuple[str, np.ndarray]]:
        """(dotted name, array) for every buffer (running statistics: state, not parameters)."""
        for name, item in self._named_parameters(prefix, set(), buffers=True):
            if isinstance(item, Buffer):
                yield name, item.data

    def parameters(self) -> list[Any]:
        """Every parameter (Values and Tensors with ``requires_grad``), in ``named_parameters`` order."""
        return [p for _, p in self.named_parameters()]

    def num_parameters(self) -> int:
        """How many numbers the parameters hold."""
        return sum(1 if isinstance(p, Value) else int(p.data.size) for p in self.parameters())

    def zero_grad(self) -> None:
        """Reset every parameter's gradient (Values to 0.0, Tensors as ``Tensor.zero_grad``)."""
        for p in self.parameters():
            if isinstance(p, Value):
                p.grad = 0.0
            else:
                p.zero_grad()

    # --- modes ---------------------------------------------------------------------------------

    def train(self, mode: bool = True) -> Module:
        """Switch this module and all inside it to training mode (Dropout active, BatchNorm1d on the
        batch's statistics); returns self."""
        for module in self.modules():
            module.training = bool(mode)
        return self

    def eval(self) -> Module:
        """Switch to evaluation mode (Dropout passes inputs through, BatchNorm1d uses its running
        statistics); returns self."""
        return self.train(False)

    # --- state ---------------------------------------------------------------------------------

    def _state(self) -> dict[str, Any]:
        """Dotted name -> parameter or Buffer, in state_dict order."""
        return dict(self._named_parameters("", set(), buffers=True))

    def state_dict(self) -> dict[str, np.ndarray]:
        """Dotted name -> a copy of the parameter's data (a 0-d float64 array for a Value), then of
        each buffer's."""
        state = {}
        for name, p in self._state().items():
            if isinstance(p, Value):
                state[name] = np.array(p.data, dtype=np.float64)
            else:
                state[name] = np.array(p.data, copy=True)
        return state

    def load_state_dict(self, state: Mapping[str, Any], strict: bool = True) -> LoadResult:
        """Copy ``state`` into the parameters, after checking all of it.

        Every name, shape and dtype is checked first; if anything is wrong nothing changes and
        the ``StateDictError`` lists the problems (the first ten, then how many more). With
        ``strict=False`` missing and unexpected names are allowed (and returned) but shapes and
        dtypes must still match. Buffers (running statistics) load like parameters.
        """
        who = f"{type(self).__name__}.load_state_dict"
        if not isinstance(state, Mapping):
            raise StateDictError(f"{who}: expected a mapping of name -> array, got {type(state).__name__}")
        params = self._state()
        expected = {name: _expected(p) for name, p in params.items()}
        ready = check_state(expected, state, who, strict=strict)
        for name, arr in ready.items():
            copy_into(params[name], arr)
        if strict:
            return LoadResult([], [])
        return LoadResult([n for n in params if n not in state], [str(n) for n in state if n not in params])

    # --- PyTorch (the torch extra; see nn.torch_bridge) ----------------------------------------

    def to_torch(self) -> Any:
        """This model as a ``torch.nn.Module``: the same layers, parameters, buffers, dtype and mode.

        The scalar ``MLP``, ``Layer`` and ``Neuron`` become a ``torch.nn.Sequential`` of Linear
        layers and activations. Needs torch (the ``torch`` extra); see ``nn.torch_bridge``.

        >>> from nn import Linear
        >>> Linear(3, 2, seed=0).to_torch()
        Linear(in_features=3, out_features=2, bias=True)
        """
        from nn.torch_bridge import to_torch

        return to_torch(self)

    def load_torch(self, torch_module: Any) -> Module:
        """Copy the parameters and buffers of a torch module (as ``to_torch`` names them) into this one.

        Every name, shape and dtype is checked first; on a mismatch nothing changes and a
        ``StateDictError`` lists the mismatches (the first ten, then how many more). Returns self.
        """
        from nn.torch_bridge import load_torch

        return load_torch(self, torch_module)

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write ``state_dict()`` to ``path`` as an ``.npz`` file (no pickle); returns the path.

        The file is written next to its destination first and then moved into place, so an
        interrupted save never leaves a half-written file under ``path``.
        """
        path = Path(path)
        if not path.parent.is_dir():
            raise FileNotFoundError(f"save: the folder {str(path.parent)!r} does not exist; create it first")
        tmp = path.with_name(path.name + ".partial")
        try:  # what np.savez writes, minus its keyword arguments (a parameter may be named "file")
            with zipfile.ZipFile(tmp, "w") as archive:
                for name, arr in self.state_dict().items():
                    with archive.open(name + ".npy", "w", force_zip64=True) as f:
                        np.lib.format.write_array(f, arr, allow_pickle=False)
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
        return path

    def load(self, path: str | os.PathLike[str], strict: bool = True) -> Module:
        """Load parameters saved by ``save``; returns self. Bad files change nothing.

        The whole file is read (with ``allow_pickle=False``) before the model is touched; a
        missing, truncated, foreign or pickled file raises ``StateDictError`` naming the file.
        """
        state = read_state(path)
        self.load_state_dict(state, strict=strict)
        return self

    # --- repr ----------------------------------------------------------------------------------

    def extra_repr(self) -> str:
        """The text inside the parentheses of this module's one-line repr."""
        return ""

    def __repr__(self) -> str:
        children = list(self.named_children())
        head = f"{type(self).__name__}({self.extra_repr()}"
        if not children:
            return head + ")"
        lines = [head]
        for name, child in children:
            text = repr(child).replace("\n", "\n  ")
            lines.append(f"  ({name}): {text}")
        return "\n".join(lines) + "\n)"


def read_state(path: str | os.PathLike[str]) -> dict[str, np.ndarray]:
    """Read every array of an ``.npz`` written by ``Module.save``, without pickle.

    Raises ``StateDictError`` (with the file name and what is wrong) for anything that is not a
    readable, pickle-free ``.npz`` archive.
    """
    where = os.fspath(path)
    if not os.path.isfile(where):
        what = "is a folder, not a file" if os.path.isdir(where) else "does not exist"
        raise StateDictError(f"load: {where!r} {what}")
    with open(where, "rb") as f:
        head = f.read(6)
    if head.startswith(b"\x93NUMPY"):
        raise StateDictError(
            f"load: {where!r} holds a single .npy array, not an .npz state written by Module.save"
        )
    if head.startswith(b"\x80"):
        raise StateDictError(
            f"load: {where!r} is a pickle, not an .npz state written by Module.save; graphgrad never "
            "loads pickles, because they can run code"
        )
    if not head.startswith(b"PK"):
        raise StateDictError(
            f"load: {where!r} is truncated, corrupt or not an .npz archive "
            f"({'empty file' if not head else 'it does not start like a zip archive'})"
        )
    try:
        with np.load(where, allow_pickle=False) as archive:
            return {name: archive[name] for name in archive.files}
    except ValueError as exc:
        if "pickle" in str(exc).lower() or "object arrays" in str(exc).lower():
            raise StateDictError(
                f"load: {where!r} contains pickled data (an object array); graphgrad never "
                "loads pickles, because they can run code. Save plain numeric arrays instead."
            ) from None
        raise StateDictError(f"load: {where!r} is not a readable .npz archive ({exc})") from None
    except (OSError, EOFError, zipfile.BadZipFile, zlib.error, KeyError, RuntimeError) as exc:
        raise StateDictError(
            f"load: {where!r} is truncated, corrupt or not an .npz archive ({type(exc).__name__}: {exc})"
        ) from None
