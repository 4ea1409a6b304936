"""Explanations a person understands: why a request is (not) in the timetable, and why an
event has no valid schedule at all.

Two questions are answered here.

*Why is this request not scheduled?* :class:`Occupation` records, as arrays, what a finished
timetable occupies (participants, pool tables, fixed tables, resources, meeting counts), and
:func:`find_blockers` goes through every way some requests could take place (their
candidates, all at once) and names what blocks each one: a participant busy with another
meeting, all tables of a location taken, a resource at capacity, a participant at their
``max_meetings``, an ``after`` rule. :func:`explain_request` turns this into a
:class:`RequestExplanation` per start slot (``matchsched explain``, through
:func:`analyse_request`), and :mod:`matchsched.solver.reasons` into the reason codes of the
schedule.

*Why is the event infeasible?* :func:`find_conflict` rebuilds the timetable model with every
"must" rule (a required request, ``min_meetings`` for one participant, a locked previous
meeting) behind an assumption literal, lets CP-SAT name a sufficient set of assumptions for
infeasibility, and shrinks that set by deletion while it is cheap, so that the answer is a
small (usually minimal) set of requests and rules that cannot hold together.
"""

from __future__ import annotations

import logging
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property

import numpy as np
from ortools.sat.python import cp_model
from pydantic import BaseModel, ConfigDict

from matchsched.model import Event, MeetingRequest
from matchsched.options import SolveOptions
from matchsched.schedule import Meeting, Schedule
from matchsched.solver.compile import Compiled, compile_event, padded

logger = logging.getLogger("matchsched")

__all__ = [
    "Blockers",
    "Conflict",
    "Occupation",
    "RequestExplanation",
    "SlotExplanation",
    "analyse_request",
    "explain_request",
    "explanation_text",
    "find_blockers",
    "find_conflict",
]


# ---------------------------------------------------------------------------------------
# names for people


def and_list(items: list[str], limit: int = 6) -> str:
    """``a``, ``a and b``, ``a, b and c``; long lists end with ``and N more``."""
    if len(items) > limit:
        items = [*items[: limit - 1], f"{len(items) - limit + 1} more"]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def slot_text(compiled: Compiled, slot: int) -> str:
    """``d1-am/3 (10:00)``: session, slot within it, and local start time."""
    session = int(compiled.slot_session[slot])
    within = slot - int(compiled.session_first_slot[session])
    start = compiled.event.session(compiled.session_ids[session]).slot_start(within)
    return f"{compiled.session_ids[session]}/{within} ({start.strftime('%H:%M')})"


def end_text(compiled: Compiled, end: int) -> str:
    """``10:20 (end of d1-am/3)``: when a meeting whose last slot is ``end - 1`` ends."""
    last = end - 1
    session = int(compiled.slot_session[last])
    within = last - int(compiled.session_first_slot[session])
    finish = compiled.event.session(compiled.session_ids[session]).slot_start(within + 1)
    return f"{finish.strftime('%H:%M')} (end of {compiled.session_ids[session]}/{within})"


def party_text(compiled: Compiled, party: str) -> str:
    """A participant id, or ``org (any member)`` for an organization."""
    return party if party in compiled.participant_index else f"{party} (any member)"


# ---------------------------------------------------------------------------------------
# what a timetable occupies


