"""Views of a schedule shared by the output adapters: names, the meeting list and table grids.

Nothing here depends on an optional library.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from matchsched.model import Event, Session
from matchsched.schedule import Meeting, Schedule


class Names:
    """Display names of participants and organizations of one event."""

    def __init__(self, event: Event) -> None:
        self._participants = {p.id: p for p in event.participants}
        self._organizations = {o.id: (o.name or o.id) for o in event.organizations}

    def person(self, party_id: str) -> str:
        """The participant's name (or id); an organization's name for an organization id."""
        participant = self._participants.get(party_id)
        if participant is not None:
            return participant.name or participant.id
        return self._organizations.get(party_id, party_id)

    def organization(self, party_id: str) -> str:
        """The name of the participant's organization, or ``""``."""
        participant = self._participants.get(party_id)
        if participant is None:
            return self._organizations.get(party_id, "")
        if participant.organization is None:
            return ""
        return self._organizations.get(participant.organization, participant.organization)

    def with_organization(self, party_id: str) -> str:
        """``"A. Rossi (Veneto Innovazione)"``, or the name alone."""
        organization = self.organization(party_id)
        name = self.person(party_id)
        return f"{name} ({organization})" if organization and organization != name else name


def local(moment: datetime, event: Event) -> datetime:
    """``moment`` in the event's time zone."""
    return moment.astimezone(event.zone)


def table_label(location: str, table: int) -> str:
    """``"hall, table 12"``."""
    return f"{location}, table {table}"


def ordered_meetings(schedule: Schedule) -> list[Meeting]:
    """The meetings by start time, location and table."""
    return sorted(schedule.meetings, key=lambda m: (m.start, m.location, m.table, m.request))


@dataclass(frozen=True)
class MeetingRow:
    """One meeting as a flat record, for CSV and spreadsheet lists."""

    session: str
    slot: int
    length: int
    start: datetime
    end: datetime
    location: str
    table: int
    request: str
    attendees: list[str]
    names: list[str]
    organizations: list[str]


def meeting_rows(event: Event, schedule: Schedule) -> list[MeetingRow]:
    """The meetings as flat records in time order, times in the event's time zone."""
    names = Names(event)
    return [
        MeetingRow(
            session=m.session,
            slot=m.slot,
            length=m.length,
            start=local(m.start, event),
            end=local(m.end, event),
            location=m.location,
            table=m.table,
            request=m.request,
            attendees=list(m.attendees),
            names=[names.person(a) for a in m.attendees],
            organizations=[names.organization(a) for a in m.attendees],
        )
        for m in ordered_meetings(schedule)
    ]


def open_locations(event: Event, session: Session) -> list[str]:
    """Ids of the locations open in ``session``."""
    return [loc.id for loc in event.locations if loc.sessions is None or session.id in loc.sessions]


def grid(
    event: Event, schedule: Schedule, session: Session
) -> dict[tuple[str, int], dict[int, Meeting]]:
    """The session's tables x slots: ``{(location, table): {first slot: meeting}}``.

    Every table of every location open in the session has a row (possibly empty); tables
    used by a meeting of a closed location are added too, so nothing is hidden.
    """
    rows: dict[tuple[str, int], dict[int, Meeting]] = {}
    for location_id in open_locations(event, session):
        for table in range(1, event.location(location_id).tables + 1):
            rows[(location_id, table)] = {}
    for meeting in schedule.meetings:
        if meeting.session == session.id:
            rows.setdefault((meeting.location, meeting.table), {})[meeting.slot] = meeting
    return dict(sorted(rows.items(), key=lambda item: _location_order(event, item[0])))


def _location_order(event: Event, key: tuple[str, int]) -> tuple[int, str, int]:
    order = {loc.id: position for position, loc in enumerate(event.locations)}
    return (order.get(key[0], len(order)), key[0], key[1])


def tables_in_use(event: Event, schedule: Schedule, session: Session) -> list[int]:
    """Number of tables busy in each slot of ``session``."""
    busy = [0] * session.slots
    for meeting in schedule.meetings:
        if meeting.session == session.id:
            for slot in range(meeting.slot, min(meeting.slot + meeting.length, session.slots)):
                busy[slot] += 1
    return busy


def tables_available(event: Event, session: Session) -> int:
    """Number of tables of the locations open in ``session``."""
    return sum(event.location(loc).tables for loc in open_locations(event, session))


def meetings_per_participant(event: Event, schedule: Schedule) -> dict[str, int]:
    """Meetings attended by every participant of the event (0 without meetings)."""
    counts: Counter[str] = Counter()
    for meeting in schedule.meetings:
        counts.update(set(meeting.attendees))
    return {p.id: counts[p.id] for p in event.participants}


def breaks_per_participant(event: Event, schedule: Schedule) -> dict[str, int]:
    """Breaks of every participant, as the independent checker counts them."""
    from matchsched.check import breaks_per_participant as count

    return count(event, schedule)


def slot_label(session: Session, slot: int) -> str:
    """The local start time of a slot, ``"09:20"``."""
    return session.slot_start(slot).strftime("%H:%M")


def reference_problems(event: Event, schedule: Schedule) -> list[str]:
    """What in ``schedule`` does not fit ``event`` (unknown ids, another event's name).

    Output adapters need these to hold; whether the schedule is *valid* is the checker's job.
    """
    problems = []
    if schedule.event != event.name:
        problems.append(
            f"event: the schedule is for {schedule.event!r}, the event is {event.name!r}"
        )
    sessions = {s.id for s in event.sessions}
    locations = {loc.id: loc.tables for loc in event.locations}
    participants = {p.id for p in event.participants}
    requests = {r.id for r in event.requests}
    for index, meeting in enumerate(schedule.meetings):
        path = f"meetings[{index}]"
        if meeting.request not in requests:
            problems.append(f"{path}.request: unknown request {meeting.request!r}")
        if meeting.session not in sessions:
            problems.append(f"{path}.session: unknown session {meeting.session!r}")
        if meeting.location not in locations:
            problems.append(f"{path}.location: unknown location {meeting.location!r}")
        elif meeting.table > locations[meeting.location]:
            problems.append(
                f"{path}.table: table {meeting.table} does not exist in {meeting.location!r}"
            )
        for position, attendee in enumerate(meeting.attendees):
            if attendee not in participants:
                problems.append(f"{path}.attendees[{position}]: unknown participant {attendee!r}")
    return problems
