"""The event: sessions, tables, participants and their meeting requests (FORMAT.md section 1).

Every model is frozen and rejects unknown fields. Field-level rules (types, ranges) are
checked by pydantic; rules that relate one part of the event to another (ids resolve,
sessions do not overlap, ...) are checked by :func:`reference_problems`, which the
:class:`Event` validator runs, so an ``Event`` that exists is always consistent.
"""

from __future__ import annotations

import itertools
import zoneinfo
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Annotated, Final, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

EVENT_FORMAT: Final = "matchsched/event@1"

Id = Annotated[str, Field(min_length=1, max_length=200)]
PositiveInt = Annotated[int, Field(ge=1)]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class SlotRef(_Frozen):
    """One slot of one session, 0-based within the session."""

    session: Id
    slot: Annotated[int, Field(ge=0)]


class Session(_Frozen):
    """A block of consecutive, equally long slots, in the event's local time."""

    id: Id
    start: datetime
    slot_minutes: PositiveInt
    slots: PositiveInt

    @field_validator("start")
    @classmethod
    def _local_time(cls, value: datetime) -> datetime:
        if value.tzinfo is not None:
            raise PydanticCustomError(
                "local_time",
                "must be a local time without offset (the event's timezone applies), got {value}",
                {"value": value.isoformat()},
            )
        return value

    @property
    def end(self) -> datetime:
        """The moment the last slot ends."""
        return self.slot_start(self.slots)

    def slot_start(self, slot: int) -> datetime:
        """Local start time of ``slot`` (0-based)."""
        return self.start + timedelta(minutes=self.slot_minutes * slot)


class Location(_Frozen):
    """A place with ``tables`` identical tables numbered 1..tables."""

    id: Id
    tables: PositiveInt
    seats: PositiveInt | None = None
    sessions: list[Id] | None = None


class Organization(_Frozen):
    """A company or delegation; one of its members attends a request made to it."""

    id: Id
    name: str | None = None


class Resource(_Frozen):
    """A shared resource (interpreter, video booth): ``capacity`` meetings per slot at most."""

    id: Id
    capacity: Annotated[int, Field(ge=0)]


class TableRef(_Frozen):
    """A concrete table: location id and table number (1-based)."""

    location: Id
    table: PositiveInt


class Participant(_Frozen):
    """A person who takes part in meetings."""

    id: Id
    name: str | None = None
    organization: Id | None = None
    sessions: list[Id] | None = None
    unavailable: list[SlotRef] = Field(default_factory=list)
    max_meetings: Annotated[int, Field(ge=0)] | None = None
    max_meetings_per_session: Annotated[int, Field(ge=0)] | None = None
    table: TableRef | None = None
    unpreferred: list[SlotRef] = Field(default_factory=list)


class Pin(_Frozen):
    """Where a pinned meeting must start, and optionally at which table."""

    session: Id
    slot: Annotated[int, Field(ge=0)]
    location: Id | None = None
    table: PositiveInt | None = None

    @model_validator(mode="after")
    def _table_needs_location(self) -> Pin:
        if self.table is not None and self.location is None:
            raise PydanticCustomError(
                "pin_table", "table {table} is given without a location", {"table": self.table}
            )
        return self


class MeetingRequest(_Frozen):
    """A wish to meet: two or more parties (participants or organizations), requester first."""

    id: Id
    participants: Annotated[list[Id], Field(min_length=2)]
    priority: PositiveInt = 1
    required: bool = False
    length: PositiveInt = 1
    sessions: list[Id] | None = None
    pinned: Pin | None = None
    after: list[Id] = Field(default_factory=list)
    resources: list[Id] = Field(default_factory=list)

    @property
    def requester(self) -> str:
        """The party who asked for the meeting."""
        return self.participants[0]


