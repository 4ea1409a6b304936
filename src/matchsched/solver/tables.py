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
from matchsched.solver.cpsat.run import StopToken, solve_watched


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
    in_time_order = chosen[np.lexsort((chosen, compiled.candidate_start[chosen]))]
    facts = _Facts(compiled, in_time_order)
    meetings = in_time_order.tolist()
    try:
        tables = _greedy(facts, meetings, previous_tables, seat_old_first=bool(previous_tables))
    except _NoFreeTable:
        tables = _greedy(facts, meetings, previous_tables)
    sequences = _sequences(facts, meetings)
    optimise = Goal.TABLE_CHANGES in options.goal_order or (
        previous_tables and Goal.STABILITY in options.goal_order
    )
    proven = _count_changes(facts, sequences, tables) == 0 or not optimise
    stopped = stop is not None and stop.stopped
    if optimise and not proven and not stopped and (time_limit is None or time_limit > 0.05):
        days = defaultdict(list)
        for c in meetings:
            days[facts.day[c]].append(c)
        proven = True
        for position, day_meetings in enumerate(days.values()):
            if stop is not None and stop.stopped:
                proven = False
                break
            share = None if time_limit is None else time_limit / (len(days) - position)
            improved, optimal = _improve_day(
                facts, day_meetings, tables, previous_tables, options, share, stop
            )
            day_pairs = _sequences(facts, day_meetings)
            if improved and _count_changes(facts, day_pairs, {**tables, **improved}) <= (
                _count_changes(facts, day_pairs, tables)
            ):
                tables.update(improved)
            proven &= optimal
            if time_limit is not None:
                time_limit -= share or 0.0
    return TableOutcome(tables, _count_changes(facts, sequences, tables), proven)


class _Facts:
    """What the table phase needs of each chosen candidate, looked up once."""

    def __init__(self, compiled: Compiled, chosen: np.ndarray) -> None:
        self.compiled = compiled
        keys = chosen.tolist()
        places = compiled.candidate_place[chosen]
        starts = compiled.candidate_start[chosen].astype(np.int64)
        requests = compiled.candidate_request[chosen]
        ends = starts + compiled.request_length[requests]
        self.location = dict(zip(keys, compiled.place_location[places].tolist(), strict=True))
        self.table = dict(zip(keys, compiled.place_table[places].tolist(), strict=True))
        """Per candidate: its fixed table, or 0 in the shared pool."""
        self.slots = {
            c: range(start, end)
            for c, start, end in zip(keys, starts.tolist(), ends.tolist(), strict=True)
        }
        self.day = dict(zip(keys, compiled.slot_day[starts].tolist(), strict=True))
        self.request = dict(zip(keys, requests.tolist(), strict=True))
        variants = compiled.candidate_variant[chosen].tolist()
        self.attendees = {c: compiled.variants[v] for c, v in zip(keys, variants, strict=True)}


class _NoFreeTable(Exception):
    """Seating old tables first left a long meeting without a table."""


class _Seats:
    """The tables taken per location and slot, and the first free pool table, found fast.

    Tables are only ever taken, never given back, so for each location and slot every pool
    table before :attr:`lowest` is known to be taken.
    """

    def __init__(self, compiled: Compiled) -> None:
        self.pool_tables = compiled.pool_tables
        self.pool = [set(tables) for tables in compiled.pool_tables]
        self.used: dict[tuple[int, int], set[int]] = defaultdict(set)
        self.lowest: dict[tuple[int, int], int] = defaultdict(int)
        """Per location and slot: an index into its pool tables; all before it are taken."""

    def take(self, location: int, slots: range, table: int) -> None:
        for t in slots:
            self.used[(location, t)].add(table)

    def is_free(self, location: int, slots: range, table: int) -> bool:
        return all(table not in self.used[(location, t)] for t in slots)

    def first_free(self, location: int, slots: range) -> int | None:
        """The first pool table of ``location`` free in every slot of ``slots``, if any."""
        tables = self.pool_tables[location]
        for t in slots:
            used, index = self.used[(location, t)], self.lowest[(location, t)]
            while index < len(tables) and tables[index] in used:
                index += 1
            self.lowest[(location, t)] = index
        index = max((self.lowest[(location, t)] for t in slots), default=0)
        while index < len(tables) and not self.is_free(location, slots, tables[index]):
            index += 1
        return tables[index] if index < len(tables) else None


