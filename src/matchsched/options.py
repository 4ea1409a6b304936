"""How to solve: goal order and weights, limits, and solver parameters."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator


class Goal(StrEnum):
    """The goals of FORMAT.md section 3."""

    SCHEDULED = "scheduled"
    FAIRNESS = "fairness"
    BREAKS = "breaks"
    TABLE_CHANGES = "table_changes"
    STABILITY = "stability"
    PREFERENCES = "preferences"

    @property
    def maximise(self) -> bool:
        """True for goals whose value is better when larger."""
        return self in (Goal.SCHEDULED, Goal.FAIRNESS)


DEFAULT_GOALS: tuple[Goal, ...] = tuple(Goal)

GoalLevel = Goal | dict[Goal, Annotated[int, Field(ge=1)]]
"""One level of the lexicographic order: a goal, or several goals summed with weights."""


class SolveOptions(BaseModel):
    """Everything that steers a solve; every field has a sensible default.

    ``goals`` is the lexicographic order: each level is a goal name, or a mapping
    ``{goal: weight}`` that optimises a weighted sum of several goals at one level.
    A goal left out is not optimised (its value is still reported). Tables are assigned
    on the finished timetable, so ``table_changes`` (and the table half of ``stability``)
    is optimised after every timetable goal, wherever it stands in the list.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    goals: list[GoalLevel] = Field(default_factory=lambda: list[GoalLevel](DEFAULT_GOALS))
    time_limit: Annotated[float, Field(gt=0)] | None = 60.0
    workers: Annotated[int, Field(ge=1)] = 2
    seed: Annotated[int, Field(ge=0)] = 0
    log: bool = False
    """Let CP-SAT write its search log (through the ``matchsched`` logger)."""
    max_breaks: Annotated[int, Field(ge=0)] | None = None
    """Hard: no participant has more breaks than this."""
    max_break_spread: Annotated[int, Field(ge=0)] | None = None
    """Hard: among participants with a meeting, most breaks minus fewest breaks <= this."""
    min_meetings: Annotated[int, Field(ge=0)] | None = None
    """Hard: every participant with requests gets at least this many meetings (or all theirs)."""
    lock_previous: bool = False
    """When re-scheduling: keep every still-possible meeting of the previous schedule as it was."""
    explain: bool = True
    """When the rules cannot all hold: search a small set of requests and rules that conflict
    (the schedule's ``conflict``; up to 30 s after the proof). ``False`` reports only that."""
    formulation: Literal["strong", "plain"] = "strong"
    """``"plain"`` builds the straightforward time-indexed break model and search (a baseline
    for benchmarks); ``"strong"`` adds the implied constraints and search of docs/jair.md."""
    maxsat: bool = True
    """Where a level optimises breaks alone, run PySAT's RC2 MaxSAT solver beside CP-SAT's
    steps (needs the ``maxsat`` extra, ``python-sat``; docs/jair.md). ``False`` keeps the
    search to CP-SAT."""
    cpsat_parameters: dict[str, Any] = {}
    """Raw CP-SAT parameters (``SatParameters`` field names), applied last."""

    @field_validator("goals")
    @classmethod
    def _goals_once(cls, levels: list[GoalLevel]) -> list[GoalLevel]:
        seen: list[Goal] = []
        for level in levels:
            goals = list(level) if isinstance(level, dict) else [level]
            if not goals:
                raise ValueError("an empty goal level")
            for goal in goals:
                if goal in seen:
                    raise ValueError(f"goal {goal.value!r} appears twice")
                seen.append(goal)
        return levels

    @property
    def goal_order(self) -> list[Goal]:
        """Every goal in play, in lexicographic order."""
        order: list[Goal] = []
        for level in self.goals:
            order.extend(level if isinstance(level, dict) else [level])
        return order

    @property
    def levels(self) -> list[dict[Goal, int]]:
        """The lexicographic levels, each as ``{goal: weight}``."""
        return [dict(level) if isinstance(level, dict) else {level: 1} for level in self.goals]


def parse_goals(text: str) -> list[GoalLevel]:
    """Parse the CLI form ``scheduled,fairness,breaks*2+table_changes`` into goal levels."""
    levels: list[GoalLevel] = []
    for level_text in filter(None, (part.strip() for part in text.split(","))):
        terms = [term.strip() for term in level_text.split("+")]
        if len(terms) == 1 and "*" not in terms[0]:
            levels.append(Goal(terms[0]))
            continue
        weighted: dict[Goal, int] = {}
        for term in terms:
            name, _, weight = term.partition("*")
            weighted[Goal(name.strip())] = int(weight) if weight else 1
        levels.append(weighted)
    return levels