class Event(_Frozen):
    """A matchmaking event: when, where, who, and who wants to meet whom."""

    format: Literal["matchsched/event@1"] = EVENT_FORMAT
    name: str = "Untitled event"
    timezone: str = "UTC"
    sessions: Annotated[list[Session], Field(min_length=1)]
    locations: list[Location] = Field(default_factory=list)
    organizations: list[Organization] = Field(default_factory=list)
    resources: list[Resource] = Field(default_factory=list)
    participants: list[Participant] = Field(default_factory=list)
    requests: list[MeetingRequest] = Field(default_factory=list)

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise PydanticCustomError(
                "timezone", "unknown IANA time zone '{value}'", {"value": value}
            ) from None
        return value

    @model_validator(mode="after")
    def _references_resolve(self) -> Event:
        problems = reference_problems(self)
        if problems:
            raise PydanticCustomError(
                "references",
                "{count} problem(s): {summary}",
                {"count": len(problems), "summary": "; ".join(problems), "problems": problems},
            )
        return self

    # Look-ups used by adapters and the checker. They are cheap and built on demand.

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        """The event's time zone."""
        return zoneinfo.ZoneInfo(self.timezone)

    def session(self, session_id: str) -> Session:
        """The session with this id."""
        return _by_id(self.sessions, session_id, "session")

    def location(self, location_id: str) -> Location:
        """The location with this id."""
        return _by_id(self.locations, location_id, "location")

    def participant(self, participant_id: str) -> Participant:
        """The participant with this id."""
        return _by_id(self.participants, participant_id, "participant")

    def request(self, request_id: str) -> MeetingRequest:
        """The request with this id."""
        return _by_id(self.requests, request_id, "request")

    def members(self, organization_id: str) -> list[Participant]:
        """Participants whose ``organization`` is this one, in event order."""
        return [p for p in self.participants if p.organization == organization_id]

    def is_organization(self, party_id: str) -> bool:
        """True when ``party_id`` names an organization rather than a participant."""
        return any(o.id == party_id for o in self.organizations)


_Item = TypeVar("_Item", Session, Location, Participant, MeetingRequest)


def _by_id(items: list[_Item], item_id: str, kind: str) -> _Item:
    for item in items:
        if item.id == item_id:
            return item
    raise KeyError(f"unknown {kind} id {item_id!r}")


def reference_problems(event: Event) -> list[str]:
    """Every cross-reference problem of ``event``, one message each, naming path and value."""
    return list(_reference_problems(event))


def _duplicates(kind: str, ids: list[str]) -> Iterator[str]:
    seen: set[str] = set()
    for index, item_id in enumerate(ids):
        if item_id in seen:
            yield f"{kind}[{index}].id: duplicate id {item_id!r}"
        seen.add(item_id)


