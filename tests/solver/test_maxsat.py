"""The breaks goal as MaxSAT (solver/maxsat.py): RC2's optimum on the event's clauses is the
CP-SAT model's, its timetables pass the checker, and the race takes its answer."""

from __future__ import annotations

import contextlib
import logging
import os
import pickle
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ortools.sat.python import cp_model
from tests.solver.test_budget_search import _stalled_core_phase
from tests.solver.test_heuristics import schedule_of

from matchsched.adapters.dzn import read_dzn
from matchsched.check import check, evaluate
from matchsched.model import Event
from matchsched.options import Goal, SolveOptions
from matchsched.solver import breaks, maxsat, search
from matchsched.solver.compile import compile_event
from matchsched.solver.cpsat.model import TimetableModel
from matchsched.solver.cpsat.variables import occupancy
from strategies import breaks_events

JAIR = Path(__file__).resolve().parents[2] / ".." / "shared" / "instances" / "jair2022"


def _optimum_by_cpsat(event: Event, options: SolveOptions) -> int | None:
    timetable = TimetableModel(compile_event(event), options)
    timetable.model.minimize(timetable.goals[Goal.BREAKS])
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = 20
    status = solver.solve(timetable.model)
    assert status in (cp_model.OPTIMAL, cp_model.INFEASIBLE)
    return round(solver.objective_value) if status == cp_model.OPTIMAL else None


def _never() -> bool:
    return False


def _ignored(bound: int) -> None:
    pass


@st.composite
def _events_with_rules(draw: st.DrawFn) -> tuple[Event, SolveOptions]:
    """Small JAIR-like events, with a ``max_breaks``, a spread and a precedence or none."""
    event, spread = draw(breaks_events())
    if len(event.requests) > 1 and draw(st.booleans()):
        first, second = draw(st.permutations(event.requests))[:2]
        requests = [
            r.model_copy(update={"after": [first.id]}) if r.id == second.id else r
            for r in event.requests
        ]
        event = event.model_copy(update={"requests": requests})
    options = SolveOptions(
        goals=[Goal.BREAKS],
        max_break_spread=spread,
        max_breaks=draw(st.sampled_from([None, 0, 1])),
    )
    return event, options


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_events_with_rules())
def test_rc2_finds_the_optimum_of_the_cpsat_model(case: tuple[Event, SolveOptions]) -> None:
    event, options = case
    compiled = compile_event(event)
    assert maxsat.applies(compiled, options)
    clauses = maxsat.encode(compiled, occupancy(compiled), options)
    assert clauses.top >= max(abs(literal) for clause in clauses.hard for literal in clause)
    bounds: list[int] = []
    answer = maxsat.solve(clauses, _never, 20.0, bounds.append)
    optimum = _optimum_by_cpsat(event, options)
    if optimum is None:
        assert answer is None  # no timetable: the clauses have no solution either
        return
    assert answer is not None and answer.breaks == optimum
    assert bounds == list(range(1, optimum + 1))  # one core per break, each reported
    schedule = schedule_of(compiled, answer.chosen)
    assert check(event, schedule, options) == []
    assert evaluate(event, schedule).breaks == optimum


@pytest.mark.parametrize(("name", "optimum"), [("forumt-14crafd", 4), ("forumt-14", 5)])
def test_rc2_proves_published_jair_optima(name: str, optimum: int) -> None:
    event, options = read_dzn(JAIR / "original" / f"{name}.original.dzn", fairness=2)
    compiled = compile_event(event)
    assert maxsat.applies(compiled, options)
    bounds: list[int] = []
    clauses = maxsat.encode(compiled, occupancy(compiled), options)
    answer = maxsat.solve(clauses, _never, 60.0, bounds.append)
    assert answer is not None and answer.breaks == optimum
    assert bounds == list(range(1, optimum + 1))  # RC2's lower bounds, as its cores came
    schedule = schedule_of(compiled, answer.chosen)
    assert check(event, schedule, options) == []
    assert evaluate(event, schedule).breaks == optimum