def _greedy(
    facts: _Facts,
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
    compiled = facts.compiled
    tables: dict[int, int] = {}
    seats = _Seats(compiled)
    last_table: dict[int, tuple[int, int]] = {}
    for c in chosen:  # fixed tables first, so pool meetings go around them
        location, table = facts.location[c], facts.table[c]
        if table:
            tables[c] = table
            seats.take(location, facts.slots[c], table)
    for c in chosen if seat_old_first else ():  # re-scheduling: old tables next
        location, table = facts.location[c], facts.table[c]
        old = previous_tables.get(facts.request[c])
        if table or old is None or old[0] != location or old[1] not in seats.pool[location]:
            continue
        slots = facts.slots[c]
        if seats.is_free(location, slots, old[1]):
            tables[c] = old[1]
            seats.take(location, slots, old[1])
    for c in chosen:
        location, table = facts.location[c], facts.table[c]
        if not table and c not in tables:
            slots = facts.slots[c]
            wishes = []
            old = previous_tables.get(facts.request[c])
            if old is not None and old[0] == location:
                wishes.append(old[1])
            for person in facts.attendees[c]:
                seen = last_table.get(person)
                if seen is not None and seen[0] == location:
                    wishes.append(seen[1])
            free = next(
                (
                    t
                    for t in wishes
                    if t in seats.pool[location] and seats.is_free(location, slots, t)
                ),
                None,
            )
            if free is None:
                free = seats.first_free(location, slots)
            if free is None:
                if seat_old_first:
                    raise _NoFreeTable
                request = compiled.request_ids[facts.request[c]]
                raise RuntimeError(f"internal error: no free table for request {request}")
            tables[c] = free
            seats.take(location, slots, free)
        for person in facts.attendees[c]:
            last_table[person] = (location, tables[c])
    return tables


def _sequences(facts: _Facts, chosen: list[int]) -> list[tuple[int, int]]:
    """Consecutive meeting pairs (c1, c2) of each participant within a day."""
    last: dict[tuple[int, int], int] = {}
    pairs = []
    for c in chosen:  # already in time order
        day = facts.day[c]
        for person in facts.attendees[c]:
            before = last.get((person, day))
            if before is not None:
                pairs.append((before, c))
            last[(person, day)] = c
    return pairs


def _count_changes(facts: _Facts, pairs: list[tuple[int, int]], tables: dict[int, int]) -> int:
    location = facts.location
    return sum(
        1
        for first, second in pairs
        if (location[first], tables[first]) != (location[second], tables[second])
    )


def _improve_day(
    facts: _Facts,
    meetings: list[int],
    tables: dict[int, int],
    previous_tables: dict[int, tuple[int, int]],
    options: SolveOptions,
    time_limit: float | None,
    stop: StopToken | None,
) -> tuple[dict[int, int], bool]:
    """Re-assign the pool tables of one day's meetings with CP-SAT, from the greedy start."""
    compiled = facts.compiled
    model = cp_model.CpModel()
    table_var: dict[int, cp_model.IntVar | int] = {}
    for c in meetings:
        location, table = facts.location[c], facts.table[c]
        if table:
            table_var[c] = table
        else:
            domain = cp_model.Domain.FromValues(compiled.pool_tables[location])
            variable = model.new_int_var_from_domain(domain, f"table_{c}")
            model.add_hint(variable, tables[c])
            table_var[c] = variable
    by_slot: dict[tuple[int, int], list[int]] = defaultdict(list)
    for c in meetings:
        for t in facts.slots[c]:
            by_slot[(facts.location[c], t)].append(c)
    for group in by_slot.values():
        if len(group) > 1 and any(not isinstance(table_var[c], int) for c in group):
            model.add_all_different(table_var[c] for c in group)

    changes = []
    for first, second in _sequences(facts, meetings):
        if facts.location[first] != facts.location[second]:
            continue  # different locations: a change whatever the tables
        a, b = table_var[first], table_var[second]
        if isinstance(a, int) and isinstance(b, int):
            continue
        same = model.new_bool_var("")
        model.add(a == b).only_enforce_if(same)
        model.add_hint(same, tables[first] == tables[second])
        changes.append(same.negated())
    moved = []
    for c in meetings:
        old = previous_tables.get(facts.request[c])
        choice = table_var[c]  # the meeting's table: fixed, or a variable of this model
        if old is None or isinstance(choice, int) or old[0] != facts.location[c]:
            continue
        kept = model.new_bool_var("")
        model.add(choice == old[1]).only_enforce_if(kept)
        moved.append(kept.negated())
    order = [g for g in options.goal_order if g in (Goal.TABLE_CHANGES, Goal.STABILITY)]
    terms = {Goal.TABLE_CHANGES: sum(changes), Goal.STABILITY: sum(moved)}
    weight = len(meetings) + 1  # each goal above the whole range of the next
    weights = [weight ** (len(order) - 1 - i) for i in range(len(order))]
    model.minimize(cp_model.LinearExpr.weighted_sum([terms[g] for g in order], weights))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = options.workers
    solver.parameters.random_seed = options.seed
    solver.parameters.catch_sigint_signal = False
    if time_limit is not None:
        solver.parameters.max_time_in_seconds = max(time_limit, 0.05)
    status = solve_watched(solver, model, stop)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return {}, False
    return {c: int(solver.value(v)) for c, v in table_var.items()}, status == cp_model.OPTIMAL
