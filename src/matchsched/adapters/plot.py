"""Plots (matplotlib, Agg backend, no display needed): table occupancy, meetings and breaks per
participant, and solver progress.

Every function returns a :class:`matplotlib.figure.Figure` built without ``pyplot``, so no
global state is touched; :func:`write_plots` saves them as PNG files.
"""

from __future__ import annotations

import io
import json
import os
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from matchsched.adapters._timetable import (
    breaks_per_participant,
    grid,
    meetings_per_participant,
    slot_label,
    table_label,
)
from matchsched.adapters.files import atomic_write_bytes
from matchsched.errors import EventError
from matchsched.model import Event
from matchsched.schedule import ProgressPoint, Schedule

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "breaks_figure",
    "meetings_figure",
    "occupancy_figure",
    "progress_figure",
    "read_progress_log",
    "write_plots",
]


def _new_figure(width: float, height: float) -> Figure:
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:  # pragma: no cover - depends on the installation
        raise ImportError("plots need matplotlib: pip install 'matchsched[plot]'") from None
    figure = Figure(figsize=(width, height), dpi=100, layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def _text(text: str) -> str:
    """``text`` shown literally: a ``$`` would otherwise start matplotlib's math mode."""
    return text.replace("$", r"\$")


def occupancy_figure(event: Event, schedule: Schedule) -> Figure:
    """Tables x slots for every session: a filled cell is a busy table."""
    grids = [(session, grid(event, schedule, session)) for session in event.sessions]
    rows = max((len(g) for _, g in grids), default=1)
    figure = _new_figure(min(4 + 3.2 * len(grids), 24), min(2 + 0.22 * rows, 14))
    axes_list = figure.subplots(1, len(grids), squeeze=False)[0]
    for axes, (session, cells) in zip(axes_list, grids, strict=True):
        labels = [_text(table_label(location, table)) for location, table in cells]
        image = [[0.0] * session.slots for _ in labels]
        for row, meetings in enumerate(cells.values()):
            for slot, meeting in meetings.items():
                for covered in range(slot, min(slot + meeting.length, session.slots)):
                    image[row][covered] = 1.0
        axes.imshow(
            image or [[0.0] * session.slots],
            aspect="auto",
            cmap="Blues",
            vmin=0,
            vmax=1.25,
            interpolation="nearest",
        )
        axes.set_title(_text(f"{session.id} ({session.start:%d %b})"))
        axes.set_xticks(
            range(session.slots), [slot_label(session, s) for s in range(session.slots)]
        )
        axes.tick_params(axis="x", labelrotation=90, labelsize=7)
        step = max(1, len(labels) // 30)
        axes.set_yticks(range(0, len(labels), step), labels[::step], fontsize=7)
        axes.set_xticks([x - 0.5 for x in range(1, session.slots)], minor=True)
        axes.set_yticks([y - 0.5 for y in range(1, len(labels))], minor=True)
        axes.grid(which="minor", color="white", linewidth=0.8)
        axes.tick_params(which="minor", length=0)
    figure.suptitle(_text(f"{event.name}: table occupancy"))
    return figure


def _histogram(title: str, unit: str, values: dict[str, int]) -> Figure:
    counts = Counter(values.values())
    largest = max(values.values(), default=0)
    figure = _new_figure(6.4, 3.6)
    axes = figure.subplots()
    xs = list(range(largest + 1))
    axes.bar(xs, [counts[x] for x in xs], color="#1f6fb2")
    axes.set_xlabel(f"{unit} per participant")
    axes.set_ylabel("participants")
    axes.set_xticks(xs)
    axes.set_title(title)
    for x in xs:
        if counts[x]:
            axes.annotate(str(counts[x]), (x, counts[x]), ha="center", va="bottom", fontsize=8)
    return figure


def meetings_figure(event: Event, schedule: Schedule) -> Figure:
    """How many participants have 0, 1, 2, ... meetings."""
    return _histogram(
        _text(f"{event.name}: meetings"), "meetings", meetings_per_participant(event, schedule)
    )


def breaks_figure(event: Event, schedule: Schedule) -> Figure:
    """How many participants have 0, 1, 2, ... breaks (as the checker counts them)."""
    return _histogram(
        _text(f"{event.name}: breaks"), "breaks", breaks_per_participant(event, schedule)
    )


def progress_figure(points: Iterable[ProgressPoint], *, title: str = "Solver progress") -> Figure:
    """Best value and proven bound against time, one panel per stage (goal) of the search."""
    by_stage: dict[str, list[ProgressPoint]] = {}
    for point in points:
        by_stage.setdefault(point.stage, []).append(point)
    stages = list(by_stage) or ["(no progress recorded)"]
    figure = _new_figure(6.4, 2.2 + 1.8 * len(stages))
    axes_list = figure.subplots(len(stages), 1, squeeze=False)[:, 0]
    for axes, stage in zip(axes_list, stages, strict=True):
        stage_points = sorted(by_stage.get(stage, []), key=lambda p: p.elapsed_s)
        _step(axes, [(p.elapsed_s, p.value) for p in stage_points], label="best value", marker=".")
        _step(axes, [(p.elapsed_s, p.bound) for p in stage_points], label="bound", linestyle="--")
        axes.set_title(_text(stage), fontsize=10)
        axes.set_ylabel("value")
        axes.grid(alpha=0.3)
        if stage_points:
            axes.legend(fontsize=8)
    axes_list[-1].set_xlabel("seconds")
    figure.suptitle(_text(title))
    return figure


def _step(axes: Any, points: list[tuple[float, float | None]], **style: Any) -> None:
    """A step line through the points that have a value (a best value before the first
    schedule, a bound the stage never had: nothing drawn)."""
    known = [(time, value) for time, value in points if value is not None]
    if known:
        times, values = zip(*known, strict=True)
        axes.step(times, values, where="post", **style)


def read_progress_log(path: str | os.PathLike[str]) -> list[ProgressPoint]:
    """The progress points of a JSON lines log written by ``matchsched solve --log-json``.

    The log is what the command wrote on stderr, so lines that do not start with ``{``
    (the closing summary, warnings) and JSON objects without a ``stage`` are skipped; a line
    that starts with ``{`` but is not JSON, or a progress record with bad fields, is an error.
    """
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise EventError(
            [f"cannot read progress log: {error.strerror}"], source=str(path)
        ) from None
    points: list[ProgressPoint] = []
    problems: list[str] = []
    for number, line in enumerate(lines, start=1):
        if not line.lstrip().startswith("{"):
            continue
        try:
            data: Any = json.loads(line)
        except json.JSONDecodeError as error:
            problems.append(f"line {number}: not JSON ({error.msg})")
            continue
        if not isinstance(data, dict) or "stage" not in data:
            continue
        try:
            points.append(ProgressPoint.model_validate(data))
        except ValidationError as error:
            first = error.errors(include_url=False)[0]
            where = ".".join(str(part) for part in first["loc"])
            problems.append(f"line {number}: {where}: {first['msg']}")
    if problems:
        raise EventError(problems, source=str(path))
    return points


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def write_plots(
    event: Event,
    schedule: Schedule,
    folder: str | os.PathLike[str],
    *,
    progress: Iterable[ProgressPoint] | None = None,
) -> list[Path]:
    """Write ``occupancy.png``, ``meetings.png``, ``breaks.png`` (and ``progress.png`` when
    ``progress`` is given) into ``folder``; return the paths written."""
    folder = Path(folder)
    figures = {
        "occupancy.png": occupancy_figure(event, schedule),
        "meetings.png": meetings_figure(event, schedule),
        "breaks.png": breaks_figure(event, schedule),
    }
    if progress is not None:
        figures["progress.png"] = progress_figure(progress, title=f"{event.name}: solver progress")
    written = []
    for name, figure in figures.items():
        path = folder / name
        atomic_write_bytes(path, _png(figure))
        written.append(path)
    return written
