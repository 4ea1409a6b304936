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
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from matchsched.model import Event, MeetingRequest

NO_POOL = -1
NO_LIMIT = np.iinfo(np.int32).max
"""A participant's meeting limit where the event sets none."""


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
    max_meetings: np.ndarray
    """Per participant: ``max_meetings``, or :data:`NO_LIMIT`."""
    max_per_session: np.ndarray
    """Per participant: ``max_meetings_per_session``, or :data:`NO_LIMIT`."""
    # Locations and places.
    location_ids: list[str]
    pool_tables: list[list[int]]
    """Per location: the table numbers of its shared pool (not reserved as host tables)."""
    pool_capacity: np.ndarray
    """Per location: the number of tables of its shared pool."""
    places: list[Place]
    place_location: np.ndarray
    place_table: np.ndarray
    place_in_pool: np.ndarray
    """Per place: True when it is the shared pool or one of its tables (a pinned table)."""
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
    variant_members: np.ndarray
    """int[variant, position]: the attendee tuples side by side, padded with -1."""
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

    members: dict[str, list[int]] = defaultdict(list)
    for i, participant in enumerate(participants):
        if participant.organization is not None:
            members[participant.organization].append(i)

    request_ids = [r.id for r in event.requests]
    request_position = {rid: i for i, rid in enumerate(request_ids)}
    resource_index = {res.id: i for i, res in enumerate(event.resources)}
    request_length = np.array([r.length for r in event.requests], dtype=np.int32)

    def allowed_starts(request: MeetingRequest) -> np.ndarray:
        """Start slots the request's sessions and pin allow, where it ends in the session."""
        allowed = session_mask(request.sessions)
        if request.pinned is not None:
            pin = np.zeros(n_slots, dtype=bool)
            pin[slot_of[(request.pinned.session, request.pinned.slot)]] = True
            allowed &= pin
        return _start_mask(
            allowed, slot_session, session_first_slot, session_length, request.length
        )

    ways = _Ways.of(
        event,
        participant_index=participant_index,
        members=members,
        allowed_starts=allowed_starts,
        places_for=_PlaceRule(event, location_index, pool_tables),
        n_slots=n_slots,
    )
    common = ways.common_starts(available, request_length)
    found = _Found.of(ways, common, location_open, request_length)
    variants, candidate_variant = found.variants(ways)
    places, candidate_place = found.places()

    why: dict[int, str] = {}
    why_detail: dict[int, str] = {}
    has_common = np.zeros(len(request_ids), dtype=bool)
    has_common[ways.request[common.any(axis=1)]] = True
    has_candidate = np.zeros(len(request_ids), dtype=bool)
    has_candidate[found.request] = True
    for r in np.flatnonzero(~has_candidate).tolist():
        request = event.requests[r]
        reason = (
            ("no_table", "no open table with enough seats in the parties' common slots")
            if has_common[r]
            else ("no_common_slot", "no allowed start slot")
        )
        why[r], why_detail[r] = (
            reason[0],
            _explain_no_candidate(event, request, reason, participant_index, members, attends),
        )

    boundaries = np.searchsorted(found.request, np.arange(len(request_ids) + 1))
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
        max_meetings=_limits([p.max_meetings for p in participants]),
        max_per_session=_limits([p.max_meetings_per_session for p in participants]),
        location_ids=location_ids,
        pool_tables=pool_tables,
        pool_capacity=np.array([len(t) for t in pool_tables], dtype=np.int64),
        places=places,
        place_location=np.array([p.location for p in places], dtype=np.int64),
        place_table=np.array([p.table for p in places], dtype=np.int64),
        place_in_pool=np.array(
            [p.is_pool or p.table in pool_tables[p.location] for p in places], dtype=bool
        ),
        request_ids=request_ids,
        request_priority=np.array([r.priority for r in event.requests], dtype=np.int64),
        request_required=np.array([r.required for r in event.requests], dtype=bool),
        request_length=request_length,
        request_resources=[[resource_index[x] for x in r.resources] for r in event.requests],
        request_after=[[request_position[x] for x in r.after] for r in event.requests],
        resource_capacity=np.array([res.capacity for res in event.resources], dtype=np.int32),
        variants=variants,
        variant_members=padded(variants),
        candidate_request=found.request,
        candidate_variant=candidate_variant,
        candidate_place=candidate_place,
        candidate_start=found.start,
        why_impossible=why,
        why_impossible_detail=why_detail,
    )
    compiled.request_candidates = [
        np.arange(boundaries[r], boundaries[r + 1]) for r in range(len(request_ids))
    ]
    return compiled


def _limits(values: list[int | None]) -> np.ndarray:
    """Per participant: the limit, or :data:`NO_LIMIT` where there is none."""
    return np.array([NO_LIMIT if v is None else v for v in values], dtype=np.int64)


