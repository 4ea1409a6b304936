"""Running CP-SAT: one place for the workarounds a solve needs."""

from __future__ import annotations

import logging
from typing import Any

from ortools.sat.python import cp_model

logger = logging.getLogger("matchsched")


def run_solver(
    solver: cp_model.CpSolver,
    model: cp_model.CpModel,
    callback: cp_model.CpSolverSolutionCallback | None = None,
) -> Any:
    """``solver.Solve(model, callback)``; returns the status.

    OR-Tools 9.15's presolve symmetry detection fails on some models with an internal lookup
    error (raised as ``IndexError``; seen on a case of the JAIR instance tic-13crafc). The
    solve is then run again without symmetry detection, which is only a speed-up.
    """
    try:
        return solver.Solve(model, callback)
    except IndexError as error:
        if solver.parameters.symmetry_level == 0:
            raise
        logger.warning("CP-SAT failed in presolve (%s); solving again without symmetries", error)
        solver.parameters.symmetry_level = 0
        return solver.Solve(model, callback)
