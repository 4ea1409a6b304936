"""The break-budget search of the strong model (solver/breaks.py) on small CP-SAT models:
budgets from the proven bound up, and the case split one break above the minima."""

from __future__ import annotations

import gc
import logging
import re
import threading
import time

import pytest
from ortools.sat.python import cp_model

from matchsched.check import check
from matchsched.model import Event
from matchsched.options import Goal, SolveOptions
from matchsched.solver import breaks, search, solve
from matchsched.solver.breaks import (
    Configure,
    ParticipantSplit,
    budget_search,
    split_by_participant,
)
from matchsched.solver.compile import compile_event
from matchsched.solver.cpsat.model import TimetableModel
from matchsched.solver.cpsat.relaxation import Relaxation
from matchsched.solver.cpsat.run import StopToken
from matchsched.solver.search import _relaxation


def _counts(model: cp_model.CpModel, n: int) -> dict[int, cp_model.IntVar]:
    return {person: model.NewIntVar(0, 2, f"breaks_{person}") for person in range(n)}


def _split(
    counts: dict[int, cp_model.IntVar], minimum: dict[int, int], workers: int = 2
) -> ParticipantSplit:
    def configure(solver: cp_model.CpSolver, limit: float | None, lp: bool) -> None:
        solver.parameters.num_workers = 1
        if not lp:
            solver.parameters.linearization_level = 0
        if limit is not None:
            solver.parameters.max_time_in_seconds = limit

    return ParticipantSplit(
        counts=dict(counts),
        minimum=minimum,
        order=sorted(counts),
        configure=configure,
        workers=workers,
    )


def _unlimited() -> float | None:
    return None


def _one_worker(solver: cp_model.CpSolver, limit: float | None, _: dict) -> None:
    """A configure for every solve of the search: one worker, nothing else."""
    solver.parameters.num_workers = 1


def _recording(asked: list[dict[str, object]]) -> Configure:
    """A configure that also records the parameters each solve was asked with."""

    def configure(solver: cp_model.CpSolver, limit: float | None, parameters: dict) -> None:
        asked.append(parameters)
        solver.parameters.num_workers = 1

    return configure


def test_split_finds_the_one_participant_who_can_take_the_break() -> None:
    model = cp_model.CpModel()
    counts = _counts(model, 4)
    total = sum(counts.values())
    model.Add(total >= 1)  # someone breaks ...
    for person in (0, 1, 3):
        model.Add(counts[person] == 0)  # ... and only 2 can
    found = split_by_participant(model, total, 1, _split(counts, {}), _unlimited)
    assert found.status == cp_model.OPTIMAL
    assert found.value == 1
    assert found.solver is not None and found.solver.Value(counts[2]) == 1


def test_split_refutes_a_budget_when_every_case_is_refuted() -> None:
    model = cp_model.CpModel()
    counts = _counts(model, 3)
    total = sum(counts.values())
    model.Add(counts[0] + counts[1] >= 1)
    model.Add(counts[1] + counts[2] >= 1)
    model.Add(counts[0] + counts[2] >= 1)  # two participants must break
    found = split_by_participant(model, total, 1, _split(counts, {}), _unlimited)
    assert found.status == cp_model.INFEASIBLE


def test_split_counts_breaks_above_each_minimum() -> None:
    model = cp_model.CpModel()
    counts = _counts(model, 3)
    total = sum(counts.values())
    model.Add(counts[0] >= 1)  # a proven minimum of 1 ...
    model.Add(counts[1] + counts[2] >= 1)  # ... and one more break elsewhere
    found = split_by_participant(model, total, 2, _split(counts, {0: 1}), _unlimited)
    assert found.status == cp_model.OPTIMAL and found.value == 2


