"""Construction heuristics: whatever they build passes the independent checker."""

from __future__ import annotations

import itertools
from types import SimpleNamespace

import numpy as np
from hypothesis import HealthCheck, given, settings
from tests.strategies import events

from matchsched.check import check
from matchsched.generate import generate
from matchsched.model import Event
from matchsched.options import SolveOptions
from matchsched.schedule import Schedule, SolveStatus
from matchsched.solver import assemble, heuristics
from matchsched.solver.compile import Compiled, compile_event
from matchsched.solver.reasons import unscheduled_reasons
from matchsched.solver.tables import assign_tables


def schedule_of(compiled: Compiled, chosen: np.ndarray) -> Schedule:
    """Tables, meetings and reasons for chosen candidates, as the solver assembles them."""
    tables = assign_tables(compiled, chosen, SolveOptions(), time_limit=1.0).tables
    return Schedule(
        event=compiled.event.name,
        status=SolveStatus.FEASIBLE,
        meetings=assemble.meetings(compiled, chosen, tables),
        unscheduled=unscheduled_reasons(compiled, chosen, tables),
    )


def rule_violations(event: Event, schedule: Schedule) -> list[str]:
    """Violations other than "a required request is missing" (a heuristic may miss one)."""
    return [str(v) for v in check(event, schedule) if v.code != "required_unscheduled"]


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(events())
def test_construction_passes_the_checker(event: Event) -> None:
    compiled = compile_event(event)
    timetable = heuristics.construct(compiled)
    assert rule_violations(event, schedule_of(compiled, timetable.candidates())) == []


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(events())
def test_first_come_first_served_passes_the_checker(event: Event) -> None:
    compiled = compile_event(event)
    timetable = heuristics.first_come_first_served(compiled)
    assert rule_violations(event, schedule_of(compiled, timetable.candidates())) == []


def test_breaks_match_the_checker_on_a_generated_event() -> None:
    event = generate(participants=80, seed=4)
    compiled = compile_event(event)
    timetable = heuristics.construct(compiled)
    schedule = schedule_of(compiled, timetable.candidates())
    assert rule_violations(event, schedule) == []
    from matchsched.check import evaluate

    assert evaluate(event, schedule).breaks == int(heuristics.participant_breaks(timetable).sum())


def test_first_come_first_served_books_in_request_order() -> None:
    event = generate(participants=40, seed=5)
    compiled = compile_event(event)
    timetable = heuristics.first_come_first_served(compiled)
    first = int(np.flatnonzero(timetable.chosen >= 0)[0])
    assert (
        compiled.candidate_start[timetable.chosen[first]]
        == compiled.candidate_start[compiled.request_candidates[first]].min()
    )


def test_remove_and_place_restore_the_timetable() -> None:
    compiled = compile_event(generate(participants=40, seed=6))
    timetable = heuristics.construct(compiled)
    before = timetable.copy()
    placed = np.flatnonzero(timetable.chosen >= 0)[:10]
    for r in placed.tolist():
        timetable.remove(r)
    for r in placed.tolist():
        timetable.place(int(before.chosen[r]))
    for name in ("chosen", "occupant", "pool_used", "table_used", "meetings", "session_meetings"):
        assert np.array_equal(getattr(timetable, name), getattr(before, name)), name


def test_a_construction_stopped_by_its_deadline_is_a_valid_partial_timetable(
    monkeypatch,  # type: ignore[no-untyped-def]
) -> None:
    ticks = itertools.count()  # a clock that moves one tick per look
    monkeypatch.setattr(heuristics, "time", SimpleNamespace(perf_counter=lambda: next(ticks)))
    event = generate(participants=60, seed=3)
    compiled = compile_event(event)
    order = heuristics.construction_order(compiled)
    timetable = heuristics.greedy(compiled, order, deadline=39.5)  # 40 requests before it
    placed = np.flatnonzero(timetable.chosen >= 0)
    assert 0 < len(placed) <= 40
    assert set(placed.tolist()) <= set(order[:40].tolist())
    schedule = schedule_of(compiled, timetable.candidates())
    assert check(event, schedule) == []
    accounted = [m.request for m in schedule.meetings] + [u.request for u in schedule.unscheduled]
    assert sorted(accounted) == sorted(r.id for r in event.requests)


def test_a_construction_past_its_deadline_places_nothing_and_stays_valid() -> None:
    event = generate(participants=40, seed=2)
    compiled = compile_event(event)
    timetable = heuristics.construct(compiled, deadline=0.0)
    assert (timetable.chosen < 0).all()
    schedule = schedule_of(compiled, timetable.candidates())
    assert check(event, schedule) == []
    assert len(schedule.unscheduled) == len(event.requests)
