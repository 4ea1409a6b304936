"""What changed between two schedules of one event, per meeting and per participant.

After a re-schedule (``solve(event, options, previous=old)``) a platform has to notify exactly
the people whose agenda changed. :func:`diff` compares two schedules and says, for every
request, whether its meeting was *added*, *cancelled* or *moved* (other time, other table, or
another member of an organization attends), and lists the changes each participant must hear
about. Meetings that stay exactly as they were are only counted.

>>> changes = diff(old_schedule, new_schedule)  # doctest: +SKIP
>>> for participant in changes.participants:  # doctest: +SKIP
...     notify(participant.participant, participant.changes)
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from matchsched.model import Event
from matchsched.schedule import Meeting, Schedule

__all__ = [
    "Change",
    "MeetingChange",
    "ParticipantChanges",
    "Placement",
    "ScheduleDiff",
    "diff",
    "diff_text",
]

_Frozen = ConfigDict(frozen=True, extra="forbid")


class Change(StrEnum):
    """What happened to a request's meeting."""

    ADDED = "added"
    """Not in the old schedule, in the new one."""
    CANCELLED = "cancelled"
    """In the old schedule, not in the new one (withdrawn, or now unscheduled)."""
    MOVED = "moved"
    """In both, but at another time or table, or with other attendees."""


class Placement(BaseModel):
    """Where and when a meeting is held, and by whom."""

    model_config = _Frozen

    attendees: list[str]
    session: str
    slot: int
    length: int
    start: datetime
    end: datetime
    location: str
    table: int

    @classmethod
    def of(cls, meeting: Meeting) -> Placement:
        """The placement of ``meeting``."""
        return cls(
            attendees=list(meeting.attendees),
            session=meeting.session,
            slot=meeting.slot,
            length=meeting.length,
            start=meeting.start,
            end=meeting.end,
            location=meeting.location,
            table=meeting.table,
        )


class MeetingChange(BaseModel):
    """One request whose meeting changed."""

    model_config = _Frozen

    request: str
    change: Change
    before: Placement | None = None
    after: Placement | None = None
    changed: list[str] = []
    """For a move: which of ``time``, ``table`` and ``attendees`` changed."""
    reason: str | None = None
    """For a cancellation: the new schedule's reason code, or ``withdrawn`` when the request
    is no longer in the new schedule at all."""

    @property
    def people(self) -> list[str]:
        """Everyone who attended before or attends now, in order, without repeats."""
        people: list[str] = []
        for placement in (self.before, self.after):
            if placement is not None:
                people.extend(p for p in placement.attendees if p not in people)
        return people


class ParticipantChanges(BaseModel):
    """The changes one participant must be told about."""

    model_config = _Frozen

    participant: str
    changes: list[MeetingChange]


class ScheduleDiff(BaseModel):
    """The difference between an old and a new schedule (JSON-serialisable)."""

    model_config = _Frozen

    old_event: str
    new_event: str
    unchanged: int
    """Meetings held exactly as before (same attendees, time and table)."""
    changes: list[MeetingChange]
    """Every changed request, in the order of its meeting's time (new time, else old time)."""
    participants: list[ParticipantChanges]
    """Per affected participant (sorted by id), their changes in time order."""

    def _count(self, kind: Change) -> int:
        return sum(1 for change in self.changes if change.change == kind)

    @property
    def moved(self) -> int:
        """Number of moved meetings."""
        return self._count(Change.MOVED)

    @property
    def added(self) -> int:
        """Number of added meetings."""
        return self._count(Change.ADDED)

    @property
    def cancelled(self) -> int:
        """Number of cancelled meetings."""
        return self._count(Change.CANCELLED)

    @property
    def affected(self) -> list[str]:
        """Ids of every participant with at least one change."""
        return [p.participant for p in self.participants]

    def for_participant(self, participant_id: str) -> list[MeetingChange]:
        """The changes ``participant_id`` must hear about (empty when none)."""
        return next((p.changes for p in self.participants if p.participant == participant_id), [])


