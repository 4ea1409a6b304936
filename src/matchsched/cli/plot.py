"""``matchsched plot``: PNG charts of a schedule (and of a solve's progress)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from matchsched.cli import EXIT_BAD_INPUT, EXIT_OK
from matchsched.cli.export import read_inputs

DESCRIPTION = """\
Write PNG charts into a folder: occupancy.png (tables x slots per session), meetings.png and
breaks.png (how many participants have 0, 1, 2, ... of them) and, with --progress, progress.png
(best value and bound against time for each goal, from a log written by
'matchsched solve --log-json 2> progress.jsonl').

examples:
  matchsched plot event.json schedule.json -o plots/
  matchsched solve event.json -o schedule.json --log-json 2> progress.jsonl
  matchsched plot event.json schedule.json --progress progress.jsonl -o plots/

exit codes: 0 written, 2 bad input (nothing written)
"""


def register(subcommands: Any) -> None:
    """Add the ``plot`` command."""
    parser = subcommands.add_parser(
        "plot",
        help="write PNG charts of table use, meetings, breaks and solver progress",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("event", metavar="EVENT", help="event file (.json or .dzn)")
    parser.add_argument("schedule", metavar="SCHEDULE", help="schedule file (.json)")
    parser.add_argument("-o", "--output", required=True, metavar="DIR", help="folder to write into")
    parser.add_argument(
        "--progress", metavar="LOG.jsonl", help="JSON lines progress log of 'solve --log-json'"
    )
    parser.set_defaults(handler=run)


def run(arguments: argparse.Namespace) -> int:
    """Write the charts; returns the exit code."""
    event, schedule = read_inputs(arguments.event, arguments.schedule)
    try:
        import matplotlib  # noqa: F401

        from matchsched.adapters.plot import read_progress_log, write_plots
    except ImportError:
        print(
            "matchsched: error: plots need matplotlib: pip install 'matchsched[plot]'",
            file=sys.stderr,
        )
        return EXIT_BAD_INPUT
    progress = read_progress_log(arguments.progress) if arguments.progress else None
    written = write_plots(event, schedule, arguments.output, progress=progress)
    print(f"{len(written)} chart(s) -> {arguments.output}", file=sys.stderr)
    return EXIT_OK