def padded(rows: list[tuple[int, ...]]) -> np.ndarray:
    """int[row, position]: the tuples side by side, padded with -1 (at least one column)."""
    width = max((len(row) for row in rows), default=1)
    out = np.full((len(rows), max(width, 1)), -1, dtype=np.int64)
    for size in {len(row) for row in rows}:
        these = [i for i, row in enumerate(rows) if len(row) == size]
        if size:
            out[these, :size] = np.array([rows[i] for i in these], dtype=np.int64)
    return out


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
    """``out[..., s]`` is true when ``mask[..., s .. s + length - 1]`` are all true (false past
    the end)."""
    if length == 1:
        return mask.copy()
    out = np.zeros_like(mask)
    n = mask.shape[-1]
    if length > n:
        return out
    window = mask[..., : n - length + 1].copy()
    for k in range(1, length):
        window &= mask[..., k : n - length + 1 + k]
    out[..., : n - length + 1] = window
    return out


def _window_all_rows(mask: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """:func:`_window_all` of each row of ``mask`` with that row's length."""
    out = mask.copy()
    for length in np.unique(lengths).tolist():
        if length > 1:
            rows = lengths == length
            out[rows] = _window_all(mask[rows], length)
    return out


def _attendee_variants(
    request: MeetingRequest,
    participant_index: dict[str, int],
    members: dict[str, list[int]],
) -> list[tuple[int, ...]]:
    """Every choice of attendees: organization parties replaced by one member each."""
    direct = [participant_index.get(p) for p in request.participants]
    if None not in direct:
        return [tuple(direct)] if len(set(direct)) == len(direct) else []  # type: ignore[arg-type]
    choices: list[list[int]] = []
    present = {i for i in direct if i is not None}
    for party, index in zip(request.participants, direct, strict=True):
        if index is not None:
            choices.append([index])
        else:
            choices.append([m for m in members[party] if m not in present])
    return [combo for combo in itertools.product(*choices) if len(set(combo)) == len(combo)]


class _PlaceRule:
    """Where a meeting may be held (rule 4, seats, pins), remembered per distinct question."""

    def __init__(self, event: Event, location_index: dict[str, int], pool_tables: list[list[int]]):
        self.location_index = location_index
        self.pool_tables = pool_tables
        self.seats = [loc.seats if loc.seats is not None else 1 << 30 for loc in event.locations]
        self.host = [
            None if p.table is None else Place(location_index[p.table.location], p.table.table)
            for p in event.participants
        ]
        self.known: dict[tuple, int] = {}
        self.lists: list[list[Place]] = []

    def __call__(self, request: MeetingRequest, attendees: tuple[int, ...]) -> int:
        """The index (into :attr:`lists`) of the places a meeting with these attendees may use."""
        host = next((self.host[a] for a in attendees if self.host[a] is not None), None)
        pin = request.pinned
        key = (
            host,
            None if pin is None else pin.location,
            None if pin is None else pin.table,
            len(attendees),
        )
        index = self.known.get(key)
        if index is None:
            index = self.known[key] = len(self.lists)
            self.lists.append(self._places(*key))
        return index

    def _places(
        self, host: Place | None, pin_location: str | None, pin_table: int | None, size: int
    ) -> list[Place]:
        seats, pool_tables = self.seats, self.pool_tables
        if host is not None:
            if seats[host.location] < size:
                return []
            if pin_location is not None:
                if self.location_index[pin_location] != host.location:
                    return []
                if pin_table is not None and pin_table != host.table:
                    return []
            return [host]
        if pin_location is not None:
            location = self.location_index[pin_location]
            if seats[location] < size:
                return []
            if pin_table is not None:
                return [Place(location, pin_table)] if pin_table in pool_tables[location] else []
            return [Place(location, 0)] if pool_tables[location] else []
        return [
            Place(location, 0)
            for location in range(len(pool_tables))
            if pool_tables[location] and seats[location] >= size
        ]


@dataclass
class _Ways:
    """Every request's attendee choices, one row per (request, variant) in request order."""

    request: np.ndarray
    attendees: list[tuple[int, ...]]
    allowed: np.ndarray
    """bool[row, slot]: the request's allowed starts."""
    place_list: np.ndarray
    """Per row: the index of its places in :attr:`place_lists`."""
    place_lists: list[list[Place]]

    @classmethod
    def of(
        cls,
        event: Event,
        *,
        participant_index: dict[str, int],
        members: dict[str, list[int]],
        allowed_starts: Callable[[MeetingRequest], np.ndarray],
        places_for: _PlaceRule,
        n_slots: int,
    ) -> _Ways:
        masks: dict[tuple, int] = {}
        mask_list: list[np.ndarray] = []
        request: list[int] = []
        attendees: list[tuple[int, ...]] = []
        mask_of: list[int] = []
        place_list: list[int] = []
        for r, item in enumerate(event.requests):
            pin = item.pinned
            key = (
                None if item.sessions is None else tuple(item.sessions),
                None if pin is None else (pin.session, pin.slot),
                item.length,
            )
            mask = masks.get(key)
            if mask is None:
                mask = masks[key] = len(mask_list)
                mask_list.append(allowed_starts(item))
            for combo in _attendee_variants(item, participant_index, members):
                request.append(r)
                attendees.append(combo)
                mask_of.append(mask)
                place_list.append(places_for(item, combo))
        stacked = np.array(mask_list, dtype=bool).reshape(len(mask_list), n_slots)
        return cls(
            request=np.array(request, dtype=np.int32),
            attendees=attendees,
            allowed=stacked[np.array(mask_of, dtype=np.int64)],
            place_list=np.array(place_list, dtype=np.int64),
            place_lists=places_for.lists,
        )

    def common_starts(self, available: np.ndarray, request_length: np.ndarray) -> np.ndarray:
        """bool[row, slot]: allowed starts where every attendee is free for the whole length."""
        free = np.ones_like(self.allowed)
        members = padded(self.attendees)
        for j in range(members.shape[1]):
            person = members[:, j]
            free &= available[np.maximum(person, 0)] | (person < 0)[:, None]
        return self.allowed & _window_all_rows(free, request_length[self.request])


@dataclass
class _Found:
    """The candidates in request, variant, place, start order (with their row and place)."""

    row: np.ndarray
    request: np.ndarray
    place: list[Place]
    """Per distinct place key: the place."""
    place_key: np.ndarray
    start: np.ndarray

    @classmethod
    def of(
        cls,
        ways: _Ways,
        common: np.ndarray,
        location_open: np.ndarray,
        request_length: np.ndarray,
    ) -> _Found:
        distinct, length_of_row = np.unique(request_length[ways.request], return_inverse=True)
        opened = [
            np.array([_window_all(open_slots, length) for length in distinct.tolist()])
            for open_slots in location_open
        ]
        by_list = np.argsort(ways.place_list, kind="stable")
        bounds = np.searchsorted(ways.place_list[by_list], np.arange(len(ways.place_lists) + 1))
        keys: dict[Place, int] = {}
        rows_found: list[np.ndarray] = []
        starts_found: list[np.ndarray] = []
        keys_found: list[np.ndarray] = []
        for index, places in enumerate(ways.place_lists):
            rows = by_list[bounds[index] : bounds[index + 1]]
            for place in places:
                open_starts = opened[place.location][length_of_row[rows]]
                hit_row, start = np.nonzero(common[rows] & open_starts)
                rows_found.append(rows[hit_row])
                starts_found.append(start)
                keys_found.append(np.full(len(start), keys.setdefault(place, len(keys))))
        row, start, place_key = (
            np.concatenate(found) if found else np.zeros(0, dtype=np.int64)
            for found in (rows_found, starts_found, keys_found)
        )
        # Each piece is in row, then start order, and a row's pieces come in place order:
        # a stable sort by row gives row, place, start order.
        order = np.argsort(row, kind="stable")
        row = row[order]
        return cls(
            row=row,
            request=ways.request[row],
            place=list(keys),
            place_key=place_key[order],
            start=start[order].astype(np.int32),
        )

    def variants(self, ways: _Ways) -> tuple[list[tuple[int, ...]], np.ndarray]:
        """Distinct attendee tuples in order of first use, and each candidate's."""
        new_row = np.ones(len(self.row), dtype=bool)
        new_row[1:] = self.row[1:] != self.row[:-1]
        index: dict[tuple[int, ...], int] = {}
        of_row = np.array(
            [index.setdefault(ways.attendees[r], len(index)) for r in self.row[new_row].tolist()],
            dtype=np.int32,
        )
        return list(index), of_row[np.cumsum(new_row) - 1]

    def places(self) -> tuple[list[Place], np.ndarray]:
        """Distinct places in order of first use, and each candidate's."""
        run_start = np.ones(len(self.place_key), dtype=bool)
        run_start[1:] = self.place_key[1:] != self.place_key[:-1]
        keys, first = np.unique(self.place_key[run_start], return_index=True)
        in_order = keys[np.argsort(first)]
        renumber = np.zeros(len(self.place), dtype=np.int32)
        renumber[in_order] = np.arange(len(in_order), dtype=np.int32)
        return [self.place[k] for k in in_order.tolist()], renumber[self.place_key]


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
