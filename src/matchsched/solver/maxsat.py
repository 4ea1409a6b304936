"""The breaks goal as weighted MaxSAT, solved by PySAT's core-guided RC2 (optional extra).

The encoding follows the published MaxSAT model of the B2B problem (docs/jair.md): one
variable per candidate placement, busy flags per participant and slot, the table capacity
and the paper's implied rows as cardinality encodings in clauses, one literal per possible
break (busy, idle just before, busy earlier that day) with a soft clause against it, and the
``max_breaks`` / ``max_break_spread`` options over unary break counters. Clause learning
then reasons over partial counts of the tables and the breaks, which is where this solver
proves budgets that CP-SAT's race does not (forum-13crafb's 6 breaks).

It covers the events the budget search meets on the JAIR benchmark: every request
required, pair meetings with one fixed pair of attendees, pool tables only, precedences,
and no resources or meeting limits (:func:`applies`). ``python-sat`` is imported only by the
RC2 process (:mod:`matchsched.solver.rc2_process`); without it :func:`available` is false and
the search runs as before.
"""

from __future__ import annotations

import contextlib
import importlib.util
import logging
import pickle
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import IO

import numpy as np

from matchsched.options import SolveOptions
from matchsched.solver.collector import collector_paused
from matchsched.solver.compile import Compiled
from matchsched.solver.cpsat.variables import Occupancy, covered_slots, group

logger = logging.getLogger(__name__)

SAT_SOLVER = "g4"
"""PySAT's Glucose 4: on forum-13crafb RC2 proves 6 breaks in 15 s with it, and not in 60 s
with CaDiCaL 1.9 or MapleChrono (docs/jair.md)."""


POLL = 0.02
"""Seconds between two looks at the stop request while RC2 runs."""


@dataclass(frozen=True)
class WeightedCnf:
    """Hard clauses, and one soft literal per possible break (each false break costs 1)."""

    hard: list[list[int]]
    breaks: list[int]
    """Variables true when a break ends at that participant-slot; the soft clauses negate them."""
    candidates: list[int]
    """The variable of each candidate placement (true when the meeting is held there)."""
    top: int
    """The largest variable number in the clauses (so the RC2 process need not look)."""

    @cached_property
    def pickled(self) -> bytes:
        """The hard clauses, the soft literals and :attr:`top`, as the RC2 process reads them
        (pickled once: after a case split RC2 is started again on the same clauses)."""
        return pickle.dumps(
            (self.hard, [-literal for literal in self.breaks], self.top),
            protocol=pickle.HIGHEST_PROTOCOL,
        )


@dataclass(frozen=True)
class MaxSatAnswer:
    """An optimum proven by RC2 and a timetable with it."""

    breaks: int
    chosen: np.ndarray
    """Indices of the chosen candidates."""


def available() -> bool:
    """True when ``python-sat`` is installed (``pip install matchsched[maxsat]``)."""
    return importlib.util.find_spec("pysat") is not None


def applies(compiled: Compiled, options: SolveOptions) -> bool:
    """True for the events :func:`encode` models exactly (see the module docstring)."""
    if options.min_meetings or options.lock_previous:
        return False
    if not compiled.request_required.all():
        return False
    if len(compiled.resource_capacity) or not all(p.is_pool for p in compiled.places):
        return False
    if any(len(v) != 2 for v in compiled.variants):
        return False
    for candidates in compiled.request_candidates:
        if len(np.unique(compiled.candidate_variant[candidates])) > 1:
            return False  # another member of an organisation could stand in
    return not any(
        p.max_meetings is not None or p.max_meetings_per_session is not None
        for p in compiled.event.participants
    )


class _Variables:
    """Fresh variable numbers, shared with PySAT's cardinality encodings."""

    def __init__(self) -> None:
        from pysat.formula import IDPool

        self.pool = IDPool()

    def new(self) -> int:
        return int(self.pool.id())

    def at_most(self, literals: list[int], bound: int, hard: list[list[int]]) -> None:
        from pysat.card import CardEnc, EncType

        if len(literals) > bound:
            encoding = EncType.pairwise if bound == 1 and len(literals) < 8 else EncType.seqcounter
            hard.extend(CardEnc.atmost(literals, bound, vpool=self.pool, encoding=encoding))

    def exactly(self, literals: list[int], bound: int, hard: list[list[int]]) -> None:
        from pysat.card import CardEnc, EncType

        if bound > len(literals):  # no timetable at all
            never = self.new()
            hard.extend([[never], [-never]])
            return
        encoding = EncType.pairwise if bound == 1 and len(literals) < 8 else EncType.seqcounter
        hard.extend(CardEnc.equals(literals, bound, vpool=self.pool, encoding=encoding))


