"""Explanations a person understands: why a request is (not) in the timetable, and why an
event has no valid schedule at all.

Two questions are answered here.

*Why is this request not scheduled?* :class:`Occupation` records what a finished timetable
occupies (participants, pool tables, fixed tables, resources, meeting counts), and
:func:`analyse_request` goes through every way the request could take place (its candidates)
and names what blocks each one: a participant busy with another meeting, all tables of a
location taken, a resource at capacity, a participant at their ``max_meetings``, an ``after``
rule. :func:`explain_request` turns this into a :class:`RequestExplanation` per start slot
(``matchsched explain``), and :mod:`matchsched.solver.reasons` into the reason codes of the
schedule.

*Why is the event infeasible?* :func:`find_conflict` rebuilds the timetable model with every
"must" rule (a required request, ``min_meetings`` for one participant, a locked previous
meeting) behind an assumption literal, lets CP-SAT name a sufficient set of assumptions for
infeasibility, and shrinks that set by deletion while it is cheap, so that the answer is a
small (usually minimal) set of requests and rules that cannot hold together.
"""

from __future__ import annotations

import logging
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from ortools.sat.python import cp_model
from pydantic import BaseModel, ConfigDict

from matchsched.model import Event, MeetingRequest
from matchsched.options import SolveOptions
from matchsched.schedule import Meeting, Schedule, UnscheduledReason
from matchsched.solver.compile import Compiled, compile_event

logger = logging.getLogger("matchsched")

__all__ = [
    "Conflict",
    "Occupation",
    "RequestExplanation",
    "SlotExplanation",
    "analyse_request",
    "explain_request",
    "explanation_text",
    "find_conflict",
]


# ---------------------------------------------------------------------------------------
# names for people


def and_list(items: list[str], limit: int = 6) -> str:
    """``a``, ``a and b``, ``a, b and c``; long lists end with ``and N more``."""
    if len(items) > limit:
        items = [*items[: limit - 1], f"{len(items) - limit + 1} more"]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def slot_text(compiled: Compiled, slot: int) -> str:
    """``d1-am/3 (10:00)``: session, slot within it, and local start time."""
    session = int(compiled.slot_session[slot])
    within = slot - int(compiled.session_first_slot[session])
    start = compiled.event.session(compiled.session_ids[session]).slot_start(within)
    return f"{compiled.session_ids[session]}/{within} ({start.strftime('%H:%M')})"


def end_text(compiled: Compiled, end: int) -> str:
    """``10:20 (end of d1-am/3)``: when a meeting whose last slot is ``end - 1`` ends."""
    last = end - 1
    session = int(compiled.slot_session[last])
    within = last - int(compiled.session_first_slot[session])
    finish = compiled.event.session(compiled.session_ids[session]).slot_start(within + 1)
    return f"{finish.strftime('%H:%M')} (end of {compiled.session_ids[session]}/{within})"


def party_text(compiled: Compiled, party: str) -> str:
    """A participant id, or ``org (any member)`` for an organization."""
    return party if party in compiled.participant_index else f"{party} (any member)"


# ---------------------------------------------------------------------------------------
# what a timetable occupies


