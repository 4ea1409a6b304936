"""RC2 in a process of its own: the solver's settings and then the weighted clauses come in
on standard input; each rise of RC2's lower bound and then the answer go out on standard
output (all pickled, each message after its length, as 8 bytes).

:func:`matchsched.solver.maxsat.solve` runs this file as a script (``python -P``), so that
the process imports PySAT alone and not matchsched, whose imports take 0.6 s (most of them
CP-SAT's). A process can be ended at once. A SAT call in a thread of the caller's could not:
Glucose looks at its interrupt flag only when it restarts, which took up to 3.6 s.

The process ends when its parent does: standard input stays open until the parent has the
answer or kills the process, and its end of file ends the process. The SAT calls release the
GIL so that the thread watching for it runs while Glucose searches.
"""

from __future__ import annotations

import gc
import os
import pickle
import sys
import threading
from typing import Any, BinaryIO


def main() -> None:
    """Read the clauses, solve, and write ``("bound", cost)`` for each core RC2 finds, then
    ``("answer", (cost, model))`` (``("answer", None)``: the clauses have no solution)."""
    # The process holds the clauses (lists of integers, no cycles) and RC2: the cycle
    # collector would only walk them, again and again (unpickling forum-14's clauses took
    # 0.33 s with it and 0.09 s without).
    gc.disable()
    source = sys.stdin.buffer
    solver, options = pickle.loads(_message(source))
    hard, soft, top = pickle.loads(_message(source))
    threading.Thread(target=_end_with_parent, args=(source,), daemon=True).start()

    from pysat.examples.rc2 import RC2

    class Reporting(RC2):
        """RC2 that writes its cost out after each core it processes: the cost of the
        cores so far, a lower bound on the optimum."""

        def process_core(self) -> None:
            super().process_core()
            _send(("bound", int(self.cost)))

    with Reporting(_formula(hard, soft, top), solver=solver, **options) as rc2:
        rc2.oracle = _GilFree(rc2.oracle)
        model = rc2.compute()
        answer = None if model is None else (int(rc2.cost), model)
    _send(("answer", answer))
    # Not a normal shutdown: it aborts on the watching thread, blocked in a read of stdin.
    os._exit(0)


def _send(message: tuple[str, Any]) -> None:
    """One message on standard output, after its length."""
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    sys.stdout.buffer.write(len(data).to_bytes(8, "little") + data)
    sys.stdout.buffer.flush()


def _formula(hard: list[list[int]], soft: list[int], top: int) -> Any:
    """The weighted formula, each soft literal of weight 1, with the clause lists as they
    came: ``WCNF.append`` copies every clause and looks for its largest variable, 0.55 s on
    forum-14's 410,000 clauses, where ``top`` is known."""
    from pysat.formula import WCNF

    formula = WCNF()
    formula.hard = hard
    formula.soft = [[literal] for literal in soft]
    formula.wght = [1] * len(soft)
    formula.topw = len(soft) + 1
    formula.nv = top
    return formula


def _message(source: BinaryIO) -> bytes:
    """The next message: its length as 8 bytes, then the message."""
    return _read(source, int.from_bytes(_read(source, 8), "little"))


def _read(source: BinaryIO, size: int) -> bytes:
    """Exactly ``size`` bytes (the process ends if the parent closed the pipe first)."""
    chunks = []
    while size > 0:
        chunk = source.read(size)
        if not chunk:
            os._exit(1)
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def _end_with_parent(source: BinaryIO) -> None:
    """Blocks until standard input is closed (the parent is done or gone), then ends the
    process at once, in the middle of a SAT call if need be."""
    source.read()
    os._exit(0)


class _GilFree:
    """RC2's SAT oracle with calls that release the GIL (PySAT releases it only for
    interruptible calls)."""

    def __init__(self, oracle: Any) -> None:
        self._oracle = oracle

    def solve(self, assumptions: list[int] = []) -> bool | None:  # noqa: B006 (PySAT's signature)
        return self.solve_limited(assumptions=assumptions)

    def solve_limited(
        self,
        assumptions: list[int] = [],  # noqa: B006 (PySAT's signature)
        expect_interrupt: bool = True,
    ) -> bool | None:
        """``None`` when a conflict budget ran out (RC2's core minimisation sets them)."""
        result = self._oracle.solve_limited(assumptions=assumptions, expect_interrupt=True)
        return None if result is None else bool(result)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._oracle, name)


if __name__ == "__main__":
    main()
