"""Wire variables, hard rules and goals into one CP-SAT timetable model."""

from __future__ import annotations

import dataclasses

import numpy as np
from ortools.sat.python import cp_model

from matchsched.options import Goal, SolveOptions
from matchsched.schedule import Schedule
from matchsched.solver.compile import Compiled
from matchsched.solver.cpsat import constraints, goals
from matchsched.solver.cpsat.variables import occupancy
from matchsched.solver.profiles import BreakProfiles


class TimetableModel:
    """The time-indexed model: one Boolean per candidate (request, attendees, place, start).

    Parameters
    ----------
    compiled
        The event as arrays.
    options
        Goals and the break options decide which parts are built.
    previous
        A previous schedule, for the stability goal and ``lock_previous``.
    assumptions
        Build the "must" rules (required requests, ``min_meetings``, ``lock_previous``) as
        implications of assumption literals, recorded in :attr:`assumptions`, so that an
        infeasible event can be explained by a small set of them (solver/explain.py).
    table_limits
        ``False`` leaves out rule 2 (a table holds one meeting per slot) and the cumulative
        over the tables: a relaxation whose timetables may need more tables than the event
        has, for listing who takes the breaks (solver/profiles.py).
    """

    def __init__(
        self,
        compiled: Compiled,
        options: SolveOptions,
        previous: Schedule | None = None,
        *,
        assumptions: bool = False,
        table_limits: bool = True,
    ) -> None:
        required = compiled.request_required
        if assumptions:
            # Every part of the model sees optional requests; "required" is added below,
            # under assumptions, so no implied constraint can rely on it.
            compiled = dataclasses.replace(compiled, request_required=np.zeros_like(required))
        self.compiled = compiled
        self.model = cp_model.CpModel()
        model = self.model
        self.x = [model.new_bool_var(f"x{c}") for c in range(compiled.n_candidates)]
        self.occupancy = occupancy(compiled)
        self.scheduled = constraints.one_meeting_per_request(model, compiled, self.x)
        self.assumptions: dict[int, tuple[str, int]] = {}
        """Assumption literal index -> (kind, index): ``("required", request)``,
        ``("min_meetings", participant)`` or ``("lock", previous meeting)``."""
        self._explaining = assumptions
        if assumptions:
            for r in np.flatnonzero(required).tolist():
                must = self._assume("required", r)
                if isinstance(self.scheduled[r], int):  # no way to hold it at all
                    model.add_bool_or([must.negated()])
                else:
                    model.add_implication(must, self.scheduled[r])
        order = options.goal_order
        wants_breaks = (
            Goal.BREAKS in order
            or options.max_breaks is not None
            or options.max_break_spread is not None
        )
        self.breaks = (
            goals.build_breaks(
                model,
                compiled,
                self.occupancy,
                strong=options.formulation == "strong",
                max_breaks=options.max_breaks,
            )
            if wants_breaks
            else goals.Breaks()
        )
        constraints.one_meeting_per_participant_slot(
            model, compiled, self.x, self.occupancy, self.breaks.busy
        )
        if table_limits:
            constraints.table_capacity(model, compiled, self.x)
        if self.breaks.structure is not None:
            goals.busy_per_slot(model, compiled, self.breaks, self.x, table_limits=table_limits)
        constraints.resource_capacity(model, compiled, self.x)
        constraints.meeting_limits(model, compiled, self.x, self.occupancy)
        constraints.precedences(model, compiled, self.x, self.scheduled)
        goals.bound_breaks(
            model,
            compiled,
            self.breaks,
            self.occupancy,
            self.x,
            max_breaks=options.max_breaks,
            max_break_spread=options.max_break_spread,
        )
        if options.min_meetings:
            self._min_meetings(options.min_meetings)

        self.kept_candidates: list[np.ndarray] = []
        if previous is not None:
            self.kept_candidates = kept_candidates(compiled, previous)
            if options.lock_previous:
                for position, kept in enumerate(self.kept_candidates):
                    if not len(kept):
                        continue
                    if assumptions:
                        model.add(sum(self.x[c] for c in kept) == 1).only_enforce_if(
                            self._assume("lock", position)
                        )
                    else:
                        model.add_exactly_one(self.x[c] for c in kept)

        self.goals: dict[Goal, cp_model.LinearExprT] = {
            Goal.SCHEDULED: goals.scheduled_priority(compiled, self.scheduled),
            Goal.PREFERENCES: goals.unpreferred(compiled, self.x),
        }
        if Goal.BREAKS in order or wants_breaks:
            self.goals[Goal.BREAKS] = self.breaks.total
        if Goal.FAIRNESS in order:
            self.goals[Goal.FAIRNESS] = goals.fairness(model, compiled, self.scheduled)
        if previous is not None:
            keeping = [self.x[c] for candidates in self.kept_candidates for c in candidates]
            self.goals[Goal.STABILITY] = len(self.kept_candidates) - sum(keeping)

    def _min_meetings(self, minimum: int) -> None:
        """Every participant with schedulable requests meets at least ``minimum`` times.

        A participant's own requests are those that name them directly (decisions.md); a
        member of an organization is not promised meetings made to the organization, but
        such meetings count towards the minimum when the member attends them.
        """
        compiled = self.compiled
        own: dict[int, int] = {}
        for r, request in enumerate(compiled.event.requests):
            if len(compiled.request_candidates[r]) == 0:
                continue
            for party in request.participants:
                person = compiled.participant_index.get(party)
                if person is not None:
                    own[person] = own.get(person, 0) + 1
        for person, candidates in self.occupancy.by_participant:
            wanted = min(minimum, own.get(person, 0))
            if wanted:
                constraint = self.model.add(sum(self.x[c] for c in candidates) >= wanted)
                if self._explaining:
                    constraint.only_enforce_if(self._assume("min_meetings", person))

    def _assume(self, kind: str, index: int) -> cp_model.IntVar:
        """A new assumption literal standing for one "must" rule."""
        literal = self.model.new_bool_var(f"assume_{kind}_{index}")
        self.model.add_assumption(literal)
        self.assumptions[literal.index] = (kind, index)
        return literal

    def break_profiles(self, options: SolveOptions) -> BreakProfiles:
        """Who takes the breaks (solver/profiles.py): this model's break counts beside those
        of a twin without the table rule, built with ``options`` (the strong model's)."""
        structure = self.breaks.structure
        if structure is None:
            raise ValueError("break profiles need the strong break model")
        twin = TimetableModel(self.compiled, options, table_limits=False)
        return BreakProfiles(
            table_free=twin.model,
            free_total=twin.breaks.total,
            free_counts=dict(twin.breaks.per_participant),
            counts=dict(self.breaks.per_participant),
            minimum=dict(structure.minimum),
        )

    def chosen(self, solver: cp_model.CpSolver) -> np.ndarray:
        """Indices of the candidates that are true in the solver's solution."""
        values = np.fromiter(
            (solver.boolean_value(v) for v in self.x), dtype=bool, count=len(self.x)
        )
        return np.flatnonzero(values)


