"""Compile an event once into compact integer arrays that every solver part reads.

Slots of all sessions are numbered globally in time order, so "slot a before slot b" is
``a < b`` and a meeting of length ``n`` starting at ``s`` covers ``s .. s + n - 1``.

The central object is the *candidate*: one way a request can take place, i.e. a choice of
attendees (organization parties replaced by a member), a *place* (a location's pool of shared
tables, or one fixed table) and a start slot, such that every hard rule that concerns the
meeting alone holds (attendance, availability, opening, seats, allowed sessions, pins). The
solver then only has to pick at most one candidate per request so that meetings do not clash.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from matchsched.model import Event, MeetingRequest, Participant

NO_POOL = -1


@dataclass(frozen=True)
class Place:
    """Where a meeting is held: a location's shared pool, or one fixed table."""

    location: int
    table: int
    """Table number (1-based) for a fixed table; 0 for the location's shared pool."""

    @property
    def is_pool(self) -> bool:
        """True for the shared pool of identical tables."""
        return self.table == 0


@dataclass
class Compiled:
    """An event as arrays. Built by :func:`compile_event`; read-only afterwards."""

    event: Event
    # Slots, in global time order.
    session_ids: list[str]
    session_first_slot: np.ndarray
    session_length: np.ndarray
    slot_session: np.ndarray
    slot_day: np.ndarray
    # Participants and parties.
    participant_ids: list[str]
    participant_index: dict[str, int]
    attends: np.ndarray
    """bool[participant, slot]: the participant attends the session of that slot."""
    available: np.ndarray
    """bool[participant, slot]: attends, and the slot is not unavailable."""
    unpreferred: np.ndarray
    """bool[participant, slot]."""
    # Locations and places.
    location_ids: list[str]
    pool_tables: list[list[int]]
    """Per location: the table numbers of its shared pool (not reserved as host tables)."""
    places: list[Place]
    # Requests.
    request_ids: list[str]
    request_priority: np.ndarray
    request_required: np.ndarray
    request_length: np.ndarray
    request_resources: list[list[int]]
    request_after: list[list[int]]
    resource_capacity: np.ndarray
    # Candidates (one per way a request can take place), sorted by request.
    variants: list[tuple[int, ...]]
    """Attendee tuples (participant indices in party order), shared by candidates."""
    candidate_request: np.ndarray
    candidate_variant: np.ndarray
    candidate_place: np.ndarray
    candidate_start: np.ndarray
    request_candidates: list[np.ndarray] = field(default_factory=list)
    """Per request: the indices of its candidates."""
    why_impossible: dict[int, str] = field(default_factory=dict)
    """Requests without candidates, with the reason code and a short explanation."""
    why_impossible_detail: dict[int, str] = field(default_factory=dict)

    @property
    def n_slots(self) -> int:
        """Number of slots of the whole event."""
        return len(self.slot_session)

    @property
    def n_candidates(self) -> int:
        """Number of candidates."""
        return len(self.candidate_request)

    def attendees(self, candidate: int) -> tuple[int, ...]:
        """Participant indices attending ``candidate``."""
        return self.variants[self.candidate_variant[candidate]]

    def slot_label(self, slot: int) -> str:
        """``session/slot`` for messages."""
        session = self.slot_session[slot]
        return f"{self.session_ids[session]}/{slot - self.session_first_slot[session]}"


def _slot_mask(compiled_slots: dict[tuple[str, int], int], refs: list, n_slots: int) -> np.ndarray:
    mask = np.zeros(n_slots, dtype=bool)
    for ref in refs:
        mask[compiled_slots[(ref.session, ref.slot)]] = True
    return mask