@pytest.mark.parametrize("stop, limit", [("asked", None), ("never", 0.5)])
def test_a_stop_request_or_the_time_limit_ends_the_solve_and_kills_its_process(
    stop: str, limit: float | None
) -> None:
    stopped = _after(0.5) if stop == "asked" else _never
    answers: list[maxsat.MaxSatAnswer | None] = []
    solve = threading.Thread(
        target=lambda: answers.append(maxsat.solve(_pigeonholes(), stopped, limit))
    )
    solve.start()
    solve.join(60)  # RC2 would need far longer: the process must be killed
    assert answers == [None]
    assert _rc2_processes(os.getpid()) == []


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes from /proc")
def test_the_rc2_process_ends_when_its_parent_is_killed(tmp_path: Path) -> None:
    clauses = tmp_path / "clauses.pickle"
    clauses.write_bytes(pickle.dumps(_pigeonholes()))
    script = (
        "import pickle\n"
        "from matchsched.solver import maxsat\n"
        f"clauses = pickle.loads(open({str(clauses)!r}, 'rb').read())\n"
        "sent = maxsat._Rc2Process.send\n"
        "def send(self, *messages):\n"
        "    done = sent(self, *messages)\n"
        "    print('sent', flush=True)  # the process has its clauses: it solves now\n"
        "    return done\n"
        "maxsat._Rc2Process.send = send\n"
        "maxsat.solve(clauses, lambda: False, None)\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE)
    children: list[int] = []
    try:
        assert parent.stdout is not None and parent.stdout.readline() == b"sent\n"
        children = _until_found(lambda: _rc2_processes(parent.pid))
        assert len(children) == 1
        time.sleep(0.5)  # it reads its clauses and solves
    finally:
        parent.kill()
        parent.wait()
    try:
        assert _until_found(lambda: not _running(children[0]))
    finally:
        for child in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(child, signal.SIGKILL)


def _pigeonholes(holes: int = 12) -> maxsat.WeightedCnf:
    """One more pigeon than holes: clauses Glucose refutes only after hours."""

    def sits(pigeon: int, hole: int) -> int:
        return 1 + pigeon * holes + hole

    hard = [[sits(p, h) for h in range(holes)] for p in range(holes + 1)]
    for h in range(holes):
        for p in range(holes + 1):
            hard += [[-sits(p, h), -sits(q, h)] for q in range(p + 1, holes + 1)]
    return maxsat.WeightedCnf(
        hard=hard, breaks=[sits(0, 0)], candidates=[], top=sits(holes, holes - 1)
    )


def _after(seconds: float) -> Callable[[], bool]:
    """A stop request that comes ``seconds`` from now."""
    at = time.monotonic() + seconds
    return lambda: time.monotonic() > at


def test_a_failing_rc2_process_is_warned_about(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    failing = tmp_path / "failing.py"
    failing.write_text("import sys\nsys.exit('no SAT solver here')\n")
    monkeypatch.setattr(maxsat, "RC2_SCRIPT", failing)
    with caplog.at_level(logging.WARNING, logger="matchsched"):
        assert maxsat.solve(_clauses("tic-12"), _never, None) is None
    assert "the RC2 process ended with code 1: no SAT solver here" in caplog.text


def _clauses(name: str) -> maxsat.WeightedCnf:
    """The clauses of a JAIR original at d = 2."""
    event, options = read_dzn(JAIR / "original" / f"{name}.original.dzn", fairness=2)
    compiled = compile_event(event)
    return maxsat.encode(compiled, occupancy(compiled), options)


def _rc2_processes(parent: int) -> list[int]:
    """The running RC2 processes whose parent is ``parent`` (Linux: read from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and _running(int(entry.name)):
            try:
                stat = (entry / "stat").read_text()
                command = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == parent and b"rc2_process" in command:
                found.append(int(entry.name))
    return found


def _running(pid: int) -> bool:
    """True while the process exists and is not a zombie (one nobody has reaped)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _until_found(look: Callable[[], Any]) -> Any:
    """``look()`` once it is truthy, or its last value after 60 s."""
    deadline = time.monotonic() + 60
    while not (found := look()) and time.monotonic() < deadline:
        time.sleep(0.05)
    return found


def _breaks_event(**changes: object) -> Event:
    event, _ = read_dzn(JAIR / "original" / "tic-12.original.dzn", fairness=2)
    return event.model_copy(update=changes)


def test_only_the_events_the_encoding_covers_get_it() -> None:
    options = SolveOptions(goals=[Goal.BREAKS], max_break_spread=2)
    event = _breaks_event()
    assert maxsat.applies(compile_event(event), options)
    optional = [event.requests[0].model_copy(update={"required": False}), *event.requests[1:]]
    assert not maxsat.applies(compile_event(_breaks_event(requests=optional)), options)
    busy = [event.participants[0].model_copy(update={"max_meetings": 3}), *event.participants[1:]]
    assert not maxsat.applies(compile_event(_breaks_event(participants=busy)), options)
    assert not maxsat.applies(compile_event(event), options.model_copy(update={"min_meetings": 1}))


def test_the_option_and_the_extra_decide_whether_the_race_gets_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    event = _breaks_event()
    on = SolveOptions(goals=[Goal.BREAKS], max_break_spread=2)
    timetable = TimetableModel(compile_event(event), on)
    assert search._maxsat(timetable, on) is not None
    assert search._maxsat(timetable, on.model_copy(update={"maxsat": False})) is None
    monkeypatch.setattr(maxsat, "available", lambda: False)
    assert search._maxsat(timetable, on) is None


def _race_model() -> tuple[cp_model.CpModel, cp_model.LinearExprT, list[cp_model.IntVar]]:
    """Ten literals, at least four of them true: the optimum is 4."""
    model = cp_model.CpModel()
    literals = [model.new_bool_var(f"b{i}") for i in range(10)]
    model.add(sum(literals) >= 4)
    return model, sum(literals), literals


def _slow_core_side(solver: cp_model.CpSolver, limit: float | None, parameters: dict) -> None:
    solver.parameters.num_workers = 1
    if parameters is breaks.CORE_ALONE_PARAMETERS:
        time.sleep(1.0)  # let the MaxSAT side answer first


def test_the_race_takes_the_maxsat_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    model, total, literals = _race_model()
    monkeypatch.setattr(
        breaks, "_core_phase", lambda *args, **kwargs: _stalled_core_phase(model, total, 9)
    )
    chosen = [True] * 4 + [False] * 6

    def rc2(stopped: object, limit: float | None, proved: object) -> tuple[int, list]:
        return 4, list(zip(literals, chosen, strict=True))

    found = breaks.budget_search(
        model, total, 0, configure=_slow_core_side, remaining=lambda: 30.0, maxsat=rc2
    )
    assert found.status == cp_model.OPTIMAL and found.value == 4
    assert found.solver is not None
    assert [found.solver.boolean_value(b) for b in literals] == chosen


def test_an_answer_the_model_refuses_is_ignored(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    model, total, literals = _race_model()
    monkeypatch.setattr(
        breaks, "_core_phase", lambda *args, **kwargs: _stalled_core_phase(model, total, 9)
    )

    def wrong(stopped: object, limit: float | None, proved: object) -> tuple[int, list]:
        return 3, [(b, i < 3) for i, b in enumerate(literals)]  # below what the model allows

    with caplog.at_level(logging.WARNING, logger="matchsched"):
        found = breaks.budget_search(
            model,
            total,
            0,
            configure=_slow_core_side,
            remaining=lambda: 30.0,
            maxsat=wrong,
        )
    assert "does not hold in the model" in caplog.text
    assert found.status == cp_model.OPTIMAL and found.value == 4  # the core side decides


def test_the_chosen_candidates_are_the_true_placement_variables() -> None:
    event = _breaks_event()
    options = SolveOptions(goals=[Goal.BREAKS], max_break_spread=2)
    compiled = compile_event(event)
    answer = maxsat.solve(maxsat.encode(compiled, occupancy(compiled), options), _never, 20.0)
    assert answer is not None
    requests = compiled.candidate_request[answer.chosen]
    assert sorted(requests.tolist()) == list(range(len(event.requests)))
    assert np.all(np.diff(answer.chosen) > 0)


def test_a_restarted_rc2_does_not_write_or_pickle_the_clauses_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    event = _breaks_event()
    options = SolveOptions(goals=[Goal.BREAKS], max_break_spread=2)
    timetable = TimetableModel(compile_event(event), options)
    written: list[maxsat.WeightedCnf] = []
    encode = maxsat.encode

    def counted(*args: object) -> maxsat.WeightedCnf:
        written.append(encode(*args))  # type: ignore[arg-type]
        return written[-1]

    monkeypatch.setattr(maxsat, "encode", counted)
    pickled: list[object] = []
    dumps = pickle.dumps

    def counted_dumps(value: object, *args: Any, **keywords: Any) -> bytes:
        pickled.append(value)
        return dumps(value, *args, **keywords)

    monkeypatch.setattr(maxsat.pickle, "dumps", counted_dumps)
    rc2 = search._maxsat(timetable, options)
    assert rc2 is not None
    first, again = rc2(_never, 20.0, _ignored), rc2(_never, 20.0, _ignored)  # head start, race
    assert first is not None and again is not None and first[0] == again[0]
    assert len(written) == 1
    clauses = [v for v in pickled if isinstance(v, tuple) and v[0] is written[0].hard]
    assert len(clauses) == 1  # and pickled once for the RC2 process
