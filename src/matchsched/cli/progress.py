"""Progress of a solve on stderr: a live line, one JSON object per line, or nothing.

``matchsched solve`` passes every :class:`~matchsched.schedule.ProgressPoint` to the display
made by :func:`make_progress` and calls ``close()`` at the end:

* ``"live"``: one line that updates in place (with ``rich`` when it is installed, else with a
  carriage return) showing elapsed time, stage, best value, bound and gap; when stderr is not
  a terminal, one plain line per improvement instead;
* ``"json"``: one JSON object per line (the fields of ``ProgressPoint``), for ``--log-json``;
  :func:`matchsched.adapters.plot.read_progress_log` reads it back;
* ``"quiet"``: nothing.
"""

from __future__ import annotations

import sys
from typing import Protocol, TextIO

from matchsched.schedule import ProgressPoint

__all__ = ["MODES", "ProgressDisplay", "format_point", "make_progress"]

MODES = ("live", "quiet", "json")


class ProgressDisplay(Protocol):
    """Called with each progress point; ``close()`` ends the display."""

    def __call__(self, point: ProgressPoint) -> None: ...

    def close(self) -> None: ...


def _number(value: float) -> str:
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.4g}"


def gap(point: ProgressPoint) -> float | None:
    """Relative distance between value and bound (0 = proven), or ``None`` without both."""
    if point.value is None or point.bound is None:
        return None
    scale = max(abs(point.value), abs(point.bound))
    return 0.0 if scale == 0 else abs(point.bound - point.value) / scale


def format_point(point: ProgressPoint) -> str:
    """``"   3.2 s  scheduled  best 212  bound 215  gap 1.4%"``."""
    relative = gap(point)
    best = "-" if point.value is None else _number(point.value)
    bound = "-" if point.bound is None else _number(point.bound)
    gap_text = "-" if relative is None else f"{100 * relative:.1f}%"
    return (
        f"{point.elapsed_s:7.1f} s  {point.stage:<13}  best {best}  bound {bound}  gap {gap_text}"
    )


class _Quiet:
    def __call__(self, point: ProgressPoint) -> None:
        pass

    def close(self) -> None:
        pass


class _JsonLines:
    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def __call__(self, point: ProgressPoint) -> None:
        self.stream.write(point.model_dump_json() + "\n")
        self.stream.flush()

    def close(self) -> None:
        self.stream.flush()


class _Lines:
    """One line per improvement: for logs and pipes, where ``\\r`` would make a mess."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def __call__(self, point: ProgressPoint) -> None:
        self.stream.write(format_point(point) + "\n")
        self.stream.flush()

    def close(self) -> None:
        self.stream.flush()


class _CarriageReturn:
    """One line rewritten in place, for a terminal without ``rich``."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.width = 0

    def __call__(self, point: ProgressPoint) -> None:
        text = format_point(point)
        self.stream.write("\r" + text.ljust(self.width))
        self.stream.flush()
        self.width = max(self.width, len(text))

    def close(self) -> None:
        if self.width:
            self.stream.write("\n")
        self.stream.flush()


class _RichLive:
    """One line rewritten in place by ``rich``."""

    def __init__(self, stream: TextIO) -> None:
        from rich.console import Console
        from rich.live import Live
        from rich.text import Text

        self._text = Text
        self.live = Live(
            Text("solving ..."),
            console=Console(file=stream),
            auto_refresh=False,
            transient=False,
        )
        self.live.start()

    def __call__(self, point: ProgressPoint) -> None:
        relative = gap(point)
        text = self._text(format_point(point))
        if relative is not None and relative == 0:
            text.stylize("green")
        self.live.update(text, refresh=True)

    def close(self) -> None:
        self.live.stop()


def make_progress(mode: str, *, stream: TextIO | None = None) -> ProgressDisplay:
    """A progress display for ``mode`` (``"live"``, ``"quiet"`` or ``"json"``) on ``stream``.

    Parameters
    ----------
    stream
        Where to write; standard error when omitted.
    """
    if mode not in MODES:
        raise ValueError(f"unknown progress mode {mode!r} (choose from {', '.join(MODES)})")
    target = stream if stream is not None else sys.stderr
    if mode == "quiet":
        return _Quiet()
    if mode == "json":
        return _JsonLines(target)
    if not (hasattr(target, "isatty") and target.isatty()):
        return _Lines(target)
    try:
        import rich  # noqa: F401
    except ImportError:
        return _CarriageReturn(target)
    return _RichLive(target)
