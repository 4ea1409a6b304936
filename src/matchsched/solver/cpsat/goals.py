"""The goals of FORMAT.md section 3 as CP-SAT expressions (and the options that bound them)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from ortools.sat.python import cp_model

from matchsched.solver.breaks import BreakStructure, break_structure
from matchsched.solver.compile import Compiled
from matchsched.solver.cpsat.variables import Occupancy, covered_slots, group

FAIRNESS_SCALE = 1000
"""Fairness is optimised in thousandths of a share."""


def scheduled_priority(
    compiled: Compiled, scheduled: list[cp_model.IntVar | int]
) -> cp_model.LinearExprT:
    """Total priority of the scheduled requests (goal 1)."""
    return cp_model.LinearExpr.WeightedSum(
        [s for s in scheduled if not isinstance(s, int)],
        [
            int(compiled.request_priority[r])
            for r, s in enumerate(scheduled)
            if not isinstance(s, int)
        ],
    )


def schedulable_share_parties(compiled: Compiled) -> dict[str, list[int]]:
    """Parties named in requests that can take place, with those requests (for fairness)."""
    parties: dict[str, list[int]] = {}
    for r, request in enumerate(compiled.event.requests):
        if len(compiled.request_candidates[r]) == 0:
            continue
        for party in request.participants:
            parties.setdefault(party, []).append(r)
    return parties


def fairness(
    model: cp_model.CpModel, compiled: Compiled, scheduled: list[cp_model.IntVar | int]
) -> cp_model.IntVar | int:
    """The smallest share of a party's schedulable priority that is scheduled (goal 2)."""
    parties = schedulable_share_parties(compiled)
    if not parties:
        return 0
    share = model.new_int_var(0, FAIRNESS_SCALE, "fairness")
    for requests in parties.values():
        requested = int(sum(compiled.request_priority[r] for r in requests))
        got = sum(int(compiled.request_priority[r]) * scheduled[r] for r in requests)
        model.add(requested * share <= FAIRNESS_SCALE * got)
    return share


def unpreferred(compiled: Compiled, x: list[cp_model.IntVar]) -> cp_model.LinearExprT:
    """Attendee-slots spent in unpreferred slots (goal 6)."""
    costs = candidate_unpreferred(compiled)
    used = np.flatnonzero(costs)
    return cp_model.LinearExpr.WeightedSum([x[c] for c in used], costs[used].tolist())


def candidate_unpreferred(compiled: Compiled) -> np.ndarray:
    """Per candidate: how many attendee-slots it puts in unpreferred slots."""
    costs = np.zeros(compiled.n_candidates, dtype=np.int64)
    if not compiled.unpreferred.any():
        return costs
    for c in range(compiled.n_candidates):
        start = compiled.candidate_start[c]
        length = compiled.request_length[compiled.candidate_request[c]]
        attendees = list(compiled.attendees(c))
        costs[c] = int(compiled.unpreferred[attendees, start : start + length].sum())
    return costs


@dataclass
class Breaks:
    """Break counting: ``busy`` variables per participant-slot and breaks per participant."""

    busy: dict[int, cp_model.IntVar] = field(default_factory=dict)
    """Keys ``participant * n_slots + slot``."""
    per_participant: dict[int, cp_model.LinearExprT] = field(default_factory=dict)
    has_meeting: dict[int, cp_model.IntVar] = field(default_factory=dict)
    literals: list[cp_model.IntVar] = field(default_factory=list)
    """Strong model: one literal per possible break (true when a break ends at that slot)."""
    structure: BreakStructure | None = None
    """Strong model: certain meetings and proven per-participant minima."""
    windows: list[tuple[cp_model.LinearExprT, int, cp_model.IntVar]] = field(default_factory=list)
    """Strong model: (first busy slot, workload, "no breaks" literal) of participants whose
    day is a run of consecutive slots; without breaks they are busy exactly in
    ``first .. first + workload - 1``."""

    @property
    def total(self) -> cp_model.LinearExprT:
        """Total number of breaks (goal 3)."""
        if self.literals:
            # A plain sum of literals: what core-based (MaxSAT-like) search works on.
            return cp_model.LinearExpr.Sum(self.literals)
        return sum(self.per_participant.values())


