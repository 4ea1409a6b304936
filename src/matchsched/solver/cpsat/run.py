"""Running CP-SAT: stopping solves from outside, and the workarounds a solve needs."""

from __future__ import annotations

import logging
import threading
import weakref
from typing import Any

from ortools.sat.python import cp_model

logger = logging.getLogger("matchsched")


def run_solver(
    solver: cp_model.CpSolver,
    model: cp_model.CpModel,
    callback: cp_model.CpSolverSolutionCallback | None = None,
) -> Any:
    """``solver.solve(model, callback)``; returns the status.

    OR-Tools 9.15's presolve symmetry detection fails on some models with an internal lookup
    error (raised as ``IndexError``; seen on a case of the JAIR instance tic-13crafc). The
    solve is then run again without symmetry detection, which is only a speed-up.
    """
    try:
        return solver.solve(model, callback)
    except IndexError as error:
        if solver.parameters.symmetry_level == 0:
            raise
        logger.warning("CP-SAT failed in presolve (%s); solving again without symmetries", error)
        solver.parameters.symmetry_level = 0
        return solver.solve(model, callback)


class StopToken:
    """Stops a running solve from another thread or a signal handler.

    The best schedule found so far is still returned.
    """

    def __init__(self) -> None:
        self._stopped = threading.Event()
        self._solvers: set[cp_model.CpSolver] = set()
        self._children: weakref.WeakSet[StopToken] = weakref.WeakSet()  # dropped when done
        self._lock = threading.Lock()

    @property
    def stopped(self) -> bool:
        """True once :meth:`stop` was called."""
        return self._stopped.is_set()

    def stop(self) -> None:
        """Ask the search to stop as soon as it can."""
        self._stopped.set()
        with self._lock:
            for solver in self._solvers:
                solver.stop_search()
            children = list(self._children)
        for child in children:
            child.stop()

    def linked(self) -> StopToken:
        """A token of its own that is also stopped when this one is (solves racing each other
        inside a solve that can be stopped as a whole)."""
        child = type(self)()
        with self._lock:
            self._children.add(child)
        if self.stopped:
            child.stop()
        return child

    def _add(self, solver: cp_model.CpSolver) -> None:
        """Watch one more solver (solvers running side by side)."""
        with self._lock:
            self._solvers.add(solver)
        if self.stopped:
            solver.stop_search()

    def _remove(self, solver: cp_model.CpSolver) -> None:
        with self._lock:
            self._solvers.discard(solver)


def solve_watched(
    solver: cp_model.CpSolver,
    model: cp_model.CpModel,
    stop: StopToken | None,
    callback: cp_model.CpSolverSolutionCallback | None = None,
) -> Any:
    """``solver.solve(model)``, stoppable through ``stop`` while it runs; returns the status.

    CP-SAT ignores a stop that arrives before its solve has started, so a solve whose token
    is already stopped gets no time at all (status UNKNOWN).
    """
    if stop is not None:
        stop._add(solver)
        if stop.stopped:
            solver.parameters.max_time_in_seconds = 0.0
    try:
        return run_solver(solver, model, callback)
    finally:
        if stop is not None:
            stop._remove(solver)
