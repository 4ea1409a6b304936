"""Large events: construction, then large neighbourhood search over small CP-SAT models.

The time-indexed model has one Boolean per candidate; at 2,000 participants that is 650,000
of them, and CP-SAT stalls well short of the optimum. Here the full model is never built:

1. :func:`~matchsched.solver.heuristics.construct` gives a valid timetable in seconds,
   guided by the relaxation of :mod:`~matchsched.solver.bounds`; a repair pass follows.
2. Each LNS step frees a *neighbourhood*: a few hundred requests around some participants
   (a participant, their partners, the partners' partners, ...). Every other meeting stays
   where it is; the freed requests may take any candidate that fits next to them. That small
   CP-SAT model (a few thousand Booleans) is solved with a short limit, starting from the
   current placement as a hint.
3. The sub-model's objective is the lexicographic order of the options made into one
   weighted sum, each level weighted above the whole range of the levels after it within the
   neighbourhood (scheduled priority, then fairness, breaks, unpreferred slots, in the default
   order), so a sub-solve never trades an earlier goal for a later one. A step is kept only
   when the whole timetable is at least as good, goal by goal (:func:`_levels`), so the search
   never gets worse.

Fairness at scale is the exact global goal inside each neighbourhood: the smallest share of any
party outside the neighbourhood is a constant cap, and those inside are constrained by the
sub-model. It is therefore optimised as the second level throughout, but only as far as
neighbourhoods around the worst-off parties reach.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass, field
from itertools import chain

import numpy as np
from ortools.sat.python import cp_model

from matchsched.options import Goal, SolveOptions
from matchsched.schedule import ProgressPoint, Schedule, SolveStatus
from matchsched.solver.bounds import Relaxation
from matchsched.solver.compile import Compiled
from matchsched.solver.cpsat.goals import FAIRNESS_SCALE
from matchsched.solver.cpsat.run import StopToken, solve_watched
from matchsched.solver.heuristics import (
    Layout,
    Timetable,
    construction_order,
    greedy,
    participant_breaks,
    repair,
)
from matchsched.solver.search import Clock, ProgressCallback, SearchOutcome

logger = logging.getLogger("matchsched")

LARGE_EVENT_CANDIDATES = 20_000
"""Events with more candidates than this are solved by construction and LNS; smaller ones
by the full time-indexed model (with the construction as its hint)."""

HINT_FULL_MODEL = True
"""Start the full model of smaller events from the construction heuristic's timetable."""

SUPPORTED_GOALS = (Goal.SCHEDULED, Goal.FAIRNESS, Goal.BREAKS, Goal.PREFERENCES)
"""Timetable goals the neighbourhood models optimise (table changes follow in the table phase)."""

FIRST_NEIGHBOURHOOD = 150
"""Requests freed by the first LNS step; later steps adapt the size to how fast they solve."""
STEP_SECONDS = 1.0
"""Time limit of one neighbourhood solve."""


FINISH_SECONDS_PER_REQUEST = 2e-5
FINISH_SECONDS_PER_CANDIDATE = 5.5e-7
"""What follows the search costs per request and per candidate: the table phase's greedy pass,
assembling the schedule, the reasons for unscheduled requests (each of whose candidates is
analysed) and evaluating the goals. Set 10 % above the costs measured on a busy 2-core machine,
whether the construction placed every request, 30 % of them or none: 2.4-3.4 s for the
brokerage event of 10,000 participants (33 candidates per request), 4.3-4.7 s for a trade fair
of 10,000 (58 candidates per request), 0.2-0.3 s at 1,000 participants."""


def finishing_seconds(compiled: Compiled) -> float:
    """Time to keep after the LNS for the table phase and the final assembly."""
    return (
        FINISH_SECONDS_PER_REQUEST * len(compiled.request_ids)
        + FINISH_SECONDS_PER_CANDIDATE * compiled.n_candidates
    )


