"""The window-packing relaxation of the breaks goal: its optimum is a proven lower bound.

Each participant is busy in a set of slots (exactly its workload when its meetings are all
certain), its breaks are the blocks of busy slots minus one, each meeting sits where both
attendees are busy, the tables of a slot hold its meetings, and the busy attendees of a
slot are an even number, at most two per meeting held. What it drops is the rule that a
participant attends one meeting at a time: two of its meetings may share a busy slot. Every
timetable is a solution of it, so its optimum bounds the real one from below, and it is a
far easier model: on nearly full tables its optimum comes in well under a second where the
full model takes many seconds to refute the budgets below it (docs/jair.md).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from ortools.sat.python import cp_model

from matchsched.solver.breaks import BreakStructure
from matchsched.solver.compile import Compiled
from matchsched.solver.cpsat import constraints, goals
from matchsched.solver.cpsat.variables import Occupancy, covered_slots, group


@dataclass(frozen=True)
class Relaxation:
    """A model that minimises ``total``, a lower bound on the total breaks of any timetable."""

    model: cp_model.CpModel
    total: cp_model.LinearExprT
    x: list[cp_model.IntVar]
    """One literal per candidate, as in the full model: a timetable fixes them."""


def packing_relaxation(
    compiled: Compiled, occupancy: Occupancy, structure: BreakStructure
) -> Relaxation | None:
    """The relaxation of an event whose meetings are all pairs (``None`` otherwise: the
    parity of the busy attendees needs every meeting to have two)."""
    sizes = np.array([len(v) for v in compiled.variants], dtype=np.int64)
    if not (sizes[compiled.candidate_variant] == 2).all():
        return None
    model = cp_model.CpModel()
    x = [model.new_bool_var(f"x{c}") for c in range(compiled.n_candidates)]
    constraints.one_meeting_per_request(model, compiled, x)
    constraints.table_capacity(model, compiled, x)
    n_slots = compiled.n_slots
    busy: dict[int, cp_model.IntVar] = {}
    for key, candidates in occupancy.by_participant_slot:
        flag = busy[key] = model.new_bool_var(f"busy_{key // n_slots}_{key % n_slots}")
        for c in candidates.tolist():
            model.add_implication(x[c], flag)
    _even_attendees(model, compiled, busy, x)
    people: dict[int, list[int]] = {}
    for key in busy:
        people.setdefault(key // n_slots, []).append(key % n_slots)
    total: list[cp_model.LinearExprT] = []
    for person, slots in people.items():
        workload = structure.fixed_workload.get(person)
        if workload is not None:
            model.add(sum(busy[person * n_slots + t] for t in slots) == workload)
        days = [
            goals.day_breaks(model, [0 if t is None else busy[person * n_slots + t] for t in day])
            for day in goals.day_sequences(compiled, person, set(slots))
        ]
        if not days:
            continue
        count = model.new_int_var(structure.minimum.get(person, 0), n_slots, f"breaks_{person}")
        model.add(count == sum(days))
        total.append(count)
    objective = sum(total)
    model.minimize(objective)
    return Relaxation(model, objective, x)


def _even_attendees(
    model: cp_model.CpModel,
    compiled: Compiled,
    busy: dict[int, cp_model.IntVar],
    x: list[cp_model.IntVar],
) -> None:
    """Per slot: the busy attendees are an even number, at most two per meeting held."""
    n_slots = compiled.n_slots
    by_slot: dict[int, list[cp_model.IntVar]] = {}
    for key, flag in busy.items():
        by_slot.setdefault(key % n_slots, []).append(flag)
    covering, slots = covered_slots(compiled, np.arange(compiled.n_candidates))
    held = {slot: candidates for slot, candidates in group(slots, covering)}
    for slot, flags in by_slot.items():
        pairs = model.new_int_var(0, len(flags) // 2, f"pairs_{slot}")
        model.add(sum(flags) == 2 * pairs)
        model.add(pairs <= sum(x[c] for c in held[slot].tolist()))
