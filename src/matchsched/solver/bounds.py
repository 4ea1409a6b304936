"""Upper bounds on the scheduled priority, proven independently of the search.

The bound is a linear relaxation of the timetable solved with GLOP (OR-Tools' own LP solver).
Its variables ``y[k]`` say how much of request ``r`` takes place in one *option* ``k``: a
choice of attendees, place and session (the candidates of the request grouped by those three).
The rows are what any valid timetable must satisfy, counted per session instead of per slot:

- a request takes place at most once: ``sum_k y[k] <= 1`` over its options;
- a participant spends at most as many meeting-slots in a session as there are slots in that
  session where one of their candidates could run (and at most ``max_meetings_per_session``
  meetings there, at most ``max_meetings`` in the whole event);
- a location's shared pool holds at most ``tables x slots`` meeting-slots in a session (only
  slots where one of its candidates could run count); a fixed table at most ``slots``;
- a resource at most ``capacity x slots``.

Every valid timetable gives a feasible point, so the LP maximum is an upper bound. Rather than
trusting the LP solver's floating-point optimum, the module recomputes a bound from its dual
values: for any non-negative multipliers ``u`` of the capacity rows,
``u.b + sum_r max(0, max_k (priority_r - u.A_k))`` bounds the relaxation (Lagrangian duality),
so a slightly inexact dual still gives a valid bound. Its floor is reported.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from matchsched.solver.compile import Compiled

logger = logging.getLogger("matchsched")


def possible_priority(compiled: Compiled) -> int:
    """Total priority of the requests that have at least one way to take place."""
    counts = np.array([len(c) for c in compiled.request_candidates], dtype=np.int64)
    return int(compiled.request_priority[counts > 0].sum())


@dataclass
class Relaxation:
    """The session relaxation: its proven integer bound and what the LP says per request."""

    bound: int
    """Proven upper bound on the scheduled priority (floor of the Lagrangian bound)."""
    lp_value: float
    """The LP optimum as GLOP reports it (for information)."""
    request_value: np.ndarray
    """Per request: how much of it the LP schedules (0..1)."""
    request_profit: np.ndarray
    """Per request: its priority minus the dual price of its cheapest option (may be < 0)."""


@dataclass
class _Rows:
    """The relaxation as sparse triplets: ``A[row, option] * y[option] <= rhs[row]``."""

    option_request: np.ndarray
    row: np.ndarray
    column: np.ndarray
    coefficient: np.ndarray
    rhs: np.ndarray


def _options(compiled: Compiled, slot_period: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Group candidates into options (request, attendees, place, period).

    Candidates of a request come in runs of equal attendees and place with rising starts, so
    an option starts wherever one of the four keys changes from the previous candidate. (Were
    a key repeated later, it would merely make a second, equivalent column.)
    Returns the option of every candidate and the first candidate of every option.
    """
    period = slot_period[compiled.candidate_start]
    new = np.zeros(compiled.n_candidates, dtype=bool)
    new[0] = True
    for key in (
        compiled.candidate_request,
        compiled.candidate_variant,
        compiled.candidate_place,
        period,
    ):
        new[1:] |= key[1:] != key[:-1]
    return np.cumsum(new) - 1, np.flatnonzero(new)


def _busy_mask(
    compiled: Compiled, rows: np.ndarray, candidates: np.ndarray, n_rows: int
) -> np.ndarray:
    """bool[row, slot]: some candidate with that row covers the slot."""
    mask = np.zeros((n_rows, compiled.n_slots), dtype=bool)
    lengths = compiled.request_length[compiled.candidate_request[candidates]]
    for offset in range(int(lengths.max(initial=0))):
        long_enough = lengths > offset
        mask[rows[long_enough], compiled.candidate_start[candidates[long_enough]] + offset] = True
    return mask