def test_budget_search_with_a_split_reaches_the_optimum() -> None:
    model = cp_model.CpModel()
    counts = _counts(model, 5)
    total = sum(counts.values())
    model.Add(counts[0] >= 1)
    model.Add(counts[3] + counts[4] >= 1)
    model.Add(counts[1] + counts[3] >= 1)

    def configure(solver: cp_model.CpSolver, limit: float | None, _: dict[str, object]) -> None:
        solver.parameters.num_workers = 1

    found = budget_search(
        model,
        total,
        1,
        configure=configure,
        remaining=_unlimited,
        split=_split(counts, {0: 1}),
    )
    assert found.status == cp_model.OPTIMAL
    assert found.value == 2  # 0 at its minimum, 3 covers both other rows
    assert found.lower == 2


@pytest.mark.parametrize("workers", [1, 2])
def test_every_solve_of_the_split_is_watched_by_a_token_linked_to_the_callers(
    workers: int,
) -> None:
    model = cp_model.CpModel()
    counts = _counts(model, 3)
    total = sum(counts.values())
    model.Add(sum(counts.values()) >= 2)  # refutes every case at budget 1
    started: list[cp_model.CpSolver] = []
    ended: list[cp_model.CpSolver] = []

    class Recording(StopToken):  # tokens linked to it are Recordings too
        def _add(self, solver: cp_model.CpSolver) -> None:
            started.append(solver)
            super()._add(solver)

        def _remove(self, solver: cp_model.CpSolver) -> None:
            ended.append(solver)
            super()._remove(solver)

    split = _split(counts, {}, workers)
    found = split_by_participant(model, total, 1, split, _unlimited, Recording())
    assert found.status == cp_model.INFEASIBLE
    assert started and sorted(map(id, started)) == sorted(map(id, ended))
    assert len(started) == 3  # the cases alone, side by side with two workers


def test_a_split_whose_caller_has_stopped_decides_nothing() -> None:
    model = cp_model.CpModel()
    counts = _counts(model, 3)
    total = sum(counts.values())
    model.Add(counts[2] >= 1)  # case 2 has a schedule
    stop = StopToken()
    stop.stop()
    found = split_by_participant(model, total, 1, _split(counts, {}), _unlimited, stop)
    assert found.status == cp_model.UNKNOWN


def test_a_linked_token_stops_with_its_parent_and_alone() -> None:
    parent = StopToken()
    alone, with_parent = parent.linked(), parent.linked()
    alone.stop()
    assert alone.stopped and not parent.stopped and not with_parent.stopped
    parent.stop()
    assert with_parent.stopped
    assert parent.linked().stopped  # linked after the stop: stopped at once
    del alone, with_parent
    gc.collect()
    assert not parent._children  # a linked token no longer in use is forgotten


def test_a_stop_token_stops_every_solver_running_side_by_side() -> None:
    class Solver:
        stopped = False

        def stop_search(self) -> None:
            self.stopped = True

    token = StopToken()
    first, second, finished = Solver(), Solver(), Solver()
    for solver in (first, second, finished):
        token._add(solver)  # type: ignore[arg-type]
    token._remove(finished)  # type: ignore[arg-type]
    token.stop()
    assert first.stopped and second.stopped and not finished.stopped
    late = Solver()
    token._add(late)  # type: ignore[arg-type]
    assert late.stopped  # a solver added after the stop is stopped at once


def _undecided_until_the_lp(solver: cp_model.CpSolver, limit: float | None, lp: bool) -> None:
    """A split's configure whose passes without LP get no time at all, so that their cases
    stay undecided until the LP pass."""
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = 0.0 if not lp else 10.0


def test_undecided_cases_are_asked_again_with_another_seed_then_with_the_lp() -> None:
    model = cp_model.CpModel()
    counts = _counts(model, 3)
    total = sum(counts.values())
    model.Add(sum(counts.values()) >= 2)  # refutes every case at budget 1
    solves: list[tuple[bool, cp_model.CpSolver]] = []

    def configure(solver: cp_model.CpSolver, limit: float | None, lp: bool) -> None:
        solves.append((lp, solver))
        _undecided_until_the_lp(solver, limit, lp)
        solver.parameters.random_seed = 7

    split = ParticipantSplit(
        counts=dict(counts), minimum={}, order=sorted(counts), configure=configure, workers=1
    )
    found = split_by_participant(model, total, 1, split, _unlimited)
    assert found.status == cp_model.INFEASIBLE
    asked = [(lp, solver.parameters.random_seed) for lp, solver in solves]
    assert asked == [(False, 7)] * 3 + [(False, 8)] * 3 + [(True, 9)] * 3


