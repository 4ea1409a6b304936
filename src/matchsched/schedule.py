"""The answer: a timetable of meetings, the requests left out and why, and the goal values.

This module holds data only; it knows nothing of the solver. A :class:`Schedule` is what
``matchsched/schedule@1`` files contain (FORMAT.md section 4).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Final, Literal

from pydantic import BaseModel, ConfigDict, Field

SCHEDULE_FORMAT: Final = "matchsched/schedule@1"


class SolveStatus(StrEnum):
    """How good the answer is known to be."""

    OPTIMAL = "optimal"
    """A valid schedule, and every goal proven best."""
    FEASIBLE = "feasible"
    """A valid schedule, not proven best."""
    INFEASIBLE = "infeasible"
    """Proven: no valid schedule exists."""
    UNKNOWN = "unknown"
    """Time ran out before any valid schedule was found."""

    @property
    def has_schedule(self) -> bool:
        """True for the statuses that come with a valid schedule."""
        return self in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)


class UnscheduledReason(StrEnum):
    """Why a request is not in the timetable."""

    NO_COMMON_SLOT = "no_common_slot"
    """The parties never attend the same free slot (sessions, unavailability, pins)."""
    NO_TABLE = "no_table"
    """No table may hold it (location closed, too few seats, or an unusable host table)."""
    PARTICIPANT_FULL = "participant_full"
    """A party has reached its ``max_meetings`` or ``max_meetings_per_session``."""
    CAPACITY = "capacity"
    """Every slot the parties share has its tables or resources taken."""
    LOWER_PRIORITY_CONFLICT = "lower_priority_conflict"
    """The parties' common slots went to other meetings that ranked higher."""
    PRECEDENCE = "precedence"
    """An ``after`` rule leaves no room for it."""
    INFEASIBLE = "infeasible"
    """The event has no valid schedule at all; nothing was scheduled."""
    NO_SOLUTION = "no_solution"
    """Time ran out before a valid schedule was found."""
    NOT_SELECTED = "not_selected"
    """It could have been scheduled, but not together with the chosen meetings."""


_Frozen = ConfigDict(frozen=True, extra="forbid")


class Meeting(BaseModel):
    """One scheduled meeting."""

    model_config = _Frozen

    request: str
    attendees: list[str]
    session: str
    slot: Annotated[int, Field(ge=0)]
    length: Annotated[int, Field(ge=1)] = 1
    start: datetime
    end: datetime
    location: str
    table: Annotated[int, Field(ge=1)]


class Unscheduled(BaseModel):
    """A request that is not in the timetable, with the reason."""

    model_config = _Frozen

    request: str
    reason: UnscheduledReason
    detail: str = ""
    conflicts: list[str] = []
    """Ids of the requests that took the place, where that is the reason."""


class Objective(BaseModel):
    """Goal values of a schedule (FORMAT.md section 3)."""

    model_config = _Frozen

    scheduled_priority: int
    scheduled_priority_bound: int | None = None
    breaks: int
    table_changes: int
    unpreferred: int
    fairness: float | None = None
    """Smallest share (0..1) of a party's requested priority that is scheduled."""
    moved: int | None = None
    """Meetings of the previous schedule that moved (when re-scheduling)."""


class SolverInfo(BaseModel):
    """How the schedule was computed."""

    model_config = _Frozen

    wall_time_s: float
    time_limit_s: float | None = None
    workers: int
    seed: int


class Schedule(BaseModel):
    """A timetable for one event: ``matchsched/schedule@1``."""

    model_config = _Frozen

    format: Literal["matchsched/schedule@1"] = SCHEDULE_FORMAT
    event: str
    status: SolveStatus
    meetings: list[Meeting] = []
    unscheduled: list[Unscheduled] = []
    objective: Objective | None = None
    solver: SolverInfo | None = None
    conflict: list[str] = []
    """When infeasible: a small set of requests (and rules) that cannot hold together."""

    def meeting(self, request_id: str) -> Meeting | None:
        """The meeting scheduled for ``request_id``, if any."""
        return next((m for m in self.meetings if m.request == request_id), None)

    def agenda(self, participant_id: str) -> list[Meeting]:
        """The meetings ``participant_id`` attends, in time order."""
        return sorted(
            (m for m in self.meetings if participant_id in m.attendees), key=lambda m: m.start
        )


class ProgressPoint(BaseModel):
    """One improvement seen during the search, for progress displays and plots."""

    model_config = _Frozen

    elapsed_s: float
    stage: str
    """The goal being optimised (``scheduled``, ``breaks``, ... or ``tables``)."""
    value: float | None = None
    """The best value found so far; ``None`` while the search has proven a bound but found
    no schedule yet (the breaks goal's budget search reports each rise of its bound)."""
    bound: float | None = None


class Result(BaseModel):
    """What :func:`matchsched.solve` returns: the schedule and how the search went.

    ``schedule`` always exists and always accounts for every request; when
    ``status`` is infeasible or unknown it holds no meetings.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)

    status: SolveStatus
    schedule: Schedule
    progress: list[ProgressPoint] = []

    @property
    def objective(self) -> Objective | None:
        """Goal values of the schedule, or ``None`` when there is no schedule."""
        return self.schedule.objective if self.status.has_schedule else None
