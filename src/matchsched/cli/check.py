"""``matchsched check``: verify a schedule against its event with the independent checker."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from matchsched.adapters.json_io import read_schedule
from matchsched.check import check
from matchsched.cli import EXIT_NO_ANSWER, EXIT_OK
from matchsched.cli.common import read_event_and_options

DESCRIPTION = """\
Check a schedule against its event: every hard rule of the format, every request accounted
for, and the break options of the solve (from --options, or implied by a .dzn file).

example:
  matchsched check examples/cluster_matchmaking.json schedule.json

exit codes: 0 valid, 1 invalid (the violations are listed), 2 bad input
"""


def register(subcommands: Any) -> None:
    """Add the ``check`` command."""
    parser = subcommands.add_parser(
        "check",
        help="verify a schedule with the independent checker",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("event", metavar="EVENT", help="event file (.json or .dzn)")
    parser.add_argument("schedule", metavar="SCHEDULE", help="schedule file")
    parser.add_argument("--options", metavar="FILE", help="JSON file of the solve options")
    parser.set_defaults(handler=run)


def run(arguments: argparse.Namespace) -> int:
    """Check and list violations; returns the exit code."""
    event, options = read_event_and_options(arguments.event, arguments.options)
    schedule = read_schedule(arguments.schedule)
    violations = check(event, schedule, options)
    for violation in violations:
        ids = f" [{', '.join(violation.ids)}]" if violation.ids else ""
        print(f"rule {violation.rule}: {violation.code}: {violation.message}{ids}")
    if violations:
        print(f"{len(violations)} violation(s)", file=sys.stderr)
        return EXIT_NO_ANSWER
    print(f"valid: {len(schedule.meetings)} meetings, {len(schedule.unscheduled)} unscheduled")
    return EXIT_OK