def compile_event(event: Event) -> Compiled:
    """Turn ``event`` into arrays and enumerate every candidate of every request."""
    sessions = sorted(event.sessions, key=lambda s: s.start)
    session_ids = [s.id for s in sessions]
    session_position = {s.id: i for i, s in enumerate(sessions)}
    session_length = np.array([s.slots for s in sessions], dtype=np.int32)
    session_first_slot = np.concatenate(([0], np.cumsum(session_length)[:-1])).astype(np.int32)
    n_slots = int(session_length.sum())
    slot_session = np.repeat(np.arange(len(sessions), dtype=np.int32), session_length)
    day_numbers: dict[date, int] = {}
    for session in sessions:
        day_numbers.setdefault(session.start.date(), len(day_numbers))
    session_day = np.array([day_numbers[s.start.date()] for s in sessions], dtype=np.int32)
    slot_day = session_day[slot_session]
    slot_of = {
        (s.id, k): int(session_first_slot[i]) + k
        for i, s in enumerate(sessions)
        for k in range(s.slots)
    }

    def session_mask(ids: list[str] | None) -> np.ndarray:
        if ids is None:
            return np.ones(n_slots, dtype=bool)
        chosen = np.zeros(len(sessions), dtype=bool)
        chosen[[session_position[s] for s in ids]] = True
        return chosen[slot_session]

    participants = event.participants
    participant_ids = [p.id for p in participants]
    participant_index = {pid: i for i, pid in enumerate(participant_ids)}
    attends = np.zeros((len(participants), n_slots), dtype=bool)
    available = np.zeros_like(attends)
    unpreferred = np.zeros_like(attends)
    for i, participant in enumerate(participants):
        attends[i] = session_mask(participant.sessions)
        available[i] = attends[i] & ~_slot_mask(slot_of, participant.unavailable, n_slots)
        unpreferred[i] = _slot_mask(slot_of, participant.unpreferred, n_slots)

    location_ids = [loc.id for loc in event.locations]
    location_index = {lid: i for i, lid in enumerate(location_ids)}
    host_tables: dict[int, set[int]] = defaultdict(set)
    for participant in participants:
        if participant.table is not None:
            host_tables[location_index[participant.table.location]].add(participant.table.table)
    pool_tables = [
        [t for t in range(1, loc.tables + 1) if t not in host_tables[i]]
        for i, loc in enumerate(event.locations)
    ]
    location_open = np.array([session_mask(loc.sessions) for loc in event.locations], dtype=bool)
    location_open = location_open.reshape(len(event.locations), n_slots)
    seats = [loc.seats if loc.seats is not None else 1 << 30 for loc in event.locations]

    places: list[Place] = []
    place_index: dict[Place, int] = {}

    def place_id(place: Place) -> int:
        if place not in place_index:
            place_index[place] = len(places)
            places.append(place)
        return place_index[place]

    members: dict[str, list[int]] = defaultdict(list)
    for i, participant in enumerate(participants):
        if participant.organization is not None:
            members[participant.organization].append(i)

    request_ids = [r.id for r in event.requests]
    request_position = {rid: i for i, rid in enumerate(request_ids)}
    resource_index = {res.id: i for i, res in enumerate(event.resources)}

    variants: list[tuple[int, ...]] = []
    variant_index: dict[tuple[int, ...], int] = {}
    cand_request: list[int] = []
    cand_variant: list[int] = []
    cand_place: list[int] = []
    cand_start: list[int] = []
    why: dict[int, str] = {}
    why_detail: dict[int, str] = {}

    for r, request in enumerate(event.requests):
        allowed = session_mask(request.sessions)
        if request.pinned is not None:
            pin = np.zeros(n_slots, dtype=bool)
            pin[slot_of[(request.pinned.session, request.pinned.slot)]] = True
            allowed &= pin
        starts_ok = _start_mask(
            allowed, slot_session, session_first_slot, session_length, request.length
        )
        reason = ("no_common_slot", "no allowed start slot")
        found = 0
        for attendees in _attendee_variants(request, participant_index, members):
            free = available[list(attendees)].all(axis=0)
            common = starts_ok & _window_all(free, request.length)
            if not common.any():
                continue
            reason = ("no_table", "no open table with enough seats in the parties' common slots")
            for place in _places_for(
                request, attendees, participants, location_index, pool_tables, seats
            ):
                open_starts = common & _window_all(location_open[place.location], request.length)
                starts = np.flatnonzero(open_starts)
                if len(starts) == 0:
                    continue
                key = attendees
                if key not in variant_index:
                    variant_index[key] = len(variants)
                    variants.append(key)
                p = place_id(place)
                cand_request.extend([r] * len(starts))
                cand_variant.extend([variant_index[key]] * len(starts))
                cand_place.extend([p] * len(starts))
                cand_start.extend(starts.tolist())
                found += len(starts)
        if not found:
            why[r], why_detail[r] = (
                reason[0],
                _explain_no_candidate(event, request, reason, participant_index, members, attends),
            )

    candidate_request = np.array(cand_request, dtype=np.int32)
    order = np.argsort(candidate_request, kind="stable")
    candidate_request = candidate_request[order]
    boundaries = np.searchsorted(candidate_request, np.arange(len(request_ids) + 1))
    compiled = Compiled(
        event=event,
        session_ids=session_ids,
        session_first_slot=session_first_slot,
        session_length=session_length,
        slot_session=slot_session,
        slot_day=slot_day,
        participant_ids=participant_ids,
        participant_index=participant_index,
        attends=attends,
        available=available,
        unpreferred=unpreferred,
        location_ids=location_ids,
        pool_tables=pool_tables,
        places=places,
        request_ids=request_ids,
        request_priority=np.array([r.priority for r in event.requests], dtype=np.int64),
        request_required=np.array([r.required for r in event.requests], dtype=bool),
        request_length=np.array([r.length for r in event.requests], dtype=np.int32),
        request_resources=[[resource_index[x] for x in r.resources] for r in event.requests],
        request_after=[[request_position[x] for x in r.after] for r in event.requests],
        resource_capacity=np.array([res.capacity for res in event.resources], dtype=np.int32),
        variants=variants,
        candidate_request=candidate_request,
        candidate_variant=np.array(cand_variant, dtype=np.int32)[order],
        candidate_place=np.array(cand_place, dtype=np.int32)[order],
        candidate_start=np.array(cand_start, dtype=np.int32)[order],
        why_impossible=why,
        why_impossible_detail=why_detail,
    )
    compiled.request_candidates = [
        np.arange(boundaries[r], boundaries[r + 1]) for r in range(len(request_ids))
    ]
    return compiled


