"""Stage replay: one backward pass recorded share by share, and the influence chains read from it.

>>> from autograd import Value
>>> x = Value(3.0, label="x")
>>> Replay(x * x).grads[x]
6.0
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from itertools import accumulate
from typing import Any

import numpy as np

from autograd.drawing.text import Names, count_text, is_array, node_name, say, short_text, value_text
from autograd.graph import Share, gradients, topological_order

MAX_LISTED_PATHS = 6
MAX_LISTED_PATH_LENGTH = 12
"""The influence-chain note writes out each path's product for up to MAX_LISTED_PATHS paths of
up to MAX_LISTED_PATH_LENGTH edges; past that it gives the number of paths and their sum."""

# --- what a drawing says about a node and an edge ---------------------------------------------


def seed_like(data: Any) -> Any:
    return np.ones_like(data) if is_array(data) else 1.0


def local_derivative(node: Any, i: int) -> Any:
    """d node / d input i: the rule called with an incoming gradient of one (ones for arrays).

    None for an input that gets no gradient (or whose rule cannot take that seed).

    >>> from autograd import Value
    >>> a, b = Value(2.0), Value(5.0)
    >>> local_derivative(a * b, 0), local_derivative(a * b, 1)
    (5.0, 2.0)
    """
    rule = node.rules[i]
    if rule is None:
        return None
    try:
        return rule(seed_like(node.data), node.data, *(x.data for x in node.inputs))
    except Exception:  # a rule that cannot take this seed: show '?' rather than fail the drawing
        return None


# --- the backward pass, replayed --------------------------------------------------------------


class Replay:
    """The backward pass of ``root`` recorded share by share, and read back step by step.

    One call of :func:`autograd.graph.gradients` with a ``trace``; it writes no ``.grad``. Step
    ``k`` (counting from 0) is the ``k``-th node of the pass, ``order[k]``: its gradient is
    complete, and it sends one share to each input that takes a gradient. ``seed`` defaults to
    1 (ones for an array root). ``grads`` holds the gradients at the end of the pass, the ones
    ``backward()`` would add to ``.grad``. Nodes in ``stop_at`` get their gradient but pass
    nothing on (as in ``gradients``): the influence chain leaves out what cannot reach it.

    >>> from autograd import Value
    >>> x = Value(3.0, label="x")
    >>> replay = Replay(x * x)
    >>> len(replay)  # two steps: the product, then x
    2
    >>> [(n.label, i, share) for n, i, share in replay.sent(0)]  # the product sends 3 to each input
    [('x', 0, 3.0), ('x', 1, 3.0)]
    >>> x in replay.grads_after(0), replay.grads_after(1)[x], replay.grads[x]
    (False, 6.0, 6.0)
    """

    def __init__(self, root: Any, seed: Any = None, stop_at: Iterable[Any] = ()) -> None:
        self.root = root
        self.seed = seed_like(root.data) if seed is None else seed
        self._stop_at = set(stop_at)  # (as in gradients: these get their share but pass nothing on)
        self.trace: list[Share] = []
        """(node, input index, share, the input's new total) for each share, in the order of the pass."""
        self.grads: dict[Any, Any] = gradients(root, self.seed, stop_at=self._stop_at, trace=self.trace)

    @cached_property
    def order(self) -> list[Any]:
        """The nodes in the order of the pass (``topological_order``): step ``k`` is ``order[k]``."""
        return topological_order(self.root, self._stop_at)

    @cached_property
    def step_ends(self) -> list[int]:
        """For each step, where its shares end in the trace (the pass visits ``order`` in order)."""
        sent = Counter(entry[0] for entry in self.trace)
        return list(accumulate(sent.get(node, 0) for node in self.order))

    def __len__(self) -> int:
        return len(self.order)

    def shares(self, k: int) -> list[Share]:
        """The trace entries of step ``k``: (its node, input index, share, that input's new total)."""
        return self.trace[self.step_ends[k - 1] if k else 0 : self.step_ends[k]]

    def sent(self, k: int) -> list[tuple[Any, int, Any]]:
        """What step ``k`` sends: (input node, input index, share) for each input that takes one."""
        return [(node.inputs[i], i, share) for node, i, share, _ in self.shares(k)]

    def grads_after(self, steps: int) -> dict[Any, Any]:
        """Node -> gradient as known after the first ``steps`` steps (0: only the seed at the root)."""
        known = {self.root: self.seed}
        for node, i, _, total in self.trace[: self.step_ends[steps - 1] if steps else 0]:
            known[node.inputs[i]] = total
        return known


# --- the influence chain ----------------------------------------------------------------------


@dataclass
class Influence:
    """What ``highlight=`` marks: the nodes on paths from the targets to the root, and the sums."""

    on_path: set[Any]
    notes: list[str]


@dataclass
class Chain:
    """The paths from one node up to the root, along edges that carry a gradient."""

    paths: dict[Any, int]  # node -> how many paths lead from it to the root
    towards_root: dict[Any, list[tuple[Any, int]]] | None
    """node -> its edges (user, input index) on the paths; None when the paths are too many or
    too long to write out (more than MAX_LISTED_PATHS, or one over MAX_LISTED_PATH_LENGTH edges)."""


def depends_on(order: list[Any], target: Any) -> set[Any]:
    """``target`` and the nodes of ``order`` computed from it along edges that carry a gradient."""
    dep = {target}
    for node in reversed(order):  # inputs before the nodes made from them
        for x, rule in zip(node.inputs, node.rules):
            if rule is not None and x in dep:
                dep.add(node)
                break
    return dep


def count_paths(replay: Replay, target: Any, dep: set[Any]) -> Chain:
    """Count the paths from ``target`` to the root over the edges of the replayed pass that stay
    within ``dep`` (the nodes computed from ``target``).

    A node of the chain has no more paths to the root, and none longer, than the target has: so
    once one has too many (or too long) to write out, the edges are no longer collected.
    """
    paths = {replay.root: 1}
    depth = {replay.root: 0}  # the longest path to the root, in edges
    towards_root: dict[Any, list[tuple[Any, int]]] | None = {}
    node: Any = None
    inputs: tuple[Any, ...] = ()
    count = 0  # paths from ``node`` to the root; 0 while ``node`` is off the chain
    for user, i, _, _ in replay.trace:  # every edge a share went along, users before inputs
        if user is not node:
            node, inputs = user, user.inputs
            count = paths.get(node, 0) if node is not target else 0
        if count and inputs[i] in dep:
            x = inputs[i]
            paths[x] = paths.get(x, 0) + count
            if towards_root is not None:
                depth[x] = max(depth.get(x, 0), depth[node] + 1)
                if paths[x] > MAX_LISTED_PATHS or depth[x] > MAX_LISTED_PATH_LENGTH:
                    towards_root = None
                else:
                    towards_root.setdefault(x, []).append((node, i))
    return Chain(paths, towards_root)


def _enumerate_paths(
    start: Any, root: Any, towards_root: dict[Any, list[tuple[Any, int]]]
) -> Iterator[list[tuple[Any, int]]]:
    """Every path from ``start`` to ``root`` as a list of (node, input index) edges; iterative."""
    stack: list[tuple[Any, list[tuple[Any, int]]]] = [(start, [])]
    while stack:
        node, edges = stack.pop()
        if node is root:
            yield edges
            continue
        for consumer, i in reversed(towards_root.get(node, [])):
            stack.append((consumer, [*edges, (consumer, i)]))


def listed_paths(count: int, terms: list[str]) -> str:
    """The products along the paths, written out: ``1 path: a * b`` or ``2 paths: (a) + (b)``.

    >>> listed_paths(2, ["2.2 * 1.1", "3"])
    '2 paths: (2.2 * 1.1) + (3)'
    """
    if count == 1:
        return say("one-path", term=terms[0])
    return say("paths", count=count, terms=" + ".join(f"({t})" for t in terms))


def chain_note(replay: Replay, target: Any, chain: Chain, names: Names) -> str:
    """The note under the picture: d root / d target as the sum over the paths."""
    root, count = replay.root, chain.paths[target]
    head = say("head", root=names(root), node=names(target))
    total = value_text(replay.grads.get(target))
    if target is root:
        return say("chain-root", head=head)
    if is_array(root.data) or is_array(target.data):
        return say("chain-tensor", head=head, paths=count_text(count, "path"), total=total)
    if chain.towards_root is None:
        return say("chain-counted", head=head, paths=count_text(count, "path"), total=total)
    terms = [
        " * ".join(short_text(local_derivative(node, i)) for node, i in edges)
        for edges in _enumerate_paths(target, root, chain.towards_root)
    ]
    return say("chain-listed", head=head, listed=listed_paths(len(terms), terms), total=total)


def check_targets(root: Any, members: set[Any], targets: list[Any], names: Mapping[Any, str]) -> None:
    """``highlight`` takes nodes of the graph of ``root`` (``members``) only; ``names`` as given."""
    for t in targets:
        if t not in members:
            raise ValueError(
                f"highlight: {node_name(t, names)} is not part of the graph of {node_name(root, names)}; "
                "pass nodes that the root was computed from"
            )


def influence_of(
    root: Any, order: list[Any], targets: list[Any], names: Names, replay: Replay | None
) -> Influence:
    """The influence chains of ``targets``, read from one backward pass seeded with ones:
    ``replay`` when given (a stepper's), else one over the nodes computed from the targets (the
    rest of the graph sends them no gradient)."""
    members = set(order)
    check_targets(root, members, targets, names.given)
    deps = [depends_on(order, t) for t in targets]
    if replay is None:
        replay = Replay(root, stop_at=members.difference(*deps) - {root})
    on_path: set[Any] = set()
    notes = []
    for target, dep in zip(targets, deps):
        chain = count_paths(replay, target, dep)
        if target not in chain.paths:
            notes.append(say("chain-none", node=names(target), root=names(root)))
            continue
        on_path.update(chain.paths)  # the nodes on some path from the target to the root
        notes.append(chain_note(replay, target, chain, names))
    return Influence(on_path, notes)

