"""``matchsched.diff``: moved, added and cancelled meetings, per participant."""

from __future__ import annotations

import json
from typing import Any

import pytest

import matchsched
from matchsched import Event, SolveOptions, check, solve
from matchsched.adapters.json_io import write_event, write_schedule
from matchsched.diff import Change, ScheduleDiff, diff, diff_text


def event(participants: list[str], requests: list[tuple[str, str, str]], slots: int = 3) -> Event:
    return Event.model_validate(
        {
            "name": "diff",
            "timezone": "Europe/Rome",
            "sessions": [
                {"id": "am", "start": "2025-06-10T09:00", "slot_minutes": 20, "slots": slots}
            ],
            "locations": [{"id": "hall", "tables": 4}],
            "participants": [{"id": p, "name": p.upper()} for p in participants],
            "requests": [{"id": r, "participants": [a, b]} for r, a, b in requests],
        }
    )


BASE = [("ab", "a", "b"), ("cd", "c", "d"), ("ef", "e", "f"), ("ac", "a", "c")]


def test_identical_schedules_have_no_changes(make_schedule: Any) -> None:
    evt = event(list("abcdef"), BASE)
    schedule = solve(evt, SolveOptions(time_limit=10)).schedule
    changes = diff(schedule, schedule)
    assert changes.changes == [] and changes.participants == []
    assert changes.unchanged == len(schedule.meetings)


def test_cancelled_participant_and_late_registration() -> None:
    """d cancels (cd goes), g registers late and asks e. Re-scheduling with the stability
    goal keeps ab, ac and ef where they were; only c, d (cancelled) and e, g (added) hear
    about changes."""
    old_event = event(list("abcdef"), BASE)
    old = solve(old_event, SolveOptions(time_limit=10)).schedule
    # Stability ranks before breaks and table changes, as a platform re-scheduling would ask;
    # with the default order a meeting may move to spare someone a table change.
    options = SolveOptions(
        time_limit=10, goals=["scheduled", "stability", "breaks", "table_changes"]
    )
    new_event = event(list("abcefg"), [r for r in BASE if r[0] != "cd"] + [("ge", "g", "e")])
    result = solve(new_event, options, previous=old)
    assert check(new_event, result.schedule, options) == []
    changes = matchsched.diff(old, result.schedule)
    assert isinstance(changes, ScheduleDiff)
    assert (changes.moved, changes.added, changes.cancelled) == (0, 1, 1)
    assert changes.unchanged == 3
    cancelled = next(c for c in changes.changes if c.change == Change.CANCELLED)
    assert cancelled.request == "cd" and cancelled.reason == "withdrawn"
    assert changes.affected == ["c", "d", "e", "g"]
    assert [c.request for c in changes.for_participant("e")] == ["ge"]
    assert changes.for_participant("a") == []
    # JSON round trip
    again = ScheduleDiff.model_validate_json(changes.model_dump_json())
    assert again == changes


def test_a_moved_meeting_reports_before_and_after(make_meeting: Any, make_schedule: Any) -> None:
    evt = event(list("abcd"), [("ab", "a", "b"), ("cd", "c", "d")])
    old = make_schedule(
        evt, [make_meeting(evt, "ab", slot=0), make_meeting(evt, "cd", slot=1, table=2)]
    )
    new = make_schedule(evt, [make_meeting(evt, "ab", slot=2), make_meeting(evt, "cd", slot=1)])
    changes = diff(old, new)
    assert [(c.request, c.change, c.changed) for c in changes.changes] == [
        ("cd", Change.MOVED, ["table"]),
        ("ab", Change.MOVED, ["time"]),
    ]
    moved = changes.for_participant("a")[0]
    assert (moved.before.slot, moved.after.slot) == (0, 2)  # type: ignore[union-attr]
    text = diff_text(changes, evt)
    assert "2 moved, 0 added, 0 cancelled, 0 unchanged; 4 participant(s) affected" in text
    assert "A (a):\n  moved ab with B (b): Tue 10 Jun 09:00-09:20 (am/0), hall table 1 -> " in text


def test_a_meeting_now_unscheduled_carries_its_reason(
    make_meeting: Any, make_schedule: Any
) -> None:
    evt = event(list("ab"), [("ab", "a", "b")])
    old = make_schedule(evt, [make_meeting(evt, "ab", slot=0)])
    new = make_schedule(evt, [])
    change = diff(old, new).changes[0]
    assert (change.change, change.reason) == (Change.CANCELLED, "not_selected")
    assert "no longer scheduled: not_selected" in diff_text(diff(old, new))


def run_cli(monkeypatch: pytest.MonkeyPatch, argv: list[str]) -> int:
    from matchsched import cli

    modules = [m for m in cli.COMMAND_MODULES if m != "matchsched.cli.diff"]
    monkeypatch.setattr(cli, "COMMAND_MODULES", [*modules, "matchsched.cli.diff"])
    return cli.main(argv)


def test_cli_diff_text_and_json(
    tmp_path: Any,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    make_meeting: Any,
    make_schedule: Any,
) -> None:
    evt = event(list("abcd"), [("ab", "a", "b"), ("cd", "c", "d")])
    write_event(evt, tmp_path / "event.json")
    write_schedule(make_schedule(evt, [make_meeting(evt, "ab", slot=0)]), tmp_path / "old.json")
    new = make_schedule(evt, [make_meeting(evt, "ab", slot=1), make_meeting(evt, "cd", slot=0)])
    write_schedule(new, tmp_path / "new.json")
    old_path, new_path = str(tmp_path / "old.json"), str(tmp_path / "new.json")
    assert (
        run_cli(monkeypatch, ["diff", old_path, new_path, "--event", str(tmp_path / "event.json")])
        == 0
    )
    out = capsys.readouterr().out
    assert out.startswith("1 moved, 1 added, 0 cancelled, 0 unchanged; 4 participant(s) affected")
    assert "C (c):\n  new meeting cd with D (d)" in out
    assert (
        run_cli(monkeypatch, ["diff", old_path, new_path, "--json", "-o", str(tmp_path / "d.json")])
        == 0
    )
    data = json.loads((tmp_path / "d.json").read_text())
    assert (data["moved"], data["added"], data["cancelled"]) == (1, 1, 0)
    assert [p["participant"] for p in data["participants"]] == ["a", "b", "c", "d"]
