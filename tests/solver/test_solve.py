"""Known optima on tiny events: one per hard rule and goal, each schedule checked."""

from __future__ import annotations

from typing import Any

import pytest

from matchsched import Event, SolveOptions, SolveStatus, check, solve
from matchsched.check import evaluate
from matchsched.options import Goal
from matchsched.schedule import Result, UnscheduledReason


def make_event(
    *,
    participants: int | list[dict[str, Any]] = 4,
    requests: list[dict[str, Any]] | list[tuple[str, str]],
    slots: int | tuple[int, ...] = 3,
    tables: int = 10,
    **extra: Any,
) -> Event:
    """A one-day event: sessions of the given slot counts (``am``, ``pm``, ``ev``), one hall."""
    counts = (slots,) if isinstance(slots, int) else slots
    starts = ["09:00", "14:00", "18:00"]
    sessions = [
        {"id": name, "start": f"2025-03-04T{start}", "slot_minutes": 20, "slots": count}
        for name, start, count in zip(("am", "pm", "ev"), starts, counts, strict=False)
    ]
    people = (
        [{"id": f"p{i}"} for i in range(participants)]
        if isinstance(participants, int)
        else participants
    )
    wanted = [
        {"id": f"r{k}", "participants": list(r)} if isinstance(r, tuple) else r
        for k, r in enumerate(requests)
    ]
    data = {
        "name": "test",
        "timezone": "Europe/Berlin",
        "sessions": sessions,
        "locations": [{"id": "hall", "tables": tables}],
        "participants": people,
        "requests": wanted,
    }
    data.update(extra)
    return Event.model_validate(data)


def run(event: Event, **options: Any) -> Result:
    """Solve with a generous limit, check, and compare reported with measured goal values."""
    options.setdefault("time_limit", 20)
    result = solve(event, SolveOptions(**options))
    solve_options = SolveOptions(**options)
    assert check(event, result.schedule, solve_options) == []
    accounted = [m.request for m in result.schedule.meetings] + [
        u.request for u in result.schedule.unscheduled
    ]
    assert sorted(accounted) == sorted(r.id for r in event.requests)
    if result.status.has_schedule:
        reported, measured = result.schedule.objective, evaluate(event, result.schedule)
        assert reported is not None
        assert reported.scheduled_priority == measured.scheduled_priority
        assert reported.breaks == measured.breaks
        assert reported.table_changes == measured.table_changes
        assert reported.unpreferred == measured.unpreferred
        assert reported.scheduled_priority_bound is not None
        assert reported.scheduled_priority <= reported.scheduled_priority_bound
    return result


def scheduled(result: Result) -> set[str]:
    return {m.request for m in result.schedule.meetings}


# Rule 1: a participant attends one meeting per slot.


def test_participant_clash_keeps_the_higher_priority() -> None:
    event = make_event(
        requests=[
            {"id": "low", "participants": ["p0", "p1"], "priority": 1},
            {"id": "high", "participants": ["p0", "p2"], "priority": 5},
        ],
        slots=1,
    )
    result = run(event)
    assert result.status == SolveStatus.OPTIMAL
    assert scheduled(result) == {"high"}
    assert result.schedule.objective.scheduled_priority == 5
    [left_out] = result.schedule.unscheduled
    assert left_out.reason == UnscheduledReason.LOWER_PRIORITY_CONFLICT
    assert left_out.conflicts == ["high"]


def test_everyone_meets_everyone_when_slots_allow() -> None:
    pairs = [(f"p{a}", f"p{b}") for a in range(4) for b in range(a + 1, 4)]
    result = run(make_event(requests=pairs, slots=3))
    assert result.status == SolveStatus.OPTIMAL
    assert len(result.schedule.meetings) == 6
    assert result.schedule.objective.breaks == 0


def test_long_meeting_occupies_consecutive_slots() -> None:
    event = make_event(
        requests=[
            {"id": "long", "participants": ["p0", "p1"], "length": 2, "priority": 2},
            {"id": "a", "participants": ["p0", "p2"]},
            {"id": "b", "participants": ["p1", "p3"]},
        ],
        slots=3,
    )
    result = run(event)
    assert scheduled(result) == {"long", "a", "b"}
    long = result.schedule.meeting("long")
    assert long is not None and long.length == 2 and long.slot in (0, 1)


# Rule 2: tables.


