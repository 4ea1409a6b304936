"""``matchsched generate``: write a synthetic but realistic event file."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from typing import Any

from matchsched.adapters.json_io import event_to_json, write_event
from matchsched.cli import EXIT_BAD_INPUT, EXIT_OK
from matchsched.cli.common import number
from matchsched.generate import KINDS, generate

DESCRIPTION = """\
Write a synthetic matchmaking event (matchsched/event@1) shaped like a real one: delegations
and organizations from several countries, a few very popular participants, mutual interest as
priority 3, partial attendance, exhibitors at booths, and tables at a share of the demand.
The same arguments always give the same file.

kinds:
  brokerage   an Enterprise Europe Network brokerage event, companies meeting in pairs
  cluster     EU cluster matchmaking; some requests name an organization, not a person
  tradefair   trade-fair partnering: many booths, interpreters, 3-party and 2-slot meetings

example:
  matchsched generate cluster --participants 300 --seed 7 -o cluster-300.json
  matchsched generate tradefair --participants 2000 --days 3 --table-ratio 1.2 > fair.json
"""


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a date like 2025-06-10, got {text!r}") from None


def register(subcommands: Any) -> None:
    """Add the ``generate`` command."""
    parser = subcommands.add_parser(
        "generate",
        help="write a synthetic, realistic event file",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "kind", choices=KINDS, metavar="KIND", help="brokerage, cluster or tradefair"
    )
    parser.add_argument(
        "--participants", type=number(int, 2), default=200, metavar="N", help="exactly N (200)"
    )
    parser.add_argument(
        "--seed", type=number(int, 0), default=0, metavar="N", help="random seed (0)"
    )
    parser.add_argument(
        "--requests-per-participant",
        type=number(float, 0),
        default=10.0,
        metavar="X",
        help="the event has round(N * X) requests (10)",
    )
    parser.add_argument("--days", type=number(int, 1), default=2, metavar="D", help="days (2)")
    parser.add_argument(
        "--sessions-per-day",
        type=number(int, 1),
        default=2,
        metavar="S",
        help="sessions a day, from 09:00 and 14:00 (2)",
    )
    parser.add_argument(
        "--slots-per-session", type=number(int, 1), default=9, metavar="K", help="(9)"
    )
    parser.add_argument("--slot-minutes", type=number(int, 1), default=20, metavar="M", help="(20)")
    parser.add_argument(
        "--table-ratio",
        type=number(float, 0, strict=True),
        default=0.8,
        metavar="R",
        help="tables per location = ceil(R * meeting slots there / slots of the event) (0.8)",
    )
    parser.add_argument(
        "--first-day", type=_day, default=date(2025, 6, 10), metavar="DATE", help="(2025-06-10)"
    )
    parser.add_argument(
        "--timezone", metavar="TZ", help="IANA time zone (default: the host city's)"
    )
    parser.add_argument(
        "-o", "--output", default="-", metavar="FILE", help="event file to write ('-': stdout)"
    )
    parser.set_defaults(handler=run)


def run(arguments: argparse.Namespace) -> int:
    """Generate the event and write it; returns the exit code."""
    try:
        event = generate(
            arguments.kind,
            participants=arguments.participants,
            seed=arguments.seed,
            requests_per_participant=arguments.requests_per_participant,
            days=arguments.days,
            sessions_per_day=arguments.sessions_per_day,
            slots_per_session=arguments.slots_per_session,
            slot_minutes=arguments.slot_minutes,
            table_ratio=arguments.table_ratio,
            first_day=arguments.first_day,
            timezone=arguments.timezone,
        )
    except ValueError as error:
        print(f"matchsched generate: error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if arguments.output == "-":
        sys.stdout.write(event_to_json(event))
        return EXIT_OK
    try:
        write_event(event, arguments.output)
    except OSError as error:
        print(
            f"matchsched generate: error: cannot write {arguments.output}: {error.strerror}",
            file=sys.stderr,
        )
        return EXIT_BAD_INPUT
    print(
        f"wrote {arguments.output}: {event.name}, {len(event.participants)} participants, "
        f"{len(event.requests)} requests, {len(event.sessions)} sessions",
        file=sys.stderr,
    )
    return EXIT_OK