def encode(compiled: Compiled, occupancy: Occupancy, options: SolveOptions) -> WeightedCnf:
    """The event's timetables (for which :func:`applies`) as clauses, breaks as soft literals.

    The clauses are lists of integers, hundreds of thousands of them: they are written with
    the cycle collector paused, which otherwise took two thirds of the time (forum-14 0.12 s
    against 0.39 s)."""
    with collector_paused():
        return _encoded(compiled, occupancy, options)


def _encoded(compiled: Compiled, occupancy: Occupancy, options: SolveOptions) -> WeightedCnf:
    variables = _Variables()
    hard: list[list[int]] = []
    x = [variables.new() for _ in range(compiled.n_candidates)]
    for candidates in compiled.request_candidates:
        variables.exactly([x[c] for c in candidates], 1, hard)
    busy = _busy_flags(compiled, occupancy, variables, x, hard)
    _tables(compiled, variables, x, hard)
    _implied_rows(compiled, occupancy, variables, busy, hard)
    _precedences(compiled, x, hard)
    per_person = _break_literals(compiled, variables, busy, hard)
    _fairness(options, variables, per_person, hard)
    breaks = [literal for literals in per_person.values() for literal in literals]
    return WeightedCnf(hard=hard, breaks=breaks, candidates=x, top=variables.pool.top)


def _busy_flags(
    compiled: Compiled,
    occupancy: Occupancy,
    variables: _Variables,
    x: list[int],
    hard: list[list[int]],
) -> dict[int, int]:
    """``busy[participant * n_slots + slot]``: one of the participant's meetings covers it."""
    busy: dict[int, int] = {}
    for key, candidates in occupancy.by_participant_slot:
        flag = busy[int(key)] = variables.new()
        covering = [x[c] for c in candidates.tolist()]
        hard.append([-flag, *covering])
        hard.extend([[-literal, flag] for literal in covering])
        variables.at_most(covering, 1, hard)
    return busy