@pytest.mark.parametrize(("tables", "expected"), [(1, 1), (2, 2)])
def test_tables_limit_meetings_per_slot(tables: int, expected: int) -> None:
    event = make_event(requests=[("p0", "p1"), ("p2", "p3")], slots=1, tables=tables)
    result = run(event)
    assert len(result.schedule.meetings) == expected
    if expected == 1:
        assert result.schedule.unscheduled[0].reason == UnscheduledReason.CAPACITY


def test_location_open_only_in_its_sessions() -> None:
    event = make_event(
        requests=[("p0", "p1")],
        slots=(2, 2),
        locations=[{"id": "room", "tables": 1, "sessions": ["pm"]}],
    )
    result = run(event)
    [meeting] = result.schedule.meetings
    assert (meeting.session, meeting.location) == ("pm", "room")


def test_group_meeting_goes_to_a_table_with_enough_seats() -> None:
    event = make_event(
        requests=[{"id": "group", "participants": ["p0", "p1", "p2"]}, ("p3", "p0")],
        slots=2,
        locations=[
            {"id": "hall", "tables": 5, "seats": 2},
            {"id": "room", "tables": 1, "seats": 8},
        ],
    )
    result = run(event)
    group = result.schedule.meeting("group")
    assert group is not None and group.location == "room"
    assert result.schedule.meeting("r1").location == "hall"


def test_group_meeting_without_a_big_enough_table_is_explained() -> None:
    event = make_event(
        requests=[{"id": "group", "participants": ["p0", "p1", "p2"]}],
        locations=[{"id": "hall", "tables": 5, "seats": 2}],
    )
    result = run(event)
    [left_out] = result.schedule.unscheduled
    assert left_out.reason == UnscheduledReason.NO_TABLE


# Rule 3: attendance and availability.


def test_meeting_only_where_both_attend_and_are_available() -> None:
    people = [
        {"id": "p0", "sessions": ["pm"]},
        {"id": "p1", "unavailable": [{"session": "pm", "slot": 0}, {"session": "pm", "slot": 2}]},
    ]
    result = run(make_event(participants=people, requests=[("p0", "p1")], slots=(3, 3)))
    [meeting] = result.schedule.meetings
    assert (meeting.session, meeting.slot) == ("pm", 1)


def test_no_common_slot_is_explained() -> None:
    people = [{"id": "p0", "sessions": ["am"]}, {"id": "p1", "sessions": ["pm"]}]
    result = run(make_event(participants=people, requests=[("p0", "p1")], slots=(2, 2)))
    assert result.status == SolveStatus.OPTIMAL
    [left_out] = result.schedule.unscheduled
    assert left_out.reason == UnscheduledReason.NO_COMMON_SLOT
    assert "p0" in left_out.detail and "p1" in left_out.detail


# Rule 4: host tables.


def test_meetings_of_an_exhibitor_are_at_the_booth() -> None:
    people = [
        {"id": "p0", "table": {"location": "booth", "table": 1}},
        {"id": "p1"},
        {"id": "p2"},
    ]
    event = make_event(
        participants=people,
        requests=[("p1", "p0"), ("p2", "p0"), ("p1", "p2")],
        slots=3,
        locations=[{"id": "hall", "tables": 3}, {"id": "booth", "tables": 1}],
    )
    result = run(event)
    assert len(result.schedule.meetings) == 3
    for meeting in result.schedule.meetings:
        expected = ("booth", 1) if "p0" in meeting.attendees else ("hall",)
        assert (meeting.location, meeting.table)[: len(expected)] == expected


def test_the_requesters_host_table_wins() -> None:
    people = [
        {"id": "p0", "table": {"location": "hall", "table": 1}},
        {"id": "p1", "table": {"location": "hall", "table": 2}},
    ]
    event = make_event(participants=people, requests=[("p1", "p0")], tables=3)
    [meeting] = run(event).schedule.meetings
    assert (meeting.location, meeting.table) == ("hall", 2)


# Rule 5: required, pinned, sessions, after, resources, limits.


def test_required_request_pushes_out_a_higher_priority_one() -> None:
    event = make_event(
        requests=[
            {"id": "must", "participants": ["p0", "p1"], "required": True},
            {"id": "wish", "participants": ["p0", "p2"], "priority": 9},
        ],
        slots=1,
    )
    result = run(event)
    assert scheduled(result) == {"must"}