class Occupation:
    """What the meetings of a timetable occupy, keyed by compiled indices.

    Built from :class:`~matchsched.schedule.Meeting` objects, so it serves both the solver
    (reasons, right after the search) and ``matchsched explain`` (a schedule file).
    """

    def __init__(self, compiled: Compiled, meetings: list[Meeting]) -> None:
        self.compiled = compiled
        session_position = {sid: i for i, sid in enumerate(compiled.session_ids)}
        location_position = {lid: i for i, lid in enumerate(compiled.location_ids)}
        request_position = {rid: i for i, rid in enumerate(compiled.request_ids)}
        self.busy: dict[tuple[int, int], int] = {}
        """(participant, slot) -> request that keeps them busy."""
        self.pool: Counter[tuple[int, int]] = Counter()
        """(location, slot) -> meetings at shared pool tables."""
        self.table: dict[tuple[int, int, int], int] = {}
        """(location, table, slot) -> request held there."""
        self.resource: dict[tuple[int, int], list[int]] = defaultdict(list)
        """(resource, slot) -> requests using it."""
        self.meetings: Counter[int] = Counter()
        self.session_meetings: Counter[tuple[int, int]] = Counter()
        self.span: dict[int, tuple[int, int]] = {}
        """request -> (first slot, slot after the last)."""
        self.attendees: dict[int, list[int]] = {}
        self.place: dict[int, tuple[int, int]] = {}
        """request -> (location, table)."""
        self.followers: dict[int, list[int]] = defaultdict(list)
        """request -> the requests that must come after it."""
        for later, earlier_list in enumerate(compiled.request_after):
            for earlier in earlier_list:
                self.followers[earlier].append(later)
        for meeting in meetings:
            r = request_position.get(meeting.request)
            session = session_position.get(meeting.session)
            if r is None or session is None:
                continue
            start = int(compiled.session_first_slot[session]) + meeting.slot
            self.span[r] = (start, start + meeting.length)
            people = [
                compiled.participant_index[a]
                for a in meeting.attendees
                if a in compiled.participant_index
            ]
            self.attendees[r] = people
            for person in people:
                self.meetings[person] += 1
                self.session_meetings[(person, session)] += 1
            location = location_position.get(meeting.location)
            if location is not None:
                self.place[r] = (location, meeting.table)
            for t in range(start, start + meeting.length):
                for person in people:
                    self.busy[(person, t)] = r
                if location is not None:
                    if meeting.table in compiled.pool_tables[location]:
                        self.pool[(location, t)] += 1
                    self.table[(location, meeting.table, t)] = r
                for resource in compiled.request_resources[r]:
                    self.resource[(resource, t)].append(r)


@dataclass(frozen=True)
class Blocker:
    """One thing that stops one candidate: ``kind`` and the facts to name it."""

    kind: str
    """``full``, ``busy``, ``tables``, ``table``, ``resource``, ``after`` or ``before``."""
    person: int = -1
    slot: int = -1
    other: int = -1
    """The other request (busy, table, after, before), the resource, or the location."""
    detail: str = ""

    @property
    def group(self) -> str:
        """``full``, ``busy``, ``capacity`` or ``precedence``."""
        return {
            "tables": "capacity",
            "table": "capacity",
            "resource": "capacity",
            "after": "precedence",
            "before": "precedence",
        }.get(self.kind, self.kind)


@dataclass
class CandidateStatus:
    """One way a request could take place, and what blocks it (nothing when free)."""

    candidate: int
    start: int
    blockers: list[Blocker] = field(default_factory=list)


def analyse_request(compiled: Compiled, occupation: Occupation, r: int) -> list[CandidateStatus]:
    """Every candidate of request ``r`` with its blockers in the timetable ``occupation``.

    The request's own meeting (if it is scheduled) is ignored, so a scheduled request shows
    where else it could have gone.
    """
    participants = compiled.event.participants
    length = int(compiled.request_length[r])
    earlier = [(e, occupation.span[e]) for e in compiled.request_after[r] if e in occupation.span]
    later = [
        (other, occupation.span[other])
        for other in occupation.followers.get(r, [])
        if other in occupation.span
    ]
    own = occupation.span.get(r)
    statuses = []
    for c in compiled.request_candidates[r].tolist():
        start = int(compiled.candidate_start[c])
        session = int(compiled.slot_session[start])
        slots = range(start, start + length)
        place = compiled.places[compiled.candidate_place[c]]
        status = CandidateStatus(c, start)
        blockers = status.blockers
        for person in compiled.attendees(c):
            limit = participants[person].max_meetings
            per_session = participants[person].max_meetings_per_session
            mine = 1 if own is not None and person in occupation.attendees.get(r, []) else 0
            mine_here = (
                1 if mine and int(compiled.slot_session[own[0]]) == session else 0  # type: ignore[index]
            )
            if limit is not None and occupation.meetings[person] - mine >= limit:
                blockers.append(Blocker("full", person, detail=f"max_meetings {limit}"))
            elif (
                per_session is not None
                and occupation.session_meetings[(person, session)] - mine_here >= per_session
            ):
                blockers.append(
                    Blocker(
                        "full",
                        person,
                        detail=f"max_meetings_per_session {per_session} in "
                        f"{compiled.session_ids[session]}",
                    )
                )
        for t in slots:
            for person in compiled.attendees(c):
                rival = occupation.busy.get((person, t))
                if rival is not None and rival != r:
                    blockers.append(Blocker("busy", person, t, rival))
        in_pool = place.is_pool or place.table in compiled.pool_tables[place.location]
        for t in slots:
            if in_pool:
                used = occupation.pool[(place.location, t)]
                if own is not None and own[0] <= t < own[1]:
                    location, table = occupation.place.get(r, (-1, 0))
                    if location == place.location and table in compiled.pool_tables[location]:
                        used -= 1
                if used >= len(compiled.pool_tables[place.location]):
                    blockers.append(Blocker("tables", slot=t, other=place.location))
            if not place.is_pool:
                holder = occupation.table.get((place.location, place.table, t))
                if holder is not None and holder != r:
                    blockers.append(Blocker("table", slot=t, other=holder, detail=str(place.table)))
            for resource in compiled.request_resources[r]:
                users = [u for u in occupation.resource.get((resource, t), []) if u != r]
                if len(users) >= compiled.resource_capacity[resource]:
                    blockers.append(Blocker("resource", slot=t, other=resource))
        for e, (_, end) in earlier:
            if start < end:
                blockers.append(Blocker("after", slot=end, other=e))
        for other, (other_start, _) in later:
            if start + length > other_start:
                blockers.append(Blocker("before", slot=other_start, other=other))
        statuses.append(status)
    return statuses


