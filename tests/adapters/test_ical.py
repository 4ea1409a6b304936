"""One iCalendar file per participant: stable UIDs, SEQUENCE on re-schedules, time zones."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from matchsched import cli
from matchsched.adapters.json_io import write_event, write_schedule
from matchsched.model import Event
from matchsched.schedule import Meeting, Schedule, Unscheduled, UnscheduledReason

icalendar = pytest.importorskip("icalendar")

from matchsched.adapters.ical import (  # noqa: E402
    meeting_uid,
    participant_calendars,
    read_sequences,
    write_calendars,
)

STAMP = datetime(2015, 6, 1, 12, 0, tzinfo=UTC)


def events_of(data: bytes) -> dict[str, Any]:
    calendar = icalendar.Calendar.from_ical(data)
    return {str(e["x-matchsched-request"]): e for e in calendar.walk("VEVENT")}


def test_one_calendar_per_participant_with_meetings(
    organiser_event: Event, organiser_schedule: Schedule
) -> None:
    calendars = participant_calendars(organiser_event, organiser_schedule, stamp=STAMP)
    assert sorted(calendars) == ["alice", "bob", "carol", "dave"]

    calendar = icalendar.Calendar.from_ical(calendars["alice"])
    assert [str(tz["tzid"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/Rome"]
    alice = events_of(calendars["alice"])
    assert sorted(alice) == ["r1", "r2"]
    first = alice["r1"]
    assert str(first["summary"]) == "Meeting with Bob Silva (Beta Srl)"
    assert str(first["location"]) == "booth-12, table 1"
    assert first["dtstart"].params["TZID"] == "Europe/Rome"
    start = first.decoded("dtstart")
    assert start == datetime(2015, 6, 10, 7, 0, tzinfo=UTC)  # 09:00 summer time in Rome
    assert start.utcoffset() == timedelta(hours=2)
    assert first.decoded("dtend") - start == timedelta(minutes=20)
    assert int(first["sequence"]) == 0
    assert str(first["status"]) == "CONFIRMED"

    # The same meeting has the same UID in every attendee's calendar.
    assert str(events_of(calendars["bob"])["r1"]["uid"]) == str(first["uid"])
    assert str(first["uid"]) == meeting_uid(organiser_event.name, "r1")
    dave = events_of(calendars["dave"])["r3"]
    assert dave.decoded("dtend") - dave.decoded("dtstart") == timedelta(minutes=40)


def test_uid_depends_on_event_and_request_only() -> None:
    assert meeting_uid("Fair", "r1") == meeting_uid("Fair", "r1")
    assert meeting_uid("Fair", "r1") != meeting_uid("Fair", "r2")
    assert meeting_uid("Fair", "r1") != meeting_uid("Other fair", "r1")
    assert meeting_uid("Fair", "r1").endswith("@matchsched")


def moved(event: Event, schedule: Schedule, make_meeting: Callable[..., Meeting]) -> Schedule:
    """r1 stays, r2 moves to another slot, r3 is dropped."""
    return schedule.model_copy(
        update={
            "meetings": [
                schedule.meetings[0],
                make_meeting(event, "r2", ["alice", "carol"], "d1-am", 1, "hall", 2),
            ],
            "unscheduled": [
                *schedule.unscheduled,
                Unscheduled(request="r3", reason=UnscheduledReason.NOT_SELECTED),
            ],
        }
    )


def test_reschedule_raises_sequence_of_moved_and_cancels_dropped(
    organiser_event: Event,
    organiser_schedule: Schedule,
    make_meeting: Callable[..., Meeting],
) -> None:
    new = moved(organiser_event, organiser_schedule, make_meeting)
    calendars = participant_calendars(
        organiser_event,
        new,
        previous=organiser_schedule,
        previous_sequences={meeting_uid(organiser_event.name, "r1"): 3},
        stamp=STAMP,
    )
    alice = events_of(calendars["alice"])
    assert int(alice["r1"]["sequence"]) == 3  # unchanged: keeps its sequence
    assert int(alice["r2"]["sequence"]) == 1  # moved: 0 + 1
    dave = events_of(calendars["dave"])
    assert str(dave["r3"]["status"]) == "CANCELLED" and int(dave["r3"]["sequence"]) == 1
    assert str(events_of(calendars["bob"])["r3"]["status"]) == "CANCELLED"


def test_sequences_are_read_back_from_the_folder(
    tmp_path: Path,
    organiser_event: Event,
    organiser_schedule: Schedule,
    make_meeting: Callable[..., Meeting],
) -> None:
    folder = tmp_path / "calendars"
    written = write_calendars(organiser_event, organiser_schedule, folder, stamp=STAMP)
    assert sorted(p.name for p in written) == ["alice.ics", "bob.ics", "carol.ics", "dave.ics"]
    assert set(read_sequences(folder).values()) == {0}

    second = moved(organiser_event, organiser_schedule, make_meeting)
    write_calendars(organiser_event, second, folder, previous=organiser_schedule, stamp=STAMP)
    r2 = meeting_uid(organiser_event.name, "r2")
    assert read_sequences(folder)[r2] == 1

    third = second.model_copy(
        update={
            "meetings": [
                second.meetings[0],
                make_meeting(organiser_event, "r2", ["alice", "carol"], "d1-pm", 0, "hall", 2),
            ]
        }
    )
    write_calendars(organiser_event, third, folder, previous=second, stamp=STAMP)
    assert read_sequences(folder)[r2] == 2
    assert read_sequences(folder)[meeting_uid(organiser_event.name, "r1")] == 0


def test_cli_export_ics_with_previous(
    tmp_path: Path,
    organiser_event: Event,
    organiser_schedule: Schedule,
    make_meeting: Callable[..., Meeting],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(cli, "COMMAND_MODULES", ["matchsched.cli.export"])
    write_event(organiser_event, tmp_path / "event.json")
    write_schedule(organiser_schedule, tmp_path / "old.json")
    write_schedule(moved(organiser_event, organiser_schedule, make_meeting), tmp_path / "new.json")
    folder = tmp_path / "calendars"
    base = ["export", str(tmp_path / "event.json")]
    assert cli.main([*base, str(tmp_path / "old.json"), "--to", "ics", "-o", str(folder)]) == 0
    again = [*base, str(tmp_path / "new.json"), "--to", "ics", "-o", str(folder)]
    assert cli.main([*again, "--previous", str(tmp_path / "old.json")]) == 0
    alice = events_of((folder / "alice.ics").read_bytes())
    assert int(alice["r2"]["sequence"]) == 1
