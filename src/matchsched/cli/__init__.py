"""The ``matchsched`` command: parses arguments, calls the library, formats output.

Each sub-command lives in its own module with a ``register(subcommands)`` function that adds
its parser and sets ``handler``; a handler takes the parsed arguments and returns the exit code.

Exit codes: 0 success, 1 no valid answer (infeasible, no schedule in time, invalid schedule),
2 bad input or usage (nothing is written), 130 interrupted before anything could be written.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import logging
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

from matchsched.errors import EventError

EXIT_OK = 0
EXIT_NO_ANSWER = 1
EXIT_BAD_INPUT = 2

COMMAND_MODULES = [
    "matchsched.cli.solve",
    "matchsched.cli.check",
    "matchsched.cli.schema",
    "matchsched.cli.generate",
    "matchsched.cli.import_cmd",
    "matchsched.cli.export",
    "matchsched.cli.report",
    "matchsched.cli.plot",
    "matchsched.cli.diff",
    "matchsched.cli.explain",
]


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Keeps the examples in descriptions as written."""


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every sub-command registered."""
    parser = argparse.ArgumentParser(
        prog="matchsched",
        description="Optimal bilateral-meeting timetables for matchmaking events.",
        epilog="Run 'matchsched COMMAND --help' for the options and an example of each command.",
        formatter_class=HelpFormatter,
    )
    from matchsched import __version__

    parser.add_argument("--version", action="version", version=f"matchsched {__version__}")
    subcommands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subcommands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``matchsched`` command; returns the exit code."""
    parser = build_parser()
    arguments = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(message)s", stream=sys.stderr)
    try:
        return int(arguments.handler(arguments))
    except EventError as error:
        print(f"matchsched: error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT


def run() -> NoReturn:
    """The installed ``matchsched`` command (and ``python -m matchsched``): :func:`main`,
    then :func:`exit_now` with its code."""
    exit_now(main())


def exit_now(code: int) -> NoReturn:
    """End the process with ``code`` at once, once logging and the standard streams are
    flushed: without freeing the interpreter's objects and modules one by one, which takes
    0.06 to 0.15 s after a solve (docs/cli.md). Every file a command writes is closed by
    then; a helper process of the solve (RC2's) ends when its input closes with this one.
    Library callers and tests call :func:`main`, which returns."""
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        # a closed pipe (``| head``) or a closed stream has nothing left to flush
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(code)


if __name__ == "__main__":  # pragma: no cover
    run()
