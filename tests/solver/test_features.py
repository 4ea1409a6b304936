"""Real-event features on tiny events whose optimum is proven by hand (in each docstring).

Every schedule is also run through the independent checker, and the reported goal values are
compared with the checker's own evaluation.
"""

from __future__ import annotations

from typing import Any

import pytest

from matchsched import Event, SolveOptions, SolveStatus, check, evaluate, solve
from matchsched.schedule import Result, Schedule, UnscheduledReason

SESSIONS = {
    "am": "2025-06-10T09:00",
    "pm": "2025-06-10T14:00",
    "d2": "2025-06-11T09:00",
}


def event(
    participants: list[Any],
    requests: list[dict[str, Any]],
    *,
    slots: dict[str, int] | int = 2,
    locations: list[dict[str, Any]] | None = None,
    **extra: Any,
) -> Event:
    """An event; participants given as ids or dicts, sessions as ``{id: slots}``."""
    counts = {"am": slots} if isinstance(slots, int) else slots
    return Event.model_validate(
        {
            "name": "features",
            "timezone": "Europe/Rome",
            "sessions": [
                {"id": s, "start": SESSIONS[s], "slot_minutes": 20, "slots": n}
                for s, n in counts.items()
            ],
            "locations": locations or [{"id": "hall", "tables": 10}],
            "participants": [{"id": p} if isinstance(p, str) else p for p in participants],
            "requests": requests,
            **extra,
        }
    )


def request(rid: str, *parties: str, **fields: Any) -> dict[str, Any]:
    return {"id": rid, "participants": list(parties), **fields}


def run(evt: Event, previous: Schedule | None = None, **options: Any) -> Result:
    """Solve, check, and compare reported with measured goal values."""
    options.setdefault("time_limit", 20)
    solve_options = SolveOptions(**options)
    result = solve(evt, solve_options, previous=previous)
    assert check(evt, result.schedule, solve_options) == []
    if result.status.has_schedule:
        assert result.status == SolveStatus.OPTIMAL
        reported = result.schedule.objective
        measured = evaluate(evt, result.schedule, previous)
        assert reported is not None
        assert reported.scheduled_priority == measured.scheduled_priority
        assert reported.breaks == measured.breaks
        assert reported.table_changes == measured.table_changes
        assert reported.unpreferred == measured.unpreferred
        assert reported.moved == measured.moved
    return result


def placed(result: Result) -> dict[str, tuple[str, int]]:
    return {m.request: (m.session, m.slot) for m in result.schedule.meetings}


def priority(result: Result) -> int:
    assert result.schedule.objective is not None
    return result.schedule.objective.scheduled_priority


def reason(result: Result, request_id: str):  # type: ignore[no-untyped-def]
    return next(u for u in result.schedule.unscheduled if u.request == request_id)


# Organizations


def delegation() -> Event:
    """One slot; an organization of two members; three locals ask the organization.

    Each member attends one meeting in the slot, so at most two requests take place: the
    best pair is priority 3 + 2 = 5, and the priority-1 request loses to them.
    """
    return event(
        [
            {"id": "d1", "organization": "deleg"},
            {"id": "d2", "organization": "deleg"},
            "l1",
            "l2",
            "l3",
        ],
        [
            request("r1", "l1", "deleg", priority=3),
            request("r2", "l2", "deleg", priority=2),
            request("r3", "l3", "deleg", priority=1),
        ],
        slots=1,
        organizations=[{"id": "deleg", "name": "Visiting delegation"}],
    )


def test_an_organization_attends_with_one_member_per_meeting() -> None:
    result = run(delegation())
    assert priority(result) == 5
    assert set(placed(result)) == {"r1", "r2"}
    members = {m.attendees[1] for m in result.schedule.meetings}
    assert members == {"d1", "d2"}  # one member each, never the organization id
    lost = reason(result, "r3")
    assert lost.reason == UnscheduledReason.LOWER_PRIORITY_CONFLICT
    assert lost.conflicts == ["r1", "r2"]


