"""Fixtures for the organiser adapters: an event with names and organizations, and a
schedule built by hand (the solver is not needed)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from matchsched.model import Event
from matchsched.schedule import Meeting, Schedule, SolveStatus, Unscheduled, UnscheduledReason

ORGANISER_EVENT: dict[str, Any] = {
    "format": "matchsched/event@1",
    "name": "Tiny <Cluster> Matchmaking",
    "timezone": "Europe/Rome",
    "sessions": [
        {"id": "d1-am", "start": "2015-06-10T09:00", "slot_minutes": 20, "slots": 3},
        {"id": "d1-pm", "start": "2015-06-10T14:00", "slot_minutes": 20, "slots": 3},
    ],
    "locations": [
        {"id": "hall", "tables": 2, "seats": 4},
        {"id": "booth-12", "tables": 1, "sessions": ["d1-am"]},
    ],
    "organizations": [
        {"id": "org-acme", "name": "Acme & Sons"},
        {"id": "org-beta", "name": "Beta Srl"},
    ],
    "participants": [
        {"id": "alice", "name": "Alice Rossi", "organization": "org-acme"},
        {"id": "bob", "name": "Bob Silva", "organization": "org-beta"},
        {"id": "carol", "name": "Carol <script>alert(1)</script>", "organization": "org-beta"},
        {"id": "dave", "name": "Dave Ng", "sessions": ["d1-pm"]},
    ],
    "requests": [
        {"id": "r1", "participants": ["alice", "bob"], "priority": 3},
        {"id": "r2", "participants": ["alice", "carol"]},
        {"id": "r3", "participants": ["bob", "dave"], "length": 2},
        {"id": "r4", "participants": ["carol", "dave"]},
    ],
}
"""Names with HTML special characters, an organization with '&', a booth open in the morning."""


@pytest.fixture
def organiser_event() -> Event:
    return Event.model_validate(copy.deepcopy(ORGANISER_EVENT))


@pytest.fixture
def organiser_schedule(organiser_event: Event, make_meeting: Callable[..., Meeting]) -> Schedule:
    """alice meets bob (am 0) and carol (am 2: one break); bob meets dave in pm 1-2."""
    event = organiser_event
    return Schedule(
        event=event.name,
        status=SolveStatus.FEASIBLE,
        meetings=[
            make_meeting(event, "r1", ["alice", "bob"], "d1-am", 0, "booth-12", 1),
            make_meeting(event, "r2", ["alice", "carol"], "d1-am", 2, "hall", 2),
            make_meeting(event, "r3", ["bob", "dave"], "d1-pm", 1, "hall", 1),
        ],
        unscheduled=[Unscheduled(request="r4", reason=UnscheduledReason.LOWER_PRIORITY_CONFLICT)],
    )
