"""Solve one JAIR instance with the solver's log on: each budget probe, the core phase and the
case split, with their times. For finding out where an instance spends its time.

Run from the repository root::

    python benchmarks/jair_trace.py fixed/forum-14.fixed020-Forb.dzn
    python benchmarks/jair_trace.py tic-13crafc --time-limit 60 --fairness 1
    python benchmarks/jair_trace.py ticf-13crafc --cases
    python benchmarks/jair_trace.py tic-13crafc --tables 60
    python benchmarks/jair_trace.py forumt-14crafe --relaxation

A bare name (``tic-13crafc``) is the original instance; otherwise give the path below the
benchmark folder. The instance is solved with the options ``jair.py`` uses. Lines are
prefixed with the milliseconds since the start. The schedule is checked with the independent
checker, as in ``jair.py``.

``--tables N`` solves the event with N tables instead of the file's: with enough tables the
capacity no longer binds, which shows how many of the breaks the tables force.

``--relaxation`` solves only the window-packing relaxation (docs/jair.md), with the core
worker alone as the search runs it, and prints each rise of its bound: how far above the
per-participant minima the tables alone lift the lower bound, and how fast.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time

from ortools.sat.python import cp_model

from jair import read_instance
from jair_instances import jair_dir
from matchsched.check import check
from matchsched.cli.common import number
from matchsched.errors import EventError
from matchsched.model import Event
from matchsched.options import SolveOptions
from matchsched.solver import solve
from matchsched.solver.compile import compile_event
from matchsched.solver.cpsat.model import TimetableModel
from matchsched.solver.cpsat.relaxation import packing_relaxation


class _WithoutCases(logging.Filter):
    """Leaves out the one line per case of the split (there can be hundreds)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("breaks: case ")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("instance", help="e.g. tic-13crafc or fixed/forum-14.fixed020-Forb.dzn")
    parser.add_argument("--time-limit", type=float, default=60.0, metavar="S")
    parser.add_argument("--fairness", type=int, default=2, metavar="D")
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
            path, fairness=arguments.fairness, time_limit=arguments.time_limit
        )
    except EventError as error:
        print(error, file=sys.stderr)
        return 2
    if arguments.tables is not None:
        event = _with_tables(event, arguments.tables)
    if arguments.relaxation:
        return _relaxation(name, event, options)
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
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.subsolvers.append("core")
    solver.parameters.max_time_in_seconds = options.time_limit or 60.0
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


def _with_tables(event: Event, tables: int) -> Event:
    """The event with ``tables`` tables at its one location (the JAIR files have one)."""
    (location,) = event.locations
    return event.model_copy(update={"locations": [location.model_copy(update={"tables": tables})]})


if __name__ == "__main__":
    sys.exit(main())
