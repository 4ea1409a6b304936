"""Solve one JAIR instance with the solver's log on: each budget probe, the core phase and the
case split, with their times. For finding out where an instance spends its time.

Run from the repository root::

    python benchmarks/jair_trace.py fixed/forum-14.fixed020-Forb.dzn
    python benchmarks/jair_trace.py tic-13crafc --time-limit 60 --fairness 1
    python benchmarks/jair_trace.py ticf-13crafc --cases
    python benchmarks/jair_trace.py tic-13crafc --tables 60
    python benchmarks/jair_trace.py forumt-14crafe --relaxation
    python benchmarks/jair_trace.py forum-13crafb --maxsat
    python benchmarks/jair_trace.py forum-13crafb --no-maxsat
    python benchmarks/jair_trace.py forum-13crafb --profiles 5 --time-limit 300
    python benchmarks/jair_trace.py tic-13crafc --profiles 4 --seed 2

A bare name (``tic-13crafc``) is the original instance; otherwise give the path below the
benchmark folder. The instance is solved with the options ``jair.py`` uses. Lines are
prefixed with the milliseconds since the start. The schedule is checked with the independent
checker, as in ``jair.py``.

``--tables N`` solves the event with N tables instead of the file's: with enough tables the
capacity no longer binds, which shows how many of the breaks the tables force.

``--relaxation`` solves only the window-packing relaxation (docs/jair.md), with the core
worker alone as the search runs it, and prints each rise of its bound: how far above the
per-participant minima the tables alone lift the lower bound, and how fast.

``--profiles K`` asks who takes the breaks of a timetable with K breaks. A *profile* is the
number of breaks each participant has above its proven minimum. The profiles are enumerated
without the table limit (one solve each, the profiles seen so far excluded), and each is
decided with the file's tables and every participant's breaks pinned to it (at most
``PROFILE_CAP`` seconds). A decided profile with a timetable ends the run; when the
enumeration runs out and every profile was refuted, no timetable has K breaks.

``--maxsat`` solves only the MaxSAT encoding of the event (``solver/maxsat.py``) with RC2
alone, as the race's MaxSAT side runs it, and checks its timetable. ``--no-maxsat`` solves
without that side (CP-SAT alone, as without the ``maxsat`` extra).

``--seed S`` sets CP-SAT's random seed in every solve (the solver's, the relaxation's and the
profiles'), for the spread of times from seed to seed.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time

import numpy as np
from ortools.sat.python import cp_model

from jair import read_instance
from jair_instances import jair_dir
from matchsched.check import Violation, check, evaluate
from matchsched.cli.common import number
from matchsched.errors import EventError
from matchsched.model import Event
from matchsched.options import SolveOptions
from matchsched.schedule import Schedule, SolveStatus
from matchsched.solver import assemble, breaks, maxsat, profiles, solve
from matchsched.solver.compile import Compiled, compile_event
from matchsched.solver.cpsat.model import TimetableModel
from matchsched.solver.cpsat.relaxation import packing_relaxation
from matchsched.solver.cpsat.variables import occupancy
from matchsched.solver.tables import assign_tables

PROFILE_CAP = breaks.PROFILE_CAP
"""Seconds for deciding one profile with the tables (pinned profiles mostly take under 1 s)."""


class _WithoutCases(logging.Filter):
    """Leaves out the one line per case of the split (there can be hundreds)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("breaks: case ")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("instance", help="e.g. tic-13crafc or fixed/forum-14.fixed020-Forb.dzn")
    parser.add_argument("--time-limit", type=float, default=60.0, metavar="S")
    parser.add_argument("--fairness", type=int, default=2, metavar="D")
    parser.add_argument("--seed", type=number(int, 0), default=0, metavar="S")
    parser.add_argument("--cases", action="store_true", help="also log each case of the split")
    parser.add_argument(
        "--tables",
        type=number(int, 1),
        metavar="N",
        help="solve with N tables instead of the file's",
    )
    parser.add_argument(
        "--relaxation", action="store_true", help="solve only the window-packing relaxation"
    )
    parser.add_argument(
        "--maxsat", action="store_true", help="solve only the MaxSAT encoding, with RC2 alone"
    )
    parser.add_argument(
        "--no-maxsat", action="store_true", help="solve without the race's MaxSAT side"
    )
    parser.add_argument(
        "--profiles",
        type=number(int, 0),
        metavar="K",
        help="enumerate who takes the breaks of a timetable with K breaks, and decide each",
    )
    arguments = parser.parse_args(argv)

    name = arguments.instance
    path = jair_dir() / (name if "/" in name else f"original/{name}.original.dzn")
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter("%(relativeCreated)7.0f ms %(message)s"))
    if not arguments.cases:
        handler.addFilter(_WithoutCases())
    logger = logging.getLogger("matchsched")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)

    try:
        event, options = read_instance(
            path,
            fairness=arguments.fairness,
            time_limit=arguments.time_limit,
            seed=arguments.seed,
            maxsat=not arguments.no_maxsat,
        )
    except EventError as error:
        print(error, file=sys.stderr)
        return 2
    if arguments.tables is not None:
        event = _with_tables(event, arguments.tables)
    if arguments.relaxation:
        return _relaxation(name, event, options)
    if arguments.maxsat:
        return _maxsat(name, event, options)
    if arguments.profiles is not None:
        return _profiles(name, event, options, arguments.profiles)
    started = time.perf_counter()
    result = solve(event, options)
    seconds = time.perf_counter() - started
    objective = result.schedule.objective
    violations = check(event, result.schedule, options) if result.status.has_schedule else []
    print(
        f"{name}: {result.status.value}, "
        f"breaks {objective.breaks if objective else '-'}, {seconds:.1f} s, "
        f"{len(violations)} violations"
    )
    return 1 if violations else 0


