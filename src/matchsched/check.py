"""The independent checker: does a schedule keep every rule, and what are its goal values?

:func:`check` turns a schedule into a list of labelled :class:`Violation` s, one per broken
rule instance (FORMAT.md section 2, plus request accounting and the hard options);
:func:`evaluate` recomputes the goal values (FORMAT.md section 3) from the timetable alone.

This module shares no code with the solver, on purpose: every rule is written here a second
time, straight from FORMAT.md and docs/decisions.md, as plain loops over the schedule with
dictionaries keyed by ``(participant, session, slot)`` and the like, so that a bug in the
solver's formulation is not repeated here.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from itertools import pairwise
from zoneinfo import ZoneInfo

from matchsched.model import Event, MeetingRequest, Participant, Pin, Session, TableRef
from matchsched.options import SolveOptions
from matchsched.schedule import Meeting, Objective, Schedule

__all__ = ["Violation", "breaks_per_participant", "check", "evaluate"]

Table = tuple[str, int]
"""A concrete table as ``(location id, table number)``."""


@dataclass(frozen=True)
class Violation:
    """One broken rule.

    Attributes
    ----------
    rule
        The FORMAT.md section 2 rule number (``"1"`` .. ``"6"``), ``"accounting"`` (every
        request exactly once, meeting fields consistent with the event) or ``"options"``
        (``max_breaks``, ``max_break_spread``, ``min_meetings``).
    code
        A short snake_case code, e.g. ``"participant_double_booked"``.
    message
        A sentence naming the ids and slots involved.
    ids
        The ids involved: request ids, participant ids, tables as ``"location#table"``.
    """

    rule: str
    code: str
    message: str
    ids: tuple[str, ...] = ()

    def __str__(self) -> str:
        return f"rule {self.rule} ({self.code}): {self.message}"


def _table_name(table: Table) -> str:
    return f"{table[0]}#{table[1]}"


def _and(items: Iterable[str]) -> str:
    return ", ".join(items)


class _EventIndex:
    """Dictionaries over the event, built once per call."""

    def __init__(self, event: Event) -> None:
        self.event = event
        self.zone: ZoneInfo = event.zone
        self.sessions: dict[str, Session] = {s.id: s for s in event.sessions}
        self.sessions_in_time_order = sorted(event.sessions, key=lambda s: s.start)
        self.day: dict[str, date] = {s.id: s.start.date() for s in event.sessions}
        self.locations = {location.id: location for location in event.locations}
        self.participants: dict[str, Participant] = {p.id: p for p in event.participants}
        self.organizations = {o.id for o in event.organizations}
        self.requests: dict[str, MeetingRequest] = {r.id: r for r in event.requests}
        self.capacity = {r.id: r.capacity for r in event.resources}
        self.members: dict[str, list[Participant]] = defaultdict(list)
        for participant in event.participants:
            if participant.organization is not None:
                self.members[participant.organization].append(participant)
        self.unavailable = {
            p.id: {(ref.session, ref.slot) for ref in p.unavailable} for p in event.participants
        }
        self.unpreferred = {
            p.id: {(ref.session, ref.slot) for ref in p.unpreferred} for p in event.participants
        }
        # Host tables are reserved for the meetings rule 4 sends to them (decisions.md).
        self.hosts: dict[Table, list[str]] = defaultdict(list)
        for participant in event.participants:
            if participant.table is not None:
                self.hosts[_table(participant.table)].append(participant.id)
        self.reserved: dict[str, set[int]] = defaultdict(set)
        for location_id, number in self.hosts:
            self.reserved[location_id].add(number)
        self._times: dict[tuple[str, int], datetime] = {}

    def attends(self, participant_id: str, session_id: str) -> bool:
        participant = self.participants.get(participant_id)
        if participant is None:
            return False
        return participant.sessions is None or session_id in participant.sessions

    def time(self, session: Session, slot: int) -> datetime:
        """Start of ``slot`` (or end of slot - 1) in the event's time zone, with its offset."""
        key = (session.id, slot)
        found = self._times.get(key)
        if found is None:
            found = self._times[key] = session.slot_start(slot).replace(tzinfo=self.zone)
        return found

    def is_placed(self, meeting: Meeting) -> bool:
        """The meeting names a known session and a slot inside it."""
        session = self.sessions.get(meeting.session)
        return session is not None and meeting.slot < session.slots

    def covered(self, meeting: Meeting) -> range:
        """The slots of its session the meeting occupies (clipped to the session)."""
        session = self.sessions[meeting.session]
        return range(meeting.slot, min(meeting.slot + meeting.length, session.slots))

    def host_table_of(self, attendees: list[str]) -> tuple[str, Table] | None:
        """Rule 4: the attendee whose fixed table the meeting must use, and that table.

        The requester (first attendee) wins when they have one, otherwise the first
        listed attendee with one; that is simply the first attendee with a table.
        """
        for attendee in attendees:
            participant = self.participants.get(attendee)
            if participant is not None and participant.table is not None:
                return attendee, _table(participant.table)
        return None


