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
class attribute ``buffer_names`` (BatchNorm1d's running statistics), state but no parameter.
``load_state_dict`` checks every name, shape and dtype before it changes anything, and lists the
mismatches in one ``StateDictError``. ``save(path)`` writes the
state dict as an uncompressed ``.npz`` (no pickle), whole or not at all; ``load(path)`` reads
each array's header first and refuses a wrong name, shape or dtype before reading any data: a
missing, truncated, foreign or pickled file raises ``StateDictError`` and leaves the model as it
was.

``to_torch`` and ``load_torch`` call the ``TorchBridge`` that ``nn.torch_bridge`` registers when
imported, so this module, below every layer, never imports the bridge that sits above them.
"""

from __future__ import annotations

import math
import os
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple

import numpy as np

from autograd.files import write_atomic
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


class TorchBridge(NamedTuple):
    """What ``Module.to_torch`` and ``Module.load_torch`` call: the functions of
    ``nn.torch_bridge``, which registers them here (``register_torch_bridge``) when it is
    imported, as ``import nn`` does. So the bridge, which needs the layers and so this module,
    imports this module, and this module never imports the bridge: the dependency runs one way."""

    to_torch: Callable[[Module], Any]
    load_torch: Callable[[Module, Any], Module]


_bridges: list[TorchBridge] = []  # the registered bridge (one), or none yet


def register_torch_bridge(bridge: TorchBridge) -> None:
    """Make ``bridge`` the way every Module goes to PyTorch and back (``nn.torch_bridge`` calls it).

    >>> from nn import torch_bridge
    >>> register_torch_bridge(TorchBridge(torch_bridge.to_torch, torch_bridge.load_torch))
    """
    _bridges[:] = [bridge]


def _torch_bridge(who: str) -> TorchBridge:
    if not _bridges:
        raise RuntimeError(f"{who}: nn.torch_bridge is not loaded; import nn (it registers the bridge)")
    return _bridges[0]


class Module:
    """Base class for networks: parameters, gradients, train/eval mode, saving and loading."""

    training: bool = True
    buffer_names: tuple[str, ...] = ()  # names of array attributes that are state but not parameters

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.forward(*args, **kwargs)

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """The computation; subclasses define ``forward`` (or ``__call__``)."""
        raise NotImplementedError(f"{type(self).__name__}: define forward() (or __call__) for this module")

    # --- walking the attributes ----------------------------------------------------------------

    def named_members(self) -> Iterator[tuple[str, Any]]:
        """(name, object) for every parameter or sub-module among the attributes, lists unrolled,
        in the order they were set (without walking into the sub-modules).

        >>> from nn import MLP
        >>> [name for name, _ in MLP(2, [3, 1], seed=0).named_members()]
        ['layers.0', 'layers.1']
        """
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
        for name, value in self.named_members():
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
        for name, value in self.named_members():
            full = f"{prefix}.{name}" if prefix else name
            if isinstance(value, Module):
                yield from value._named_parameters(full, seen, buffers)
            elif is_parameter(value) and id(value) not in seen:
                seen.add(id(value))
                yield full, value
        if buffers and id(self) not in seen:
            seen.add(id(self))
            for name in self.buffer_names:
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

    # --- PyTorch (the torch extra; nn.torch_bridge, through the TorchBridge it registers) ---------

    def to_torch(self) -> Any:
        """This model as a ``torch.nn.Module``: the same layers, parameters, buffers, dtype and mode.

        The scalar ``MLP``, ``Layer`` and ``Neuron`` become a ``torch.nn.Sequential`` of Linear
        layers and activations. Needs torch (the ``torch`` extra); see ``nn.torch_bridge``.

        >>> from nn import Linear
        >>> Linear(3, 2, seed=0).to_torch()
        Linear(in_features=3, out_features=2, bias=True)
        """
        return _torch_bridge("to_torch").to_torch(self)

    def load_torch(self, torch_module: Any) -> Module:
        """Copy the parameters and buffers of a torch module (as ``to_torch`` names them) into this one.

        Every name, shape and dtype is checked first; on a mismatch nothing changes and a
        ``StateDictError`` lists the mismatches (the first ten, then how many more). Returns self.
        """
        return _torch_bridge("load_torch").load_torch(self, torch_module)

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write ``state_dict()`` to ``path`` as an ``.npz`` file (no pickle); returns the path.

        Written whole or not at all (``autograd.files.write_atomic``): ``path`` always holds one
        whole model, also when two processes save to it at once or the save is interrupted; an
        existing file keeps its permissions, and a symlink its link (its target gets the data).
        """
        state = self.state_dict()

        def write(file: BinaryIO) -> None:  # what np.savez writes, minus its keyword arguments
            with zipfile.ZipFile(file, "w") as archive:  # (a parameter may be named "file")
                for name, arr in state.items():
                    with archive.open(name + ".npy", "w", force_zip64=True) as f:
                        np.lib.format.write_array(f, arr, allow_pickle=False)

        return write_atomic(path, write, "save", "model.npz")

    def load(self, path: str | os.PathLike[str], strict: bool = True) -> Module:
        """Load parameters saved by ``save``; returns self. Bad files change nothing.

        Each array's ``.npy`` header is read first: a wrong name, shape or dtype is refused
        before any data is read (so a file declaring huge arrays costs nothing). Then the data
        is read, all of it, before the model is touched; a missing, truncated, foreign or
        pickled file, or one that cannot be read for any other reason, raises ``StateDictError``
        naming the file.
        """
        params = self._state()
        expected = {name: _expected(p) for name, p in params.items()}
        who = f"load: {os.fspath(path)!r} does not fit {type(self).__name__}"

        def choose(headers: dict[str, ArrayHeader]) -> list[str]:
            return list(check_state(expected, headers, who, strict=strict, read=_as_header))

        for name, arr in read_state(path, choose).items():
            copy_into(params[name], arr)
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


class ArrayHeader(NamedTuple):
    """One array of a saved ``.npz`` as its ``.npy`` header describes it, read before its data."""

    member: str  # the archive member holding it ("name.npy")
    shape: tuple[int, ...]
    dtype: np.dtype
    fortran_order: bool
    offset: int  # where the data starts in the member


def _as_header(header: Any) -> Any:
    """``check_state``'s reader for headers: a header has the ``shape`` and ``dtype`` it checks."""
    return header


def read_state(
    path: str | os.PathLike[str], choose: Callable[[dict[str, ArrayHeader]], Iterable[str]] | None = None
) -> dict[str, np.ndarray]:
    """Read the arrays of an ``.npz`` written by ``Module.save``: every header, then the data.

    ``choose(headers)`` names the arrays to read (all when None); it sees every array's name,
    shape and dtype before any data is read and may raise to refuse the file. Nothing is
    unpickled. Anything that is not a readable, pickle-free ``.npz`` archive, whatever the cause
    (a device, a truncated file, a bad checksum, a header declaring more data than the file
    holds), raises ``StateDictError`` naming the file and what is wrong.

    >>> import pathlib, tempfile
    >>> from autograd import Value
    >>> class One(Module):
    ...     def __init__(self):
    ...         self.w = Value(2.5)
    >>> path = One().save(pathlib.Path(tempfile.mkdtemp()) / "one.npz")
    >>> read_state(path)
    {'w': array(2.5)}
    """
    where = os.fspath(path)
    _check_file(where)
    try:
        with zipfile.ZipFile(where) as archive:
            headers = _headers(archive, where)
            names = list(headers) if choose is None else list(choose(headers))
            return {name: _array(archive, headers[name], where) for name in names}
    except StateDictError:
        raise
    except Exception as exc:  # noqa: BLE001 - a file that cannot be read is a StateDictError, whatever the cause
        raise StateDictError(
            f"load: {where!r} is truncated, corrupt or not an .npz archive ({type(exc).__name__}: {exc})"
        ) from None


def _check_file(where: str) -> None:
    """Refuse what is not a file, or not a zip archive, by its kind and its first bytes."""
    if not os.path.exists(where):
        what = "is a symlink to nothing" if os.path.islink(where) else "does not exist"
        raise StateDictError(f"load: {where!r} {what}")
    if os.path.isdir(where):
        raise StateDictError(f"load: {where!r} is a folder, not a file")
    if not os.path.isfile(where):
        raise StateDictError(
            f"load: {where!r} is not a regular file (a device, a pipe or a socket); "
            "give the path of an .npz written by Module.save"
        )
    try:
        with open(where, "rb") as f:
            head = f.read(6)
    except OSError as exc:
        raise StateDictError(
            f"load: {where!r} cannot be read ({type(exc).__name__}: {exc.strerror})"
        ) from None
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


_HEADER_READERS = {(1, 0): np.lib.format.read_array_header_1_0, (2, 0): np.lib.format.read_array_header_2_0}
"""The .npy header formats ``np.save`` writes for numeric arrays, by version."""


def _headers(archive: zipfile.ZipFile, where: str) -> dict[str, ArrayHeader]:
    """Every member's ``.npy`` header, checked against the member's size; no data is read."""
    headers = {}
    for info in archive.infolist():
        if not info.filename.endswith(".npy"):
            raise StateDictError(
                f"load: {where!r} holds {info.filename!r}, which is not an .npy array: "
                "not an .npz state written by Module.save"
            )
        with archive.open(info) as f:
            version = np.lib.format.read_magic(f)
            if version not in _HEADER_READERS:
                raise ValueError(f"{info.filename!r} has .npy format version {version}")
            shape, fortran_order, dtype = _HEADER_READERS[version](f)
            offset = f.tell()
        if dtype.hasobject:
            raise StateDictError(
                f"load: {where!r} contains pickled data (an object array); graphgrad never "
                "loads pickles, because they can run code. Save plain numeric arrays instead."
            )
        size = math.prod(shape) * dtype.itemsize
        if offset + size != info.file_size:
            raise StateDictError(
                f"load: {where!r} is truncated or corrupt: {info.filename!r} declares shape {shape} of "
                f"{dtype} ({size:,} bytes) but holds {max(info.file_size - offset, 0):,} bytes of data"
            )
        headers[info.filename[: -len(".npy")]] = ArrayHeader(
            info.filename, shape, dtype, fortran_order, offset
        )
    return headers


def _array(archive: zipfile.ZipFile, header: ArrayHeader, where: str) -> np.ndarray:
    """The data of one member, whose header was checked: exactly the bytes it declares, read to
    the end of the member (so that its checksum is checked). A read-only array."""
    with archive.open(header.member) as f:
        f.read(header.offset)
        size = math.prod(header.shape) * header.dtype.itemsize
        data = f.read(size)
        if len(data) != size or f.read(1):
            raise StateDictError(
                f"load: {where!r} is truncated or corrupt: {header.member!r} has the wrong size"
            )
    arr = np.frombuffer(data, dtype=header.dtype)
    if header.fortran_order:
        return arr.reshape(header.shape[::-1]).transpose()
    return arr.reshape(header.shape)