def table_seconds(compiled: Compiled, remaining: float | None) -> float:
    """Time limit for the table phase of a large event: its greedy pass only.

    The table phase's CP-SAT models take seconds to build at this size (3 s at 2,000
    participants) and improved nothing in 5 s, so large events keep the greedy assignment
    (each meeting at the table one of its attendees just used, when free).
    """
    del compiled, remaining
    return 0.01


def suits(compiled: Compiled, options: SolveOptions, previous: Schedule | None) -> bool:
    """True when ``compiled`` is large and the options need nothing only the full model has.

    ``max_breaks``, ``max_break_spread`` and ``min_meetings`` keep the full model at any
    size. Re-scheduling a large event keeps every still-possible previous meeting in place
    (see :class:`LargeSearch`).
    """
    return (
        compiled.n_candidates > LARGE_EVENT_CANDIDATES
        and options.max_breaks is None
        and options.max_break_spread is None
        and not options.min_meetings
        and all(
            goal in SUPPORTED_GOALS or goal in (Goal.TABLE_CHANGES, Goal.STABILITY)
            for goal in options.goal_order
        )
    )


class _Links:
    """Pairs of a request and a party or participant, with the partners of each at hand."""

    def __init__(self, request: np.ndarray, other: np.ndarray, n_requests: int, n_others: int):
        self.request, self.other = request, other
        by_request = np.lexsort((other, request))
        self._others = other[by_request]
        self._request_bounds = np.searchsorted(request[by_request], np.arange(n_requests + 1))
        by_other = np.lexsort((request, other))
        self._requests = request[by_other]
        self._other_bounds = np.searchsorted(other[by_other], np.arange(n_others + 1))

    def of_request(self, r: int) -> list[int]:
        """The parties (or participants) of request ``r``, in increasing order."""
        return self._others[self._request_bounds[r] : self._request_bounds[r + 1]].tolist()

    def of_other(self, q: int) -> list[int]:
        """The requests of party (or participant) ``q``, in increasing order."""
        return self._requests[self._other_bounds[q] : self._other_bounds[q + 1]].tolist()


@dataclass
class _RequestParties:
    """One pair per party of every request: the request, and the party (an index into ids)."""

    request: np.ndarray
    party: np.ndarray
    ids: list[str]
    """Party ids in order of first use."""

    @classmethod
    def of(cls, compiled: Compiled) -> _RequestParties:
        requests = compiled.event.requests
        names = list(chain.from_iterable(request.participants for request in requests))
        index: dict[str, int] = {}
        party = np.array([index.setdefault(name, len(index)) for name in names], dtype=np.int64)
        sizes = [len(request.participants) for request in requests]
        return cls(np.repeat(np.arange(len(requests)), sizes), party, list(index))


@dataclass
class _Parties:
    """Fairness bookkeeping: which parties each request counts for, and their requested priority."""

    links: _Links
    requested: np.ndarray

    @classmethod
    def of(cls, compiled: Compiled, pairs: _RequestParties, schedulable: np.ndarray) -> _Parties:
        """The parties of the requests that can take place (numbered in order of first use)."""
        counted = schedulable[pairs.request]
        request, named = pairs.request[counted], pairs.party[counted]
        distinct, first, party = np.unique(named, return_index=True, return_inverse=True)
        renumber = np.empty(len(distinct), dtype=np.int64)
        renumber[np.argsort(first)] = np.arange(len(distinct))
        party = renumber[party.reshape(-1)]
        requested = np.bincount(
            party, weights=compiled.request_priority[request], minlength=len(distinct)
        ).astype(np.int64)
        return cls(_Links(request, party, len(compiled.request_ids), len(distinct)), requested)

    def got(self, compiled: Compiled, chosen: np.ndarray) -> np.ndarray:
        request, party = self.links.request, self.links.other
        weights = compiled.request_priority[request] * (chosen[request] >= 0)
        return np.bincount(party, weights=weights, minlength=len(self.requested)).astype(np.int64)

    def shares(self, compiled: Compiled, chosen: np.ndarray) -> np.ndarray:
        """Per party: scheduled share in thousandths, rounded down (as the full model)."""
        return FAIRNESS_SCALE * self.got(compiled, chosen) // np.maximum(self.requested, 1)


