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

import logging
import math
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, TypeVar

import numpy as np
from ortools.sat.python import cp_model

from matchsched.solver import profiles as break_profiles
from matchsched.solver.compile import Compiled
from matchsched.solver.cpsat.run import StopToken, solve_watched
from matchsched.solver.cpsat.variables import Occupancy
from matchsched.solver.maxsat_run import DeferredRun, MaxSatRun

if TYPE_CHECKING:
    from matchsched.solver.cpsat.relaxation import Relaxation
    from matchsched.solver.profiles import BreakProfiles, Profile

logger = logging.getLogger("matchsched")

Main = TypeVar("Main")
Side = TypeVar("Side")

Configure = Callable[[cp_model.CpSolver, float | None, dict[str, object]], None]
"""Sets a solver's time limit (``None``: unlimited) and its parameters for one kind of solve."""

MaxSat = Callable[
    [Callable[[], bool], float | None, Callable[[int], None]],
    tuple[int, list[tuple[cp_model.IntVar, bool]]] | None,
]
"""The breaks goal as MaxSAT (:mod:`matchsched.solver.maxsat`): given a stop request, a
time limit in seconds and a callback for each lower bound it proves on the way, the proven
fewest breaks and the model's candidate literals of a timetable with them (``None``:
stopped or out of time)."""

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
    "subsolvers": ["no_lp", "default_lp"],
    "num_full_subsolvers": 2,
}
"""CP-SAT parameters of a budget probe: a clause-learning worker without LP, which finds
schedules at a budget best, beside one with the LP relaxation, which refutes budgets on
events whose tables are nearly full (tic-13crafc: 3 breaks refuted in 1.6 s with it, not
in 30 s without)."""

CORE_PARAMETERS: dict[str, object] = {
    "subsolvers": ["core", "no_lp"],
    "num_full_subsolvers": 2,
}
"""CP-SAT parameters of the core phase: core-guided optimisation of the total (the lower
bound rises with each unsatisfiable core of break literals, as in MaxSAT) beside a
clause-learning worker that improves the schedule. On the fixed-meeting variants, where
pinned meetings force many breaks, it proves optima 2 to 14 above the minima in 0.4 to 3 s."""

CORE_STALL = 3.0
"""The core phase stops, once it has a schedule, when its bound has not risen for this many
seconds, or for twice as long as it took to reach the bound, whichever is longer. The core
worker finds its schedule at the bound when it has gone through the cores of a stratum,
0.4 to 1.6 s after the last rise on the fixed-meeting variants (on a machine shared with
other work, longer: 2 s was too short for two of them in one benchmark run)."""

SPLIT_STALL = 1.0
"""When the case split would take the core phase's starting budget, the phase stops after this
many seconds without a rise above it (once it has a schedule), instead of :data:`CORE_STALL`:
the split decides that budget itself. The rises of the core phase come early (0.1 to 1.2 s
on the originals), and on ticf-13crafc and forum-13crafc, whose bound stays at the start,
the phase waited 3 s for nothing."""

BESIDE_RC2_STALL = 0.0
"""With RC2 running, the core phase runs only when the case split comes next (it gives the
split its upper bound), and stops at its first schedule (the stall rules above do not
apply); otherwise the race starts at once. RC2's cores raise the bound, and the race's core
side, the same core-guided worker, takes up the search for the timetable. Waiting for the
stall kept three threads on two cores, slowing RC2, and the race's core side started from
scratch after it anyway: the originals took 103.4 s against 124.7 s the same day with the
phase stopped at its first schedule (forum-13crafb 14.1 s against 22.6 s, forum-14 10.9 s
against 15.6 s), and the first schedule itself took 1.3 to 2.8 s (docs/jair.md)."""

LP_PROBE_PARAMETERS: dict[str, object] = {
    "num_workers": 1,
    "subsolvers": ["default_lp"],
    "num_full_subsolvers": 1,
}
"""CP-SAT parameters of a budget probe in the race (:func:`_race`): one worker with the LP
relaxation, which refutes budgets on nearly full tables (tic-13crafc's 3 breaks in 3.5 to
9.9 s, forumt-14crafe's 4 in 4.1 to 7.6 s, measured beside another solve) and also finds
schedules at the exact budget."""

CORE_ALONE_PARAMETERS: dict[str, object] = {
    "num_workers": 1,
    "subsolvers": ["core"],
    "num_full_subsolvers": 1,
}
"""CP-SAT parameters of the core side of the race: the core-guided worker alone. Its search
under assumptions (every break literal false but those its cores relax) finds the schedule
at the optimum where a probe does not: ticf-13crafb at 3 breaks in 6 to 14 s, against more
than 30 s for every probe worker, one worker each."""

PROFILE_LIST_PARAMETERS: dict[str, object] = {
    "num_workers": 1,
    "subsolvers": ["no_lp"],
    "num_full_subsolvers": 1,
}
"""CP-SAT parameters for listing the next break profile without the tables (the profile side
of the race): one clause-learning worker. In the traces of tic-13crafc and
``fixed/tic-13crafc.fixed020-Forb`` each next profile took it 0.15 to 0.9 s."""

PROFILE_CAP = 3.0
"""Seconds for deciding one profile with the tables (with the LP, :data:`LP_PROBE_PARAMETERS`);
pinned profiles mostly take under 1 s. Profiles left undecided are asked again, with four
times more each round, once the list is exhausted."""

RACE_SHARE = 0.75
"""Share of the time left that the race may take; the rest optimises from the bound reached
and the best schedule found."""

CONFIRM_PARAMETERS: dict[str, object] = {"num_workers": 1}
"""CP-SAT parameters of the solve that takes the MaxSAT side's timetable into the model:
every candidate is fixed, so presolve decides it."""

CONFIRM_CAP = 10.0
"""Seconds for that solve (it takes a fraction of a second)."""

NO_LP_PARAMETERS: dict[str, object] = {"linearization_level": 0}
"""CP-SAT parameters of a single worker without the LP relaxation, for the solves of the case
split that should find schedules: a ticf-13crafc case with a schedule is found in about 1 s
without the LP, and in 4 to more than 30 s (depending on the seed) with it."""


@dataclass
class BudgetOutcome:
    """What the budget search found."""

    status: cp_model.CpSolverStatus
    """A CP-SAT status: OPTIMAL (a schedule at the proven lower bound), INFEASIBLE (no
    schedule at all), UNKNOWN (time ran out; ``lower`` still holds), or, from the core
    phase alone, FEASIBLE (a schedule above the proven ``lower``)."""
    lower: int
    """Proven: no schedule has fewer breaks."""
    solver: cp_model.CpSolver | None = None
    """The solver holding the schedule (the model's variables read from it)."""
    value: int | None = None


