"""The table phase: give every meeting of a finished timetable a concrete table.

Host tables and pinned tables are given; meetings in a location's shared pool get a pool
table so that no table holds two meetings at once, with as few table changes as possible
(a participant's consecutive meetings of a day at different tables), and, when
re-scheduling, as many meetings as possible at their old table.

A greedy pass (in time order, each meeting takes the table one of its attendees just used,
if free) gives a valid assignment at once; CP-SAT then improves it, day by day.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from ortools.sat.python import cp_model

from matchsched.options import Goal, SolveOptions
from matchsched.solver.compile import Compiled
from matchsched.solver.search import StopToken


@dataclass
class TableOutcome:
    """Tables per chosen candidate, with the number of table changes and whether it is proven."""

    tables: dict[int, int]
    table_changes: int
    proven: bool


def assign_tables(
    compiled: Compiled,
    chosen: np.ndarray,
    options: SolveOptions,
    *,
    time_limit: float | None,
    previous_tables: dict[int, tuple[int, int]] | None = None,
    stop: StopToken | None = None,
) -> TableOutcome:
    """Assign a table to every chosen candidate (see the module docstring)."""
    previous_tables = previous_tables or {}
    chosen = sorted(chosen.tolist(), key=lambda c: (compiled.candidate_start[c], c))
    try:
        tables = _greedy(compiled, chosen, previous_tables, seat_old_first=bool(previous_tables))
    except _NoFreeTable:
        tables = _greedy(compiled, chosen, previous_tables)
    sequences = _sequences(compiled, chosen)
    optimise = Goal.TABLE_CHANGES in options.goal_order or (
        previous_tables and Goal.STABILITY in options.goal_order
    )
    proven = _count_changes(compiled, sequences, tables) == 0 or not optimise
    stopped = stop is not None and stop.stopped
    if optimise and not proven and not stopped and (time_limit is None or time_limit > 0.05):
        days = defaultdict(list)
        for c in chosen:
            days[int(compiled.slot_day[compiled.candidate_start[c]])].append(c)
        proven = True
        for position, day_meetings in enumerate(days.values()):
            if stop is not None and stop.stopped:
                proven = False
                break
            share = None if time_limit is None else time_limit / (len(days) - position)
            improved, optimal = _improve_day(
                compiled, day_meetings, tables, previous_tables, options, share, stop
            )
            day_pairs = _sequences(compiled, day_meetings)
            if improved and _count_changes(compiled, day_pairs, {**tables, **improved}) <= (
                _count_changes(compiled, day_pairs, tables)
            ):
                tables.update(improved)
            proven &= optimal
            if time_limit is not None:
                time_limit -= share or 0.0
    return TableOutcome(tables, _count_changes(compiled, sequences, tables), proven)


def _pool_of(compiled: Compiled, candidate: int) -> tuple[int, int]:
    place = compiled.places[compiled.candidate_place[candidate]]
    return place.location, place.table


def _slots(compiled: Compiled, candidate: int) -> range:
    start = int(compiled.candidate_start[candidate])
    return range(start, start + int(compiled.request_length[compiled.candidate_request[candidate]]))


class _NoFreeTable(Exception):
    """Seating old tables first left a long meeting without a table."""


def _greedy(
    compiled: Compiled,
    chosen: list[int],
    previous_tables: dict[int, tuple[int, int]],
    *,
    seat_old_first: bool = False,
) -> dict[int, int]:
    """Seat meetings in time order; each takes a table one of its attendees just used.

    With ``seat_old_first``, meetings kept from a previous schedule are first given their old
    table where it is free; this can leave a long meeting without a table
    (:class:`_NoFreeTable`), in which case the caller seats without it.
    """
    tables: dict[int, int] = {}
    used: dict[tuple[int, int], set[int]] = defaultdict(set)
    last_table: dict[int, tuple[int, int]] = {}
    for c in chosen:  # fixed tables first, so pool meetings go around them
        location, table = _pool_of(compiled, c)
        if table:
            tables[c] = table
            for t in _slots(compiled, c):
                used[(location, t)].add(table)
    for c in chosen if seat_old_first else ():  # re-scheduling: old tables next
        location, table = _pool_of(compiled, c)
        old = previous_tables.get(int(compiled.candidate_request[c]))
        if (
            table
            or old is None
            or old[0] != location
            or old[1] not in compiled.pool_tables[location]
        ):
            continue
        slots = _slots(compiled, c)
        if all(old[1] not in used[(location, t)] for t in slots):
            tables[c] = old[1]
            for t in slots:
                used[(location, t)].add(old[1])
    for c in chosen:
        location, table = _pool_of(compiled, c)
        if not table and c not in tables:
            slots = _slots(compiled, c)
            taken = set().union(*(used[(location, t)] for t in slots))
            wishes = []
            old = previous_tables.get(int(compiled.candidate_request[c]))
            if old is not None and old[0] == location:
                wishes.append(old[1])
            for person in compiled.attendees(c):
                seen = last_table.get(person)
                if seen is not None and seen[0] == location:
                    wishes.append(seen[1])
            pool = compiled.pool_tables[location]
            free = [t for t in wishes if t not in taken and t in pool] or [
                t for t in pool if t not in taken
            ]
            if not free:
                if seat_old_first:
                    raise _NoFreeTable
                request = compiled.request_ids[compiled.candidate_request[c]]
                raise RuntimeError(f"internal error: no free table for request {request}")
            table = free[0]
            tables[c] = table
            for t in slots:
                used[(location, t)].add(table)
        for person in compiled.attendees(c):
            last_table[person] = (location, tables[c])
    return tables


def _sequences(compiled: Compiled, chosen: list[int]) -> list[tuple[int, int]]:
    """Consecutive meeting pairs (c1, c2) of each participant within a day."""
    last: dict[tuple[int, int], int] = {}
    pairs = []
    for c in chosen:  # already in time order
        day = int(compiled.slot_day[compiled.candidate_start[c]])
        for person in compiled.attendees(c):
            before = last.get((person, day))
            if before is not None:
                pairs.append((before, c))
            last[(person, day)] = c
    return pairs


def _count_changes(compiled: Compiled, pairs: list[tuple[int, int]], tables: dict[int, int]) -> int:
    return sum(
        1
        for first, second in pairs
        if (_pool_of(compiled, first)[0], tables[first])
        != (_pool_of(compiled, second)[0], tables[second])
    )


def _improve_day(
    compiled: Compiled,
    meetings: list[int],
    tables: dict[int, int],
    previous_tables: dict[int, tuple[int, int]],
    options: SolveOptions,
    time_limit: float | None,
    stop: StopToken | None,
) -> tuple[dict[int, int], bool]:
    """Re-assign the pool tables of one day's meetings with CP-SAT, from the greedy start."""
    model = cp_model.CpModel()
    table_var: dict[int, cp_model.IntVar | int] = {}
    for c in meetings:
        location, table = _pool_of(compiled, c)
        if table:
            table_var[c] = table
        else:
            domain = cp_model.Domain.FromValues(compiled.pool_tables[location])
            variable = model.NewIntVarFromDomain(domain, f"table_{c}")
            model.AddHint(variable, tables[c])
            table_var[c] = variable
    by_slot: dict[tuple[int, int], list[int]] = defaultdict(list)
    for c in meetings:
        for t in _slots(compiled, c):
            by_slot[(_pool_of(compiled, c)[0], t)].append(c)
    for group in by_slot.values():
        if len(group) > 1 and any(not isinstance(table_var[c], int) for c in group):
            model.AddAllDifferent(table_var[c] for c in group)

    changes = []
    for first, second in _sequences(compiled, meetings):
        if _pool_of(compiled, first)[0] != _pool_of(compiled, second)[0]:
            continue  # different locations: a change whatever the tables
        a, b = table_var[first], table_var[second]
        if isinstance(a, int) and isinstance(b, int):
            continue
        same = model.NewBoolVar("")
        model.Add(a == b).OnlyEnforceIf(same)
        model.AddHint(same, tables[first] == tables[second])
        changes.append(same.Not())
    moved = []
    for c in meetings:
        old = previous_tables.get(int(compiled.candidate_request[c]))
        variable = table_var[c]
        if old is None or isinstance(variable, int) or old[0] != _pool_of(compiled, c)[0]:
            continue
        kept = model.NewBoolVar("")
        model.Add(variable == old[1]).OnlyEnforceIf(kept)
        moved.append(kept.Not())
    order = [g for g in options.goal_order if g in (Goal.TABLE_CHANGES, Goal.STABILITY)]
    terms = {Goal.TABLE_CHANGES: sum(changes), Goal.STABILITY: sum(moved)}
    weight = len(meetings) + 1
    objective = 0
    for goal in order:
        objective = objective * weight + terms[goal]
    model.Minimize(objective)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = options.workers
    solver.parameters.random_seed = options.seed
    solver.parameters.catch_sigint_signal = False
    if time_limit is not None:
        solver.parameters.max_time_in_seconds = max(time_limit, 0.05)
    if stop is not None:
        stop._attach(solver)
    try:
        status = solver.Solve(model)
    finally:
        if stop is not None:
            stop._attach(None)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return {}, False
    return {c: int(solver.Value(v)) for c, v in table_var.items()}, status == cp_model.OPTIMAL
