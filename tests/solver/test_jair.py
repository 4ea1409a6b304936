"""The JAIR 2022 benchmark in the test suite: small instances solved to their published
optimum (every schedule checked), a proven-infeasible one, a case that made CP-SAT's presolve
fail, and the strong break model's parts on tiny hand-made events (the same results as the
plain model)."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
from ortools.sat.python import cp_model

from matchsched.adapters.dzn import read_dzn
from matchsched.check import check, evaluate
from matchsched.model import Event
from matchsched.options import Goal, SolveOptions
from matchsched.schedule import ProgressPoint, SolveStatus
from matchsched.solver import search, solve
from matchsched.solver.breaks import break_structure
from matchsched.solver.compile import compile_event
from matchsched.solver.cpsat.model import TimetableModel
from matchsched.solver.cpsat.run import run_solver
from matchsched.solver.cpsat.variables import occupancy

JAIR = Path(__file__).resolve().parents[2] / ".." / "shared" / "instances" / "jair2022"
needs_jair = pytest.mark.skipif(
    not JAIR.is_dir(), reason=f"benchmark instances not found at {JAIR.resolve()}"
)


def _published_optimum(file: str) -> int:
    with (JAIR / "instance_stats.csv").open(encoding="utf-8", newline="") as stream:
        for row in csv.DictReader(stream):
            if row["file"] == file:
                return int(row["paper_opt_breaks_d2"])
    raise KeyError(file)


@needs_jair
@pytest.mark.parametrize(
    "file",
    [
        "original/tic-12.original.dzn",
        "original/tic-13crafb.original.dzn",
        "original/forumt-14crafd.original.dzn",  # optimum 4, from per-participant minima
    ],
)
def test_original_solved_to_published_optimum(file: str) -> None:
    event, options = read_dzn(JAIR / file)
    result = solve(event, options.model_copy(update={"time_limit": 60}))
    assert result.status == SolveStatus.OPTIMAL
    assert check(event, result.schedule, options) == []
    assert evaluate(event, result.schedule).breaks == _published_optimum(file)
    assert result.schedule.objective is not None
    assert result.schedule.objective.breaks == _published_optimum(file)


@needs_jair
def test_fixed_afternoon_meeting_in_the_morning_is_infeasible() -> None:
    # The file pins an afternoon-only meeting into a morning slot.
    event, options = read_dzn(JAIR / "fixed" / "forum-13crafb.fixed040-Forb.dzn")
    result = solve(event, options.model_copy(update={"time_limit": 30}))
    assert result.status == SolveStatus.INFEASIBLE
    assert result.schedule.meetings == []


# --------------------------------------------------------------------------- tiny events


@needs_jair
def test_the_case_that_made_cpsat_fail_is_refuted() -> None:
    """tic-13crafc with 3 breaks, every participant but the last at its minimum: OR-Tools
    9.15 raised in presolve's symmetry detection on exactly this model."""
    event, options = read_dzn(JAIR / "original" / "tic-13crafc.original.dzn")
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


def _event(participants: list[dict[str, Any]], requests: list[list[str]], slots: int) -> Event:
    return Event.model_validate(
        {
            "name": "breaks",
            "sessions": [
                {"id": "am", "start": "2024-05-02T09:00", "slot_minutes": 30, "slots": slots}
            ],
            "locations": [{"id": "hall", "tables": 4}],
            "participants": participants,
            "requests": [
                {"id": f"r{i}", "participants": pair, "required": True}
                for i, pair in enumerate(requests, start=1)
            ],
        }
    )


def _hole_in_the_middle() -> Event:
    """p1 meets p2, p3 and p4 in 5 slots with slot 2 unavailable: one break is unavoidable."""
    return _event(
        [
            {"id": "p1", "unavailable": [{"session": "am", "slot": 2}]},
            {
                "id": "p2",
                "unavailable": [{"session": "am", "slot": 3}, {"session": "am", "slot": 4}],
            },
            {"id": "p3"},
            {
                "id": "p4",
                "unavailable": [{"session": "am", "slot": 0}, {"session": "am", "slot": 1}],
            },
        ],
        [["p1", "p2"], ["p1", "p3"], ["p1", "p4"]],
        slots=5,
    )


def test_minimum_breaks_of_one_participant_is_proven() -> None:
    compiled = compile_event(_hole_in_the_middle())
    structure = break_structure(compiled, occupancy(compiled))
    p1 = compiled.participant_index["p1"]
    assert structure.minimum == {p1: 1}
    assert structure.fixed_workload[p1] == 3


@pytest.mark.parametrize("formulation", ["strong", "plain"])
def test_strong_and_plain_models_agree(formulation: str) -> None:
    event = _hole_in_the_middle()
    options = SolveOptions(goals=[Goal.BREAKS], formulation=formulation, time_limit=20)
    result = solve(event, options)
    assert result.status == SolveStatus.OPTIMAL
    assert check(event, result.schedule, options) == []
    assert result.schedule.objective is not None
    assert result.schedule.objective.breaks == 1


