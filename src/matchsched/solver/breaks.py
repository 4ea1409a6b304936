"""Break structure of an event, found before the search: who must meet, and proven minima.

The strong break model (:mod:`matchsched.solver.cpsat.goals`) uses two facts computed here:

- a participant's *certain meetings*: the required requests that every candidate places them
  in (no organization member could stand in for them). When these are all the meetings the
  participant could ever attend, their busy-slot count is a constant and they surely meet.
- a *proven minimum* number of breaks per participant, from that participant alone: the
  fewest blocks into which its certain meetings fit, given the slots where each of them can
  take place (availability of both attendees, allowed sessions, pins). Zero breaks needs one
  run of consecutive slots of the participant's day that the meetings fill exactly (a perfect
  matching of meetings to the run's slots); one break needs two runs. JAIR instances with a
  forbidden slot in the middle of a busy participant's day get their optimum this way.

Everything here is exact for general events; the minima are only claimed where they are
proofs (a participant whose meetings are certain, one day, meetings of length one), and
are 0 otherwise.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from ortools.sat.python import cp_model

from matchsched.solver.compile import Compiled
from matchsched.solver.cpsat.variables import Occupancy

MAX_PROVEN = 2
"""Minima are proven up to this value (0, 1 or "at least 2")."""


@dataclass
class BreakStructure:
    """What the break model may rely on, per participant index."""

    certain: dict[int, list[int]] = field(default_factory=dict)
    """Required requests that every candidate places the participant in."""
    fixed_workload: dict[int, int] = field(default_factory=dict)
    """Busy-slot count for participants whose meetings are all certain (a constant)."""
    minimum: dict[int, int] = field(default_factory=dict)
    """Proven lower bound on the participant's breaks (only entries > 0)."""


def break_structure(compiled: Compiled, occupancy: Occupancy) -> BreakStructure:
    """Certain meetings, fixed workloads and proven per-participant minima."""
    structure = BreakStructure()
    for person, candidates in occupancy.by_participant:
        requests = np.unique(compiled.candidate_request[candidates])
        certain = []
        for r in requests.tolist():
            own = compiled.request_candidates[r]
            if compiled.request_required[r] and all(
                person in compiled.attendees(int(c)) for c in own
            ):
                certain.append(r)
        if certain:
            structure.certain[person] = certain
        if len(certain) != len(requests):
            continue
        structure.fixed_workload[person] = int(compiled.request_length[certain].sum())
        minimum = _minimum_breaks(compiled, person, certain)
        if minimum:
            structure.minimum[person] = minimum
    return structure


def _minimum_breaks(compiled: Compiled, person: int, requests: list[int]) -> int:
    """Fewest breaks ``person`` can have with exactly these (certain) meetings, up to 2."""
    if any(compiled.request_length[r] != 1 for r in requests):
        return 0
    starts = [
        {int(s) for s in compiled.candidate_start[compiled.request_candidates[r]]} for r in requests
    ]
    possible = set().union(*starts)
    days = {int(compiled.slot_day[s]) for s in possible}
    if len(days) != 1:
        return 0
    day = days.pop()
    # The participant's day: the slots of the sessions they attend that day, in time order.
    sequence = np.flatnonzero((compiled.slot_day == day) & compiled.attends[person]).tolist()
    n = len(requests)
    if n > len(sequence):
        return 0  # cannot all fit; the search proves infeasibility
    for first in range(len(sequence) - n + 1):
        if _fits(starts, set(sequence[first : first + n])):
            return 0
    for first in range(len(sequence)):
        for length in range(1, n):
            rest = n - length
            block = set(sequence[first : first + length])
            if len(block) < length:
                break
            for second in range(first + length + 1, len(sequence) - rest + 1):
                if _fits(starts, block | set(sequence[second : second + rest])):
                    return 1
    return MAX_PROVEN


def _fits(starts: list[set[int]], slots: set[int]) -> bool:
    """True when each meeting gets its own slot of ``slots`` (a perfect matching)."""
    owner: dict[int, int] = {}

    def place(meeting: int, seen: set[int]) -> bool:
        for slot in starts[meeting]:
            if slot in slots and slot not in seen:
                seen.add(slot)
                if slot not in owner or place(owner[slot], seen):
                    owner[slot] = meeting
                    return True
        return False

    return all(place(meeting, set()) for meeting in range(len(starts)))


