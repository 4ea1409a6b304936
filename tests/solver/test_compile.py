"""Compiling an event: every candidate is a possible meeting, and they come in a fixed order."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from tests.strategies import events

from matchsched.generate import generate
from matchsched.model import Event
from matchsched.solver.compile import compile_event


def _assert_candidates_possible_and_ordered(event: Event) -> None:
    compiled = compile_event(event)
    request, start = compiled.candidate_request, compiled.candidate_start
    assert (np.diff(request) >= 0).all()
    for r, candidates in enumerate(compiled.request_candidates):
        assert (request[candidates] == r).all()
        assert (len(candidates) == 0) == (r in compiled.why_impossible)
        # Within a request: runs of one attendee choice, then of one place, starts rising.
        keys = list(
            zip(
                compiled.candidate_variant[candidates].tolist(),
                compiled.candidate_place[candidates].tolist(),
                strict=True,
            )
        )
        runs = [key for i, key in enumerate(keys) if i == 0 or key != keys[i - 1]]
        assert len(runs) == len(set(runs))
    length = compiled.request_length[request]
    last = start + length - 1
    assert (compiled.slot_session[start] == compiled.slot_session[last]).all()
    for j in range(compiled.variant_members.shape[1]):
        person = compiled.variant_members[compiled.candidate_variant, j]
        present = person >= 0
        for offset in range(int(length.max(initial=1))):
            inside = present & (length > offset)
            slot = start[inside] + offset
            assert compiled.available[person[inside], slot].all()


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(events())
def test_candidates_are_possible_meetings_in_order(event: Event) -> None:
    _assert_candidates_possible_and_ordered(event)


def test_candidates_of_a_generated_trade_fair() -> None:
    _assert_candidates_possible_and_ordered(generate("tradefair", participants=60, seed=3))


def test_variant_members_and_place_arrays_match_their_lists() -> None:
    compiled = compile_event(generate("cluster", participants=60, seed=2))
    for v, attendees in enumerate(compiled.variants):
        row = compiled.variant_members[v]
        assert tuple(row[row >= 0].tolist()) == attendees
    for p, place in enumerate(compiled.places):
        assert compiled.place_location[p] == place.location
        assert compiled.place_table[p] == place.table
        pooled = place.is_pool or place.table in compiled.pool_tables[place.location]
        assert compiled.place_in_pool[p] == pooled
