"""Errors the library raises on bad input, with messages that name the field and the value."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError


class EventError(ValueError):
    """An event (or schedule) document is invalid.

    ``problems`` holds one message per problem, each starting with the field path,
    e.g. ``"requests[12].participants[1]: unknown id 'p99'"``.
    """

    def __init__(self, problems: Sequence[str], *, source: str | None = None) -> None:
        self.problems = list(problems)
        self.source = source
        where = f"{source}: " if source else ""
        lines = "\n".join(f"  {problem}" for problem in self.problems)
        super().__init__(f"{where}{len(self.problems)} problem(s)\n{lines}")

    @classmethod
    def from_validation(cls, error: ValidationError, *, source: str | None = None) -> EventError:
        """Turn a pydantic ``ValidationError`` into one message per problem."""
        return cls(validation_messages(error), source=source)


def field_path(location: Sequence[str | int]) -> str:
    """``('requests', 12, 'participants')`` -> ``'requests[12].participants'``."""
    path = ""
    for part in location:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path or "(document)"


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def validation_messages(error: ValidationError) -> list[str]:
    """One ``path: message`` line per problem of a pydantic ``ValidationError``."""
    messages: list[str] = []
    for item in error.errors(include_url=False):
        context = item.get("ctx") or {}
        if item["type"] == "references":
            messages.extend(context["problems"])
            continue
        path = field_path(item["loc"])
        message = item["msg"]
        if item["type"] == "extra_forbidden":
            message = "unknown field (not part of the format)"
        elif (
            item["type"] != "missing"
            and "input" in item
            and not isinstance(item["input"], (dict, list))
        ):
            message = f"{message} (got {_shown(item['input'])})"
        messages.append(f"{path}: {message}")
    return messages