def _attendance(compiled: Compiled, pairs: _RequestParties) -> _Links:
    """Per participant, the requests they may attend (organization parties: every member)."""
    members: dict[str, list[int]] = {}
    for i, participant in enumerate(compiled.event.participants):
        if participant.organization is not None:
            members.setdefault(participant.organization, []).append(i)
    people = [
        [compiled.participant_index[name]]
        if name in compiled.participant_index
        else members.get(name, [])
        for name in pairs.ids
    ]
    count = np.array([len(p) for p in people], dtype=np.int64)
    first = np.concatenate(([0], np.cumsum(count)[:-1])).astype(np.int64)
    flat = np.array(list(chain.from_iterable(people)), dtype=np.int64)
    per_pair = count[pairs.party]
    within = np.arange(int(per_pair.sum())) - np.repeat(np.cumsum(per_pair) - per_pair, per_pair)
    person = flat[np.repeat(first[pairs.party], per_pair) + within]
    request = np.repeat(pairs.request, per_pair)
    return _Links(request, person, len(compiled.request_ids), len(compiled.participant_ids))


@dataclass
class _State:
    """The incumbent timetable and its goal values, kept up to date step by step."""

    timetable: Timetable
    breaks: np.ndarray
    values: dict[Goal, int] = field(default_factory=dict)