def test_required_requests_that_cannot_fit_are_infeasible() -> None:
    event = make_event(
        requests=[
            {"id": "a", "participants": ["p0", "p1"], "required": True},
            {"id": "b", "participants": ["p0", "p2"], "required": True},
            {"id": "c", "participants": ["p1", "p2"]},
        ],
        slots=1,
    )
    result = run(event)
    assert result.status == SolveStatus.INFEASIBLE
    assert result.schedule.meetings == []
    assert {u.reason for u in result.schedule.unscheduled} == {UnscheduledReason.INFEASIBLE}


def test_required_request_without_any_slot_is_infeasible_at_once() -> None:
    people = [{"id": "p0", "sessions": ["am"]}, {"id": "p1", "sessions": ["pm"]}]
    event = make_event(
        participants=people,
        requests=[{"id": "a", "participants": ["p0", "p1"], "required": True}],
        slots=(2, 2),
    )
    result = run(event)
    assert result.status == SolveStatus.INFEASIBLE
    assert result.schedule.conflict == ["a"]


def test_pinned_meeting_starts_at_its_slot_and_table() -> None:
    event = make_event(
        requests=[
            {"id": "pin", "participants": ["p0", "p1"], "pinned": {"session": "am", "slot": 2}},
            {
                "id": "pin-table",
                "participants": ["p2", "p3"],
                "pinned": {"session": "am", "slot": 1, "location": "hall", "table": 4},
            },
        ],
        slots=3,
    )
    result = run(event)
    pin, pin_table = result.schedule.meeting("pin"), result.schedule.meeting("pin-table")
    assert pin is not None and pin.slot == 2
    assert pin_table is not None and (pin_table.slot, pin_table.table) == (1, 4)


def test_request_sessions_are_respected() -> None:
    event = make_event(
        requests=[{"id": "r", "participants": ["p0", "p1"], "sessions": ["pm"]}], slots=(2, 2)
    )
    [meeting] = run(event).schedule.meetings
    assert meeting.session == "pm"


def test_after_orders_meetings_in_time() -> None:
    event = make_event(
        requests=[
            {"id": "second", "participants": ["p0", "p1"], "after": ["first"]},
            {"id": "first", "participants": ["p2", "p3"], "pinned": {"session": "am", "slot": 1}},
        ],
        slots=3,
    )
    result = run(event)
    second = result.schedule.meeting("second")
    assert second is not None and second.slot == 2


def test_resource_capacity_limits_meetings_per_slot() -> None:
    event = make_event(
        requests=[
            {"id": "a", "participants": ["p0", "p1"], "resources": ["interpreter"]},
            {"id": "b", "participants": ["p2", "p3"], "resources": ["interpreter"], "priority": 2},
        ],
        slots=1,
        resources=[{"id": "interpreter", "capacity": 1}],
    )
    result = run(event)
    assert scheduled(result) == {"b"}
    assert result.schedule.unscheduled[0].reason == UnscheduledReason.CAPACITY


def test_max_meetings_and_per_session_limits() -> None:
    people = [{"id": "p0", "max_meetings": 2, "max_meetings_per_session": 1}] + [
        {"id": f"p{i}"} for i in range(1, 5)
    ]
    requests = [("p0", f"p{i}") for i in range(1, 5)]
    result = run(make_event(participants=people, requests=requests, slots=(2, 2)))
    mine = [m for m in result.schedule.meetings if "p0" in m.attendees]
    assert len(mine) == 2
    assert {m.session for m in mine} == {"am", "pm"}
    reasons = {u.reason for u in result.schedule.unscheduled}
    assert reasons == {UnscheduledReason.PARTICIPANT_FULL}


# Rule 6: organizations.


def test_an_organization_sends_the_member_who_is_free() -> None:
    people = [
        {"id": "anna", "organization": "acme"},
        {"id": "ben", "organization": "acme"},
        {"id": "p2"},
        {"id": "p3"},
    ]
    event = make_event(
        participants=people,
        organizations=[{"id": "acme"}],
        requests=[
            {"id": "busy", "participants": ["anna", "p3"], "pinned": {"session": "am", "slot": 0}},
            {"id": "to-org", "participants": ["p2", "acme"], "sessions": ["am"]},
        ],
        slots=1,
    )
    result = run(event)
    meeting = result.schedule.meeting("to-org")
    assert meeting is not None and meeting.attendees == ["p2", "ben"]


# Goal 3: breaks.


