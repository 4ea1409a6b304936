"""``matchsched import``: build an event file from spreadsheets of a platform export."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from matchsched.adapters.json_io import event_to_json, write_event
from matchsched.cli import EXIT_BAD_INPUT, EXIT_OK

DESCRIPTION = """\
Build a matchsched/event@1 file from an event settings file and spreadsheets.

FILE... are, in any order:
  one event settings file (.json): a matchsched/event@1 file with the name, time zone,
      sessions and locations (and no participants, usually);
  participants and requests tables (.csv, or .xlsx with one table per sheet), told apart by
      their header: requester and requested columns make a requests table, an email column
      a participants table.

Headers are matched ignoring case, spaces, '_' and '-'; --map names other headers, e.g.
{"email": "E-mail address", "requester": ["From", "Sender"]}. docs/organisers.md lists the
default headers and how priority, rank, mutual and status become requests.

A row that cannot be read is an error (file, row number, reason) and nothing is written;
with --skip-bad-rows the other rows are imported and the bad ones listed as warnings.

examples:
  matchsched import settings.json participants.csv requests.csv -o event.json
  matchsched import settings.json export.xlsx --map columns.json --skip-bad-rows -o event.json

exit codes: 0 written, 2 bad input (nothing written)
"""


def register(subcommands: Any) -> None:
    """Add the ``import`` command."""
    parser = subcommands.add_parser(
        "import",
        help="build an event file from participant and request spreadsheets",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "files", nargs="+", metavar="FILE", help="event settings (.json) and tables (.csv, .xlsx)"
    )
    parser.add_argument("--map", metavar="COLUMNS.json", help="JSON file of header names to use")
    parser.add_argument(
        "--skip-bad-rows", action="store_true", help="import the readable rows, list the others"
    )
    parser.add_argument(
        "--ids",
        choices=["email", "slug"],
        help="participant ids: lower-cased email (default) or a slug of the name",
    )
    parser.add_argument(
        "-o",
        "--output",
        required=True,
        metavar="EVENT.json",
        help="event file to write ('-': stdout)",
    )
    parser.set_defaults(handler=run)


def run(arguments: argparse.Namespace) -> int:
    """Import and write the event; returns the exit code."""
    from dataclasses import replace

    from matchsched.adapters.spreadsheet import ColumnMap, import_event, read_column_map

    columns = read_column_map(arguments.map) if arguments.map else ColumnMap()
    if arguments.ids:
        columns = replace(columns, ids=arguments.ids)
    try:
        result = import_event(
            arguments.files, columns=columns, skip_bad_rows=arguments.skip_bad_rows
        )
    except ImportError as error:
        print(f"matchsched: error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    for note in result.notes:
        print(f"note: {note}", file=sys.stderr)
    for problem in result.problems:
        print(f"warning: skipped {problem}", file=sys.stderr)
    event = result.event
    if arguments.output == "-":
        sys.stdout.write(event_to_json(event))
    else:
        write_event(event, arguments.output)
    print(
        f"imported {len(event.participants)} participants, {len(event.organizations)} "
        f"organizations, {len(event.requests)} requests"
        + (f" ({len(result.problems)} bad row(s) skipped)" if result.problems else "")
        + ("" if arguments.output == "-" else f" -> {arguments.output}"),
        file=sys.stderr,
    )
    return EXIT_OK
