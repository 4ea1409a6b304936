"""Why a request is not in the timetable: a reason code, a sentence, and the rivals."""

from __future__ import annotations

from collections import Counter, defaultdict

import numpy as np

from matchsched.schedule import Unscheduled, UnscheduledReason
from matchsched.solver.compile import Compiled


class _Usage:
    """What the final timetable occupies: participants, pools, tables, resources, counts."""

    def __init__(self, compiled: Compiled, chosen: np.ndarray, tables: dict[int, int]) -> None:
        self.busy: dict[tuple[int, int], int] = {}
        self.pool: Counter[tuple[int, int]] = Counter()
        self.table: set[tuple[int, int, int]] = set()
        self.resource: Counter[tuple[int, int]] = Counter()
        self.meetings: Counter[int] = Counter()
        self.session_meetings: Counter[tuple[int, int]] = Counter()
        for c in chosen.tolist():
            r = int(compiled.candidate_request[c])
            start = int(compiled.candidate_start[c])
            place = compiled.places[compiled.candidate_place[c]]
            for person in compiled.attendees(c):
                self.meetings[person] += 1
                self.session_meetings[(person, int(compiled.slot_session[start]))] += 1
            for t in range(start, start + int(compiled.request_length[r])):
                for person in compiled.attendees(c):
                    self.busy[(person, t)] = r
                if place.is_pool or place.table in compiled.pool_tables[place.location]:
                    self.pool[(place.location, t)] += 1
                self.table.add((place.location, tables.get(c, place.table), t))
                for resource in compiled.request_resources[r]:
                    self.resource[(resource, t)] += 1


def unscheduled_reasons(
    compiled: Compiled, chosen: np.ndarray, tables: dict[int, int]
) -> list[Unscheduled]:
    """A reason for every request left out of the timetable, in event order."""
    usage = _Usage(compiled, chosen, tables)
    scheduled = set(compiled.candidate_request[chosen].tolist())
    participants = compiled.event.participants
    out = []
    for r, request_id in enumerate(compiled.request_ids):
        if r in scheduled:
            continue
        if r in compiled.why_impossible:
            out.append(
                Unscheduled(
                    request=request_id,
                    reason=UnscheduledReason(compiled.why_impossible[r]),
                    detail=compiled.why_impossible_detail[r],
                )
            )
            continue
        blocked: dict[str, int] = defaultdict(int)
        rivals: set[int] = set()
        full: set[str] = set()
        open_candidates = 0
        for c in compiled.request_candidates[r].tolist():
            start = int(compiled.candidate_start[c])
            session = int(compiled.slot_session[start])
            place = compiled.places[compiled.candidate_place[c]]
            slots = range(start, start + int(compiled.request_length[r]))
            limit_hit = False
            for person in compiled.attendees(c):
                limit = participants[person].max_meetings
                per_session = participants[person].max_meetings_per_session
                if (limit is not None and usage.meetings[person] >= limit) or (
                    per_session is not None
                    and usage.session_meetings[(person, session)] >= per_session
                ):
                    full.add(compiled.participant_ids[person])
                    limit_hit = True
            if limit_hit:
                blocked["full"] += 1
                continue
            clash = {usage.busy[(p, t)] for p in compiled.attendees(c) for t in slots if (p, t) in usage.busy}
            if clash:
                rivals |= clash
                blocked["busy"] += 1
                continue
            pool = place.is_pool or place.table in compiled.pool_tables[place.location]
            no_room = any(
                (pool and usage.pool[(place.location, t)] >= len(compiled.pool_tables[place.location]))
                or (not place.is_pool and (place.location, place.table, t) in usage.table)
                or any(
                    usage.resource[(res, t)] >= compiled.resource_capacity[res]
                    for res in compiled.request_resources[r]
                )
                for t in slots
            )
            if no_room:
                blocked["capacity"] += 1
                continue
            open_candidates += 1
        out.append(_classify(compiled, r, blocked, rivals, full, open_candidates))
    return out


def _classify(
    compiled: Compiled,
    r: int,
    blocked: dict[str, int],
    rivals: set[int],
    full: set[str],
    open_candidates: int,
) -> Unscheduled:
    request_id = compiled.request_ids[r]
    rival_ids = sorted((compiled.request_ids[x] for x in rivals), key=compiled.request_ids.index)
    if open_candidates:
        return Unscheduled(
            request=request_id,
            reason=UnscheduledReason.NOT_SELECTED,
            detail="it fits in the timetable on its own, but not within the break, precedence "
            "or minimum-meeting rules together with the chosen meetings (or time ran out)",
        )
    if blocked["full"] and not blocked["busy"] and not blocked["capacity"]:
        return Unscheduled(
            request=request_id,
            reason=UnscheduledReason.PARTICIPANT_FULL,
            detail=f"{', '.join(sorted(full))} reached the maximum number of meetings",
        )
    if blocked["capacity"] and not blocked["busy"]:
        return Unscheduled(
            request=request_id,
            reason=UnscheduledReason.CAPACITY,
            detail="every common free slot has all its tables or resources taken",
        )
    priority = int(compiled.request_priority[r])
    return Unscheduled(
        request=request_id,
        reason=UnscheduledReason.LOWER_PRIORITY_CONFLICT,
        detail=f"its common slots went to {len(rival_ids)} other meeting(s) of the same "
        f"parties, which together rank higher (this request has priority {priority})",
        conflicts=rival_ids,
    )
