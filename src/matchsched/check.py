"""Independent checker (placeholder until written)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Violation:
    rule: str
    code: str
    message: str
    ids: tuple[str, ...] = ()


def check(event, schedule, options=None):  # type: ignore[no-untyped-def]
    raise NotImplementedError
