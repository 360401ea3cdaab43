"""The backward stepper: the pass as frames, one per node, each drawable, and its player page.

>>> from autograd import Value
>>> x = Value(3.0, label="x")
>>> len(backward_steps(x * x))
2
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from autograd.drawing.layout import build_dot
from autograd.drawing.page import backward_page
from autograd.drawing.render import Drawing
from autograd.drawing.replay import Replay, local_derivative
from autograd.drawing.scene import DrawOptions, FrameView, check_root, takes_options
from autograd.drawing.text import Names, is_array, names_of, say, short_text, value_text

# --- the backward stepper ---------------------------------------------------------------------


class Frame:
    """One step of the backward pass: ``node`` has its complete gradient and passes its shares
    to its inputs. ``grads`` holds every gradient known after the step; ``sent`` the shares."""

    def __init__(self, steps: BackwardSteps, index: int) -> None:
        self._steps = steps
        self.index = index
        self.node = steps.replay.order[index]
        self.sent = steps.replay.sent(index)
        """(input node, input index, share) for each input this step sends a gradient to."""

    @property
    def grads(self) -> dict[Any, Any]:
        """Node -> gradient of the backward pass, as known after this step."""
        return self._steps.replay.grads_after(self.index + 1)

    @property
    def grad(self) -> Any:
        """The complete gradient of this step's node (None when no gradient reaches it)."""
        return self.grads.get(self.node)

    def caption(self, names: Mapping[Any, Any] | None = None) -> str:
        """What happens at this step, in words: who completes, and what it passes to whom.

        ``names``: ``locals()`` or a {node: name} mapping, as for :func:`autograd.draw`.
        """
        replay = self._steps.replay
        return self._caption(Names(replay.order, names_of(names)))

    def _caption(self, names: Names) -> str:
        """The caption, naming nodes as ``names`` does (the words are :data:`text.WORDS`)."""
        where = {"step": self.index + 1, "steps": len(self._steps), "node": names(self.node)}
        g = self.grad
        if g is None:
            return say("no-grad", **where)
        grad = value_text(g)
        if not self.node.inputs:
            return say("leaf", grad=grad, **where)
        shares = []
        for x, i, share in self.sent:
            local = short_text(local_derivative(self.node, i))
            words = "share-tensor" if is_array(self._steps.root.data) else "share"
            shares.append(say(words, grad=grad, local=local, share=short_text(share), input=names(x)))
        seed = say("the-seed") if self.index == 0 else ""
        return say("passes", grad=grad, seed=seed, shares=", ".join(shares) or say("nothing"), **where)

    def __repr__(self) -> str:
        return f"<Frame {self.caption()}>"

    def _dot(self, opt: DrawOptions, caller: str | None = None) -> str:
        replay = self._steps.replay
        view = FrameView(
            self.grads,
            set(replay.order[: self.index + 1]),
            self.node,
            self.sent,
            self._caption(opt.names_for(replay.order)),
        )
        return build_dot(replay.root, opt, view, replay if self._steps._seeded_with_ones else None, caller)

    @takes_options
    def to_dot(self, **options: Any) -> str:
        """DOT source of the graph as this step sees it; takes the options of :func:`to_dot`."""
        return self._dot(DrawOptions.of("Frame.to_dot", options))

    @takes_options
    def draw(self, **options: Any) -> Drawing:
        """The graph as this step sees it: the node being processed in blue, the shares it sends
        on blue edges, gradients still being summed in orange, unknown ones as '?'."""
        return Drawing(self._dot(DrawOptions.of("Frame.draw", options), "Frame.draw"))

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        return self.draw()._repr_mimebundle_()


class BackwardSteps(Sequence[Frame]):
    """The backward pass of ``root`` one node at a time: a sequence of :class:`Frame`.

    Nothing here writes ``.grad``: the gradients live in the frames, read from one
    :class:`Replay`. The rules run in the same order as in ``backward()``, so the last frame's
    gradients are exactly ``backward()``'s. In Jupyter the steps show as a player (see
    :meth:`player`).
    """

    def __init__(self, root: Any, grad: Any = None) -> None:
        check_root(root, "backward_steps")
        self.root = root
        self.replay = Replay(root, grad)
        self._seeded_with_ones = grad is None
        self.grads = self.replay.grads
        """The gradients at the end of the pass (those ``backward()`` would add to ``.grad``)."""

    def __len__(self) -> int:
        return len(self.replay)

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return [Frame(self, k) for k in range(*index.indices(len(self)))]
        if not -len(self) <= index < len(self):
            raise IndexError(f"backward_steps: step {index} of {len(self)}")
        return Frame(self, index % len(self))

    def __iter__(self) -> Iterator[Frame]:
        return (Frame(self, k) for k in range(len(self)))

    def __repr__(self) -> str:
        return f"<BackwardSteps: {len(self)} frames; .player() shows them in Jupyter>"

    @takes_options
    def player(self, **options: Any) -> Any:
        """The steps as an interactive page (an :class:`autograd.drawing.Explorer`): previous,
        next, play and a slider over the steps, the influence chain of a clicked node; it shows
        inline in Jupyter and needs no kernel once drawn. Takes the options of :func:`to_dot`."""
        caller = "BackwardSteps.player"
        return backward_page(self.replay, DrawOptions.of(caller, options), caller)

    def _repr_html_(self) -> str:
        return str(self.player()._repr_html_())

    def _ipython_display_(self) -> None:
        self.player()._ipython_display_()


def backward_steps(root: Any, grad: Any = None) -> BackwardSteps:
    """The backward pass of ``root`` as frames, one per node, each drawable; no ``.grad`` changes.

    >>> from autograd import Value, backward_steps
    >>> x = Value(3.0, label="x")
    >>> steps = backward_steps(x * x)
    >>> [f.caption() for f in steps]  # doctest: +NORMALIZE_WHITESPACE
    ['step 1 of 2: root has its complete gradient 1 (the seed); it passes 1 * 3 = 3 to x, 1 * 3 = 3 to x',
     'step 2 of 2: x is a leaf: its gradient 6 is final']
    >>> x.grad  # untouched
    0.0
    """
    return BackwardSteps(root, grad)
