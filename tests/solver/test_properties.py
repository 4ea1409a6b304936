"""Property tests: any valid event -> solve -> the independent checker finds nothing; the
strong break model, with its implied rows, finds the same optimum as the plain one."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings

from matchsched import SolveOptions, SolveStatus, check, solve
from matchsched.adapters.json_io import schedule_from_data, schedule_to_json
from matchsched.check import evaluate
from matchsched.model import Event
from matchsched.options import Goal
from strategies import breaks_events, events

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
OPTIONS = SolveOptions(time_limit=10, workers=2)


def _solve_and_check(event: Event) -> None:
    result = solve(event, OPTIONS)
    schedule = result.schedule
    assert check(event, schedule, OPTIONS) == []
    accounted = [m.request for m in schedule.meetings] + [u.request for u in schedule.unscheduled]
    assert sorted(accounted) == sorted(r.id for r in event.requests)
    assert result.status is not SolveStatus.UNKNOWN
    if result.status.has_schedule:
        reported, measured = schedule.objective, evaluate(event, schedule)
        assert reported is not None
        assert reported.scheduled_priority == measured.scheduled_priority
        assert reported.breaks == measured.breaks
        assert reported.table_changes == measured.table_changes
        assert reported.unpreferred == measured.unpreferred
        assert reported.scheduled_priority <= (reported.scheduled_priority_bound or 0)
    assert schedule_from_data(json.loads(schedule_to_json(schedule))) == schedule


@SETTINGS
@given(events(simple=True))
def test_simple_events_solve_to_valid_schedules(event: Event) -> None:
    _solve_and_check(event)


@SETTINGS
@given(events())
def test_events_with_every_feature_solve_to_valid_schedules(event: Event) -> None:
    _solve_and_check(event)


@SETTINGS
@given(breaks_events())
def test_strong_and_plain_break_models_agree(case: tuple[Event, int | None]) -> None:
    # The strong model's implied rows, minima and budget search cut off no timetable: the
    # fewest breaks are those of the plain model, or both prove that none exists.
    event, spread = case
    found = {}
    for formulation in ("strong", "plain"):
        options = SolveOptions(
            goals=[Goal.BREAKS],
            formulation=formulation,
            max_break_spread=spread,
            time_limit=10,
        )
        result = solve(event, options)
        assert result.status in (SolveStatus.OPTIMAL, SolveStatus.INFEASIBLE)
        if result.status is SolveStatus.OPTIMAL:
            assert check(event, result.schedule, options) == []
            found[formulation] = evaluate(event, result.schedule).breaks
        else:
            found[formulation] = None
    assert found["strong"] == found["plain"]
