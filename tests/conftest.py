"""Shared fixtures: a tiny event and helpers to build meetings and schedules by hand."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from typing import Any

import pytest

from matchsched.model import Event
from matchsched.schedule import Meeting, Schedule, SolveStatus, Unscheduled, UnscheduledReason

TINY_EVENT: dict[str, Any] = {
    "name": "Tiny matchmaking",
    "timezone": "Europe/Rome",
    "sessions": [
        {"id": "am", "start": "2015-06-10T09:00", "slot_minutes": 20, "slots": 6},
        {"id": "pm", "start": "2015-06-10T14:00", "slot_minutes": 20, "slots": 6},
    ],
    "locations": [{"id": "hall", "tables": 3, "seats": 4}],
    "participants": [{"id": f"p{number}"} for number in range(1, 6)],
    "requests": [
        {"id": "r1", "participants": ["p1", "p2"], "priority": 3},
        {"id": "r2", "participants": ["p3", "p4"]},
        {"id": "r3", "participants": ["p1", "p3"], "priority": 2},
        {"id": "r4", "participants": ["p2", "p5"]},
    ],
}
"""Two sessions on one day (Rome, summer time), one hall of 3 tables, p1..p5, r1..r4."""


def build_meeting(
    event: Event,
    request: str,
    attendees: Iterable[str] | None = None,
    session: str = "am",
    slot: int = 0,
    location: str = "hall",
    table: int = 1,
    *,
    length: int | None = None,
) -> Meeting:
    """A meeting with correct start and end times for ``event``.

    ``attendees`` defaults to the request's parties and ``length`` to the request's length.
    """
    meeting_request = event.request(request)
    length = meeting_request.length if length is None else length
    found = event.session(session)
    return Meeting(
        request=request,
        attendees=list(meeting_request.participants if attendees is None else attendees),
        session=session,
        slot=slot,
        length=length,
        start=found.slot_start(slot).replace(tzinfo=event.zone),
        end=found.slot_start(slot + length).replace(tzinfo=event.zone),
        location=location,
        table=table,
    )


def build_schedule(
    event: Event,
    meetings: Iterable[Meeting],
    *,
    status: SolveStatus = SolveStatus.FEASIBLE,
) -> Schedule:
    """A schedule of ``meetings``; every other request of the event is unscheduled."""
    meetings = list(meetings)
    placed = {m.request for m in meetings}
    return Schedule(
        event=event.name,
        status=status,
        meetings=meetings,
        unscheduled=[
            Unscheduled(request=r.id, reason=UnscheduledReason.NOT_SELECTED)
            for r in event.requests
            if r.id not in placed
        ],
    )


@pytest.fixture
def tiny_data() -> dict[str, Any]:
    """A fresh, editable copy of the tiny event's JSON data."""
    return copy.deepcopy(TINY_EVENT)


@pytest.fixture
def tiny_event(tiny_data: dict[str, Any]) -> Event:
    """Two sessions on one day, a hall of three 4-seat tables, five participants, four requests."""
    return Event.model_validate(tiny_data)


@pytest.fixture
def make_meeting() -> Callable[..., Meeting]:
    """:func:`build_meeting`: ``make_meeting(event, request, attendees, session, slot, ...)``."""
    return build_meeting


@pytest.fixture
def make_schedule() -> Callable[..., Schedule]:
    """:func:`build_schedule`: ``make_schedule(event, meetings, status=...)``."""
    return build_schedule
