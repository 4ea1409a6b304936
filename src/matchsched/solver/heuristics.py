"""Construction and repair of timetables without a full model: hints, baselines, LNS moves.

:class:`Timetable` is a mutable partial timetable over the compiled arrays: which candidate
each request uses, and what that occupies (participant-slots, pool tables, fixed tables,
resources, meeting counts). :meth:`Timetable.feasible` says, vectorised over a request's
candidates, which of them fit next to the meetings already placed; every hard rule of
FORMAT.md section 2 is checked there, so whatever is placed through it is valid.

Two builders use it:

- :func:`first_come_first_served`: what self-booking platforms give. Requests in arrival
  order, each in the earliest slot where its attendees and a table are free. A baseline.
- :func:`construct`: requests in the order the relaxation suggests (required first, then by
  the LP's value, priority, and scarcity), each in the slot that adds the fewest breaks; then
  a repair pass moves one blocking meeting elsewhere to make room for a request left out.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from matchsched.solver.compile import NO_LIMIT, Compiled


@dataclass(frozen=True)
class Layout:
    """Static arrays the heuristics derive once from the compiled event."""

    candidate_length: np.ndarray
    later: dict[int, list[int]]
    """Per request with any: the requests that must start after it ends (reverse of
    ``after``)."""
    day_first: np.ndarray
    """Per slot: the first slot of its day."""
    day_last: np.ndarray
    candidate_unpreferred: np.ndarray
    """Per candidate: attendee-slots it puts in unpreferred slots."""
    limited: np.ndarray
    """Per request: some attendee of some candidate has ``max_meetings`` (per session)."""
    fixed: np.ndarray
    """Per request: some candidate is at a fixed table."""
    reach: dict[int, _Reach]
    """Per meeting length: the slots around each start that decide the breaks it adds."""

    @classmethod
    def of(cls, compiled: Compiled) -> Layout:
        """Derive the layout of ``compiled``."""
        later: dict[int, list[int]] = {}
        for r, earlier in enumerate(compiled.request_after):
            for e in earlier:
                later.setdefault(e, []).append(r)
        n_slots = compiled.n_slots
        day_first = np.zeros(n_slots, dtype=np.int64)
        day_last = np.zeros(n_slots, dtype=np.int64)
        for day in np.unique(compiled.slot_day):
            slots = np.flatnonzero(compiled.slot_day == day)
            day_first[slots], day_last[slots] = slots.min(), slots.max()
        length = compiled.request_length[compiled.candidate_request].astype(np.int64)
        unpreferred = np.zeros(compiled.n_candidates, dtype=np.int64)
        if compiled.unpreferred.any():
            candidate_members = compiled.variant_members[compiled.candidate_variant]
            for offset in range(int(length.max(initial=0))):
                inside = length > offset
                slot = np.minimum(compiled.candidate_start + offset, n_slots - 1)
                for person in candidate_members.T:
                    hit = inside & (person >= 0)
                    hit &= compiled.unpreferred[np.maximum(person, 0), slot]
                    unpreferred += hit
        person_limited = (compiled.max_meetings < NO_LIMIT) | (compiled.max_per_session < NO_LIMIT)
        members = compiled.variant_members
        variant_limited = (person_limited[np.maximum(members, 0)] & (members >= 0)).any(axis=1)
        return cls(
            candidate_length=length,
            later=later,
            day_first=day_first,
            day_last=day_last,
            candidate_unpreferred=unpreferred,
            limited=_any_per_request(compiled, variant_limited[compiled.candidate_variant]),
            fixed=_any_per_request(compiled, compiled.place_table[compiled.candidate_place] > 0),
            reach={
                length: _Reach.of(day_first, day_last, length)
                for length in np.unique(compiled.request_length).tolist()
            },
        )


@dataclass(frozen=True)
class _Reach:
    """For a meeting of one length starting at each slot: the slots that decide the breaks."""

    day_first: np.ndarray
    after_day: np.ndarray
    """The slot after the last of the start's day."""
    after_end: np.ndarray
    """The slot after the meeting's last (clipped to the event)."""
    before: np.ndarray
    """The slot before the start (clipped)."""
    after: np.ndarray
    """The slot after the meeting's last (clipped)."""
    inside_left: np.ndarray
    """The slot before the start is on the same day."""
    inside_right: np.ndarray
    """The slot after the meeting is on the same day."""

    @classmethod
    def of(cls, day_first: np.ndarray, day_last: np.ndarray, length: int) -> _Reach:
        n = len(day_first)
        starts = np.arange(n)
        ends = np.minimum(starts + length - 1, n - 1)
        return cls(
            day_first=day_first,
            after_day=day_last + 1,
            after_end=ends + 1,
            before=np.maximum(starts - 1, 0),
            after=np.minimum(ends + 1, n - 1),
            inside_left=starts > day_first,
            inside_right=ends < day_last,
        )