def test_an_organization_member_with_a_host_table_takes_the_meeting_there() -> None:
    """d1 hosts at booth/1; d2 is unavailable: the meeting must be d1's, at the booth."""
    evt = event(
        [
            {"id": "d1", "organization": "deleg", "table": {"location": "booth", "table": 1}},
            {"id": "d2", "organization": "deleg", "unavailable": [{"session": "am", "slot": 0}]},
            "l1",
        ],
        [request("r1", "l1", "deleg")],
        slots=1,
        organizations=[{"id": "deleg"}],
        locations=[{"id": "hall", "tables": 2}, {"id": "booth", "tables": 1}],
    )
    meeting = run(evt).schedule.meeting("r1")
    assert meeting is not None
    assert (meeting.attendees, meeting.location, meeting.table) == (["l1", "d1"], "booth", 1)


# Group meetings and seats


def test_group_meetings_need_a_table_with_enough_seats() -> None:
    """Two disjoint 3-party meetings, one slot; the hall seats 2, the single room seats 4.

    Only the room can hold a group, and it has one table: exactly one group meets (the
    priority-2 one), the other is blocked by capacity, not by people.
    """
    evt = event(
        ["a", "b", "c", "d", "e", "f"],
        [request("g1", "a", "b", "c", priority=2), request("g2", "d", "e", "f")],
        slots=1,
        locations=[
            {"id": "hall", "tables": 5, "seats": 2},
            {"id": "room", "tables": 1, "seats": 4},
        ],
    )
    result = run(evt)
    assert set(placed(result)) == {"g1"}
    assert result.schedule.meeting("g1").location == "room"  # type: ignore[union-attr]
    assert result.schedule.meeting("g1").attendees == ["a", "b", "c"]  # type: ignore[union-attr]
    assert reason(result, "g2").reason == UnscheduledReason.CAPACITY
    assert "room" in reason(result, "g2").detail


def test_a_group_that_fits_no_table_is_no_table() -> None:
    evt = event(
        ["a", "b", "c"],
        [request("g", "a", "b", "c")],
        locations=[{"id": "hall", "tables": 5, "seats": 2}],
    )
    result = run(evt)
    assert reason(result, "g").reason == UnscheduledReason.NO_TABLE
    assert "hall seats 2, the meeting needs 3" in reason(result, "g").detail


# Long meetings


def test_a_long_meeting_takes_consecutive_slots_of_one_session() -> None:
    """Slots am 0..2 and pm 0..2; a has pinned meetings at am/1 and pm/1 (priority 2 each).

    A 2-slot meeting of a needs slots 0-1 or 1-2 of a session, so it always overlaps one
    pin. Long priority 3: best is the long meeting in one session plus the other pin (5 > 4).
    """
    evt = event(
        ["a", "b", "c", "d"],
        [
            request("long", "a", "b", length=2, priority=3),
            request("pin_am", "a", "c", priority=2, pinned={"session": "am", "slot": 1}),
            request("pin_pm", "a", "d", priority=2, pinned={"session": "pm", "slot": 1}),
        ],
        slots={"am": 3, "pm": 3},
    )
    result = run(evt)
    assert priority(result) == 5
    long = result.schedule.meeting("long")
    assert long is not None and long.length == 2
    assert (long.end - long.start).total_seconds() == 40 * 60
    assert long.slot in (0, 1)


def test_a_long_meeting_never_spans_the_lunch_break() -> None:
    """a is unavailable at am/0 and pm/1: the only two free slots in a row are am/1 + pm/0,
    which are in different sessions, so the 2-slot meeting cannot take place."""
    evt = event(
        [
            {
                "id": "a",
                "unavailable": [{"session": "am", "slot": 0}, {"session": "pm", "slot": 1}],
            },
            "b",
        ],
        [request("long", "a", "b", length=2)],
        slots={"am": 2, "pm": 2},
    )
    result = run(evt)
    assert reason(result, "long").reason == UnscheduledReason.NO_COMMON_SLOT
    assert "2 consecutive free slots" in reason(result, "long").detail


# Host tables


def test_a_host_table_is_reserved_even_while_its_host_is_idle() -> None:
    """The hall has 2 tables and table 1 is exhibitor e's booth: the pool is table 2 alone,
    so of the two visitor pairs (one slot) only one meets, although e has nothing to do."""
    evt = event(
        [{"id": "e", "table": {"location": "hall", "table": 1}}, "a", "b", "c", "d"],
        [request("ab", "a", "b", priority=2), request("cd", "c", "d")],
        slots=1,
        locations=[{"id": "hall", "tables": 2}],
    )
    result = run(evt)
    assert placed(result) == {"ab": ("am", 0)}
    assert result.schedule.meeting("ab").table == 2  # type: ignore[union-attr]
    assert reason(result, "cd").reason == UnscheduledReason.CAPACITY