def _table(ref: TableRef) -> Table:
    return (ref.location, ref.table)


def _where(meeting: Meeting) -> str:
    if meeting.length == 1:
        return f"session {meeting.session} slot {meeting.slot}"
    last = meeting.slot + meeting.length - 1
    return f"session {meeting.session} slots {meeting.slot}-{last}"


def _first_meetings(index: _EventIndex, schedule: Schedule) -> dict[str, Meeting]:
    """The (first) meeting of each known request."""
    first: dict[str, Meeting] = {}
    for meeting in schedule.meetings:
        if meeting.request in index.requests:
            first.setdefault(meeting.request, meeting)
    return first


# ---------------------------------------------------------------------------------------
# check


def check(event: Event, schedule: Schedule, options: SolveOptions | None = None) -> list[Violation]:
    """Every rule the schedule breaks, in rule order.

    Parameters
    ----------
    event
        The event the schedule was made for.
    schedule
        The schedule to check. When its status is infeasible or unknown it must hold no
        meetings and list every request as unscheduled; only that accounting is checked.
    options
        When given, its hard options (``max_breaks``, ``max_break_spread``,
        ``min_meetings``) are checked too.

    Returns
    -------
    list[Violation]
        Empty when the schedule is valid.
    """
    index = _EventIndex(event)
    violations = list(_accounting(index, schedule))
    if not schedule.status.has_schedule:
        return violations
    placed = [m for m in schedule.meetings if index.is_placed(m)]
    at_table = [
        m
        for m in placed
        if m.location in index.locations and m.table <= index.locations[m.location].tables
    ]
    violations.extend(_rule_1(index, placed))
    violations.extend(_rule_2(index, at_table))
    violations.extend(_rule_3(index, placed))
    violations.extend(_rule_4(index, at_table))
    violations.extend(_rule_5(index, schedule, placed))
    violations.extend(_rule_6(index, schedule))
    if options is not None:
        violations.extend(_options(index, schedule, options))
    return violations


def _accounting(index: _EventIndex, schedule: Schedule) -> Iterator[Violation]:
    rule = "accounting"
    if not schedule.status.has_schedule and schedule.meetings:
        ids = tuple(dict.fromkeys(m.request for m in schedule.meetings))
        yield Violation(
            rule,
            "meetings_without_schedule",
            f"a schedule with status {schedule.status.value} holds meetings "
            f"({_and(ids)}); it must hold none",
            ids,
        )

    seen = Counter(m.request for m in schedule.meetings)
    seen.update(item.request for item in schedule.unscheduled)
    for request_id, count in seen.items():
        if request_id not in index.requests:
            yield Violation(
                rule, "unknown_request", f"request {request_id} is not in the event", (request_id,)
            )
        elif count > 1:
            yield Violation(
                rule,
                "request_repeated",
                f"request {request_id} appears {count} times in meetings and unscheduled; "
                "it must appear exactly once",
                (request_id,),
            )
    for request_id in index.requests:
        if request_id not in seen:
            yield Violation(
                rule,
                "request_missing",
                f"request {request_id} is neither in meetings nor in unscheduled",
                (request_id,),
            )

    for meeting in schedule.meetings:
        yield from _meeting_fields(index, meeting)


