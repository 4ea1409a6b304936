"""The solver core: ``solve(event, options) -> Result``.

Data flows one way: the event is compiled into arrays once, a CP-SAT timetable model is
built and optimised goal by goal, tables are assigned on the finished timetable, and the
answer is assembled into a :class:`~matchsched.schedule.Schedule`.
"""

from __future__ import annotations

import time

import numpy as np

from matchsched.check import evaluate
from matchsched.model import Event
from matchsched.options import Goal, SolveOptions
from matchsched.schedule import (
    Objective,
    Result,
    Schedule,
    SolverInfo,
    SolveStatus,
    UnscheduledReason,
)
from matchsched.solver import assemble, bounds, heuristics, lns
from matchsched.solver.collector import collector_paused
from matchsched.solver.compile import Compiled, compile_event
from matchsched.solver.cpsat.model import TimetableModel, kept_candidates
from matchsched.solver.cpsat.run import StopToken
from matchsched.solver.explain import find_conflict, impossible_text
from matchsched.solver.reasons import unscheduled_reasons
from matchsched.solver.search import (
    Clock,
    ProgressCallback,
    SearchOutcome,
    lexicographic_search,
)
from matchsched.solver.tables import assign_tables

__all__ = ["ProgressCallback", "StopToken", "solve"]


def solve(
    event: Event,
    options: SolveOptions | None = None,
    *,
    previous: Schedule | None = None,
    progress: ProgressCallback | None = None,
    stop: StopToken | None = None,
) -> Result:
    """Build the best timetable for ``event``.

    Parameters
    ----------
    event
        The event to schedule.
    options
        Goals, limits and solver parameters; defaults to :class:`SolveOptions()`.
    previous
        An earlier schedule of the same event, to re-schedule with few changes (goal 5).
    progress
        Called with a :class:`~matchsched.schedule.ProgressPoint` at every improvement.
    stop
        A :class:`StopToken` to end the search early from another thread; the best schedule
        found so far is returned.

    Returns
    -------
    Result
        The status and the schedule; every request is either scheduled or listed with a reason.
    """
    options = options or SolveOptions()
    clock = Clock(options.time_limit)
    with collector_paused():
        compiled = compile_event(event)
    info = lambda: SolverInfo(  # noqa: E731
        wall_time_s=round(clock.elapsed, 3),
        time_limit_s=options.time_limit,
        workers=options.workers,
        seed=options.seed,
    )

    impossible = [r for r in compiled.why_impossible if compiled.request_required[r]]
    if impossible:
        names = [compiled.request_ids[r] for r in impossible]
        detail = "required request(s) that can never take place: " + "; ".join(
            f"{compiled.request_ids[r]} ({impossible_text(compiled, r)})" for r in impossible
        )
        return _without_schedule(event, compiled, SolveStatus.INFEASIBLE, detail, info(), names)

    wants_tables = Goal.TABLE_CHANGES in options.goal_order or previous is not None
    reserve = 0.0
    if wants_tables and options.time_limit is not None:
        reserve = min(0.15 * options.time_limit, 30.0)
    large = lns.suits(compiled, options, previous)
    if large and options.time_limit is not None:
        reserve = lns.finishing_seconds(compiled)
    outcome, relaxation = _timetable_search(
        compiled,
        options,
        previous,
        clock,
        large=large,
        reserve=reserve,
        progress=progress,
        stop=stop,
    )
    if not outcome.status.has_schedule:
        detail = "time ran out before a valid schedule was found"
        conflict: list[str] = []
        if outcome.status == SolveStatus.INFEASIBLE:
            detail = "the required meetings and the rules cannot all hold at once"
        if outcome.status == SolveStatus.INFEASIBLE and options.explain:
            # Name a small set of required requests and rules that cannot hold together.
            budget = 10.0 if clock.remaining is None else max(1.0, min(30.0, clock.remaining))
            found = find_conflict(compiled, options, previous, time_limit=budget)
            if found is not None:
                detail, conflict = found.detail, found.requests
        return _without_schedule(event, compiled, outcome.status, detail, info(), conflict)

    previous_tables = _previous_tables(compiled, previous)
    with collector_paused():
        table_outcome = assign_tables(
            compiled,
            outcome.chosen,
            options,
            time_limit=lns.table_seconds(compiled, clock.remaining) if large else clock.remaining,
            previous_tables=previous_tables,
            stop=stop,
        )
        status = outcome.status
        if status == SolveStatus.OPTIMAL and wants_tables and not table_outcome.proven:
            status = SolveStatus.FEASIBLE
        meetings = assemble.meetings(compiled, outcome.chosen, table_outcome.tables)
        unscheduled = unscheduled_reasons(compiled, outcome.chosen, table_outcome.tables)
        draft = Schedule(
            event=event.name, status=status, meetings=meetings, unscheduled=unscheduled
        )
        measured = evaluate(event, draft, previous)
    values = outcome.values
    bound = relaxation.bound
    if outcome.scheduled_bound is not None:
        bound = min(bound, outcome.scheduled_bound)
    objective = Objective(
        scheduled_priority=values.get(Goal.SCHEDULED, measured.scheduled_priority),
        scheduled_priority_bound=bound,
        breaks=values.get(Goal.BREAKS, measured.breaks),
        table_changes=table_outcome.table_changes,
        unpreferred=values.get(Goal.PREFERENCES, measured.unpreferred),
        fairness=measured.fairness,
        moved=measured.moved,
    )
    schedule = draft.model_copy(update={"objective": objective, "solver": info()})
    return Result(status=status, schedule=schedule, progress=outcome.progress)


