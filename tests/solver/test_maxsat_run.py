"""RC2 in a thread of its own (solver/maxsat_run.py), and how the budget search uses it: from
a moment into the first probe (or from the start without one), stopped for the case split,
never waited for once stopped."""

from __future__ import annotations

import logging
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from ortools.sat.python import cp_model
from tests.solver.test_budget_search import _stalled_core_phase
from tests.solver.test_maxsat import _race_model

from matchsched.solver import breaks
from matchsched.solver.cpsat.run import StopToken
from matchsched.solver.maxsat_run import DeferredRun, MaxSatRun

WAIT = 10.0
"""Seconds a test waits for something that should happen at once (never reached when it does)."""


def test_wait_returns_the_answer_once_the_job_ends() -> None:
    answered = threading.Event()
    run = MaxSatRun(lambda stopped, proved: 7, None, on_answer=answered.set)
    assert run.wait(StopToken()) == 7
    assert run.ended and run.answer() == 7
    assert answered.wait(WAIT)


def test_a_job_without_an_answer_does_not_call_on_answer() -> None:
    answered = threading.Event()
    run = MaxSatRun(lambda stopped, proved: None, None, on_answer=answered.set)
    assert run.wait(StopToken()) is None
    assert run.ended and not answered.is_set()


def test_wait_gives_up_when_its_token_stops_first() -> None:
    release = threading.Event()
    run = MaxSatRun(lambda stopped, proved: 7 if release.wait(WAIT) else None, None)
    until = StopToken()
    until.stop()
    assert run.wait(until) is None
    assert not run.ended and run.answer() is None  # the job was not waited for
    release.set()
    assert run.wait(StopToken()) == 7


def test_the_run_is_stopped_by_its_own_token_and_by_the_callers() -> None:
    caller = StopToken()
    run = MaxSatRun(lambda stopped, proved: None if _until(stopped) else 7, caller)
    caller.stop()
    assert run.wait(StopToken()) is None
    own = MaxSatRun(lambda stopped, proved: None if _until(stopped) else 7, None)
    own.stop.stop()
    assert own.wait(StopToken()) is None


def test_a_failing_job_is_logged_and_gives_no_answer(caplog: pytest.LogCaptureFixture) -> None:
    def failing(stopped: object, proved: object) -> int:
        raise RuntimeError("boom")

    with caplog.at_level(logging.ERROR, logger="matchsched"):
        run = MaxSatRun(failing, None)
        assert run.wait(StopToken()) is None
    assert "the MaxSAT side failed" in caplog.text


def _until(stopped: Any) -> bool:
    """Waits until ``stopped()`` is true (at most :data:`WAIT` seconds); True if it was."""
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        if stopped():
            return True
        time.sleep(0.01)
    return False


def _one_worker(solver: cp_model.CpSolver, limit: float | None, parameters: dict) -> None:
    solver.parameters.num_workers = 1
    if limit is not None:
        solver.parameters.max_time_in_seconds = limit


def _stall_the_core_phase(
    monkeypatch: pytest.MonkeyPatch, model: cp_model.CpModel, total: cp_model.LinearExprT
) -> None:
    """The core phase stalls with a 9-break schedule and the bound 1."""
    monkeypatch.setattr(
        breaks, "_core_phase", lambda *args, **keywords: _stalled_core_phase(model, total, 9)
    )


def _the_optimum(literals: list[cp_model.IntVar]) -> tuple[int, list]:
    """RC2's answer on the race model: 4 breaks, the first four literals true."""
    return 4, [(b, i < 4) for i, b in enumerate(literals)]


