"""Turn chosen candidates and tables into a :class:`~matchsched.schedule.Schedule`."""

from __future__ import annotations

from datetime import datetime

import numpy as np

from matchsched.schedule import Meeting, Unscheduled, UnscheduledReason
from matchsched.solver.compile import Compiled


def meetings(compiled: Compiled, chosen: np.ndarray, tables: dict[int, int]) -> list[Meeting]:
    """One :class:`Meeting` per chosen candidate, in time order, then table."""
    event = compiled.event
    zone = event.zone
    out = []
    for c in chosen.tolist():
        r = int(compiled.candidate_request[c])
        start = int(compiled.candidate_start[c])
        s = int(compiled.slot_session[start])
        session = event.session(compiled.session_ids[s])
        slot = start - int(compiled.session_first_slot[s])
        length = int(compiled.request_length[r])
        place = compiled.places[compiled.candidate_place[c]]
        out.append(
            Meeting(
                request=compiled.request_ids[r],
                attendees=[compiled.participant_ids[p] for p in compiled.attendees(c)],
                session=session.id,
                slot=slot,
                length=length,
                start=_aware(session.slot_start(slot), zone),
                end=_aware(session.slot_start(slot + length), zone),
                location=compiled.location_ids[place.location],
                table=tables.get(c, place.table),
            )
        )
    out.sort(key=lambda m: (m.start, m.location, m.table))
    return out


def _aware(moment: datetime, zone) -> datetime:  # type: ignore[no-untyped-def]
    return moment.replace(tzinfo=zone)


def nothing_scheduled(
    compiled: Compiled, reason: UnscheduledReason, detail: str
) -> list[Unscheduled]:
    """Every request unscheduled with the same reason (infeasible or out of time)."""
    return [Unscheduled(request=rid, reason=reason, detail=detail) for rid in compiled.request_ids]