def test_break_budget_below_the_proven_minimum_is_infeasible() -> None:
    event = _hole_in_the_middle()
    options = SolveOptions(goals=[Goal.BREAKS], max_breaks=0, time_limit=20)
    assert solve(event, options).status == SolveStatus.INFEASIBLE


def test_required_meetings_that_do_not_fit_are_infeasible() -> None:
    # p1 has three required meetings and two slots: no candidate is missing, the model says no.
    event = _event(
        [{"id": f"p{i}"} for i in range(1, 5)],
        [["p1", "p2"], ["p1", "p3"], ["p1", "p4"]],
        slots=2,
    )
    options = SolveOptions(goals=[Goal.BREAKS], max_break_spread=2, time_limit=20)
    assert solve(event, options).status == SolveStatus.INFEASIBLE


def test_optional_meetings_keep_the_breaks_goal_exact() -> None:
    # Optional requests: no fixed workload, no proven minimum; the strong model still counts
    # exactly and the breaks level keeps the scheduled level's optimum.
    event = Event.model_validate(
        {
            "name": "optional",
            "sessions": [{"id": "am", "start": "2024-05-02T09:00", "slot_minutes": 30, "slots": 4}],
            "locations": [{"id": "hall", "tables": 1}],
            "participants": [
                {"id": "p1"},
                {"id": "p2", "unavailable": [{"session": "am", "slot": 1}]},
                {"id": "p3", "unavailable": [{"session": "am", "slot": 0}]},
            ],
            "requests": [
                {"id": "r1", "participants": ["p1", "p2"]},
                {"id": "r2", "participants": ["p1", "p3"]},
            ],
        }
    )
    strong = solve(event, SolveOptions(goals=["scheduled", "breaks"], time_limit=20))
    plain = solve(
        event, SolveOptions(goals=["scheduled", "breaks"], formulation="plain", time_limit=20)
    )
    for result in (strong, plain):
        assert result.status == SolveStatus.OPTIMAL
        assert check(event, result.schedule) == []
    assert strong.schedule.objective == plain.schedule.objective or (
        strong.schedule.objective is not None
        and plain.schedule.objective is not None
        and strong.schedule.objective.breaks == plain.schedule.objective.breaks
        and strong.schedule.objective.scheduled_priority
        == plain.schedule.objective.scheduled_priority
    )


def test_the_budget_search_reports_its_bound_before_its_first_schedule() -> None:
    # Three participants meeting each other in three slots: each alone could meet without a
    # break, so the budget search starts at 0; whoever misses the middle meeting breaks.
    event = _event(
        [{"id": f"p{i}"} for i in range(1, 4)], [["p1", "p2"], ["p1", "p3"], ["p2", "p3"]], 3
    )
    options = SolveOptions(goals=[Goal.BREAKS], max_break_spread=2, time_limit=20, maxsat=False)
    heard: list[ProgressPoint] = []
    result = solve(event, options, progress=heard.append)
    assert result.status == SolveStatus.OPTIMAL
    assert check(event, result.schedule, options) == []
    assert heard == result.progress
    assert heard[0].stage == "breaks" and heard[0].value is None and heard[0].bound == 1
    assert heard[-1].value == heard[-1].bound == 1
    found = [point.value for point in heard if point.value is not None]
    assert found == sorted(found, reverse=True)
    bounds = [point.bound for point in heard]
    assert bounds == sorted(bounds)  # type: ignore[type-var]


@pytest.mark.parametrize("optional", [False, True])
def test_only_an_event_whose_requests_are_all_required_is_searched_by_budgets(
    monkeypatch: pytest.MonkeyPatch, optional: bool
) -> None:
    # With an optional request the proven minima bound little, so the breaks level is
    # optimised directly (docs/decisions.md); either way the optimum is the same.
    event = _event(
        [{"id": f"p{i}"} for i in range(1, 4)], [["p1", "p2"], ["p1", "p3"], ["p2", "p3"]], 3
    )
    if optional:
        first = event.requests[0].model_copy(update={"required": False})
        event = event.model_copy(update={"requests": [first, *event.requests[1:]]})
    searched: list[int] = []
    budget_search = search.break_search.budget_search

    def spy(*args: Any, **kwargs: Any) -> Any:
        searched.append(1)
        return budget_search(*args, **kwargs)

    monkeypatch.setattr(search.break_search, "budget_search", spy)
    options = SolveOptions(
        goals=[Goal.SCHEDULED, Goal.BREAKS], max_break_spread=2, time_limit=20, maxsat=False
    )
    result = solve(event, options)
    assert result.status == SolveStatus.OPTIMAL
    assert check(event, result.schedule, options) == []
    assert result.objective is not None and result.objective.breaks == 1
    assert bool(searched) is not optional