def build_breaks(
    model: cp_model.CpModel,
    compiled: Compiled,
    occupancy: Occupancy,
    *,
    strong: bool = True,
    max_breaks: int | None = None,
) -> Breaks:
    """Count each participant's breaks, day by day.

    A participant's day is the time-ordered slots of the sessions they attend that day.
    Slots where the participant can never be busy are constants; runs of them are merged,
    and those at either end of the day are dropped, since idle time there is never a break.

    The *plain* model counts a day's breaks as its blocks of busy slots minus one (when it
    has any): a block starts at a busy slot whose predecessor is idle. Its linear relaxation
    is weak (the count is an expression that may go negative in the relaxation).

    The *strong* model gives every possible break its own literal: "a break ends at this
    slot", i.e. the participant is busy here, idle just before, and busy somewhere earlier
    that day (a chain of "seen" literals). A day without breaks has all of them false, and
    unit propagation alone then keeps the busy slots contiguous. Breaks per participant are
    a bounded integer (from ``max_breaks`` and the proven minima of
    :func:`~matchsched.solver.breaks.break_structure`), the objective is a plain sum of
    literals (what core-based search needs), and each participant whose meetings are all
    certain gets its busy-slot count as a constant.
    """
    breaks = Breaks()
    n_slots = compiled.n_slots
    possible: dict[int, set[int]] = {}
    for key, _ in occupancy.by_participant_slot:
        possible.setdefault(key // n_slots, set()).add(key % n_slots)
    structure = break_structure(compiled, occupancy) if strong else None
    breaks.structure = structure
    if strong:
        # Every possible participant-slot gets a busy flag, for the per-slot rows.
        for key, _ in occupancy.by_participant_slot:
            breaks.busy[key] = model.new_bool_var(f"busy_{key // n_slots}_{key % n_slots}")
    for person, slots in possible.items():
        day_terms: list[cp_model.LinearExprT] = []
        literals: list[cp_model.IntVar] = []
        for sequence in day_sequences(compiled, person, slots):
            flags: list[cp_model.IntVar | int] = []
            for t in sequence:
                if t is None:
                    flags.append(0)
                    continue
                key = person * n_slots + t
                if key not in breaks.busy:
                    breaks.busy[key] = model.new_bool_var(f"busy_{person}_{t}")
                flags.append(breaks.busy[key])
            if strong:
                literals.extend(_day_break_literals(model, flags))
            else:
                day_terms.append(day_breaks(model, flags))
        if not strong:
            if day_terms:
                breaks.per_participant[person] = sum(day_terms)
            continue
        assert structure is not None
        workload = structure.fixed_workload.get(person)
        if workload is not None:
            _fixed_workload(model, breaks, person, slots, n_slots, workload)
        if not literals:
            continue
        upper = len(literals)
        if workload is not None:
            upper = min(upper, max(workload - 1, 0))
        if max_breaks is not None:
            upper = min(upper, max_breaks)
        lower = min(structure.minimum.get(person, 0), upper + 1)
        # An empty domain (lower > upper) is a proof of infeasibility; CP-SAT reports it.
        count = model.new_int_var(lower, max(lower, upper), f"breaks_{person}")
        if lower > upper:
            model.add(count <= upper)
        model.add(count == sum(literals))
        breaks.per_participant[person] = count
        breaks.literals.extend(literals)
        if workload is not None:
            _span(model, compiled, breaks, person, slots, workload, count)
    return breaks


def _span(
    model: cp_model.CpModel,
    compiled: Compiled,
    breaks: Breaks,
    person: int,
    slots: set[int],
    workload: int,
    count: cp_model.IntVar,
) -> None:
    """First and last busy position of a one-day participant with a fixed workload.

    The span from the first to the last meeting holds the ``workload`` busy slots and at
    least one idle slot per break, and without breaks nothing else: ``workload + breaks <=
    span <= workload + (day length - workload) x breaks``. Each busy slot lies inside the
    span, so once the span is narrowed, slots outside it are idle: the propagation that
    makes a break-free day a sliding window of ``workload`` slots.
    """
    days = np.unique(compiled.slot_day[sorted(slots)])
    if len(days) != 1 or workload < 1:
        return
    n_slots = compiled.n_slots
    day_slots = np.flatnonzero((compiled.slot_day == days[0]) & compiled.attends[person]).tolist()
    position = {t: i for i, t in enumerate(day_slots)}
    possible = sorted(position[t] for t in slots)
    first = model.new_int_var(possible[0], possible[-1], f"first_{person}")
    last = model.new_int_var(possible[0], possible[-1], f"last_{person}")
    for t in slots:
        flag = breaks.busy[person * n_slots + t]
        model.add(first <= position[t]).only_enforce_if(flag)
        model.add(last >= position[t]).only_enforce_if(flag)
    span = last - first + 1
    model.add(span >= workload + count)
    model.add(span <= workload + (len(day_slots) - workload) * count)
    if day_slots[-1] - day_slots[0] == len(day_slots) - 1:
        unbroken = model.new_bool_var(f"unbroken_{person}")
        model.add(count == 0).only_enforce_if(unbroken)
        model.add(count >= 1).only_enforce_if(unbroken.negated())
        breaks.windows.append((first + day_slots[0], workload, unbroken))


def busy_per_slot(
    model: cp_model.CpModel,
    compiled: Compiled,
    breaks: Breaks,
    x: list[cp_model.IntVar],
    *,
    table_limits: bool = True,
) -> None:
    """Implied rows of the strong model that tie the busy flags of a slot together.

    Per slot, the busy attendees are the attendees of the meetings held then:
    ``sum(busy) == sum(size x x)`` (for pair meetings: an even number, at most two per table).
    When every meeting is a pair at a shared pool, the break-free participants are also
    fixed-length tasks of a cumulative resource of ``2 x tables`` attendee places per slot,
    whose energy reasoning sees crowded stretches of the day long before single slots fill
    (not with ``table_limits=False``, for a model without the table rule).
    """
    if not breaks.busy:
        return
    n_slots = compiled.n_slots
    sizes = np.array([len(v) for v in compiled.variants], dtype=np.int64)
    covering, slots = covered_slots(compiled, np.arange(compiled.n_candidates))
    by_slot = group(slots, covering)
    busy_by_slot: dict[int, list[cp_model.IntVar]] = {}
    for key, flag in breaks.busy.items():
        busy_by_slot.setdefault(key % n_slots, []).append(flag)
    for slot, candidates in by_slot:
        flags = busy_by_slot.get(slot, [])
        model.add(
            sum(flags) == sum(int(sizes[compiled.candidate_variant[c]]) * x[c] for c in candidates)
        )
    if not table_limits or not breaks.windows or not (sizes == 2).all():
        return
    if any(not place.is_pool for place in compiled.places):
        return
    # Attendee places per slot: two per open pool table.
    places_per_slot = np.zeros(n_slots, dtype=np.int64)
    for location, tables in enumerate(compiled.pool_tables):
        sessions = compiled.event.locations[location].sessions
        open_ = np.ones(n_slots, dtype=bool)
        if sessions is not None:
            open_ = np.isin(
                np.array(compiled.session_ids)[compiled.slot_session], np.array(sessions)
            )
        places_per_slot += 2 * len(tables) * open_
    capacity = int(places_per_slot.max())
    intervals = [
        model.new_optional_fixed_size_interval_var(first, workload, unbroken, "")
        for first, workload, unbroken in breaks.windows
    ]
    demands = [1] * len(intervals)
    for slot in range(n_slots):
        missing = capacity - int(places_per_slot[slot])
        if missing:
            intervals.append(model.new_fixed_size_interval_var(slot, 1, ""))
            demands.append(missing)
    model.add_cumulative(intervals, demands, capacity)


def _fixed_workload(
    model: cp_model.CpModel,
    breaks: Breaks,
    person: int,
    slots: set[int],
    n_slots: int,
    workload: int,
) -> None:
    """The participant is busy in exactly ``workload`` slots (all their meetings are certain).

    Implied by "every required meeting once", but stated per participant it lets a
    contiguous day propagate at once (the paper's implied constraint).
    """
    flags = []
    for t in sorted(slots):
        key = person * n_slots + t
        if key not in breaks.busy:
            breaks.busy[key] = model.new_bool_var(f"busy_{person}_{t}")
        flags.append(breaks.busy[key])
    model.add(sum(flags) == workload)


def _day_break_literals(
    model: cp_model.CpModel, flags: list[cp_model.IntVar | int]
) -> list[cp_model.IntVar]:
    """One literal per position where a break can end, exactly: busy, idle before, busy earlier."""
    literals: list[cp_model.IntVar] = []
    seen: cp_model.IntVar | None = None  # busy somewhere before the current position
    previous: cp_model.IntVar | int = 0
    for flag in flags:
        if isinstance(flag, int):
            previous = flag
            continue
        if seen is None:
            seen, previous = flag, flag
            continue
        conditions = [flag, seen] + ([] if isinstance(previous, int) else [previous.negated()])
        ends = model.new_bool_var("")
        model.add_bool_and(conditions).only_enforce_if(ends)
        model.add_bool_or([c.negated() for c in conditions] + [ends])
        literals.append(ends)
        later = model.new_bool_var("")
        model.add_implication(seen, later)
        model.add_implication(flag, later)
        model.add_bool_or([seen, flag, later.negated()])
        seen, previous = later, flag
    return literals


def day_sequences(compiled: Compiled, person: int, slots: set[int]) -> list[list[int | None]]:
    """The participant's days where a break is possible, as time-ordered slots.

    ``slots`` are those where the participant can be busy; ``None`` stands for a run of
    slots of the day where they never can (dropped at either end of the day).
    """
    sequences = []
    for day in np.unique(compiled.slot_day[sorted(slots)]):
        day_slots = np.flatnonzero((compiled.slot_day == day) & compiled.attends[person])
        sequence = _compress([int(t) if int(t) in slots else None for t in day_slots])
        if sum(1 for t in sequence if t is not None) >= 2:
            sequences.append(sequence)
    return sequences


def _compress(sequence: list[int | None]) -> list[int | None]:
    """Drop idle-only slots at both ends and merge runs of them in between."""
    while sequence and sequence[0] is None:
        sequence = sequence[1:]
    while sequence and sequence[-1] is None:
        sequence = sequence[:-1]
    merged: list[int | None] = []
    for t in sequence:
        if t is None and merged and merged[-1] is None:
            continue
        merged.append(t)
    return merged


def day_breaks(model: cp_model.CpModel, flags: list[cp_model.IntVar | int]) -> cp_model.LinearExprT:
    """Breaks in one day as block starts minus "any meeting", both exact (the plain model)."""
    variables = [f for f in flags if not isinstance(f, int)]
    any_meeting = model.new_bool_var("")
    model.add_max_equality(any_meeting, variables)
    starts = []
    previous: cp_model.IntVar | int = 0
    for flag in flags:
        if isinstance(flag, int):
            previous = flag
            continue
        if isinstance(previous, int):
            starts.append(flag)  # after an idle constant, a busy slot starts a block
        else:
            start = model.new_bool_var("")
            model.add_bool_and([flag, previous.negated()]).only_enforce_if(start)
            model.add_bool_or([flag.negated(), previous, start])
            starts.append(start)
        previous = flag
    breaks = sum(starts) - any_meeting
    model.add(breaks >= 0)  # true of integers; tells the linear relaxation
    return breaks


def bound_breaks(
    model: cp_model.CpModel,
    compiled: Compiled,
    breaks: Breaks,
    occupancy: Occupancy,
    x: list[cp_model.IntVar],
    *,
    max_breaks: int | None,
    max_break_spread: int | None,
) -> None:
    """The options ``max_breaks`` and ``max_break_spread`` (FORMAT.md section 3).

    In the strong model the spread also gets two implied rows over the participants who
    surely meet: ``people x fewest <= total`` and ``total <= people x most`` (the fewest
    breaks are at most the average), which propagation does not find on its own.
    """
    if max_breaks is not None:
        for count in breaks.per_participant.values():
            model.add(count <= max_breaks)
    if max_break_spread is None:
        return
    most = model.new_int_var(0, compiled.n_slots, "most_breaks")
    fewest = model.new_int_var(0, compiled.n_slots, "fewest_breaks")
    model.add(most - fewest <= max_break_spread)
    surely_meet = 0
    for person, candidates in occupancy.by_participant:
        count = breaks.per_participant.get(person, 0)
        model.add(most >= count)
        if breaks.structure is not None:
            certain = person in breaks.structure.certain
        else:
            requests, counts = np.unique(compiled.candidate_request[candidates], return_counts=True)
            certain = any(
                compiled.request_required[r] and count == len(compiled.request_candidates[r])
                for r, count in zip(requests, counts, strict=True)
            )
        if certain:
            model.add(fewest <= count)
            surely_meet += 1
        else:
            has = model.new_bool_var("")
            model.add_max_equality(has, [x[c] for c in candidates])
            model.add(fewest <= count).only_enforce_if(has)
    if breaks.structure is not None and surely_meet and breaks.literals:
        total = breaks.total
        model.add(surely_meet * fewest <= total)
        model.add(total <= len(occupancy.by_participant.keys) * most)
