"""Re-scheduling after late changes: five cancellations, ten late registrations.

Usage::

    python examples/reschedule.py

Solves the brokerage day in ``reschedule.json`` (60 participants), then the night before the
event five participants cancel and ten register late, each with three meeting requests. The
event is solved again against the first schedule (``solve(..., previous=schedule)``, the
same as ``matchsched solve EVENT --previous OLD.json``) with the stability goal right after
the scheduled priority, so meetings move only when that lets more (or more important)
meetings take place. The script prints the diff, per participant, as a platform would send
notifications (``matchsched diff OLD NEW``), and how many untouched meetings moved.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

import matchsched
from matchsched import Event, SolveOptions
from matchsched.diff import diff_text

HERE = Path(__file__).parent
CANCELLED = 5
LATE = 10
REQUESTS_EACH = 3


def late_changes(event: Event, seed: int = 1) -> Event:
    """The event after ``CANCELLED`` cancellations and ``LATE`` late registrations."""
    rng = random.Random(seed)
    gone = set(rng.sample([p.id for p in event.participants], CANCELLED))
    people = [p for p in event.participants if p.id not in gone]
    staffed = {p.organization for p in people}
    organizations = [o for o in event.organizations if o.id in staffed]
    party_ids = {p.id for p in people} | {o.id for o in organizations}
    requests = [r for r in event.requests if all(x in party_ids for x in r.participants)]
    requests = [
        r.model_copy(update={"after": [a for a in r.after if a in party_ids]}) for r in requests
    ]
    data = event.model_dump(exclude_defaults=True)
    data["participants"] = [p.model_dump(exclude_defaults=True) for p in people]
    data["organizations"] = [o.model_dump(exclude_defaults=True) for o in organizations]
    data["requests"] = [r.model_dump(exclude_defaults=True) for r in requests]
    targets = [p.id for p in people]
    for number in range(1, LATE + 1):
        newcomer = f"late{number}"
        data["participants"].append({"id": newcomer, "name": f"Late registrant {number}"})
        for target in rng.sample(targets, REQUESTS_EACH):
            data["requests"].append(
                {
                    "id": f"{newcomer}-{target}",
                    "participants": [newcomer, target],
                    "priority": rng.choice([1, 1, 2, 3]),
                }
            )
    return Event.model_validate(data)


def main() -> int:
    event = matchsched.read_event(HERE / "reschedule.json")
    first_options = SolveOptions(time_limit=8, seed=0)
    first = matchsched.solve(event, first_options)
    if not first.status.has_schedule or matchsched.check(event, first.schedule, first_options):
        print(f"no valid first schedule: {first.status.value}")
        return 1
    old = first.schedule
    print(
        f"first solve: {first.status.value}, {len(old.meetings)} meetings for "
        f"{len(event.participants)} participants"
    )

    changed = late_changes(event)
    options = SolveOptions(
        time_limit=8,
        seed=0,
        goals=["scheduled", "stability", "fairness", "breaks", "table_changes", "preferences"],
    )
    second = matchsched.solve(changed, options, previous=old)
    new = second.schedule
    violations = matchsched.check(changed, new, options)
    if not second.status.has_schedule or violations:
        print(f"no valid new schedule: {second.status.value} {violations}")
        return 1

    surviving = {r.id for r in changed.requests}
    untouched = [m for m in old.meetings if m.request in surviving]
    changes = matchsched.diff(old, new)
    # Untouched meetings that moved, or that are no longer scheduled at all.
    moved = sum(1 for c in changes.changes if c.request in surviving and c.change.value != "added")
    print(
        f"re-solve with 5 cancellations and 10 late registrations: {second.status.value}, "
        f"{len(new.meetings)} meetings; {moved} of {len(untouched)} untouched meetings moved "
        "or dropped "
        f"({100 * moved / max(1, len(untouched)):.1f} %)"
    )
    print()
    text = diff_text(changes, changed)
    lines = text.splitlines()
    print("\n".join(lines[:40]))
    if len(lines) > 40:
        print(f"... ({len(lines) - 40} more lines: run 'matchsched diff OLD NEW' for all)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
