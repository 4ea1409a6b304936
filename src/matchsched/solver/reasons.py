"""Why a request is not in the timetable: a reason code, a sentence, and the rivals.

What blocks each way a request could take place is found by
:func:`~matchsched.solver.explain.find_blockers` (shared with ``matchsched explain``), for all
unscheduled requests at once; here each request's blockers become a reason code and a
sentence in plain words.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from matchsched.schedule import Unscheduled, UnscheduledReason
from matchsched.solver.compile import Compiled
from matchsched.solver.explain import (
    BUSY,
    FREE,
    FULL,
    GROUP_OF_KIND,
    GROUPS,
    Occupation,
    and_list,
    blocker_text,
    find_blockers,
    impossible_text,
    party_text,
    slot_text,
)

CAPACITY, PRECEDENCE = GROUPS.index("capacity"), GROUPS.index("precedence")


def unscheduled_reasons(
    compiled: Compiled, chosen: np.ndarray, tables: dict[int, int]
) -> list[Unscheduled]:
    """A reason for every request left out of the timetable, in event order."""
    scheduled = np.zeros(len(compiled.request_ids), dtype=bool)
    scheduled[compiled.candidate_request[chosen]] = True
    left = [r for r in np.flatnonzero(~scheduled).tolist() if r not in compiled.why_impossible]
    occupation = Occupation.of_candidates(compiled, chosen, tables)
    words = _Words(compiled, occupation, left)
    out = []
    for r, request_id in enumerate(compiled.request_ids):
        if scheduled[r]:
            continue
        if r in compiled.why_impossible:
            out.append(
                Unscheduled(
                    request=request_id,
                    reason=UnscheduledReason(compiled.why_impossible[r]),
                    detail=impossible_text(compiled, r),
                )
            )
            continue
        reason = words.reason(r)
        out.append(
            Unscheduled(
                request=request_id,
                reason=reason.code,
                detail=reason.detail,
                conflicts=[compiled.request_ids[x] for x in reason.conflicts],
            )
        )
    return out


@dataclass
class Reason:
    """A reason code, a sentence, and the requests that took the place."""

    code: UnscheduledReason
    detail: str
    conflicts: list[int] = field(default_factory=list)


class _Words:
    """The reasons of some unscheduled requests, from the blockers of all their candidates."""

    def __init__(self, compiled: Compiled, occupation: Occupation, requests: list[int]) -> None:
        self.compiled, self.occupation = compiled, occupation
        ranges = [compiled.request_candidates[r] for r in requests]
        candidates = np.concatenate(ranges) if ranges else np.zeros(0, dtype=np.int64)
        self.blockers = find_blockers(compiled, occupation, candidates)
        self.main = self.blockers.main_group()
        """Per candidate: its most telling blocker group, or FREE."""
        self.start = compiled.candidate_start[candidates]
        self.row_main = self.main[self.blockers.position]
        self.row_group = GROUP_OF_KIND[self.blockers.kind]
        edges = np.cumsum([0] + [len(c) for c in ranges])
        rows = np.searchsorted(self.blockers.position, edges).tolist()
        first = edges.tolist()
        self.positions = {r: (first[i], first[i + 1]) for i, r in enumerate(requests)}
        """Per request: its first candidate's position and the position after its last."""
        self.rows = {r: (rows[i], rows[i + 1]) for i, r in enumerate(requests)}
        """Per request: its first blocker row and the row after its last."""
        self.slot_texts = [slot_text(compiled, t) for t in range(compiled.n_slots)]
        self.slot_lists: dict[bytes, str] = {}
        """Start slots in words, by the bytes of their array."""
        self.attendee_names: dict[int, str] = {}
        self.sentences: dict[tuple[int, ...], str] = {}

    def reason(self, r: int) -> Reason:
        """The reason request ``r`` (one of those analysed) is not scheduled."""
        compiled = self.compiled
        first, stop = self.positions[r]
        main, starts = self.main[first:stop], self.start[first:stop]
        parties = and_list(
            [party_text(compiled, p) for p in compiled.event.requests[r].participants]
        )
        free = starts[main == FREE]
        if len(free):
            return Reason(
                UnscheduledReason.NOT_SELECTED,
                f"{parties} could still meet at {self._slots(free)}, but not together with the "
                "chosen meetings under the other rules (breaks, min_meetings, locked meetings) "
                "or the goal order, or time ran out before it was added",
            )
        groups = set(main.tolist())
        rows = self.rows[r]
        where = self._slots(starts)
        if FULL in groups and groups <= {FULL, PRECEDENCE}:
            full = self._texts(rows, self.blockers.kind[rows[0] : rows[1]] == FULL)
            return Reason(UnscheduledReason.PARTICIPANT_FULL, "; ".join(full))
        if groups == {PRECEDENCE}:
            rules = self._texts(rows, self.row_group[rows[0] : rows[1]] == PRECEDENCE)
            return Reason(
                UnscheduledReason.PRECEDENCE,
                f"{parties} could meet at {where}, but {' and '.join(rules)}",
            )
        if BUSY in groups:
            return self._lower_priority(r, parties, where, rows, main, starts)
        taken = self._texts(rows, self.row_group[rows[0] : rows[1]] == CAPACITY)
        return Reason(
            UnscheduledReason.CAPACITY,
            f"{parties} are free together at {where}, but then {and_list(taken)}",
        )

    def _lower_priority(
        self,
        r: int,
        parties: str,
        where: str,
        rows: tuple[int, int],
        main: np.ndarray,
        starts: np.ndarray,
    ) -> Reason:
        """Attendees busy with other meetings (the main blocker of some candidates)."""
        compiled, blockers = self.compiled, self.blockers
        low, high = rows
        mine = (blockers.kind[low:high] == BUSY) & (self.row_main[low:high] == BUSY)
        first_slot: dict[int, int] = {}
        rivals = blockers.other[low:high][mine].tolist()
        for rival, slot in zip(rivals, blockers.slot[low:high][mine].tolist(), strict=True):
            if slot < first_slot.get(rival, slot + 1):
                first_slot[rival] = slot
        rival_ids = sorted(first_slot, key=lambda x: (first_slot[x], x))
        described = [
            f"{compiled.request_ids[rival]} ({self._attendees(rival)} at "
            f"{self.slot_texts[first_slot[rival]]}, "
            f"priority {int(compiled.request_priority[rival])})"
            for rival in rival_ids[:5]
        ]
        if len(rival_ids) > 5:
            described.append(f"{len(rival_ids) - 5} more")
        total = int(compiled.request_priority[rival_ids].sum())
        busy_starts = set(starts[main == BUSY].tolist())
        rest = main != BUSY
        rest_starts = sorted(set(starts[rest].tolist()) - busy_starts)
        text = f"{parties} could meet at {where}, but "
        if rest_starts:
            text += f"at {self._slots(np.array(sorted(busy_starts)))} "
        text += (
            f"one of them is already in another meeting: {and_list(described, limit=6)}; "
            f"those meetings (priority {total} in all) rank higher than this one "
            f"(priority {int(compiled.request_priority[r])})"
        )
        if rest_starts:
            first = self.positions[r][0]
            at_rest = rest & np.isin(starts, rest_starts)
            of_rest = at_rest[blockers.position[low:high] - first]
            text += f"; at {self._slots(np.array(rest_starts))} "
            text += and_list(self._texts(rows, of_rest), limit=3)
        return Reason(UnscheduledReason.LOWER_PRIORITY_CONFLICT, text, conflicts=rival_ids)

    def _slots(self, starts: np.ndarray) -> str:
        """The distinct start slots in time order, in words (at most four named)."""
        key = starts.tobytes()
        text = self.slot_lists.get(key)
        if text is None:
            chosen = sorted(set(starts.tolist()))
            text = self.slot_lists[key] = and_list([self.slot_texts[t] for t in chosen], limit=4)
        return text

    def _texts(self, rows: tuple[int, int], chosen: np.ndarray) -> list[str]:
        """The distinct sentences of the chosen rows (of ``rows``), sorted."""
        picked = np.flatnonzero(chosen) + rows[0]
        return sorted({self._sentence(row) for row in picked.tolist()})

    def _sentence(self, row: int) -> str:
        """Blocker row ``row`` in words (the same facts give the same words, once)."""
        blockers = self.blockers
        key = (
            int(blockers.kind[row]),
            int(blockers.person[row]),
            int(blockers.slot[row]),
            int(blockers.other[row]),
            int(self.compiled.candidate_place[blockers.candidates[blockers.position[row]]]),
        )
        text = self.sentences.get(key)
        if text is None:
            blocker = blockers.blocker(self.compiled, row)
            text = self.sentences[key] = blocker_text(self.compiled, self.occupation, blocker)
        return text

    def _attendees(self, r: int) -> str:
        """The attendees of request ``r``'s meeting, in words."""
        names = self.attendee_names.get(r)
        if names is None:
            ids = self.compiled.participant_ids
            names = and_list([ids[p] for p in self.occupation.attendees_of(r)])
            self.attendee_names[r] = names
        return names
