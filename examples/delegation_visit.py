"""A visiting business delegation meets local companies; print who meets whom, and why not.

Usage::

    python examples/delegation_visit.py

The JETRO Osaka delegation (four people, one organization) visits for a day. Local companies
ask to meet *the delegation*: the solver picks which member attends each meeting. The head of
delegation opens the day with a group meeting in the meeting room (required, pinned), then
has a one-hour (two-slot) meeting with Elio Solar, which must come after the opening. One
meeting needs the only Japanese interpreter. The event is in ``delegation_visit.json``.

The schedule is checked by the independent checker before anything is printed; the exit
status is 0 for a valid schedule and 1 otherwise.
"""

from __future__ import annotations

import sys
from pathlib import Path

import matchsched
from matchsched.solver.explain import explain_request, explanation_text

HERE = Path(__file__).parent


def main() -> int:
    event = matchsched.read_event(HERE / "delegation_visit.json")
    options = matchsched.SolveOptions(time_limit=20, seed=0)
    result = matchsched.solve(event, options)
    schedule = result.schedule
    violations = matchsched.check(event, schedule, options)
    if not result.status.has_schedule or violations:
        print(f"no valid schedule: {result.status.value} {violations}")
        return 1
    names = {p.id: p.name or p.id for p in event.participants}
    objective = schedule.objective
    assert objective is not None
    print(
        f"{event.name}: {result.status.value}, {len(schedule.meetings)} of "
        f"{len(event.requests)} requests scheduled, priority {objective.scheduled_priority} "
        f"of at most {objective.scheduled_priority_bound}, {objective.breaks} break(s)"
    )

    print("\nThe delegation's day (who attends each meeting made to the organization):")
    members = [p.id for p in event.members("jetro-osaka")]
    for member in members:
        print(f"  {names[member]}")
        for meeting in schedule.agenda(member):
            others = [names[a] for a in meeting.attendees if a != member]
            request = event.request(meeting.request)
            how = " (asked the delegation)" if "jetro-osaka" in request.participants else ""
            print(
                f"    {meeting.start:%H:%M}-{meeting.end:%H:%M}  {meeting.location} "
                f"#{meeting.table:<2} {', '.join(others)}{how}"
            )

    print("\nNot scheduled:")
    for item in schedule.unscheduled:
        print(f"  {item.request}: {item.reason.value}\n    {item.detail}")
    if schedule.unscheduled:
        first = schedule.unscheduled[0].request
        print(f"\n$ matchsched explain delegation_visit.json schedule.json {first}")
        print(explanation_text(explain_request(event, schedule, first)), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