def blocker_text(compiled: Compiled, occupation: Occupation, blocker: Blocker) -> str:
    """One blocker in plain words."""
    ids = compiled.request_ids
    if blocker.kind == "full":
        who = compiled.participant_ids[blocker.person]
        return f"{who} already has the most meetings they accept ({blocker.detail})"
    if blocker.kind == "busy":
        who = compiled.participant_ids[blocker.person]
        rival = blocker.other
        others = [
            compiled.participant_ids[p]
            for p in _attendees_of(compiled, occupation, rival)
            if p != blocker.person
        ]
        return (
            f"{who} meets {and_list(others)} then ({ids[rival]}, priority "
            f"{int(compiled.request_priority[rival])})"
        )
    if blocker.kind == "tables":
        location = compiled.location_ids[blocker.other]
        count = len(compiled.pool_tables[blocker.other])
        if count == 1:
            return f"the only shared table of {location} is taken"
        return f"all {count} shared tables of {location} are taken"
    if blocker.kind == "table":
        return f"table {blocker.detail} is taken by {ids[blocker.other]}"
    if blocker.kind == "resource":
        resource = compiled.event.resources[blocker.other]
        meetings = "meeting" if resource.capacity == 1 else "meetings"
        return f"{resource.id} is already used by {resource.capacity} {meetings} (its capacity)"
    if blocker.kind == "after":
        when = end_text(compiled, blocker.slot)
        return f"it must come after {ids[blocker.other]}, which ends at {when}"
    when = slot_text(compiled, blocker.slot)
    return f"it must end before {ids[blocker.other]} starts at {when}"


def _attendees_of(compiled: Compiled, occupation: Occupation, r: int) -> list[int]:
    """Attendee indices of a scheduled request."""
    return occupation.attendees.get(r, [])


# ---------------------------------------------------------------------------------------
# reasons for unscheduled requests


@dataclass
class Reason:
    """A reason code, a sentence, and the requests that took the place."""

    code: UnscheduledReason
    detail: str
    conflicts: list[int] = field(default_factory=list)


