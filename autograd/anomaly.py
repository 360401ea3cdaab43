"""Anomaly mode: find the first op whose forward or backward pass produces nan or inf.

Inside ``detect_anomaly()`` every op records the line of your code that created it, and

- an op whose result holds nan or inf raises ``FloatingPointError`` naming the op, its inputs
  (values for Values, shapes and dtypes for Tensors) and your line;
- a local-gradient rule that returns nan or inf raises ``FloatingPointError`` naming the op, the
  line that created it and the input whose gradient went bad;
- a backward pass through an op whose input or output ``.data`` was changed in place after the
  op ran (say by an optimizer step between forward and backward) raises ``RuntimeError``;
- numpy's warnings (log of 0, division by zero, overflow) and ``Value.log``'s are silenced: the
  ``FloatingPointError`` replaces them.

The backward checks belong to the nodes: a graph built inside the block is checked by a backward
pass run after it too, and a graph built outside is not checked by one run inside.

>>> from autograd import Value, detect_anomaly
>>> x = Value(0.0, label="x")
>>> try:
...     with detect_anomaly():
...         y = x.log()
... except FloatingPointError as e:
...     print(str(e).splitlines()[0])
op 'log' gave -inf in the forward pass, at ...: y = x.log()

How it costs nothing when off: entering the first ``detect_anomaly()`` registers one hook with
``graph.on_node_made``, which every op that makes a node calls (Value's and Tensor's own ops and
``graph.record``, which nn and users' own ops use); leaving the last one removes it, also when the
block ends with an exception. The check an op makes on the way is the one it makes anyway for
``no_grad``: one read of the process-wide count of switches on (``graph.switches_on``), 0 while no
``no_grad`` block is open and no hook registered. The hook checks the op's result and returns the
op's rules wrapped in checks, which the node then records in their place. The switch is
process-wide (every thread sees it) and nested blocks are allowed;
numpy's warning settings are per thread, so they are silenced in the thread that entered the
outermost block (in other threads the warning comes first, then the error).
The checks keep checksums of the data, not copies, and no reference to the node they check: a
rule gets a wrapper holding the original rule, the creation site and the checksums, so graphs
stay free of reference cycles.
"""

from __future__ import annotations

import importlib.util
import linecache
import math
import os
import sys
import threading
import warnings
import weakref
import zlib
from collections.abc import Callable
from contextlib import ContextDecorator
from typing import Any, cast

import numpy as np

from autograd.graph import Node, Rules, on_node_made

# the directories of graphgrad's packages (a frame outside them is the user's code)
_PACKAGE_DIRS = tuple(
    os.path.join(os.path.dirname(spec.origin), "")
    for spec in map(importlib.util.find_spec, ("autograd", "nn", "graphgrad"))
    if spec is not None and spec.origin is not None
)

# (filename, line number, function name) of the user's line that created each node
Site = tuple[str, int, str]
_sites: weakref.WeakKeyDictionary[Node, Site] = weakref.WeakKeyDictionary()


class _State:
    """What the outermost ``detect_anomaly()`` changed, to undo when the last one exits."""

    lock = threading.Lock()
    depth = 0
    remove_hook: Callable[[], None] | None = None
    numpy_errors: Any = {}
    warning_filters: Any = None


def is_anomaly_enabled() -> bool:
    """True inside ``detect_anomaly()`` (in any thread: the switch is process-wide)."""
    return _State.depth > 0


def creation_site(node: Node) -> str | None:
    """``"train.py:12 in step: y = x.log()"`` for a node made inside ``detect_anomaly()``, else None."""
    site = _sites.get(node)
    return None if site is None else _describe_site(site)


class detect_anomaly(ContextDecorator):
    """Check every op's forward result and local gradients for nan/inf, naming your line.

    A context manager and a decorator, as ``torch.autograd.detect_anomaly``. Process-wide and
    nestable; slow (each op walks the stack and checks its arrays), so use it to find a bug,
    not to train.

    >>> from autograd import Tensor, detect_anomaly
    >>> x = Tensor([0.0, 4.0], requires_grad=True)
    >>> try:
    ...     with detect_anomaly():
    ...         y = x.sqrt().sum()  # fine forward: sqrt(0) = 0
    ...         y.backward()  # but d sqrt / dx at 0 is inf
    ... except FloatingPointError as e:
    ...     print(str(e).splitlines()[0])
    the gradient that op 'sqrt' passes back to its input 0 holds inf (1 of 2 entries; ...
    """

    def __enter__(self) -> detect_anomaly:
        with _State.lock:
            if _State.depth == 0:
                _switch_on()
            _State.depth += 1
        return self

    def __exit__(self, *exc: object) -> None:
        with _State.lock:
            _State.depth -= 1
            if _State.depth == 0:
                _switch_off()


def _switch_on() -> None:
    _State.remove_hook = on_node_made(_check_node)
    _State.numpy_errors = np.seterr(all="ignore")
    _State.warning_filters = warnings.catch_warnings()
    _State.warning_filters.__enter__()
    warnings.filterwarnings("ignore", message=r"Value\.log", category=RuntimeWarning)


def _switch_off() -> None:
    if _State.remove_hook is not None:
        _State.remove_hook()
        _State.remove_hook = None
    np.seterr(**_State.numpy_errors)
    _State.warning_filters.__exit__(None, None, None)


# --- the hook: each new node checked -----------------------------------------------------------