def _timetable_search(
    compiled: Compiled,
    options: SolveOptions,
    previous: Schedule | None,
    clock: Clock,
    *,
    large: bool,
    reserve: float,
    progress: ProgressCallback | None,
    stop: StopToken | None,
) -> tuple[SearchOutcome, bounds.Relaxation]:
    """The proven bound, then the timetable: LNS for large events, else the full model.

    Large events (more than :data:`~matchsched.solver.lns.LARGE_EVENT_CANDIDATES`
    candidates) never build the full model; should their construction miss a required
    request, the full model takes over. Smaller events start the full model from the
    construction heuristic's timetable as a hint.
    """
    # The bound may take half of the search time; without it, it is the possible priority.
    share = None if clock.remaining is None else max(0.0, clock.remaining - reserve) / 2
    relaxation = bounds.relaxation(
        compiled, period="event" if large else "session", time_limit=share
    )
    if large:
        kept = kept_candidates(compiled, previous) if previous is not None else None
        search = lns.LargeSearch(compiled, options, relaxation, kept=kept)
        outcome = search.run(clock, reserve=reserve, progress=progress, stop=stop)
        out_of_time = clock.remaining is not None and clock.remaining <= reserve
        if outcome.status.has_schedule or out_of_time:
            return outcome, relaxation
    hint = None
    if previous is None and lns.HINT_FULL_MODEL:
        repair_until = (
            None if clock.remaining is None else time.perf_counter() + 0.1 * clock.remaining
        )
        hint = heuristics.construct(
            compiled, request_value=relaxation.request_value, deadline=repair_until
        ).candidates()
    timetable = TimetableModel(compiled, options, previous)
    outcome = lexicographic_search(
        timetable, options, clock, reserve=reserve, progress=progress, stop=stop, hint=hint
    )
    if (
        outcome.status == SolveStatus.UNKNOWN
        and hint is not None
        and _valid_fallback(compiled, options, hint)
    ):
        # Out of time before CP-SAT's first solution: the construction is a valid timetable.
        outcome = SearchOutcome(
            status=SolveStatus.FEASIBLE, chosen=hint, scheduled_bound=relaxation.bound
        )
    return outcome, relaxation


def _valid_fallback(compiled: Compiled, options: SolveOptions, chosen: np.ndarray) -> bool:
    """True when the construction's timetable is valid as it stands.

    The construction keeps every hard rule of the format but not the break and minimum-meeting
    options, so with those it is no answer; nor is it when it misses a required request.
    """
    if options.max_breaks is not None or options.max_break_spread is not None:
        return False
    if options.min_meetings:
        return False
    placed = np.zeros(len(compiled.request_ids), dtype=bool)
    placed[compiled.candidate_request[chosen]] = True
    return bool(placed[compiled.request_required].all())


def _without_schedule(
    event: Event,
    compiled: Compiled,
    status: SolveStatus,
    detail: str,
    info: SolverInfo,
    conflict: list[str],
) -> Result:
    reason = (
        UnscheduledReason.INFEASIBLE
        if status == SolveStatus.INFEASIBLE
        else UnscheduledReason.NO_SOLUTION
    )
    schedule = Schedule(
        event=event.name,
        status=status,
        unscheduled=assemble.nothing_scheduled(compiled, reason, detail),
        solver=info,
        conflict=conflict,
    )
    return Result(status=status, schedule=schedule)


def _previous_tables(compiled: Compiled, previous: Schedule | None) -> dict[int, tuple[int, int]]:
    if previous is None:
        return {}
    request_position = {rid: r for r, rid in enumerate(compiled.request_ids)}
    location_position = {lid: i for i, lid in enumerate(compiled.location_ids)}
    out = {}
    for meeting in previous.meetings:
        r = request_position.get(meeting.request)
        location = location_position.get(meeting.location)
        if r is not None and location is not None:
            out[r] = (location, meeting.table)
    return out