def classify(
    compiled: Compiled, occupation: Occupation, r: int, statuses: list[CandidateStatus]
) -> Reason:
    """The reason a request with candidates is not scheduled, in plain words."""
    parties = and_list([party_text(compiled, p) for p in compiled.event.requests[r].participants])
    free = sorted({s.start for s in statuses if not s.blockers})
    if free:
        slots = and_list([slot_text(compiled, t) for t in free], limit=4)
        return Reason(
            UnscheduledReason.NOT_SELECTED,
            f"{parties} could still meet at {slots}, but not together with the chosen "
            "meetings under the other rules (breaks, min_meetings, locked meetings) or the "
            "goal order, or time ran out before it was added",
        )
    # The main blocker of each candidate: a full participant, then a busy one, then
    # capacity, then an ``after`` rule.
    order = ["full", "busy", "capacity", "precedence"]
    main = [min((b.group for b in s.blockers), key=order.index) for s in statuses]
    groups = set(main)
    starts = sorted({s.start for s in statuses})
    where = and_list([slot_text(compiled, t) for t in starts], limit=4)
    priority = int(compiled.request_priority[r])
    if groups == {"full"} or (groups <= {"full", "precedence"} and "full" in groups):
        full = sorted(
            {
                blocker_text(compiled, occupation, b)
                for s in statuses
                for b in s.blockers
                if b.kind == "full"
            }
        )
        return Reason(UnscheduledReason.PARTICIPANT_FULL, "; ".join(full))
    if groups == {"precedence"}:
        rules = sorted(
            {
                blocker_text(compiled, occupation, b)
                for s in statuses
                for b in s.blockers
                if b.group == "precedence"
            }
        )
        return Reason(
            UnscheduledReason.PRECEDENCE,
            f"{parties} could meet at {where}, but {' and '.join(rules)}",
        )
    if "busy" in groups:
        rivals: dict[int, set[tuple[int, int]]] = defaultdict(set)
        for s, kind in zip(statuses, main, strict=True):
            if kind == "busy":
                for b in s.blockers:
                    if b.kind == "busy":
                        rivals[b.other].add((b.person, b.slot))
        rival_ids = sorted(rivals, key=lambda x: (min(t for _, t in rivals[x]), x))
        described = []
        for rival in rival_ids[:5]:
            people = and_list(
                [compiled.participant_ids[p] for p in _attendees_of(compiled, occupation, rival)]
            )
            first = min(t for _, t in rivals[rival])
            described.append(
                f"{compiled.request_ids[rival]} ({people} at {slot_text(compiled, first)}, "
                f"priority {int(compiled.request_priority[rival])})"
            )
        if len(rival_ids) > 5:
            described.append(f"{len(rival_ids) - 5} more")
        total = sum(int(compiled.request_priority[x]) for x in rival_ids)
        busy_starts = sorted(
            {s.start for s, kind in zip(statuses, main, strict=True) if kind == "busy"}
        )
        rest = [s for s, kind in zip(statuses, main, strict=True) if kind != "busy"]
        rest_starts = sorted({s.start for s in rest} - set(busy_starts))
        text = f"{parties} could meet at {where}, but "
        if rest_starts:
            busy_where = and_list([slot_text(compiled, t) for t in busy_starts], limit=4)
            text += f"at {busy_where} "
        text += (
            f"one of them is already in another meeting: {and_list(described, limit=6)}; "
            f"those meetings (priority {total} in all) rank higher than this one "
            f"(priority {priority})"
        )
        if rest_starts:
            rest_where = and_list([slot_text(compiled, t) for t in rest_starts], limit=4)
            rest_texts = sorted(
                {
                    blocker_text(compiled, occupation, b)
                    for s in rest
                    if s.start in rest_starts
                    for b in s.blockers
                }
            )
            text += f"; at {rest_where} {and_list(rest_texts, limit=3)}"
        return Reason(
            UnscheduledReason.LOWER_PRIORITY_CONFLICT,
            text,
            conflicts=rival_ids,
        )
    taken = sorted(
        {
            blocker_text(compiled, occupation, b)
            for s in statuses
            for b in s.blockers
            if b.group == "capacity"
        }
    )
    return Reason(
        UnscheduledReason.CAPACITY,
        f"{parties} are free together at {where}, but then {and_list(taken)}",
    )


