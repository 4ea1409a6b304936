"""``matchsched report``: one self-contained HTML page with figures, timetables and agendas."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from matchsched.adapters.report import render_report, write_report
from matchsched.cli import EXIT_OK
from matchsched.cli.export import read_inputs

DESCRIPTION = """\
Write the agenda report: one HTML page that works offline (no network, inline CSS and JS)
with the key figures, the tables x slots grid of every session, and one agenda per
participant with a search box. Open report.html#search=rossi to show matching agendas only;
"Print shown agendas" prints each one on its own page.

examples:
  matchsched report event.json schedule.json -o report.html
  matchsched report event.json schedule.json -o - > report.html

exit codes: 0 written, 2 bad input (nothing written)
"""


def register(subcommands: Any) -> None:
    """Add the ``report`` command."""
    parser = subcommands.add_parser(
        "report",
        help="write an HTML report with figures, timetables and searchable agendas",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("event", metavar="EVENT", help="event file (.json or .dzn)")
    parser.add_argument("schedule", metavar="SCHEDULE", help="schedule file (.json)")
    parser.add_argument(
        "-o", "--output", required=True, metavar="report.html", help="file to write ('-': stdout)"
    )
    parser.set_defaults(handler=run)


def run(arguments: argparse.Namespace) -> int:
    """Write the report; returns the exit code."""
    event, schedule = read_inputs(arguments.event, arguments.schedule)
    if arguments.output == "-":
        sys.stdout.write(render_report(event, schedule))
    else:
        write_report(event, schedule, arguments.output)
        print(f"report -> {arguments.output}", file=sys.stderr)
    return EXIT_OK