def _meeting_fields(index: _EventIndex, meeting: Meeting) -> Iterator[Violation]:
    rule = "accounting"
    request_id = meeting.request
    request = index.requests.get(request_id)
    if request is not None:
        parties = request.participants
        wrong = len(meeting.attendees) != len(parties) or any(
            party not in index.organizations and attendee != party
            for party, attendee in zip(parties, meeting.attendees, strict=False)
        )
        if wrong:
            yield Violation(
                rule,
                "attendees_mismatch",
                f"meeting {request_id} has attendees [{_and(meeting.attendees)}] but the "
                f"request names [{_and(parties)}] (an organization is replaced by one "
                "member at the same position)",
                (request_id, *meeting.attendees),
            )
        if meeting.length != request.length:
            yield Violation(
                rule,
                "length_mismatch",
                f"meeting {request_id} lasts {meeting.length} slot(s) but the request asks "
                f"for {request.length}",
                (request_id,),
            )

    session = index.sessions.get(meeting.session)
    if session is None:
        yield Violation(
            rule,
            "unknown_session",
            f"meeting {request_id} is in session {meeting.session}, which is not in the event",
            (request_id, meeting.session),
        )
    elif meeting.slot >= session.slots:
        yield Violation(
            rule,
            "unknown_slot",
            f"meeting {request_id} starts at slot {meeting.slot} of session {session.id}, "
            f"which has slots 0..{session.slots - 1}",
            (request_id, session.id),
        )
    else:
        expected = {
            "start": index.time(session, meeting.slot),
            "end": index.time(session, meeting.slot + meeting.length),
        }
        for name, given in (("start", meeting.start), ("end", meeting.end)):
            want = expected[name]
            if given.tzinfo is None or given != want or given.utcoffset() != want.utcoffset():
                yield Violation(
                    rule,
                    f"wrong_{name}",
                    f"meeting {request_id} has {name} {given.isoformat()}; "
                    f"{_where(meeting)} gives {want.isoformat()}",
                    (request_id,),
                )

    location = index.locations.get(meeting.location)
    if location is None:
        yield Violation(
            rule,
            "unknown_location",
            f"meeting {request_id} is at location {meeting.location}, which is not in the event",
            (request_id, meeting.location),
        )
    elif meeting.table > location.tables:
        table = _table_name((meeting.location, meeting.table))
        yield Violation(
            rule,
            "unknown_table",
            f"meeting {request_id} is at table {table}; location {location.id} has tables "
            f"1..{location.tables}",
            (request_id, table),
        )


def _rule_1(index: _EventIndex, placed: list[Meeting]) -> Iterator[Violation]:
    busy: dict[tuple[str, str, int], list[str]] = defaultdict(list)
    for meeting in placed:
        session = index.sessions[meeting.session]
        if meeting.slot + meeting.length > session.slots:
            yield Violation(
                "1",
                "runs_past_session",
                f"meeting {meeting.request} starts at slot {meeting.slot} of session "
                f"{session.id} and lasts {meeting.length} slot(s), past the session's last "
                f"slot {session.slots - 1}",
                (meeting.request,),
            )
        attendees = meeting.attendees
        if len(set(attendees)) < len(attendees):
            repeated = sorted({a for a in attendees if attendees.count(a) > 1})
            yield Violation(
                "1",
                "attendee_repeated",
                f"{_and(repeated)} attend(s) meeting {meeting.request} more than once",
                (meeting.request, *repeated),
            )
        for attendee in dict.fromkeys(meeting.attendees):
            for slot in index.covered(meeting):
                busy[(attendee, meeting.session, slot)].append(meeting.request)

    reported: set[tuple[str, tuple[str, ...]]] = set()
    for (attendee, session_id, slot), requests in busy.items():
        key = (attendee, tuple(requests))
        if len(requests) > 1 and key not in reported:
            reported.add(key)
            yield Violation(
                "1",
                "participant_double_booked",
                f"{attendee} attends {len(requests)} meetings ({_and(requests)}) in session "
                f"{session_id} slot {slot}",
                (attendee, *requests),
            )