@dataclass
class ParticipantSplit:
    """Per-participant break counts, for the case split one break above the proven minima."""

    counts: dict[int, cp_model.LinearExprT]
    """Participant -> its number of breaks (the total is their sum)."""
    minimum: dict[int, int]
    """Proven minimum per participant (absent: 0); ``lower`` is their sum."""
    order: list[int]
    """The participants, most likely to take the extra break first."""
    configure: Callable[[cp_model.CpSolver, float | None, bool], None]
    """Parameters of one solve of the split: a single worker, with the LP relaxation when the
    flag is set (solves run side by side)."""
    workers: int = 1
    """How many solves run at once."""


FIRST_PROBE_CAP = 5.0
"""Seconds for the first probe (at the sum of the minima). When it is undecided by then,
the core phase takes over from that budget: on the fixed-meeting variants the first probe
took 20 s to refute a budget below which the core phase proved the optimum in 2 s."""

RELAXATION_STALL = 1.0
"""The relaxation beside the first probe (:func:`_first_probe`) stops when its bound has not
risen above the probe's budget for this many seconds (from its first bound, or from its
last rise), and leaves the probe both cores. Its rises come early: forumt-14crafe's 5 and
tic-13crafc's 3 about 0.3 s after the first bound (the core worker alone, beside nothing;
0.5 s beside the probe)."""

SPLIT_PASSES: tuple[tuple[float, bool], ...] = (
    (3.0, False),
    (16.0, False),
    (48.0, True),
    (192.0, False),
)
"""The split's passes: seconds per case, and whether its solve has the LP relaxation. Each
pass takes the cases the passes before left undecided, with a seed of its own. The case with
a schedule is found without the LP, in 0.9 to 2.8 s on ticf-13crafc depending on the seed:
with 2 s for the first pass and the LP second, 2 of 8 seeds left it open; with 3 s, all 8
find it in the first pass. On ``forbidden/ticf-13crafc.forb0007`` the case with a schedule
takes 4.4 to 15.7 s (9 runs, 4 above 12 s), hence 16 s in the second pass (docs/jair.md).
The LP pass refutes cases on nearly full tables."""
SPLIT_SHARE = 0.75
"""Share of the time left that the split may take."""


def budget_search(
    model: cp_model.CpModel,
    total: cp_model.LinearExprT,
    lower: int,
    *,
    configure: Configure,
    remaining: Callable[[], float | None],
    share: float = 0.5,
    on_bound: Callable[[int], None] | None = None,
    on_found: Callable[[int], None] | None = None,
    split: ParticipantSplit | None = None,
    stop: StopToken | None = None,
    workers: int = 2,
    relaxation: Relaxation | None = None,
    profiles: Callable[[], BreakProfiles] | None = None,
    maxsat: MaxSat | None = None,
) -> BudgetOutcome:
    """Lower-bound-first search: is there a schedule with ``k`` breaks, k = lower, lower + 1, ...

    Each question is a separate solve of the model plus ``total == k`` (every smaller budget
    is refuted by then), so CP-SAT's presolve (probing with every break literal fixed) sees
    it: a too-small budget is often refuted before the search starts, and a feasible budget
    leaves little to choose. The first budget that admits a schedule is the optimum, proven
    by the refutations below it (or by ``lower`` itself, which must be a proven bound).

    1. The first probe, at ``lower``, gets ``share`` of the time left and at most
       :data:`FIRST_PROBE_CAP` seconds. With ``relaxation`` (and two workers), the
       relaxation's optimum is sought beside it: a bound of it above the probe's budget
       stops the probe and raises the budget (:func:`_first_probe`). Beside RC2 there is
       a first probe only at 0 breaks (:func:`_probes_first`).
    2. Refuted or undecided, a core-guided optimisation (:func:`_core_phase`) tells whether
       there is any schedule at all, gives an upper bound, and raises the lower bound, often
       to the optimum when pinned meetings force many breaks.
    3. With ``split``, the budget one above ``lower`` (the sum of proven per-participant
       minima) is decided by :func:`split_by_participant`: exactly one participant then has
       one break above its minimum, and "only p" is a question CP-SAT's presolve answers in
       a fraction of a second for most p, where the disjunction over everyone is beyond it.
       Not when the relaxation proved that budget: then the tables force the extra break,
       and every case is as hard as the whole (forumt-14crafe: 25 of 25 undecided).
    4. The budgets above race a core-guided minimisation (:func:`_race`), for at most
       :data:`RACE_SHARE` of the time left. With ``profiles`` (it builds the table-free
       model when first needed), the core side turns to listing break profiles once the
       probes have refuted a budget its bound has not reached. With ``maxsat``, RC2 takes the
       probes' place (:func:`_maxsat_side`) and the race may take all the time left.

    With ``maxsat`` and two workers, RC2 (:func:`_start_maxsat`) runs beside steps 1 to 4:
    from the start when the minima are above 0 (there is then no first probe), otherwise
    once the first probe has run for :data:`MAXSAT_DELAY` seconds or ended undecided. Its
    answer, once the model accepts it, stops whichever step is running and decides the
    search. Its lower bound (the cores found so far) stops a first probe below it, spares
    the split a budget it has reached (RC2 then keeps its core, :func:`_reached`), and
    refutes the race's budgets. The case split stops it (its cases want both cores); the
    race then starts it again. Beside it, step 2 runs only before the split, until its
    first schedule (:data:`BESIDE_RC2_STALL`).

    When time runs out the outcome is UNKNOWN with the bound reached and the best schedule
    found; the caller optimises from there. ``stop`` stops every solve that is running;
    ``workers`` is how many solves may run side by side. ``on_bound`` hears each rise of the
    proven bound, ``on_found`` the breaks of each schedule the core phase or the race's core
    side finds on the way (both are called from the solvers' threads; the outcome itself is
    not announced).
    """
    # Stops the CP-SAT phases: the caller stopped, or the MaxSAT side decided.
    phases = stop.linked() if stop is not None else StopToken()
    start_maxsat = (
        partial(_start_maxsat, maxsat, model, total, configure, remaining, stop, phases)
        if maxsat is not None and workers > 1
        else None
    )
    from_the_bound = partial(
        _from_the_bound,
        model,
        total,
        lower,
        configure=configure,
        remaining=remaining,
        share=share,
        on_bound=on_bound,
        on_found=on_found,
        stop=phases,
        workers=workers,
        profiles=profiles,
        maxsat=maxsat,
    )
    rc2: MaxSatRun[BudgetOutcome] | None = None
    try:
        if start_maxsat is not None and not _probes_first(lower):
            rc2 = start_maxsat()
            return from_the_bound(lower, split=split, rc2=rc2)
        first, relaxed, rc2 = _first_probe(
            model,
            total,
            lower,
            configure,
            remaining,
            share,
            phases,
            relaxation if workers > 1 else None,
            start_maxsat,
        )
        answered = _maxsat_answer(rc2, lower)
        if answered is not None:
            return answered
        if first.status == cp_model.OPTIMAL:
            return first
        if relaxed is None:  # the relaxation has no solution, so the event has none
            return BudgetOutcome(cp_model.INFEASIBLE, lower)
        if rc2 is None and start_maxsat is not None:  # the probe did not decide: RC2's turn
            rc2 = start_maxsat()
        k = lower + 1 if first.status == cp_model.INFEASIBLE else lower
        if relaxed > lower:  # the tables force breaks the minima do not see: no case split
            split = None
        # the relaxation's bound, or RC2's cores (which then stopped the probe), may pass it
        k = max(k, relaxed, rc2.bound if rc2 is not None else 0)
        if k > lower and on_bound is not None:
            on_bound(k)
        if first.status != cp_model.INFEASIBLE and _out_of_time(remaining()):
            return BudgetOutcome(cp_model.UNKNOWN, k)
        return from_the_bound(k, split=split, rc2=rc2)
    finally:
        if rc2 is not None:
            rc2.stop.stop()


