"""The MaxSAT solve in a thread of its own, from early in the breaks search to its end.

The budget search (:mod:`matchsched.solver.breaks`) starts the MaxSAT solve early (at once, or
a moment into its first probe: :class:`DeferredRun`), and goes on with its CP-SAT steps
beside it. Whoever decides first ends the search.
The thread waits for RC2's process (:mod:`matchsched.solver.rc2_process`), which is killed
when the run is stopped: a stopped run ends at once.

The thread is not a daemon, so that the process is killed by the thread that started it
even when the caller ends right after the search.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

from matchsched.solver.cpsat.run import StopToken

logger = logging.getLogger("matchsched")

Answer = TypeVar("Answer")

POLL = 0.02
"""Seconds between two looks at a stop request while waiting for the answer."""


Job = Callable[[Callable[[], bool], Callable[[int], None]], Answer | None]
"""Given the stop request (true once the run is stopped) and a callback for each lower bound
it proves, the answer or ``None``."""


class MaxSatRun(Generic[Answer]):
    """One MaxSAT solve running beside the caller; :meth:`wait` for its answer.

    ``job`` (:data:`Job`) solves; ``on_answer`` is called in the run's thread once there is
    an answer. The lower bounds the job proves on the way are kept in :attr:`bound` and
    passed to each listener (:meth:`listen`).
    """

    def __init__(
        self,
        job: Job[Answer],
        stop: StopToken | None,
        on_answer: Callable[[], None] = lambda: None,
    ) -> None:
        self.stop = stop.linked() if stop is not None else StopToken()
        """Stops the solve (also stopped when the caller's token is)."""
        self.started = time.perf_counter()
        self.seconds: float | None = None
        """How long the solve took, once it has ended."""
        self.bound = 0
        """The highest lower bound the solve has proven so far."""
        self._listeners: list[Callable[[int], None]] = []
        self._lock = threading.Lock()
        self._answer: Answer | None = None
        self._ended = threading.Event()
        self._on_answer = on_answer
        self._thread = threading.Thread(
            target=self._run, args=(job,), name="matchsched-maxsat", daemon=False
        )
        self._thread.start()

    def listen(self, listener: Callable[[int], None]) -> None:
        """Calls ``listener`` with each rise of :attr:`bound` from now on (and at once with
        the bound so far, when there is one)."""
        with self._lock:
            self._listeners.append(listener)
            bound = self.bound
        if bound:
            listener(bound)

    def _proved(self, bound: int) -> None:
        with self._lock:
            if bound <= self.bound:
                return
            self.bound = bound
            listeners = list(self._listeners)
        for listener in listeners:
            listener(bound)

    def _run(self, job: Job[Answer]) -> None:
        try:
            self._answer = job(lambda: self.stop.stopped, self._proved)
        except Exception:  # a failing side must not take the search down with it
            logger.exception("breaks: the MaxSAT side failed; the CP-SAT side goes on alone")
        finally:
            self.seconds = time.perf_counter() - self.started
            self._ended.set()
        if self._answer is not None:
            self._on_answer()

    @property
    def ended(self) -> bool:
        """True once the solve has returned (with an answer or without)."""
        return self._ended.is_set()

    def answer(self) -> Answer | None:
        """The answer, if the solve has ended with one (never waits)."""
        return self._answer if self._ended.is_set() else None

    def wait(self, until: StopToken) -> Answer | None:
        """The answer once the solve ends; ``None`` when it ends without one or ``until`` is
        stopped first."""
        while not self._ended.wait(POLL):
            if until.stopped:
                return None
        return self._answer


class DeferredRun(Generic[Answer]):
    """A :class:`MaxSatRun` started ``delay`` seconds from now, unless :meth:`settle` comes
    first. For a first step that decides most events in a second on its own: the MaxSAT
    process then never starts, and the step keeps both cores (docs/jair.md)."""

    def __init__(
        self,
        start: Callable[[], MaxSatRun[Answer]],
        delay: float,
        on_start: Callable[[MaxSatRun[Answer]], None] = lambda run: None,
    ) -> None:
        self._start = start
        self._on_start = on_start
        self._lock = threading.Lock()
        self._settled = False
        self._run: MaxSatRun[Answer] | None = None
        self._timer = threading.Timer(delay, self._fire)
        self._timer.daemon = True
        self._timer.start()

    def _fire(self) -> None:
        with self._lock:
            if self._settled:
                return
            self._run = self._start()
        self._on_start(self._run)

    def settle(self) -> MaxSatRun[Answer] | None:
        """No start from now on: the run, if the delay had passed and it started."""
        self._timer.cancel()
        with self._lock:
            self._settled = True
            return self._run