def _any_per_request(compiled: Compiled, flags: np.ndarray) -> np.ndarray:
    """Per request: whether ``flags`` holds for any of its candidates."""
    counts = np.bincount(compiled.candidate_request[flags], minlength=len(compiled.request_ids))
    return counts > 0


class Timetable:
    """A partial timetable: at most one candidate per request, every hard rule kept.

    Parameters
    ----------
    compiled
        The event as arrays.
    layout
        Its :class:`Layout` (derived when not given).
    """

    def __init__(self, compiled: Compiled, layout: Layout | None = None) -> None:
        self.compiled = compiled
        self.layout = layout or Layout.of(compiled)
        n_people, n_slots = len(compiled.participant_ids), compiled.n_slots
        self.chosen = np.full(len(compiled.request_ids), -1, dtype=np.int64)
        self.occupant = np.full((n_people, n_slots), -1, dtype=np.int64)
        """Request held by each participant-slot, or -1."""
        self.pool_used = np.zeros((len(compiled.location_ids), n_slots), dtype=np.int64)
        self.table_used = np.zeros((max(len(compiled.places), 1), n_slots), dtype=bool)
        self.resource_used = np.zeros((len(compiled.resource_capacity), n_slots), dtype=np.int64)
        self.meetings = np.zeros(n_people, dtype=np.int64)
        self.session_meetings = np.zeros((n_people, len(compiled.session_ids)), dtype=np.int64)

    @property
    def busy(self) -> np.ndarray:
        """bool[participant, slot]."""
        return self.occupant >= 0

    def copy(self) -> Timetable:
        """An independent copy (the layout is shared)."""
        other = Timetable.__new__(Timetable)
        other.compiled, other.layout = self.compiled, self.layout
        for name in (
            "chosen",
            "occupant",
            "pool_used",
            "table_used",
            "resource_used",
            "meetings",
            "session_meetings",
        ):
            setattr(other, name, getattr(self, name).copy())
        return other

    def candidates(self) -> np.ndarray:
        """The chosen candidates, sorted."""
        return np.sort(self.chosen[self.chosen >= 0])

    def priority(self) -> int:
        """Total priority of the scheduled requests."""
        return int(self.compiled.request_priority[self.chosen >= 0].sum())

    def feasible(self, request: int, candidates: np.ndarray | None = None) -> np.ndarray:
        """Which of ``candidates`` (default: all of the request's) fit the current timetable.

        The request itself must not be placed.
        """
        compiled, layout = self.compiled, self.layout
        if candidates is None:
            candidates = compiled.request_candidates[request]
        if len(candidates) == 0:
            return np.zeros(0, dtype=bool)
        starts = compiled.candidate_start[candidates].astype(np.int64)
        length = int(compiled.request_length[request])
        attendees = compiled.variant_members[compiled.candidate_variant[candidates]]
        absent = attendees < 0
        who = np.maximum(attendees, 0)
        places = compiled.candidate_place[candidates]
        location = compiled.place_location[places]
        pooled = compiled.place_in_pool[places]
        ok = np.ones(len(candidates), dtype=bool)
        for offset in range(length):
            slot = starts + offset
            ok &= ((self.occupant[who, slot[:, None]] < 0) | absent).all(axis=1)
            ok &= ~pooled | (self.pool_used[location, slot] < compiled.pool_capacity[location])
            if layout.fixed[request]:
                ok &= (compiled.place_table[places] == 0) | ~self.table_used[places, slot]
            for resource in compiled.request_resources[request]:
                ok &= self.resource_used[resource, slot] < compiled.resource_capacity[resource]
        if layout.limited[request]:
            ok &= ((self.meetings[who] < compiled.max_meetings[who]) | absent).all(axis=1)
            session = compiled.slot_session[starts]
            room = self.session_meetings[who, session[:, None]] < compiled.max_per_session[who]
            ok &= (room | absent).all(axis=1)
        for earlier in compiled.request_after[request]:
            c = self.chosen[earlier]
            if c >= 0:
                ok &= starts >= compiled.candidate_start[c] + layout.candidate_length[c]
        for later in layout.later.get(request, ()):
            c = self.chosen[later]
            if c >= 0:
                ok &= starts + length <= compiled.candidate_start[c]
        return ok

    def place(self, candidate: int) -> None:
        """Put ``candidate`` in the timetable (it must be feasible)."""
        compiled, layout = self.compiled, self.layout
        request = int(compiled.candidate_request[candidate])
        start = int(compiled.candidate_start[candidate])
        slots = slice(start, start + int(layout.candidate_length[candidate]))
        self._occupy(candidate, request, slots, +1)
        self.chosen[request] = candidate

    def remove(self, request: int) -> None:
        """Take ``request``'s meeting out of the timetable (if it is placed)."""
        candidate = int(self.chosen[request])
        if candidate < 0:
            return
        start = int(self.compiled.candidate_start[candidate])
        slots = slice(start, start + int(self.layout.candidate_length[candidate]))
        self._occupy(candidate, request, slots, -1)
        self.chosen[request] = -1

    def _occupy(self, candidate: int, request: int, slots: slice, sign: int) -> None:
        compiled = self.compiled
        attendees = compiled.attendees(candidate)
        for person in attendees:
            self.occupant[person, slots] = request if sign > 0 else -1
            self.meetings[person] += sign
            self.session_meetings[person, compiled.slot_session[slots.start]] += sign
        place = int(compiled.candidate_place[candidate])
        if compiled.place_in_pool[place]:
            self.pool_used[compiled.place_location[place], slots] += sign
        if compiled.place_table[place] > 0:
            self.table_used[place, slots] = sign > 0
        for resource in compiled.request_resources[request]:
            self.resource_used[resource, slots] += sign

    def break_delta(self, request: int, candidates: np.ndarray) -> np.ndarray:
        """How many breaks each candidate would add (negative: it closes a gap).

        Per attendee: a meeting inside a day's span of meetings splits or closes a gap, one
        outside it opens a gap unless adjacent. Days are taken as all their slots (a
        participant away for a session of the day is treated as idle there).
        """
        compiled = self.compiled
        starts = compiled.candidate_start[candidates].astype(np.int64)
        variants = compiled.candidate_variant[candidates]
        # Candidates come in runs of one variant: the breaks are counted once per run.
        new_run = np.ones(len(variants), dtype=bool)
        new_run[1:] = variants[1:] != variants[:-1]
        run = np.cumsum(new_run) - 1
        people = compiled.variant_members[variants[new_run]]
        width = people.shape[1]
        added = self._slot_deltas(
            np.maximum(people, 0).ravel(), int(compiled.request_length[request])
        )
        added *= (people >= 0).reshape(-1, 1)  # the padding of shorter attendee lists adds none
        rows = run[:, None] * width + np.arange(width)
        return added[rows, starts[:, None]].sum(axis=1)

    def _slot_deltas(self, people: np.ndarray, length: int) -> np.ndarray:
        """Per person and start slot: breaks added by a meeting of ``length`` there."""
        reach = self.layout.reach[length]
        busy = self.occupant[people] >= 0
        n = busy.shape[1]
        counts = np.zeros((len(people), n + 1), dtype=np.int64)
        np.cumsum(busy, axis=1, out=counts[:, 1:])
        has_left = counts[:, :n] > counts.take(reach.day_first, axis=1)
        has_right = counts.take(reach.after_day, axis=1) > counts.take(reach.after_end, axis=1)
        left_adjacent = busy.take(reach.before, axis=1) & reach.inside_left
        right_adjacent = busy.take(reach.after, axis=1) & reach.inside_right
        return (
            (has_left & ~left_adjacent).astype(np.int64)
            + (has_right & ~right_adjacent)
            - (has_left & has_right)
        )

    def best_candidate(self, request: int, *, earliest: bool = False) -> int:
        """The feasible candidate adding the fewest breaks (or the earliest), or -1 if none."""
        candidates = self.compiled.request_candidates[request]
        ok = self.feasible(request, candidates)
        if not ok.any():
            return -1
        fitting = candidates[ok]
        if earliest:
            return int(fitting[np.argmin(self.compiled.candidate_start[fitting])])
        score = self.break_delta(request, fitting) * 4 + self.layout.candidate_unpreferred[fitting]
        # Between equal scores, the slot whose pool has most tables left keeps room for later.
        places = self.compiled.candidate_place[fitting]
        location = self.compiled.place_location[places]
        load = self.pool_used[location, self.compiled.candidate_start[fitting]] / np.maximum(
            self.compiled.pool_capacity[location], 1
        )
        return int(fitting[np.lexsort((load, score))[0]])


