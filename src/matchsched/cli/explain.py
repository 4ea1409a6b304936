"""``matchsched explain``: why a request is (or is not) in a schedule, in plain language."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from matchsched.adapters.json_io import read_schedule
from matchsched.cli import EXIT_BAD_INPUT, EXIT_OK
from matchsched.cli.common import read_event_and_options
from matchsched.solver.explain import explain_request, explanation_text

DESCRIPTION = """\
Explain one request of a schedule: where it is, or why it is not scheduled (its reason),
which slots it could take, and who or what blocks each of them (participants busy with
which meetings, tables or resources taken, meeting limits, 'after' rules). For an
infeasible schedule, the conflicting requests are listed first.

examples:
  matchsched explain event.json schedule.json r42
  matchsched explain event.json schedule.json r42 --json

exit codes: 0 success, 2 bad input (unknown request, unreadable file)
"""


def register(subcommands: Any) -> None:
    """Add the ``explain`` command."""
    parser = subcommands.add_parser(
        "explain",
        help="why a request is (or is not) scheduled",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("event", metavar="EVENT", help="event file (.json or .dzn)")
    parser.add_argument("schedule", metavar="SCHEDULE", help="schedule file")
    parser.add_argument("request", metavar="REQUEST_ID", help="id of the request to explain")
    parser.add_argument("--json", action="store_true", help="machine-readable JSON")
    parser.set_defaults(handler=run)


def run(arguments: argparse.Namespace) -> int:
    """Print the explanation; returns the exit code."""
    event, _ = read_event_and_options(arguments.event)
    schedule = read_schedule(arguments.schedule)
    if not any(r.id == arguments.request for r in event.requests):
        print(
            f"matchsched: error: request {arguments.request!r} is not in {arguments.event}",
            file=sys.stderr,
        )
        return EXIT_BAD_INPUT
    explanation = explain_request(event, schedule, arguments.request)
    if arguments.json:
        data = explanation.model_dump(mode="json", exclude_none=True)
        if schedule.conflict:
            data["event_conflict"] = list(schedule.conflict)
        sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
        return EXIT_OK
    if schedule.conflict:
        print(
            f"the schedule is {schedule.status.value}: required requests "
            f"{', '.join(schedule.conflict)} cannot all be held together"
        )
    sys.stdout.write(explanation_text(explanation))
    return EXIT_OK
