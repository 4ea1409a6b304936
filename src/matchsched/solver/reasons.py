"""Why a request is not in the timetable: a reason code, a sentence, and the rivals.

The analysis itself (what the timetable occupies, what blocks each way the request could take
place, and how to say it) lives in :mod:`matchsched.solver.explain`, shared with
``matchsched explain``.
"""

from __future__ import annotations

import numpy as np

from matchsched.schedule import Unscheduled, UnscheduledReason
from matchsched.solver import assemble
from matchsched.solver.compile import Compiled
from matchsched.solver.explain import Occupation, analyse_request, classify, impossible_text


def unscheduled_reasons(
    compiled: Compiled, chosen: np.ndarray, tables: dict[int, int]
) -> list[Unscheduled]:
    """A reason for every request left out of the timetable, in event order."""
    occupation = Occupation(compiled, assemble.meetings(compiled, chosen, tables))
    scheduled = set(compiled.candidate_request[chosen].tolist())
    out = []
    for r, request_id in enumerate(compiled.request_ids):
        if r in scheduled:
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
        reason = classify(compiled, occupation, r, analyse_request(compiled, occupation, r))
        out.append(
            Unscheduled(
                request=request_id,
                reason=reason.code,
                detail=reason.detail,
                conflicts=[compiled.request_ids[x] for x in reason.conflicts],
            )
        )
    return out