class Occupation:
    """What the meetings of a timetable occupy, as arrays over compiled indices.

    Built from :class:`~matchsched.schedule.Meeting` objects (:meth:`of_meetings`: a schedule
    file, for ``matchsched explain``) or from the solver's chosen candidates
    (:meth:`of_candidates`: the reasons, right after the search).

    Parameters
    ----------
    compiled
        The event as arrays.
    requests, sessions, starts, lengths, locations, tables
        Per meeting: its request, session, first slot, length, location (-1 when unknown) and
        table.
    attendees
        int[meeting, position]: its attendees, padded with -1.
    """

    def __init__(
        self,
        compiled: Compiled,
        *,
        requests: np.ndarray,
        sessions: np.ndarray,
        starts: np.ndarray,
        lengths: np.ndarray,
        attendees: np.ndarray,
        locations: np.ndarray,
        tables: np.ndarray,
    ) -> None:
        self.compiled = compiled
        n_people, n_slots = len(compiled.participant_ids), compiled.n_slots
        n_requests = len(compiled.request_ids)
        self.busy = np.full((n_people, n_slots), -1, dtype=np.int64)
        """Request that keeps each participant-slot busy, or -1."""
        self.pool = np.zeros((len(compiled.location_ids), n_slots), dtype=np.int64)
        """Meetings at the shared pool tables of each location, per slot."""
        self.holder = np.full((len(compiled.places), n_slots), -1, dtype=np.int64)
        """Request held at each fixed-table place, per slot, or -1."""
        self.resource_users = np.zeros((len(compiled.resource_capacity), n_slots), dtype=np.int64)
        self.meetings = np.zeros(n_people, dtype=np.int64)
        self.session_meetings = np.zeros((n_people, len(compiled.session_ids)), dtype=np.int64)
        self.span_start = np.full(n_requests, -1, dtype=np.int64)
        """Per request: the first slot of its meeting, or -1."""
        self.span_end = np.full(n_requests, -1, dtype=np.int64)
        """Per request: the slot after the last of its meeting, or -1."""
        self.attendees = np.full((n_requests, attendees.shape[1]), -1, dtype=np.int64)
        """Per request: its meeting's attendees, padded with -1."""
        self.pooled = np.zeros(n_requests, dtype=bool)
        """Per request: its meeting is at a table of its location's shared pool."""
        self.location = np.full(n_requests, -1, dtype=np.int64)
        for column in attendees.T:
            present = column >= 0
            np.add.at(self.meetings, column[present], 1)
            np.add.at(self.session_meetings, (column[present], sessions[present]), 1)
        self._occupy(compiled, requests, starts, lengths, attendees, locations, tables)

    @classmethod
    def of_meetings(cls, compiled: Compiled, meetings: list[Meeting]) -> Occupation:
        """What ``meetings`` occupy (those of unknown requests or sessions are left out)."""
        session_position = {sid: i for i, sid in enumerate(compiled.session_ids)}
        location_position = {lid: i for i, lid in enumerate(compiled.location_ids)}
        request_position = {rid: i for i, rid in enumerate(compiled.request_ids)}
        index = compiled.participant_index
        rows = []
        for meeting in meetings:
            r = request_position.get(meeting.request)
            session = session_position.get(meeting.session)
            if r is None or session is None:
                continue
            rows.append(
                (
                    r,
                    session,
                    int(compiled.session_first_slot[session]) + meeting.slot,
                    meeting.length,
                    tuple(index[a] for a in meeting.attendees if a in index),
                    location_position.get(meeting.location, -1),
                    meeting.table,
                )
            )
        columns = list(zip(*rows, strict=True)) or [()] * 7
        return cls(
            compiled,
            requests=np.array(columns[0], dtype=np.int64),
            sessions=np.array(columns[1], dtype=np.int64),
            starts=np.array(columns[2], dtype=np.int64),
            lengths=np.array(columns[3], dtype=np.int64),
            attendees=padded(list(columns[4])),
            locations=np.array(columns[5], dtype=np.int64),
            tables=np.array(columns[6], dtype=np.int64),
        )

    @classmethod
    def of_candidates(
        cls, compiled: Compiled, chosen: np.ndarray, tables: dict[int, int]
    ) -> Occupation:
        """What the chosen candidates occupy, at their tables (``tables``, else the place's)."""
        requests = compiled.candidate_request[chosen].astype(np.int64)
        starts = compiled.candidate_start[chosen].astype(np.int64)
        places = compiled.candidate_place[chosen]
        place_tables = compiled.place_table[places].tolist()
        return cls(
            compiled,
            requests=requests,
            sessions=compiled.slot_session[starts].astype(np.int64),
            starts=starts,
            lengths=compiled.request_length[requests].astype(np.int64),
            attendees=compiled.variant_members[compiled.candidate_variant[chosen]],
            locations=compiled.place_location[places],
            tables=np.array(
                [tables.get(c, t) for c, t in zip(chosen.tolist(), place_tables, strict=True)],
                dtype=np.int64,
            ),
        )

    def attendees_of(self, r: int) -> list[int]:
        """Attendee indices of request ``r``'s meeting (none when it is not scheduled)."""
        return [p for p in self.attendees[r].tolist() if p >= 0]

    def _occupy(
        self,
        compiled: Compiled,
        requests: np.ndarray,
        starts: np.ndarray,
        lengths: np.ndarray,
        attendees: np.ndarray,
        locations: np.ndarray,
        tables: np.ndarray,
    ) -> None:
        self.span_start[requests] = starts
        self.span_end[requests] = starts + lengths
        self.attendees[requests] = attendees
        self.location[requests] = locations
        pool_tables = [set(t) for t in compiled.pool_tables]
        fixed = {
            (place.location, place.table): p
            for p, place in enumerate(compiled.places)
            if not place.is_pool
        }
        pooled = np.array(
            [
                location >= 0 and table in pool_tables[location]
                for location, table in zip(locations.tolist(), tables.tolist(), strict=True)
            ],
            dtype=bool,
        )
        self.pooled[requests] = pooled
        place = np.array(
            [fixed.get(key, -1) for key in zip(locations.tolist(), tables.tolist(), strict=True)],
            dtype=np.int64,
        )
        uses = [
            (m, res)
            for m, r in enumerate(requests.tolist())
            for res in compiled.request_resources[r]
        ]
        use_meeting = np.array([m for m, _ in uses], dtype=np.int64)
        use_resource = np.array([res for _, res in uses], dtype=np.int64)
        for offset in range(int(lengths.max(initial=0))):
            slot = starts + offset
            inside = (lengths > offset) & (slot < compiled.n_slots)
            for column in attendees.T:
                hit = inside & (column >= 0)
                self.busy[column[hit], slot[hit]] = requests[hit]
            hit = inside & pooled
            np.add.at(self.pool, (locations[hit], slot[hit]), 1)
            hit = inside & (place >= 0)
            self.holder[place[hit], slot[hit]] = requests[hit]
            hit = inside[use_meeting]
            np.add.at(self.resource_users, (use_resource[hit], slot[use_meeting[hit]]), 1)


