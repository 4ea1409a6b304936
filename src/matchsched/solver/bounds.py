"""Upper bounds on the scheduled priority, proven independently of the search."""

from __future__ import annotations

from matchsched.solver.compile import Compiled


def possible_priority(compiled: Compiled) -> int:
    """Total priority of the requests that have at least one way to take place."""
    return int(
        sum(
            compiled.request_priority[r]
            for r, candidates in enumerate(compiled.request_candidates)
            if len(candidates)
        )
    )


def scheduled_priority_bound(compiled: Compiled) -> int:
    """The best bound this module can prove cheaply."""
    return possible_priority(compiled)
