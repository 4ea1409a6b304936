"""Solve the example cluster matchmaking day and print everyone's agenda.

Usage::

    python examples/agenda.py [EVENT.json]

Without an argument it reads ``cluster_matchmaking.json`` next to this script. The schedule is
checked by the independent checker before anything is printed; the exit status is 0 for a
valid schedule and 1 when there is none (or, which would be a bug, it breaks a rule).
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import matchsched
from matchsched.schedule import Meeting


def party_label(event: matchsched.Event, participant_id: str) -> str:
    """``"Name (Organization)"`` for a participant id."""
    participant = event.participant(participant_id)
    name = participant.name or participant.id
    organizations = {organization.id: organization for organization in event.organizations}
    organization = organizations.get(participant.organization or "")
    return f"{name} ({organization.name or organization.id})" if organization else name


def meeting_line(event: matchsched.Event, meeting: Meeting, participant_id: str) -> str:
    """One agenda line: time, table and whom the participant meets."""
    start = meeting.start.strftime("%H:%M")
    end = meeting.end.strftime("%H:%M")
    table = f"{meeting.location} #{meeting.table}"
    others = [party_label(event, other) for other in meeting.attendees if other != participant_id]
    return f"    {start}-{end}  {table:<14} {', '.join(others)}"


def print_summary(event: matchsched.Event, result: matchsched.Result) -> None:
    """Status and goal values of the result."""
    schedule = result.schedule
    requested = sum(request.priority for request in event.requests)
    print(f"{event.name} ({event.timezone})")
    timing = f" in {schedule.solver.wall_time_s:.1f} s" if schedule.solver else ""
    print(f"status: {result.status.value}{timing}")
    print(f"scheduled: {len(schedule.meetings)} of {len(event.requests)} requests")
    objective = result.objective
    if objective is None:
        return
    bound = objective.scheduled_priority_bound
    print(
        f"priority: {objective.scheduled_priority} scheduled of {requested} requested"
        + (f" (proven bound {bound})" if bound is not None else "")
    )
    fairness = f", fairness {objective.fairness:.2f}" if objective.fairness is not None else ""
    print(
        f"breaks: {objective.breaks}, table changes: {objective.table_changes}, "
        f"unpreferred slots: {objective.unpreferred}{fairness}"
    )
    reasons = Counter(item.reason.value for item in schedule.unscheduled)
    if reasons:
        print(
            "unscheduled: "
            + ", ".join(f"{count} {reason}" for reason, count in reasons.most_common())
        )


def print_agendas(event: matchsched.Event, schedule: matchsched.Schedule) -> None:
    """Every participant's meetings in time order, then their requests left out."""
    several_days = len({session.start.date() for session in event.sessions}) > 1
    for participant in event.participants:
        agenda = schedule.agenda(participant.id)
        print()
        print(f"{party_label(event, participant.id)}: {len(agenda)} meeting(s)")
        day = None
        for meeting in agenda:
            if several_days and meeting.start.date() != day:
                day = meeting.start.date()
                print(f"  {day:%A %d %B %Y}")
            print(meeting_line(event, meeting, participant.id))
        if participant.table is not None:
            print(f"    (hosts at {participant.table.location} #{participant.table.table})")
        for item in schedule.unscheduled:
            parties = event.request(item.request).participants
            if participant.id in parties:
                others = ", ".join(party for party in parties if party != participant.id)
                print(f"    not scheduled: {item.request} with {others} ({item.reason.value})")


def main(argv: list[str]) -> int:
    """Read, solve, check and print; returns the exit status."""
    path = Path(argv[1]) if len(argv) > 1 else Path(__file__).with_name("cluster_matchmaking.json")
    event = matchsched.read_event(path)
    result = matchsched.solve(event, matchsched.SolveOptions(time_limit=20))
    print_summary(event, result)
    if not result.status.has_schedule:
        for item in result.schedule.unscheduled[:10]:
            print(f"  {item.request}: {item.reason.value} {item.detail}")
        return 1
    violations = matchsched.check(event, result.schedule)
    if violations:
        print(f"the checker found {len(violations)} violation(s):")
        for violation in violations:
            print(f"  {violation}")
        return 1
    print("checker: the schedule keeps every rule")
    print_agendas(event, result.schedule)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