def _probes_first(lower: int) -> bool:
    """Beside RC2, whether the search starts with a probe at the minima ``lower``: only at 0.

    There the probe fixes every break literal and decides most events in a second. Above 0,
    the race's core side and RC2 from the minima do what the probe did and more: forum-14
    (minima 2, its optimum) in 3.0, 2.4, 2.7 and 14.1 s, against 7.7, 7.2, 7.1 and 18.3 s
    with its first probe undecided for its 5 s (`jair_trace.py forum-14 --seed S`, seeds 0
    to 3), for 0.2 to 0.5 s more on the forumt family, whose minimising probes find their
    timetables at once (docs/jair.md)."""
    return lower == 0


def _from_the_bound(
    model: cp_model.CpModel,
    total: cp_model.LinearExprT,
    lower: int,
    k: int,
    *,
    configure: Configure,
    remaining: Callable[[], float | None],
    share: float,
    on_bound: Callable[[int], None] | None,
    on_found: Callable[[int], None] | None,
    split: ParticipantSplit | None,
    stop: StopToken,
    workers: int,
    profiles: Callable[[], BreakProfiles] | None,
    maxsat: MaxSat | None,
    rc2: MaxSatRun[BudgetOutcome] | None,
) -> BudgetOutcome:
    """Steps 2 to 4 of :func:`budget_search`, from the budget ``k`` the first probe reached;
    ``rc2`` (if any) is the MaxSAT side already running, whose answer stops ``stop``."""
    splits_next = split is not None and k == lower + 1 and not _reached(rc2, k)
    if rc2 is not None and not splits_next:
        # Beside RC2, no core phase: the race's core side is its core-guided worker, RC2's
        # cores raise the bound, and the phase's own solve cost a presolve and a first
        # schedule (2.2 to 2.8 s on forum-14) for an upper bound nothing needs.
        race = _Race(k, stop, on_bound, on_found=on_found)
        return _race(model, total, race, None, configure, remaining, workers, profiles, rc2)
    upper = _core_phase(
        model,
        total,
        k,
        configure,
        remaining,
        share,
        stop=stop,
        stall_at_start=SPLIT_STALL if splits_next else CORE_STALL,
        stall=BESIDE_RC2_STALL if rc2 is not None else None,
        on_found=on_found,
    )
    if upper.status in (cp_model.OPTIMAL, cp_model.INFEASIBLE):
        return upper
    answered = _maxsat_answer(rc2, upper.lower)
    if answered is not None:
        return answered
    if upper.value is None:
        return upper
    # At least k: the phase starts from it. RC2's cores may have passed the phase's bound
    # (and the split's budget).
    reached = max(upper.lower, rc2.bound if rc2 is not None else 0)
    if reached > k and on_bound is not None:
        on_bound(reached)
    k = reached
    if split is not None and k == lower + 1 < upper.value and not _reached(rc2, k):
        head, rc2 = rc2, None
        if head is not None:  # the split's cases want both cores (ticf-13crafc: 6 s, or > 60 s)
            head.stop.stop()  # an answer being taken into the model still comes, and stops it
        outcome = split_by_participant(model, total, k, split, remaining, stop)
        if outcome.status == cp_model.OPTIMAL:
            return outcome
        if outcome.status == cp_model.INFEASIBLE:
            k += 1
            if on_bound is not None:
                on_bound(k)
        answered = _maxsat_answer(head, k)
        if answered is not None:
            return answered
        if outcome.status != cp_model.INFEASIBLE:
            return _best_found(k, upper)
    if k >= upper.value:
        return BudgetOutcome(cp_model.OPTIMAL, upper.value, upper.solver, upper.value)
    switches = profiles is not None and workers > 1 and maxsat is None
    race = _Race(k, stop, on_bound, switches=switches, on_found=on_found)
    race.found(upper.value)
    if maxsat is None or rc2 is not None:
        return _race(
            model,
            total,
            race,
            upper,
            configure,
            # With RC2 running, the race lasts as long as RC2 may: it needs most of a minute
            # on the hardest crafted variants.
            remaining if rc2 is not None else _share_of(remaining, RACE_SHARE),
            workers,
            profiles,
            rc2,
        )
    rc2 = _start_maxsat(maxsat, model, total, configure, remaining, stop)  # no head start
    try:
        return _race(model, total, race, upper, configure, remaining, workers, rc2=rc2)
    finally:
        rc2.stop.stop()


MAXSAT_DELAY = 2.0
"""Seconds the first probe at 0 breaks runs before RC2 starts beside it. The probe decides
most events with an optimum of 0 within 0.3 to 2.4 s, and RC2 beside it took a core from its
two workers (ticf-14crafa 2.2 to 2.5 s whole, against 2.5 to 3.4 s); where the probe
refutes 0 breaks, it does so in 0.04 to 0.4 s (docs/jair.md)."""

MAXSAT_RESERVE = 0.5
"""Seconds of the time left that RC2 leaves for taking its answer into the model."""


def _start_maxsat(
    maxsat: MaxSat,
    model: cp_model.CpModel,
    total: cp_model.LinearExprT,
    configure: Configure,
    remaining: Callable[[], float | None],
    stop: StopToken | None,
    decided: StopToken | None = None,
) -> MaxSatRun[BudgetOutcome]:
    """RC2 in a thread of its own (:class:`MaxSatRun`) until the time left is up; an answer
    the model accepts (:func:`_confirmed`) stops ``decided``.

    An answer the model does not accept is dropped with a warning: the CP-SAT side decides.
    """
    left = remaining()
    limit = None if left is None else max(0.0, left - MAXSAT_RESERVE)
    logger.info("breaks: MaxSAT side starts")

    def job(stopped: Callable[[], bool], proved: Callable[[int], None]) -> BudgetOutcome | None:
        answer = maxsat(stopped, limit, proved)
        if answer is None:
            return None
        value, fixed = answer
        logger.info("breaks: MaxSAT side proves %d break(s)", value)
        if _out_of_time(remaining()):
            logger.info("breaks: no time left to take the MaxSAT answer into the model")
            return None
        confirmed = _confirmed(model, total, value, fixed, configure, remaining)
        if confirmed is None and not stopped():
            logger.warning(
                "breaks: the MaxSAT answer (%d breaks) does not hold in the model; ignored",
                value,
            )
        return confirmed

    run = MaxSatRun(job, stop, on_answer=decided.stop if decided is not None else lambda: None)
    run.listen(lambda bound: logger.info("breaks: MaxSAT side: at least %d break(s)", bound))
    return run


