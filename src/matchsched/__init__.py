"""matchsched: optimal bilateral-meeting timetables for matchmaking events.

>>> import matchsched
>>> event = matchsched.read_event("examples/cluster_matchmaking.json")  # doctest: +SKIP
>>> result = matchsched.solve(event, matchsched.SolveOptions(time_limit=10))  # doctest: +SKIP
>>> matchsched.check(event, result.schedule)  # doctest: +SKIP
[]
"""

from matchsched.adapters.json_io import read_event, read_schedule, write_event, write_schedule
from matchsched.check import Violation, check, evaluate
from matchsched.diff import ScheduleDiff, diff
from matchsched.errors import EventError
from matchsched.model import (
    Event,
    Location,
    MeetingRequest,
    Organization,
    Participant,
    Pin,
    Resource,
    Session,
    SlotRef,
    TableRef,
)
from matchsched.options import Goal, SolveOptions
from matchsched.schedule import (
    Meeting,
    Objective,
    ProgressPoint,
    Result,
    Schedule,
    SolveStatus,
    Unscheduled,
    UnscheduledReason,
)
from matchsched.solver import solve

__version__ = "0.1.0"

__all__ = [
    "Event",
    "EventError",
    "Goal",
    "Location",
    "Meeting",
    "MeetingRequest",
    "Objective",
    "Organization",
    "Participant",
    "Pin",
    "ProgressPoint",
    "Resource",
    "Result",
    "Schedule",
    "ScheduleDiff",
    "Session",
    "SlotRef",
    "SolveOptions",
    "SolveStatus",
    "TableRef",
    "Unscheduled",
    "UnscheduledReason",
    "Violation",
    "check",
    "diff",
    "evaluate",
    "read_event",
    "read_schedule",
    "solve",
    "write_event",
    "write_schedule",
]