def test_exhibitor_meetings_are_all_at_the_booth_one_per_slot() -> None:
    """Three visitors ask exhibitor e, two slots: two meetings, both at e's booth."""
    evt = event(
        [{"id": "e", "table": {"location": "booth", "table": 1}}, "v1", "v2", "v3"],
        [request(f"r{i}", f"v{i}", "e", priority=i) for i in (1, 2, 3)],
        locations=[{"id": "hall", "tables": 4}, {"id": "booth", "tables": 1}],
    )
    result = run(evt)
    assert set(placed(result)) == {"r2", "r3"}
    assert {(m.location, m.table) for m in result.schedule.meetings} == {("booth", 1)}
    assert reason(result, "r1").conflicts == ["r2", "r3"] or set(
        reason(result, "r1").conflicts
    ) == {"r2", "r3"}


# Resources


@pytest.mark.parametrize(("slots", "expected"), [(1, 3), (2, 4)])
def test_an_interpreter_serves_capacity_meetings_per_slot(slots: int, expected: int) -> None:
    """Interpreter capacity 1, two disjoint requests that need it (priority 3 and 1)."""
    evt = event(
        ["a", "b", "c", "d"],
        [
            request("ab", "a", "b", priority=3, resources=["interpreter"]),
            request("cd", "c", "d", resources=["interpreter"]),
        ],
        slots=slots,
        resources=[{"id": "interpreter", "capacity": 1}],
    )
    result = run(evt)
    assert priority(result) == expected
    if slots == 1:
        lost = reason(result, "cd")
        assert lost.reason == UnscheduledReason.CAPACITY
        assert "interpreter is already used by 1 meeting" in lost.detail


# Precedences


def test_after_pushes_a_meeting_later() -> None:
    """first is pinned at am/1; second must come after it: only am/2 remains."""
    evt = event(
        ["a", "b", "c"],
        [
            request("first", "a", "b", pinned={"session": "am", "slot": 1}),
            request("second", "a", "c", after=["first"]),
        ],
        slots=3,
    )
    assert placed(run(evt)) == {"first": ("am", 1), "second": ("am", 2)}


def test_a_precedence_that_leaves_no_room_is_named() -> None:
    """first is pinned at the last slot, so second (other people, free throughout) cannot
    come after it: the order alone blocks it."""
    evt = event(
        ["a", "b", "c", "d"],
        [
            request("first", "a", "b", priority=2, pinned={"session": "am", "slot": 1}),
            request("second", "c", "d", after=["first"]),
        ],
        slots=2,
    )
    result = run(evt)
    assert set(placed(result)) == {"first"}
    lost = reason(result, "second")
    assert lost.reason == UnscheduledReason.PRECEDENCE
    assert "it must come after first, which ends at 09:40" in lost.detail


def test_precedence_reason_when_only_the_order_blocks() -> None:
    """c is free at am/0 with b free too, but 'second' must follow 'first' (at am/1):
    am/0 is blocked by the order alone, am/1 by b being busy -> precedence for am/0."""
    evt = event(
        ["a", "b", "c", "d"],
        [
            request("first", "a", "d", priority=5, pinned={"session": "am", "slot": 1}),
            request("second", "c", "b", after=["first"], sessions=["am"]),
            request("block", "b", "a", priority=5, pinned={"session": "am", "slot": 0}),
        ],
        slots=2,
    )
    result = run(evt)
    assert set(placed(result)) == {"first", "block"}
    lost = reason(result, "second")
    assert "first" in lost.detail


# Fairness and min_meetings


def fairness_event() -> Event:
    """One slot: r1 (a, b) priority 5; r2 (b, c) and r3 (a, d) priority 1.

    b and a can attend one meeting each. Either {r1} (priority 5; c and d get nothing,
    fairness 0) or {r2, r3} (priority 2; a and b get 1/6 of theirs, c and d everything).
    """
    return event(
        ["a", "b", "c", "d"],
        [
            request("r1", "a", "b", priority=5),
            request("r2", "b", "c"),
            request("r3", "a", "d"),
        ],
        slots=1,
    )