def test_breaks_are_minimised_and_lunch_is_not_a_break() -> None:
    # p0 meets p1 and p2; p1 is only free in the last morning slot, p2 in the first
    # afternoon slot: back to back across lunch, so no break.
    people = [
        {"id": "p0"},
        {"id": "p1", "unavailable": [{"session": "am", "slot": 0}, {"session": "am", "slot": 1}]},
        {"id": "p2", "unavailable": [{"session": "pm", "slot": 1}, {"session": "pm", "slot": 2}]},
    ]
    result = run(
        make_event(participants=people, requests=[("p0", "p1"), ("p0", "p2")], slots=(3, 3))
    )
    assert result.schedule.objective.breaks == 0
    assert result.status == SolveStatus.OPTIMAL


def test_a_forced_gap_is_one_break() -> None:
    people = [
        {"id": "p0"},
        {"id": "p1", "unavailable": [{"session": "am", "slot": s} for s in (1, 2, 3)]},
        {"id": "p2", "unavailable": [{"session": "am", "slot": s} for s in (0, 1, 2)]},
    ]
    result = run(make_event(participants=people, requests=[("p0", "p1"), ("p0", "p2")], slots=4))
    assert result.schedule.objective.breaks == 1


def test_max_breaks_trades_meetings_for_fewer_breaks() -> None:
    people = [
        {"id": "p0"},
        {"id": "p1", "unavailable": [{"session": "am", "slot": s} for s in (1, 2, 3)]},
        {"id": "p2", "unavailable": [{"session": "am", "slot": s} for s in (0, 1, 2)]},
    ]
    event = make_event(participants=people, requests=[("p0", "p1"), ("p0", "p2")], slots=4)
    result = run(event, max_breaks=0)
    assert len(result.schedule.meetings) == 1
    assert result.schedule.objective.breaks == 0


def test_dropping_the_breaks_goal_still_reports_breaks() -> None:
    pairs = [("p0", "p1"), ("p0", "p2")]
    result = run(make_event(requests=pairs, slots=4), goals=["scheduled"])
    assert result.schedule.objective.scheduled_priority == 2


# Goal 2: fairness.


def test_fairness_spreads_meetings_when_the_count_ties() -> None:
    # One table, two slots: {p0-p1, p0-p2} or {p0-p1, p3-p4} both schedule 2 meetings,
    # but only the second gives p3 and p4 anything.
    requests = [("p0", "p1"), ("p0", "p2"), ("p3", "p4")]
    event = make_event(participants=5, requests=requests, slots=2, tables=1)
    fair = run(event)
    assert fair.status == SolveStatus.OPTIMAL
    assert "r2" in scheduled(fair)
    assert fair.schedule.objective.fairness == pytest.approx(0.0)  # p2 or p1 gets nothing
    unfair = run(event, goals=["scheduled"])
    assert unfair.schedule.objective.scheduled_priority == 2


def test_min_meetings_guarantees_everyone_some_meetings() -> None:
    requests = [
        {"id": "a", "participants": ["p0", "p1"], "priority": 5},
        {"id": "b", "participants": ["p0", "p2"], "priority": 5},
        {"id": "c", "participants": ["p3", "p2"]},
    ]
    event = make_event(requests=requests, slots=2, tables=1)
    assert "c" not in scheduled(run(event))
    guaranteed = run(event, min_meetings=1)
    assert "c" in scheduled(guaranteed)


# Goal 4: table changes.


def test_a_participant_who_meets_back_to_back_keeps_the_table() -> None:
    requests = [("p0", "p1"), ("p0", "p2"), ("p0", "p3")]
    result = run(make_event(requests=requests, slots=3, tables=3))
    assert result.schedule.objective.table_changes == 0
    assert len({m.table for m in result.schedule.meetings}) == 1


# Goal 6: preferences.


def test_unpreferred_slots_are_avoided_when_free() -> None:
    people = [{"id": "p0", "unpreferred": [{"session": "am", "slot": 0}]}, {"id": "p1"}]
    result = run(make_event(participants=people, requests=[("p0", "p1")], slots=2))
    assert result.schedule.objective.unpreferred == 0
    assert result.schedule.meetings[0].slot == 1


# Goal order.