# --------------------------------------------------------------------------- budget search

FEASIBILITY_PARAMETERS: dict[str, object] = {
    "subsolvers": ["no_lp", "quick_restart_no_lp"],
    "num_full_subsolvers": 2,
}
"""CP-SAT parameters of a budget probe: two clause-learning workers without LP (the LP
relaxation of break counting is weak and slow; a probe is a satisfiability question)."""


@dataclass
class BudgetOutcome:
    """What the budget search found."""

    status: int
    """A CP-SAT status: OPTIMAL (a schedule at the proven lower bound), INFEASIBLE (no
    schedule at all), or UNKNOWN (time ran out; ``lower`` still holds)."""
    lower: int
    """Proven: no schedule has fewer breaks."""
    solver: cp_model.CpSolver | None = None
    """The solver holding the schedule (the model's variables read from it)."""
    value: int | None = None


def budget_search(
    model: cp_model.CpModel,
    total: cp_model.LinearExprT,
    lower: int,
    *,
    configure: Callable[[cp_model.CpSolver, float | None], None],
    remaining: Callable[[], float | None],
    share: float = 0.5,
    on_bound: Callable[[int], None] | None = None,
) -> BudgetOutcome:
    """Lower-bound-first search: is there a schedule with at most ``k`` breaks, k = lower, ...

    Each question is a separate solve of the model plus ``total <= k``, so CP-SAT's presolve
    (probing with every break literal fixed) sees it: a too-small budget is often refuted
    before the search starts, and a feasible budget leaves little to choose. The first
    budget that admits a schedule is the optimum, proven by the refutations below it (or by
    ``lower`` itself, which must be a proven bound). When the first budget is refuted, one
    solve without a budget tells whether there is any schedule at all (and gives an upper
    bound). A probe gets ``share`` of the time left; when one times out the caller optimises
    with what is left, from the bound reached and from the best schedule found.
    """
    k = lower
    upper: BudgetOutcome | None = None
    while True:
        if upper is not None and upper.value is not None and k >= upper.value:
            return BudgetOutcome(cp_model.OPTIMAL, upper.value, upper.solver, upper.value)
        outcome = _probe(model, total, k, configure, remaining, share)
        if outcome.status == cp_model.OPTIMAL:
            return outcome
        if outcome.status != cp_model.INFEASIBLE:
            return BudgetOutcome(cp_model.UNKNOWN, k, *_best(upper))
        if upper is None:
            upper = _probe(model, total, None, configure, remaining, share)
            if upper.status == cp_model.INFEASIBLE:
                return BudgetOutcome(cp_model.INFEASIBLE, k)
            if upper.status != cp_model.OPTIMAL:
                return BudgetOutcome(cp_model.UNKNOWN, k + 1)
        k += 1
        if on_bound is not None:
            on_bound(k)


def _best(upper: BudgetOutcome | None) -> tuple[cp_model.CpSolver | None, int | None]:
    if upper is None:
        return None, None
    return upper.solver, upper.value


def _probe(
    model: cp_model.CpModel,
    total: cp_model.LinearExprT,
    budget: int | None,
    configure: Callable[[cp_model.CpSolver, float | None], None],
    remaining: Callable[[], float | None],
    share: float,
) -> BudgetOutcome:
    """Is there a schedule with at most ``budget`` breaks (any schedule for ``None``)?"""
    left = remaining()
    if left is not None and left <= 0.05:
        return BudgetOutcome(cp_model.UNKNOWN, 0)
    probe = model.Clone()
    probe.ClearObjective()
    if budget is not None:
        probe.Add(total <= budget)
    solver = cp_model.CpSolver()
    configure(solver, None if left is None else max(0.05, share * left))
    status = solver.Solve(probe)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        value = int(solver.Value(total))
        return BudgetOutcome(cp_model.OPTIMAL, value, solver, value)
    return BudgetOutcome(status, 0)