def first_come_first_served(compiled: Compiled, layout: Layout | None = None) -> Timetable:
    """The self-booking baseline: requests in arrival order, each in its earliest free slot."""
    timetable = Timetable(compiled, layout)
    for request in range(len(compiled.request_ids)):
        candidate = timetable.best_candidate(request, earliest=True)
        if candidate >= 0:
            timetable.place(candidate)
    return timetable


def construction_order(compiled: Compiled, request_value: np.ndarray | None = None) -> np.ndarray:
    """Required requests first, then by the relaxation's value, priority, and scarcity."""
    counts = np.array([len(c) for c in compiled.request_candidates], dtype=np.int64)
    value = np.zeros(len(counts)) if request_value is None else np.round(request_value, 2)
    return np.lexsort((counts, -compiled.request_priority, -value, ~compiled.request_required))


def construct(
    compiled: Compiled,
    *,
    request_value: np.ndarray | None = None,
    layout: Layout | None = None,
    deadline: float | None = None,
) -> Timetable:
    """Greedy construction in :func:`construction_order`, then :func:`repair`.

    ``deadline`` (a :func:`time.perf_counter` value) stops both early; the result is always
    a valid (partial) timetable.
    """
    order = construction_order(compiled, request_value)
    timetable = greedy(compiled, order, layout=layout, deadline=deadline)
    repair(timetable, order, deadline=deadline)
    return timetable


