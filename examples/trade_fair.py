"""Trade-fair partnering: booths, interpreters, a meeting room for groups, product demos.

Usage::

    python examples/trade_fair.py

``trade_fair.json`` describes one fair day with four exhibitors, each receiving visitors at
their own booth (a fixed host ``table``: every meeting of the exhibitor is held there), twelve
visitors, Chinese, Portuguese and Japanese interpreters (``resources`` with capacity 1: one
meeting per slot each), a hall of 2-seat tables for visitor-to-visitor meetings, a meeting room
with 6 seats where the group meetings (3 or 4 parties) must go, and product demos that last
two slots (``length: 2``). The script solves it, checks it with the independent checker, and
prints each booth's day, the interpreters' days, the group meetings and the demos.
"""

from __future__ import annotations

import sys
from pathlib import Path

import matchsched

HERE = Path(__file__).parent


def main() -> int:
    event = matchsched.read_event(HERE / "trade_fair.json")
    options = matchsched.SolveOptions(time_limit=30, seed=0)
    result = matchsched.solve(event, options)
    schedule = result.schedule
    violations = matchsched.check(event, schedule, options)
    if not result.status.has_schedule or violations:
        print(f"no valid schedule: {result.status.value} {violations}")
        return 1
    objective = schedule.objective
    assert objective is not None and schedule.solver is not None
    names = {p.id: p.name or p.id for p in event.participants}
    print(
        f"{event.name}: {result.status.value} in {schedule.solver.wall_time_s:.1f} s; "
        f"{len(schedule.meetings)} of {len(event.requests)} requests, priority "
        f"{objective.scheduled_priority} (bound {objective.scheduled_priority_bound}), "
        f"{objective.breaks} breaks, fairness {objective.fairness:.2f}"
    )

    print("\nBooths (host tables: every meeting of an exhibitor is at their booth):")
    for participant in event.participants:
        if participant.table is None:
            continue
        print(
            f"  {names[participant.id]} ({participant.table.location} #{participant.table.table})"
        )
        for meeting in schedule.agenda(participant.id):
            assert (meeting.location, meeting.table) == (
                participant.table.location,
                participant.table.table,
            )
            guests = ", ".join(names[a] for a in meeting.attendees if a != participant.id)
            demo = "  [demo, 2 slots]" if meeting.length == 2 else ""
            print(f"    {meeting.start:%H:%M}-{meeting.end:%H:%M}  {guests}{demo}")

    print("\nInterpreters (capacity 1: never two meetings at once):")
    for resource in event.resources:
        booked = [m for m in schedule.meetings if resource.id in event.request(m.request).resources]
        times = ", ".join(f"{m.start:%H:%M}-{m.end:%H:%M} {m.request}" for m in booked)
        print(f"  {resource.id}: {len(booked)} meeting(s): {times or '-'}")

    print(
        "\nGroup meetings (the meeting room seats 6, the hall 2; an exhibitor hosts at the booth):"
    )
    for meeting in schedule.meetings:
        if len(meeting.attendees) > 2:
            people = ", ".join(names[a] for a in meeting.attendees)
            print(
                f"  {meeting.request}: {meeting.start:%H:%M}-{meeting.end:%H:%M} at "
                f"{meeting.location} #{meeting.table}: {people}"
            )

    print("\nNot scheduled:")
    for item in schedule.unscheduled:
        print(f"  {item.request} ({item.reason.value}): {item.detail}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
