"""Hypothesis strategies for random, small, valid events.

``events()`` uses every feature of the format; ``events(simple=True)`` keeps to the core
(two-participant requests of one slot, one location, no organizations, resources, pins,
``after`` or ``required``). ``event_data()`` gives the same events as JSON-like dicts.
``breaks_events()`` is the JAIR problem in small, with a fairness spread.

>>> from hypothesis import given
>>> @given(events(simple=True))
... def test_something(event): ...
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from hypothesis import strategies as st

from matchsched.model import Event

TIMEZONES = ["UTC", "Europe/Rome", "America/Sao_Paulo", "Asia/Tokyo"]
FIRST_DAYS = [date(2025, 6, 10), date(2025, 12, 2), date(2025, 10, 25)]
"""Summer time, winter time, and the day before Europe's clocks go back."""


def _rarely(draw: st.DrawFn, one_in: int) -> bool:
    return draw(st.integers(0, one_in - 1)) == 0


def _subset(draw: st.DrawFn, items: list[Any], *, min_size: int = 0) -> list[Any]:
    """A subset of ``items`` in their original order."""
    chosen = draw(st.sets(st.sampled_from(items), min_size=min_size)) if items else set()
    return [item for item in items if item in chosen]


def _sessions(draw: st.DrawFn) -> list[dict[str, Any]]:
    count = draw(st.integers(1, 3))
    days = draw(st.integers(1, min(2, count)))
    first_day = draw(st.sampled_from(FIRST_DAYS))
    # Each day gets at least one session; sessions of a day follow each other with a gap.
    day_of = sorted(
        [
            *range(days),
            *draw(st.lists(st.integers(0, days - 1), min_size=count - days, max_size=count - days)),
        ]
    )
    sessions: list[dict[str, Any]] = []
    next_start: dict[int, datetime] = {}
    for number, day in enumerate(day_of, start=1):
        start = next_start.get(day) or datetime.combine(
            first_day + timedelta(days=day), datetime.min.time()
        ) + timedelta(hours=draw(st.integers(8, 10)))
        slot_minutes = draw(st.sampled_from([15, 20, 30]))
        slots = draw(st.integers(2, 6))
        sessions.append(
            {
                "id": f"s{number}",
                "start": start.isoformat(timespec="minutes"),
                "slot_minutes": slot_minutes,
                "slots": slots,
            }
        )
        gap = timedelta(minutes=draw(st.sampled_from([0, 30, 90])))
        next_start[day] = start + timedelta(minutes=slot_minutes * slots) + gap
    return sessions


def _slot_refs(draw: st.DrawFn, sessions: list[dict[str, Any]], max_size: int) -> list[dict]:
    every_slot = [(s["id"], k) for s in sessions for k in range(s["slots"])]
    chosen = draw(st.lists(st.sampled_from(every_slot), max_size=max_size, unique=True))
    return [{"session": session, "slot": slot} for session, slot in sorted(chosen)]


def _locations(draw: st.DrawFn, session_ids: list[str], simple: bool) -> list[dict[str, Any]]:
    locations = []
    for number in range(1, 2 if simple else draw(st.integers(1, 2)) + 1):
        location: dict[str, Any] = {"id": f"loc{number}", "tables": draw(st.integers(1, 4))}
        if draw(st.booleans()):
            location["seats"] = draw(st.integers(2, 4))
        if _rarely(draw, 3):
            location["sessions"] = _subset(draw, session_ids, min_size=1)
        locations.append(location)
    return locations


def _participants(
    draw: st.DrawFn,
    sessions: list[dict[str, Any]],
    locations: list[dict[str, Any]],
    organizations: list[str],
) -> list[dict[str, Any]]:
    session_ids = [s["id"] for s in sessions]
    free_tables = [(loc["id"], t) for loc in locations for t in range(1, loc["tables"] + 1)]
    participants = []
    for number in range(1, draw(st.integers(2, 8)) + 1):
        participant: dict[str, Any] = {"id": f"p{number}"}
        if organizations and draw(st.booleans()):
            participant["organization"] = draw(st.sampled_from(organizations))
        if _rarely(draw, 4):
            participant["sessions"] = _subset(draw, session_ids, min_size=1)
        if _rarely(draw, 2):
            participant["unavailable"] = _slot_refs(draw, sessions, 3)
        if _rarely(draw, 3):
            participant["unpreferred"] = _slot_refs(draw, sessions, 3)
        if _rarely(draw, 4):
            participant["max_meetings"] = draw(st.integers(0, 4))
        if _rarely(draw, 4):
            participant["max_meetings_per_session"] = draw(st.integers(0, 3))
        if free_tables and _rarely(draw, 5):
            location, table = draw(st.sampled_from(free_tables))
            free_tables.remove((location, table))
            participant["table"] = {"location": location, "table": table}
        participants.append(participant)
    return participants