class LargeSearch:
    """Construction and LNS for one event (see the module docstring)."""

    def __init__(
        self,
        compiled: Compiled,
        options: SolveOptions,
        relaxation: Relaxation,
        *,
        layout: Layout | None = None,
        kept: list[np.ndarray] | None = None,
    ) -> None:
        self.compiled = compiled
        self.kept = kept or []
        """Per previous meeting: the candidates that keep it where it was (re-scheduling)."""
        self.frozen = np.zeros(len(compiled.request_ids), dtype=bool)
        self.options = options
        self.relaxation = relaxation
        self.layout = layout or Layout.of(compiled)
        self.rng = np.random.default_rng(options.seed)
        self.goals = [g for g in options.goal_order if g in SUPPORTED_GOALS]
        self.levels = [
            {g: w for g, w in level.items() if g in SUPPORTED_GOALS} for level in options.levels
        ]
        self.levels = [level for level in self.levels if level]
        self.schedulable = (
            np.bincount(compiled.candidate_request, minlength=len(compiled.request_ids)) > 0
        )
        pairs = _RequestParties.of(compiled)
        self.parties = (
            _Parties.of(compiled, pairs, self.schedulable) if Goal.FAIRNESS in self.goals else None
        )
        self.attendance = _attendance(compiled, pairs)
        self.size = FIRST_NEIGHBOURHOOD

    # -- goal values -------------------------------------------------------------------------

    def evaluate(self, timetable: Timetable, breaks: np.ndarray) -> dict[Goal, int]:
        """The supported goals' values of ``timetable`` (breaks given per participant)."""
        chosen = timetable.chosen
        values = {Goal.SCHEDULED: timetable.priority(), Goal.BREAKS: int(breaks.sum())}
        placed = chosen[chosen >= 0]
        values[Goal.PREFERENCES] = int(self.layout.candidate_unpreferred[placed].sum())
        if self.parties is not None:
            shares = self.parties.shares(self.compiled, chosen)
            values[Goal.FAIRNESS] = int(shares.min(initial=FAIRNESS_SCALE))
        return values

    def _levels(self, values: dict[Goal, int]) -> tuple[int, ...]:
        """The lexicographic key to maximise."""
        return tuple(
            sum(w * (values[g] if g.maximise else -values[g]) for g, w in level.items())
            for level in self.levels
        )

    # -- the search --------------------------------------------------------------------------

    def run(
        self,
        clock: Clock,
        *,
        reserve: float,
        progress: ProgressCallback | None,
        stop: StopToken | None,
    ) -> SearchOutcome:
        """Construct, repair and improve until the time (minus ``reserve``) is up."""
        compiled = self.compiled
        outcome = SearchOutcome(status=SolveStatus.UNKNOWN, scheduled_bound=self.relaxation.bound)

        def deadline_left() -> float:
            remaining = clock.remaining
            return math.inf if remaining is None else remaining - reserve

        def report(state: _State) -> None:
            point = ProgressPoint(
                elapsed_s=round(clock.elapsed, 3),
                stage=Goal.SCHEDULED.value,
                value=float(state.values[Goal.SCHEDULED]),
                bound=float(self.relaxation.bound),
            )
            outcome.progress.append(point)
            if progress is not None:
                progress(point)

        order = construction_order(compiled, self.relaxation.request_value)
        # The construction stops when the search time is up: what it placed is still valid.
        deadline = time.perf_counter() + deadline_left()
        if self.kept:
            timetable = self._keep_previous(order, deadline)
        else:
            timetable = greedy(compiled, order, layout=self.layout, deadline=deadline)
        missing = compiled.request_required & (timetable.chosen < 0)
        if missing.any():
            logger.info("large search: construction left %d required request(s)", missing.sum())
            return outcome
        state = _State(timetable, participant_breaks(timetable))
        state.values = self.evaluate(timetable, state.breaks)
        report(state)
        logger.info("large search: construction %s at %.1fs", state.values, clock.elapsed)

        budget = min(deadline_left() * 0.25, 30.0)
        if budget > 0 and not self.frozen.any():  # repair would move kept meetings
            gained = repair(timetable, order, deadline=time.perf_counter() + budget)
            if gained:
                state.breaks = participant_breaks(timetable)
                state.values = self.evaluate(timetable, state.breaks)
                report(state)

        steps = improved = 0
        overhead = 0.0  # the most a step took beyond its CP-SAT limit (building the sub-model)
        while deadline_left() > overhead + 0.2 and not (stop is not None and stop.stopped):
            if self._finished(state):
                break
            steps += 1
            limit = min(STEP_SECONDS, deadline_left() - overhead)
            started = time.perf_counter()
            if self._step(state, limit, stop):
                improved += 1
                report(state)
            overhead = max(overhead, time.perf_counter() - started - limit)
        logger.info(
            "large search: %d steps, %d improved, %s at %.1fs",
            steps,
            improved,
            state.values,
            clock.elapsed,
        )
        outcome.status = SolveStatus.FEASIBLE
        if self._finished(state) and self.goals == [Goal.SCHEDULED]:
            outcome.status = SolveStatus.OPTIMAL
        outcome.chosen = state.timetable.candidates()
        return outcome

    def _keep_previous(self, order: np.ndarray, deadline: float) -> Timetable:
        """Re-scheduling: previous meetings that are still possible stay exactly where they
        were (and are never freed by a step); the other requests fill in around them until
        ``deadline`` (a :func:`time.perf_counter` value)."""
        compiled = self.compiled
        timetable = Timetable(compiled, self.layout)
        for candidates in self.kept:
            if len(candidates) == 0:
                continue
            request = int(compiled.candidate_request[candidates[0]])
            if timetable.chosen[request] >= 0:
                continue
            fits = candidates[timetable.feasible(request, candidates)]
            if len(fits):
                timetable.place(int(fits[0]))
                self.frozen[request] = True
        for request in order.tolist():
            if time.perf_counter() > deadline:
                break
            if timetable.chosen[request] < 0:
                candidate = timetable.best_candidate(request)
                if candidate >= 0:
                    timetable.place(candidate)
        return timetable

    def _finished(self, state: _State) -> bool:
        """Nothing left to gain: the bound is reached and no later goal can improve."""
        if state.values[Goal.SCHEDULED] < self.relaxation.bound:
            return False
        later = [g for g in self.goals if g != Goal.SCHEDULED]
        return all(
            (g == Goal.BREAKS and state.values[g] == 0)
            or (g == Goal.PREFERENCES and state.values[g] == 0)
            or (g == Goal.FAIRNESS and state.values[g] == FAIRNESS_SCALE)
            for g in later
        )

    # -- one step ----------------------------------------------------------------------------

    def _neighbourhood(self, state: _State, size: int) -> np.ndarray:
        """Requests around a few participants, breadth first, about ``size`` of them."""
        compiled = self.compiled
        timetable = state.timetable
        n_people = len(compiled.participant_ids)
        choice = self.rng.random()
        if choice < 0.5:
            # Where priority is left on the table: people with unscheduled requests.
            left = (timetable.chosen < 0) & self.schedulable
            weights = np.bincount(
                self.attendance.other,
                weights=(compiled.request_priority * left)[self.attendance.request],
                minlength=n_people,
            ).astype(np.float64)
        elif choice < 0.8 and Goal.BREAKS in self.goals:
            weights = state.breaks.astype(np.float64)
        else:
            weights = np.ones(n_people)
        if weights.sum() <= 0:
            weights = np.ones(n_people)
        seed = int(self.rng.choice(n_people, p=weights / weights.sum()))
        chosen: dict[int, None] = {}
        queue = [seed]
        seen = {seed}
        while queue and len(chosen) < size:
            person = queue.pop(0)
            for r in self.attendance.of_other(person):
                if len(chosen) >= size:
                    break
                if r in chosen or self.frozen[r] or not self.schedulable[r]:
                    continue
                chosen[r] = None
                for other in self.attendance.of_request(r):
                    if other not in seen:
                        seen.add(other)
                        queue.append(other)
            if not queue and len(chosen) < size:
                fresh = int(self.rng.integers(n_people))
                if fresh not in seen:
                    seen.add(fresh)
                    queue.append(fresh)
        return np.array(list(chosen), dtype=np.int64)

    def _step(self, state: _State, time_limit: float, stop: StopToken | None) -> bool:
        """Free a neighbourhood, re-solve it, keep the result if no goal got worse."""
        compiled = self.compiled
        timetable = state.timetable
        requests = self._neighbourhood(state, self.size)
        if len(requests) == 0:
            return False
        saved = timetable.chosen[requests].copy()
        for r in requests.tolist():
            timetable.remove(r)
        sub = _SubModel(self, state, requests, self.levels)
        sub.hint(saved)
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = self.options.workers
        solver.parameters.random_seed = int(self.rng.integers(1 << 30))
        solver.parameters.max_time_in_seconds = max(time_limit, 0.05)
        solver.parameters.catch_sigint_signal = False
        status = solve_watched(solver, sub.model, stop)
        logger.debug(
            "lns step: %d requests, %d candidates, %s in %.2fs",
            len(requests),
            len(sub.candidates),
            solver.status_name(status),
            solver.wall_time,
        )
        # Grow while sub-models solve to optimality with time to spare; shrink when they
        # are not solved to optimality (see below: unless the step still improved).
        if status == cp_model.OPTIMAL and solver.wall_time < 0.5 * time_limit:
            self.size = min(int(self.size * 1.2) + 1, 3000)
        shrink = status != cp_model.OPTIMAL
        placed: list[int] = []
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            placed = [
                c for c, x in zip(sub.candidates, sub.x, strict=True) if solver.boolean_value(x)
            ]
            for c in placed:
                timetable.place(c)
        people = np.union1d(
            sub.people,
            [p for c in saved[saved >= 0].tolist() for p in compiled.attendees(c)],
        ).astype(np.int64)
        before = state.breaks[people].copy()
        if placed:
            state.breaks[people] = participant_breaks(timetable, people)
            values = self.evaluate(timetable, state.breaks)
            if self._levels(values) >= self._levels(state.values):
                better = self._levels(values) > self._levels(state.values)
                state.values = values
                if shrink and not better:
                    self.size = max(int(self.size * 0.85), 20)
                return better
        # Not kept: put the neighbourhood back as it was.
        for r in requests.tolist():
            timetable.remove(r)
        for c in saved[saved >= 0].tolist():
            timetable.place(c)
        state.breaks[people] = before
        if shrink:
            self.size = max(int(self.size * 0.85), 20)
        return False


