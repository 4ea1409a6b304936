"""The window-packing relaxation of the breaks goal (solver/cpsat/relaxation.py): every
timetable is one of its solutions, so its optimum is a lower bound; and it is stronger
than the per-participant minima where the tables force breaks."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from ortools.sat.python import cp_model

from matchsched.adapters.dzn import read_dzn
from matchsched.model import Event
from matchsched.options import Goal, SolveOptions
from matchsched.solver.compile import compile_event
from matchsched.solver.cpsat.model import TimetableModel
from matchsched.solver.cpsat.relaxation import packing_relaxation
from strategies import breaks_events

JAIR = Path(__file__).resolve().parents[2] / ".." / "shared" / "instances" / "jair2022"


def _solve(
    model: cp_model.CpModel, *, core: bool = False
) -> tuple[cp_model.CpSolverStatus, cp_model.CpSolver]:
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    if core:  # the core-guided worker, as the search runs it
        solver.parameters.subsolvers.append("core")
    solver.parameters.max_time_in_seconds = 20
    status = solver.solve(model)
    assert status in (cp_model.OPTIMAL, cp_model.INFEASIBLE)
    return status, solver


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(breaks_events())
def test_every_timetable_is_a_solution_of_the_relaxation(case: tuple[Event, int | None]) -> None:
    event, spread = case
    compiled = compile_event(event)
    options = SolveOptions(goals=[Goal.BREAKS], max_break_spread=spread)
    timetable = TimetableModel(compiled, options)
    total = timetable.goals[Goal.BREAKS]
    timetable.model.minimize(total)
    status, full = _solve(timetable.model)
    assert timetable.breaks.structure is not None
    relaxation = packing_relaxation(compiled, timetable.occupancy, timetable.breaks.structure)
    assert relaxation is not None
    relaxed, bound = _solve(relaxation.model)
    if status == cp_model.INFEASIBLE:
        return
    optimum = round(full.objective_value)
    assert relaxed == cp_model.OPTIMAL and bound.objective_value <= optimum
    # The optimal timetable itself, fixed in the relaxation, has no more breaks there.
    for literal, taken in zip(relaxation.x, timetable.x, strict=True):
        relaxation.model.add(literal == full.boolean_value(taken))
    relaxed, fixed = _solve(relaxation.model)
    assert relaxed == cp_model.OPTIMAL and fixed.objective_value <= optimum


def test_only_events_of_pairs_have_the_relaxation() -> None:
    event = Event.model_validate(
        {
            "name": "trio",
            "sessions": [{"id": "am", "start": "2024-05-02T09:00", "slot_minutes": 30, "slots": 3}],
            "locations": [{"id": "hall", "tables": 2}],
            "participants": [{"id": p} for p in ("a", "b", "c")],
            "requests": [{"id": "r", "participants": ["a", "b", "c"], "required": True}],
        }
    )
    compiled = compile_event(event)
    timetable = TimetableModel(compiled, SolveOptions(goals=[Goal.BREAKS]))
    assert timetable.breaks.structure is not None
    assert packing_relaxation(compiled, timetable.occupancy, timetable.breaks.structure) is None


@pytest.mark.skipif(not JAIR.is_dir(), reason="benchmark instances not found")
def test_the_tables_force_a_break_the_minima_do_not_see() -> None:
    # forumt-14crafe: the per-participant minima sum to 4, the published optimum is 5.
    event, options = read_dzn(JAIR / "original" / "forumt-14crafe.original.dzn")
    compiled = compile_event(event)
    timetable = TimetableModel(compiled, options)
    structure = timetable.breaks.structure
    assert structure is not None and sum(structure.minimum.values()) == 4
    relaxation = packing_relaxation(compiled, timetable.occupancy, structure)
    assert relaxation is not None
    status, solver = _solve(relaxation.model, core=True)
    assert status == cp_model.OPTIMAL and round(solver.objective_value) == 5