def _requests(
    draw: st.DrawFn,
    sessions: list[dict[str, Any]],
    locations: list[dict[str, Any]],
    parties: list[str],
    resources: list[str],
    simple: bool,
) -> list[dict[str, Any]]:
    session_ids = [s["id"] for s in sessions]
    requests: list[dict[str, Any]] = []
    for number in range(1, draw(st.integers(0, 12)) + 1):
        size = 2 if simple else min(len(parties), draw(st.sampled_from([2, 2, 2, 3])))
        chosen = draw(st.lists(st.sampled_from(parties), min_size=size, max_size=size, unique=True))
        request: dict[str, Any] = {"id": f"r{number}", "participants": chosen}
        if draw(st.booleans()):
            request["priority"] = draw(st.integers(1, 5))
        length = 1 if simple else draw(st.sampled_from([1, 1, 1, 2]))
        if length > 1:
            request["length"] = length
        if _rarely(draw, 4):
            request["sessions"] = _subset(draw, session_ids, min_size=1)
        if not simple:
            if resources and _rarely(draw, 3):
                request["resources"] = _subset(draw, resources, min_size=1)
            earlier = [r["id"] for r in requests]
            if earlier and _rarely(draw, 4):
                request["after"] = _subset(draw, earlier[-3:], min_size=1)
            if _rarely(draw, 12):
                request["required"] = True
            if _rarely(draw, 10):
                session = draw(st.sampled_from(sessions))
                pin: dict[str, Any] = {
                    "session": session["id"],
                    "slot": draw(st.integers(0, session["slots"] - length)),
                }
                if draw(st.booleans()):
                    location = draw(st.sampled_from(locations))
                    pin["location"] = location["id"]
                    if draw(st.booleans()):
                        pin["table"] = draw(st.integers(1, location["tables"]))
                request["pinned"] = pin
        requests.append(request)
    return requests


@st.composite
def event_data(draw: st.DrawFn, simple: bool = False) -> dict[str, Any]:
    """A small valid event as JSON-like data (see :func:`events`)."""
    sessions = _sessions(draw)
    session_ids = [s["id"] for s in sessions]
    locations = _locations(draw, session_ids, simple)
    organizations = [] if simple else [f"org{n}" for n in range(1, draw(st.integers(0, 2)) + 1)]
    resources = [] if simple else [f"res{n}" for n in range(1, draw(st.integers(0, 2)) + 1)]
    participants = _participants(draw, sessions, locations, organizations)
    with_members = sorted({p["organization"] for p in participants if "organization" in p})
    parties = [p["id"] for p in participants] + with_members
    data: dict[str, Any] = {
        "name": "Random event",
        "timezone": draw(st.sampled_from(TIMEZONES)),
        "sessions": sessions,
        "locations": locations,
        "participants": participants,
        "requests": _requests(draw, sessions, locations, parties, resources, simple),
    }
    if organizations:
        data["organizations"] = [{"id": org} for org in organizations]
    if resources:
        data["resources"] = [{"id": r, "capacity": draw(st.integers(0, 2))} for r in resources]
    return data


def events(*, simple: bool = False) -> st.SearchStrategy[Event]:
    """Small valid events.

    Parameters
    ----------
    simple
        Keep to the core: two-participant requests of one slot, one location, and no
        organizations, resources, pins, ``after`` or ``required``.
    """
    return event_data(simple=simple).map(Event.model_validate)


@st.composite
def breaks_events(draw: st.DrawFn) -> tuple[Event, int | None]:
    """The JAIR problem in small: one session, a pool of tables, pairs that must all meet,
    participants missing a slot or two; and a fairness spread (or none)."""
    slots = draw(st.integers(3, 7))
    people = [f"p{i}" for i in range(draw(st.integers(3, 6)))]
    pairs = [(a, b) for i, a in enumerate(people) for b in people[i + 1 :]]
    chosen = draw(st.lists(st.sampled_from(pairs), min_size=1, max_size=8, unique=True))
    participants = []
    for person in people:
        away = draw(st.sets(st.integers(0, slots - 1), max_size=2))
        participants.append(
            {"id": person, "unavailable": [{"session": "am", "slot": t} for t in sorted(away)]}
        )
    event = Event.model_validate(
        {
            "name": "breaks",
            "sessions": [
                {"id": "am", "start": "2024-05-02T09:00", "slot_minutes": 30, "slots": slots}
            ],
            "locations": [{"id": "hall", "tables": draw(st.integers(1, 3))}],
            "participants": participants,
            "requests": [
                {"id": f"r{i}", "participants": list(pair), "required": True}
                for i, pair in enumerate(chosen)
            ],
        }
    )
    return event, draw(st.sampled_from([None, 0, 1, 2]))