def _rule_2(index: _EventIndex, at_table: list[Meeting]) -> Iterator[Violation]:
    used: dict[tuple[str, int, str, int], list[str]] = defaultdict(list)
    for meeting in at_table:
        location = index.locations[meeting.location]
        table = _table_name((meeting.location, meeting.table))
        if location.sessions is not None and meeting.session not in location.sessions:
            yield Violation(
                "2",
                "location_closed",
                f"meeting {meeting.request} is at {table} in session {meeting.session}, but "
                f"location {location.id} is open only in {_and(location.sessions) or 'none'}",
                (meeting.request, table),
            )
        if location.seats is not None and len(meeting.attendees) > location.seats:
            yield Violation(
                "2",
                "too_few_seats",
                f"meeting {meeting.request} has {len(meeting.attendees)} attendees but "
                f"{table} seats {location.seats}",
                (meeting.request, table),
            )
        for slot in index.covered(meeting):
            used[(meeting.location, meeting.table, meeting.session, slot)].append(meeting.request)

    reported: set[tuple[str, int, tuple[str, ...]]] = set()
    for (location_id, number, session_id, slot), requests in used.items():
        key = (location_id, number, tuple(requests))
        if len(requests) > 1 and key not in reported:
            reported.add(key)
            table = _table_name((location_id, number))
            yield Violation(
                "2",
                "table_double_booked",
                f"table {table} holds {len(requests)} meetings ({_and(requests)}) in session "
                f"{session_id} slot {slot}",
                (table, *requests),
            )


def _rule_3(index: _EventIndex, placed: list[Meeting]) -> Iterator[Violation]:
    for meeting in placed:
        for attendee in dict.fromkeys(meeting.attendees):
            if attendee not in index.participants:
                continue  # an unknown attendee is reported by accounting or rule 6
            if not index.attends(attendee, meeting.session):
                yield Violation(
                    "3",
                    "not_attending_session",
                    f"{attendee} attends meeting {meeting.request} in session "
                    f"{meeting.session}, a session they do not attend",
                    (meeting.request, attendee),
                )
            unavailable = index.unavailable[attendee]
            slots = [
                str(slot)
                for slot in index.covered(meeting)
                if (meeting.session, slot) in unavailable
            ]
            if slots:
                yield Violation(
                    "3",
                    "unavailable_slot",
                    f"{attendee} attends meeting {meeting.request} in session "
                    f"{meeting.session} slot {_and(slots)}, where they are unavailable",
                    (meeting.request, attendee),
                )


def _rule_4(index: _EventIndex, at_table: list[Meeting]) -> Iterator[Violation]:
    for meeting in at_table:
        held_at = (meeting.location, meeting.table)
        host = index.host_table_of(meeting.attendees)
        if host is not None:
            host_id, host_table = host
            if held_at != host_table:
                yield Violation(
                    "4",
                    "host_table_ignored",
                    f"meeting {meeting.request} is at {_table_name(held_at)}, but attendee "
                    f"{host_id} has the fixed table {_table_name(host_table)}",
                    (meeting.request, host_id, _table_name(host_table)),
                )
        elif held_at in index.hosts:
            owners = index.hosts[held_at]
            yield Violation(
                "4",
                "host_table_reserved",
                f"meeting {meeting.request} is at {_table_name(held_at)}, the host table of "
                f"{_and(owners)}, who do(es) not attend it",
                (meeting.request, _table_name(held_at), *owners),
            )


def _rule_5(index: _EventIndex, schedule: Schedule, placed: list[Meeting]) -> Iterator[Violation]:
    scheduled = _first_meetings(index, schedule)
    yield from _rule_5_requests(index, scheduled)
    yield from _rule_5_after(index, scheduled)
    yield from _rule_5_resources(index, placed)
    yield from _rule_5_limits(index, schedule)