def impossible_text(compiled: Compiled, r: int) -> str:
    """Why a request has no way at all to take place, naming parties, sessions and tables."""
    event = compiled.event
    request = event.requests[r]
    code = compiled.why_impossible.get(r)
    if code == "no_common_slot":
        facts = _never(event, compiled, request)
        if request.sessions is not None:
            facts.append(f"the request allows only {and_list(request.sessions)}")
        if request.pinned is not None:
            facts.append(f"it is pinned to {request.pinned.session}/{request.pinned.slot}")
        if request.length > 1:
            facts.append(f"it needs {request.length} consecutive free slots in one session")
        parties = and_list([party_text(compiled, p) for p in request.participants])
        return f"{parties} are never free at the same time: " + "; ".join(facts)
    if code == "no_table":
        size = len(request.participants)
        facts = []
        hosts = [
            event.participant(p)
            for p in request.participants
            if p in compiled.participant_index and event.participant(p).table is not None
        ]
        for location in event.locations:
            if hosts and all(h.table.location != location.id for h in hosts):  # type: ignore[union-attr]
                continue
            if location.seats is not None and location.seats < size:
                facts.append(f"{location.id} seats {location.seats}, the meeting needs {size}")
            elif location.sessions is not None:
                facts.append(f"{location.id} is open only in {and_list(location.sessions)}")
            elif not hosts and not compiled.pool_tables[event.locations.index(location)]:
                facts.append(f"every table of {location.id} is some participant's host table")
        if hosts:
            first = hosts[0]
            facts.insert(
                0,
                f"{first.id} holds all their meetings at {first.table.location} "  # type: ignore[union-attr]
                f"table {first.table.table}",  # type: ignore[union-attr]
            )
        if request.pinned is not None and request.pinned.location is not None:
            facts.append(f"it is pinned to {request.pinned.location}")
        if request.resources and any(
            event.resources[compiled.request_resources[r][i]].capacity == 0
            for i in range(len(request.resources))
        ):
            facts.append("a resource it needs has capacity 0")
        return "no table can hold it when the parties are free: " + (
            "; ".join(facts) or "no location is open with enough seats"
        )
    return compiled.why_impossible_detail.get(r, "it can never take place")


# ---------------------------------------------------------------------------------------
# matchsched explain


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class SlotExplanation(_Frozen):
    """One start slot where the request could take place, and what stands in the way."""

    session: str
    slot: int
    start: datetime
    free: bool
    """True when the request could be added here as the timetable stands."""
    blockers: list[str] = []


class RequestExplanation(_Frozen):
    """Why a request is (or is not) in a schedule, slot by slot."""

    request: str
    parties: list[str]
    priority: int
    required: bool
    scheduled: Meeting | None = None
    reason: str | None = None
    detail: str = ""
    conflicts: list[str] = []
    never: list[str] = []
    """Why the other slots are impossible from the start (attendance, unavailability, ...)."""
    rules: list[str] = []
    """Other rules that bind this request (``after``, pins, sessions, resources)."""
    slots: list[SlotExplanation] = []


def explain_request(event: Event, schedule: Schedule, request_id: str) -> RequestExplanation:
    """Why ``request_id`` is (or is not) in ``schedule``: its reason, its possible slots, and
    who or what blocks each of them.

    Raises
    ------
    KeyError
        When the event has no such request.
    """
    request = event.request(request_id)
    compiled = compile_event(event)
    r = compiled.request_ids.index(request_id)
    occupation = Occupation(compiled, schedule.meetings)
    meeting = schedule.meeting(request_id)
    unscheduled = next((u for u in schedule.unscheduled if u.request == request_id), None)
    statuses = analyse_request(compiled, occupation, r)
    by_start: dict[int, list[CandidateStatus]] = defaultdict(list)
    for status in statuses:
        by_start[status.start].append(status)
    slots = []
    for start, group in sorted(by_start.items()):
        session = int(compiled.slot_session[start])
        within = start - int(compiled.session_first_slot[session])
        session_id = compiled.session_ids[session]
        free = any(not s.blockers for s in group)
        texts = (
            []
            if free
            else sorted({blocker_text(compiled, occupation, b) for s in group for b in s.blockers})
        )
        slots.append(
            SlotExplanation(
                session=session_id,
                slot=within,
                start=event.session(session_id).slot_start(within).replace(tzinfo=event.zone),
                free=free,
                blockers=texts,
            )
        )
    rules = []
    if request.pinned is not None:
        pin = request.pinned
        at = (
            f" at {pin.location}" + (f" table {pin.table}" if pin.table else "")
            if pin.location
            else ""
        )
        rules.append(f"pinned to {pin.session}/{pin.slot}{at}")
    if request.sessions is not None:
        rules.append(f"allowed only in {and_list(request.sessions)}")
    if request.length > 1:
        rules.append(f"lasts {request.length} consecutive slots of one session")
    if request.after:
        rules.append(f"must come after {and_list(request.after)} when those take place")
    followers = [o.id for o in event.requests if request_id in o.after]
    if followers:
        rules.append(f"must end before {and_list(followers)} when those take place")
    if request.resources:
        rules.append(f"needs {and_list(request.resources)}")
    if unscheduled is not None and unscheduled.reason.value in ("no_common_slot", "no_table"):
        reason_detail = unscheduled.detail
    else:
        reason_detail = unscheduled.detail if unscheduled is not None else ""
    return RequestExplanation(
        request=request_id,
        parties=list(request.participants),
        priority=request.priority,
        required=request.required,
        scheduled=meeting,
        reason=None if unscheduled is None else unscheduled.reason.value,
        detail=reason_detail,
        conflicts=[] if unscheduled is None else list(unscheduled.conflicts),
        never=_never(event, compiled, request),
        rules=rules,
        slots=slots,
    )


