"""Running CP-SAT through ``run_solver``: a presolve failure of OR-Tools is worked around."""

from __future__ import annotations

from pathlib import Path

import pytest
from ortools.sat.python import cp_model

from matchsched.adapters.dzn import read_dzn
from matchsched.solver.compile import compile_event
from matchsched.solver.cpsat.model import TimetableModel
from matchsched.solver.cpsat.run import run_solver

TIC_13CRAFC = (
    Path(__file__).resolve().parents[2]
    / ".."
    / "shared"
    / "instances"
    / "jair2022"
    / "original"
    / "tic-13crafc.original.dzn"
)


def test_a_solve_that_fails_in_presolve_is_run_again_without_symmetries() -> None:
    class FailingOnce:
        def __init__(self) -> None:
            self.parameters = cp_model.CpSolver().parameters
            self.calls = 0

        def Solve(self, model: cp_model.CpModel, callback: object = None) -> int:
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

        def Solve(self, model: cp_model.CpModel, callback: object = None) -> int:
            raise IndexError("lookup")

    AlwaysFailing.parameters.symmetry_level = 0
    with pytest.raises(IndexError):
        run_solver(AlwaysFailing(), cp_model.CpModel())  # type: ignore[arg-type]


def test_the_case_that_made_cpsat_fail_is_refuted() -> None:
    """tic-13crafc with 3 breaks, every participant but the last at its minimum: OR-Tools
    9.15 raised in presolve's symmetry detection on exactly this model."""
    if not TIC_13CRAFC.is_file():
        pytest.skip("benchmark instances not found (shared/ beside the repo)")
    event, options = read_dzn(TIC_13CRAFC)
    timetable = TimetableModel(compile_event(event), options)
    breaks = timetable.breaks
    assert breaks.structure is not None
    workload = breaks.structure.fixed_workload
    order = sorted(breaks.per_participant, key=lambda person: (-workload.get(person, 0), person))
    model = timetable.model.Clone()
    model.ClearObjective()
    model.Add(breaks.total == 3)
    for person in order[:-1]:
        model.Add(breaks.per_participant[person] == 0)
    model.Add(breaks.per_participant[order[-1]] >= 1)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = 20
    assert run_solver(solver, model) == cp_model.INFEASIBLE