def test_each_pass_takes_the_cases_left_in_the_opposite_order(
    caplog: pytest.LogCaptureFixture,
) -> None:
    model = cp_model.CpModel()
    counts = _counts(model, 4)
    total = sum(counts.values())
    model.Add(sum(counts.values()) >= 2)  # refutes every case at budget 1

    split = ParticipantSplit(
        counts=dict(counts),
        minimum={},
        order=[2, 0, 3, 1],
        configure=_undecided_until_the_lp,
        workers=1,
    )
    caplog.set_level(logging.DEBUG, logger=breaks.logger.name)
    found = split_by_participant(model, total, 1, split, _unlimited)
    assert found.status == cp_model.INFEASIBLE
    cases = [
        int(match.group(1))
        for record in caplog.records
        if (match := re.match(r"breaks: case (\d+):", record.getMessage()))
    ]
    first, second, third = cases[:4], cases[4:8], cases[8:]
    assert first == [2, 0, 3, 1] and second == [1, 3, 0, 2] and third == first


def _pairs_must_break(model: cp_model.CpModel, n: int) -> cp_model.LinearExprT:
    """n participants in a ring, each neighbouring pair with at least one break: the
    optimum is ceil(n / 2), with every budget below it refuted."""
    counts = _counts(model, n)
    for person in range(n):
        model.Add(counts[person] + counts[(person + 1) % n] >= 1)
    return sum(counts.values())


def test_the_core_phase_raises_the_bound_past_the_budgets_it_spares() -> None:
    model = cp_model.CpModel()
    total = _pairs_must_break(model, 9)
    asked: list[dict[str, object]] = []

    found = budget_search(model, total, 0, configure=_recording(asked), remaining=_unlimited)
    assert found.status == cp_model.OPTIMAL and found.value == 5 and found.lower == 5
    assert found.solver is not None and found.solver.Value(total) == 5
    # the probe at 0 breaks, then the core phase, which proves 5 without probing 1 to 4
    assert asked == [breaks.FEASIBILITY_PARAMETERS, breaks.CORE_PARAMETERS]


def test_the_core_phase_and_the_race_report_the_schedules_they_find() -> None:
    model = cp_model.CpModel()
    total = _pairs_must_break(model, 9)
    heard: list[int] = []

    found = breaks._core_phase(model, total, 0, _one_worker, _unlimited, 1.0, on_found=heard.append)
    assert found.status == cp_model.OPTIMAL and found.value == 5
    assert heard and heard[-1] == 5 and min(heard) == 5  # each schedule, the optimum last

    race = breaks._Race(5, None, None, on_found=heard.append)
    race.found(7)
    assert heard[-1] == 7 and race.best == 7


def test_the_core_phase_proves_that_no_schedule_exists() -> None:
    model = cp_model.CpModel()
    total = _pairs_must_break(model, 4)
    model.Add(total <= 1)  # fewer breaks than the pairs need

    found = budget_search(model, total, 0, configure=_one_worker, remaining=_unlimited)
    assert found.status == cp_model.INFEASIBLE


def test_a_stalled_core_phase_with_a_schedule_is_stopped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(breaks, "CORE_STALL", 0.01)
    token = StopToken()
    watch = breaks._StallWatch(token, 0, 0.01)
    try:
        watch.bound_rose(1.0)
        assert not token._stopped.wait(0.3)  # no schedule yet: it may still prove there is none
        watch.on_solution_callback()
        assert token._stopped.wait(10.0)
    finally:
        watch.close()