def test_scheduled_first_takes_the_big_meeting() -> None:
    result = run(fairness_event())
    assert set(placed(result)) == {"r1"}
    assert result.schedule.objective.fairness == pytest.approx(0.0)  # type: ignore[union-attr]


def test_fairness_first_shares_the_meetings() -> None:
    result = run(fairness_event(), goals=["fairness", "scheduled"])
    assert set(placed(result)) == {"r2", "r3"}
    assert priority(result) == 2
    assert result.schedule.objective.fairness == pytest.approx(1 / 6)  # type: ignore[union-attr]


def min_meetings_event() -> Event:
    """Three slots, one table: at most three meetings. ab1 and ab2 (priority 5 each),
    ac and bc (priority 1). Best: ab1 + ab2 + one of ac/bc = 11, and c meets once.
    With min_meetings 2, c is owed 2 meetings (it has two requests): ac + bc + one ab = 7."""
    return event(
        ["a", "b", "c"],
        [
            request("ab1", "a", "b", priority=5),
            request("ab2", "a", "b", priority=5),
            request("ac", "a", "c"),
            request("bc", "b", "c"),
        ],
        slots=3,
        locations=[{"id": "hall", "tables": 1}],
    )


def test_min_meetings_two_is_a_promise_kept_at_a_known_cost() -> None:
    free = run(min_meetings_event())
    assert priority(free) == 11
    promised = run(min_meetings_event(), min_meetings=2)
    assert priority(promised) == 7
    counts = {p: len(promised.schedule.agenda(p)) for p in ("a", "b", "c")}
    assert counts == {"a": 2, "b": 2, "c": 2}


def test_min_meetings_one_caps_at_the_requests_one_has() -> None:
    """Two slots: a is asked by b, c (priority 5) and d (priority 1). Without the promise
    a meets b and c (10); with min_meetings 1, d is owed a meeting: ad + ab or ac, plus bc
    in the remaining slot (b and c then both meet) = 7."""
    evt = event(
        ["a", "b", "c", "d"],
        [
            request("ab", "a", "b", priority=5),
            request("ac", "a", "c", priority=5),
            request("ad", "d", "a"),
            request("bc", "b", "c"),
        ],
    )
    assert priority(run(evt)) == 10
    assert priority(run(evt, min_meetings=1)) == 7


def test_regression_min_meetings_does_not_promise_organization_members() -> None:
    """One request to a 2-member organization: min_meetings 1 cannot owe both members a
    meeting (they are not named in any request); it used to make this event infeasible."""
    evt = event(
        [{"id": "m1", "organization": "org"}, {"id": "m2", "organization": "org"}, "c"],
        [request("r", "c", "org")],
        slots=1,
        organizations=[{"id": "org"}],
    )
    result = run(evt, min_meetings=1)
    assert set(placed(result)) == {"r"}


def test_min_meetings_that_cannot_hold_is_infeasible_and_explained() -> None:
    """One slot, one table, two disjoint pairs: min_meetings 1 owes all four a meeting."""
    evt = event(
        ["a", "b", "c", "d"],
        [request("ab", "a", "b"), request("cd", "c", "d")],
        slots=1,
        locations=[{"id": "hall", "tables": 1}],
    )
    result = run(evt, min_meetings=1)
    assert result.status == SolveStatus.INFEASIBLE
    assert "min_meetings 1" in result.schedule.unscheduled[0].detail


# Time preferences


def test_unpreferred_slots_are_avoided_when_it_costs_nothing() -> None:
    evt = event(
        [{"id": "a", "unpreferred": [{"session": "am", "slot": 0}]}, "b"], [request("r", "a", "b")]
    )
    result = run(evt)
    assert placed(result) == {"r": ("am", 1)}
    assert result.schedule.objective.unpreferred == 0  # type: ignore[union-attr]


def test_unpreferred_never_costs_a_meeting() -> None:
    """Only one slot, and a would rather not: the meeting still happens (goal 1 first)."""
    evt = event(
        [{"id": "a", "unpreferred": [{"session": "am", "slot": 0}]}, "b"],
        [request("r", "a", "b")],
        slots=1,
    )
    result = run(evt)
    assert result.schedule.objective.unpreferred == 1  # type: ignore[union-attr]


