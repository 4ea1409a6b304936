"""Running CP-SAT through ``run_solver`` and ``solve_watched``: a presolve failure of OR-Tools
is worked around, and a stop that comes before the solve is kept."""

from __future__ import annotations

import pytest
from ortools.sat.python import cp_model

from matchsched.solver.cpsat.run import StopToken, run_solver, solve_watched


def test_a_solve_that_fails_in_presolve_is_run_again_without_symmetries() -> None:
    class FailingOnce:
        def __init__(self) -> None:
            self.parameters = cp_model.CpSolver().parameters
            self.calls = 0

        def solve(self, model: cp_model.CpModel, callback: object = None) -> int:
            self.calls += 1
            if self.calls == 1:
                raise IndexError("absl::container_internal::raw_hash_map<>::at")
            return cp_model.OPTIMAL

    solver = FailingOnce()
    assert run_solver(solver, cp_model.CpModel()) == cp_model.OPTIMAL  # type: ignore[arg-type]
    assert solver.calls == 2 and solver.parameters.symmetry_level == 0


def test_a_failure_without_symmetries_is_not_hidden() -> None:
    class AlwaysFailing:
        parameters = cp_model.CpSolver().parameters

        def solve(self, model: cp_model.CpModel, callback: object = None) -> int:
            raise IndexError("lookup")

    AlwaysFailing.parameters.symmetry_level = 0
    with pytest.raises(IndexError):
        run_solver(AlwaysFailing(), cp_model.CpModel())  # type: ignore[arg-type]


def test_a_solve_whose_token_has_already_stopped_gets_no_time() -> None:
    model = cp_model.CpModel()
    x = model.NewBoolVar("x")
    model.Add(x == 1)
    stop = StopToken()
    stop.stop()  # CP-SAT itself would ignore a stop that comes before the solve
    solver = cp_model.CpSolver()
    assert solve_watched(solver, model, stop) == cp_model.UNKNOWN
    assert solve_watched(cp_model.CpSolver(), model, StopToken()) == cp_model.OPTIMAL
