"""``matchsched schema``: print the JSON Schema of the event or schedule format."""

from __future__ import annotations

import argparse
import json
from typing import Any

from matchsched.model import Event
from matchsched.schedule import Schedule


def register(subcommands: Any) -> None:
    """Add the ``schema`` command."""
    parser = subcommands.add_parser(
        "schema",
        help="print the JSON Schema of an event or schedule file",
        description="Print the JSON Schema generated from the models.\n\n"
        "example:\n  matchsched schema > event.schema.json\n"
        "  matchsched schema --kind schedule",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--kind", choices=["event", "schedule"], default="event", help="which document (event)"
    )
    parser.set_defaults(handler=run)


def run(arguments: argparse.Namespace) -> int:
    """Print the schema."""
    model = Event if arguments.kind == "event" else Schedule
    schema = model.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"matchsched/{arguments.kind}@1"
    print(json.dumps(schema, indent=2))
    return 0