def _reached(rc2: MaxSatRun[BudgetOutcome] | None, budget: int) -> bool:
    """True when RC2's cores have refuted every budget below ``budget``: then RC2 keeps its
    core instead of the case split taking both. On the events the split decides, RC2 has not
    even refuted the minima by then (ticf-13crafc, forum-13crafc and their variants), and
    where it has, it decides the split's budget itself: forumt-14crafe at d = 1, whose split
    at 5 left 24 of 24 cases undecided, where RC2 had proved 5 and found its timetable 2 s
    later (docs/jair.md)."""
    return rc2 is not None and rc2.bound >= budget


def _maxsat_answer(rc2: MaxSatRun[BudgetOutcome] | None, proven: int) -> BudgetOutcome | None:
    """RC2's confirmed answer, if it has one at or above the bound the CP-SAT side proved."""
    found = rc2.answer() if rc2 is not None else None
    if found is None or found.value is None:
        return None
    if found.value < proven:
        logger.warning(
            "breaks: the MaxSAT answer (%d breaks) is below the proven bound %d; ignored",
            found.value,
            proven,
        )
        return None
    return found


def _first_probe(
    model: cp_model.CpModel,
    total: cp_model.LinearExprT,
    budget: int,
    configure: Configure,
    remaining: Callable[[], float | None],
    share: float,
    stop: StopToken | None,
    relaxation: Relaxation | None,
    start_maxsat: Callable[[], MaxSatRun[BudgetOutcome]] | None = None,
) -> tuple[BudgetOutcome, int | None, MaxSatRun[BudgetOutcome] | None]:
    """The first probe, beside a search for the relaxation's optimum when there is one.

    Returns the probe's outcome, the bound the relaxation proved (``budget`` without a
    relaxation; ``None`` when the relaxation has no solution at all) and RC2's run if it
    started. A bound above the probe's budget, the relaxation's or RC2's, stops the probe
    (UNKNOWN): that budget is refuted. The relaxation stops when the probe does: after a
    refuted probe its tail cost more than it gave (0.3 to 1.4 s on each of the ten originals
    that are infeasible at d = 0, for a bound the core phase reaches anyway).

    With ``start_maxsat``, RC2 starts once the probe has run for :data:`MAXSAT_DELAY`
    seconds: most probes decide before, with both cores to themselves (docs/jair.md).

    Above 0 breaks (asked only without RC2 since :func:`_probes_first`) the probe minimises
    the total within its budget and ends at its first schedule: with the total as
    objective, CP-SAT's workers try break literals false first. forumt-14crafc and crafd at
    their minima (5 and 4) took 0.4 to 0.7 s, against 0.7 to 2.1 s asked as "exactly the
    budget" (seeds 0 to 3, RC2 beside); forumt-14crafe without RC2 6.1 s, against 57.9 s.
    At 0 breaks the budget fixes every break literal and the objective only
    slows the probe (ticf-14crafa 3.1 to 4.6 s, against 2.2 to 2.3 s; docs/jair.md).
    """
    probe_stop = stop.linked() if stop is not None else StopToken()
    deferred = (
        DeferredRun(
            start_maxsat,
            MAXSAT_DELAY,
            # its cores may refute the budget before the probe does
            lambda run: run.listen(lambda bound: probe_stop.stop() if bound > budget else None),
        )
        if start_maxsat is not None
        else None
    )
    probe = partial(
        _probe,
        model,
        total,
        budget,
        configure,
        remaining,
        share,
        stop=probe_stop,
        cap=FIRST_PROBE_CAP,
        minimise=budget > 0,
    )
    relaxed: int | None = budget
    try:
        if relaxation is None:
            outcome = probe()
        else:
            watch = _RelaxationWatch(stop, probe_stop, budget)
            outcome, relaxed = _side_by_side(
                probe,
                partial(_relaxation_bound, relaxation, configure, remaining, watch),
                watch.token,
            )
    except BaseException:
        if deferred is not None and (run := deferred.settle()) is not None:
            run.stop.stop()
        raise
    return outcome, relaxed, deferred.settle() if deferred is not None else None


def _relaxation_bound(
    relaxation: Relaxation,
    configure: Configure,
    remaining: Callable[[], float | None],
    watch: _RelaxationWatch,
) -> int | None:
    """Minimise the relaxation with the core worker alone, under ``watch``; the bound it
    proved itself (``None``: it has no solution)."""
    solver = _solver_for_share(configure, remaining, 1.0, CORE_ALONE_PARAMETERS, FIRST_PROBE_CAP)
    if solver is None:
        return 0
    solver.best_bound_callback = watch.bound_rose
    try:
        status = solve_watched(solver, relaxation.model, watch.token, watch)
    finally:
        watch.close()
    bound = max(0, math.ceil(solver.best_objective_bound - 1e-6))
    logger.info(
        "breaks: relaxation %s in %.2f s, bound %d",
        solver.status_name(status),
        solver.wall_time,
        bound,
    )
    if status == cp_model.INFEASIBLE:
        return None
    return bound


class _Watch(cp_model.CpSolverSolutionCallback):
    """A solution callback whose thread stops ``token`` once :meth:`_stalled` says so (asked
    every 50 ms, from :meth:`_start_watching` until :meth:`close`)."""

    def __init__(self, token: StopToken) -> None:
        super().__init__()
        self.token = token
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def _start_watching(self) -> None:
        """Start the thread (at the end of a subclass's ``__init__``, its state set)."""
        self._thread.start()

    def close(self) -> None:
        self._done.set()
        self._thread.join()

    def _watch(self) -> None:
        while not self._done.wait(0.05):
            if self._stalled(time.perf_counter()):
                self.token.stop()
                return

    def _stalled(self, now: float) -> bool:
        raise NotImplementedError