def _rows(compiled: Compiled, slot_period: np.ndarray) -> _Rows:
    n_slots = compiled.n_slots
    n_sessions = int(slot_period.max()) + 1
    period_length = np.bincount(slot_period, minlength=n_sessions)
    session_period = slot_period[compiled.session_first_slot]
    period_sessions = np.bincount(session_period, minlength=n_sessions)
    _, first = _options(compiled, slot_period)
    option_request = compiled.candidate_request[first].astype(np.int64)
    option_session = slot_period[compiled.candidate_start[first]].astype(np.int64)
    option_place = compiled.candidate_place[first].astype(np.int64)
    option_length = compiled.request_length[option_request].astype(np.float64)
    rows: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    rhs: list[np.ndarray] = []
    next_row = 0

    def add(
        keys: np.ndarray,
        columns: np.ndarray,
        coefficients: np.ndarray,
        limit: Callable[[np.ndarray], np.ndarray],
    ) -> None:
        """One row per distinct key; ``limit(unique_keys)`` gives the right-hand sides."""
        nonlocal next_row
        if len(keys) == 0:
            return
        unique, inverse = np.unique(keys, return_inverse=True)
        bounds = np.asarray(limit(unique), dtype=np.float64)
        rows.append((inverse + next_row, columns, coefficients))
        rhs.append(bounds)
        next_row += len(unique)

    # Participants: meeting-slots per period, limited by the slots they could be busy in.
    n_people = len(compiled.participant_ids)
    members = compiled.variant_members
    width = members.shape[1]
    candidate_members = members[compiled.candidate_variant]
    everyone = np.arange(compiled.n_candidates)
    busy = np.zeros((n_people, n_slots), dtype=bool)
    for j in range(width):
        present = candidate_members[:, j] >= 0
        busy |= _busy_mask(compiled, candidate_members[present, j], everyone[present], n_people)
    usable = np.stack(
        [busy[:, slot_period == period].sum(axis=1) for period in range(n_sessions)], axis=1
    )
    option_members = members[compiled.candidate_variant[first]]
    present = option_members >= 0
    pair_option = np.nonzero(present)[0]
    pair_person = option_members[present]
    person_session = pair_person * n_sessions + option_session[pair_option]
    add(
        person_session,
        pair_option,
        option_length[pair_option],
        lambda keys: usable[keys // n_sessions, keys % n_sessions],
    )
    participants = compiled.event.participants
    per_session = np.array(
        [
            p.max_meetings_per_session if p.max_meetings_per_session is not None else -1
            for p in participants
        ],
        dtype=np.int64,
    )
    capped = per_session[pair_person] >= 0
    add(
        person_session[capped],
        pair_option[capped],
        np.ones(int(capped.sum())),
        lambda keys: per_session[keys // n_sessions] * period_sessions[keys % n_sessions],
    )
    total = np.array(
        [p.max_meetings if p.max_meetings is not None else -1 for p in participants], dtype=np.int64
    )
    capped = total[pair_person] >= 0
    add(
        pair_person[capped],
        pair_option[capped],
        np.ones(int(capped.sum())),
        lambda keys: total[keys],
    )

    # Places: the shared pool of a location, and fixed tables, per session.
    place_location = compiled.place_location
    place_table = compiled.place_table
    in_pool = compiled.place_in_pool
    pooled_candidates = np.flatnonzero(in_pool[compiled.candidate_place])
    pool_busy = _busy_mask(
        compiled,
        place_location[compiled.candidate_place[pooled_candidates]],
        pooled_candidates,
        len(compiled.location_ids),
    )
    pool_usable = np.stack(
        [pool_busy[:, slot_period == period].sum(axis=1) for period in range(n_sessions)], axis=1
    )
    tables = np.array([len(t) for t in compiled.pool_tables], dtype=np.float64)
    pooled = in_pool[option_place]
    columns = np.flatnonzero(pooled)
    add(
        place_location[option_place[columns]] * n_sessions + option_session[columns],
        columns,
        option_length[columns],
        lambda keys: (
            tables[keys // n_sessions] * pool_usable[keys // n_sessions, keys % n_sessions]
        ),
    )
    fixed = np.flatnonzero(place_table[option_place] > 0)
    add(
        option_place[fixed] * n_sessions + option_session[fixed],
        fixed,
        option_length[fixed],
        lambda keys: period_length[keys % n_sessions],
    )

    # Resources.
    resource_options: list[int] = []
    resource_ids: list[int] = []
    for k, r in enumerate(option_request.tolist()):
        for resource in compiled.request_resources[r]:
            resource_options.append(k)
            resource_ids.append(resource)
    if resource_options:
        columns = np.array(resource_options, dtype=np.int64)
        resource = np.array(resource_ids, dtype=np.int64)
        add(
            resource * n_sessions + option_session[columns],
            columns,
            option_length[columns],
            lambda keys: (
                compiled.resource_capacity[keys // n_sessions] * period_length[keys % n_sessions]
            ),
        )

    if rows:
        row = np.concatenate([r for r, _, _ in rows])
        column = np.concatenate([c for _, c, _ in rows])
        coefficient = np.concatenate([a for _, _, a in rows])
    else:
        row = column = np.zeros(0, dtype=np.int64)
        coefficient = np.zeros(0)
    return _Rows(
        option_request=option_request,
        row=row,
        column=column,
        coefficient=coefficient,
        rhs=np.concatenate(rhs) if rhs else np.zeros(0),
    )


def lagrangian_bound(rows: _Rows, priority: np.ndarray, multipliers: np.ndarray) -> float:
    """``u.b + sum_r max(0, max_k (priority_r - u.A_k))`` for multipliers ``u >= 0``."""
    multipliers = np.maximum(multipliers, 0.0)
    price = np.bincount(
        rows.column,
        weights=multipliers[rows.row] * rows.coefficient,
        minlength=len(rows.option_request),
    )
    profit = priority[rows.option_request] - price
    best = np.full(len(priority), -np.inf)
    np.maximum.at(best, rows.option_request, profit)
    return float(multipliers @ rows.rhs + np.maximum(best, 0.0)[np.isfinite(best)].sum())


PERIODS = ("session", "day", "event")
"""How finely the relaxation counts capacity: per session (tightest), per day, or per event."""


def relaxation(
    compiled: Compiled, *, period: str = "session", time_limit: float | None = None
) -> Relaxation:
    """Solve the relaxation (see the module docstring) and prove its bound.

    ``period`` says over which stretch of time capacities are counted: ``"session"`` gives
    the tightest bound, ``"event"`` the smallest LP (one column per request and place).
    """
    possible = possible_priority(compiled)
    n_requests = len(compiled.request_ids)
    priority = compiled.request_priority.astype(np.float64)
    fallback = Relaxation(
        bound=possible,
        lp_value=float(possible),
        request_value=np.array([1.0 if len(c) else 0.0 for c in compiled.request_candidates]),
        request_profit=priority.copy(),
    )
    if compiled.n_candidates == 0 or compiled.request_required.all():
        # Every request required: a valid timetable schedules them all, so the possible
        # priority is the exact bound and the LP has nothing to add.
        return fallback
    if period == "session":
        slot_period = compiled.slot_session
    elif period == "day":
        slot_period = compiled.slot_day
    elif period == "event":
        slot_period = np.zeros(compiled.n_slots, dtype=np.int32)
    else:
        raise ValueError(f"period: expected one of {PERIODS}, got {period!r}")
    rows = _rows(compiled, slot_period.astype(np.int64))
    solved = _solve_lp(rows, priority, n_requests, time_limit)
    if solved is None:
        return fallback
    lp_value, values, duals = solved
    # Whatever the solver's sign convention, each choice gives a valid bound: keep the best.
    candidates = [lagrangian_bound(rows, priority, duals), lagrangian_bound(rows, priority, -duals)]
    proven = min(candidates)
    bound = min(possible, math.floor(proven + 1e-6))
    n_options = len(rows.option_request)
    request_value = np.bincount(rows.option_request, weights=values, minlength=n_requests)
    sign = 1.0 if candidates[0] <= candidates[1] else -1.0
    multipliers = np.maximum(sign * duals, 0.0)
    price = np.bincount(
        rows.column, weights=multipliers[rows.row] * rows.coefficient, minlength=n_options
    )
    profit = np.full(n_requests, -np.inf)
    np.maximum.at(profit, rows.option_request, priority[rows.option_request] - price)
    profit[~np.isfinite(profit)] = 0.0
    logger.info(
        "bound: LP %.2f, proven %d (possible %d), %d options, %d rows",
        lp_value,
        bound,
        possible,
        n_options,
        len(rows.rhs),
    )
    return Relaxation(
        bound=bound,
        lp_value=lp_value,
        request_value=request_value,
        request_profit=profit,
    )


def _solve_lp(
    rows: _Rows, priority: np.ndarray, n_requests: int, time_limit: float | None
) -> tuple[float, np.ndarray, np.ndarray] | None:
    """Solve ``max priority.y`` over the rows with GLOP; the value, ``y`` and the duals.

    The model goes to GLOP as one protocol buffer, built from the arrays row by row: much
    faster than a call per coefficient. Requests with a single option need no row of their
    own (the variable's upper bound of one says it).
    """
    # Imported here: 0.04 s that events whose requests are all required never need.
    from ortools.linear_solver import linear_solver_pb2, pywraplp

    model = linear_solver_pb2.MPModelProto(maximize=True)
    model.variable.extend(
        linear_solver_pb2.MPVariableProto(lower_bound=0.0, upper_bound=1.0, objective_coefficient=p)
        for p in priority[rows.option_request].tolist()
    )
    options_per_request = np.bincount(rows.option_request, minlength=n_requests)
    several = options_per_request > 1
    request_row = np.cumsum(several) - 1 + len(rows.rhs)
    shared = np.flatnonzero(several[rows.option_request])
    row = np.concatenate([rows.row, request_row[rows.option_request[shared]]])
    column = np.concatenate([rows.column, shared])
    coefficient = np.concatenate([rows.coefficient, np.ones(len(shared))])
    rhs = np.concatenate([rows.rhs, np.ones(int(several.sum()))])
    order = np.argsort(row, kind="stable")
    row, column, coefficient = row[order], column[order], coefficient[order]
    boundaries = np.searchsorted(row, np.arange(len(rhs) + 1)).tolist()
    column_list, coefficient_list = column.tolist(), coefficient.tolist()
    for i, upper in enumerate(rhs.tolist()):
        constraint = model.constraint.add(lower_bound=-math.inf, upper_bound=upper)
        constraint.var_index.extend(column_list[boundaries[i] : boundaries[i + 1]])
        constraint.coefficient.extend(coefficient_list[boundaries[i] : boundaries[i + 1]])
    request = linear_solver_pb2.MPModelRequest(
        model=model, solver_type=linear_solver_pb2.MPModelRequest.GLOP_LINEAR_PROGRAMMING
    )
    if time_limit is not None:
        request.solver_time_limit_seconds = max(time_limit, 0.1)
    response = linear_solver_pb2.MPSolutionResponse()
    pywraplp.Solver.SolveWithProto(request, response)
    if response.status not in (
        linear_solver_pb2.MPSOLVER_OPTIMAL,
        linear_solver_pb2.MPSOLVER_FEASIBLE,
    ) or len(response.dual_value) != len(rhs):
        logger.info("bound: GLOP status %s, using the possible priority", response.status)
        return None
    values = np.array(response.variable_value, dtype=np.float64)
    duals = np.array(response.dual_value, dtype=np.float64)[: len(rows.rhs)]
    return float(response.objective_value), values, duals


def scheduled_priority_bound(
    compiled: Compiled, *, period: str = "session", time_limit: float | None = None
) -> int:
    """The best bound this module can prove: the relaxation's, at most the possible priority."""
    return relaxation(compiled, period=period, time_limit=time_limit).bound