def _tables(compiled: Compiled, variables: _Variables, x: list[int], hard: list[list[int]]) -> None:
    """At most as many meetings per slot as the pool has tables (rule 2)."""
    covering, slots = covered_slots(compiled, np.arange(compiled.n_candidates))
    locations = compiled.place_location[compiled.candidate_place[covering]]
    for key, candidates in group(locations * compiled.n_slots + slots, covering):
        capacity = int(compiled.pool_capacity[int(key) // compiled.n_slots])
        variables.at_most([x[c] for c in candidates.tolist()], capacity, hard)


def _implied_rows(
    compiled: Compiled,
    occupancy: Occupancy,
    variables: _Variables,
    busy: dict[int, int],
    hard: list[list[int]],
) -> None:
    """The paper's implied constraints: a participant is busy in as many slots as its
    meetings take, and a slot has at most two busy attendees per table."""
    n_slots = compiled.n_slots
    by_person: dict[int, list[int]] = {}
    by_slot: dict[int, list[int]] = {}
    for key, flag in busy.items():
        by_person.setdefault(key // n_slots, []).append(flag)
        by_slot.setdefault(key % n_slots, []).append(flag)
    for person, candidates in occupancy.by_participant:
        requests = np.unique(compiled.candidate_request[candidates])
        workload = int(compiled.request_length[requests].sum())
        variables.exactly(by_person.get(int(person), []), workload, hard)
    places = 2 * int(compiled.pool_capacity.sum())
    for flags in by_slot.values():
        variables.at_most(flags, places, hard)


def _precedences(compiled: Compiled, x: list[int], hard: list[list[int]]) -> None:
    """A request placed at a start needs each request it follows to end by then."""
    for later, earlier_list in enumerate(compiled.request_after):
        for earlier in earlier_list:
            earlier_candidates = compiled.request_candidates[earlier]
            ends = compiled.candidate_start[earlier_candidates] + compiled.request_length[earlier]
            for c in compiled.request_candidates[later].tolist():
                start = int(compiled.candidate_start[c])
                hard.append(
                    [
                        -x[c],
                        *(
                            x[e]
                            for e, end in zip(earlier_candidates, ends, strict=True)
                            if end <= start
                        ),
                    ]
                )


def _break_literals(
    compiled: Compiled, variables: _Variables, busy: dict[int, int], hard: list[list[int]]
) -> dict[int, list[int]]:
    """Per participant, one literal per slot where a break can end: busy there, idle just
    before, busy earlier that day (as ``goals._day_break_literals`` in the CP-SAT model)."""
    per_person: dict[int, list[int]] = {}
    n_slots = compiled.n_slots
    people = sorted({key // n_slots for key in busy})
    for person in people:
        literals = per_person.setdefault(person, [])
        for day in np.unique(compiled.slot_day):
            day_slots = np.flatnonzero((compiled.slot_day == day) & compiled.attends[person])
            seen: int | None = None  # busy somewhere earlier that day
            previous: int | None = None  # busy in the slot before (None: never busy there)
            for slot in day_slots.tolist():
                flag = busy.get(person * n_slots + slot)
                if flag is None:
                    previous = None
                    continue
                if seen is None:
                    seen = previous = flag
                    continue
                conditions = [flag, seen] + ([] if previous is None else [-previous])
                ends = variables.new()
                hard.extend([[-ends, condition] for condition in conditions])
                hard.append([*(-condition for condition in conditions), ends])
                literals.append(ends)
                later = variables.new()
                hard.extend([[-seen, later], [-flag, later], [seen, flag, -later]])
                seen, previous = later, flag
    return per_person


def _fairness(
    options: SolveOptions,
    variables: _Variables,
    per_person: dict[int, list[int]],
    hard: list[list[int]],
) -> None:
    """``max_breaks`` and ``max_break_spread`` over unary counts of each participant's breaks
    (every participant here meets: their requests are all required)."""
    if options.max_breaks is None and options.max_break_spread is None:
        return
    at_least = {
        person: _unary_count(literals, variables, hard) for person, literals in per_person.items()
    }
    if options.max_breaks is not None:
        for counts in at_least.values():
            if options.max_breaks + 1 < len(counts):
                hard.append([-counts[options.max_breaks + 1]])
    spread = options.max_break_spread
    if spread is None:
        return
    # someone[many]: somebody has at least ``many`` breaks, so everybody has at least
    # many - spread. One variable per count keeps this linear in the participants; the
    # clauses between every two participants were 40 % of forum-13crafb's encoding.
    for many in range(spread + 1, max(map(len, at_least.values()), default=0)):
        someone = variables.new()
        need = many - spread
        for counts in at_least.values():
            if many < len(counts):
                hard.append([-counts[many], someone])
            hard.append([-someone] + ([counts[need]] if need < len(counts) else []))


def _unary_count(literals: list[int], variables: _Variables, hard: list[list[int]]) -> list[int]:
    """Variables ``count[j]`` equivalent to "at least j of ``literals``" (index 0 unused)."""
    counts: list[int] = [0]  # counts[j] after the literals seen so far; 0 means false
    for i, literal in enumerate(literals):
        updated = [0]
        for j in range(1, i + 2):
            before = counts[j] if j < len(counts) else 0
            one_less = counts[j - 1] if j >= 2 else None  # None: true (at least 0)
            now = variables.new()
            if before:
                hard.append([-before, now])
            if one_less is None:
                hard.append([-literal, now])
                hard.append([-now, *([before] if before else []), literal])
            else:
                hard.append([-one_less, -literal, now])
                hard.append([-now, *([before] if before else []), one_less])
                hard.append([-now, *([before] if before else []), literal])
            updated.append(now)
        counts = updated
    return counts


def solve(
    cnf: WeightedCnf,
    stopped: Callable[[], bool],
    time_limit: float | None,
    on_bound: Callable[[int], None] = lambda bound: None,
) -> MaxSatAnswer | None:
    """RC2's optimum and a timetable with it; ``None`` once ``stopped()`` is true or after
    ``time_limit`` seconds. ``on_bound`` is called (in another thread) with each rise of
    RC2's lower bound on the breaks.

    RC2 runs in a process of its own (:mod:`matchsched.solver.rc2_process`), which is killed
    the moment the solve is stopped; the caller's thread only waits for it.
    """
    deadline = None if time_limit is None else time.monotonic() + time_limit
    settings = pickle.dumps((SAT_SOLVER, RC2_OPTIONS), protocol=pickle.HIGHEST_PROTOCOL)
    clauses = cnf.pickled
    if stopped():  # the clauses take a moment to write on a large event
        return None
    with _Rc2Process(on_bound) as process:
        if not process.send(settings, clauses):
            return None
        while not process.finished.wait(POLL):
            if stopped() or (deadline is not None and time.monotonic() > deadline):
                return None
        answer = process.answer()
    if answer is None:
        return None
    cost, model = answer
    true = set(model)
    chosen = np.array([c for c, v in enumerate(cnf.candidates) if v in true], dtype=np.int64)
    return MaxSatAnswer(breaks=cost, chosen=chosen)


RC2_OPTIONS: dict[str, object] = {"adapt": False, "exhaust": False, "minz": False, "trim": 0}
"""RC2's options: plain RC2, none of its core heuristics (at-most-one groups among the soft
literals, core exhaustion and minimisation, trimming). RC2 alone, 60 s, one run each
(docs/jair.md): faster on all seven events both versions decide (forum-13crafb 9.6 s against
16.2 s, the crafb forb0003 pair 24.4 and 22.4 s against 38.1 and 40.6 s, forumt-14crafe
0.6 s against 2.3 s), and neither decides the crafc events."""


RC2_SCRIPT = Path(__file__).with_name("rc2_process.py")
"""The script the RC2 process runs (``-P``: its folder is not put on the import path)."""


class _Rc2Process:
    """The RC2 process (:mod:`matchsched.solver.rc2_process`): started on entering, killed on
    leaving unless it has ended; ``finished`` is set once its answer is read (or its output
    ended without one). Its lower bounds go to ``on_bound`` as they come."""

    def __init__(self, on_bound: Callable[[int], None]) -> None:
        self._on_bound = on_bound

    def __enter__(self) -> _Rc2Process:
        self.finished = threading.Event()
        self._answered = False
        self._answer: tuple[int, list[int]] | None = None
        self._errors = tempfile.TemporaryFile()  # not a pipe: nobody reads it while it runs
        self._process = subprocess.Popen(
            [sys.executable, "-P", str(RC2_SCRIPT)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._errors,
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        return self

    def _read(self) -> None:
        assert self._process.stdout is not None
        try:
            while (message := _next_message(self._process.stdout)) is not None:
                kind, value = pickle.loads(message)
                if kind == "bound":
                    self._on_bound(value)
                    continue
                self._answer, self._answered = value, True
                break
        finally:
            self.finished.set()

    def send(self, *messages: bytes) -> bool:
        """Writes the messages, each after its length; false when the process has already
        ended (it failed)."""
        assert self._process.stdin is not None
        try:
            for message in messages:
                self._process.stdin.write(len(message).to_bytes(8, "little"))
                self._process.stdin.write(message)
            self._process.stdin.flush()
        except (BrokenPipeError, OSError):
            self._warn_failed()
            return False
        return True

    def answer(self) -> tuple[int, list[int]] | None:
        """The process's answer, once ``finished``; ``None`` (with a warning) when it failed
        or the clauses have no solution."""
        self._process.wait()
        if self._process.returncode != 0 or not self._answered:
            self._warn_failed()
            return None
        if self._answer is None:
            logger.warning("maxsat: the clauses have no solution; the answer is ignored")
        return self._answer

    def _warn_failed(self) -> None:
        self._process.wait()
        self._errors.seek(0)
        message = self._errors.read().decode(errors="replace").strip().splitlines()
        logger.warning(
            "maxsat: the RC2 process ended with code %s: %s",
            self._process.returncode,
            message[-1] if message else "no message",
        )

    def __exit__(self, *exception: object) -> None:
        if self._process.poll() is None:
            self._process.kill()
        self._process.wait()
        for stream in (self._process.stdin, self._process.stdout, self._errors):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()
        self._reader.join()


def _next_message(stream: IO[bytes]) -> bytes | None:
    """The next message of the RC2 process (after its length, as 8 bytes); ``None`` at the
    end of its output."""
    length = stream.read(8)
    if len(length) < 8:
        return None
    size = int.from_bytes(length, "little")
    message = stream.read(size)
    return message if len(message) == size else None
