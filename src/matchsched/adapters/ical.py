"""Calendars out: one iCalendar (``.ics``) file per participant.

* **UID**: derived from the event name and the request id only (a UUID-5 of both), so a
  meeting keeps its UID when it moves, and every attendee's copy has the same UID.
* **SEQUENCE**: 0 for a first export. Given the ``previous`` schedule and the sequences of the
  previous export (``previous_sequences``, read back from the old ``.ics`` files with
  :func:`read_sequences`), a meeting whose time, table or attendees changed gets the previous
  sequence + 1; an unchanged one keeps it. A meeting of the previous schedule that is gone
  (unscheduled, or the attendee replaced) is sent once more with ``STATUS:CANCELLED`` and a
  raised sequence, so calendar programs remove it. The ``.ics`` files are the record of the
  sequence: no other file keeps it.
* **Time zone**: times carry ``TZID`` with the event's IANA zone and the calendar holds the
  matching ``VTIMEZONE``.
* **SUMMARY** ``Meeting with B. Silva (Org)``, **LOCATION** ``hall, table 12``.

A participant gets a file when they have at least one meeting (or one cancelled meeting).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Mapping
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from matchsched.adapters._timetable import Names, local, table_label
from matchsched.adapters.files import atomic_write_bytes
from matchsched.model import Event
from matchsched.schedule import Meeting, Schedule

__all__ = ["meeting_uid", "participant_calendars", "read_sequences", "write_calendars"]

_NAMESPACE = uuid.UUID("7f0c2d8e-4b1a-5c3e-9d2f-6a8b0c1d2e3f")
PRODID = "-//matchsched//matchsched calendar export//EN"


def _icalendar() -> Any:
    try:
        import icalendar
    except ImportError:  # pragma: no cover - depends on the installation
        raise ImportError(
            "writing calendars needs icalendar: pip install 'matchsched[calendar]'"
        ) from None
    return icalendar


def meeting_uid(event_name: str, request_id: str) -> str:
    """The stable UID of the meeting of ``request_id``: independent of its time and table."""
    key = "\n".join((event_name, request_id))
    return f"{uuid.uuid5(_NAMESPACE, key)}@matchsched"


def _same_place_and_time(a: Meeting, b: Meeting) -> bool:
    return (a.start, a.end, a.location, a.table, list(a.attendees)) == (
        b.start,
        b.end,
        b.location,
        b.table,
        list(b.attendees),
    )


def _sequences(
    event: Event,
    schedule: Schedule,
    previous: Schedule | None,
    previous_sequences: Mapping[str, int],
) -> dict[str, int]:
    """SEQUENCE per request id, for the current meetings and the cancelled previous ones."""
    sequences: dict[str, int] = {}
    old = {m.request: m for m in previous.meetings} if previous is not None else {}
    for meeting in schedule.meetings:
        uid = meeting_uid(event.name, meeting.request)
        base = previous_sequences.get(uid, 0)
        before = old.get(meeting.request)
        changed = previous is not None and (
            before is None or not _same_place_and_time(before, meeting)
        )
        sequences[meeting.request] = base + 1 if changed else base
    for request_id in old.keys() - sequences.keys():
        sequences[request_id] = previous_sequences.get(meeting_uid(event.name, request_id), 0) + 1
    return sequences


def participant_calendars(
    event: Event,
    schedule: Schedule,
    *,
    previous: Schedule | None = None,
    previous_sequences: Mapping[str, int] | None = None,
    stamp: datetime | None = None,
) -> dict[str, bytes]:
    """One iCalendar file (bytes) per participant with meetings, by participant id.

    Parameters
    ----------
    previous
        The schedule the participants received before; meetings that moved get a raised
        SEQUENCE and meetings that are gone are sent as cancelled.
    previous_sequences
        SEQUENCE by UID in the previous export (see :func:`read_sequences`); 0 when missing.
    stamp
        DTSTAMP of every event (default: now), e.g. fixed for reproducible files.
    """
    icalendar = _icalendar()
    names = Names(event)
    stamp = (stamp or datetime.now(UTC)).astimezone(UTC)
    sequences = _sequences(event, schedule, previous, previous_sequences or {})
    participant_ids = {p.id for p in event.participants}
    first_day = date(min(s.start.year for s in event.sessions), 1, 1)
    last_day = date(max(s.end.year for s in event.sessions) + 1, 1, 1)

    entries: dict[str, list[tuple[Meeting, bool]]] = {}
    for meeting in schedule.meetings:
        for attendee in dict.fromkeys(meeting.attendees):
            entries.setdefault(attendee, []).append((meeting, False))
    if previous is not None:
        current = {(m.request, a) for m in schedule.meetings for a in m.attendees}
        for meeting in previous.meetings:
            for attendee in dict.fromkeys(meeting.attendees):
                if (meeting.request, attendee) not in current and attendee in participant_ids:
                    entries.setdefault(attendee, []).append((meeting, True))

    calendars: dict[str, bytes] = {}
    for participant in event.participants:
        items = sorted(entries.get(participant.id, []), key=lambda item: item[0].start)
        if not items:
            continue
        calendar = icalendar.Calendar()
        calendar.add("prodid", PRODID)
        calendar.add("version", "2.0")
        calendar.add("method", "PUBLISH")
        calendar.add("x-wr-calname", f"{event.name}: {names.person(participant.id)}")
        calendar.add("x-wr-timezone", event.timezone)
        for meeting, cancelled in items:
            others = [a for a in meeting.attendees if a != participant.id]
            entry = icalendar.Event()
            entry.add("uid", meeting_uid(event.name, meeting.request))
            entry.add("dtstamp", stamp)
            entry.add("dtstart", local(meeting.start, event))
            entry.add("dtend", local(meeting.end, event))
            entry.add("sequence", sequences.get(meeting.request, 0))
            entry.add(
                "summary", "Meeting with " + ", ".join(names.with_organization(a) for a in others)
            )
            entry.add("location", table_label(meeting.location, meeting.table))
            entry.add(
                "description",
                "\n".join(
                    [
                        f"{event.name}, session {meeting.session}",
                        f"Table: {table_label(meeting.location, meeting.table)}",
                        "With: " + "; ".join(names.with_organization(a) for a in others),
                    ]
                ),
            )
            entry.add("status", "CANCELLED" if cancelled else "CONFIRMED")
            entry.add("transp", "TRANSPARENT" if cancelled else "OPAQUE")
            entry.add("x-matchsched-request", meeting.request)
            calendar.add_component(entry)
        if hasattr(calendar, "add_missing_timezones"):  # icalendar >= 6.1
            # The zone's rules for the years of the event keep the VTIMEZONE short.
            calendar.add_missing_timezones(first_date=first_day, last_date=last_day)
        calendars[participant.id] = calendar.to_ical()
    return calendars


def calendar_file_name(participant_id: str) -> str:
    """``<participant id>.ics``, with characters unsafe in file names replaced by ``_``."""
    safe = "".join(c if c.isalnum() or c in "@.-_+" else "_" for c in participant_id)
    return f"{safe.lstrip('.') or '_'}.ics"


def read_sequences(folder: str | os.PathLike[str]) -> dict[str, int]:
    """SEQUENCE by UID found in the ``.ics`` files of ``folder`` (empty when there are none).

    When a UID appears in several files (one per attendee), the highest sequence is kept.
    """
    icalendar = _icalendar()
    sequences: dict[str, int] = {}
    folder = Path(folder)
    if not folder.is_dir():
        return sequences
    for path in sorted(folder.glob("*.ics")):
        try:
            calendar = icalendar.Calendar.from_ical(path.read_bytes())
        except (OSError, ValueError):
            continue  # not one of ours, or damaged: it carries no sequence we can trust
        for component in calendar.walk("VEVENT"):
            uid = str(component.get("uid", ""))
            sequence = int(component.get("sequence", 0))
            if uid:
                sequences[uid] = max(sequence, sequences.get(uid, 0))
    return sequences


def write_calendars(
    event: Event,
    schedule: Schedule,
    folder: str | os.PathLike[str],
    *,
    previous: Schedule | None = None,
    stamp: datetime | None = None,
) -> list[Path]:
    """Write ``<participant id>.ics`` files into ``folder``; return their paths.

    The sequences of the previous export are read from the ``.ics`` files already in
    ``folder`` (when ``previous`` is given), so exporting a re-schedule into the same
    folder raises the SEQUENCE of exactly the meetings that moved.
    """
    folder = Path(folder)
    previous_sequences = read_sequences(folder) if previous is not None else {}
    calendars = participant_calendars(
        event, schedule, previous=previous, previous_sequences=previous_sequences, stamp=stamp
    )
    written = []
    used: set[str] = set()
    for participant_id, data in calendars.items():
        name = calendar_file_name(participant_id)
        number = 1
        while name.casefold() in used:  # two ids that differ only in unsafe characters
            number += 1
            name = calendar_file_name(f"{participant_id}-{number}")
        used.add(name.casefold())
        path = folder / name
        atomic_write_bytes(path, data)
        written.append(path)
    return written