class _RelaxationWatch(_Watch):
    """Stops the relaxation once it cannot raise the bound any more, and the first probe once
    the relaxation's bound passes the probe's budget.

    The relaxation is of no further use when it has a solution at or below ``floor`` (the
    probe's budget, or the relaxation's own bound once above it), or when its bound has not
    risen above ``floor`` for :data:`RELAXATION_STALL` seconds.
    """

    def __init__(self, stop: StopToken | None, probe: StopToken, floor: int) -> None:
        super().__init__(stop.linked() if stop is not None else StopToken())
        self.probe = probe
        self.budget = floor
        self.floor = floor
        self._lock = threading.Lock()
        self.last_rise: float | None = None
        self._start_watching()

    def on_solution_callback(self) -> None:
        with self._lock:
            useless = self.objective_value <= self.floor + 1e-6
        if useless:
            self.token.stop()

    def bound_rose(self, bound: float) -> None:
        proven = math.ceil(bound - 1e-6)
        with self._lock:
            if self.last_rise is None:  # the search has started
                self.last_rise = time.perf_counter()
            if proven <= self.floor:
                return
            self.floor = proven
            self.last_rise = time.perf_counter()
            passed = proven > self.budget
        if passed:
            self.probe.stop()

    def _stalled(self, now: float) -> bool:
        with self._lock:
            last = self.last_rise
        return last is not None and now - last > RELAXATION_STALL


def _best_found(lower: int, *found: BudgetOutcome | None) -> BudgetOutcome:
    """Undecided (UNKNOWN): the bound ``lower`` with the best schedule among ``found``."""
    schedules = [o for o in found if o is not None and o.value is not None]
    if not schedules:
        return BudgetOutcome(cp_model.UNKNOWN, lower)
    best = min(schedules, key=lambda o: o.value or 0)
    return BudgetOutcome(cp_model.UNKNOWN, lower, best.solver, best.value)


def _probe(
    model: cp_model.CpModel,
    total: cp_model.LinearExprT,
    budget: int,
    configure: Configure,
    remaining: Callable[[], float | None],
    share: float,
    *,
    stop: StopToken | None = None,
    cap: float | None = None,
    parameters: dict[str, object] = FEASIBILITY_PARAMETERS,
    minimise: bool = False,
) -> BudgetOutcome:
    """Is there a schedule with ``budget`` breaks? (``cap``: at most this many seconds.)

    Callers ask only once every smaller budget is refuted, so "at most" is "exactly". With
    ``minimise`` the question is "at most ``budget``" with the total as the objective, and
    the first schedule ends the solve (see :func:`_first_probe`).
    """
    solver = _solver_for_share(configure, remaining, share, parameters, cap)
    if solver is None:
        return BudgetOutcome(cp_model.UNKNOWN, 0)
    question = _budget_question(model, total, budget, minimise=minimise)
    status = solve_watched(solver, question, stop, _FirstSchedule() if minimise else None)
    logger.debug(
        "breaks: %d break(s): %s in %.2f s", budget, solver.status_name(status), solver.wall_time
    )
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        value = int(solver.value(total))
        return BudgetOutcome(cp_model.OPTIMAL, value, solver, value)
    return BudgetOutcome(status, 0)


def _core_phase(
    model: cp_model.CpModel,
    total: cp_model.LinearExprT,
    lower: int,
    configure: Configure,
    remaining: Callable[[], float | None],
    share: float,
    *,
    stop: StopToken | None = None,
    stall_at_start: float = CORE_STALL,
    stall: float | None = None,
    on_found: Callable[[int], None] | None = None,
) -> BudgetOutcome:
    """Minimise ``total`` from the proven ``lower`` by cores; stop once the bound stalls
    (after ``stall_at_start`` seconds while it has not risen above ``lower``; with ``stall``,
    after that many seconds whatever the bound did). ``on_found`` hears each schedule's
    breaks.

    Returns OPTIMAL or INFEASIBLE when the phase decides the question, FEASIBLE with the best
    schedule and the bound reached when it stalls, UNKNOWN (``lower`` raised if it could)
    when its share of the time ran out before any schedule. Without a schedule it never
    stops early: a solve without a schedule may still prove that none exists.
    """
    solver = _solver_for_share(configure, remaining, share, CORE_PARAMETERS)
    if solver is None:
        return BudgetOutcome(cp_model.UNKNOWN, lower)
    question = minimising_from(model, total, lower)
    watch = stop.linked() if stop is not None else StopToken()
    stalled = _StallWatch(watch, lower, stall_at_start, stall, on_found)
    solver.best_bound_callback = stalled.bound_rose
    try:
        status = solve_watched(solver, question, watch, stalled)
    finally:
        stalled.close()
    bound = max(lower, math.ceil(solver.best_objective_bound - 1e-6))
    logger.info(
        "breaks: core phase %s in %.2f s, bound %d%s",
        solver.status_name(status),
        solver.wall_time,
        bound,
        f", best {int(solver.objective_value)}" if stalled.solutions else "",
    )
    if status == cp_model.INFEASIBLE:
        return BudgetOutcome(cp_model.INFEASIBLE, lower)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        value = int(solver.value(total))
        return BudgetOutcome(status, value if status == cp_model.OPTIMAL else bound, solver, value)
    return BudgetOutcome(cp_model.UNKNOWN, bound)


class _StallWatch(_Watch):
    """Stops a core phase whose bound has stalled, once it has a schedule (:data:`CORE_STALL`;
    ``stall_at_start`` while the bound is still at the phase's starting ``lower``; ``stall``,
    when given, in place of both: :data:`BESIDE_RC2_STALL`)."""

    def __init__(
        self,
        token: StopToken,
        lower: int,
        stall_at_start: float,
        stall: float | None = None,
        on_found: Callable[[int], None] | None = None,
    ) -> None:
        super().__init__(token)
        self.lower = lower
        self.stall_at_start = stall_at_start
        self.stall = stall
        self._on_found = on_found
        self.risen = False
        self.solutions = 0
        self.started = time.perf_counter()
        self.last_rise = self.started
        self._start_watching()

    def on_solution_callback(self) -> None:
        self.solutions += 1
        if self._on_found is not None:
            self._on_found(round(self.objective_value))

    def bound_rose(self, bound: float) -> None:
        self.last_rise = time.perf_counter()
        self.risen = self.risen or bound > self.lower + 1e-6

    def _stalled(self, now: float) -> bool:
        if not self.solutions:
            return False
        if self.stall is not None:
            patience = self.stall
        elif self.risen:
            patience = max(CORE_STALL, 2 * (self.last_rise - self.started))
        else:
            patience = self.stall_at_start
        return now - self.last_rise > patience