class _SubModel:
    """The CP-SAT model of one neighbourhood: freed requests, everything else fixed."""

    def __init__(
        self,
        search: LargeSearch,
        state: _State,
        requests: np.ndarray,
        levels: list[dict[Goal, int]],
    ) -> None:
        compiled, layout = search.compiled, search.layout
        timetable = state.timetable
        self.model = model = cp_model.CpModel()
        self.candidates: list[int] = []
        per_request: list[list[int]] = []
        for r in requests.tolist():
            cands = compiled.request_candidates[r]
            fits = cands[timetable.feasible(r, cands)].tolist()
            per_request.append(fits)
            self.candidates.extend(fits)
        self.x = [model.new_bool_var("") for _ in self.candidates]
        x_of = dict(zip(self.candidates, self.x, strict=True))
        for r, fits in zip(requests.tolist(), per_request, strict=True):
            if not fits:
                continue
            literals = [x_of[c] for c in fits]
            if compiled.request_required[r]:
                model.add_exactly_one(literals)
            else:
                model.add_at_most_one(literals)
        by_person_slot: dict[tuple[int, int], list[cp_model.IntVar]] = {}
        by_pool_slot: dict[tuple[int, int], list[cp_model.IntVar]] = {}
        by_table_slot: dict[tuple[int, int], list[cp_model.IntVar]] = {}
        by_resource_slot: dict[tuple[int, int], list[cp_model.IntVar]] = {}
        by_person: dict[int, list[cp_model.IntVar]] = {}
        by_person_session: dict[tuple[int, int], list[cp_model.IntVar]] = {}
        for c, x in zip(self.candidates, self.x, strict=True):
            r = int(compiled.candidate_request[c])
            start = int(compiled.candidate_start[c])
            length = int(layout.candidate_length[c])
            place = int(compiled.candidate_place[c])
            attendees = compiled.attendees(c)
            session = int(compiled.slot_session[start])
            for person in attendees:
                by_person.setdefault(person, []).append(x)
                by_person_session.setdefault((person, session), []).append(x)
            for t in range(start, start + length):
                for person in attendees:
                    by_person_slot.setdefault((person, t), []).append(x)
                if compiled.place_in_pool[place]:
                    by_pool_slot.setdefault((int(compiled.place_location[place]), t), []).append(x)
                if compiled.place_table[place] > 0:
                    by_table_slot.setdefault((place, t), []).append(x)
                for resource in compiled.request_resources[r]:
                    by_resource_slot.setdefault((resource, t), []).append(x)
        for literals in by_person_slot.values():
            if len(literals) > 1:
                model.add_at_most_one(literals)
        for (location, t), literals in by_pool_slot.items():
            room = int(compiled.pool_capacity[location] - timetable.pool_used[location, t])
            if len(literals) > room:
                model.add(sum(literals) <= room)
        for literals in by_table_slot.values():
            if len(literals) > 1:
                model.add_at_most_one(literals)
        for (resource, t), literals in by_resource_slot.items():
            room = int(compiled.resource_capacity[resource] - timetable.resource_used[resource, t])
            if len(literals) > room:
                model.add(sum(literals) <= room)
        for person, literals in by_person.items():
            room = int(compiled.max_meetings[person] - timetable.meetings[person])
            if len(literals) > room:
                model.add(sum(literals) <= room)
        for (person, session), literals in by_person_session.items():
            room = int(
                compiled.max_per_session[person] - timetable.session_meetings[person, session]
            )
            if len(literals) > room:
                model.add(sum(literals) <= room)
        self._precedences(compiled, requests, per_request, x_of)
        self.people = np.array(sorted(by_person), dtype=np.int64)

        terms: dict[Goal, tuple[cp_model.LinearExprT, int]] = {}
        priority = compiled.request_priority
        scheduled = cp_model.LinearExpr.WeightedSum(
            self.x, [int(priority[compiled.candidate_request[c]]) for c in self.candidates]
        )
        terms[Goal.SCHEDULED] = (scheduled, int(priority[requests].sum()))
        wanted = {goal for level in levels for goal in level}
        if Goal.PREFERENCES in wanted:
            costs = (
                layout.candidate_unpreferred[self.candidates].tolist() if self.candidates else []
            )
            terms[Goal.PREFERENCES] = (
                cp_model.LinearExpr.WeightedSum(self.x, costs),
                int(
                    sum(
                        max((layout.candidate_unpreferred[f] for f in fits), default=0)
                        for fits in per_request
                    )
                ),
            )
        if Goal.BREAKS in wanted:
            terms[Goal.BREAKS] = self._breaks(compiled, timetable, by_person_slot)
        if search.parties is not None and Goal.FAIRNESS in wanted:
            terms[Goal.FAIRNESS] = self._fairness(search, timetable, requests, per_request, x_of)
        objective = _lexicographic(levels, terms)
        model.minimize(objective)

    def hint(self, saved: np.ndarray) -> None:
        """Hint the placement the neighbourhood had before it was freed."""
        chosen = set(saved[saved >= 0].tolist())
        model = self.model
        model.clear_hints()
        for c, x in zip(self.candidates, self.x, strict=True):
            model.add_hint(x, c in chosen)

    def _precedences(
        self,
        compiled: Compiled,
        requests: np.ndarray,
        per_request: list[list[int]],
        x_of: dict[int, cp_model.IntVar],
    ) -> None:
        freed = {r: fits for r, fits in zip(requests.tolist(), per_request, strict=True)}
        for later, fits in freed.items():
            for earlier in compiled.request_after[later]:
                before = freed.get(earlier)
                if not before or not fits:
                    continue
                for c_late in fits:
                    start = int(compiled.candidate_start[c_late])
                    for c_early in before:
                        end = int(compiled.candidate_start[c_early]) + int(
                            compiled.request_length[earlier]
                        )
                        if end > start:
                            self.model.add_bool_or(
                                [x_of[c_late].negated(), x_of[c_early].negated()]
                            )

    def _breaks(
        self,
        compiled: Compiled,
        timetable: Timetable,
        by_person_slot: dict[tuple[int, int], list[cp_model.IntVar]],
    ) -> tuple[cp_model.LinearExprT, int]:
        """Breaks of the participants the neighbourhood touches, fixed meetings as constants."""
        model = self.model
        total: list[cp_model.LinearExprT] = []
        most = 0
        busy: dict[tuple[int, int], cp_model.IntVar] = {}
        for (person, t), literals in by_person_slot.items():
            if len(literals) == 1:
                busy[(person, t)] = literals[0]
            else:
                flag = model.new_bool_var("")
                model.add(flag == sum(literals))
                busy[(person, t)] = flag
        for person in self.people.tolist():
            for day in np.unique(compiled.slot_day).tolist():
                slots = np.flatnonzero((compiled.slot_day == day) & compiled.attends[person])
                flags: list[int | cp_model.IntVar] = []
                for t in slots.tolist():
                    variable = busy.get((person, t))
                    if variable is not None:
                        flags.append(variable)
                    else:
                        flags.append(1 if timetable.occupant[person, t] >= 0 else 0)
                if not any(not isinstance(f, int) for f in flags):
                    continue
                count, upper = _day_breaks(model, flags)
                total.append(count)
                most += upper
        return sum(total), most

    def _fairness(
        self,
        search: LargeSearch,
        timetable: Timetable,
        requests: np.ndarray,
        per_request: list[list[int]],
        x_of: dict[int, cp_model.IntVar],
    ) -> tuple[cp_model.IntVar, int]:
        compiled = search.compiled
        parties = search.parties
        assert parties is not None  # only built when fairness is a goal
        got = parties.got(compiled, timetable.chosen)
        shares = FAIRNESS_SCALE * got // np.maximum(parties.requested, 1)
        touched: dict[int, list[tuple[int, list[int]]]] = {}
        for r, fits in zip(requests.tolist(), per_request, strict=True):
            for q in parties.links.of_request(r):
                touched.setdefault(q, []).append((r, fits))
        outside = np.ones(len(shares), dtype=bool)
        outside[list(touched)] = False
        cap = int(shares[outside].min(initial=FAIRNESS_SCALE))
        share = self.model.new_int_var(0, cap, "fairness")
        for q, items in touched.items():
            gained = [
                int(compiled.request_priority[r]) * x_of[c] for r, fits in items for c in fits
            ]
            self.model.add(
                int(parties.requested[q]) * share <= FAIRNESS_SCALE * (int(got[q]) + sum(gained))
            )
        return share, FAIRNESS_SCALE


