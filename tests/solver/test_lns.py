"""Large neighbourhood search: never worse, always valid; and the large path of solve()."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from tests.solver.test_heuristics import rule_violations, schedule_of
from tests.strategies import events

from matchsched import solve
from matchsched.check import check
from matchsched.generate import generate
from matchsched.model import Event
from matchsched.options import SolveOptions
from matchsched.schedule import SolveStatus
from matchsched.solver import bounds, heuristics, lns
from matchsched.solver.compile import compile_event
from matchsched.solver.search import Clock


def _steps(event: Event, steps: int) -> None:
    compiled = compile_event(event)
    options = SolveOptions(time_limit=5, seed=1)
    search = lns.LargeSearch(compiled, options, bounds.relaxation(compiled, period="event"))
    order = heuristics.construction_order(compiled)
    timetable = heuristics.greedy(compiled, order, layout=search.layout)
    state = lns._State(timetable, heuristics.participant_breaks(timetable))
    state.values = search.evaluate(timetable, state.breaks)
    for _ in range(steps):
        before = search._levels(state.values)
        search._step(state, 0.5, None)
        assert search._levels(state.values) >= before
        # The kept values are those of the timetable, recomputed from scratch.
        breaks = heuristics.participant_breaks(timetable)
        assert (breaks == state.breaks).all()
        assert search.evaluate(timetable, breaks) == state.values
    assert rule_violations(event, schedule_of(compiled, timetable.candidates())) == []


@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))
@given(events())
def test_lns_steps_never_get_worse_and_stay_valid(event: Event) -> None:
    _steps(event, 3)


def test_lns_steps_on_a_generated_event() -> None:
    _steps(generate(participants=100, seed=7, table_ratio=0.7), 4)


def test_large_search_improves_on_the_construction() -> None:
    event = generate(participants=150, seed=8, table_ratio=0.7)
    compiled = compile_event(event)
    options = SolveOptions(time_limit=3)
    relaxation = bounds.relaxation(compiled, period="event")
    start = heuristics.construct(compiled, request_value=relaxation.request_value)
    outcome = lns.LargeSearch(compiled, options, relaxation).run(
        Clock(3), reserve=0.0, progress=None, stop=None
    )
    assert outcome.status.has_schedule
    assert outcome.progress and outcome.progress[-1].bound == relaxation.bound
    scheduled = int(compiled.request_priority[compiled.candidate_request[outcome.chosen]].sum())
    assert start.priority() <= relaxation.bound
    assert outcome.progress[0].value <= scheduled <= relaxation.bound


def test_solve_takes_the_large_path_and_passes_the_checker(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(lns, "LARGE_EVENT_CANDIDATES", 0)
    event = generate(participants=100, seed=9)
    seen = []
    result = solve(event, SolveOptions(time_limit=3), progress=seen.append)
    assert result.status.has_schedule
    assert check(event, result.schedule) == []
    objective = result.objective
    assert objective is not None
    assert objective.scheduled_priority <= objective.scheduled_priority_bound
    assert seen and all(p.bound == objective.scheduled_priority_bound for p in seen)


def test_a_large_event_out_of_time_still_gets_a_valid_schedule(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The construction stops at the deadline; every request is still accounted for."""
    monkeypatch.setattr(lns, "LARGE_EVENT_CANDIDATES", 0)
    monkeypatch.setattr(lns, "FINISH_SECONDS_PER_REQUEST", 1.0)  # no time left to search
    event = generate(participants=100, seed=9)
    result = solve(event, SolveOptions(time_limit=5))
    assert result.status == SolveStatus.FEASIBLE
    assert check(event, result.schedule) == []
    accounted = [m.request for m in result.schedule.meetings]
    accounted += [u.request for u in result.schedule.unscheduled]
    assert sorted(accounted) == sorted(r.id for r in event.requests)


def test_rescheduling_a_large_event_keeps_untouched_meetings_in_place() -> None:
    from matchsched import SolveOptions, check, solve
    from matchsched.generate import generate
    from matchsched.solver import lns
    from matchsched.solver.compile import compile_event

    event = generate("brokerage", participants=80, seed=5)
    assert compile_event(event).n_candidates > lns.LARGE_EVENT_CANDIDATES
    first = solve(event, SolveOptions(time_limit=4))
    gone = {p.id for p in event.participants[:4]}
    requests = [r for r in event.requests if not set(r.participants) & gone]
    smaller = event.model_copy(
        update={
            "participants": [p for p in event.participants if p.id not in gone],
            "requests": requests,
        }
    )
    again = solve(smaller, SolveOptions(time_limit=4), previous=first.schedule)
    assert check(smaller, again.schedule) == []
    kept = {r.id for r in requests}
    place = lambda m: (m.request, m.session, m.slot, m.location, m.table)  # noqa: E731
    before = {place(m) for m in first.schedule.meetings if m.request in kept}
    after = {place(m) for m in again.schedule.meetings}
    assert before <= after