@pytest.mark.parametrize("step", ["_probe", "_core_phase"])
def test_rc2_runs_from_the_first_probe_on_and_its_answer_stops_the_step_running(
    monkeypatch: pytest.MonkeyPatch, step: str
) -> None:
    model, total, literals = _race_model()
    monkeypatch.setattr(breaks, "MAXSAT_DELAY", 0.05)  # RC2 joins a first probe this late
    in_the_step, stopped_by_rc2 = threading.Event(), threading.Event()

    def running(*args: Any, **keywords: Any) -> object:
        stop: StopToken = keywords.get("stop") or args[6]  # the core phase's, or the probe's
        in_the_step.set()
        if _until(lambda: stop.stopped):  # the step runs until something stops it
            stopped_by_rc2.set()
        if step == "_probe":
            return breaks.BudgetOutcome(cp_model.UNKNOWN, 0)
        return _stalled_core_phase(model, total, 9)

    monkeypatch.setattr(breaks, step, running)

    def rc2(stopped: object, limit: float | None, proved: object) -> tuple[int, list] | None:
        return _the_optimum(literals) if in_the_step.wait(WAIT) else None

    if step == "_core_phase":  # beside RC2 it runs only with the case split next
        found = _search_where_the_split_comes_next(model, total, rc2)
    else:
        found = breaks.budget_search(
            model, total, 0, configure=_one_worker, remaining=lambda: 30.0, maxsat=rc2
        )
    assert stopped_by_rc2.is_set()
    _assert_the_optimum(found, literals)


@pytest.mark.parametrize(
    "rc2_starts",
    [
        False,  # the probe finds a timetable within the delay: RC2 never starts
        True,  # the probe refutes 0 breaks within the delay: RC2 starts at once
    ],
    ids=["decided", "refuted"],
)
def test_rc2_waits_for_a_first_probe_that_decides_quickly(
    monkeypatch: pytest.MonkeyPatch, rc2_starts: bool
) -> None:
    model, total, literals = _race_model()
    _stall_the_core_phase(monkeypatch, model, total)
    monkeypatch.setattr(breaks, "MAXSAT_DELAY", WAIT)  # never reached by the probe
    found_at_0 = breaks.BudgetOutcome(cp_model.OPTIMAL, 0, cp_model.CpSolver(), 0)
    probed = breaks.BudgetOutcome(cp_model.INFEASIBLE, 0) if rc2_starts else found_at_0
    monkeypatch.setattr(breaks, "_probe", lambda *args, **keywords: probed)
    started = threading.Event()

    def rc2(stopped: object, limit: float | None, proved: object) -> tuple[int, list]:
        started.set()
        return _the_optimum(literals)

    began = time.monotonic()
    found = breaks.budget_search(
        model, total, 0, configure=_one_worker, remaining=lambda: 30.0, maxsat=rc2
    )
    assert time.monotonic() - began < WAIT  # nobody waited for the delay
    assert started.is_set() == rc2_starts
    if rc2_starts:
        _assert_the_optimum(found, literals)
    else:
        assert found is found_at_0


def test_a_deferred_run_starts_after_its_delay_unless_settled_first() -> None:
    started: list[MaxSatRun[int]] = []

    def start() -> MaxSatRun[int]:
        return MaxSatRun(lambda stopped, proved: 7, None)

    early = DeferredRun(start, WAIT, started.append)
    assert early.settle() is None
    late = DeferredRun(start, 0.01, started.append)
    assert _until(lambda: started)
    run = late.settle()
    assert started == [run] and run is not None
    assert run.wait(StopToken()) == 7
    time.sleep(0.05)
    assert len(started) == 1  # the settled one never started


def _assert_the_optimum(found: breaks.BudgetOutcome, literals: list[cp_model.IntVar]) -> None:
    """The search returned RC2's answer (:func:`_the_optimum`), taken into the model."""
    assert found.status == cp_model.OPTIMAL and found.value == 4
    assert found.solver is not None
    assert [found.solver.boolean_value(b) for b in literals] == [True] * 4 + [False] * 6


