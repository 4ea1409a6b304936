"""Core benchmark: the shipped example and a 500-participant synthetic event.

Run: ``python benchmarks/core.py [--time-limit S]``. Prints a table and writes the
``core`` section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import matchsched
from docs_section import stamp, write_section
from matchsched import SolveOptions, check, solve
from matchsched.generate import generate

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "cluster_matchmaking.json"


def measure(name: str, event: matchsched.Event, time_limit: float) -> dict[str, object]:
    """Solve once; check; collect the figures."""
    started = time.perf_counter()
    result = solve(event, SolveOptions(time_limit=time_limit))
    wall = time.perf_counter() - started
    violations = check(event, result.schedule)
    if violations:
        raise SystemExit(
            f"{name}: the checker found {len(violations)} violation(s): {violations[0]}"
        )
    objective = result.objective
    first = next((p.elapsed_s for p in result.progress if p.value is not None), None)
    assert objective is not None and objective.scheduled_priority_bound is not None
    value, bound = objective.scheduled_priority, objective.scheduled_priority_bound
    return {
        "event": name,
        "participants": len(event.participants),
        "requests": len(event.requests),
        "status": result.status.value,
        "first schedule (s)": "-" if first is None else f"{first:.1f}",
        "scheduled": f"{len(result.schedule.meetings)}",
        "priority / bound": f"{value} / {bound} ({100 * value / max(1, bound):.2f}%)",
        "breaks": objective.breaks,
        "table changes": objective.table_changes,
        "wall (s)": f"{wall:.1f}",
    }


def table(rows: list[dict[str, object]]) -> str:
    """A Markdown table of the rows."""
    columns = list(rows[0])
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(str(row[c]) for c in columns) + " |" for row in rows]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--time-limit", type=float, default=60.0)
    arguments = parser.parse_args()
    rows = [
        measure(
            "examples/cluster_matchmaking.json",
            matchsched.read_event(EXAMPLE),
            arguments.time_limit,
        ),
        measure(
            "generate brokerage, 500 participants, seed 1",
            generate("brokerage", participants=500, requests_per_participant=10, seed=1),
            arguments.time_limit,
        ),
    ]
    text = table(rows)
    print(text)
    write_section(
        "core",
        "## Core engine\n\n" + stamp() + f"\nTime limit {arguments.time_limit:g} s, 2 workers, "
        "default goals. *First schedule* is when the first valid timetable was found; "
        "*bound* is the proven upper bound on the scheduled priority.\n\n" + text,
    )


if __name__ == "__main__":
    main()