def _never(event: Event, compiled: Compiled, request: MeetingRequest) -> list[str]:
    """Attendance facts that rule slots out before any other meeting is placed."""
    facts = []
    all_sessions = [s.id for s in event.sessions]
    for party in request.participants:
        if party not in compiled.participant_index:
            members = event.members(party)
            names = and_list([m.id for m in members])
            facts.append(f"{party} is an organization of {len(members)} member(s): {names}")
            continue
        person = event.participant(party)
        if person.sessions is not None and set(person.sessions) != set(all_sessions):
            facts.append(f"{party} attends only {and_list(person.sessions)}")
        if person.unavailable:
            facts.append(
                f"{party} is unavailable at "
                + and_list([f"{u.session}/{u.slot}" for u in person.unavailable], limit=8)
            )
        if person.table is not None:
            facts.append(
                f"{party} hosts all their meetings at {person.table.location} table "
                f"{person.table.table}"
            )
    return facts


def explanation_text(explanation: RequestExplanation) -> str:
    """The explanation as a few paragraphs of plain text."""
    lines = [
        f"request {explanation.request}: {and_list(explanation.parties)} "
        f"(priority {explanation.priority}{', required' if explanation.required else ''})"
    ]
    meeting = explanation.scheduled
    if meeting is not None:
        lines.append(
            f"scheduled: {meeting.session}/{meeting.slot} "
            f"{meeting.start.strftime('%a %d %b %H:%M')}-{meeting.end.strftime('%H:%M')} at "
            f"{meeting.location} table {meeting.table}, attended by {and_list(meeting.attendees)}"
        )
    else:
        lines.append(f"not scheduled: {explanation.reason}")
        if explanation.detail:
            lines.append(f"  {explanation.detail}")
        if explanation.conflicts:
            lines.append(f"  the place went to: {', '.join(explanation.conflicts)}")
    if explanation.rules:
        lines.append("rules: " + "; ".join(explanation.rules))
    if explanation.never:
        lines.append("attendance: " + "; ".join(explanation.never))
    if not explanation.slots:
        lines.append("possible slots: none (see the reason above)")
    else:
        heading = "other possible slots" if meeting is not None else "possible slots"
        lines.append(f"{heading} ({len(explanation.slots)}):")
        for slot in explanation.slots:
            here = (
                meeting is not None
                and slot.session == meeting.session
                and slot.slot == meeting.slot
            )
            label = f"  {slot.session}/{slot.slot} {slot.start.strftime('%a %H:%M')}: "
            if here:
                lines.append(label + "scheduled here")
            elif slot.free:
                lines.append(label + "free (it could be added here as the timetable stands)")
            else:
                lines.append(label + "; ".join(slot.blockers))
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------
# infeasible events


@dataclass
class Conflict:
    """A set of "must" rules that cannot hold together."""

    requests: list[str]
    """Ids of the required requests involved (and of locked previous meetings)."""
    rules: list[str]
    """The other rules involved, in words (``min_meetings 2 for p4``, options in force)."""
    detail: str
    minimal: bool
    """True when no rule of the set can be dropped (each was tested)."""