class _Race:
    """What the two sides of :func:`_race` share: the budget reached and the first answer."""

    def __init__(
        self,
        budget: int,
        stop: StopToken | None,
        on_bound: Callable[[int], None] | None,
        *,
        switches: bool = False,
        on_found: Callable[[int], None] | None = None,
    ) -> None:
        self.budget = budget
        """Every smaller budget is refuted."""
        self.done = stop.linked() if stop is not None else StopToken()
        """Stops both sides: the race is decided, or the caller stopped."""
        self.probe = self.done.linked()
        """Stops the running probe (its budget is refuted)."""
        self.core = self.done.linked()
        """Stops the core-guided solve of the core side: the race is over, or (with
        ``switches``) a probe refuted a budget the core's bound had not reached."""
        self.best: int | None = None
        """The fewest breaks of a schedule the core side has found."""
        self.no_schedule = False
        """The core side proved that there is no schedule at all."""
        self._switches = switches
        self._on_bound = on_bound
        self._on_found = on_found
        self._lock = threading.Lock()

    def current(self) -> tuple[int, StopToken]:
        """The budget to probe, and the token that stops its probe."""
        with self._lock:
            return self.budget, self.probe

    def refuted_below(self, budget: int, *, by_core: bool = False) -> None:
        """No schedule has fewer than ``budget`` breaks: stop a probe below it. A probe's
        refutation (not ``by_core``) passes the core side's bound: with ``switches``, the
        core side stops and turns to profiles."""
        with self._lock:
            if budget <= self.budget:
                return
            self.budget = budget
            refuted, self.probe = self.probe, self.done.linked()
        refuted.stop()
        if self._switches and not by_core:
            self.core.stop()
        if self._on_bound is not None:
            self._on_bound(budget)
        self._decide()

    def none_at_all(self) -> None:
        """No schedule has ``budget`` breaks or more (nor fewer, refuted): the race is over."""
        self.no_schedule = True
        self.done.stop()

    def found(self, value: int) -> None:
        """The core side has a schedule with ``value`` breaks."""
        with self._lock:
            self.best = value if self.best is None else min(self.best, value)
        if self._on_found is not None:
            self._on_found(value)
        self._decide()

    def _decide(self) -> None:
        with self._lock:
            decided = self.best is not None and self.best <= self.budget
        if decided:
            self.done.stop()


def _race(
    model: cp_model.CpModel,
    total: cp_model.LinearExprT,
    race: _Race,
    upper: BudgetOutcome | None,
    configure: Configure,
    remaining: Callable[[], float | None],
    workers: int,
    profiles: Callable[[], BreakProfiles] | None = None,
    rc2: MaxSatRun[BudgetOutcome] | None = None,
) -> BudgetOutcome:
    """Budgets from ``race.budget`` up, beside a core-guided minimisation from it.

    Two solves of one worker each run side by side (one alone when ``workers`` is 1):

    - the **probe side** asks "a schedule with exactly k breaks?" with the LP relaxation
      (:data:`LP_PROBE_PARAMETERS`), which refutes budgets on nearly full tables; each
      refutation starts the next budget;
    - the **core side** minimises the total from the same budget (beside RC2, from none:
      :func:`_core_side`) with the core-guided worker alone (:data:`CORE_ALONE_PARAMETERS`):
      its bound refutes budgets (the probe then moves on) and its schedules end the race
      once the budget reaches them.

    Finding the schedule at the optimum is heavy-tailed, and which worker finds it depends
    on the event (docs/jair.md): on ticf-13crafb the core worker, on tic-13crafc and
    forumt-14crafe the probe. ``upper`` is the core phase's schedule (``None``: beside RC2
    the race starts without a core phase). The core side's question holds every budget not
    yet refuted, so its infeasibility proves that there is no schedule at all.

    With ``profiles``, the core side turns into a **profile side** once a probe refutes a
    budget above the core's own bound (on tic-13crafc the core's bound stays at 2 while the
    probes refute 2 and 3): it lists the break profiles at the race's budget without the
    tables and decides each with them (:func:`_profile_side`).

    With ``rc2`` (RC2 running since before the race), the **MaxSAT side**
    (:func:`_maxsat_side`) takes the probe side's place.
    """
    if rc2 is not None:  # RC2's cores refute budgets too
        rc2.listen(partial(race.refuted_below, by_core=True))
    main = (
        partial(_maxsat_side, model, total, race, rc2, configure, remaining)
        if rc2 is not None
        else partial(_probe_side, model, total, race, configure, remaining)
    )
    probed, cored = _side_by_side(
        main,
        partial(_core_side, model, total, race, configure, remaining, profiles, floor=rc2 is None)
        if workers > 1
        else None,
        race.done,
    )
    if race.no_schedule:
        return BudgetOutcome(cp_model.INFEASIBLE, race.budget)
    best = _best_found(race.budget, probed, upper, cored)
    if best.value is not None and best.value <= race.budget:
        return BudgetOutcome(cp_model.OPTIMAL, best.value, best.solver, best.value)
    return best


def _probe_side(
    model: cp_model.CpModel,
    total: cp_model.LinearExprT,
    race: _Race,
    configure: Configure,
    remaining: Callable[[], float | None],
) -> BudgetOutcome | None:
    """Probes with the LP at the race's budget until one has a schedule or time is up."""
    while not race.done.stopped and not _out_of_time(remaining()):
        budget, token = race.current()
        outcome = _probe(
            model,
            total,
            budget,
            configure,
            remaining,
            1.0,
            stop=token,
            parameters=LP_PROBE_PARAMETERS,
        )
        if outcome.status == cp_model.OPTIMAL:
            return outcome
        if outcome.status == cp_model.INFEASIBLE:
            race.refuted_below(budget + 1)
    return None


def _maxsat_side(
    model: cp_model.CpModel,
    total: cp_model.LinearExprT,
    race: _Race,
    rc2: MaxSatRun[BudgetOutcome],
    configure: Configure,
    remaining: Callable[[], float | None],
) -> BudgetOutcome | None:
    """RC2's answer decides the race, unless the core side decides first.

    RC2's core-guided search over clauses with cardinality encodings proves budgets the
    race's LP probes do not (forum-13crafb's 6 breaks, docs/jair.md). Its timetable has been
    taken into the CP-SAT model (:func:`_start_maxsat`), so the caller reads the schedule as
    from any probe. When RC2 ends without an answer (or with one below the race's proven
    bound), the probe side takes over for the time left.
    """
    logger.info("breaks: the race's MaxSAT side waits for RC2 at %d break(s)", race.budget)
    rc2.wait(race.done)
    answered = _maxsat_answer(rc2, race.budget)
    if answered is not None and answered.value is not None:
        logger.info("breaks: MaxSAT side decides after %.2f s", rc2.seconds or 0.0)
        race.refuted_below(answered.value, by_core=True)
        return answered
    return _probe_side(model, total, race, configure, remaining)