def greedy(
    compiled: Compiled,
    order: np.ndarray,
    *,
    layout: Layout | None = None,
    deadline: float | None = None,
) -> Timetable:
    """Each request in ``order`` in its best feasible candidate (fewest added breaks).

    At ``deadline`` (a :func:`time.perf_counter` value) it stops: the requests not reached
    stay out of the timetable, which is valid as it stands.
    """
    timetable = Timetable(compiled, layout)
    for request in order.tolist():
        if deadline is not None and time.perf_counter() > deadline:
            break
        candidate = timetable.best_candidate(request)
        if candidate >= 0:
            timetable.place(candidate)
    return timetable


def repair(timetable: Timetable, order: np.ndarray, *, deadline: float | None = None) -> int:
    """Make room for requests left out by moving one meeting that blocks them.

    For each unscheduled request (in ``order``) and each of its candidates blocked only by
    attendees' meetings, the blocking meetings are taken out, the request is placed, and the
    blocking meetings are put back elsewhere. The move is kept when all of them fit again,
    or when the request outweighs those that do not. Returns the priority gained.
    """
    compiled = timetable.compiled
    priority = compiled.request_priority
    gained = 0
    for request in order.tolist():
        if timetable.chosen[request] >= 0 or len(compiled.request_candidates[request]) == 0:
            continue
        if deadline is not None and time.perf_counter() > deadline:
            break
        gained += _repair_one(timetable, request, priority)
    return gained


def _repair_one(timetable: Timetable, request: int, priority: np.ndarray) -> int:
    compiled = timetable.compiled
    candidates = compiled.request_candidates[request]
    for candidate in candidates.tolist():
        start = int(compiled.candidate_start[candidate])
        slots = slice(start, start + int(compiled.request_length[request]))
        blockers = {
            int(b)
            for person in compiled.attendees(candidate)
            for b in timetable.occupant[person, slots].tolist()
            if b >= 0
        }
        if not blockers or len(blockers) > 2:
            continue
        if any(compiled.request_required[b] for b in blockers):
            continue
        if sum(int(priority[b]) for b in blockers) >= 2 * int(priority[request]) + 2:
            continue  # unlikely to pay off: both blockers would have to find new places
        saved = {b: int(timetable.chosen[b]) for b in blockers}
        for b in blockers:
            timetable.remove(b)
        if not timetable.feasible(request, np.array([candidate]))[0]:
            for c in saved.values():
                timetable.place(c)
            continue
        timetable.place(candidate)
        lost = 0
        for b in blockers:
            moved = timetable.best_candidate(b)
            if moved >= 0:
                timetable.place(moved)
            else:
                lost += int(priority[b])
        if lost < int(priority[request]):
            return int(priority[request]) - lost
        timetable.remove(request)
        for b in blockers:
            timetable.remove(b)
        for c in saved.values():
            timetable.place(c)
    return 0


def participant_breaks(timetable: Timetable, people: np.ndarray | None = None) -> np.ndarray:
    """Breaks per participant (FORMAT.md goal 3) in the current timetable.

    A participant's day is the slots of the sessions they attend that day; a break is a run
    of idle slots of that day between two meetings.
    """
    compiled = timetable.compiled
    if people is None:
        people = np.arange(len(compiled.participant_ids))
    busy = timetable.occupant[people] >= 0
    attends = compiled.attends[people]
    out = np.zeros(len(people), dtype=np.int64)
    for day in np.unique(compiled.slot_day):
        slots = np.flatnonzero(compiled.slot_day == day)
        day_busy = busy[:, slots]
        day_attends = attends[:, slots]
        # Drop slots the participant does not attend (they are not part of their day),
        # by comparing each attended slot with the previous attended one.
        previous_busy = np.zeros(len(people), dtype=bool)
        seen = np.zeros(len(people), dtype=bool)
        starts = np.zeros(len(people), dtype=np.int64)
        for k in range(len(slots)):
            here = day_attends[:, k]
            block_start = here & day_busy[:, k] & ~previous_busy
            starts += block_start
            previous_busy = np.where(here, day_busy[:, k], previous_busy)
            seen |= here & day_busy[:, k]
        out += np.maximum(starts - seen, 0)
    return out