def find_conflict(
    compiled: Compiled,
    options: SolveOptions,
    previous: Schedule | None = None,
    *,
    time_limit: float = 10.0,
) -> Conflict | None:
    """A small set of required requests and rules that make the event infeasible.

    Returns ``None`` when the feasibility model is not proven infeasible within the time.
    The set is shrunk by deletion (each member is dropped in turn and kept out when the rest
    is still infeasible) as long as the time allows; ``minimal`` says whether that finished.
    """
    from matchsched.solver.cpsat.model import TimetableModel

    deadline = time.perf_counter() + time_limit
    timetable = TimetableModel(compiled, options, previous, assumptions=True)
    model = timetable.model
    meaning = timetable.assumptions

    def infeasible(literals: list[int]) -> tuple[bool | None, list[int]]:
        model.clear_assumptions()
        model.add_assumptions([model.get_bool_var_from_proto_index(x) for x in literals])
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        solver.parameters.random_seed = options.seed
        solver.parameters.catch_sigint_signal = False
        solver.parameters.max_time_in_seconds = max(0.05, deadline - time.perf_counter())
        status = solver.solve(model)
        if status == cp_model.INFEASIBLE:
            return True, list(solver.sufficient_assumptions_for_infeasibility())
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return False, []
        return None, []

    proven, core = infeasible(list(meaning))
    if not proven:
        return None
    minimal = True
    position = 0
    while position < len(core):
        if time.perf_counter() > deadline:
            minimal = False
            break
        trial = core[:position] + core[position + 1 :]
        answer, smaller = infeasible(trial)
        if answer:
            keep = set(smaller) if smaller else set(trial)
            core = [literal for literal in trial if literal in keep] or trial
        elif answer is None:
            minimal = False
            position += 1
        else:
            position += 1
    return _describe(compiled, options, previous, [meaning[x] for x in core], minimal)


def _describe(
    compiled: Compiled,
    options: SolveOptions,
    previous: Schedule | None,
    core: list[tuple[str, int]],
    minimal: bool,
) -> Conflict:
    event = compiled.event
    requests: list[str] = []
    rules: list[str] = []
    parts: list[str] = []
    for kind, index in core:
        if kind == "required":
            request = event.requests[index]
            requests.append(request.id)
            bits = [and_list(list(request.participants))]
            if request.pinned is not None:
                bits.append(f"pinned to {request.pinned.session}/{request.pinned.slot}")
            if request.sessions is not None:
                bits.append(f"only in {and_list(request.sessions)}")
            if request.length > 1:
                bits.append(f"{request.length} slots long")
            if request.resources:
                bits.append(f"needs {and_list(request.resources)}")
            if request.after:
                bits.append(f"after {and_list(request.after)}")
            parts.append(f"required {request.id} ({', '.join(bits)})")
        elif kind == "min_meetings":
            who = compiled.participant_ids[index]
            rules.append(f"min_meetings {options.min_meetings} for {who}")
            parts.append(f"min_meetings {options.min_meetings} for {who}")
        else:
            assert previous is not None
            meeting = previous.meetings[index]
            requests.append(meeting.request)
            rules.append(
                f"lock_previous keeps {meeting.request} at {meeting.session}/{meeting.slot}"
            )
            parts.append(
                f"locked meeting {meeting.request} ({and_list(meeting.attendees)} at "
                f"{meeting.session}/{meeting.slot})"
            )
    in_force = []
    if options.max_breaks is not None:
        in_force.append(f"max_breaks {options.max_breaks}")
    if options.max_break_spread is not None:
        in_force.append(f"max_break_spread {options.max_break_spread}")
    rules.extend(in_force)
    if parts:
        detail = f"{'these' if len(parts) > 1 else 'this'} cannot all hold at once: " + "; ".join(
            parts
        )
        people = Counter(
            p
            for kind, index in core
            if kind == "required"
            for p in event.requests[index].participants
        )
        shared = sorted(p for p, n in people.items() if n > 1)
        if shared:
            detail += (
                f" ({and_list(shared)} {'is' if len(shared) == 1 else 'are'} in several of them)"
            )
        if in_force:
            detail += f", given {and_list(in_force)}"
        if not minimal:
            detail += " (the set may not be minimal: time ran out while shrinking it)"
    else:
        detail = "no valid schedule exists even with no meeting required" + (
            f": the options {and_list(in_force)} cannot hold" if in_force else ""
        )
    return Conflict(requests=requests, rules=rules, detail=detail, minimal=minimal)
