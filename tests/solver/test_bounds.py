"""The relaxation bound: valid (never below an optimum) and consistent."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from tests.strategies import events

from matchsched import solve
from matchsched.generate import generate
from matchsched.model import Event
from matchsched.options import Goal, SolveOptions
from matchsched.schedule import SolveStatus
from matchsched.solver import bounds
from matchsched.solver.compile import compile_event

ONLY_SCHEDULED = SolveOptions(goals=[Goal.SCHEDULED], time_limit=5, workers=2)


@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@given(events())
def test_bound_is_at_least_the_optimum(event: Event) -> None:
    result = solve(event, ONLY_SCHEDULED)
    compiled = compile_event(event)
    for period in bounds.PERIODS:
        bound = bounds.relaxation(compiled, period=period).bound
        assert bound <= bounds.possible_priority(compiled)
        if result.status == SolveStatus.OPTIMAL:
            assert result.objective is not None
            assert bound >= result.objective.scheduled_priority


def test_bound_on_tight_tables_is_below_the_possible_priority() -> None:
    event = generate(participants=40, seed=3, requests_per_participant=6, table_ratio=0.5)
    compiled = compile_event(event)
    relaxation = bounds.relaxation(compiled)
    assert relaxation.bound < bounds.possible_priority(compiled)
    result = solve(event, ONLY_SCHEDULED)
    assert result.objective is not None
    assert result.objective.scheduled_priority <= relaxation.bound
    assert result.objective.scheduled_priority_bound <= relaxation.bound


def test_session_bound_is_at_most_the_event_bound() -> None:
    compiled = compile_event(generate(participants=40, seed=1, table_ratio=0.6))
    session = bounds.relaxation(compiled, period="session").bound
    assert session <= bounds.relaxation(compiled, period="day").bound
    assert session <= bounds.relaxation(compiled, period="event").bound


def test_lagrangian_bound_without_multipliers_counts_every_request() -> None:
    compiled = compile_event(generate(participants=30, seed=2))
    rows = bounds._rows(compiled, compiled.slot_session.astype(np.int64))
    priority = compiled.request_priority.astype(np.float64)
    value = bounds.lagrangian_bound(rows, priority, np.zeros(len(rows.rhs)))
    assert value == pytest.approx(bounds.possible_priority(compiled))


def test_unknown_period_is_an_error() -> None:
    compiled = compile_event(generate(participants=20, seed=0, requests_per_participant=3))
    with pytest.raises(ValueError, match="period"):
        bounds.relaxation(compiled, period="week")


def test_with_every_request_required_the_bound_is_the_possible_priority_without_an_lp(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    event = generate(participants=40, seed=3, requests_per_participant=6, table_ratio=0.5)
    required = [r.model_copy(update={"required": True}) for r in event.requests]
    compiled = compile_event(event.model_copy(update={"requests": required}))

    def no_lp(*arguments: object) -> None:
        raise AssertionError("the LP was solved")

    monkeypatch.setattr(bounds, "_solve_lp", no_lp)
    relaxation = bounds.relaxation(compiled)
    assert relaxation.bound == bounds.possible_priority(compiled)
    assert (relaxation.request_value == 1.0).all()