def _rule_5_requests(index: _EventIndex, scheduled: dict[str, Meeting]) -> Iterator[Violation]:
    """``required``, ``pinned`` and ``sessions``."""
    for request in index.requests.values():
        if request.required and request.id not in scheduled:
            yield Violation(
                "5",
                "required_unscheduled",
                f"request {request.id} is required but not scheduled",
                (request.id,),
            )

    for request_id, meeting in scheduled.items():
        request = index.requests[request_id]
        if request.pinned is not None and not _keeps_pin(meeting, request.pinned):
            yield Violation(
                "5",
                "pin_ignored",
                f"request {request_id} is pinned to {_pin_text(request.pinned)} but is held "
                f"in {_where(meeting)} at {_table_name((meeting.location, meeting.table))}",
                (request_id,),
            )
        if request.sessions is not None and meeting.session not in request.sessions:
            yield Violation(
                "5",
                "session_not_allowed",
                f"request {request_id} is held in session {meeting.session} but allows only "
                f"{_and(request.sessions)}",
                (request_id,),
            )


def _rule_5_after(index: _EventIndex, scheduled: dict[str, Meeting]) -> Iterator[Violation]:
    """``after`` compares clock time and binds only when both are scheduled (decisions.md)."""
    for request_id, meeting in scheduled.items():
        if not index.is_placed(meeting):
            continue
        start = index.time(index.sessions[meeting.session], meeting.slot)
        for earlier_id in index.requests[request_id].after:
            earlier = scheduled.get(earlier_id)
            if earlier is None or not index.is_placed(earlier):
                continue
            session = index.sessions[earlier.session]
            end = index.time(session, earlier.slot + earlier.length)
            if end > start:
                yield Violation(
                    "5",
                    "after_violated",
                    f"request {request_id} must start after {earlier_id} ends, but starts at "
                    f"{start.isoformat()} and {earlier_id} ends at {end.isoformat()}",
                    (request_id, earlier_id),
                )


def _rule_5_resources(index: _EventIndex, placed: list[Meeting]) -> Iterator[Violation]:
    in_use: dict[tuple[str, str, int], list[str]] = defaultdict(list)
    for meeting in placed:
        request = index.requests.get(meeting.request)
        if request is None:
            continue
        for resource in dict.fromkeys(request.resources):
            for slot in index.covered(meeting):
                in_use[(resource, meeting.session, slot)].append(meeting.request)
    reported: set[tuple[str, tuple[str, ...]]] = set()
    for (resource, session_id, slot), requests in in_use.items():
        capacity = index.capacity[resource]
        key = (resource, tuple(requests))
        if len(requests) > capacity and key not in reported:
            reported.add(key)
            yield Violation(
                "5",
                "resource_over_capacity",
                f"resource {resource} (capacity {capacity}) is used by {len(requests)} "
                f"meetings ({_and(requests)}) in session {session_id} slot {slot}",
                (resource, *requests),
            )


def _rule_5_limits(index: _EventIndex, schedule: Schedule) -> Iterator[Violation]:
    """``max_meetings`` and ``max_meetings_per_session``."""
    total: Counter[str] = Counter()
    per_session: Counter[tuple[str, str]] = Counter()
    for meeting in schedule.meetings:
        for attendee in dict.fromkeys(meeting.attendees):
            total[attendee] += 1
            per_session[(attendee, meeting.session)] += 1
    for participant in index.participants.values():
        limit = participant.max_meetings
        if limit is not None and total[participant.id] > limit:
            yield Violation(
                "5",
                "max_meetings_exceeded",
                f"{participant.id} attends {total[participant.id]} meetings, more than "
                f"max_meetings {limit}",
                (participant.id,),
            )
    for (attendee, session_id), count in per_session.items():
        if attendee not in index.participants:
            continue
        limit = index.participants[attendee].max_meetings_per_session
        if limit is not None and count > limit:
            yield Violation(
                "5",
                "max_meetings_per_session_exceeded",
                f"{attendee} attends {count} meetings in session {session_id}, more than "
                f"max_meetings_per_session {limit}",
                (attendee, session_id),
            )


def _keeps_pin(meeting: Meeting, pin: Pin) -> bool:
    if (meeting.session, meeting.slot) != (pin.session, pin.slot):
        return False
    if pin.location is not None and meeting.location != pin.location:
        return False
    return pin.table is None or meeting.table == pin.table


def _pin_text(pin: Pin) -> str:
    text = f"session {pin.session} slot {pin.slot}"
    if pin.location is not None:
        text += f" at {pin.location}" if pin.table is None else f" at {pin.location}#{pin.table}"
    return text