# ---------------------------------------------------------------------------------------
# what blocks each candidate


KINDS = ("full", "busy", "tables", "table", "resource", "after", "before")
"""Kinds of blocker, numbered in this order in :class:`Blockers`."""
FULL, BUSY, TABLES, TABLE, RESOURCE, AFTER, BEFORE = range(len(KINDS))
GROUPS = ("full", "busy", "capacity", "precedence")
"""Groups of blocker kinds, the most telling first."""
GROUP_OF_KIND = np.array([0, 1, 2, 2, 2, 3, 3])
FREE = len(GROUPS)
"""The group of a candidate that nothing blocks (see :meth:`Blockers.main_group`)."""


@dataclass(frozen=True)
class Blocker:
    """One thing that stops one candidate: ``kind`` and the facts to name it."""

    kind: str
    """``full``, ``busy``, ``tables``, ``table``, ``resource``, ``after`` or ``before``."""
    person: int = -1
    slot: int = -1
    other: int = -1
    """The other request (busy, table, after, before), the resource, or the location."""
    detail: str = ""


@dataclass
class CandidateStatus:
    """One way a request could take place, and what blocks it (nothing when free)."""

    candidate: int
    start: int
    blockers: list[Blocker] = field(default_factory=list)


@dataclass
class Blockers:
    """What blocks some candidates: one row per blocker, in candidate order.

    ``kind`` indexes :data:`KINDS`; ``person``, ``slot`` and ``other`` are as in
    :class:`Blocker`, -1 where they do not apply, except that a ``full`` blocker's ``other``
    is the session of a ``max_meetings_per_session`` limit (-1 for ``max_meetings``).
    """

    candidates: np.ndarray
    position: np.ndarray
    """Per row: the position in :attr:`candidates` of the candidate it blocks."""
    kind: np.ndarray
    person: np.ndarray
    slot: np.ndarray
    other: np.ndarray

    def main_group(self) -> np.ndarray:
        """Per candidate: the index in :data:`GROUPS` of its most telling blocker, or
        :data:`FREE`."""
        main = np.full(len(self.candidates), FREE, dtype=np.int64)
        np.minimum.at(main, self.position, GROUP_OF_KIND[self.kind])
        return main

    def blocker(self, compiled: Compiled, row: int) -> Blocker:
        """Row ``row`` as a :class:`Blocker`."""
        kind = int(self.kind[row])
        person, slot, other = int(self.person[row]), int(self.slot[row]), int(self.other[row])
        if kind == FULL:
            participant = compiled.event.participants[person]
            detail = (
                f"max_meetings {participant.max_meetings}"
                if other < 0
                else f"max_meetings_per_session {participant.max_meetings_per_session} in "
                f"{compiled.session_ids[other]}"
            )
            return Blocker("full", person, detail=detail)
        if kind == TABLE:
            place = compiled.places[compiled.candidate_place[self.candidates[self.position[row]]]]
            return Blocker("table", slot=slot, other=other, detail=str(place.table))
        return Blocker(KINDS[kind], person, slot, other)


def find_blockers(compiled: Compiled, occupation: Occupation, candidates: np.ndarray) -> Blockers:
    """Everything that stops each of ``candidates`` in the timetable ``occupation``.

    A request's own meeting (if it is scheduled) is ignored, so a scheduled request shows
    where else it could have gone.
    """
    batch = _Batch(compiled, occupation, candidates)
    _limits(batch)
    _clashes(batch)
    _capacity(batch)
    _precedence(batch)
    return batch.blockers()


