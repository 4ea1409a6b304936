"""Property tests: any valid event -> solve -> the independent checker finds nothing."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings

from matchsched import SolveOptions, SolveStatus, check, solve
from matchsched.adapters.json_io import schedule_from_data, schedule_to_json
from matchsched.check import evaluate
from matchsched.model import Event
from strategies import events

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