def _rule_6(index: _EventIndex, schedule: Schedule) -> Iterator[Violation]:
    for meeting in schedule.meetings:
        request = index.requests.get(meeting.request)
        if request is None:
            continue
        for party, attendee in zip(request.participants, meeting.attendees, strict=False):
            if party not in index.organizations:
                continue
            participant = index.participants.get(attendee)
            if participant is None or participant.organization != party:
                yield Violation(
                    "6",
                    "organization_not_member",
                    f"meeting {meeting.request} names organization {party}, but its attendee "
                    f"{attendee} is not a member of it",
                    (meeting.request, party, attendee),
                )


def _options(index: _EventIndex, schedule: Schedule, options: SolveOptions) -> Iterator[Violation]:
    if options.max_breaks is not None or options.max_break_spread is not None:
        breaks = breaks_per_participant(index.event, schedule)
        if options.max_breaks is not None:
            for participant_id, count in breaks.items():
                if count > options.max_breaks:
                    yield Violation(
                        "options",
                        "max_breaks_exceeded",
                        f"{participant_id} has {count} breaks, more than max_breaks "
                        f"{options.max_breaks}",
                        (participant_id,),
                    )
        if options.max_break_spread is not None:
            meeting_anyone = {a for m in schedule.meetings for a in m.attendees}
            counted = {p: n for p, n in breaks.items() if p in meeting_anyone}
            if counted:
                most = max(counted, key=lambda p: counted[p])
                fewest = min(counted, key=lambda p: counted[p])
                spread = counted[most] - counted[fewest]
                if spread > options.max_break_spread:
                    yield Violation(
                        "options",
                        "max_break_spread_exceeded",
                        f"{most} has {counted[most]} breaks and {fewest} has "
                        f"{counted[fewest]}: a spread of {spread}, more than "
                        f"max_break_spread {options.max_break_spread}",
                        (most, fewest),
                    )

    if options.min_meetings is not None:
        possible = _schedulable(index, set(_first_meetings(index, schedule)))
        direct: Counter[str] = Counter()
        for request_id in possible:
            for party in index.requests[request_id].participants:
                if party in index.participants:
                    direct[party] += 1
        attended: Counter[str] = Counter()
        for meeting in schedule.meetings:
            attended.update(set(meeting.attendees))
        for participant_id in index.participants:
            needed = min(options.min_meetings, direct[participant_id])
            if attended[participant_id] < needed:
                yield Violation(
                    "options",
                    "too_few_meetings",
                    f"{participant_id} attends {attended[participant_id]} meetings but "
                    f"min_meetings asks for {needed}",
                    (participant_id,),
                )


# ---------------------------------------------------------------------------------------
# schedulable requests (for fairness and min_meetings)


def _schedulable(index: _EventIndex, scheduled: set[str]) -> set[str]:
    """Requests with at least one possible slot and table, each judged on its own, and the
    ``scheduled`` ones (evidently schedulable, whatever the simple test says).

    A simple test that ignores the other requests: some start slot in an allowed session
    (the pinned one, if pinned) where every participant party attends and is available
    for the whole length, every organization party has such a member, and a table exists
    that rule 4, the seats, the opening sessions and the pin allow.
    """
    return scheduled | {
        r.id for r in index.requests.values() if r.id not in scheduled and _is_schedulable(index, r)
    }


def _can_meet_at_all(index: _EventIndex, participant: Participant, session_id: str) -> bool:
    return (
        index.attends(participant.id, session_id)
        and participant.max_meetings != 0
        and participant.max_meetings_per_session != 0
    )


def _free(index: _EventIndex, participant: Participant, slots: list[tuple[str, int]]) -> bool:
    unavailable = index.unavailable[participant.id]
    return not any(slot in unavailable for slot in slots)