def _confirmed(
    model: cp_model.CpModel,
    total: cp_model.LinearExprT,
    value: int,
    fixed: list[tuple[cp_model.IntVar, bool]],
    configure: Configure,
    remaining: Callable[[], float | None],
) -> BudgetOutcome | None:
    """The model's schedule with ``value`` breaks and the literals ``fixed`` (``None``: none)."""
    solver = _solver_for_share(configure, remaining, 1.0, CONFIRM_PARAMETERS, CONFIRM_CAP)
    if solver is None:
        return None
    question = _budget_question(model, total, value)
    for literal, chosen in fixed:
        question.add(literal == int(chosen))
    if solver.solve(question) != cp_model.OPTIMAL:
        return None
    return BudgetOutcome(cp_model.OPTIMAL, value, solver, value)


def _core_side(
    model: cp_model.CpModel,
    total: cp_model.LinearExprT,
    race: _Race,
    configure: Configure,
    remaining: Callable[[], float | None],
    profiles: Callable[[], BreakProfiles] | None = None,
    *,
    floor: bool = True,
) -> BudgetOutcome | None:
    """Core-guided minimisation of the total; its bound and schedules feed the race.

    With ``floor``, the question holds "at least the race's budget" as it stands when the
    side starts. "At least k breaks" is a single core over every break literal: with k at
    the optimum the core worker searches like a probe of k. That finds forumt-14crafe's
    timetable at once when the relaxation has proved its 5 (without RC2: 0.8 s, against
    21 s without the floor), and keeps ticf-13crafb's from being found when RC2's cores
    have proved its 3 just before the side starts (a median of 33 s over seven seeds,
    against 16 s without the floor; docs/jair.md). Beside RC2 the race therefore asks
    without it: RC2's cores raise the budget at moments that vary from run to run, and the
    race knows the budget anyway.

    Stopped by the probes passing its bound, it goes on as the profile side (with
    ``profiles``); its own best schedule is kept in case the profiles find none.
    """
    solver = _solver_for_share(configure, remaining, 1.0, CORE_ALONE_PARAMETERS)
    if solver is None:
        return None
    question = minimising_from(model, total, race.budget) if floor else minimising(model, total)
    solver.best_bound_callback = lambda bound: race.refuted_below(
        math.ceil(bound - 1e-6), by_core=True
    )
    status = solve_watched(solver, question, race.core, _Schedules(race))
    logger.debug(
        "breaks: core side %s in %.2f s, bound %d",
        solver.status_name(status),
        solver.wall_time,
        math.ceil(solver.best_objective_bound - 1e-6),
    )
    if status == cp_model.INFEASIBLE:  # its question holds every budget not yet refuted
        race.none_at_all()
        return None
    cored = None
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        if status == cp_model.OPTIMAL:
            race.refuted_below(int(solver.objective_value), by_core=True)
        value = int(solver.value(total))
        cored = BudgetOutcome(status, race.budget, solver, value)
    switched = race.core.stopped and not race.done.stopped  # not out of time, not decided
    if profiles is not None and switched:
        return _profile_side(model, total, race, profiles, configure, remaining) or cored
    return cored


def _profile_side(
    model: cp_model.CpModel,
    total: cp_model.LinearExprT,
    race: _Race,
    build: Callable[[], BreakProfiles],
    configure: Configure,
    remaining: Callable[[], float | None],
) -> BudgetOutcome | None:
    """Decides the race's budgets by their break profiles, until one has a schedule.

    At each budget the profiles are listed without the tables and decided with them
    (:mod:`matchsched.solver.profiles`); when every profile is refuted, so is the budget.
    A budget refuted by the probes moves the listing on.
    """
    started = time.perf_counter()
    profiles = build()
    logger.info(
        "breaks: core side turns to profiles at %d break(s) (table-free model in %.2f s)",
        race.budget,
        time.perf_counter() - started,
    )
    while not race.done.stopped and not _out_of_time(remaining()):
        budget, token = race.current()
        outcome = _profiles_at(model, total, race, budget, token, profiles, configure, remaining)
        if outcome is not None:
            return outcome
    return None


def _profiles_at(
    model: cp_model.CpModel,
    total: cp_model.LinearExprT,
    race: _Race,
    budget: int,
    token: StopToken,
    profiles: BreakProfiles,
    configure: Configure,
    remaining: Callable[[], float | None],
) -> BudgetOutcome | None:
    """The profiles at ``budget``, listed and decided until one has a schedule (returned),
    all are refuted (the race learns so), ``token`` stops, or time is up."""
    listed = break_profiles.listing(profiles, budget)
    question = _budget_question(model, total, budget)
    question.clear_hints()  # a timetable of another profile
    undecided: list[Profile] = []
    refuted = 0
    cap = PROFILE_CAP
    exhausted = False
    while not token.stopped:
        if exhausted:
            if not undecided:
                logger.info("breaks: %d break(s) refuted by its %d profile(s)", budget, refuted)
                race.refuted_below(budget + 1)
                return None
            batch, undecided, cap = undecided, [], 4 * cap
        else:
            lister = _solver_for_share(configure, remaining, 1.0, PROFILE_LIST_PARAMETERS)
            if lister is None:
                return None
            status = solve_watched(lister, listed, token)
            if status == cp_model.INFEASIBLE:
                exhausted = True
                continue
            if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                return None
            profile = break_profiles.profile_of(profiles, lister)
            break_profiles.exclude(profiles, listed, profile)
            batch = [profile]
        for profile in batch:
            decider = _solver_for_share(configure, remaining, 1.0, LP_PROBE_PARAMETERS, cap)
            if decider is None:
                return None
            pinned = question.clone()
            break_profiles.pin(profiles, pinned, profile)
            status = solve_watched(decider, pinned, token)
            logger.debug(
                "breaks: %d break(s), profile %s: %s in %.2f s",
                budget,
                break_profiles.describe(profile),
                decider.status_name(status),
                decider.wall_time,
            )
            if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                race.found(budget)
                return BudgetOutcome(cp_model.OPTIMAL, budget, decider, budget)
            if status == cp_model.INFEASIBLE:
                refuted += 1
            else:
                undecided.append(profile)
    return None


class _FirstSchedule(cp_model.CpSolverSolutionCallback):
    """Ends the solve at its first schedule."""

    def on_solution_callback(self) -> None:
        self.stop_search()


class _Schedules(cp_model.CpSolverSolutionCallback):
    """Tells the race of each schedule the core side finds."""

    def __init__(self, race: _Race) -> None:
        super().__init__()
        self.race = race

    def on_solution_callback(self) -> None:
        self.race.found(round(self.objective_value))


def _side_by_side(
    main: Callable[[], Main], side: Callable[[], Side] | None, done: StopToken
) -> tuple[Main, Side | None]:
    """``main()`` here while ``side()`` (if any) runs in a thread beside it.

    Once ``main`` has returned, ``done`` is stopped before the side's result is awaited, so a
    side still searching ends at once instead of running out its time.
    """
    with ThreadPoolExecutor(max_workers=1) as pool:
        beside = pool.submit(side) if side is not None else None
        result = main()
        done.stop()
        return result, beside.result() if beside is not None else None