def _reference_problems(event: Event) -> Iterator[str]:
    sessions = {s.id: s for s in event.sessions}
    locations = {loc.id: loc for loc in event.locations}
    organizations = {o.id for o in event.organizations}
    participants = {p.id: p for p in event.participants}
    resources = {r.id for r in event.resources}
    requests = {r.id for r in event.requests}
    staffed = {p.organization for p in event.participants if p.organization is not None}

    yield from _duplicates("sessions", [s.id for s in event.sessions])
    yield from _duplicates("locations", [loc.id for loc in event.locations])
    yield from _duplicates("organizations", [o.id for o in event.organizations])
    yield from _duplicates("resources", [r.id for r in event.resources])
    yield from _duplicates("participants", [p.id for p in event.participants])
    yield from _duplicates("requests", [r.id for r in event.requests])
    for index, participant in enumerate(event.participants):
        if participant.id in organizations:
            yield (
                f"participants[{index}].id: {participant.id!r} is also an organization id "
                "(participants and organizations share one namespace)"
            )

    ordered = sorted(event.sessions, key=lambda s: s.start)
    for earlier, later in itertools.pairwise(ordered):
        if later.start < earlier.end:
            index = event.sessions.index(later)
            yield (
                f"sessions[{index}].start: session {later.id!r} starts at "
                f"{later.start.isoformat()} before session {earlier.id!r} ends at "
                f"{earlier.end.isoformat()}"
            )

    def session_list(path: str, ids: list[str] | None) -> Iterator[str]:
        for position, session_id in enumerate(ids or []):
            if session_id not in sessions:
                yield f"{path}[{position}]: unknown session {session_id!r}"
        if ids is not None and len(set(ids)) != len(ids):
            yield f"{path}: a session is listed twice in {ids!r}"

    def slot_ref(path: str, ref: SlotRef | Pin) -> Iterator[str]:
        session = sessions.get(ref.session)
        if session is None:
            yield f"{path}.session: unknown session {ref.session!r}"
        elif ref.slot >= session.slots:
            yield (
                f"{path}.slot: slot {ref.slot} is out of range for session {ref.session!r} "
                f"(slots 0..{session.slots - 1})"
            )

    def table_ref(path: str, location_id: str, table: int | None) -> Iterator[str]:
        location = locations.get(location_id)
        if location is None:
            yield f"{path}.location: unknown location {location_id!r}"
        elif table is not None and table > location.tables:
            yield (
                f"{path}.table: table {table} does not exist in location {location_id!r} "
                f"(tables 1..{location.tables})"
            )

    for index, location in enumerate(event.locations):
        yield from session_list(f"locations[{index}].sessions", location.sessions)

    for index, participant in enumerate(event.participants):
        path = f"participants[{index}]"
        if participant.organization is not None and participant.organization not in organizations:
            yield f"{path}.organization: unknown organization {participant.organization!r}"
        yield from session_list(f"{path}.sessions", participant.sessions)
        for position, ref in enumerate(participant.unavailable):
            yield from slot_ref(f"{path}.unavailable[{position}]", ref)
        for position, ref in enumerate(participant.unpreferred):
            yield from slot_ref(f"{path}.unpreferred[{position}]", ref)
        if participant.table is not None:
            yield from table_ref(
                f"{path}.table", participant.table.location, participant.table.table
            )

    for index, request in enumerate(event.requests):
        path = f"requests[{index}]"
        parties = request.participants
        for position, party in enumerate(parties):
            if party not in participants and party not in organizations:
                yield f"{path}.participants[{position}]: unknown id {party!r}"
        if len(set(parties)) != len(parties):
            repeated = sorted({p for p in parties if parties.count(p) > 1})
            yield f"{path}.participants: {repeated[0]!r} is listed more than once"
        for position, party in enumerate(parties):
            if party in organizations and party not in staffed:
                yield f"{path}.participants[{position}]: organization {party!r} has no members"
        yield from session_list(f"{path}.sessions", request.sessions)
        if request.sessions is not None and any(s in sessions for s in request.sessions):
            longest = max(sessions[s].slots for s in request.sessions if s in sessions)
            if request.length > longest:
                yield (
                    f"{path}.length: a meeting of {request.length} slots does not fit in "
                    f"any allowed session (the longest has {longest} slots)"
                )
        elif request.length > max(s.slots for s in event.sessions):
            yield (
                f"{path}.length: a meeting of {request.length} slots does not fit in any session"
            )
        if request.pinned is not None:
            yield from slot_ref(f"{path}.pinned", request.pinned)
            session = sessions.get(request.pinned.session)
            if session is not None and request.pinned.slot + request.length > session.slots:
                yield (
                    f"{path}.pinned.slot: a meeting of {request.length} slots starting at slot "
                    f"{request.pinned.slot} runs past the end of session {session.id!r}"
                )
            if request.pinned.location is not None:
                yield from table_ref(
                    f"{path}.pinned", request.pinned.location, request.pinned.table
                )
        for position, other in enumerate(request.after):
            if other not in requests:
                yield f"{path}.after[{position}]: unknown request {other!r}"
            elif other == request.id:
                yield f"{path}.after[{position}]: a request cannot come after itself"
        for position, resource in enumerate(request.resources):
            if resource not in resources:
                yield f"{path}.resources[{position}]: unknown resource {resource!r}"