def kept_candidates(compiled: Compiled, previous: Schedule) -> list[np.ndarray]:
    """For each previous meeting whose request still exists: the candidates that keep it.

    A candidate keeps a meeting when it has the same attendees, start slot and location
    (and table, for a fixed table); the table phase then prefers the old pool table.
    """
    request_position = {rid: r for r, rid in enumerate(compiled.request_ids)}
    location_position = {lid: i for i, lid in enumerate(compiled.location_ids)}
    session_position = {sid: i for i, sid in enumerate(compiled.session_ids)}
    kept: list[np.ndarray] = []
    for meeting in previous.meetings:
        r = request_position.get(meeting.request)
        if r is None:
            continue
        matches: list[int] = []
        session = session_position.get(meeting.session)
        location = location_position.get(meeting.location)
        if session is not None and location is not None:
            start = int(compiled.session_first_slot[session]) + meeting.slot
            attendees = tuple(compiled.participant_index.get(a, -1) for a in meeting.attendees)
            for c in compiled.request_candidates[r]:
                place = compiled.places[compiled.candidate_place[c]]
                if (
                    compiled.candidate_start[c] == start
                    and compiled.attendees(c) == attendees
                    and place.location == location
                    and (place.is_pool or place.table == meeting.table)
                ):
                    matches.append(int(c))
        kept.append(np.array(matches, dtype=np.int64))
    return kept
