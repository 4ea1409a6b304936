"""Break profiles: the table-free model, listing and deciding profiles, and the race's profile
side."""

from __future__ import annotations

import time

import pytest
from ortools.sat.python import cp_model
from tests.solver.test_heuristics import schedule_of

from matchsched.check import check, evaluate
from matchsched.model import Event
from matchsched.options import Goal, SolveOptions
from matchsched.solver import breaks, profiles
from matchsched.solver.compile import compile_event
from matchsched.solver.cpsat.model import TimetableModel
from matchsched.solver.cpsat.run import StopToken
from matchsched.solver.search import _profiles

OPTIONS = SolveOptions(goals=[Goal.BREAKS], max_break_spread=2)


def _one_table(required: bool = True) -> Event:
    """a and d each meet b, c and e, at one table in six slots: a and d can each meet in one
    run of three, but then c and e wait between their meetings. Without the table limit no one
    need wait, with it the optimum is 2 breaks."""
    pairs = [("a", "b"), ("a", "c"), ("a", "e"), ("d", "b"), ("d", "c"), ("d", "e")]
    return Event.model_validate(
        {
            "name": "one table",
            "sessions": [{"id": "am", "start": "2024-05-02T09:00", "slot_minutes": 30, "slots": 6}],
            "locations": [{"id": "hall", "tables": 1}],
            "participants": [{"id": p} for p in "abcde"],
            "requests": [
                {"id": a + b, "participants": [a, b], "required": required or a + b != "ab"}
                for a, b in pairs
            ],
        }
    )


def _fewest_breaks(timetable: TimetableModel) -> int:
    model = timetable.model.clone()
    model.minimize(timetable.breaks.total)
    solver = cp_model.CpSolver()
    assert solver.solve(model) == cp_model.OPTIMAL
    return round(solver.objective_value)


def _one_worker(solver: cp_model.CpSolver, limit: float | None, _: dict) -> None:
    solver.parameters.num_workers = 1
    if limit is not None:
        solver.parameters.max_time_in_seconds = limit


def test_without_table_limits_a_slot_holds_more_meetings_than_there_are_tables() -> None:
    compiled = compile_event(_one_table())
    with_tables = TimetableModel(compiled, OPTIONS)
    table_free = TimetableModel(compiled, OPTIONS, table_limits=False)
    assert _fewest_breaks(with_tables) == 2
    assert _fewest_breaks(table_free) == 0


def _profiles_of(event: Event) -> tuple[TimetableModel, profiles.BreakProfiles]:
    timetable = TimetableModel(compile_event(event), OPTIONS)
    build = _profiles(timetable, OPTIONS)
    assert build is not None
    return timetable, build()


def _listed(found: profiles.BreakProfiles, budget: int) -> list[profiles.Profile]:
    """Every profile of ``budget`` breaks without the tables, one solve each."""
    listing = profiles.listing(found, budget)
    seen: list[profiles.Profile] = []
    solver = cp_model.CpSolver()
    while solver.solve(listing) in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        profile = profiles.profile_of(found, solver)
        assert profile not in seen
        seen.append(profile)
        profiles.exclude(found, listing, profile)
    return seen


@pytest.mark.parametrize(("budget", "has_schedule"), [(0, False), (1, False), (2, True)])
def test_a_budget_has_a_schedule_exactly_when_one_of_its_profiles_has_one(
    budget: int, has_schedule: bool
) -> None:
    timetable, found = _profiles_of(_one_table())
    listed = _listed(found, budget)
    assert listed  # without the tables, every budget here has timetables
    assert all(sum(profile.values()) == budget for profile in listed)
    decided = []
    for profile in listed:
        pinned = timetable.model.clone()
        pinned.add(timetable.breaks.total == budget)
        profiles.pin(found, pinned, profile)
        decided.append(cp_model.CpSolver().solve(pinned))
    assert (cp_model.OPTIMAL in decided) == has_schedule
    assert set(decided) <= {cp_model.OPTIMAL, cp_model.INFEASIBLE}


def test_profiles_are_described_by_participant() -> None:
    assert profiles.describe({3: 1, 1: 2}) == "{1: +2, 3: +1}"
    assert profiles.describe({}) == "{} (everyone at the minimum)"