def _day_breaks(
    model: cp_model.CpModel, flags: list[int | cp_model.IntVar]
) -> tuple[cp_model.LinearExprT, int]:
    """Breaks in one participant-day: blocks of busy slots minus one (when any).

    ``flags`` mixes constants (fixed meetings, impossible slots) and Booleans. Block starts
    are only bounded from below and "any meeting" from above: exact at the optimum of a
    minimisation, which is the only way the expression is used.
    """
    starts: list[cp_model.LinearExprT] = []
    previous: int | cp_model.IntVar = 0
    for flag in flags:
        if isinstance(flag, int):
            if flag == 1 and not isinstance(previous, int):
                starts.append(1 - previous)
            elif flag == 1 and previous == 0:
                starts.append(1)
        elif isinstance(previous, int):
            if previous == 0:
                starts.append(flag)
        else:
            start = model.new_bool_var("")
            model.add(start >= flag - previous)
            starts.append(start)
        previous = flag
    variables = [f for f in flags if not isinstance(f, int)]
    if any(f == 1 for f in flags if isinstance(f, int)):
        any_meeting: int | cp_model.IntVar = 1
    else:
        any_meeting = model.new_bool_var("")
        model.add(any_meeting <= sum(variables))
    return cp_model.LinearExpr.sum(starts) - any_meeting, (len(flags) + 1) // 2


def _lexicographic(
    levels: list[dict[Goal, int]], terms: dict[Goal, tuple[cp_model.LinearExprT, int]]
) -> cp_model.LinearExprT:
    """One objective to minimise: each level weighted above the range of all later ones.

    Levels are kept from the first while the weights fit comfortably in 64 bits; a level that
    would not fit is left out (with the ones after it) rather than overflow.
    """
    kept: list[tuple[cp_model.LinearExprT, int]] = []
    product = 1
    for level in levels:
        present = {g: w for g, w in level.items() if g in terms}
        if not present:
            continue
        span = sum(w * terms[g][1] for g, w in present.items())
        if product * (span + 1) > 1 << 60:
            break
        product *= span + 1
        value = sum(w * (-terms[g][0] if g.maximise else terms[g][0]) for g, w in present.items())
        kept.append((value, span))
    values: list[cp_model.LinearExprT] = []
    weights: list[int] = []
    weight = 1
    for value, span in reversed(kept):
        values.append(value)
        weights.append(weight)
        weight *= span + 1
    return cp_model.LinearExpr.weighted_sum(values, weights)