def _search_where_the_split_comes_next(
    model: cp_model.CpModel, total: cp_model.LinearExprT, rc2: breaks.MaxSat
) -> breaks.BudgetOutcome:
    """The budget search from the minima 0: its first probe refutes 0, and the stalled core
    phase leaves 1, one above the minima, to the case split."""
    return breaks.budget_search(
        model,
        total,
        0,
        configure=_one_worker,
        remaining=lambda: 30.0,
        split=breaks.ParticipantSplit({}, {}, [], lambda *a: None),
        maxsat=rc2,
    )


def test_the_case_split_runs_without_rc2_and_the_race_starts_it_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    model, total, literals = _race_model()
    _stall_the_core_phase(monkeypatch, model, total)  # bound 1 = minima + 1: the split next
    runs: list[threading.Event] = []
    stopped_at_the_split: list[bool] = []

    def rc2(stopped: Any, limit: float | None, proved: object) -> tuple[int, list] | None:
        ended = threading.Event()
        runs.append(ended)
        try:
            if len(runs) == 1:  # the head start: stopped for the split
                return None if _until(stopped) else (4, [])
            return _the_optimum(literals)
        finally:
            ended.set()

    def split(*args: Any, **keywords: Any) -> breaks.BudgetOutcome:
        stopped_at_the_split.append(runs[0].wait(WAIT))
        return breaks.BudgetOutcome(cp_model.INFEASIBLE, 1)  # no schedule with 1 break

    monkeypatch.setattr(breaks, "split_by_participant", split)
    found = _search_where_the_split_comes_next(model, total, rc2)
    assert stopped_at_the_split == [True]
    assert len(runs) == 2
    assert found.status == cp_model.OPTIMAL and found.value == 4


def test_the_search_does_not_wait_for_a_stopped_rc2(monkeypatch: pytest.MonkeyPatch) -> None:
    model, total, _ = _race_model()
    _stall_the_core_phase(monkeypatch, model, total)
    release, ended = threading.Event(), threading.Event()

    def deaf(stopped: object, limit: float | None, proved: object) -> None:
        release.wait(WAIT)  # a job that does not see the stop
        ended.set()

    found = breaks.budget_search(
        model, total, 2, configure=_one_worker, remaining=lambda: 30.0, maxsat=deaf
    )
    assert not ended.is_set()  # returned while RC2 was still in its call
    release.set()
    assert found.status == cp_model.OPTIMAL and found.value == 4  # the core side decided


@pytest.mark.parametrize("workers", [1, 2])
def test_the_answer_is_taken_with_one_worker_or_two(
    monkeypatch: pytest.MonkeyPatch, workers: int
) -> None:
    model, total, literals = _race_model()
    _stall_the_core_phase(monkeypatch, model, total)
    starts: list[float | None] = []

    def rc2(stopped: object, limit: float | None, proved: object) -> tuple[int, list]:
        starts.append(limit)
        return _the_optimum(literals)

    found = breaks.budget_search(
        model,
        total,
        2,
        configure=_one_worker,
        remaining=lambda: 30.0,
        workers=workers,
        maxsat=rc2,
    )
    assert found.status == cp_model.OPTIMAL and found.value == 4
    assert starts == [30.0 - breaks.MAXSAT_RESERVE]


