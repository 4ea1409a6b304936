"""The independent checker and goal evaluator: for every rule, a kept and a broken case."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from matchsched.check import Violation, breaks_per_participant, check, evaluate
from matchsched.model import Event
from matchsched.options import SolveOptions
from matchsched.schedule import Meeting, Schedule, SolveStatus, Unscheduled, UnscheduledReason

MakeMeeting = Callable[..., Meeting]
MakeSchedule = Callable[..., Schedule]


def only(violations: list[Violation]) -> Violation:
    """The single violation of the list (fails otherwise)."""
    assert len(violations) == 1, violations
    return violations[0]


def expect(violations: list[Violation], rule: str, code: str, ids: tuple[str, ...]) -> None:
    violation = only(violations)
    assert (violation.rule, violation.code, violation.ids) == (rule, code, ids), violation
    assert violation.message


@pytest.fixture
def good(tiny_event: Event, make_meeting: MakeMeeting) -> list[Meeting]:
    """A valid timetable of all four tiny requests."""
    return [
        make_meeting(tiny_event, "r1", session="am", slot=0, table=1),
        make_meeting(tiny_event, "r2", session="am", slot=0, table=2),
        make_meeting(tiny_event, "r3", session="am", slot=1, table=1),
        make_meeting(tiny_event, "r4", session="am", slot=1, table=2),
    ]


def event_with(data: dict[str, Any], **changes: Any) -> Event:
    return Event.model_validate({**data, **changes})


def with_participant(data: dict[str, Any], participant_id: str, **fields: Any) -> dict[str, Any]:
    data["participants"] = [
        {**p, **fields} if p["id"] == participant_id else p for p in data["participants"]
    ]
    return data


def with_request(data: dict[str, Any], request_id: str, **fields: Any) -> dict[str, Any]:
    data["requests"] = [{**r, **fields} if r["id"] == request_id else r for r in data["requests"]]
    return data


# ---------------------------------------------------------------------------------------
# accounting


def test_valid_schedule_has_no_violations(
    tiny_event: Event, good: list[Meeting], make_schedule: MakeSchedule
) -> None:
    assert check(tiny_event, make_schedule(tiny_event, good)) == []


def test_empty_feasible_schedule_is_valid(tiny_event: Event, make_schedule: MakeSchedule) -> None:
    assert check(tiny_event, make_schedule(tiny_event, [])) == []


def test_request_missing(tiny_event: Event, good: list[Meeting]) -> None:
    schedule = Schedule(event="x", status=SolveStatus.FEASIBLE, meetings=good[:3])
    expect(check(tiny_event, schedule), "accounting", "request_missing", ("r4",))


def test_request_repeated(tiny_event: Event, good: list[Meeting]) -> None:
    unscheduled = [Unscheduled(request="r1", reason=UnscheduledReason.CAPACITY)]
    schedule = Schedule(event="x", status="feasible", meetings=good, unscheduled=unscheduled)
    expect(check(tiny_event, schedule), "accounting", "request_repeated", ("r1",))


def test_unknown_request(tiny_event: Event, good: list[Meeting]) -> None:
    unscheduled = [Unscheduled(request="r99", reason=UnscheduledReason.CAPACITY)]
    schedule = Schedule(event="x", status="feasible", meetings=good, unscheduled=unscheduled)
    expect(check(tiny_event, schedule), "accounting", "unknown_request", ("r99",))


@pytest.mark.parametrize("status", [SolveStatus.INFEASIBLE, SolveStatus.UNKNOWN])
def test_no_schedule_status_with_everything_unscheduled(
    tiny_event: Event, make_schedule: MakeSchedule, status: SolveStatus
) -> None:
    assert check(tiny_event, make_schedule(tiny_event, [], status=status)) == []


@pytest.mark.parametrize("status", [SolveStatus.INFEASIBLE, SolveStatus.UNKNOWN])
def test_meetings_without_schedule(
    tiny_event: Event, good: list[Meeting], make_schedule: MakeSchedule, status: SolveStatus
) -> None:
    # Only accounting is checked: the double booking below is not reported.
    meetings = [good[0], good[1].model_copy(update={"table": 1})]
    schedule = make_schedule(tiny_event, meetings, status=status)
    expect(check(tiny_event, schedule), "accounting", "meetings_without_schedule", ("r1", "r2"))


@pytest.mark.parametrize("attendees", [["p2", "p1"], ["p1"], ["p1", "p2", "p3"], ["p1", "p4"]])
def test_attendees_mismatch(
    tiny_event: Event, make_meeting: MakeMeeting, make_schedule: MakeSchedule, attendees: list
) -> None:
    meeting = make_meeting(tiny_event, "r1", attendees, "pm", 0)
    violations = check(tiny_event, make_schedule(tiny_event, [meeting]))
    expect(violations, "accounting", "attendees_mismatch", ("r1", *attendees))


def test_length_mismatch(
    tiny_event: Event, make_meeting: MakeMeeting, make_schedule: MakeSchedule
) -> None:
    meeting = make_meeting(tiny_event, "r1", session="pm", slot=0, length=2)
    violations = check(tiny_event, make_schedule(tiny_event, [meeting]))
    expect(violations, "accounting", "length_mismatch", ("r1",))


def test_unknown_session_and_slot(
    tiny_event: Event, good: list[Meeting], make_schedule: MakeSchedule
) -> None:
    elsewhere = good[0].model_copy(update={"session": "eve"})
    violations = check(tiny_event, make_schedule(tiny_event, [elsewhere]))
    expect(violations, "accounting", "unknown_session", ("r1", "eve"))
    late = good[0].model_copy(update={"slot": 6})
    violations = check(tiny_event, make_schedule(tiny_event, [late]))
    expect(violations, "accounting", "unknown_slot", ("r1", "am"))


def test_unknown_location_and_table(
    tiny_event: Event, good: list[Meeting], make_schedule: MakeSchedule
) -> None:
    elsewhere = good[0].model_copy(update={"location": "garden"})
    violations = check(tiny_event, make_schedule(tiny_event, [elsewhere]))
    expect(violations, "accounting", "unknown_location", ("r1", "garden"))
    missing_table = good[0].model_copy(update={"table": 4})
    violations = check(tiny_event, make_schedule(tiny_event, [missing_table]))
    expect(violations, "accounting", "unknown_table", ("r1", "hall#4"))


def test_times_carry_the_summer_time_offset(tiny_event: Event, good: list[Meeting]) -> None:
    assert good[0].start.isoformat() == "2015-06-10T09:00:00+02:00"
    assert good[0].end.isoformat() == "2015-06-10T09:20:00+02:00"


@pytest.mark.parametrize(
    "start",
    [
        datetime(2015, 6, 10, 9, 20, tzinfo=timezone(timedelta(hours=2))),  # wrong slot
        datetime(2015, 6, 10, 7, 0, tzinfo=UTC),  # same instant, wrong offset
        datetime(2015, 6, 10, 9, 0),  # no offset
    ],
)
def test_wrong_start(
    tiny_event: Event, good: list[Meeting], make_schedule: MakeSchedule, start: datetime
) -> None:
    meeting = good[0].model_copy(update={"start": start})
    violations = check(tiny_event, make_schedule(tiny_event, [meeting]))
    expect(violations, "accounting", "wrong_start", ("r1",))


def test_wrong_end(tiny_event: Event, good: list[Meeting], make_schedule: MakeSchedule) -> None:
    meeting = good[0].model_copy(update={"end": good[0].end + timedelta(minutes=20)})
    violations = check(tiny_event, make_schedule(tiny_event, [meeting]))
    expect(violations, "accounting", "wrong_end", ("r1",))


def test_winter_time_offset(tiny_data: dict, make_meeting: MakeMeeting) -> None:
    tiny_data["sessions"][0]["start"] = "2015-12-10T09:00"
    tiny_data["sessions"][1]["start"] = "2015-12-10T14:00"
    event = Event.model_validate(tiny_data)
    meeting = make_meeting(event, "r1")
    assert meeting.start.isoformat() == "2015-12-10T09:00:00+01:00"
    summer = meeting.model_copy(
        update={"start": datetime(2015, 12, 10, 9, 0, tzinfo=timezone(timedelta(hours=2)))}
    )
    schedule = Schedule(event="x", status="feasible", meetings=[summer])
    codes = {v.code for v in check(event, schedule)}
    assert "wrong_start" in codes


# ---------------------------------------------------------------------------------------
# rule 1


def test_participant_double_booked(
    tiny_event: Event, good: list[Meeting], make_meeting: MakeMeeting, make_schedule: MakeSchedule
) -> None:
    clash = make_meeting(tiny_event, "r3", session="am", slot=0, table=3)
    meetings = [good[0], good[1], clash, good[3]]
    violations = check(tiny_event, make_schedule(tiny_event, meetings))
    codes = sorted((v.code, v.ids) for v in violations)
    # p1 (r1, r3) and p3 (r2, r3) are both double booked.
    assert codes == [
        ("participant_double_booked", ("p1", "r1", "r3")),
        ("participant_double_booked", ("p3", "r2", "r3")),
    ]
    assert {v.rule for v in violations} == {"1"}


def test_long_meetings_overlap_once_reported(
    tiny_data: dict, make_meeting: MakeMeeting, make_schedule: MakeSchedule
) -> None:
    with_request(tiny_data, "r1", length=2)
    with_request(tiny_data, "r3", length=2)
    event = Event.model_validate(tiny_data)
    apart = [make_meeting(event, "r1", slot=0), make_meeting(event, "r3", slot=2)]
    assert check(event, make_schedule(event, apart)) == []
    overlapping = [make_meeting(event, "r1", slot=0), make_meeting(event, "r3", slot=1, table=2)]
    expect(
        check(event, make_schedule(event, overlapping)),
        "1",
        "participant_double_booked",
        ("p1", "r1", "r3"),
    )


def test_runs_past_session(
    tiny_data: dict, make_meeting: MakeMeeting, make_schedule: MakeSchedule
) -> None:
    event = Event.model_validate(with_request(tiny_data, "r1", length=2))
    assert check(event, make_schedule(event, [make_meeting(event, "r1", slot=4)])) == []
    meeting = make_meeting(event, "r1", slot=5)
    expect(check(event, make_schedule(event, [meeting])), "1", "runs_past_session", ("r1",))


# ---------------------------------------------------------------------------------------
# organizations (rule 6, and rule 1 for a member attending twice)


@pytest.fixture
def org_event(tiny_data: dict) -> Event:
    tiny_data["organizations"] = [{"id": "acme", "name": "ACME"}]
    with_participant(tiny_data, "p4", organization="acme")
    with_participant(tiny_data, "p5", organization="acme")
    tiny_data["requests"].append({"id": "r5", "participants": ["p1", "acme"]})
    tiny_data["requests"].append({"id": "r6", "participants": ["p4", "acme"]})
    return Event.model_validate(tiny_data)


@pytest.mark.parametrize("member", ["p4", "p5"])
def test_organization_member_attends(
    org_event: Event, make_meeting: MakeMeeting, make_schedule: MakeSchedule, member: str
) -> None:
    meeting = make_meeting(org_event, "r5", ["p1", member], "pm", 0)
    assert check(org_event, make_schedule(org_event, [meeting])) == []


@pytest.mark.parametrize("attendee", ["p3", "acme"])
def test_organization_not_member(
    org_event: Event, make_meeting: MakeMeeting, make_schedule: MakeSchedule, attendee: str
) -> None:
    meeting = make_meeting(org_event, "r5", ["p1", attendee], "pm", 0)
    violations = check(org_event, make_schedule(org_event, [meeting]))
    expect(violations, "6", "organization_not_member", ("r5", "acme", attendee))


def test_organization_member_counts_as_busy(
    org_event: Event, make_meeting: MakeMeeting, make_schedule: MakeSchedule
) -> None:
    meetings = [
        make_meeting(org_event, "r5", ["p1", "p4"], "pm", 0, table=1),
        make_meeting(org_event, "r2", None, "pm", 0, table=2),
    ]
    violations = check(org_event, make_schedule(org_event, meetings))
    expect(violations, "1", "participant_double_booked", ("p4", "r5", "r2"))


def test_attendee_repeated(
    org_event: Event, make_meeting: MakeMeeting, make_schedule: MakeSchedule
) -> None:
    assert (
        check(org_event, make_schedule(org_event, [make_meeting(org_event, "r6", ["p4", "p5"])]))
        == []
    )
    meeting = make_meeting(org_event, "r6", ["p4", "p4"])
    expect(
        check(org_event, make_schedule(org_event, [meeting])),
        "1",
        "attendee_repeated",
        ("r6", "p4"),
    )


# ---------------------------------------------------------------------------------------
# rule 2


def test_table_double_booked(
    tiny_event: Event, good: list[Meeting], make_schedule: MakeSchedule
) -> None:
    meetings = [good[0], good[1].model_copy(update={"table": 1}), *good[2:]]
    violations = check(tiny_event, make_schedule(tiny_event, meetings))
    expect(violations, "2", "table_double_booked", ("hall#1", "r1", "r2"))


@pytest.fixture
def booth_event(tiny_data: dict) -> Event:
    tiny_data["locations"].append({"id": "booth", "tables": 1, "seats": 2, "sessions": ["am"]})
    tiny_data["requests"].append({"id": "r5", "participants": ["p1", "p2", "p3"]})
    return Event.model_validate(tiny_data)


def test_location_closed(
    booth_event: Event, make_meeting: MakeMeeting, make_schedule: MakeSchedule
) -> None:
    open_booth = make_meeting(booth_event, "r1", None, "am", 0, "booth", 1)
    assert check(booth_event, make_schedule(booth_event, [open_booth])) == []
    closed = make_meeting(booth_event, "r1", None, "pm", 0, "booth", 1)
    violations = check(booth_event, make_schedule(booth_event, [closed]))
    expect(violations, "2", "location_closed", ("r1", "booth#1"))


def test_too_few_seats(
    booth_event: Event, make_meeting: MakeMeeting, make_schedule: MakeSchedule
) -> None:
    in_hall = make_meeting(booth_event, "r5", None, "am", 0, "hall", 1)
    assert check(booth_event, make_schedule(booth_event, [in_hall])) == []
    in_booth = make_meeting(booth_event, "r5", None, "am", 0, "booth", 1)
    violations = check(booth_event, make_schedule(booth_event, [in_booth]))
    expect(violations, "2", "too_few_seats", ("r5", "booth#1"))


# ---------------------------------------------------------------------------------------
# rule 3


def test_not_attending_session(
    tiny_data: dict, make_meeting: MakeMeeting, make_schedule: MakeSchedule
) -> None:
    event = Event.model_validate(with_participant(tiny_data, "p2", sessions=["pm"]))
    assert check(event, make_schedule(event, [make_meeting(event, "r1", None, "pm", 0)])) == []
    violations = check(event, make_schedule(event, [make_meeting(event, "r1", None, "am", 0)]))
    expect(violations, "3", "not_attending_session", ("r1", "p2"))


def test_unavailable_slot(
    tiny_data: dict, make_meeting: MakeMeeting, make_schedule: MakeSchedule
) -> None:
    with_participant(tiny_data, "p2", unavailable=[{"session": "am", "slot": 3}])
    event = Event.model_validate(with_request(tiny_data, "r1", length=2))
    for slot in (0, 1, 4):
        assert check(event, make_schedule(event, [make_meeting(event, "r1", slot=slot)])) == []
    for slot in (2, 3):  # the second slot or the first slot of the meeting
        violations = check(event, make_schedule(event, [make_meeting(event, "r1", slot=slot)]))
        expect(violations, "3", "unavailable_slot", ("r1", "p2"))


# ---------------------------------------------------------------------------------------
# rule 4


@pytest.fixture
def host_event(tiny_data: dict) -> Event:
    tiny_data["organizations"] = [{"id": "acme"}]
    tiny_data["locations"] = [{"id": "hall", "tables": 5, "seats": 4}]
    with_participant(tiny_data, "p1", table={"location": "hall", "table": 1})
    with_participant(tiny_data, "p2", table={"location": "hall", "table": 2})
    with_participant(tiny_data, "p5", organization="acme")
    tiny_data["participants"].append(
        {"id": "p6", "organization": "acme", "table": {"location": "hall", "table": 3}}
    )
    tiny_data["requests"] += [
        {"id": "r5", "participants": ["p5", "p2"]},
        {"id": "r6", "participants": ["p5", "p3", "p2", "p1"]},
        {"id": "r7", "participants": ["acme", "p1"]},
    ]
    return Event.model_validate(tiny_data)


@pytest.mark.parametrize(
    ("request_id", "attendees", "table", "host"),
    [
        ("r1", None, 1, "p1"),  # both have tables: the requester's wins
        ("r4", None, 2, "p2"),
        ("r5", None, 2, "p2"),  # the requester has none: the other's
        ("r6", None, 2, "p2"),  # the first listed attendee with one
        ("r7", ["p6", "p1"], 3, "p6"),  # an organization's member is the requester
        ("r7", ["p5", "p1"], 1, "p1"),  # the member has no table
    ],
)
def test_host_table(
    host_event: Event,
    make_meeting: MakeMeeting,
    make_schedule: MakeSchedule,
    request_id: str,
    attendees: list[str] | None,
    table: int,
    host: str,
) -> None:
    right = make_meeting(host_event, request_id, attendees, "am", 0, "hall", table)
    assert check(host_event, make_schedule(host_event, [right])) == []
    wrong = make_meeting(host_event, request_id, attendees, "am", 0, "hall", 4)
    violations = check(host_event, make_schedule(host_event, [wrong]))
    expect(violations, "4", "host_table_ignored", (request_id, host, f"hall#{table}"))


def test_host_table_reserved(
    host_event: Event, make_meeting: MakeMeeting, make_schedule: MakeSchedule
) -> None:
    pool = make_meeting(host_event, "r2", None, "am", 0, "hall", 4)
    assert check(host_event, make_schedule(host_event, [pool])) == []
    booth = make_meeting(host_event, "r2", None, "am", 0, "hall", 2)
    violations = check(host_event, make_schedule(host_event, [booth]))
    expect(violations, "4", "host_table_reserved", ("r2", "hall#2", "p2"))


# ---------------------------------------------------------------------------------------
# rule 5


def test_required_unscheduled(
    tiny_data: dict, good: list[Meeting], make_schedule: MakeSchedule
) -> None:
    event = Event.model_validate(with_request(tiny_data, "r2", required=True))
    assert check(event, make_schedule(event, good)) == []
    violations = check(event, make_schedule(event, [good[0]]))
    expect(violations, "5", "required_unscheduled", ("r2",))


@pytest.mark.parametrize(
    ("pin", "slot", "table", "kept"),
    [
        ({"session": "am", "slot": 2}, 2, 3, True),
        ({"session": "am", "slot": 2}, 3, 3, False),
        ({"session": "pm", "slot": 2}, 2, 3, False),
        ({"session": "am", "slot": 2, "location": "hall"}, 2, 2, True),
        ({"session": "am", "slot": 2, "location": "hall", "table": 3}, 2, 3, True),
        ({"session": "am", "slot": 2, "location": "hall", "table": 3}, 2, 2, False),
    ],
)
def test_pin(
    tiny_data: dict,
    make_meeting: MakeMeeting,
    make_schedule: MakeSchedule,
    pin: dict,
    slot: int,
    table: int,
    kept: bool,
) -> None:
    event = Event.model_validate(with_request(tiny_data, "r1", pinned=pin))
    meeting = make_meeting(event, "r1", None, "am", slot, "hall", table)
    violations = check(event, make_schedule(event, [meeting]))
    if kept:
        assert violations == []
    else:
        expect(violations, "5", "pin_ignored", ("r1",))


def test_pinned_request_may_stay_unscheduled(tiny_data: dict, make_schedule: MakeSchedule) -> None:
    event = Event.model_validate(with_request(tiny_data, "r1", pinned={"session": "am", "slot": 2}))
    assert check(event, make_schedule(event, [])) == []


def test_session_not_allowed(
    tiny_data: dict, make_meeting: MakeMeeting, make_schedule: MakeSchedule
) -> None:
    event = Event.model_validate(with_request(tiny_data, "r1", sessions=["pm"]))
    assert check(event, make_schedule(event, [make_meeting(event, "r1", None, "pm", 1)])) == []
    violations = check(event, make_schedule(event, [make_meeting(event, "r1", None, "am", 1)]))
    expect(violations, "5", "session_not_allowed", ("r1",))


@pytest.mark.parametrize(
    ("earlier", "later", "kept"),
    [
        (("am", 0), ("am", 1), True),  # ends exactly when the other starts
        (("am", 5), ("pm", 0), True),
        (("am", 1), ("am", 0), False),
        (("pm", 0), ("am", 5), False),
    ],
)
def test_after(
    tiny_data: dict,
    make_meeting: MakeMeeting,
    make_schedule: MakeSchedule,
    earlier: tuple[str, int],
    later: tuple[str, int],
    kept: bool,
) -> None:
    event = Event.model_validate(with_request(tiny_data, "r3", after=["r1"]))
    meetings = [
        make_meeting(event, "r1", None, *earlier, table=1),
        make_meeting(event, "r3", None, *later, table=2),
    ]
    violations = check(event, make_schedule(event, meetings))
    if kept:
        assert violations == []
    else:
        expect(violations, "5", "after_violated", ("r3", "r1"))


def test_after_binds_only_when_both_are_scheduled(
    tiny_data: dict, make_meeting: MakeMeeting, make_schedule: MakeSchedule
) -> None:
    event = Event.model_validate(with_request(tiny_data, "r3", after=["r1"]))
    assert check(event, make_schedule(event, [make_meeting(event, "r3", None, "am", 0)])) == []


def test_resource_over_capacity(
    tiny_data: dict, make_meeting: MakeMeeting, make_schedule: MakeSchedule
) -> None:
    tiny_data["resources"] = [{"id": "interpreter", "capacity": 1}]
    with_request(tiny_data, "r1", resources=["interpreter"])
    event = Event.model_validate(with_request(tiny_data, "r2", resources=["interpreter"]))
    apart = [make_meeting(event, "r1", slot=0), make_meeting(event, "r2", slot=1, table=2)]
    assert check(event, make_schedule(event, apart)) == []
    together = [make_meeting(event, "r1", slot=0), make_meeting(event, "r2", slot=0, table=2)]
    violations = check(event, make_schedule(event, together))
    expect(violations, "5", "resource_over_capacity", ("interpreter", "r1", "r2"))


def test_max_meetings(tiny_data: dict, good: list[Meeting], make_schedule: MakeSchedule) -> None:
    event = Event.model_validate(with_participant(tiny_data, "p1", max_meetings=2))
    assert check(event, make_schedule(event, good)) == []
    event = Event.model_validate(with_participant(tiny_data, "p1", max_meetings=1))
    violations = check(event, make_schedule(event, good))
    expect(violations, "5", "max_meetings_exceeded", ("p1",))


def test_max_meetings_per_session(
    tiny_data: dict, good: list[Meeting], make_meeting: MakeMeeting, make_schedule: MakeSchedule
) -> None:
    event = Event.model_validate(with_participant(tiny_data, "p1", max_meetings_per_session=1))
    spread = [good[0], make_meeting(event, "r3", None, "pm", 0)]
    assert check(event, make_schedule(event, spread)) == []
    violations = check(event, make_schedule(event, good))
    expect(violations, "5", "max_meetings_per_session_exceeded", ("p1", "am"))


# ---------------------------------------------------------------------------------------
# options


def test_options_are_checked_only_when_given(
    tiny_event: Event, make_meeting: MakeMeeting, make_schedule: MakeSchedule
) -> None:
    gap = [make_meeting(tiny_event, "r1", slot=0), make_meeting(tiny_event, "r3", slot=3)]
    assert check(tiny_event, make_schedule(tiny_event, gap)) == []
    assert check(tiny_event, make_schedule(tiny_event, gap), SolveOptions(max_breaks=1)) == []
    violations = check(tiny_event, make_schedule(tiny_event, gap), SolveOptions(max_breaks=0))
    expect(violations, "options", "max_breaks_exceeded", ("p1",))


def test_max_break_spread(
    tiny_event: Event, make_meeting: MakeMeeting, make_schedule: MakeSchedule
) -> None:
    gap = make_schedule(
        tiny_event, [make_meeting(tiny_event, "r1", slot=0), make_meeting(tiny_event, "r3", slot=3)]
    )
    assert check(tiny_event, gap, SolveOptions(max_break_spread=1)) == []
    violations = check(tiny_event, gap, SolveOptions(max_break_spread=0))
    expect(violations, "options", "max_break_spread_exceeded", ("p1", "p2"))


def test_max_break_spread_ignores_participants_without_meetings(
    tiny_event: Event, make_meeting: MakeMeeting, make_schedule: MakeSchedule
) -> None:
    both_gapped = make_schedule(
        tiny_event,
        [
            make_meeting(tiny_event, "r1", slot=0),
            make_meeting(tiny_event, "r4", slot=3),
            make_meeting(tiny_event, "r3", slot=3, table=2),
            make_meeting(tiny_event, "r2", slot=5),
        ],
    )
    # p1, p2 and p3 have one break each, p4 and p5 none; p4 and p5 have meetings.
    breaks = breaks_per_participant(tiny_event, both_gapped)
    assert breaks == {"p1": 1, "p2": 1, "p3": 1, "p4": 0, "p5": 0}
    expect(
        check(tiny_event, both_gapped, SolveOptions(max_break_spread=0)),
        "options",
        "max_break_spread_exceeded",
        ("p1", "p4"),
    )
    no_p4 = make_schedule(tiny_event, both_gapped.meetings[:2])
    assert breaks_per_participant(tiny_event, no_p4)["p3"] == 0
    expect(
        check(tiny_event, no_p4, SolveOptions(max_break_spread=0)),
        "options",
        "max_break_spread_exceeded",
        ("p2", "p1"),
    )


def test_min_meetings(tiny_data: dict, good: list[Meeting], make_schedule: MakeSchedule) -> None:
    event = Event.model_validate(tiny_data)
    options = SolveOptions(min_meetings=1)
    violations = check(event, make_schedule(event, good[:2]), options)
    expect(violations, "options", "too_few_meetings", ("p5",))
    assert check(event, make_schedule(event, good), SolveOptions(min_meetings=5)) == []
    # p5's only request cannot take place at all: p5 is not asked to meet anyone.
    with_request(tiny_data, "r4", sessions=["pm"])
    event = Event.model_validate(with_participant(tiny_data, "p5", sessions=["am"]))
    assert check(event, make_schedule(event, good[:2]), options) == []


# ---------------------------------------------------------------------------------------
# evaluate: breaks


def test_breaks_within_a_session(
    tiny_event: Event, make_meeting: MakeMeeting, make_schedule: MakeSchedule
) -> None:
    schedule = make_schedule(
        tiny_event, [make_meeting(tiny_event, "r1", slot=0), make_meeting(tiny_event, "r3", slot=3)]
    )
    assert breaks_per_participant(tiny_event, schedule) == {
        "p1": 1,
        "p2": 0,
        "p3": 0,
        "p4": 0,
        "p5": 0,
    }
    assert evaluate(tiny_event, schedule).breaks == 1


def test_back_to_back_is_no_break(
    tiny_event: Event, good: list[Meeting], make_schedule: MakeSchedule
) -> None:
    assert evaluate(tiny_event, make_schedule(tiny_event, good)).breaks == 0


def test_two_runs_of_idle_slots_are_two_breaks(
    tiny_data: dict, make_meeting: MakeMeeting, make_schedule: MakeSchedule
) -> None:
    tiny_data["requests"].append({"id": "r5", "participants": ["p1", "p4"]})
    event = Event.model_validate(tiny_data)
    meetings = [
        make_meeting(event, "r1", slot=0),
        make_meeting(event, "r3", slot=2),
        make_meeting(event, "r5", slot=5),
    ]
    assert breaks_per_participant(event, make_schedule(event, meetings))["p1"] == 2


def test_lunch_is_not_a_break(
    tiny_event: Event, make_meeting: MakeMeeting, make_schedule: MakeSchedule
) -> None:
    meetings = [
        make_meeting(tiny_event, "r1", None, "am", 5),
        make_meeting(tiny_event, "r3", None, "pm", 0),
    ]
    assert evaluate(tiny_event, make_schedule(tiny_event, meetings)).breaks == 0
    meetings[1] = make_meeting(tiny_event, "r3", None, "pm", 1)
    assert evaluate(tiny_event, make_schedule(tiny_event, meetings)).breaks == 1


def test_different_days_never_make_a_break(
    tiny_data: dict, make_meeting: MakeMeeting, make_schedule: MakeSchedule
) -> None:
    tiny_data["sessions"][1]["start"] = "2015-06-11T09:00"
    event = Event.model_validate(tiny_data)
    meetings = [make_meeting(event, "r1", None, "am", 0), make_meeting(event, "r3", None, "pm", 5)]
    assert evaluate(event, make_schedule(event, meetings)).breaks == 0


def test_unattended_session_between_is_not_idle(
    tiny_data: dict, make_meeting: MakeMeeting, make_schedule: MakeSchedule
) -> None:
    tiny_data["sessions"].append(
        {"id": "noon", "start": "2015-06-10T11:00", "slot_minutes": 30, "slots": 2}
    )
    with_participant(tiny_data, "p1", sessions=["am", "pm"])
    event = Event.model_validate(tiny_data)
    meetings = [make_meeting(event, "r1", None, "am", 5), make_meeting(event, "r3", None, "pm", 0)]
    breaks = breaks_per_participant(event, make_schedule(event, meetings))
    assert breaks["p1"] == 0  # p1 is away during "noon"
    meetings = [make_meeting(event, "r1", None, "am", 5), make_meeting(event, "r4", None, "pm", 0)]
    breaks = breaks_per_participant(event, make_schedule(event, meetings))
    assert breaks["p2"] == 1  # p2 attends "noon" and is idle there


def test_unavailable_slot_counts_as_idle(
    tiny_data: dict, make_meeting: MakeMeeting, make_schedule: MakeSchedule
) -> None:
    event = Event.model_validate(
        with_participant(tiny_data, "p1", unavailable=[{"session": "am", "slot": 1}])
    )
    meetings = [make_meeting(event, "r1", slot=0), make_meeting(event, "r3", slot=2)]
    assert breaks_per_participant(event, make_schedule(event, meetings))["p1"] == 1


def test_long_meeting_fills_its_slots(
    tiny_data: dict, make_meeting: MakeMeeting, make_schedule: MakeSchedule
) -> None:
    event = Event.model_validate(with_request(tiny_data, "r1", length=2))
    meetings = [make_meeting(event, "r1", slot=0), make_meeting(event, "r3", slot=2)]
    assert breaks_per_participant(event, make_schedule(event, meetings))["p1"] == 0
    meetings = [make_meeting(event, "r1", slot=0), make_meeting(event, "r3", slot=3)]
    assert breaks_per_participant(event, make_schedule(event, meetings))["p1"] == 1


def test_organization_member_breaks(
    org_event: Event, make_meeting: MakeMeeting, make_schedule: MakeSchedule
) -> None:
    meetings = [
        make_meeting(org_event, "r2", slot=0),
        make_meeting(org_event, "r5", ["p1", "p4"], "am", 2),
    ]
    assert breaks_per_participant(org_event, make_schedule(org_event, meetings))["p4"] == 1


# ---------------------------------------------------------------------------------------
# evaluate: table changes, preferences, priority, fairness, moves


def test_table_changes(
    tiny_data: dict, make_meeting: MakeMeeting, make_schedule: MakeSchedule
) -> None:
    event = Event.model_validate(tiny_data)
    same = [make_meeting(event, "r1", slot=0, table=1), make_meeting(event, "r3", slot=3, table=1)]
    assert evaluate(event, make_schedule(event, same)).table_changes == 0
    moved = [make_meeting(event, "r1", slot=0, table=1), make_meeting(event, "r3", slot=3, table=2)]
    assert evaluate(event, make_schedule(event, moved)).table_changes == 1
    # back to table 1: two changes for p1; p2 (r1, r4) changes once
    tiny_data["requests"].append({"id": "r5", "participants": ["p1", "p2"]})
    event = Event.model_validate(tiny_data)
    meetings = [
        make_meeting(event, "r1", slot=0, table=1),
        make_meeting(event, "r3", slot=1, table=2),
        make_meeting(event, "r5", slot=2, table=1),
    ]
    assert evaluate(event, make_schedule(event, meetings)).table_changes == 2 + 0 + 0
    meetings.append(make_meeting(event, "r4", slot=3, table=3))
    assert evaluate(event, make_schedule(event, meetings)).table_changes == 2 + 1


def test_table_changes_are_counted_per_day(
    tiny_data: dict, make_meeting: MakeMeeting, make_schedule: MakeSchedule
) -> None:
    tiny_data["sessions"][1]["start"] = "2015-06-11T09:00"
    event = Event.model_validate(tiny_data)
    meetings = [
        make_meeting(event, "r1", None, "am", 0, table=1),
        make_meeting(event, "r3", None, "pm", 0, table=2),
    ]
    assert evaluate(event, make_schedule(event, meetings)).table_changes == 0


def test_unpreferred_counts_attendee_slots(
    tiny_data: dict, make_meeting: MakeMeeting, make_schedule: MakeSchedule
) -> None:
    unpreferred = [{"session": "am", "slot": 0}, {"session": "am", "slot": 1}]
    with_participant(tiny_data, "p1", unpreferred=unpreferred)
    with_participant(tiny_data, "p2", unpreferred=unpreferred[:1])
    event = Event.model_validate(with_request(tiny_data, "r1", length=2))
    schedule = make_schedule(event, [make_meeting(event, "r1", slot=0)])
    assert evaluate(event, schedule).unpreferred == 2 + 1
    schedule = make_schedule(event, [make_meeting(event, "r1", slot=1)])
    assert evaluate(event, schedule).unpreferred == 1
    schedule = make_schedule(event, [make_meeting(event, "r1", slot=2)])
    assert evaluate(event, schedule).unpreferred == 0


def test_scheduled_priority(
    tiny_event: Event, good: list[Meeting], make_schedule: MakeSchedule
) -> None:
    objective = evaluate(tiny_event, make_schedule(tiny_event, good))
    assert objective.scheduled_priority == 3 + 1 + 2 + 1
    assert objective.scheduled_priority_bound is None
    assert objective.moved is None
    assert evaluate(tiny_event, make_schedule(tiny_event, good[1:2])).scheduled_priority == 1


def test_fairness(tiny_data: dict, good: list[Meeting], make_schedule: MakeSchedule) -> None:
    event = Event.model_validate(tiny_data)
    # priorities r1 3 (p1 p2), r2 1 (p3 p4), r3 2 (p1 p3), r4 1 (p2 p5)
    assert evaluate(event, make_schedule(event, good)).fairness == 1.0
    assert evaluate(event, make_schedule(event, good[:2])).fairness == 0.0  # p5: 0 of 1
    r1_r2_r4 = [good[0], good[1], good[3]]
    assert evaluate(event, make_schedule(event, r1_r2_r4)).fairness == pytest.approx(1 / 3)
    # r3 cannot take place: p3 is only there in the morning, r3 only in the afternoon
    with_participant(tiny_data, "p3", sessions=["am"])
    event = Event.model_validate(with_request(tiny_data, "r3", sessions=["pm"]))
    assert evaluate(event, make_schedule(event, r1_r2_r4)).fairness == 1.0


def test_fairness_takes_an_organization_as_one_party(
    org_event: Event, make_meeting: MakeMeeting, make_schedule: MakeSchedule
) -> None:
    meetings = [
        make_meeting(org_event, "r1", None, "am", 0),
        make_meeting(org_event, "r2", None, "am", 0, table=2),
        make_meeting(org_event, "r3", None, "am", 1),
        make_meeting(org_event, "r4", None, "am", 1, table=2),
        make_meeting(org_event, "r5", ["p1", "p5"], "am", 2),
    ]
    # acme's requests are r5 and r6 (one of two); p4's are r2 and r6 (one of two).
    assert evaluate(org_event, make_schedule(org_event, meetings)).fairness == 0.5


@pytest.mark.parametrize(
    ("change", "excluded"),
    [
        ({"locations": [{"id": "hall", "tables": 3, "seats": 1}]}, True),  # too few seats
        ({"locations": [{"id": "hall", "tables": 3, "sessions": ["pm"]}]}, False),
        ({"locations": []}, True),
    ],
)
def test_fairness_needs_a_table(
    tiny_data: dict,
    make_schedule: MakeSchedule,
    change: dict,
    excluded: bool,
) -> None:
    event = Event.model_validate({**tiny_data, **change})
    fairness = evaluate(event, make_schedule(event, [])).fairness
    assert fairness == (None if excluded else 0.0)


def test_fairness_respects_host_tables(
    tiny_data: dict, make_meeting: MakeMeeting, make_schedule: MakeSchedule
) -> None:
    tiny_data["locations"].append({"id": "booth", "tables": 1, "sessions": ["pm"]})
    with_participant(tiny_data, "p1", table={"location": "booth", "table": 1})
    with_participant(tiny_data, "p2", sessions=["am"])
    event = Event.model_validate(tiny_data)
    # r1 (p1 p2) must be at p1's booth, which is closed while p2 is there.
    meetings = [
        make_meeting(event, "r2", None, "am", 0),
        make_meeting(event, "r3", None, "pm", 0, "booth", 1),
        make_meeting(event, "r4", None, "am", 0, table=2),
    ]
    schedule = make_schedule(event, meetings)
    assert check(event, schedule) == []
    assert evaluate(event, schedule).fairness == 1.0


def _r4_cannot_happen(data: dict, how: str) -> None:
    if how == "max_meetings":
        with_participant(data, "p5", max_meetings=0)
    elif how == "pin":
        with_participant(data, "p5", unavailable=[{"session": "am", "slot": 4}])
        with_request(data, "r4", pinned={"session": "am", "slot": 4})
    elif how == "resource":
        data["resources"] = [{"id": "video", "capacity": 0}]
        with_request(data, "r4", resources=["video"])
    elif how == "sessions":
        with_participant(data, "p5", sessions=["pm"])
        with_request(data, "r4", sessions=["am"])
    elif how == "pool":
        with_participant(data, "p1", table={"location": "hall", "table": 1})
        with_participant(data, "p3", table={"location": "hall", "table": 2})
        with_participant(data, "p4", table={"location": "hall", "table": 3})


@pytest.mark.parametrize("how", ["max_meetings", "pin", "resource", "sessions", "pool"])
def test_fairness_leaves_out_requests_that_cannot_happen(
    tiny_data: dict, make_meeting: MakeMeeting, make_schedule: MakeSchedule, how: str
) -> None:
    def r1_r2_r3(event: Event) -> Schedule:
        return make_schedule(
            event,
            [
                make_meeting(event, "r1", slot=0, table=1),
                make_meeting(event, "r2", slot=0, table=2),
                make_meeting(event, "r3", slot=1, table=1),
            ],
        )

    event = Event.model_validate(tiny_data)
    assert evaluate(event, r1_r2_r3(event)).fairness == 0.0  # p5 has 0 of 1
    _r4_cannot_happen(tiny_data, how)
    event = Event.model_validate(tiny_data)
    schedule = r1_r2_r3(event)
    assert check(event, schedule) == []
    assert evaluate(event, schedule).fairness == 1.0


def test_fairness_is_none_without_requests(tiny_data: dict, make_schedule: MakeSchedule) -> None:
    event = Event.model_validate({**tiny_data, "requests": []})
    assert evaluate(event, make_schedule(event, [])).fairness is None


def test_moved(tiny_event: Event, good: list[Meeting], make_schedule: MakeSchedule) -> None:
    previous = make_schedule(tiny_event, good)
    assert evaluate(tiny_event, previous, previous).moved == 0
    later = good[1].model_copy(update={"slot": 2})
    other_table = good[2].model_copy(update={"table": 3})
    current = make_schedule(tiny_event, [good[0], later, other_table])  # r4 now unscheduled
    assert evaluate(tiny_event, current, previous).moved == 3
    # a request that no longer exists does not count
    gone = good[0].model_copy(update={"request": "r99"})
    previous = Schedule(event="x", status="feasible", meetings=[gone, good[1]])
    assert evaluate(tiny_event, make_schedule(tiny_event, good), previous).moved == 0