# Goal order and weights


def trade_off() -> Event:
    """Slots 0..3; r1 (a, b) pinned at 0; r2 (a, c) free; c would rather skip slot 1.

    r2 at slot 1: no break for a, 1 unpreferred slot. At slot 2 or 3: one break, none
    unpreferred. Breaks first -> slot 1; preferences first -> slot 2 or 3.
    """
    return event(
        ["a", "b", {"id": "c", "unpreferred": [{"session": "am", "slot": 1}]}],
        [request("r1", "a", "b", pinned={"session": "am", "slot": 0}), request("r2", "a", "c")],
        slots=4,
    )


@pytest.mark.parametrize(
    ("goals", "breaks", "unpreferred"),
    [
        (["scheduled", "breaks", "preferences"], 0, 1),
        (["scheduled", "preferences", "breaks"], 1, 0),
        (["scheduled", {"breaks": 1, "preferences": 2}], 1, 0),
        (["scheduled", {"breaks": 2, "preferences": 1}], 0, 1),
    ],
)
def test_goal_order_and_weights_decide_the_trade_off(
    goals: list[Any], breaks: int, unpreferred: int
) -> None:
    result = run(trade_off(), goals=goals)
    objective = result.schedule.objective
    assert objective is not None
    assert (objective.breaks, objective.unpreferred) == (breaks, unpreferred)


# Re-scheduling


def base_event(*, drop: str | None = None, add: bool = False) -> Event:
    """Two slots, 6 participants, three disjoint pairs in slot order; ``drop`` cancels a
    participant (and their requests); ``add`` registers n1 late, asking a and n1's peer."""
    people = ["a", "b", "c", "d", "e", "f"]
    requests = [
        request("ab", "a", "b", priority=3),
        request("cd", "c", "d", priority=2),
        request("ef", "e", "f"),
        request("ac", "a", "c"),
    ]
    if drop is not None:
        people.remove(drop)
        requests = [r for r in requests if drop not in r["participants"]]
    if add:
        people.append("n1")
        requests.append(request("n1e", "n1", "e", priority=2))
    return event(people, requests, locations=[{"id": "hall", "tables": 3}])


def test_rescheduling_keeps_untouched_meetings_where_they_were() -> None:
    first = run(base_event()).schedule
    changed = base_event(drop="d", add=True)
    second = run(changed, previous=first, goals=["scheduled", "stability", "breaks"])
    kept = {m.request: (m.session, m.slot, m.location, m.table) for m in first.meetings}
    for meeting in second.schedule.meetings:
        if meeting.request in kept:
            assert kept[meeting.request] == (
                meeting.session,
                meeting.slot,
                meeting.location,
                meeting.table,
            )
    assert second.schedule.objective.moved == 0  # type: ignore[union-attr]
    assert "n1e" in placed(second)


def test_a_late_registration_moves_exactly_one_meeting() -> None:
    """ab sits at slot 0. A late n1 attends only slot 0 and asks a (priority 5): the best
    re-schedule moves ab to slot 1 (one move) rather than dropping either meeting."""
    first_event = event(["a", "b"], [request("ab", "a", "b")])
    first = run(first_event, goals=["scheduled", "breaks", "preferences"]).schedule
    assert placed_schedule(first) == {"ab": ("am", 0)} or placed_schedule(first) == {
        "ab": ("am", 1)
    }
    slot = first.meetings[0].slot
    late = event(
        ["a", "b", {"id": "n1", "unavailable": [{"session": "am", "slot": 1 - slot}]}],
        [request("ab", "a", "b"), request("n1a", "n1", "a", priority=5)],
    )
    result = run(late, previous=first)
    assert result.schedule.objective.moved == 1  # type: ignore[union-attr]
    assert priority(result) == 6
    locked = run(late, previous=first, lock_previous=True)
    assert placed(locked) == {"ab": ("am", slot)}
    assert reason(locked, "n1a").reason == UnscheduledReason.LOWER_PRIORITY_CONFLICT


def placed_schedule(schedule: Schedule) -> dict[str, tuple[str, int]]:
    return {m.request: (m.session, m.slot) for m in schedule.meetings}