def _start_mask(
    allowed: np.ndarray,
    slot_session: np.ndarray,
    session_first_slot: np.ndarray,
    session_length: np.ndarray,
    length: int,
) -> np.ndarray:
    """Slots where a meeting of ``length`` may start: allowed, and it ends in the same session."""
    position = np.arange(len(slot_session)) - session_first_slot[slot_session]
    fits = position + length <= session_length[slot_session]
    return allowed & fits


def _window_all(mask: np.ndarray, length: int) -> np.ndarray:
    """``out[s]`` is true when ``mask[s .. s + length - 1]`` are all true (false past the end)."""
    if length == 1:
        return mask.copy()
    out = np.zeros_like(mask)
    n = len(mask)
    if length > n:
        return out
    window = mask[: n - length + 1].copy()
    for k in range(1, length):
        window &= mask[k : n - length + 1 + k]
    out[: n - length + 1] = window
    return out


def _attendee_variants(
    request: MeetingRequest,
    participant_index: dict[str, int],
    members: dict[str, list[int]],
) -> list[tuple[int, ...]]:
    """Every choice of attendees: organization parties replaced by one member each."""
    choices: list[list[int]] = []
    direct = {participant_index[p] for p in request.participants if p in participant_index}
    for party in request.participants:
        if party in participant_index:
            choices.append([participant_index[party]])
        else:
            choices.append([m for m in members[party] if m not in direct])
    return [combo for combo in itertools.product(*choices) if len(set(combo)) == len(combo)]


def _places_for(
    request: MeetingRequest,
    attendees: tuple[int, ...],
    participants: list[Participant],
    location_index: dict[str, int],
    pool_tables: list[list[int]],
    seats: list[int],
) -> list[Place]:
    """Where a meeting with these attendees may be held (rule 4, seats, pins)."""
    size = len(attendees)
    host = next((participants[a].table for a in attendees if participants[a].table), None)
    pin = request.pinned
    if host is not None:
        place = Place(location_index[host.location], host.table)
        if seats[place.location] < size:
            return []
        if pin is not None and pin.location is not None:
            if location_index[pin.location] != place.location:
                return []
            if pin.table is not None and pin.table != place.table:
                return []
        return [place]
    if pin is not None and pin.location is not None:
        location = location_index[pin.location]
        if seats[location] < size:
            return []
        if pin.table is not None:
            return [Place(location, pin.table)] if pin.table in pool_tables[location] else []
        return [Place(location, 0)] if pool_tables[location] else []
    return [
        Place(location, 0)
        for location in range(len(pool_tables))
        if pool_tables[location] and seats[location] >= size
    ]


def _explain_no_candidate(
    event: Event,
    request: MeetingRequest,
    reason: tuple[str, str],
    participant_index: dict[str, int],
    members: dict[str, list[int]],
    attends: np.ndarray,
) -> str:
    code, generic = reason
    if code != "no_common_slot":
        return generic
    parts = []
    for party in request.participants:
        if party in participant_index:
            person = event.participants[participant_index[party]]
            sessions = person.sessions
            attended = "all sessions" if sessions is None else "only " + ", ".join(sessions)
            parts.append(
                f"{party} attends {attended}"
                + (
                    f" ({len(person.unavailable)} slot(s) unavailable)"
                    if person.unavailable
                    else ""
                )
            )
        else:
            parts.append(f"{party} has {len(members[party])} member(s)")
    if request.sessions is not None:
        parts.append(f"the request allows only {', '.join(request.sessions)}")
    if request.pinned is not None:
        parts.append(f"it is pinned to {request.pinned.session}/{request.pinned.slot}")
    del attends
    return "; ".join(parts)
