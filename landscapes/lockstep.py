"""One step of many optimizers with ONE batched surface call per round of questions.

Each surface call costs about a millisecond of autograd tape whatever the number of points, so the
five runs of a suite, stepped one by one, pay five times what one call for all their points
would. The optimizer protocol stays as it is (``update(xy, state, oracle) -> (xy, state)``, pure,
asking the oracle whatever it needs); lockstep only changes the oracle it is handed:

1. Every update runs with a :class:`Tape` for oracle. The tape answers the questions it already
   has answers for and stops the update (raises) at the first new one, keeping the question.
2. All questions of all stopped updates go to the surface in one ``grad`` call (and one
   ``hessian`` call): their points are stacked as rows, evaluated, and split back.
3. The stopped updates run again from the start. Being pure, each asks the same questions with
   the same points (checked bit for bit), gets the recorded answers and goes on, to its end or to
   its next question (a question whose point depends on an earlier answer).

No optimizer is special-cased and none is changed: a single-gradient method takes two rounds, the
look-ahead methods ask for all their points at once (two rounds), Newton asks for a gradient and
then a Hessian (three rounds). The price is running each update two or three times, tens of
microseconds against the milliseconds saved. Results equal independent runs bit for bit because
surfaces are elementwise (row i of a batched call is the call at row i alone; ``Surface`` makes
even a single point a batch of one), which the tests check for every optimizer.

Why not a different protocol (an update written as a generator that yields the points it needs)?
It would batch in one pass, but every optimizer, ours and the users', would have to be rewritten
in that style and the simple ``oracle.grad(xy)`` call would be gone. Purity, which the protocol
already promises, is enough to get the same batching from unchanged code.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .surfaces import Surface

#: The oracle questions a tape understands, and how many trailing axes of the point's length each
#: answer adds (a Hessian: one more, (..., d) -> (..., d, d)).
KINDS: dict[str, int] = {"grad": 0, "hessian": 1}


class _Unanswered(BaseException):
    """Raised inside an update at its first question without an answer (a BaseException, so an
    ``except Exception`` in an optimizer cannot swallow it)."""


class ImpureUpdateError(RuntimeError):
    """An update asked different questions when run again on the same input."""


class Tape:
    """The oracle an update sees in lockstep: replays the answers so far, stops at a new question.

    ``perturb(g)``, if given, is applied once to every gradient answer when it is recorded (the
    gradient noise of a noisy run), so replays see the same noisy gradient.
    """

    __slots__ = ("answers", "cursor", "question", "perturb", "prefetched", "asks_at_point")

    def __init__(self, perturb: Callable[[np.ndarray], np.ndarray] | None = None) -> None:
        self.answers: list[tuple[str, np.ndarray, np.ndarray]] = []
        self.cursor = 0
        self.question: tuple[str, np.ndarray] | None = None
        self.perturb = perturb
        #: ``(xy, gradient)`` computed with the loss at the run's new point (see ``runs.py``):
        #: the answer to a question for the gradient at exactly that array, if one comes.
        self.prefetched: tuple[np.ndarray, np.ndarray] | None = None
        #: Whether the last update's first question was the gradient at its own ``xy``.
        self.asks_at_point = False

    def _ask(self, kind: str, xy: Any) -> np.ndarray:
        xy = np.asarray(xy, dtype=float)
        if self.cursor < len(self.answers):
            asked_kind, asked, answer = self.answers[self.cursor]
            same = asked is xy or np.array_equal(asked, xy, equal_nan=True)  # `is`: grad(xy)
            if asked_kind != kind or not same:
                raise ImpureUpdateError(
                    "an optimizer update asked different questions when run twice on the same "
                    "input; updates must be pure functions of (xy, state, oracle answers)"
                )
            self.cursor += 1
            return answer.copy()  # the update may modify what it gets; the record stays intact
        self.question = (kind, xy)  # no copy: the update stops here, nothing can change it
        if kind == "grad" and self.prefetched is not None and self.prefetched[0] is xy:
            self.record(kind, self.prefetched[1])
            self.prefetched = None
            return self._ask(kind, xy)
        raise _Unanswered

    def grad(self, xy: np.ndarray) -> np.ndarray:
        return self._ask("grad", xy)

    def hessian(self, xy: np.ndarray) -> np.ndarray:
        return self._ask("hessian", xy)

    def record(self, kind: str, answer: np.ndarray) -> None:
        """Answer the pending question."""
        assert self.question is not None and self.question[0] == kind
        if kind == "grad" and self.perturb is not None:
            answer = self.perturb(answer)
        self.answers.append((kind, self.question[1], answer))
        self.question = None


def answer_all(surface: Surface, tapes: Sequence[Tape]) -> None:
    """Answer the pending question of every tape: one surface call per kind, rows stacked."""
    for kind, tail in KINDS.items():
        asking = [t for t in tapes if t.question is not None and t.question[0] == kind]
        if not asking:
            continue
        points = [t.question[1] for t in asking]
        dim = points[0].shape[-1]  # 2 for a surface, P for a network's parameters
        rows = stack_rows(points)
        answers = getattr(surface, kind)(rows)
        start = 0
        for tape, p in zip(asking, points, strict=True):
            n = p.size // dim
            tape.record(kind, answers[start : start + n].reshape(*p.shape, *(dim,) * tail))
            start += n


def stack_rows(points: Sequence[np.ndarray]) -> np.ndarray:
    """Points of any shapes (..., dim) as the rows of one (M, dim) array (no copy for one)."""
    dim = points[0].shape[-1]
    if len(points) == 1:
        return points[0].reshape(-1, dim)
    return np.concatenate([p.reshape(-1, dim) for p in points])


Update = Callable[[np.ndarray, Any, Any], tuple[np.ndarray, Any]]


def step_all(
    surface: Surface, updates: Sequence[tuple[Update, np.ndarray, Any, Tape]]
) -> list[tuple[np.ndarray, Any]]:
    """``update(xy, state, oracle)`` for every ``(update, xy, state, tape)``, questions batched.

    Returns the ``(xy, state)`` of each update, in order, exactly as ``update(xy, state,
    surface)`` (through ``tape.perturb``) would have.
    """
    results: list[Any] = [None] * len(updates)
    for _, _, _, tape in updates:
        tape.answers.clear()
    waiting = range(len(updates))
    while waiting:
        stopped = []
        for i in waiting:
            update, xy, state, tape = updates[i]
            tape.cursor = 0
            try:
                results[i] = update(xy, state, tape)
            except _Unanswered:
                stopped.append(i)
        answer_all(surface, [updates[i][3] for i in stopped])
        waiting = stopped
    for _, xy, _, tape in updates:
        first = tape.answers[0] if tape.answers else None
        tape.asks_at_point = first is not None and first[0] == "grad" and first[1] is xy
        tape.prefetched = None
    return results
