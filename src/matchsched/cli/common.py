"""Helpers shared by the sub-commands: reading inputs in any supported format, checking
numeric arguments."""

from __future__ import annotations

import argparse
import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from matchsched.adapters.json_io import read_event
from matchsched.errors import EventError
from matchsched.model import Event
from matchsched.options import SolveOptions


def read_event_and_options(
    path: str, options_file: str | None = None
) -> tuple[Event, SolveOptions]:
    """Read an event (``.json`` or ``.dzn``) and the options it implies, then an options file.

    A ``.dzn`` file of the JAIR benchmark implies its problem (all meetings required,
    minimise breaks, fairness 2); an options file overrides what it names.
    """
    if Path(path).suffix.lower() == ".dzn":
        from matchsched.adapters.dzn import read_dzn

        event, options = read_dzn(path)
    else:
        event, options = read_event(path), SolveOptions()
    if options_file is not None:
        options = merge_options(options, read_options_file(options_file))
    return event, options


def read_options_file(path: str) -> dict[str, Any]:
    """The fields of a JSON options file (validated later, with the rest)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise EventError([f"cannot read options file: {error.strerror}"], source=path) from None
    except json.JSONDecodeError as error:
        raise EventError(
            [f"line {error.lineno}, column {error.colno}: invalid JSON ({error.msg})"], source=path
        ) from None
    if not isinstance(data, dict):
        raise EventError(["(document): options must be a JSON object"], source=path)
    return data


def merge_options(
    options: SolveOptions, changes: dict[str, Any], *, source: str | None = None
) -> SolveOptions:
    """``options`` with ``changes`` applied, validated as a whole."""
    data = options.model_dump()
    data.update(changes)
    try:
        return SolveOptions.model_validate(data)
    except ValidationError as error:
        raise EventError.from_validation(error, source=source or "options") from None


def number(
    convert: Callable[[str], Any], low: float, *, strict: bool = False
) -> Callable[[str], Any]:
    """An argparse type: ``convert`` the text, then require ``>= low`` (``> low`` if strict)."""
    relation = ">" if strict else ">="
    kind = "an integer" if convert is int else "a number"

    def parse(text: str) -> Any:
        try:
            value = convert(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"must be {kind} {relation} {low:g}, got {text!r}"
            ) from None
        if not math.isfinite(value) or value < low or (strict and value == low):
            raise argparse.ArgumentTypeError(f"must be {kind} {relation} {low:g}, got {text!r}")
        return value

    return parse