def test_an_answer_that_comes_as_the_split_starts_is_taken(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    model, total, literals = _race_model()
    _stall_the_core_phase(monkeypatch, model, total)
    runs: list[bool] = []

    def rc2(stopped: Any, limit: float | None, proved: object) -> tuple[int, list]:
        runs.append(True)
        _until(stopped)  # RC2 had its optimum when the split stopped it: the answer still comes
        return _the_optimum(literals)

    def split(*args: Any) -> breaks.BudgetOutcome:
        stop: StopToken = args[-1]
        _until(lambda: stop.stopped)  # the split runs until the answer stops it
        return breaks.BudgetOutcome(cp_model.UNKNOWN, 1)

    monkeypatch.setattr(breaks, "split_by_participant", split)
    found = _search_where_the_split_comes_next(model, total, rc2)
    assert runs == [True]
    assert found.status == cp_model.OPTIMAL and found.value == 4


def test_an_answer_without_time_to_confirm_it_is_not_called_wrong(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    model, total, literals = _race_model()
    clock = iter([30.0])  # RC2 starts with 30 s; when it answers, the time is up

    def remaining() -> float:
        return next(clock, 0.0)

    def rc2(stopped: object, limit: float | None, proved: object) -> tuple[int, list]:
        return _the_optimum(literals)

    with caplog.at_level(logging.INFO, logger="matchsched"):
        run = breaks._start_maxsat(rc2, model, total, _one_worker, remaining, None)
        assert run.wait(StopToken()) is None
    assert "no time left to take the MaxSAT answer into the model" in caplog.text
    assert "does not hold in the model" not in caplog.text


def test_a_process_that_ends_waits_for_a_run_still_in_its_call(tmp_path: Path) -> None:
    # The run's thread is not a daemon: the process ends only once the job has returned
    # (the MaxSAT job then kills RC2's process itself).
    finished = tmp_path / "finished"
    script = (
        "import time\n"
        "from matchsched.solver.maxsat_run import MaxSatRun\n"
        "def job(stopped, proved):\n"
        "    time.sleep(0.5)  # a SAT call that does not see the stop\n"
        f"    open({str(finished)!r}, 'w').close()\n"
        "run = MaxSatRun(job, None)\n"
        "run.stop.stop()\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert finished.exists()


def test_listeners_hear_the_bound_so_far_and_each_rise() -> None:
    proved_two, go_on = threading.Event(), threading.Event()

    def job(stopped: object, proved: Any) -> None:
        proved(2)
        proved_two.set()
        go_on.wait(WAIT)
        for bound in (2, 1, 3):  # only a rise is news
            proved(bound)

    run = MaxSatRun(job, None)
    assert proved_two.wait(WAIT)
    heard: list[int] = []
    run.listen(heard.append)
    go_on.set()
    run.wait(StopToken())
    assert heard == [2, 3] and run.bound == 3


def _rc2_with_a_bound(bound: int, given: threading.Event) -> breaks.MaxSat:
    """RC2 that proves ``bound`` at once (its cores), then finds nothing until stopped."""

    def rc2(stopped: Any, limit: float | None, proved: Any) -> None:
        proved(bound)
        given.set()
        _until(stopped)

    return rc2


def test_rc2s_bound_stops_the_first_probe_below_it(monkeypatch: pytest.MonkeyPatch) -> None:
    model, total, _ = _race_model()
    monkeypatch.setattr(breaks, "MAXSAT_DELAY", 0.05)
    _stall_the_core_phase(monkeypatch, model, total)
    probes: list[tuple[int, bool]] = []

    def probe(*args: Any, **keywords: Any) -> breaks.BudgetOutcome:
        stop: StopToken = keywords["stop"]
        probes.append((args[2], _until(lambda: stop.stopped)))  # runs until stopped
        return breaks.BudgetOutcome(cp_model.UNKNOWN, args[2])

    monkeypatch.setattr(breaks, "_probe", probe)
    bounds: list[int] = []
    found = breaks.budget_search(
        model,
        total,
        0,
        configure=_one_worker,
        remaining=lambda: 30.0,
        on_bound=bounds.append,
        maxsat=_rc2_with_a_bound(2, threading.Event()),
    )
    assert probes[0] == (0, True)  # the first probe, at 0, stopped by RC2's 2
    assert bounds[0] == 2
    assert found.status == cp_model.OPTIMAL and found.value == 4  # the core side decided


@pytest.mark.parametrize(
    ("lower", "with_rc2", "probed"),
    [
        (0, True, [0]),  # at 0 the probe fixes every break literal: asked first
        (2, True, []),  # above 0 beside RC2: the race from the minima at once
        (2, False, [2]),  # without RC2 the probe is asked first at any minima
    ],
)
def test_beside_rc2_the_search_probes_first_only_at_0_breaks(
    monkeypatch: pytest.MonkeyPatch, lower: int, with_rc2: bool, probed: list[int]
) -> None:
    model, total, _ = _race_model()
    _stall_the_core_phase(monkeypatch, model, total)
    probes: list[int] = []

    def probe(*args: Any, **keywords: Any) -> breaks.BudgetOutcome:
        probes.append(args[2])
        return breaks.BudgetOutcome(cp_model.UNKNOWN, args[2])  # undecided

    monkeypatch.setattr(breaks, "_probe", probe)
    found = breaks.budget_search(
        model,
        total,
        lower,
        configure=_one_worker,
        remaining=lambda: 30.0,
        maxsat=_rc2_with_a_bound(lower, threading.Event()) if with_rc2 else None,
    )
    assert probes[:1] == probed
    assert found.status == cp_model.OPTIMAL and found.value == 4  # the core side decided


@pytest.mark.parametrize(
    ("with_rc2", "with_split", "expected"),
    [
        (True, True, [breaks.BESIDE_RC2_STALL]),  # the phase, until its first schedule
        (True, False, []),  # no phase: the race starts at once
        (False, False, [None]),  # the phase with its stall rules
    ],
)
def test_beside_rc2_the_core_phase_runs_only_before_the_split(
    monkeypatch: pytest.MonkeyPatch, with_rc2: bool, with_split: bool, expected: list
) -> None:
    model, total, _ = _race_model()
    stalls: list[float | None] = []

    def core_phase(*args: Any, stall: float | None, **keywords: Any) -> breaks.BudgetOutcome:
        stalls.append(stall)
        return breaks.BudgetOutcome(cp_model.UNKNOWN, 1)  # no schedule: the search ends

    monkeypatch.setattr(breaks, "_core_phase", core_phase)  # after the probe refutes 0
    rc2 = _rc2_with_a_bound(0, threading.Event()) if with_rc2 else None
    found = breaks.budget_search(
        model,
        total,
        0,
        configure=_one_worker,
        remaining=lambda: 30.0,
        split=breaks.ParticipantSplit({}, {}, [], lambda *a: None) if with_split else None,
        maxsat=rc2,
    )
    assert stalls == expected
    if with_rc2 and not with_split:  # the race's core side found the optimum
        assert found.status == cp_model.OPTIMAL and found.value == 4


def test_the_races_core_side_proves_that_there_is_no_schedule_at_all() -> None:
    """Beside RC2 there is no core phase, so the race's core side decides an event without
    any schedule (RC2 here never answers)."""
    model, total, _ = _race_model()
    model.add(total <= 3)  # and at least 4: no schedule
    deadline = time.monotonic() + 5.0
    found = breaks.budget_search(
        model,
        total,
        0,
        configure=_one_worker,
        remaining=lambda: deadline - time.monotonic(),
        maxsat=_rc2_with_a_bound(0, threading.Event()),
    )
    assert found.status == cp_model.INFEASIBLE


@pytest.mark.parametrize("bound", [1, 3])  # the split's budget itself, or past it
def test_no_case_split_for_a_budget_rc2s_cores_have_reached(
    monkeypatch: pytest.MonkeyPatch, bound: int
) -> None:
    model, total, _ = _race_model()
    given = threading.Event()

    def stalled(*args: Any, **keywords: Any) -> breaks.BudgetOutcome:
        given.wait(WAIT)  # RC2 has proven its bound by the end of the core phase
        return _stalled_core_phase(model, total, 9)  # bound 1 = minima + 1: the split next

    monkeypatch.setattr(breaks, "_core_phase", stalled)
    splits: list[bool] = []

    def split(*args: Any) -> breaks.BudgetOutcome:
        splits.append(True)
        return breaks.BudgetOutcome(cp_model.INFEASIBLE, 1)

    monkeypatch.setattr(breaks, "split_by_participant", split)
    found = _search_where_the_split_comes_next(model, total, _rc2_with_a_bound(bound, given))
    assert splits == []  # RC2 keeps its core: it has refuted everything below the budget
    assert found.status == cp_model.OPTIMAL and found.value == 4 and found.lower == 4


def test_rc2s_bound_proves_the_core_sides_schedule_optimal(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    model, total, _ = _race_model()
    _stall_the_core_phase(monkeypatch, model, total)
    core_found = threading.Event()

    def core_side(*args: Any, **keywords: Any) -> breaks.BudgetOutcome:
        race: Any = args[2]
        found = _stalled_core_phase(model, total, 4)  # a schedule at the optimum, unproven
        race.found(4)
        core_found.set()
        _until(lambda: race.done.stopped)
        return found

    def rc2(stopped: Any, limit: float | None, proved: Any) -> None:
        core_found.wait(WAIT)
        proved(4)  # the cores prove what the core side found: no answer needed
        _until(stopped)

    monkeypatch.setattr(breaks, "_core_side", core_side)
    started = time.monotonic()
    found = breaks.budget_search(
        model, total, 2, configure=_one_worker, remaining=lambda: 30.0, maxsat=rc2
    )
    assert found.status == cp_model.OPTIMAL and found.value == 4
    assert time.monotonic() - started < WAIT  # decided by the bound, not by a side giving up


@pytest.mark.parametrize("floor", [True, False])
def test_the_core_side_minimises_from_the_races_budget_only_with_a_floor(
    monkeypatch: pytest.MonkeyPatch, floor: bool
) -> None:
    """Without the floor the core side asks the whole model, with the total as its objective."""
    model = cp_model.CpModel()
    literals = [model.new_bool_var(f"b{i}") for i in range(10)]
    total = sum(literals)
    asked: list[cp_model.CpModel] = []
    solve_watched = breaks.solve_watched

    def solve(solver: cp_model.CpSolver, question: cp_model.CpModel, *rest: Any) -> object:
        asked.append(question)
        return solve_watched(solver, question, *rest)

    monkeypatch.setattr(breaks, "solve_watched", solve)
    race = breaks._Race(3, None, None)  # budgets 0 to 2 refuted
    cored = breaks._core_side(model, total, race, _one_worker, lambda: 30.0, floor=floor)
    assert cored is not None and cored.value == (3 if floor else 0)
    (question,) = asked
    assert len(question.proto.constraints) == (1 if floor else 0)  # "total >= 3"
    assert sorted(question.proto.objective.vars) == sorted(b.index for b in literals)


@pytest.mark.parametrize("with_rc2", [True, False])
def test_beside_rc2_the_races_core_side_has_no_floor(
    monkeypatch: pytest.MonkeyPatch, with_rc2: bool
) -> None:
    """RC2's cores raise the race's budget at moments that vary from run to run (docs/jair.md)."""
    model, total, literals = _race_model()
    floors: list[bool] = []
    core_side = breaks._core_side

    def recorded(*args: Any, floor: bool, **keywords: Any) -> breaks.BudgetOutcome | None:
        floors.append(floor)
        return core_side(*args, floor=floor, **keywords)

    monkeypatch.setattr(breaks, "_core_side", recorded)

    def rc2(stopped: object, limit: float | None, proved: object) -> tuple[int, list]:
        return _the_optimum(literals)

    run = (
        breaks._start_maxsat(rc2, model, total, _one_worker, lambda: 30.0, None)
        if with_rc2
        else None
    )
    race = breaks._Race(2, None, None)
    found = breaks._race(model, total, race, None, _one_worker, lambda: 30.0, 2, rc2=run)
    assert floors == [not with_rc2]
    assert found.status == cp_model.OPTIMAL and found.value == 4
    if run is not None:
        run.stop.stop()