def _solver_for_share(
    configure: Configure,
    remaining: Callable[[], float | None],
    share: float,
    parameters: dict[str, object],
    cap: float | None = None,
) -> cp_model.CpSolver | None:
    """A solver set up for ``share`` of the time left, at most ``cap`` seconds (``None``
    when no time is left)."""
    left = remaining()
    if _out_of_time(left):
        return None
    limit = None if left is None else max(0.05, share * left)
    if cap is not None:
        limit = cap if limit is None else min(limit, cap)
    solver = cp_model.CpSolver()
    configure(solver, limit, parameters)
    return solver


def _out_of_time(left: float | None) -> bool:
    """True when ``left`` (seconds left, ``None``: unlimited) is 0.05 s or less."""
    return left is not None and left <= 0.05


def minimising_from(
    model: cp_model.CpModel, total: cp_model.LinearExprT, lower: int
) -> cp_model.CpModel:
    """A copy of ``model`` that minimises ``total`` from its proven bound ``lower``."""
    question = minimising(model, total)
    question.add(total >= lower)
    return question


def minimising(model: cp_model.CpModel, total: cp_model.LinearExprT) -> cp_model.CpModel:
    """A copy of ``model`` that minimises ``total``."""
    question = model.clone()
    question.clear_objective()
    question.minimize(total)
    return question


def _budget_question(
    model: cp_model.CpModel, total: cp_model.LinearExprT, budget: int, *, minimise: bool = False
) -> cp_model.CpModel:
    """A copy of ``model`` without its objective, with exactly ``budget`` breaks; with
    ``minimise``, at most ``budget`` breaks and the total as its objective."""
    question = model.clone()
    question.clear_objective()
    if minimise:
        question.add(total <= budget)
        question.minimize(total)
    else:
        question.add(total == budget)
    return question


def split_by_participant(
    model: cp_model.CpModel,
    total: cp_model.LinearExprT,
    budget: int,
    split: ParticipantSplit,
    remaining: Callable[[], float | None],
    stop: StopToken | None = None,
) -> BudgetOutcome:
    """Is there a schedule with ``budget`` breaks, one above the sum of the minima? Case by case.

    Such a schedule has every participant at its minimum but one, who has one break more.
    Each case "only p" is a separate solve. The cases run in passes
    (:data:`SPLIT_PASSES`): 3 s each without the LP relaxation (it finds schedules fast;
    presolve refutes most cases either way), the undecided ones again for 16 s with another
    seed and in the opposite order, then 48 s with the LP (it refutes cases on nearly full
    tables), and so on while time is left. With two workers, two cases run side by side: a
    case left undecided then holds up only its own worker (docs/jair.md).

    The first schedule ends the split (OPTIMAL); when every case is refuted, no schedule has
    ``budget`` breaks (INFEASIBLE). The split takes at most
    :data:`SPLIT_SHARE` of the time left, so that an undecided split still leaves time to
    optimise.
    """
    remaining = _share_of(remaining, SPLIT_SHARE)
    race = stop.linked() if stop is not None else StopToken()  # stopped by the first answer
    return _cases_in_passes(model, total, budget, split, remaining, race)


def _cases_in_passes(
    model: cp_model.CpModel,
    total: cp_model.LinearExprT,
    budget: int,
    split: ParticipantSplit,
    remaining: Callable[[], float | None],
    race: StopToken,
) -> BudgetOutcome:
    """The cases, pass after pass (:data:`SPLIT_PASSES`), until one has a schedule, all are
    refuted, or time is up. Each pass takes the cases left in the opposite order of the pass
    before: the first order is a guess that presolve answers for most cases, and the cases it
    leaves undecided are where that guess was least useful (docs/jair.md)."""
    undecided = list(split.order)
    for number, (cap, lp) in enumerate(SPLIT_PASSES):
        if not undecided or race.stopped:
            break
        started = time.perf_counter()
        found, undecided = _run_cases(
            model, total, budget, split, undecided, cap, lp, number, remaining, race
        )
        logger.info(
            "breaks: %d break(s), case split at %.0f s per case%s: %s, %d undecided, %.1f s",
            budget,
            cap,
            " with LP" if lp else "",
            "found" if found is not None else "none found",
            len(undecided),
            time.perf_counter() - started,
        )
        if found is not None:
            return found
        if _out_of_time(remaining()):
            break
        undecided.reverse()
    if undecided:
        return BudgetOutcome(cp_model.UNKNOWN, budget)
    return BudgetOutcome(cp_model.INFEASIBLE, budget)


def _share_of(remaining: Callable[[], float | None], share: float) -> Callable[[], float | None]:
    """A clock for ``share`` of the time ``remaining`` reports now (unlimited stays so)."""
    left = remaining()
    if left is None:
        return remaining
    deadline = time.perf_counter() + share * left

    def own() -> float | None:
        outer = remaining()
        mine = max(0.0, deadline - time.perf_counter())
        return mine if outer is None else min(outer, mine)

    return own


def _run_cases(
    model: cp_model.CpModel,
    total: cp_model.LinearExprT,
    budget: int,
    split: ParticipantSplit,
    cases: list[int],
    cap: float,
    lp: bool,
    reseed: int,
    remaining: Callable[[], float | None],
    race: StopToken,
) -> tuple[BudgetOutcome | None, list[int]]:
    """One pass over ``cases``, ``split.workers`` at a time, each solve's seed moved on by
    ``reseed``: the schedule of a case that has one, and the undecided cases. The first case
    with a schedule stops ``race``, and with it the cases still running.
    """

    def decide(person: int) -> tuple[int, cp_model.CpSolverStatus, cp_model.CpSolver | None]:
        left = remaining()
        if race.stopped or _out_of_time(left):
            return person, cp_model.UNKNOWN, None
        probe = _budget_question(model, total, budget)
        for other, count in split.counts.items():
            if other != person:
                probe.add(count == split.minimum.get(other, 0))
        solver = cp_model.CpSolver()
        split.configure(solver, cap if left is None else min(cap, left), lp)
        solver.parameters.random_seed += reseed
        status = solve_watched(solver, probe, race)
        logger.debug(
            "breaks: case %d: %s in %.2f s", person, solver.status_name(status), solver.wall_time
        )
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            race.stop()
        return person, status, solver

    undecided: list[int] = []
    found: BudgetOutcome | None = None
    with ThreadPoolExecutor(max_workers=split.workers) as pool:
        for person, status, solver in pool.map(decide, cases):
            if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) and found is None:
                assert solver is not None
                value = int(solver.value(total))
                found = BudgetOutcome(cp_model.OPTIMAL, value, solver, value)
            elif status != cp_model.INFEASIBLE:
                undecided.append(person)
    return found, undecided