def diff(old: Schedule, new: Schedule) -> ScheduleDiff:
    """Compare two schedules of the same event request by request.

    Parameters
    ----------
    old
        The schedule people were told about.
    new
        The schedule that replaces it.

    Returns
    -------
    ScheduleDiff
        Moved, added and cancelled meetings, and the changes per participant. A meeting
        counts as moved when its session, slot, location, table or attendees differ (the
        same rule as the stability goal, plus a change of attending organization member).
    """
    before = {m.request: m for m in old.meetings}
    after = {m.request: m for m in new.meetings}
    reasons = {u.request: u.reason.value for u in new.unscheduled}
    changes: list[MeetingChange] = []
    unchanged = 0
    for request_id, meeting in before.items():
        now = after.get(request_id)
        if now is None:
            changes.append(
                MeetingChange(
                    request=request_id,
                    change=Change.CANCELLED,
                    before=Placement.of(meeting),
                    reason=reasons.get(request_id, "withdrawn"),
                )
            )
            continue
        changed = []
        if (meeting.session, meeting.slot, meeting.length) != (now.session, now.slot, now.length):
            changed.append("time")
        if (meeting.location, meeting.table) != (now.location, now.table):
            changed.append("table")
        if meeting.attendees != now.attendees:
            changed.append("attendees")
        if changed:
            changes.append(
                MeetingChange(
                    request=request_id,
                    change=Change.MOVED,
                    before=Placement.of(meeting),
                    after=Placement.of(now),
                    changed=changed,
                )
            )
        else:
            unchanged += 1
    for request_id, meeting in after.items():
        if request_id not in before:
            changes.append(
                MeetingChange(request=request_id, change=Change.ADDED, after=Placement.of(meeting))
            )
    changes.sort(key=_when)
    people: dict[str, list[MeetingChange]] = {}
    for change in changes:
        for person in change.people:
            people.setdefault(person, []).append(change)
    return ScheduleDiff(
        old_event=old.event,
        new_event=new.event,
        unchanged=unchanged,
        changes=changes,
        participants=[
            ParticipantChanges(participant=person, changes=people[person])
            for person in sorted(people)
        ],
    )


def _when(change: MeetingChange) -> tuple[datetime, str]:
    placement = change.after or change.before
    assert placement is not None
    return placement.start, change.request


def _placement_text(placement: Placement) -> str:
    day = placement.start.strftime("%a %d %b %H:%M")
    return (
        f"{day}-{placement.end.strftime('%H:%M')} ({placement.session}/{placement.slot}), "
        f"{placement.location} table {placement.table}"
    )


def _others(change: MeetingChange, person: str, names: dict[str, str]) -> str:
    others = [p for p in change.people if p != person]
    return ", ".join(names.get(p, p) for p in others) or "nobody"


def diff_text(changes: ScheduleDiff, event: Event | None = None) -> str:
    """A plain-language report: a summary line, then each affected participant's changes.

    ``event`` (optional) supplies participant names.
    """
    names: dict[str, str] = {}
    if event is not None:
        names = {p.id: f"{p.name} ({p.id})" if p.name else p.id for p in event.participants}
    lines = [
        f"{changes.moved} moved, {changes.added} added, {changes.cancelled} cancelled, "
        f"{changes.unchanged} unchanged; {len(changes.participants)} participant(s) affected"
    ]
    for entry in changes.participants:
        lines.append("")
        lines.append(f"{names.get(entry.participant, entry.participant)}:")
        for change in entry.changes:
            with_whom = _others(change, entry.participant, names)
            if change.change == Change.ADDED:
                assert change.after is not None
                lines.append(
                    f"  new meeting {change.request} with {with_whom}: "
                    f"{_placement_text(change.after)}"
                )
            elif change.change == Change.CANCELLED:
                assert change.before is not None
                why = (
                    "the request was withdrawn"
                    if change.reason == "withdrawn"
                    else f"no longer scheduled: {change.reason}"
                )
                lines.append(
                    f"  cancelled {change.request} with {with_whom} "
                    f"(was {_placement_text(change.before)}): {why}"
                )
            else:
                assert change.before is not None and change.after is not None
                line = (
                    f"  moved {change.request} with {with_whom}: "
                    f"{_placement_text(change.before)} -> {_placement_text(change.after)}"
                )
                if "attendees" in change.changed:
                    old = set(change.before.attendees)
                    new = set(change.after.attendees)
                    if entry.participant in old - new:
                        instead = ", ".join(names.get(p, p) for p in sorted(new - old))
                        line = f"  no longer attending {change.request}: {instead} attends instead"
                    elif entry.participant in new - old:
                        line = (
                            f"  now attending {change.request} with {with_whom}: "
                            f"{_placement_text(change.after)}"
                        )
                lines.append(line)
    return "\n".join(lines) + "\n"
