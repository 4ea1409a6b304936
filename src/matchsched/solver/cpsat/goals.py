"""The goals of FORMAT.md section 3 as CP-SAT expressions (and the options that bound them)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from ortools.sat.python import cp_model

from matchsched.solver.compile import Compiled
from matchsched.solver.cpsat.variables import Occupancy

FAIRNESS_SCALE = 1000
"""Fairness is optimised in thousandths of a share."""


def scheduled_priority(
    compiled: Compiled, scheduled: list[cp_model.IntVar | int]
) -> cp_model.LinearExprT:
    """Total priority of the scheduled requests (goal 1)."""
    return cp_model.LinearExpr.WeightedSum(
        [s for s in scheduled if not isinstance(s, int)],
        [int(compiled.request_priority[r]) for r, s in enumerate(scheduled) if not isinstance(s, int)],
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
    share = model.NewIntVar(0, FAIRNESS_SCALE, "fairness")
    for requests in parties.values():
        requested = int(sum(compiled.request_priority[r] for r in requests))
        got = sum(int(compiled.request_priority[r]) * scheduled[r] for r in requests)
        model.Add(requested * share <= FAIRNESS_SCALE * got)
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

    @property
    def total(self) -> cp_model.LinearExprT:
        """Total number of breaks (goal 3)."""
        return sum(self.per_participant.values())


def build_breaks(model: cp_model.CpModel, compiled: Compiled, occupancy: Occupancy) -> Breaks:
    """Count each participant's breaks, day by day.

    A participant's day is the time-ordered slots of the sessions they attend that day.
    Its breaks are its blocks of busy slots minus one (when it has any): a block starts at a
    busy slot whose predecessor is idle. Slots where the participant can never be busy are
    constants; runs of them are merged, and those at either end of the day are dropped,
    since idle time there is never a break.
    """
    breaks = Breaks()
    n_slots = compiled.n_slots
    possible: dict[int, set[int]] = {}
    for key, _ in occupancy.by_participant_slot:
        possible.setdefault(key // n_slots, set()).add(key % n_slots)
    for person, slots in possible.items():
        day_terms = []
        for day in np.unique(compiled.slot_day[sorted(slots)]):
            day_slots = np.flatnonzero((compiled.slot_day == day) & compiled.attends[person])
            sequence = _compress([int(t) if int(t) in slots else None for t in day_slots])
            if sum(1 for t in sequence if t is not None) < 2:
                continue
            flags: list[cp_model.IntVar | int] = []
            for t in sequence:
                if t is None:
                    flags.append(0)
                    continue
                key = person * n_slots + t
                if key not in breaks.busy:
                    breaks.busy[key] = model.NewBoolVar(f"busy_{person}_{t}")
                flags.append(breaks.busy[key])
            day_terms.append(_day_breaks(model, flags))
        if day_terms:
            breaks.per_participant[person] = sum(day_terms)
    return breaks


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


def _day_breaks(model: cp_model.CpModel, flags: list[cp_model.IntVar | int]) -> cp_model.LinearExprT:
    """Breaks in one day: block starts minus "any meeting", both exact."""
    variables = [f for f in flags if not isinstance(f, int)]
    any_meeting = model.NewBoolVar("")
    model.AddMaxEquality(any_meeting, variables)
    starts = []
    previous: cp_model.IntVar | int = 0
    for flag in flags:
        if isinstance(flag, int):
            previous = flag
            continue
        if isinstance(previous, int):
            starts.append(flag)  # after an idle constant, a busy slot starts a block
        else:
            start = model.NewBoolVar("")
            model.AddBoolAnd([flag, previous.Not()]).OnlyEnforceIf(start)
            model.AddBoolOr([flag.Not(), previous, start])
            starts.append(start)
        previous = flag
    breaks = sum(starts) - any_meeting
    model.Add(breaks >= 0)  # true of integers; tells the linear relaxation
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
    """The options ``max_breaks`` and ``max_break_spread`` (FORMAT.md section 3)."""
    if max_breaks is not None:
        for count in breaks.per_participant.values():
            model.Add(count <= max_breaks)
    if max_break_spread is None:
        return
    most = model.NewIntVar(0, compiled.n_slots, "most_breaks")
    fewest = model.NewIntVar(0, compiled.n_slots, "fewest_breaks")
    model.Add(most - fewest <= max_break_spread)
    for person, candidates in occupancy.by_participant:
        count = breaks.per_participant.get(person, 0)
        model.Add(most >= count)
        requests, counts = np.unique(compiled.candidate_request[candidates], return_counts=True)
        certain = any(
            compiled.request_required[r] and count == len(compiled.request_candidates[r])
            for r, count in zip(requests, counts, strict=True)
        )
        if certain:
            model.Add(fewest <= count)
        else:
            has = model.NewBoolVar("")
            model.AddMaxEquality(has, [x[c] for c in candidates])
            model.Add(fewest <= count).OnlyEnforceIf(has)
