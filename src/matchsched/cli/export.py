"""``matchsched export``: the timetable as CSV, an Excel workbook, or calendar files."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from matchsched.adapters._timetable import reference_problems
from matchsched.adapters.json_io import read_schedule
from matchsched.cli import EXIT_BAD_INPUT, EXIT_OK
from matchsched.cli.common import read_event_and_options
from matchsched.errors import EventError
from matchsched.model import Event
from matchsched.schedule import Schedule

DESCRIPTION = """\
Export a schedule for people: a CSV meeting list, an .xlsx workbook (a meeting list and a
tables x slots grid per session, for interpreters and table signs), or one iCalendar file per
participant (<participant id>.ics in the folder given with -o).

Calendars keep one UID per meeting whatever its time. After a re-schedule, export into the
same folder with --previous OLD.json: meetings that moved get a higher SEQUENCE (read from the
.ics files already there) and meetings that are gone are sent as cancelled, so calendar
programs update instead of duplicating.

examples:
  matchsched export event.json schedule.json --to csv -o meetings.csv
  matchsched export event.json schedule.json --to csv -o - | column -s, -t
  matchsched export event.json schedule.json --to xlsx -o timetable.xlsx
  matchsched export event.json new.json --to ics --previous schedule.json -o calendars/

exit codes: 0 written, 2 bad input (nothing written)
"""


def register(subcommands: Any) -> None:
    """Add the ``export`` command."""
    parser = subcommands.add_parser(
        "export",
        help="write the timetable as CSV, .xlsx or calendar (.ics) files",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("event", metavar="EVENT", help="event file (.json or .dzn)")
    parser.add_argument("schedule", metavar="SCHEDULE", help="schedule file (.json)")
    parser.add_argument("--to", required=True, choices=["csv", "xlsx", "ics"], help="what to write")
    parser.add_argument(
        "-o",
        "--output",
        required=True,
        metavar="PATH",
        help="file to write ('-': stdout, csv and xlsx), or the folder for ics",
    )
    parser.add_argument(
        "--previous", metavar="OLD.json", help="ics: the schedule sent before (raises SEQUENCE)"
    )
    parser.set_defaults(handler=run)


def read_inputs(event_path: str, schedule_path: str) -> tuple[Event, Schedule]:
    """Read an event (``.json`` or ``.dzn``) and a schedule and make sure the schedule belongs
    to the event."""
    event, _ = read_event_and_options(event_path)
    schedule = read_schedule(schedule_path)
    problems = reference_problems(event, schedule)
    if problems:
        raise EventError(
            [f"does not fit event {event_path}: {problem}" for problem in problems],
            source=schedule_path,
        )
    return event, schedule


def run(arguments: argparse.Namespace) -> int:
    """Export; returns the exit code."""
    event, schedule = read_inputs(arguments.event, arguments.schedule)
    output: str = arguments.output
    if arguments.previous and arguments.to != "ics":
        raise EventError([f"--previous is used with --to ics only, not --to {arguments.to}"])
    try:
        if arguments.to == "csv":
            from matchsched.adapters.tabular import schedule_to_csv, write_csv

            if output == "-":
                sys.stdout.write(schedule_to_csv(event, schedule))
                return EXIT_OK
            write_csv(event, schedule, output)
        elif arguments.to == "xlsx":
            from matchsched.adapters.tabular import schedule_to_xlsx, write_xlsx

            if output == "-":
                sys.stdout.buffer.write(schedule_to_xlsx(event, schedule))
                sys.stdout.flush()
                return EXIT_OK
            write_xlsx(event, schedule, output)
        else:
            from matchsched.adapters.ical import write_calendars

            if output == "-":
                raise EventError(["--to ics writes one file per participant: -o needs a folder"])
            if Path(output).exists() and not Path(output).is_dir():
                raise EventError([f"-o {output}: not a folder (--to ics writes one file each)"])
            previous = None
            if arguments.previous:
                previous = read_schedule(arguments.previous)
                if previous.event != event.name:
                    raise EventError(
                        [f"the previous schedule is for {previous.event!r}, not {event.name!r}"],
                        source=arguments.previous,
                    )
            written = write_calendars(event, schedule, output, previous=previous)
            print(f"{len(written)} calendar file(s) -> {output}", file=sys.stderr)
            return EXIT_OK
    except ImportError as error:
        print(f"matchsched: error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    print(f"{len(schedule.meetings)} meetings -> {output}", file=sys.stderr)
    return EXIT_OK