def _relaxation(name: str, event: Event, options: SolveOptions) -> int:
    """Minimise the relaxation alone; print its bound as it rises, then the outcome."""
    started = time.perf_counter()
    compiled = compile_event(event)
    timetable = TimetableModel(compiled, options)
    structure = timetable.breaks.structure
    assert structure is not None  # the JAIR options use the strong model
    minima = sum(structure.minimum.values())
    relaxation = packing_relaxation(compiled, timetable.occupancy, structure)
    if relaxation is None:
        print(f"{name}: no relaxation (a meeting is not a pair)")
        return 0
    solver = _solver(["core"], options.time_limit or 60.0, options.seed)
    solver.best_bound_callback = lambda bound: print(
        f"{1000 * (time.perf_counter() - started):7.0f} ms relaxation bound {round(bound)}"
    )
    status = solver.solve(relaxation.model)
    print(
        f"{name}: relaxation {solver.status_name(status)}, "
        f"bound {round(solver.best_objective_bound)} (minima {minima}), "
        f"{time.perf_counter() - started:.1f} s"
    )
    return 0


def _maxsat(name: str, event: Event, options: SolveOptions) -> int:
    """RC2 alone on the event's clauses (as the race's MaxSAT side runs it); the timetable
    checked with the independent checker."""
    started = time.perf_counter()
    compiled = compile_event(event)
    if not maxsat.available() or not maxsat.applies(compiled, options):
        print(f"{name}: the MaxSAT encoding does not apply (or python-sat is missing)")
        return 0
    clauses = maxsat.encode(compiled, occupancy(compiled), options)
    encoded = time.perf_counter() - started
    answer = maxsat.solve(clauses, lambda: False, options.time_limit)
    seconds = time.perf_counter() - started
    if answer is None:
        print(f"{name}: MaxSAT undecided after {seconds:.1f} s (encoding {encoded:.1f} s)")
        return 0
    violations, count = _checked(event, options, compiled, answer.chosen)
    print(
        f"{name}: MaxSAT optimum {answer.breaks} in {seconds:.1f} s (encoding {encoded:.1f} s, "
        f"{len(clauses.hard)} clauses); checker: {count} breaks, {len(violations)} violations"
    )
    return 1 if violations else 0


def _profiles(name: str, event: Event, options: SolveOptions, budget: int) -> int:
    """Enumerate the profiles of ``budget`` breaks without the table limit; decide each with it."""
    started = time.perf_counter()
    limit = options.time_limit or 60.0
    tables = TimetableModel(compile_event(event), options)
    found = tables.break_profiles(options)
    listing = profiles.listing(found, budget)
    tables.model.add(tables.breaks.total == budget)
    refuted = undecided = 0
    while (left := limit - (time.perf_counter() - started)) > 0:
        master = _solver(["no_lp", "core"], left, options.seed)
        status = master.solve(listing)
        if status == cp_model.INFEASIBLE:
            if undecided:
                break
            verdict = "refuted" if refuted else "refuted without the tables"
            print(f"{name}: {budget} breaks {verdict}: all {refuted} profile(s) refuted")
            return 0
        if status not in (cp_model.FEASIBLE, cp_model.OPTIMAL):
            break
        profile = profiles.profile_of(found, master)
        pinned = tables.model.clone()
        profiles.pin(found, pinned, profile)
        decider = _solver(["no_lp", "default_lp"], min(PROFILE_CAP, left), options.seed)
        decided = decider.solve(pinned)
        print(
            f"{1000 * (time.perf_counter() - started):7.0f} ms "
            f"profile {profiles.describe(profile)}: "
            f"{master.wall_time:.2f} s to find, {decider.status_name(decided)} "
            f"in {decider.wall_time:.2f} s with the tables"
        )
        if decided in (cp_model.FEASIBLE, cp_model.OPTIMAL):
            violations, count = _checked(event, options, tables.compiled, tables.chosen(decider))
            print(
                f"{name}: a timetable with {count} breaks, profile {profiles.describe(profile)}, "
                f"{len(violations)} violations"
            )
            return 1 if violations else 0
        refuted += decided == cp_model.INFEASIBLE
        undecided += decided != cp_model.INFEASIBLE
        profiles.exclude(found, listing, profile)
    print(
        f"{name}: {budget} breaks undecided after {time.perf_counter() - started:.0f} s "
        f"({refuted} profile(s) refuted, {undecided} undecided)"
    )
    return 0


def _checked(
    event: Event, options: SolveOptions, compiled: Compiled, chosen: np.ndarray
) -> tuple[list[Violation], int]:
    """The chosen candidates as a schedule (tables assigned): the checker's violations and
    its breaks."""
    seated = assign_tables(compiled, chosen, options, time_limit=PROFILE_CAP)
    schedule = Schedule(
        event=event.name,
        status=SolveStatus.FEASIBLE,
        meetings=assemble.meetings(compiled, chosen, seated.tables),
    )
    return check(event, schedule, options), evaluate(event, schedule).breaks


def _solver(subsolvers: list[str], limit: float, seed: int) -> cp_model.CpSolver:
    """A solver with one worker per subsolver."""
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = len(subsolvers)
    solver.parameters.subsolvers.extend(subsolvers)
    solver.parameters.num_full_subsolvers = len(subsolvers)
    solver.parameters.max_time_in_seconds = limit
    solver.parameters.random_seed = seed
    return solver


def _with_tables(event: Event, tables: int) -> Event:
    """The event with ``tables`` tables at its one location (the JAIR files have one)."""
    (location,) = event.locations
    return event.model_copy(update={"locations": [location.model_copy(update={"tables": tables})]})


if __name__ == "__main__":
    sys.exit(main())