class _Batch:
    """The candidates under analysis, what they need, and the blockers found so far."""

    def __init__(self, compiled: Compiled, occupation: Occupation, candidates: np.ndarray):
        self.compiled, self.occupation, self.candidates = compiled, occupation, candidates
        self.request = compiled.candidate_request[candidates].astype(np.int64)
        self.start = compiled.candidate_start[candidates].astype(np.int64)
        self.length = compiled.request_length[self.request].astype(np.int64)
        self.members = compiled.variant_members[compiled.candidate_variant[candidates]]
        self.place = compiled.candidate_place[candidates].astype(np.int64)
        self.own = occupation.span_start[self.request] >= 0
        """The candidate's request is scheduled: its own meeting is not in the way."""
        self.found: list[tuple[int, np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []

    def add(
        self,
        kind: int,
        position: np.ndarray,
        *,
        person: np.ndarray | int = -1,
        slot: np.ndarray | int = -1,
        other: np.ndarray | int = -1,
    ) -> None:
        """Blockers of ``kind`` for the candidates at ``position`` (values per row, or one)."""
        person, slot, other = (
            np.full(len(position), v) if isinstance(v, int) else v for v in (person, slot, other)
        )
        self.found.append((kind, position, person, slot, other))

    def add_where(
        self,
        kind: int,
        hit: np.ndarray,
        *,
        person: np.ndarray | int = -1,
        slot: np.ndarray | int = -1,
        other: np.ndarray | int = -1,
    ) -> None:
        """Blockers of ``kind`` for the candidates where ``hit`` is true (values per candidate)."""
        position = np.flatnonzero(hit)
        person, slot, other = (
            v if isinstance(v, int) else v[position] for v in (person, slot, other)
        )
        self.add(kind, position, person=person, slot=slot, other=other)

    def positions(self, requests: list[int]) -> dict[int, np.ndarray]:
        """The positions of each of ``requests``' candidates."""
        order = np.argsort(self.request, kind="stable")
        low = np.searchsorted(self.request[order], requests, side="left").tolist()
        high = np.searchsorted(self.request[order], requests, side="right").tolist()
        return {r: order[a:b] for r, a, b in zip(requests, low, high, strict=True)}

    @cached_property
    def requests(self) -> list[int]:
        """The distinct requests of the candidates."""
        return np.unique(self.request).tolist()

    def requests_with(self, wanted: Callable[[int], bool]) -> list[int]:
        """The distinct requests of the candidates for which ``wanted(request)`` holds."""
        return [r for r in self.requests if wanted(r)]

    def covered(self, offset: int) -> tuple[np.ndarray, np.ndarray]:
        """The slot ``offset`` after each candidate's start, and whether the meeting covers it."""
        slot = self.start + offset
        return np.minimum(slot, self.compiled.n_slots - 1), self.length > offset

    def own_covers(self, slot: np.ndarray) -> np.ndarray:
        """The candidate's request is scheduled, and its meeting covers ``slot``."""
        occupation = self.occupation
        return (
            self.own
            & (occupation.span_start[self.request] <= slot)
            & (slot < occupation.span_end[self.request])
        )

    def blockers(self) -> Blockers:
        kind = np.concatenate([np.full(len(f[1]), f[0]) for f in self.found]).astype(np.int64)
        position, person, slot, other = (
            np.concatenate([f[i] for f in self.found]).astype(np.int64) for i in range(1, 5)
        )
        order = np.argsort(position, kind="stable")
        return Blockers(
            self.candidates, position[order], kind[order], person[order], slot[order], other[order]
        )


def _limits(batch: _Batch) -> None:
    """Attendees at their ``max_meetings`` (or ``max_meetings_per_session``) already."""
    compiled, occupation = batch.compiled, batch.occupation
    session = compiled.slot_session[batch.start].astype(np.int64)
    own_start = occupation.span_start[batch.request]
    own_session = np.where(batch.own, compiled.slot_session[np.maximum(own_start, 0)], -1)
    owned = np.flatnonzero(batch.own)
    for person in batch.members.T:
        present = person >= 0
        who = np.maximum(person, 0)
        mine = np.zeros(len(person), dtype=bool)
        mine[owned] = (occupation.attendees[batch.request[owned]] == person[owned, None]).any(1)
        mine_here = mine & (own_session == session)
        total = present & (occupation.meetings[who] - mine >= compiled.max_meetings[who])
        per_session = (
            present
            & ~total
            & (
                occupation.session_meetings[who, session] - mine_here
                >= compiled.max_per_session[who]
            )
        )
        batch.add_where(FULL, total, person=person)
        batch.add_where(FULL, per_session, person=person, other=session)


def _clashes(batch: _Batch) -> None:
    """Attendees busy with another meeting."""
    busy = batch.occupation.busy
    for offset in range(int(batch.length.max(initial=0))):
        slot, inside = batch.covered(offset)
        for person in batch.members.T:
            rival = busy[np.maximum(person, 0), slot]
            hit = inside & (person >= 0) & (rival >= 0) & (rival != batch.request)
            batch.add_where(BUSY, hit, person=person, slot=slot, other=rival)


def _capacity(batch: _Batch) -> None:
    """Shared pools with every table taken, fixed tables held, resources at capacity."""
    compiled, occupation = batch.compiled, batch.occupation
    location = compiled.place_location[batch.place]
    in_pool = compiled.place_in_pool[batch.place]
    fixed = compiled.place_table[batch.place] > 0
    using = batch.positions(batch.requests_with(lambda r: bool(compiled.request_resources[r])))
    uses = [(p, resource) for r, p in using.items() for resource in compiled.request_resources[r]]
    use_position = np.concatenate([p for p, _ in uses]) if uses else np.zeros(0, dtype=np.int64)
    use_resource = (
        np.concatenate([np.full(len(p), res) for p, res in uses]) if uses else use_position
    )
    for offset in range(int(batch.length.max(initial=0))):
        slot, inside = batch.covered(offset)
        own = batch.own_covers(slot)
        own_pooled = (
            own
            & occupation.pooled[batch.request]
            & (occupation.location[batch.request] == location)
        )
        used = occupation.pool[location, slot] - own_pooled
        taken = inside & in_pool & (used >= compiled.pool_capacity[location])
        batch.add_where(TABLES, taken, slot=slot, other=location)
        holder = occupation.holder[batch.place, slot]
        held = inside & fixed & (holder >= 0) & (holder != batch.request)
        batch.add_where(TABLE, held, slot=slot, other=holder)
        users = occupation.resource_users[use_resource, slot[use_position]] - own[use_position]
        full = inside[use_position] & (users >= compiled.resource_capacity[use_resource])
        batch.add(
            RESOURCE, use_position[full], slot=slot[use_position[full]], other=use_resource[full]
        )


def _precedence(batch: _Batch) -> None:
    """``after`` rules: an earlier request that ends too late, a later one that starts too soon."""
    compiled, occupation = batch.compiled, batch.occupation
    followers: dict[int, list[int]] = defaultdict(list)
    for later, earlier_list in enumerate(compiled.request_after):
        for earlier in earlier_list:
            followers[earlier].append(later)
    related = batch.requests_with(lambda r: bool(compiled.request_after[r] or followers.get(r)))
    for r, position in batch.positions(related).items():
        start = batch.start[position]
        for earlier in compiled.request_after[r]:
            end = int(occupation.span_end[earlier])
            if occupation.span_start[earlier] >= 0:
                batch.add(AFTER, position[start < end], slot=end, other=earlier)
        for later in followers.get(r, []):
            begin = int(occupation.span_start[later])
            if begin >= 0:
                too_late = start + batch.length[position] > begin
                batch.add(BEFORE, position[too_late], slot=begin, other=later)


def analyse_request(compiled: Compiled, occupation: Occupation, r: int) -> list[CandidateStatus]:
    """Every candidate of request ``r`` with its blockers in the timetable ``occupation``.

    The request's own meeting (if it is scheduled) is ignored, so a scheduled request shows
    where else it could have gone.
    """
    candidates = compiled.request_candidates[r]
    blockers = find_blockers(compiled, occupation, candidates)
    statuses = [CandidateStatus(c, int(compiled.candidate_start[c])) for c in candidates.tolist()]
    for row, position in enumerate(blockers.position.tolist()):
        statuses[position].blockers.append(blockers.blocker(compiled, row))
    return statuses


def blocker_text(compiled: Compiled, occupation: Occupation, blocker: Blocker) -> str:
    """One blocker in plain words."""
    ids = compiled.request_ids
    if blocker.kind == "full":
        who = compiled.participant_ids[blocker.person]
        return f"{who} already has the most meetings they accept ({blocker.detail})"
    if blocker.kind == "busy":
        who = compiled.participant_ids[blocker.person]
        rival = blocker.other
        others = [
            compiled.participant_ids[p]
            for p in occupation.attendees_of(rival)
            if p != blocker.person
        ]
        return (
            f"{who} meets {and_list(others)} then ({ids[rival]}, priority "
            f"{int(compiled.request_priority[rival])})"
        )
    if blocker.kind == "tables":
        location = compiled.location_ids[blocker.other]
        count = len(compiled.pool_tables[blocker.other])
        if count == 1:
            return f"the only shared table of {location} is taken"
        return f"all {count} shared tables of {location} are taken"
    if blocker.kind == "table":
        return f"table {blocker.detail} is taken by {ids[blocker.other]}"
    if blocker.kind == "resource":
        resource = compiled.event.resources[blocker.other]
        meetings = "meeting" if resource.capacity == 1 else "meetings"
        return f"{resource.id} is already used by {resource.capacity} {meetings} (its capacity)"
    if blocker.kind == "after":
        when = end_text(compiled, blocker.slot)
        return f"it must come after {ids[blocker.other]}, which ends at {when}"
    when = slot_text(compiled, blocker.slot)
    return f"it must end before {ids[blocker.other]} starts at {when}"


def impossible_text(compiled: Compiled, r: int) -> str:
    """Why a request has no way at all to take place, naming parties, sessions and tables."""
    event = compiled.event
    request = event.requests[r]
    code = compiled.why_impossible.get(r)
    if code == "no_common_slot":
        facts = _never(event, compiled, request)
        if request.sessions is not None:
            facts.append(f"the request allows only {and_list(request.sessions)}")
        if request.pinned is not None:
            facts.append(f"it is pinned to {request.pinned.session}/{request.pinned.slot}")
        if request.length > 1:
            facts.append(f"it needs {request.length} consecutive free slots in one session")
        parties = and_list([party_text(compiled, p) for p in request.participants])
        return f"{parties} are never free at the same time: " + "; ".join(facts)
    if code == "no_table":
        size = len(request.participants)
        facts = []
        hosts = [
            event.participant(p)
            for p in request.participants
            if p in compiled.participant_index and event.participant(p).table is not None
        ]
        for location in event.locations:
            if hosts and all(h.table.location != location.id for h in hosts):  # type: ignore[union-attr]
                continue
            if location.seats is not None and location.seats < size:
                facts.append(f"{location.id} seats {location.seats}, the meeting needs {size}")
            elif location.sessions is not None:
                facts.append(f"{location.id} is open only in {and_list(location.sessions)}")
            elif not hosts and not compiled.pool_tables[event.locations.index(location)]:
                facts.append(f"every table of {location.id} is some participant's host table")
        if hosts:
            first = hosts[0]
            facts.insert(
                0,
                f"{first.id} holds all their meetings at {first.table.location} "  # type: ignore[union-attr]
                f"table {first.table.table}",  # type: ignore[union-attr]
            )
        if request.pinned is not None and request.pinned.location is not None:
            facts.append(f"it is pinned to {request.pinned.location}")
        if request.resources and any(
            event.resources[compiled.request_resources[r][i]].capacity == 0
            for i in range(len(request.resources))
        ):
            facts.append("a resource it needs has capacity 0")
        return "no table can hold it when the parties are free: " + (
            "; ".join(facts) or "no location is open with enough seats"
        )
    return compiled.why_impossible_detail.get(r, "it can never take place")


# ---------------------------------------------------------------------------------------
# matchsched explain


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class SlotExplanation(_Frozen):
    """One start slot where the request could take place, and what stands in the way."""

    session: str
    slot: int
    start: datetime
    free: bool
    """True when the request could be added here as the timetable stands."""
    blockers: list[str] = []


class RequestExplanation(_Frozen):
    """Why a request is (or is not) in a schedule, slot by slot."""

    request: str
    parties: list[str]
    priority: int
    required: bool
    scheduled: Meeting | None = None
    reason: str | None = None
    detail: str = ""
    conflicts: list[str] = []
    never: list[str] = []
    """Why the other slots are impossible from the start (attendance, unavailability, ...)."""
    rules: list[str] = []
    """Other rules that bind this request (``after``, pins, sessions, resources)."""
    slots: list[SlotExplanation] = []


def explain_request(event: Event, schedule: Schedule, request_id: str) -> RequestExplanation:
    """Why ``request_id`` is (or is not) in ``schedule``: its reason, its possible slots, and
    who or what blocks each of them.

    Raises
    ------
    KeyError
        When the event has no such request.
    """
    request = event.request(request_id)
    compiled = compile_event(event)
    r = compiled.request_ids.index(request_id)
    occupation = Occupation.of_meetings(compiled, schedule.meetings)
    meeting = schedule.meeting(request_id)
    unscheduled = next((u for u in schedule.unscheduled if u.request == request_id), None)
    statuses = analyse_request(compiled, occupation, r)
    by_start: dict[int, list[CandidateStatus]] = defaultdict(list)
    for status in statuses:
        by_start[status.start].append(status)
    slots = []
    for start, group in sorted(by_start.items()):
        session = int(compiled.slot_session[start])
        within = start - int(compiled.session_first_slot[session])
        session_id = compiled.session_ids[session]
        free = any(not s.blockers for s in group)
        texts = (
            []
            if free
            else sorted({blocker_text(compiled, occupation, b) for s in group for b in s.blockers})
        )
        slots.append(
            SlotExplanation(
                session=session_id,
                slot=within,
                start=event.session(session_id).slot_start(within).replace(tzinfo=event.zone),
                free=free,
                blockers=texts,
            )
        )
    rules = []
    if request.pinned is not None:
        pin = request.pinned
        at = (
            f" at {pin.location}" + (f" table {pin.table}" if pin.table else "")
            if pin.location
            else ""
        )
        rules.append(f"pinned to {pin.session}/{pin.slot}{at}")
    if request.sessions is not None:
        rules.append(f"allowed only in {and_list(request.sessions)}")
    if request.length > 1:
        rules.append(f"lasts {request.length} consecutive slots of one session")
    if request.after:
        rules.append(f"must come after {and_list(request.after)} when those take place")
    followers = [o.id for o in event.requests if request_id in o.after]
    if followers:
        rules.append(f"must end before {and_list(followers)} when those take place")
    if request.resources:
        rules.append(f"needs {and_list(request.resources)}")
    if unscheduled is not None and unscheduled.reason.value in ("no_common_slot", "no_table"):
        reason_detail = unscheduled.detail
    else:
        reason_detail = unscheduled.detail if unscheduled is not None else ""
    return RequestExplanation(
        request=request_id,
        parties=list(request.participants),
        priority=request.priority,
        required=request.required,
        scheduled=meeting,
        reason=None if unscheduled is None else unscheduled.reason.value,
        detail=reason_detail,
        conflicts=[] if unscheduled is None else list(unscheduled.conflicts),
        never=_never(event, compiled, request),
        rules=rules,
        slots=slots,
    )


def _never(event: Event, compiled: Compiled, request: MeetingRequest) -> list[str]:
    """Attendance facts that rule slots out before any other meeting is placed."""
    facts = []
    all_sessions = [s.id for s in event.sessions]
    for party in request.participants:
        if party not in compiled.participant_index:
            members = event.members(party)
            names = and_list([m.id for m in members])
            facts.append(f"{party} is an organization of {len(members)} member(s): {names}")
            continue
        person = event.participant(party)
        if person.sessions is not None and set(person.sessions) != set(all_sessions):
            facts.append(f"{party} attends only {and_list(person.sessions)}")
        if person.unavailable:
            facts.append(
                f"{party} is unavailable at "
                + and_list([f"{u.session}/{u.slot}" for u in person.unavailable], limit=8)
            )
        if person.table is not None:
            facts.append(
                f"{party} hosts all their meetings at {person.table.location} table "
                f"{person.table.table}"
            )
    return facts


def explanation_text(explanation: RequestExplanation) -> str:
    """The explanation as a few paragraphs of plain text."""
    lines = [
        f"request {explanation.request}: {and_list(explanation.parties)} "
        f"(priority {explanation.priority}{', required' if explanation.required else ''})"
    ]
    meeting = explanation.scheduled
    if meeting is not None:
        lines.append(
            f"scheduled: {meeting.session}/{meeting.slot} "
            f"{meeting.start.strftime('%a %d %b %H:%M')}-{meeting.end.strftime('%H:%M')} at "
            f"{meeting.location} table {meeting.table}, attended by {and_list(meeting.attendees)}"
        )
    else:
        lines.append(f"not scheduled: {explanation.reason}")
        if explanation.detail:
            lines.append(f"  {explanation.detail}")
        if explanation.conflicts:
            lines.append(f"  the place went to: {', '.join(explanation.conflicts)}")
    if explanation.rules:
        lines.append("rules: " + "; ".join(explanation.rules))
    if explanation.never:
        lines.append("attendance: " + "; ".join(explanation.never))
    if not explanation.slots:
        lines.append("possible slots: none (see the reason above)")
    else:
        heading = "other possible slots" if meeting is not None else "possible slots"
        lines.append(f"{heading} ({len(explanation.slots)}):")
        for slot in explanation.slots:
            here = (
                meeting is not None
                and slot.session == meeting.session
                and slot.slot == meeting.slot
            )
            label = f"  {slot.session}/{slot.slot} {slot.start.strftime('%a %H:%M')}: "
            if here:
                lines.append(label + "scheduled here")
            elif slot.free:
                lines.append(label + "free (it could be added here as the timetable stands)")
            else:
                lines.append(label + "; ".join(slot.blockers))
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------
# infeasible events


@dataclass
class Conflict:
    """A set of "must" rules that cannot hold together."""

    requests: list[str]
    """Ids of the required requests involved (and of locked previous meetings)."""
    rules: list[str]
    """The other rules involved, in words (``min_meetings 2 for p4``, options in force)."""
    detail: str
    minimal: bool
    """True when no rule of the set can be dropped (each was tested)."""


def find_conflict(
    compiled: Compiled,
    options: SolveOptions,
    previous: Schedule | None = None,
    *,
    time_limit: float = 10.0,
) -> Conflict | None:
    """A small set of required requests and rules that make the event infeasible.

    Returns ``None`` when the feasibility model is not proven infeasible within the time.
    The set is shrunk by deletion (each member is dropped in turn and kept out when the rest
    is still infeasible) as long as the time allows; ``minimal`` says whether that finished.
    """
    from matchsched.solver.cpsat.model import TimetableModel

    deadline = time.perf_counter() + time_limit
    timetable = TimetableModel(compiled, options, previous, assumptions=True)
    model = timetable.model
    meaning = timetable.assumptions

    def infeasible(literals: list[int]) -> tuple[bool | None, list[int]]:
        model.clear_assumptions()
        model.add_assumptions([model.get_bool_var_from_proto_index(x) for x in literals])
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        solver.parameters.random_seed = options.seed
        solver.parameters.catch_sigint_signal = False
        solver.parameters.max_time_in_seconds = max(0.05, deadline - time.perf_counter())
        status = solver.solve(model)
        if status == cp_model.INFEASIBLE:
            return True, list(solver.sufficient_assumptions_for_infeasibility())
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return False, []
        return None, []

    proven, core = infeasible(list(meaning))
    if not proven:
        return None
    minimal = True
    position = 0
    while position < len(core):
        if time.perf_counter() > deadline:
            minimal = False
            break
        trial = core[:position] + core[position + 1 :]
        answer, smaller = infeasible(trial)
        if answer:
            keep = set(smaller) if smaller else set(trial)
            core = [literal for literal in trial if literal in keep] or trial
        elif answer is None:
            minimal = False
            position += 1
        else:
            position += 1
    return _describe(compiled, options, previous, [meaning[x] for x in core], minimal)


def _describe(
    compiled: Compiled,
    options: SolveOptions,
    previous: Schedule | None,
    core: list[tuple[str, int]],
    minimal: bool,
) -> Conflict:
    event = compiled.event
    requests: list[str] = []
    rules: list[str] = []
    parts: list[str] = []
    for kind, index in core:
        if kind == "required":
            request = event.requests[index]
            requests.append(request.id)
            bits = [and_list(list(request.participants))]
            if request.pinned is not None:
                bits.append(f"pinned to {request.pinned.session}/{request.pinned.slot}")
            if request.sessions is not None:
                bits.append(f"only in {and_list(request.sessions)}")
            if request.length > 1:
                bits.append(f"{request.length} slots long")
            if request.resources:
                bits.append(f"needs {and_list(request.resources)}")
            if request.after:
                bits.append(f"after {and_list(request.after)}")
            parts.append(f"required {request.id} ({', '.join(bits)})")
        elif kind == "min_meetings":
            who = compiled.participant_ids[index]
            rules.append(f"min_meetings {options.min_meetings} for {who}")
            parts.append(f"min_meetings {options.min_meetings} for {who}")
        else:
            assert previous is not None
            meeting = previous.meetings[index]
            requests.append(meeting.request)
            rules.append(
                f"lock_previous keeps {meeting.request} at {meeting.session}/{meeting.slot}"
            )
            parts.append(
                f"locked meeting {meeting.request} ({and_list(meeting.attendees)} at "
                f"{meeting.session}/{meeting.slot})"
            )
    in_force = []
    if options.max_breaks is not None:
        in_force.append(f"max_breaks {options.max_breaks}")
    if options.max_break_spread is not None:
        in_force.append(f"max_break_spread {options.max_break_spread}")
    rules.extend(in_force)
    if parts:
        detail = f"{'these' if len(parts) > 1 else 'this'} cannot all hold at once: " + "; ".join(
            parts
        )
        people = Counter(
            p
            for kind, index in core
            if kind == "required"
            for p in event.requests[index].participants
        )
        shared = sorted(p for p, n in people.items() if n > 1)
        if shared:
            detail += (
                f" ({and_list(shared)} {'is' if len(shared) == 1 else 'are'} in several of them)"
            )
        if in_force:
            detail += f", given {and_list(in_force)}"
        if not minimal:
            detail += " (the set may not be minimal: time ran out while shrinking it)"
    else:
        detail = "no valid schedule exists even with no meeting required" + (
            f": the options {and_list(in_force)} cannot hold" if in_force else ""
        )
    return Conflict(requests=requests, rules=rules, detail=detail, minimal=minimal)
