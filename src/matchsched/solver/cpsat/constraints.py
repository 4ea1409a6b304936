"""The hard rules of FORMAT.md section 2 as CP-SAT constraints, one function per rule.

Rules that concern a meeting alone (attendance, availability, opening, seats, allowed
sessions, pins, host tables) are already built into the candidates; what is left are the
rules that tie meetings together.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
from ortools.sat.python import cp_model

from matchsched.solver.compile import Compiled
from matchsched.solver.cpsat.variables import Occupancy, covered_slots, group


def one_meeting_per_request(
    model: cp_model.CpModel, compiled: Compiled, x: list[cp_model.IntVar]
) -> list[cp_model.IntVar | int]:
    """Each request takes place at most once, exactly once when required (rule 5).

    Returns, per request, a literal that is true when it is scheduled (0 when it cannot be).
    """
    scheduled: list[cp_model.IntVar | int] = []
    for r, candidates in enumerate(compiled.request_candidates):
        chosen = [x[c] for c in candidates]
        if compiled.request_required[r]:
            model.add_exactly_one(chosen)
        if not chosen:
            scheduled.append(0)
        elif len(chosen) == 1:
            scheduled.append(chosen[0])
        else:
            literal = model.new_bool_var(f"scheduled_{r}")
            model.add(literal == sum(chosen))
            scheduled.append(literal)
    return scheduled


def one_meeting_per_participant_slot(
    model: cp_model.CpModel,
    compiled: Compiled,
    x: list[cp_model.IntVar],
    occupancy: Occupancy,
    busy: dict[int, cp_model.IntVar],
) -> None:
    """A participant attends at most one meeting in any slot (rules 1 and 6).

    Where a participant-slot has a ``busy`` variable (needed for breaks), it is tied to the
    candidates covering that slot: ``busy == sum(x)``, which also bounds the sum by one.
    """
    for key, candidates in occupancy.by_participant_slot:
        chosen = [x[c] for c in candidates]
        flag = busy.get(key)
        if flag is not None:
            model.add(flag == sum(chosen))
        elif len(chosen) > 1:
            model.add_at_most_one(chosen)


def table_capacity(model: cp_model.CpModel, compiled: Compiled, x: list[cp_model.IntVar]) -> None:
    """A table holds one meeting per slot (rule 2).

    Pool tables are identical and meetings stay within a session, so counting is exact: a
    pool can seat any set of meetings whose number per slot fits the pool (interval graphs
    are perfect), and the table phase later gives each meeting a concrete table. A fixed
    table (a host table or a pinned one) is limited to one meeting per slot; a pinned pool
    table also counts against its pool.
    """
    covering, slots = covered_slots(compiled, np.arange(compiled.n_candidates))
    places = compiled.candidate_place[covering]
    place_location = np.array([p.location for p in compiled.places], dtype=np.int64)
    place_table = np.array([p.table for p in compiled.places], dtype=np.int64)
    place_in_pool = np.array(
        [p.is_pool or p.table in compiled.pool_tables[p.location] for p in compiled.places],
        dtype=bool,
    )
    if len(covering) == 0:
        return
    fixed = place_table[places] > 0
    in_pool = place_in_pool[places]

    pools = group(
        place_location[places[in_pool]] * compiled.n_slots + slots[in_pool], covering[in_pool]
    )
    for key, candidates in pools:
        capacity = len(compiled.pool_tables[key // compiled.n_slots])
        if len(candidates) > capacity:
            model.add(sum(x[c] for c in candidates) <= capacity)

    fixed_keys = place_location[places[fixed]] * 100_000 + place_table[places[fixed]]
    tables = group(fixed_keys * compiled.n_slots + slots[fixed], covering[fixed])
    for _, candidates in tables:
        if len(candidates) > 1:
            model.add_at_most_one(x[c] for c in candidates)


def resource_capacity(
    model: cp_model.CpModel, compiled: Compiled, x: list[cp_model.IntVar]
) -> None:
    """At most ``capacity`` meetings that name a resource run in any one slot (rule 5)."""
    users: dict[int, list[int]] = defaultdict(list)
    for r, resources in enumerate(compiled.request_resources):
        for resource in resources:
            users[resource].extend(compiled.request_candidates[r].tolist())
    for resource, candidates in users.items():
        covering, slots = covered_slots(compiled, np.array(candidates, dtype=np.int64))
        capacity = int(compiled.resource_capacity[resource])
        for _, in_slot in group(slots, covering):
            if len(in_slot) > capacity:
                model.add(sum(x[c] for c in in_slot) <= capacity)


def meeting_limits(
    model: cp_model.CpModel, compiled: Compiled, x: list[cp_model.IntVar], occupancy: Occupancy
) -> None:
    """``max_meetings`` and ``max_meetings_per_session`` are never exceeded (rule 5)."""
    participants = compiled.event.participants
    for person, candidates in occupancy.by_participant:
        limit = participants[person].max_meetings
        if limit is not None and len(candidates) > limit:
            model.add(sum(x[c] for c in candidates) <= limit)
        per_session = participants[person].max_meetings_per_session
        if per_session is None:
            continue
        sessions = compiled.slot_session[compiled.candidate_start[candidates]]
        for _, in_session in group(sessions, candidates):
            if len(in_session) > per_session:
                model.add(sum(x[c] for c in in_session) <= per_session)


def precedences(
    model: cp_model.CpModel,
    compiled: Compiled,
    x: list[cp_model.IntVar],
    scheduled: list[cp_model.IntVar | int],
) -> None:
    """A request ends before the requests listed in its ``after`` start, when both take place."""
    for later, earlier_list in enumerate(compiled.request_after):
        later_candidates = compiled.request_candidates[later]
        for earlier in earlier_list:
            earlier_candidates = compiled.request_candidates[earlier]
            if len(later_candidates) == 0 or len(earlier_candidates) == 0:
                continue
            ends = compiled.candidate_start[earlier_candidates] + compiled.request_length[earlier]
            if int(ends.max()) <= int(compiled.candidate_start[later_candidates].min()):
                continue  # every placement of the pair already respects the order
            start = sum(int(compiled.candidate_start[c]) * x[c] for c in later_candidates)
            end = sum(int(ends[i]) * x[c] for i, c in enumerate(earlier_candidates))
            model.add(end <= start).only_enforce_if([scheduled[later], scheduled[earlier]])