def test_a_core_phase_whose_bound_keeps_rising_is_not_stopped(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(breaks, "CORE_STALL", 0.2)
    token = StopToken()
    watch = breaks._StallWatch(token, 0, 0.2)
    try:
        watch.on_solution_callback()
        for _ in range(10):
            watch.bound_rose(1.0)
            assert not token._stopped.wait(0.05)
    finally:
        watch.close()


def test_a_core_phase_with_a_stall_of_its_own_stops_at_its_first_schedule(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Beside RC2 (``stall`` = 0): the first schedule stops the phase, however recently its
    bound rose and however long the other stalls are."""
    monkeypatch.setattr(breaks, "CORE_STALL", 60.0)
    token = StopToken()
    watch = breaks._StallWatch(token, 0, 60.0, 0.0)
    try:
        watch.bound_rose(1.0)
        assert not token._stopped.wait(0.3)  # no schedule yet: it may still prove there is none
        watch.bound_rose(2.0)
        watch.on_solution_callback()
        assert token._stopped.wait(10.0)
    finally:
        watch.close()


@pytest.mark.parametrize(("bound", "stops"), [(3.0, True), (4.0, False)])
def test_only_a_bound_still_at_the_start_gets_the_short_stall(
    monkeypatch: pytest.MonkeyPatch, bound: float, stops: bool
) -> None:
    """Starting at 3 with a short stall of 0.05 s: the bound reported at 3 (the start, not a
    rise) is stopped at once; a rise to 4 waits the full stall (60 s)."""
    monkeypatch.setattr(breaks, "CORE_STALL", 60.0)
    token = StopToken()
    watch = breaks._StallWatch(token, 3, 0.05)
    try:
        watch.bound_rose(bound)
        watch.on_solution_callback()
        assert token._stopped.wait(5.0 if stops else 0.5) is stops
    finally:
        watch.close()


@pytest.mark.parametrize("with_split", [True, False])
def test_the_core_phase_stalls_early_only_when_the_split_takes_its_budget_next(
    monkeypatch: pytest.MonkeyPatch, with_split: bool
) -> None:
    model = cp_model.CpModel()
    counts = _counts(model, 4)
    total = sum(counts.values())
    model.Add(total >= 1)  # the first probe, at the minima (0), is refuted
    stalls: list[float] = []

    def core_phase(*args: object, stall_at_start: float, **kwargs: object) -> breaks.BudgetOutcome:
        stalls.append(stall_at_start)
        return breaks.BudgetOutcome(cp_model.UNKNOWN, 1)  # no schedule: the search ends

    monkeypatch.setattr(breaks, "_core_phase", core_phase)

    split = _split(counts, {}) if with_split else None
    budget_search(model, total, 0, configure=_one_worker, remaining=_unlimited, split=split)
    assert stalls == [breaks.SPLIT_STALL if with_split else breaks.CORE_STALL]


def test_an_undecided_first_probe_hands_over_to_the_core_phase() -> None:
    model = cp_model.CpModel()
    total = _pairs_must_break(model, 9)
    asked: list[tuple[dict[str, object], float | None]] = []

    def configure(solver: cp_model.CpSolver, limit: float | None, parameters: dict) -> None:
        asked.append((parameters, limit))
        solver.parameters.num_workers = 1
        if len(asked) == 1:
            solver.parameters.max_number_of_conflicts = 0  # the first probe decides nothing
            solver.parameters.cp_model_presolve = False

    found = budget_search(model, total, 0, configure=configure, remaining=lambda: 100.0)
    assert found.status == cp_model.OPTIMAL and found.value == 5
    # the first probe gets at most FIRST_PROBE_CAP of the 50 s it could have had
    assert asked[0] == (breaks.FEASIBILITY_PARAMETERS, breaks.FIRST_PROBE_CAP)
    assert [parameters for parameters, _ in asked] == [
        breaks.FEASIBILITY_PARAMETERS,
        breaks.CORE_PARAMETERS,
    ]


def _stalled_core_phase(
    model: cp_model.CpModel, total: cp_model.LinearExprT, value: int
) -> breaks.BudgetOutcome:
    """What a core phase that stalled would return: a schedule with ``value`` breaks."""
    solver = cp_model.CpSolver()
    question = model.clone()
    question.add(total == value)
    assert solver.solve(question) == cp_model.OPTIMAL
    return breaks.BudgetOutcome(cp_model.FEASIBLE, 1, solver, value)


@pytest.mark.parametrize("workers", [1, 2])
def test_the_race_climbs_from_the_core_phase_bound_to_the_optimum(
    monkeypatch: pytest.MonkeyPatch, workers: int
) -> None:
    model = cp_model.CpModel()
    total = _pairs_must_break(model, 9)
    stalled = _stalled_core_phase(model, total, 9)
    monkeypatch.setattr(breaks, "_core_phase", lambda *args, **kwargs: stalled)
    asked: list[dict[str, object]] = []
    bounds: list[int] = []
    probing = threading.Event()

    def configure(solver: cp_model.CpSolver, limit: float | None, parameters: dict) -> None:
        asked.append(parameters)
        solver.parameters.num_workers = 1
        solver.parameters.cp_model_presolve = False  # leave the budgets to the search
        if parameters is breaks.LP_PROBE_PARAMETERS:
            probing.set()
        elif parameters is breaks.CORE_ALONE_PARAMETERS:
            # The core side solves this small model at once; let the race's first probe
            # start before it, as on an event of real size.
            probing.wait(timeout=10.0)

    found = budget_search(
        model,
        total,
        0,
        configure=configure,
        remaining=_unlimited,
        on_bound=bounds.append,
        workers=workers,
    )
    assert found.status == cp_model.OPTIMAL and found.value == 5 and found.lower == 5
    assert found.solver is not None and found.solver.Value(total) == 5
    assert bounds[0] == 1 and bounds[-1] == 5 and bounds == sorted(bounds)
    assert breaks.LP_PROBE_PARAMETERS in asked
    assert (breaks.CORE_ALONE_PARAMETERS in asked) == (workers > 1)


def test_a_race_out_of_time_keeps_the_best_schedule_and_the_bound(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    model = cp_model.CpModel()
    total = _pairs_must_break(model, 9)
    stalled = _stalled_core_phase(model, total, 7)
    monkeypatch.setattr(breaks, "_core_phase", lambda *args, **kwargs: stalled)
    left = iter([100.0, 100.0])  # the first probe, then nothing for the race

    found = budget_search(model, total, 0, configure=_one_worker, remaining=lambda: next(left, 0.0))
    assert found.status == cp_model.UNKNOWN
    assert found.lower == 1 and found.value == 7 and found.solver is stalled.solver


def test_the_race_stops_a_refuted_probe_and_ends_at_a_schedule_within_the_budget() -> None:
    bounds: list[int] = []
    race = breaks._Race(3, None, bounds.append)
    budget, probe = race.current()
    assert budget == 3
    race.found(6)
    race.refuted_below(2)  # below what is known: nothing changes
    assert not probe.stopped and bounds == []
    race.refuted_below(5)
    assert probe.stopped and not race.done.stopped and bounds == [5]
    assert race.current()[0] == 5 and not race.current()[1].stopped
    race.found(5)  # a schedule at the budget: the optimum
    assert race.done.stopped


def _late_first_probe(parameters: dict[str, object]) -> None:
    """Hold the first probe back for a moment, so that the relaxation beside it (which stops
    with the probe) has time to answer before a probe of a tiny model is decided."""
    if parameters is breaks.FEASIBILITY_PARAMETERS:
        time.sleep(0.5)


def _ring_relaxation(n: int) -> Relaxation:
    """A stand-in relaxation with the ring's optimum, ceil(n / 2)."""
    model = cp_model.CpModel()
    total = _pairs_must_break(model, n)
    model.Minimize(total)
    return Relaxation(model, total, [])


def _split_after_a_stalled_core_phase(
    monkeypatch: pytest.MonkeyPatch, model: cp_model.CpModel, total: cp_model.LinearExprT
) -> tuple[ParticipantSplit, list[bool]]:
    """A core phase that stalls at its starting budget with a 9-break schedule, and a split
    that records each solve asked of it (and decides nothing)."""
    stalled = _stalled_core_phase(model, total, 9)

    def core_phase(model: cp_model.CpModel, total: cp_model.LinearExprT, k: int, *_, **__):
        return breaks.BudgetOutcome(cp_model.FEASIBLE, k, stalled.solver, 9)

    monkeypatch.setattr(breaks, "_core_phase", core_phase)
    split = _split(_counts(cp_model.CpModel(), 9), {})
    asked: list[bool] = []
    split.configure = lambda solver, limit, lp: asked.append(lp)
    return split, asked


@pytest.mark.parametrize("lower", [0, 4])
def test_a_relaxation_bound_above_the_minima_raises_the_budget_and_skips_the_split(
    monkeypatch: pytest.MonkeyPatch, lower: int
) -> None:
    model = cp_model.CpModel()
    total = _pairs_must_break(model, 9)
    split, split_asked = _split_after_a_stalled_core_phase(monkeypatch, model, total)
    asked: list[dict[str, object]] = []
    bounds: list[int] = []

    def configure(solver: cp_model.CpSolver, limit: float | None, parameters: dict) -> None:
        asked.append(parameters)
        _late_first_probe(parameters)
        solver.parameters.num_workers = 1

    found = budget_search(
        model,
        total,
        lower,
        configure=configure,
        remaining=_unlimited,
        on_bound=bounds.append,
        split=split,
        relaxation=_ring_relaxation(9),
    )
    assert found.status == cp_model.OPTIMAL and found.value == 5 and found.lower == 5
    assert bounds[0] == 5  # no budget in between: from the relaxation or the probe at 4
    assert breaks.CORE_ALONE_PARAMETERS in asked and split_asked == []  # the race decided


def test_a_relaxation_at_the_minima_leaves_the_budget_above_them_to_the_split(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The probe refutes the minima (0); the relaxation proves nothing above them itself,
    # so the split decides 1, as without a relaxation.
    model = cp_model.CpModel()
    total = _pairs_must_break(model, 9)
    split, split_asked = _split_after_a_stalled_core_phase(monkeypatch, model, total)
    at_the_minima = cp_model.CpModel()
    free = at_the_minima.NewIntVar(0, 9, "breaks")
    at_the_minima.Minimize(free)

    budget_search(
        model,
        total,
        0,
        configure=_one_worker,
        remaining=lambda: 5.0,
        split=split,
        relaxation=Relaxation(at_the_minima, free, []),
    )
    assert split_asked  # the split was asked for budget 1


def test_a_relaxation_is_not_asked_with_one_worker() -> None:
    model = cp_model.CpModel()
    total = _pairs_must_break(model, 5)
    asked: list[dict[str, object]] = []

    found = budget_search(
        model,
        total,
        0,
        configure=_recording(asked),
        remaining=_unlimited,
        workers=1,
        relaxation=_ring_relaxation(5),
    )
    assert found.status == cp_model.OPTIMAL and found.value == 3
    assert breaks.CORE_ALONE_PARAMETERS not in asked


def test_a_relaxation_without_solutions_proves_that_no_schedule_exists() -> None:
    model = cp_model.CpModel()
    total = _pairs_must_break(model, 5)
    impossible = _ring_relaxation(5)
    impossible.model.Add(impossible.total <= 2)

    def configure(solver: cp_model.CpSolver, limit: float | None, parameters: dict) -> None:
        _late_first_probe(parameters)
        solver.parameters.num_workers = 1

    found = budget_search(
        model, total, 0, configure=configure, remaining=_unlimited, relaxation=impossible
    )
    assert found.status == cp_model.INFEASIBLE


def test_the_relaxation_watch_stops_the_probe_only_past_its_budget() -> None:
    probe = StopToken()
    watch = breaks._RelaxationWatch(None, probe, 3)
    try:
        watch.bound_rose(2.0)
        watch.bound_rose(3.0)  # no more than the probe's budget
        assert watch.floor == 3 and not probe.stopped
        watch.bound_rose(3.2)  # a bound of 4, above the probe's budget
        assert watch.floor == 4 and probe.stopped
    finally:
        watch.close()


def test_the_relaxation_stalls_only_once_its_search_has_started(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(breaks, "RELAXATION_STALL", 0.1)
    watch = breaks._RelaxationWatch(None, StopToken(), 0)
    try:
        time.sleep(0.3)
        assert not watch.token.stopped  # still in presolve: no bound yet
        watch.bound_rose(0.0)
        time.sleep(0.3)
        assert watch.token.stopped
    finally:
        watch.close()


def _pairs(pairs: list[tuple[str, str, bool]], slots: int, tables: int) -> Event:
    """Participants a, b, c in one session; each (x, y, required) is a request of x and y."""
    return Event.model_validate(
        {
            "name": "pairs",
            "sessions": [
                {"id": "am", "start": "2024-05-02T09:00", "slot_minutes": 30, "slots": slots}
            ],
            "locations": [{"id": "hall", "tables": tables}],
            "participants": [{"id": p} for p in ("a", "b", "c")],
            "requests": [
                {"id": f"{x}{y}", "participants": [x, y], "required": required}
                for x, y, required in pairs
            ],
        }
    )


@pytest.mark.parametrize("required", [True, False])
def test_only_events_whose_requests_are_all_required_get_the_relaxation(required: bool) -> None:
    event = _pairs([("a", "b", required), ("b", "c", True)], slots=4, tables=1)
    timetable = TimetableModel(compile_event(event), SolveOptions(goals=[Goal.BREAKS]))
    relaxation = _relaxation(timetable, SolveOptions(goals=[Goal.BREAKS]))
    assert (relaxation is not None) == required
    one_worker = SolveOptions(goals=[Goal.BREAKS], workers=1)
    assert _relaxation(timetable, one_worker) is None


@pytest.mark.parametrize("maxsat", [True, False])
def test_beside_rc2_the_first_probe_gets_no_relaxation(
    monkeypatch: pytest.MonkeyPatch, maxsat: bool
) -> None:
    pytest.importorskip("pysat")
    event = _pairs([("a", "b", True), ("a", "c", True), ("b", "c", True)], slots=3, tables=2)
    asked: dict[str, object] = {}
    real = breaks.budget_search

    def budget_search(*args: object, **kwargs: object) -> breaks.BudgetOutcome:
        asked.update(kwargs)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(search.break_search, "budget_search", budget_search)
    options = SolveOptions(goals=[Goal.BREAKS], maxsat=maxsat, time_limit=20)
    result = solve(event, options)
    assert result.status.value == "optimal" and result.schedule.objective is not None
    assert result.schedule.objective.breaks == 1
    assert check(event, result.schedule, options) == []
    assert (asked["maxsat"] is not None) == maxsat
    assert (asked["relaxation"] is None) == maxsat


@pytest.mark.parametrize(("lower", "minimises"), [(0, False), (5, True)])
def test_a_first_probe_above_zero_minimises_the_total_and_ends_at_its_first_schedule(
    monkeypatch: pytest.MonkeyPatch, lower: int, minimises: bool
) -> None:
    model = cp_model.CpModel()
    total = _pairs_must_break(model, 9)
    asked: list[tuple[bool, object]] = []
    real = breaks.solve_watched

    def watched(
        solver: cp_model.CpSolver,
        question: cp_model.CpModel,
        stop: StopToken | None,
        callback: cp_model.CpSolverSolutionCallback | None = None,
    ) -> object:
        asked.append((question.has_objective(), callback))
        return real(solver, question, stop, callback)

    monkeypatch.setattr(breaks, "solve_watched", watched)
    found = budget_search(model, total, lower, configure=_one_worker, remaining=_unlimited)
    assert found.status == cp_model.OPTIMAL and found.value == 5
    assert found.solver is not None and found.solver.Value(total) == 5
    objective, callback = asked[0]
    assert objective == minimises
    assert isinstance(callback, breaks._FirstSchedule) == minimises


def test_a_minimising_probe_above_the_optimum_answers_with_a_schedule_within_it() -> None:
    model = cp_model.CpModel()
    total = _pairs_must_break(model, 9)

    found = breaks._probe(model, total, 7, _one_worker, _unlimited, 1.0, minimise=True)
    assert found.status == cp_model.OPTIMAL and found.value is not None
    assert 5 <= found.value <= 7
    assert found.solver is not None and found.solver.Value(total) == found.value