def test_the_core_side_turns_to_profiles_only_when_a_probe_passes_its_bound() -> None:
    race = breaks._Race(3, None, None, switches=True)
    race.refuted_below(4, by_core=True)
    assert not race.core.stopped
    race.refuted_below(4)  # a probe below the core's bound: no switch
    assert not race.core.stopped
    race.refuted_below(5)
    assert race.core.stopped and not race.done.stopped

    without = breaks._Race(3, None, None)
    without.refuted_below(6)
    assert not without.core.stopped


def test_the_profile_side_refutes_budgets_and_finds_the_optimum() -> None:
    event = _one_table()
    timetable, found = _profiles_of(event)
    total = timetable.breaks.total
    bounds: list[int] = []
    race = breaks._Race(0, None, bounds.append, switches=True)

    outcome = breaks._profile_side(
        timetable.model, total, race, lambda: found, _one_worker, lambda: 30.0
    )
    assert outcome is not None and outcome.status == cp_model.OPTIMAL
    assert outcome.value == 2 and bounds == [1, 2] and race.done.stopped
    assert outcome.solver is not None
    schedule = schedule_of(timetable.compiled, timetable.chosen(outcome.solver))
    assert check(event, schedule, OPTIONS) == []
    assert evaluate(event, schedule).breaks == 2


@pytest.mark.parametrize("switched", [True, False])
def test_the_core_side_lists_profiles_only_once_a_probe_has_passed_it(switched: bool) -> None:
    timetable, found = _profiles_of(_one_table())
    race = breaks._Race(0, None, None, switches=True)
    if switched:
        race.refuted_below(1)  # a probe's refutation: the core's solve stops at once
    built: list[bool] = []

    def build() -> profiles.BreakProfiles:
        built.append(True)
        return found

    def core_without_time(solver: cp_model.CpSolver, limit: float | None, parameters: dict) -> None:
        _one_worker(solver, limit, parameters)
        if parameters is breaks.CORE_ALONE_PARAMETERS:  # runs out of time before any schedule
            solver.parameters.max_time_in_seconds = 0.0
            solver.parameters.cp_model_presolve = False

    outcome = breaks._core_side(
        timetable.model, timetable.breaks.total, race, core_without_time, lambda: 30.0, build
    )
    assert built == ([True] if switched else [])
    assert (outcome is not None and outcome.value == 2) == switched


def test_an_undecided_profile_leaves_its_budget_open() -> None:
    timetable, found = _profiles_of(_one_table())
    race = breaks._Race(0, None, None, switches=True)
    deadline = time.perf_counter() + 1.0

    def undecided(solver: cp_model.CpSolver, limit: float | None, parameters: dict) -> None:
        _one_worker(solver, limit, parameters)
        if parameters is breaks.LP_PROBE_PARAMETERS:  # the decider: no time to decide
            solver.parameters.max_time_in_seconds = 0.0
            solver.parameters.cp_model_presolve = False

    outcome = breaks._profile_side(
        timetable.model,
        timetable.breaks.total,
        race,
        lambda: found,
        undecided,
        lambda: max(0.0, deadline - time.perf_counter()),
    )
    assert outcome is None and race.budget == 0


def test_a_stopped_race_lists_no_profiles() -> None:
    timetable, found = _profiles_of(_one_table())
    stop = StopToken()
    stop.stop()
    race = breaks._Race(0, stop, None, switches=True)

    outcome = breaks._profile_side(
        timetable.model, timetable.breaks.total, race, lambda: found, _one_worker, lambda: 30.0
    )
    assert outcome is None and race.budget == 0


@pytest.mark.parametrize(("required", "workers"), [(True, 2), (False, 2), (True, 1)])
def test_only_events_with_the_relaxation_get_profiles(required: bool, workers: int) -> None:
    timetable = TimetableModel(compile_event(_one_table(required)), OPTIONS)
    options = OPTIONS.model_copy(update={"workers": workers})
    assert (_profiles(timetable, options) is not None) == (required and workers > 1)


def test_profiles_need_the_strong_break_model() -> None:
    plain = OPTIONS.model_copy(update={"formulation": "plain"})
    timetable = TimetableModel(compile_event(_one_table()), plain)
    with pytest.raises(ValueError, match="strong break model"):
        timetable.break_profiles(plain)
