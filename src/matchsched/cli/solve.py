"""``matchsched solve``: build the timetable of an event."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from typing import Any

from matchsched.adapters.json_io import read_schedule, schedule_to_json, write_schedule
from matchsched.cli import EXIT_BAD_INPUT, EXIT_NO_ANSWER, EXIT_OK
from matchsched.cli.common import merge_options, read_event_and_options
from matchsched.cli.progress import ProgressDisplay, make_progress
from matchsched.errors import EventError
from matchsched.model import Event
from matchsched.options import SolveOptions, parse_goals
from matchsched.schedule import Result, Schedule
from matchsched.solver import StopToken, solve

DESCRIPTION = """\
Build the best timetable for an event file (matchsched/event@1 JSON, or a JAIR .dzn file).

Progress goes to stderr; the schedule (matchsched/schedule@1) to -o or stdout. Ctrl-C stops
the search and still writes the best schedule found.

examples:
  matchsched solve examples/cluster_matchmaking.json -o schedule.json --time-limit 30
  matchsched solve event.json --goals scheduled,breaks --seed 3 -o schedule.json
  matchsched solve event.json --previous schedule.json -o rescheduled.json

exit codes: 0 a valid schedule, 1 infeasible or no schedule in time, 2 bad input
"""


def register(subcommands: Any) -> None:
    """Add the ``solve`` command."""
    parser = subcommands.add_parser(
        "solve",
        help="build the timetable of an event",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("event", metavar="EVENT", help="event file (.json or .dzn)")
    parser.add_argument(
        "-o", "--output", metavar="SCHEDULE", help="schedule file (default: stdout)"
    )
    parser.add_argument("--time-limit", type=float, metavar="S", help="seconds (default 60)")
    parser.add_argument("--workers", type=int, metavar="N", help="search threads (default 2)")
    parser.add_argument("--seed", type=int, metavar="N", help="random seed (default 0)")
    parser.add_argument(
        "--goals",
        metavar="LIST",
        help="goal order, e.g. scheduled,fairness,breaks or scheduled,breaks*2+table_changes",
    )
    parser.add_argument("--options", metavar="FILE", help="JSON file of solve options")
    parser.add_argument("--previous", metavar="SCHEDULE", help="re-schedule against this schedule")
    parser.add_argument(
        "--lock", action="store_true", help="with --previous: keep every still-possible meeting"
    )
    shown = parser.add_mutually_exclusive_group()
    shown.add_argument("--quiet", action="store_true", help="no progress output")
    shown.add_argument("--log-json", action="store_true", help="progress as JSON lines on stderr")
    parser.add_argument("--log", action="store_true", help="show the CP-SAT search log")
    parser.add_argument(
        "--no-explain",
        action="store_true",
        help="when infeasible, do not search which requests and rules conflict",
    )
    parser.set_defaults(handler=run)


def run(arguments: argparse.Namespace) -> int:
    """Solve and write the schedule; returns the exit code."""
    event, options = read_event_and_options(arguments.event, arguments.options)
    changes: dict[str, Any] = {}
    for name in ("time_limit", "workers", "seed"):
        value = getattr(arguments, name)
        if value is not None:
            changes[name] = value
    if arguments.goals is not None:
        try:
            changes["goals"] = parse_goals(arguments.goals)
        except ValueError as error:
            raise EventError([f"--goals: {error} in {arguments.goals!r}"]) from None
    if arguments.lock:
        changes["lock_previous"] = True
    if arguments.log:
        changes["log"] = True
    if arguments.no_explain:
        changes["explain"] = False
    options = merge_options(options, changes, source="command line")
    previous = read_schedule(arguments.previous) if arguments.previous else None

    mode = "quiet" if arguments.quiet else "json" if arguments.log_json else "live"
    display = make_progress(mode)
    result = _solve_interruptibly(event, options, previous, display)
    display.close()

    text = schedule_to_json(result.schedule)
    if arguments.output and arguments.output != "-":
        write_schedule(result.schedule, arguments.output)
    else:
        sys.stdout.write(text)
    if not arguments.quiet:
        print(summary(result, len(event.requests)), file=sys.stderr)
    return EXIT_OK if result.status.has_schedule else EXIT_NO_ANSWER


def _solve_interruptibly(
    event: Event, options: SolveOptions, previous: Schedule | None, display: ProgressDisplay
) -> Result:
    """Run the solve in a thread so that Ctrl-C (handled here) can stop it gracefully."""
    token = StopToken()
    outcome: dict[str, Any] = {}

    def work() -> None:
        try:
            outcome["result"] = solve(
                event, options, previous=previous, progress=display, stop=token
            )
        except BaseException as error:  # handed to the main thread
            outcome["error"] = error

    def interrupt(signum: int, frame: Any) -> None:
        print("\nmatchsched: interrupted, stopping the search ...", file=sys.stderr)
        token.stop()

    thread = threading.Thread(target=work, name="matchsched-solve", daemon=True)
    in_main = threading.current_thread() is threading.main_thread()
    previous_handler = signal.signal(signal.SIGINT, interrupt) if in_main else None
    try:
        thread.start()
        while thread.is_alive():
            thread.join(0.2)
    finally:
        if in_main:
            signal.signal(signal.SIGINT, previous_handler)
    if "error" in outcome:
        raise outcome["error"]
    return outcome["result"]


def summary(result: Result, total_requests: int) -> str:
    """A one-paragraph summary of a result for people."""
    schedule = result.schedule
    lines = [f"status: {result.status.value}"]
    if result.objective is not None:
        objective = result.objective
        bound = objective.scheduled_priority_bound
        lines.append(
            f"scheduled: {len(schedule.meetings)} of {total_requests} requests, priority "
            f"{objective.scheduled_priority}" + (f" (bound {bound})" if bound is not None else "")
        )
        lines.append(
            f"breaks: {objective.breaks}, table changes: {objective.table_changes}, "
            f"unpreferred: {objective.unpreferred}"
            + (f", moved: {objective.moved}" if objective.moved is not None else "")
        )
    elif schedule.unscheduled:
        lines.append(schedule.unscheduled[0].detail)
    if schedule.conflict:
        lines.append("conflicting requests: " + ", ".join(schedule.conflict))
    if schedule.solver is not None:
        lines.append(f"time: {schedule.solver.wall_time_s:.1f} s")
    return "\n".join(lines)


__all__ = ["EXIT_BAD_INPUT", "register", "run", "summary"]
