"""Turn chosen candidates and tables into a :class:`~matchsched.schedule.Schedule`."""

from __future__ import annotations

from datetime import datetime, tzinfo

import numpy as np

from matchsched.schedule import Meeting, Unscheduled, UnscheduledReason
from matchsched.solver.compile import Compiled


def meetings(compiled: Compiled, chosen: np.ndarray, tables: dict[int, int]) -> list[Meeting]:
    """One :class:`Meeting` per chosen candidate, in time order, then table."""
    moments = _Moments(compiled)
    names: dict[int, list[str]] = {}
    ids = compiled.participant_ids
    out = []
    for c in chosen.tolist():
        r = int(compiled.candidate_request[c])
        start = int(compiled.candidate_start[c])
        length = int(compiled.request_length[r])
        variant = int(compiled.candidate_variant[c])
        attendees = names.get(variant)
        if attendees is None:
            attendees = names[variant] = [ids[p] for p in compiled.variants[variant]]
        place = compiled.places[compiled.candidate_place[c]]
        out.append(
            Meeting(
                request=compiled.request_ids[r],
                attendees=attendees,
                session=moments.session[start],
                slot=moments.within[start],
                length=length,
                start=moments.start[start],
                end=moments.end[start + length - 1],
                location=compiled.location_ids[place.location],
                table=tables.get(c, place.table),
            )
        )
    out.sort(key=lambda m: (m.start, m.location, m.table))
    return out


class _Moments:
    """Per slot: its session, its place in the session, and its start and end in the event's
    zone."""

    def __init__(self, compiled: Compiled) -> None:
        event = compiled.event
        self.session: list[str] = []
        self.within: list[int] = []
        self.start: list[datetime] = []
        self.end: list[datetime] = []
        for slot in range(compiled.n_slots):
            s = int(compiled.slot_session[slot])
            session = event.session(compiled.session_ids[s])
            within = slot - int(compiled.session_first_slot[s])
            self.session.append(session.id)
            self.within.append(within)
            self.start.append(_aware(session.slot_start(within), event.zone))
            self.end.append(_aware(session.slot_start(within + 1), event.zone))


def _aware(moment: datetime, zone: tzinfo) -> datetime:
    return moment.replace(tzinfo=zone)


def nothing_scheduled(
    compiled: Compiled, reason: UnscheduledReason, detail: str
) -> list[Unscheduled]:
    """Every request unscheduled with the same reason (infeasible or out of time)."""
    return [Unscheduled(request=rid, reason=reason, detail=detail) for rid in compiled.request_ids]
