"""The event strategies give valid events that survive a JSON round trip."""

from __future__ import annotations

import json

from hypothesis import given, settings

from matchsched.adapters.json_io import event_from_data, event_to_json
from matchsched.check import check, evaluate
from matchsched.model import Event
from matchsched.schedule import Schedule, SolveStatus, Unscheduled, UnscheduledReason
from strategies import event_data, events


@settings(max_examples=60, deadline=None)
@given(event_data())
def test_event_data_validates(data: dict) -> None:
    event = Event.model_validate(data)
    assert 1 <= len(event.sessions) <= 3
    assert 2 <= len(event.participants) <= 8
    assert len(event.requests) <= 12
    assert len({s.start.date() for s in event.sessions}) <= 2


@settings(max_examples=60, deadline=None)
@given(events())
def test_json_round_trip(event: Event) -> None:
    assert event_from_data(json.loads(event_to_json(event))) == event


@settings(max_examples=60, deadline=None)
@given(events(simple=True))
def test_simple_events_keep_to_the_core(event: Event) -> None:
    assert len(event.locations) == 1
    assert not event.organizations and not event.resources
    for request in event.requests:
        assert len(request.participants) == 2 and request.length == 1
        assert request.pinned is None and not request.after and not request.required
        assert not request.resources


@settings(max_examples=60, deadline=None)
@given(events())
def test_nothing_scheduled_is_valid_unless_required(event: Event) -> None:
    schedule = Schedule(
        event=event.name,
        status=SolveStatus.FEASIBLE,
        unscheduled=[
            Unscheduled(request=r.id, reason=UnscheduledReason.NOT_SELECTED) for r in event.requests
        ],
    )
    violations = check(event, schedule)
    assert {v.code for v in violations} <= {"required_unscheduled"}
    assert evaluate(event, schedule).scheduled_priority == 0