def _check_node(node: Node, inputs: tuple[Node, ...], rules: Rules | None, op: str) -> Rules | None:
    """The hook anomaly mode registers: check the op's result and wrap the rules it records."""
    site = _user_site()
    _sites[node] = site
    bad = _count_bad(node.data)
    if bad:
        raise FloatingPointError(_forward_message(op, node.data, bad, inputs, site))
    if rules is None:  # (inside no_grad: nothing is recorded)
        return None
    prints = tuple(_fingerprint(x.data) for x in inputs) + (_fingerprint(node.data),)
    labels = tuple(_name(x, i) for i, x in enumerate(inputs))
    return tuple(
        None if rule is None else _checked_rule(rule, i, op, site, prints, labels)
        for i, rule in enumerate(rules)
    )


def _checked_rule(
    rule: Any, i: int, op: str, site: Site, prints: tuple[Any, ...], labels: tuple[str, ...]
) -> Any:
    """``rule`` plus the checks; it holds no node, so the graph stays free of cycles."""

    def checked_rule(g: Any, out: Any, *args: Any) -> Any:
        for k, x in enumerate((*args, out)):
            if _fingerprint(_data(x)) != prints[k]:
                what = f"its input {labels[k]}" if k < len(args) else "its output"
                raise RuntimeError(
                    f"op {op!r} (created at {_describe_site(site)}): the .data of {what} was changed "
                    "in place after the op ran, so the gradient would be computed from the wrong "
                    "numbers; run the forward pass again after changing .data (e.g. after "
                    "optimizer.step()), or change a copy"
                )
        result = rule(g, out, *args)
        bad = _count_bad(_data(result))
        if bad:
            raise FloatingPointError(_backward_message(op, i, labels[i], _data(result), bad, _data(g), site))
        return result

    return checked_rule


def _user_site() -> Site:
    """The innermost stack frame outside the autograd and nn packages."""
    frame = sys._getframe(2)
    while frame is not None:
        if not frame.f_code.co_filename.startswith(_PACKAGE_DIRS):
            code = frame.f_code
            return (code.co_filename, frame.f_lineno, code.co_name)
        frame = frame.f_back  # type: ignore[assignment]
    return ("<unknown>", 0, "")


def _describe_site(site: Site) -> str:
    filename, line, function = site
    source = linecache.getline(filename, line).strip()
    where = f"{filename.replace(chr(92), '/').rsplit('/', 1)[-1]}:{line}"
    if function and function != "<module>":
        where += f" in {function}"
    return f"{where}: {source}" if source else where


# --- checks and messages -----------------------------------------------------------------------


def _data(x: Any) -> Any:
    return x.data if isinstance(x, Node) else x


def _count_bad(x: Any) -> int:
    """How many entries of ``x`` (a number or an array) are nan or inf."""
    if isinstance(x, float):
        return 0 if math.isfinite(x) else 1
    arr = np.asarray(x)
    if arr.dtype.kind not in "fc":
        return 0
    return int(arr.size - np.count_nonzero(np.isfinite(arr)))


def _fingerprint(x: Any) -> Any:
    """A cheap checksum of data (no copy for contiguous arrays) to detect in-place changes."""
    if isinstance(x, np.ndarray):
        return (x.shape, x.dtype.str, zlib.crc32(cast(Any, np.ascontiguousarray(x))))
    try:
        return float(x).hex()
    except (TypeError, ValueError):
        return repr(x)


def _name(x: Any, i: int) -> str:
    return f"{i} ({x.label!r})" if x.label else str(i)


def _kinds(x: Any) -> str:
    """``"nan"``, ``"inf"`` or ``"nan and inf"`` for the entries of ``x`` that are not finite."""
    arr = np.asarray(x)
    found = [
        k for k, test in (("nan", np.isnan), ("inf", np.isposinf), ("-inf", np.isneginf)) if test(arr).any()
    ]
    return " and ".join(found)


def _summary(x: Any, bad: int) -> str:
    arr = np.asarray(x)
    if arr.ndim == 0:
        return _kinds(arr)
    first = tuple(int(i) for i in np.argwhere(~np.isfinite(arr))[0])
    return f"{_kinds(arr)} ({bad} of {arr.size} entries; the first at index {first})"


def _describe_input(x: Any, i: int) -> str:
    name = f"input {_name(x, i)}"
    data = x.data
    if isinstance(data, np.ndarray):
        text = f"{name}: shape {data.shape}, dtype {data.dtype}"
        if data.size <= 6:
            text += f", values {np.array2string(data, separator=', ')}"
    else:
        text = f"{name}: Value {data!r}"
    bad = _count_bad(data)
    if bad:
        origin = "a leaf: check the data you passed in" if not x.inputs else "made outside detect_anomaly()"
        text += f" -- already holds {_summary(data, bad)} before this op ({origin})"
    return text


def _forward_message(op: str, out: Any, bad: int, inputs: tuple[Any, ...], site: Site) -> str:
    lines = [
        f"op {op!r} gave {_summary(out, bad)} in the forward pass, at {_describe_site(site)}",
        *("  " + _describe_input(x, i) for i, x in enumerate(inputs)),
        "Hint: log and sqrt need positive inputs, division a nonzero divisor, exp a moderate "
        "argument; clamp (clip) or shift the input, or find where it went bad upstream",
    ]
    return "\n".join(lines)


def _backward_message(op: str, i: int, label: str, grad: Any, bad: int, incoming: Any, site: Site) -> str:
    head = (
        f"the gradient that op {op!r} passes back to its input {label} holds {_summary(grad, bad)}; "
        f"the op was created at {_describe_site(site)}"
    )
    incoming_bad = _count_bad(incoming)
    if incoming_bad:
        why = (
            f"The gradient arriving at this op already held {_summary(incoming, incoming_bad)}: the "
            "grad given to backward() was not finite, or finite gradients overflowed when added up"
        )
    else:
        why = (
            "Its forward value was finite, but its local derivative is not there (sqrt or log at "
            "0, x ** n with n < 1 at 0, division by a tiny number); keep the input away from that point"
        )
    return f"{head}\n{why}"
