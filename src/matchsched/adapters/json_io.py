"""JSON files: ``matchsched/event@1`` in, ``matchsched/schedule@1`` out (and back in)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from matchsched.adapters.files import atomic_write_text
from matchsched.errors import EventError
from matchsched.model import Event
from matchsched.schedule import Schedule


def _load_json(source: str | os.PathLike[str], label: str) -> Any:
    path = Path(source)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise EventError(
            [f"cannot read {label} file: {error.strerror}"], source=str(path)
        ) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise EventError(
            [f"line {error.lineno}, column {error.colno}: invalid JSON ({error.msg})"],
            source=str(path),
        ) from None


def event_from_data(data: Any, *, source: str | None = None) -> Event:
    """Validate parsed JSON data as an event, raising :class:`EventError` on any problem."""
    if not isinstance(data, dict):
        raise EventError(["(document): an event must be a JSON object"], source=source)
    try:
        return Event.model_validate(data)
    except ValidationError as error:
        raise EventError.from_validation(error, source=source) from None


def schedule_from_data(data: Any, *, source: str | None = None) -> Schedule:
    """Validate parsed JSON data as a schedule, raising :class:`EventError` on any problem."""
    if not isinstance(data, dict):
        raise EventError(["(document): a schedule must be a JSON object"], source=source)
    try:
        return Schedule.model_validate(data)
    except ValidationError as error:
        raise EventError.from_validation(error, source=source) from None


def read_event(path: str | os.PathLike[str]) -> Event:
    """Read a ``matchsched/event@1`` JSON file."""
    return event_from_data(_load_json(path, "event"), source=str(path))


def read_schedule(path: str | os.PathLike[str]) -> Schedule:
    """Read a ``matchsched/schedule@1`` JSON file."""
    return schedule_from_data(_load_json(path, "schedule"), source=str(path))


def event_to_json(event: Event) -> str:
    """The event as JSON text; fields left at their defaults are omitted."""
    data = {"format": event.format, **event.model_dump(mode="json", exclude_defaults=True)}
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def schedule_to_json(schedule: Schedule) -> str:
    """The schedule as JSON text."""
    data = schedule.model_dump(mode="json", exclude_none=True)
    for item in data.get("unscheduled", []):
        if not item.get("conflicts"):
            item.pop("conflicts", None)
    if not data.get("conflict"):
        data.pop("conflict", None)
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def write_event(event: Event, path: str | os.PathLike[str]) -> None:
    """Write an event file atomically."""
    atomic_write_text(path, event_to_json(event))


def write_schedule(schedule: Schedule, path: str | os.PathLike[str]) -> None:
    """Write a schedule file atomically."""
    atomic_write_text(path, schedule_to_json(schedule))
