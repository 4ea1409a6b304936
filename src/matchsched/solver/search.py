"""Lexicographic search: optimise one goal level at a time, never giving back an earlier one."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import numpy as np
from ortools.sat.python import cp_model, cp_model_helper

from matchsched.options import Goal, SolveOptions
from matchsched.schedule import ProgressPoint, SolveStatus
from matchsched.solver import breaks as break_search
from matchsched.solver import maxsat
from matchsched.solver.cpsat.goals import FAIRNESS_SCALE
from matchsched.solver.cpsat.model import TimetableModel
from matchsched.solver.cpsat.relaxation import Relaxation, packing_relaxation
from matchsched.solver.cpsat.run import StopToken, solve_watched
from matchsched.solver.profiles import BreakProfiles

logger = logging.getLogger("matchsched")

ProgressCallback = Callable[[ProgressPoint], None]


class Clock:
    """Time since the solve started, and what is left of the limit."""

    def __init__(self, limit: float | None) -> None:
        self.started = time.perf_counter()
        self.limit = limit

    @property
    def elapsed(self) -> float:
        """Seconds since the start."""
        return time.perf_counter() - self.started

    @property
    def remaining(self) -> float | None:
        """Seconds left, or ``None`` without a limit."""
        return None if self.limit is None else max(0.0, self.limit - self.elapsed)


@dataclass
class SearchOutcome:
    """The result of the timetable search."""

    status: SolveStatus
    chosen: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    values: dict[Goal, int] = field(default_factory=dict)
    scheduled_bound: int | None = None
    progress: list[ProgressPoint] = field(default_factory=list)


class _Progress(cp_model.CpSolverSolutionCallback):
    def __init__(
        self,
        stage: str,
        sign: int,
        clock: Clock,
        sink: list[ProgressPoint],
        callback: ProgressCallback | None,
    ) -> None:
        super().__init__()
        self.stage, self.sign, self.clock, self.sink, self.callback = (
            stage,
            sign,
            clock,
            sink,
            callback,
        )

    def on_solution_callback(self) -> None:
        self.report(self.objective_value, self.best_objective_bound)

    def report(self, value: float | None, bound: float) -> None:
        """A point now, from the objective's value (``None``: no schedule yet) and bound as
        the model has them."""
        # Fairness is optimised in thousandths; show it as the share it is.
        scale = self.sign / FAIRNESS_SCALE if self.stage == Goal.FAIRNESS.value else self.sign
        point = ProgressPoint(
            elapsed_s=round(self.clock.elapsed, 3),
            stage=self.stage,
            value=None if value is None else scale * value,
            bound=scale * bound,
        )
        self.sink.append(point)
        if self.callback is not None:
            self.callback(point)


class _BudgetProgress:
    """Progress of the breaks' budget search, which has no single solve to watch: a point
    each time its proven bound rises or one of its steps finds a schedule with fewer breaks,
    and the optimum last. Its steps call it from their own threads (the solvers', RC2's
    reader); nothing is reported after the optimum."""

    def __init__(self, progress: _Progress, lower: int) -> None:
        self.progress = progress
        self.bound = lower
        self.best: int | None = None
        self.proven = False
        self._lock = threading.Lock()

    def rose(self, bound: int) -> None:
        with self._lock:
            if not self.proven and bound > self.bound:
                self.bound = bound
                self.progress.report(self.best, bound)

    def found(self, value: int) -> None:
        with self._lock:
            if not self.proven and (self.best is None or value < self.best):
                self.best = value
                self.progress.report(value, self.bound)

    def optimum(self, value: int) -> None:
        with self._lock:
            self.proven = True
            self.best = self.bound = value
            self.progress.report(value, value)


def _parameters(
    solver: cp_model.CpSolver,
    options: SolveOptions,
    time_limit: float | None,
    defaults: dict[str, Any] | None = None,
) -> None:
    parameters = solver.parameters
    parameters.num_workers = options.workers
    parameters.random_seed = options.seed
    parameters.log_search_progress = options.log
    parameters.catch_sigint_signal = False
    if time_limit is not None:
        parameters.max_time_in_seconds = max(time_limit, 0.01)
    # Our defaults for a kind of solve first, the user's parameters last (they win).
    chosen = {**(defaults or {}), **options.cpsat_parameters}
    if "subsolvers" in chosen and options.workers < 2:
        chosen.pop("num_full_subsolvers", None)
    for name, value in chosen.items():
        field_value = getattr(parameters, name)  # raises AttributeError for unknown names
        if isinstance(field_value, (int, float, bool, str)):
            setattr(parameters, name, value)
        else:
            field_value.extend(value) if isinstance(value, list) else field_value.CopyFrom(value)
    if options.log:
        solver.log_callback = logger.info


def lexicographic_search(
    timetable: TimetableModel,
    options: SolveOptions,
    clock: Clock,
    *,
    reserve: float = 0.0,
    progress: ProgressCallback | None = None,
    stop: StopToken | None = None,
    hint: np.ndarray | None = None,
) -> SearchOutcome:
    """Optimise each timetable goal level in turn; fix it; go on to the next.

    ``reserve`` seconds of the time limit are left for the table phase. A level whose
    optimum is not proven in time is fixed at its best value found, and the final status is
    then ``feasible``.
    """
    model = timetable.model
    levels = [
        {goal: weight for goal, weight in level.items() if goal in timetable.goals}
        for level in options.levels
    ]
    levels = [level for level in levels if level and not _constant(timetable, level)]
    if not levels:
        levels = [{}]  # find any valid timetable
    outcome = SearchOutcome(status=SolveStatus.UNKNOWN)
    all_proven = True
    solved_any = False
    if hint is not None:
        _hint(timetable, hint)
    for position, level in enumerate(levels):
        if stop is not None and stop.stopped and solved_any:
            all_proven = False
            break
        expression = sum(
            weight * (-1 if goal.maximise else 1) * timetable.goals[goal]
            for goal, weight in level.items()
        )
        stage = "+".join(goal.value for goal in level) or "feasibility"
        # Progress shows the goal's own value: negate back for a single maximised goal.
        sign = -1 if len(level) == 1 and next(iter(level)).maximise else 1
        if level:
            model.minimize(expression)
        budget = _budget(clock, reserve, len(levels) - position)
        callback = _Progress(stage, sign, clock, outcome.progress, progress) if level else None
        if _by_budget(timetable, level):
            status, solver = _breaks_by_budget(
                timetable, options, clock, budget, expression, callback, stop
            )
        else:
            solver = cp_model.CpSolver()
            _parameters(solver, options, budget)
            status = solve_watched(solver, model, stop, callback)
        logger.info("stage %s: %s in %.2fs", stage, solver.status_name(status), clock.elapsed)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            solved_any = True
            outcome.chosen = timetable.chosen(solver)
            for goal, goal_expression in timetable.goals.items():
                outcome.values[goal] = int(solver.value(goal_expression))
            if Goal.SCHEDULED in level and len(level) == 1:
                outcome.scheduled_bound = round(-solver.best_objective_bound)
            if status == cp_model.FEASIBLE:
                all_proven = False
            if level:
                model.add(expression <= int(solver.value(expression)))
            _hint(timetable, outcome.chosen)
        elif status == cp_model.INFEASIBLE:
            if not solved_any:
                outcome.status = SolveStatus.INFEASIBLE
                return outcome
            all_proven = False
            break
        elif status == cp_model.MODEL_INVALID:
            raise RuntimeError(f"internal error: invalid CP-SAT model ({model.validate()})")
        else:  # UNKNOWN: out of time before a solution at this level
            all_proven = False
            if not solved_any:
                return outcome
            break
    outcome.status = SolveStatus.OPTIMAL if all_proven else SolveStatus.FEASIBLE
    return outcome


def _by_budget(timetable: TimetableModel, level: dict[Goal, int]) -> bool:
    """The strong break model optimises a breaks-only level by budgets (docs/jair.md) when
    every request is required: only then does every participant have a proven minimum and a
    fixed workload, so that the budgets start near the optimum. With optional requests the
    minima bound little (the shipped example: 0 against 23 to 25 breaks found), the probes
    below what a timetable can reach are spent time, and a hinted optimisation finds fewer
    breaks (docs/decisions.md)."""
    return (
        list(level) == [Goal.BREAKS]
        and bool(timetable.breaks.literals)
        and bool(timetable.compiled.request_required.all())
    )


def _breaks_by_budget(
    timetable: TimetableModel,
    options: SolveOptions,
    clock: Clock,
    time_limit: float | None,
    expression: cp_model.LinearExprT,
    callback: _Progress | None,
    stop: StopToken | None,
) -> tuple[Any, cp_model.CpSolver]:
    """Budget probes from the proven lower bound up; then, if time is left, plain optimisation.

    Returns a CP-SAT status and a solver that holds the schedule (when there is one).
    """
    model = timetable.model
    structure = timetable.breaks.structure
    lower = sum(structure.minimum.values()) if structure is not None else 0
    deadline = None if time_limit is None else clock.elapsed + time_limit

    def remaining() -> float | None:
        if stop is not None and stop.stopped:
            return 0.0
        return None if deadline is None else max(0.0, deadline - clock.elapsed)

    def configure(
        solver: cp_model.CpSolver, limit: float | None, parameters: dict[str, object]
    ) -> None:
        _parameters(solver, options, limit, parameters)

    reported = _BudgetProgress(callback, lower) if callback is not None else None

    def on_bound(bound: int) -> None:
        logger.info("breaks: no schedule with fewer than %d breaks", bound)
        if reported is not None:
            reported.rose(bound)

    rc2 = _maxsat(timetable, options)
    found = break_search.budget_search(
        model,
        expression,
        lower,
        configure=configure,
        remaining=remaining,
        on_bound=on_bound,
        on_found=reported.found if reported is not None else None,
        split=_participant_split(timetable, options),
        stop=stop,
        workers=options.workers,
        relaxation=_relaxation(timetable, options) if rc2 is None else None,
        profiles=_profiles(timetable, options),
        maxsat=rc2,
    )
    if found.status == cp_model.OPTIMAL and found.solver is not None:
        if reported is not None:
            reported.optimum(found.value or 0)
        return cp_model.OPTIMAL, found.solver
    if found.status == cp_model.INFEASIBLE:
        return cp_model.INFEASIBLE, cp_model.CpSolver()
    # Out of probing time: optimise with the rest, from the proven bound and any schedule.
    fallback = break_search.minimising_from(model, expression, found.lower)
    if found.solver is not None:
        fallback.clear_hints()
        for variable in timetable.x:
            fallback.add_hint(variable, found.solver.boolean_value(variable))
    solver = cp_model.CpSolver()
    _parameters(solver, options, remaining())
    status = solve_watched(solver, fallback, stop, callback)
    if status == cp_model.UNKNOWN and found.solver is not None:
        return cp_model.FEASIBLE, found.solver
    return status, solver


def _relaxation(timetable: TimetableModel, options: SolveOptions) -> Relaxation | None:
    """The window-packing relaxation, for events whose requests are all required.

    With an optional request the relaxation may leave meetings out, the levels optimised
    before the breaks (scheduled priority first) are not in it, and its bound says little;
    on a large event it would cost a model as big as the timetable's for nothing. With one
    worker it has no core to run on. Beside RC2 (the caller's choice) it is not asked: RC2's
    cores raise the bound as it would, and its thread took the first probe's time (docs/jair.md).
    """
    structure = timetable.breaks.structure
    if structure is None or not _relaxation_applies(timetable, options):
        return None
    return packing_relaxation(timetable.compiled, timetable.occupancy, structure)


def _relaxation_applies(timetable: TimetableModel, options: SolveOptions) -> bool:
    """The strong break model, two workers or more, and every request required."""
    return (
        timetable.breaks.structure is not None
        and options.workers >= 2
        and bool(timetable.compiled.request_required.all())
    )


def _profiles(
    timetable: TimetableModel, options: SolveOptions
) -> Callable[[], BreakProfiles] | None:
    """Builds the break profiles (a table-free twin of the model) when the race first needs
    them, for the same events as the relaxation."""
    if not _relaxation_applies(timetable, options):
        return None
    return partial(timetable.break_profiles, options)


def _maxsat(timetable: TimetableModel, options: SolveOptions) -> break_search.MaxSat | None:
    """RC2 on the event's clauses for the race, when ``python-sat`` is installed, the option
    allows it, and the event is one the encoding covers (:func:`maxsat.applies`)."""
    compiled = timetable.compiled
    if not (options.maxsat and maxsat.available() and maxsat.applies(compiled, options)):
        return None

    encoding = threading.Lock()
    encoded: list[maxsat.WeightedCnf] = []

    def clauses_once() -> maxsat.WeightedCnf:
        """The clauses, written once: after a case split the race starts RC2 again."""
        with encoding:
            if not encoded:
                encoded.append(maxsat.encode(compiled, timetable.occupancy, options))
            return encoded[0]

    def solve(
        stopped: Callable[[], bool], time_limit: float | None, on_bound: Callable[[int], None]
    ) -> tuple[int, list[tuple[cp_model.IntVar, bool]]] | None:
        started = time.perf_counter()
        clauses = clauses_once()
        if stopped():
            return None
        if time_limit is not None:
            time_limit = max(0.0, time_limit - (time.perf_counter() - started))
        answer = maxsat.solve(clauses, stopped, time_limit, on_bound)
        if answer is None:
            return None
        chosen = np.zeros(compiled.n_candidates, dtype=bool)
        chosen[answer.chosen] = True
        return answer.breaks, list(zip(timetable.x, chosen.tolist(), strict=True))

    return solve


def _participant_split(
    timetable: TimetableModel, options: SolveOptions
) -> break_search.ParticipantSplit | None:
    """Cases for the budget one above the minima: participants with the busiest days first.

    A long fixed day leaves the fewest ways to place it without a break, so its owner is
    the likeliest to need one. Solves run side by side, one CP-SAT worker each.
    """
    breaks = timetable.breaks
    structure = breaks.structure
    if structure is None or not breaks.per_participant:
        return None
    counts = dict(breaks.per_participant)
    workload = structure.fixed_workload
    order = sorted(counts, key=lambda person: (-workload.get(person, 0), person))
    single = options.model_copy(update={"workers": 1})

    def configure(solver: cp_model.CpSolver, limit: float | None, lp: bool) -> None:
        _parameters(solver, single, limit, None if lp else break_search.NO_LP_PARAMETERS)

    return break_search.ParticipantSplit(
        counts=counts,
        minimum=dict(structure.minimum),
        order=order,
        configure=configure,
        workers=options.workers,
    )


def _constant(timetable: TimetableModel, level: dict[Goal, int]) -> bool:
    """True when no goal of the level depends on a variable (nothing to optimise)."""
    return all(_is_constant(timetable.goals[goal]) for goal in level)


def _is_constant(expression: cp_model.LinearExprT) -> bool:
    if isinstance(expression, (int, np.integer)):
        return True
    return len(cp_model_helper.FlatIntExpr(expression).vars) == 0


def _budget(clock: Clock, reserve: float, levels_left: int) -> float | None:
    """Time for the next level: the first level gets twice the share of a later one."""
    remaining = clock.remaining
    if remaining is None:
        return None
    usable = max(0.0, remaining - reserve)
    if levels_left <= 1:
        return usable
    return usable * 2 / (levels_left + 1)


def _hint(timetable: TimetableModel, chosen: np.ndarray) -> None:
    model = timetable.model
    model.clear_hints()
    values = np.zeros(len(timetable.x), dtype=bool)
    values[chosen] = True
    for variable, value in zip(timetable.x, values, strict=True):
        model.add_hint(variable, bool(value))