def _is_schedulable(index: _EventIndex, request: MeetingRequest) -> bool:
    if any(index.capacity[resource] == 0 for resource in request.resources):
        return False
    pin = request.pinned
    direct = [index.participants[p] for p in request.participants if p in index.participants]
    direct_ids = {p.id for p in direct}
    session_ids = request.sessions if request.sessions is not None else list(index.sessions)
    if pin is not None:
        session_ids = [s for s in session_ids if s == pin.session]
    for session_id in session_ids:
        session = index.sessions[session_id]
        if not all(_can_meet_at_all(index, p, session_id) for p in direct):
            continue
        candidates = {
            party: [
                m
                for m in index.members[party]
                if m.id not in direct_ids and _can_meet_at_all(index, m, session_id)
            ]
            for party in request.participants
            if party in index.organizations
        }
        starts = [pin.slot] if pin is not None else range(session.slots - request.length + 1)
        for start in starts:
            slots = [(session_id, slot) for slot in range(start, start + request.length)]
            if not all(_free(index, p, slots) for p in direct):
                continue
            table_options: list[set[Table | None]] = []
            for party in request.participants:
                if party in index.participants:
                    options = [index.participants[party]]
                else:
                    options = [m for m in candidates[party] if _free(index, m, slots)]
                table_options.append(
                    {None if m.table is None else _table(m.table) for m in options}
                )
            if any(not options for options in table_options):
                continue
            if _a_table_fits(index, table_options, session_id, len(request.participants), pin):
                return True
    return False


def _a_table_fits(
    index: _EventIndex,
    table_options: list[set[Table | None]],
    session_id: str,
    attendees: int,
    pin: Pin | None,
) -> bool:
    """Whether some choice of members leads (by rule 4) to a usable table."""

    def location_ok(location_id: str) -> bool:
        location = index.locations[location_id]
        open_now = location.sessions is None or session_id in location.sessions
        return open_now and (location.seats is None or location.seats >= attendees)

    host_tables: list[Table] = []
    pool_possible = True
    for options in table_options:
        host_tables.extend(t for t in options if t is not None)
        if None not in options:
            # Every choice here has a fixed table, so no later attendee's table can win.
            pool_possible = False
            break
    for location_id, number in host_tables:
        pin_ok = (
            pin is None
            or pin.location is None
            or (pin.location == location_id and pin.table in (None, number))
        )
        if pin_ok and location_ok(location_id):
            return True
    if not pool_possible:
        return False
    if pin is not None and pin.location is not None:
        if not location_ok(pin.location):
            return False
        reserved = index.reserved[pin.location]
        if pin.table is not None:
            return pin.table not in reserved
        return index.locations[pin.location].tables > len(reserved)
    return any(
        location_ok(location.id) and location.tables > len(index.reserved[location.id])
        for location in index.locations.values()
    )


# ---------------------------------------------------------------------------------------
# evaluate


def _day_offsets(index: _EventIndex, attended: set[str]) -> dict[str, int]:
    """Each attended session's first slot as a position within its day (decisions.md)."""
    offsets: dict[str, int] = {}
    running: dict[date, int] = defaultdict(int)
    for session in index.sessions_in_time_order:
        if session.id in attended:
            day = index.day[session.id]
            offsets[session.id] = running[day]
            running[day] += session.slots
    return offsets


def _participant_days(
    index: _EventIndex, schedule: Schedule
) -> dict[str, dict[date, list[tuple[int, Meeting]]]]:
    """Per participant and day: (position of first slot, meeting), in time order.

    A participant's day is the slots, back to back and in time order, of the sessions of
    that day they attend (plus, leniently, any session where they have a meeting).
    """
    meetings_of: dict[str, list[Meeting]] = defaultdict(list)
    for meeting in schedule.meetings:
        if index.is_placed(meeting):
            for attendee in dict.fromkeys(meeting.attendees):
                if attendee in index.participants:
                    meetings_of[attendee].append(meeting)
    cache: dict[frozenset[str], dict[str, int]] = {}
    days: dict[str, dict[date, list[tuple[int, Meeting]]]] = {}
    for participant_id, meetings in meetings_of.items():
        participant = index.participants[participant_id]
        sessions = index.sessions if participant.sessions is None else participant.sessions
        attended = set(sessions) | {m.session for m in meetings}
        key = frozenset(attended)
        if key not in cache:
            cache[key] = _day_offsets(index, attended)
        offsets = cache[key]
        by_day: dict[date, list[tuple[int, Meeting]]] = defaultdict(list)
        for meeting in meetings:
            position = offsets[meeting.session] + meeting.slot
            by_day[index.day[meeting.session]].append((position, meeting))
        for day_meetings in by_day.values():
            day_meetings.sort(key=lambda item: item[0])
        days[participant_id] = by_day
    return days


