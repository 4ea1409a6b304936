"""``matchsched diff``: what changed between two schedules, per participant."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from matchsched.adapters.files import atomic_write_text
from matchsched.adapters.json_io import read_schedule
from matchsched.cli import EXIT_OK
from matchsched.cli.common import read_event_and_options
from matchsched.diff import diff, diff_text

DESCRIPTION = """\
Compare an old and a new schedule of an event (e.g. before and after 'solve --previous'):
the moved, added and cancelled meetings, and per participant what changed, so that exactly
the people affected can be notified. Human-readable by default; --json for platforms.

examples:
  matchsched diff schedule.json rescheduled.json
  matchsched diff schedule.json rescheduled.json --event event.json   # with names
  matchsched diff schedule.json rescheduled.json --json -o changes.json

exit codes: 0 success (whether or not anything changed), 2 bad input
"""


def register(subcommands: Any) -> None:
    """Add the ``diff`` command."""
    parser = subcommands.add_parser(
        "diff",
        help="what changed between two schedules, per participant",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("old", metavar="OLD", help="the earlier schedule file")
    parser.add_argument("new", metavar="NEW", help="the new schedule file")
    parser.add_argument("-o", "--output", metavar="FILE", help="write here (default: stdout, '-')")
    parser.add_argument("--json", action="store_true", help="machine-readable JSON")
    parser.add_argument(
        "--event", metavar="EVENT", help="event file (.json or .dzn), for participant names"
    )
    parser.set_defaults(handler=run)


def run(arguments: argparse.Namespace) -> int:
    """Compare the schedules and print or write the differences."""
    old = read_schedule(arguments.old)
    new = read_schedule(arguments.new)
    event = read_event_and_options(arguments.event)[0] if arguments.event else None
    changes = diff(old, new)
    if arguments.json:
        data = changes.model_dump(mode="json", exclude_none=True)
        data.update(moved=changes.moved, added=changes.added, cancelled=changes.cancelled)
        text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    else:
        text = diff_text(changes, event)
    if arguments.output and arguments.output != "-":
        atomic_write_text(arguments.output, text)
    else:
        sys.stdout.write(text)
    return EXIT_OK