def test_goal_order_decides_the_trade_off() -> None:
    # p0 wants p1 (priority 1) and p2 (priority 1); fitting both forces a break.
    people = [
        {"id": "p0"},
        {"id": "p1", "unavailable": [{"session": "am", "slot": s} for s in (1, 2)]},
        {"id": "p2", "unavailable": [{"session": "am", "slot": s} for s in (0, 1)]},
    ]
    event = make_event(participants=people, requests=[("p0", "p1"), ("p0", "p2")], slots=3)
    count_first = run(event, goals=["scheduled", "breaks"])
    assert count_first.schedule.objective.scheduled_priority == 2
    assert count_first.schedule.objective.breaks == 1
    breaks_first = run(event, goals=["breaks", "scheduled"])
    assert breaks_first.schedule.objective.breaks == 0
    assert breaks_first.schedule.objective.scheduled_priority == 1


def test_goal_weights_combine_goals_in_one_level() -> None:
    people = [
        {"id": "p0"},
        {"id": "p1", "unavailable": [{"session": "am", "slot": s} for s in (1, 2)]},
        {"id": "p2", "unavailable": [{"session": "am", "slot": s} for s in (0, 1)]},
    ]
    event = make_event(participants=people, requests=[("p0", "p1"), ("p0", "p2")], slots=3)
    heavy_breaks = run(event, goals=[{Goal.SCHEDULED: 1, Goal.BREAKS: 2}])
    assert heavy_breaks.schedule.objective.breaks == 0
    light_breaks = run(event, goals=[{Goal.SCHEDULED: 2, Goal.BREAKS: 1}])
    assert light_breaks.schedule.objective.scheduled_priority == 2


# Re-scheduling keeps meetings where they were.


def test_rescheduling_keeps_untouched_meetings() -> None:
    pairs = [(f"p{a}", f"p{b}") for a in range(5) for b in range(a + 1, 5)]
    event = make_event(participants=5, requests=pairs, slots=5, tables=2)
    first = run(event)
    smaller = event.model_copy(update={"requests": event.requests[1:]})
    # Stability ranks right after the count here; by default breaks come first and may
    # move meetings to close a gap left by the cancellation.
    options = SolveOptions(time_limit=20, goals=["scheduled", "stability", "breaks"])
    again = solve(smaller, options, previous=first.schedule)
    assert check(smaller, again.schedule) == []
    assert again.schedule.objective.moved == 0


# The solver is a pure function of its inputs.


def test_a_second_solve_does_not_reuse_the_first_ones_hints() -> None:
    from matchsched.solver.compile import compile_event
    from matchsched.solver.cpsat.model import TimetableModel

    other = make_event(requests=[("p0", "p1"), ("p1", "p2"), ("p2", "p3")], slots=2)
    run(other)
    event = make_event(requests=[("p0", "p1"), ("p0", "p2")], slots=2)
    fresh = TimetableModel(compile_event(event), SolveOptions())
    assert len(fresh.model.Proto().solution_hint.vars) == 0
    alone = run(event).schedule.objective
    after_other = run(event).schedule.objective
    assert alone == after_other


def test_time_limit_is_reported() -> None:
    result = run(make_event(requests=[("p0", "p1")]), time_limit=3, seed=7, workers=1)
    info = result.schedule.solver
    assert info is not None
    assert (info.time_limit_s, info.seed, info.workers) == (3, 7, 1)
    assert info.wall_time_s < 3


def test_pool_meeting_never_takes_the_host_table_an_attendee_just_used() -> None:
    people = [{"id": "p0", "table": {"location": "hall", "table": 1}}, {"id": "p1"}, {"id": "p2"}]
    event = make_event(
        participants=people,
        requests=[
            {
                "id": "at-booth",
                "participants": ["p1", "p0"],
                "pinned": {"session": "am", "slot": 0},
            },
            {"id": "next", "participants": ["p1", "p2"], "pinned": {"session": "am", "slot": 1}},
        ],
        slots=2,
        tables=3,
    )
    result = run(event)
    following = result.schedule.meeting("next")
    assert following is not None and following.table != 1


def test_out_of_time_with_break_options_never_returns_a_timetable_that_breaks_them() -> None:
    from matchsched.solver import _valid_fallback
    from matchsched.solver.compile import compile_event

    event = make_event(requests=[("p0", "p1")])
    compiled = compile_event(event)
    chosen = compiled.request_candidates[0][:1]
    assert _valid_fallback(compiled, SolveOptions(), chosen)
    assert not _valid_fallback(compiled, SolveOptions(max_break_spread=2), chosen)
    assert not _valid_fallback(compiled, SolveOptions(max_breaks=0), chosen)
    assert not _valid_fallback(compiled, SolveOptions(min_meetings=1), chosen)
