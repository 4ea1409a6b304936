"""PNG charts of a schedule and of solver progress."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from matchsched import cli
from matchsched.adapters.json_io import write_event, write_schedule
from matchsched.errors import EventError
from matchsched.model import Event
from matchsched.schedule import ProgressPoint, Schedule

pytest.importorskip("matplotlib")

from matchsched.adapters.plot import (
    occupancy_figure,
    progress_figure,
    read_progress_log,
    write_plots,
)

POINTS = [
    ProgressPoint(elapsed_s=0.1, stage="scheduled", value=3, bound=8),
    ProgressPoint(elapsed_s=0.4, stage="scheduled", value=6, bound=6),
    ProgressPoint(elapsed_s=0.6, stage="breaks", value=3, bound=0),
    ProgressPoint(elapsed_s=0.9, stage="breaks", value=1, bound=None),
]


def test_occupancy_figure_has_one_panel_per_session(
    organiser_event: Event, organiser_schedule: Schedule
) -> None:
    figure = occupancy_figure(organiser_event, organiser_schedule)
    panels = figure.get_axes()
    assert [axes.get_title() for axes in panels] == ["d1-am (10 Jun)", "d1-pm (10 Jun)"]
    image = panels[1].get_images()[0].get_array()
    assert image.tolist() == [[0.0, 1.0, 1.0], [0.0, 0.0, 0.0]]  # r3 covers two slots


def test_progress_figure_has_one_panel_per_stage() -> None:
    figure = progress_figure(POINTS)
    assert [axes.get_title() for axes in figure.get_axes()] == ["scheduled", "breaks"]
    assert len(figure.get_axes()[0].get_lines()) == 2  # value and bound


def test_progress_figure_draws_bounds_proven_before_any_schedule() -> None:
    points = [
        ProgressPoint(elapsed_s=0.5, stage="breaks", value=None, bound=1),
        ProgressPoint(elapsed_s=0.7, stage="breaks", value=28, bound=1),
        ProgressPoint(elapsed_s=6.0, stage="breaks", value=4, bound=4),
    ]
    value, bound = progress_figure(points).get_axes()[0].get_lines()
    assert value.get_xdata().tolist() == [0.7, 6.0]  # no best value before the first schedule
    assert bound.get_xdata().tolist() == [0.5, 0.7, 6.0]


def test_write_plots(tmp_path: Path, organiser_event: Event, organiser_schedule: Schedule) -> None:
    written = write_plots(organiser_event, organiser_schedule, tmp_path / "plots", progress=POINTS)
    assert [p.name for p in written] == [
        "occupancy.png",
        "meetings.png",
        "breaks.png",
        "progress.png",
    ]
    for path in written:
        assert path.read_bytes().startswith(b"\x89PNG")


def test_read_progress_log(tmp_path: Path) -> None:
    log = tmp_path / "progress.jsonl"
    lines = [p.model_dump_json() for p in POINTS]
    other = json.dumps({"summary": "other record"})
    log.write_text("\n".join([lines[0], other, *lines[1:], "scheduled: 3 of 4 requests", ""]))
    assert read_progress_log(log) == POINTS
    log.write_text(lines[0] + "\n{not json\n" + json.dumps({"stage": "x", "value": "high"}))
    with pytest.raises(EventError) as caught:
        read_progress_log(log)
    assert caught.value.problems[0].startswith("line 2: not JSON")
    assert caught.value.problems[1].startswith("line 3: elapsed_s: Field required")


def test_cli_plot(
    tmp_path: Path,
    organiser_event: Event,
    organiser_schedule: Schedule,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(cli, "COMMAND_MODULES", ["matchsched.cli.plot"])
    write_event(organiser_event, tmp_path / "event.json")
    write_schedule(organiser_schedule, tmp_path / "schedule.json")
    log = tmp_path / "progress.jsonl"
    log.write_text("\n".join(p.model_dump_json() for p in POINTS) + "\n")
    inputs = [str(tmp_path / "event.json"), str(tmp_path / "schedule.json")]
    assert cli.main(["plot", *inputs, "--progress", str(log), "-o", str(tmp_path / "out")]) == 0
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "breaks.png",
        "meetings.png",
        "occupancy.png",
        "progress.png",
    ]
    log.write_text("{broken\n")
    assert cli.main(["plot", *inputs, "--progress", str(log), "-o", str(tmp_path / "bad")]) == 2
    assert not (tmp_path / "bad").exists()
