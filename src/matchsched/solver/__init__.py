"""The solver core: ``solve(event, options) -> Result``.

Data flows one way: the event is compiled into arrays once, a CP-SAT timetable model is
built and optimised goal by goal, tables are assigned on the finished timetable, and the
answer is assembled into a :class:`~matchsched.schedule.Schedule`.
"""

from __future__ import annotations

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
from matchsched.solver import assemble, bounds
from matchsched.solver.compile import compile_event
from matchsched.solver.cpsat.model import TimetableModel
from matchsched.solver.reasons import unscheduled_reasons
from matchsched.solver.search import Clock, ProgressCallback, StopToken, lexicographic_search
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
    compiled = compile_event(event)
    info = lambda: SolverInfo(  # noqa: E731
        wall_time_s=round(clock.elapsed, 3),
        time_limit_s=options.time_limit,
        workers=options.workers,
        seed=options.seed,
    )

    impossible = [
        r for r in compiled.why_impossible if compiled.request_required[r]
    ]
    if impossible:
        names = [compiled.request_ids[r] for r in impossible]
        detail = "required request(s) that can never take place: " + "; ".join(
            f"{compiled.request_ids[r]} ({compiled.why_impossible_detail[r]})" for r in impossible
        )
        return _without_schedule(event, compiled, SolveStatus.INFEASIBLE, detail, info(), names)

    timetable = TimetableModel(compiled, options, previous)
    wants_tables = Goal.TABLE_CHANGES in options.goal_order or previous is not None
    reserve = 0.0
    if wants_tables and options.time_limit is not None:
        reserve = min(0.15 * options.time_limit, 30.0)
    outcome = lexicographic_search(
        timetable, options, clock, reserve=reserve, progress=progress, stop=stop
    )
    if not outcome.status.has_schedule:
        detail = (
            "the required meetings and the rules cannot all hold at once"
            if outcome.status == SolveStatus.INFEASIBLE
            else "time ran out before a valid schedule was found"
        )
        return _without_schedule(event, compiled, outcome.status, detail, info(), [])

    previous_tables = _previous_tables(compiled, previous)
    table_outcome = assign_tables(
        compiled,
        outcome.chosen,
        options,
        time_limit=clock.remaining,
        previous_tables=previous_tables,
        stop=stop,
    )
    meetings = assemble.meetings(compiled, outcome.chosen, table_outcome.tables)
    unscheduled = unscheduled_reasons(compiled, outcome.chosen, table_outcome.tables)
    status = outcome.status
    if status == SolveStatus.OPTIMAL and wants_tables and not table_outcome.proven:
        status = SolveStatus.FEASIBLE
    draft = Schedule(event=event.name, status=status, meetings=meetings, unscheduled=unscheduled)
    measured = evaluate(event, draft, previous)
    values = outcome.values
    bound = bounds.scheduled_priority_bound(compiled)
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


def _without_schedule(
    event: Event,
    compiled,  # type: ignore[no-untyped-def]
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


def _previous_tables(compiled, previous: Schedule | None) -> dict[int, tuple[int, int]]:  # type: ignore[no-untyped-def]
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
