"""Explanations: reasons in plain words, ``explain_request``, conflicts of infeasible events."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from tests.strategies import events

from matchsched import Event, SolveOptions, SolveStatus, check, solve
from matchsched.adapters.json_io import write_event, write_schedule
from matchsched.generate import generate
from matchsched.schedule import Schedule, UnscheduledReason
from matchsched.solver import assemble, heuristics
from matchsched.solver.compile import compile_event
from matchsched.solver.explain import Occupation, explain_request, explanation_text
from matchsched.solver.reasons import unscheduled_reasons
from matchsched.solver.tables import assign_tables


def event(participants: list[Any], requests: list[dict[str, Any]], **extra: Any) -> Event:
    data: dict[str, Any] = {
        "name": "explain",
        "timezone": "Europe/Rome",
        "sessions": [{"id": "am", "start": "2025-06-10T09:00", "slot_minutes": 20, "slots": 2}],
        "locations": [{"id": "hall", "tables": 5}],
        "participants": [{"id": p} if isinstance(p, str) else p for p in participants],
        "requests": requests,
    }
    data.update(extra)
    return Event.model_validate(data)


def request(rid: str, *parties: str, **fields: Any) -> dict[str, Any]:
    return {"id": rid, "participants": list(parties), **fields}


def busy_event() -> Event:
    """p1 is wanted by p2 (priority 3), p3 (priority 2) and p4 (priority 1), two slots."""
    return event(
        ["p1", "p2", "p3", "p4"],
        [
            request("r2", "p2", "p1", priority=3),
            request("r3", "p3", "p1", priority=2),
            request("r4", "p4", "p1"),
        ],
    )


def test_a_lost_request_names_the_meetings_that_took_its_slots() -> None:
    result = solve(busy_event(), SolveOptions(time_limit=10))
    lost = next(u for u in result.schedule.unscheduled if u.request == "r4")
    assert lost.reason == UnscheduledReason.LOWER_PRIORITY_CONFLICT
    assert lost.conflicts == ["r2", "r3"] or sorted(lost.conflicts) == ["r2", "r3"]
    for words in (
        "p4 and p1 could meet at am/0 (09:00) and am/1 (09:20)",
        "r2 (p2 and p1 at",
        "r3 (p3 and p1 at",
        "(priority 1)",
    ):
        assert words in lost.detail


def test_explain_request_lists_each_slot_and_its_blocker() -> None:
    evt = busy_event()
    schedule = solve(evt, SolveOptions(time_limit=10)).schedule
    explanation = explain_request(evt, schedule, "r4")
    assert explanation.reason == "lower_priority_conflict"
    assert [(s.session, s.slot, s.free) for s in explanation.slots] == [
        ("am", 0, False),
        ("am", 1, False),
    ]
    where = {m.request: m.slot for m in schedule.meetings}
    for slot in explanation.slots:
        rival = "r2" if where["r2"] == slot.slot else "r3"
        assert any(f"({rival}, priority" in text and "p1 meets" in text for text in slot.blockers)
    text = explanation_text(explanation)
    assert "not scheduled: lower_priority_conflict" in text
    assert "am/0" in text and "am/1" in text


def test_explain_a_scheduled_request_shows_where_and_the_alternatives() -> None:
    evt = event(["a", "b"], [request("r", "a", "b")])
    schedule = solve(evt, SolveOptions(time_limit=10)).schedule
    explanation = explain_request(evt, schedule, "r")
    assert explanation.scheduled is not None
    text = explanation_text(explanation)
    assert "scheduled: am/" in text
    assert "scheduled here" in text
    assert "free (it could be added here" in text  # the other slot


def test_participant_full_names_the_limit() -> None:
    evt = event(
        [{"id": "p1", "max_meetings": 1}, "p2", "p3"],
        [request("a", "p1", "p2", priority=2), request("b", "p1", "p3")],
    )
    result = solve(evt, SolveOptions(time_limit=10))
    lost = next(u for u in result.schedule.unscheduled if u.request == "b")
    assert lost.reason == UnscheduledReason.PARTICIPANT_FULL
    assert "p1 already has the most meetings they accept (max_meetings 1)" in lost.detail


def test_no_common_slot_names_sessions_and_unavailability() -> None:
    evt = Event.model_validate(
        {
            "sessions": [
                {"id": "am", "start": "2025-06-10T09:00", "slot_minutes": 20, "slots": 2},
                {"id": "pm", "start": "2025-06-10T14:00", "slot_minutes": 20, "slots": 2},
            ],
            "locations": [{"id": "hall", "tables": 2}],
            "participants": [
                {"id": "p4", "sessions": ["pm"]},
                {
                    "id": "p9",
                    "sessions": ["am", "pm"],
                    "unavailable": [{"session": "pm", "slot": 0}, {"session": "pm", "slot": 1}],
                },
            ],
            "requests": [{"id": "r7", "participants": ["p4", "p9"]}],
        }
    )
    lost = solve(evt, SolveOptions(time_limit=10)).schedule.unscheduled[0]
    assert lost.reason == UnscheduledReason.NO_COMMON_SLOT
    assert "p4 attends only pm" in lost.detail
    assert "p9 is unavailable at pm/0 and pm/1" in lost.detail


def test_an_infeasible_event_names_a_minimal_conflict() -> None:
    """Two slots; a must meet b, c and d (three required meetings): those three conflict.
    e-f is required too but innocent, and b-c is optional."""
    evt = event(
        list("abcdef"),
        [
            request("ab", "a", "b", required=True),
            request("ac", "a", "c", required=True),
            request("ef", "e", "f", required=True),
            request("ad", "a", "d", required=True),
            request("bc", "b", "c"),
        ],
    )
    result = solve(evt, SolveOptions(time_limit=10))
    assert result.status == SolveStatus.INFEASIBLE
    assert sorted(result.schedule.conflict) == ["ab", "ac", "ad"]
    detail = result.schedule.unscheduled[0].detail
    assert "required ab (a and b)" in detail and "a is in several of them" in detail
    assert check(evt, result.schedule) == []


def test_without_explain_an_infeasible_event_is_reported_without_a_conflict() -> None:
    evt = event(
        list("abcd"),
        [
            request("ab", "a", "b", required=True),
            request("ac", "a", "c", required=True),
            request("ad", "a", "d", required=True),
        ],
    )
    result = solve(evt, SolveOptions(time_limit=10, explain=False))
    assert result.status == SolveStatus.INFEASIBLE
    assert result.schedule.conflict == []
    assert {u.detail for u in result.schedule.unscheduled} == {
        "the required meetings and the rules cannot all hold at once"
    }
    assert check(evt, result.schedule) == []


def test_pinned_required_requests_in_one_slot_conflict() -> None:
    evt = event(
        ["a", "b", "c"],
        [
            request("x", "a", "b", required=True, pinned={"session": "am", "slot": 0}),
            request("y", "a", "c", required=True, pinned={"session": "am", "slot": 0}),
            request("z", "b", "c", required=True),
        ],
    )
    result = solve(evt, SolveOptions(time_limit=10))
    assert sorted(result.schedule.conflict) == ["x", "y"]
    assert "pinned to am/0" in result.schedule.unscheduled[0].detail


def test_a_locked_previous_meeting_can_be_part_of_the_conflict() -> None:
    evt = event(["a", "b", "c"], [request("ab", "a", "b")])
    first = solve(evt, SolveOptions(time_limit=10)).schedule
    slot = first.meetings[0].slot
    evt2 = event(
        ["a", "b", "c"],
        [
            request("ab", "a", "b"),
            request("ac", "a", "c", required=True, pinned={"session": "am", "slot": slot}),
        ],
    )
    result = solve(evt2, SolveOptions(time_limit=10, lock_previous=True), previous=first)
    assert result.status == SolveStatus.INFEASIBLE
    assert sorted(result.schedule.conflict) == ["ab", "ac"]
    assert "locked meeting ab" in result.schedule.unscheduled[0].detail


def run_cli(monkeypatch: pytest.MonkeyPatch, argv: list[str]) -> int:
    from matchsched import cli

    modules = [m for m in cli.COMMAND_MODULES if m != "matchsched.cli.explain"]
    monkeypatch.setattr(cli, "COMMAND_MODULES", [*modules, "matchsched.cli.explain"])
    return cli.main(argv)


def test_cli_explain_prints_the_blockers(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    evt = busy_event()
    schedule = solve(evt, SolveOptions(time_limit=10)).schedule
    write_event(evt, tmp_path / "event.json")
    write_schedule(schedule, tmp_path / "schedule.json")
    code = run_cli(
        monkeypatch,
        ["explain", str(tmp_path / "event.json"), str(tmp_path / "schedule.json"), "r4"],
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "request r4: p4 and p1 (priority 1)" in out
    assert "p1 meets" in out
    code = run_cli(
        monkeypatch,
        ["explain", str(tmp_path / "event.json"), str(tmp_path / "schedule.json"), "nope"],
    )
    assert code == 2


def _constructed(event: Event) -> Schedule:
    """The construction heuristic's schedule of ``event`` (many requests left out)."""
    compiled = compile_event(event)
    chosen = heuristics.construct(compiled).candidates()
    tables = assign_tables(compiled, chosen, SolveOptions(), time_limit=0.01).tables
    return Schedule(
        event=event.name,
        status=SolveStatus.FEASIBLE,
        meetings=assemble.meetings(compiled, chosen, tables),
        unscheduled=unscheduled_reasons(compiled, chosen, tables),
    )


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(events())
def test_the_reasons_agree_with_explain_request(event: Event) -> None:
    """All unscheduled requests analysed at once give what each one analysed alone gives."""
    schedule = _constructed(event)
    for lost in schedule.unscheduled:
        if lost.reason in (UnscheduledReason.NO_COMMON_SLOT, UnscheduledReason.NO_TABLE):
            continue
        explanation = explain_request(event, schedule, lost.request)
        free = any(slot.free for slot in explanation.slots)
        assert free == (lost.reason == UnscheduledReason.NOT_SELECTED)
        blockers = " ".join(text for slot in explanation.slots for text in slot.blockers)
        assert all(f"({rival}, priority" in blockers for rival in lost.conflicts)


def test_occupation_is_the_same_from_meetings_and_from_candidates() -> None:
    event = generate("tradefair", participants=60, seed=4)
    compiled = compile_event(event)
    chosen = heuristics.construct(compiled).candidates()
    tables = assign_tables(compiled, chosen, SolveOptions(), time_limit=0.01).tables
    direct = Occupation.of_candidates(compiled, chosen, tables)
    read = Occupation.of_meetings(compiled, assemble.meetings(compiled, chosen, tables))
    for name in ("busy", "pool", "holder", "resource_users", "meetings", "session_meetings"):
        assert np.array_equal(getattr(direct, name), getattr(read, name)), name
    for name in ("span_start", "span_end", "pooled", "location"):
        assert np.array_equal(getattr(direct, name), getattr(read, name)), name
    for r in range(len(compiled.request_ids)):
        assert direct.attendees_of(r) == read.attendees_of(r)
