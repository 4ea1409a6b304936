"""Progress displays of the solve command: live, plain lines, JSON lines, quiet."""

from __future__ import annotations

import io
import json

import pytest

from matchsched.cli.progress import format_point, gap, make_progress
from matchsched.schedule import ProgressPoint

POINTS = [
    ProgressPoint(elapsed_s=0.25, stage="scheduled", value=200, bound=215),
    ProgressPoint(elapsed_s=1.5, stage="scheduled", value=212, bound=212),
    ProgressPoint(elapsed_s=2.0, stage="breaks", value=7, bound=None),
]


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_format_point_shows_time_stage_value_bound_and_gap() -> None:
    assert format_point(POINTS[0]) == "    0.2 s  scheduled      best 200  bound 215  gap 7.0%"
    assert format_point(POINTS[1]).endswith("best 212  bound 212  gap 0.0%")
    assert format_point(POINTS[2]).endswith("best 7  bound -  gap -")
    assert gap(ProgressPoint(elapsed_s=0, stage="breaks", value=0, bound=0)) == 0.0


def test_a_bound_before_any_schedule_shows_no_best_value_and_no_gap() -> None:
    point = ProgressPoint(elapsed_s=1.25, stage="breaks", value=None, bound=3)
    assert format_point(point) == "    1.2 s  breaks         best -  bound 3  gap -"
    assert gap(point) is None


def test_json_mode_writes_one_point_per_line() -> None:
    stream = io.StringIO()
    display = make_progress("json", stream=stream)
    for point in POINTS:
        display(point)
    display.close()
    lines = stream.getvalue().splitlines()
    assert [ProgressPoint.model_validate(json.loads(line)) for line in lines] == POINTS


def test_quiet_mode_writes_nothing() -> None:
    stream = io.StringIO()
    display = make_progress("quiet", stream=stream)
    display(POINTS[0])
    display.close()
    assert stream.getvalue() == ""


def test_live_mode_off_a_terminal_writes_one_line_per_improvement() -> None:
    stream = io.StringIO()
    display = make_progress("live", stream=stream)
    for point in POINTS:
        display(point)
    display.close()
    assert stream.getvalue().splitlines() == [format_point(p) for p in POINTS]
    assert "\r" not in stream.getvalue()


def test_live_mode_on_a_terminal_without_rich_rewrites_one_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(__import__("sys").modules, "rich", None)  # import rich -> ImportError
    stream = Terminal()
    display = make_progress("live", stream=stream)
    for point in POINTS:
        display(point)
    display.close()
    text = stream.getvalue()
    assert text.count("\r") == 3 and text.endswith("\n") and text.count("\n") == 1
    assert format_point(POINTS[-1]) in text


def test_live_mode_on_a_terminal_with_rich() -> None:
    pytest.importorskip("rich")
    stream = Terminal()
    display = make_progress("live", stream=stream)
    for point in POINTS:
        display(point)
    display.close()
    assert "best 7" in stream.getvalue()


def test_unknown_mode() -> None:
    with pytest.raises(ValueError, match="unknown progress mode 'loud'"):
        make_progress("loud")