def _count_breaks(day_meetings: list[tuple[int, Meeting]], index: _EventIndex) -> int:
    """Idle runs between the meetings of one day (given in order of their first slot)."""
    breaks = 0
    end = None  # the slot after the last one occupied so far
    for position, meeting in day_meetings:
        if end is not None and position > end:
            breaks += 1
        finish = position + len(index.covered(meeting))
        end = finish if end is None else max(end, finish)
    return breaks


def breaks_per_participant(event: Event, schedule: Schedule) -> dict[str, int]:
    """Number of breaks of every participant of the event (0 without meetings).

    A break is a maximal run of idle slots between two meetings of the participant on
    the same day; an unavailable slot of a session they attend is idle, a slot of a
    session they do not attend is not part of their day (decisions.md).
    """
    index = _EventIndex(event)
    return _breaks(index, _participant_days(index, schedule))


def _breaks(
    index: _EventIndex, days: dict[str, dict[date, list[tuple[int, Meeting]]]]
) -> dict[str, int]:
    breaks = dict.fromkeys(index.participants, 0)
    for participant_id, by_day in days.items():
        breaks[participant_id] = sum(_count_breaks(m, index) for m in by_day.values())
    return breaks


def _table_changes(days: dict[str, dict[date, list[tuple[int, Meeting]]]]) -> int:
    changes = 0
    for by_day in days.values():
        for day_meetings in by_day.values():
            tables = [(m.location, m.table) for _, m in day_meetings]
            changes += sum(1 for a, b in pairwise(tables) if a != b)
    return changes


def _unpreferred(index: _EventIndex, schedule: Schedule) -> int:
    count = 0
    for meeting in schedule.meetings:
        if not index.is_placed(meeting):
            continue
        for attendee in dict.fromkeys(meeting.attendees):
            unpreferred = index.unpreferred.get(attendee)
            if not unpreferred:
                continue
            count += sum(
                1 for slot in index.covered(meeting) if (meeting.session, slot) in unpreferred
            )
    return count


def _fairness(index: _EventIndex, scheduled: set[str]) -> float | None:
    wanted: dict[str, int] = {}
    got: dict[str, int] = {}
    for request_id in _schedulable(index, scheduled):
        request = index.requests[request_id]
        for party in request.participants:
            wanted[party] = wanted.get(party, 0) + request.priority
            if request_id in scheduled:
                got[party] = got.get(party, 0) + request.priority
    shares = [got.get(party, 0) / wanted[party] for party in wanted]
    return min(shares) if shares else None


def _moved(index: _EventIndex, schedule: Schedule, previous: Schedule) -> int:
    now = {m.request: (m.session, m.slot, m.location, m.table) for m in reversed(schedule.meetings)}
    return sum(
        1
        for m in previous.meetings
        if m.request in index.requests
        and now.get(m.request) != (m.session, m.slot, m.location, m.table)
    )


def evaluate(event: Event, schedule: Schedule, previous: Schedule | None = None) -> Objective:
    """The goal values of a schedule, computed from its timetable alone.

    Parameters
    ----------
    event
        The event the schedule was made for.
    schedule
        The schedule to evaluate (its own ``objective`` is ignored).
    previous
        When re-scheduling: the earlier schedule, for ``moved``.

    Returns
    -------
    Objective
        ``scheduled_priority_bound`` is ``None`` (a bound is the solver's business);
        ``fairness`` is ``None`` when no party has a schedulable request; ``moved`` is
        ``None`` without ``previous``.
    """
    index = _EventIndex(event)
    scheduled = _first_meetings(index, schedule)
    days = _participant_days(index, schedule)
    return Objective(
        scheduled_priority=sum(index.requests[r].priority for r in scheduled),
        scheduled_priority_bound=None,
        breaks=sum(_breaks(index, days).values()),
        table_changes=_table_changes(days),
        unpreferred=_unpreferred(index, schedule),
        fairness=_fairness(index, set(scheduled)),
        moved=None if previous is None else _moved(index, schedule, previous),
    )
