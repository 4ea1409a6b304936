"""Who takes the breaks: break profiles, listed without the tables and decided with them.

The *profile* of a timetable is the number of breaks each participant has above its proven
minimum. At a fixed total, the model without the table rule (``TimetableModel(...,
table_limits=False)``) lists the profiles quickly, one solve each with the profiles seen so
far excluded; each is then decided in the full model with every participant's breaks pinned
to it, which CP-SAT's presolve mostly settles in under a second. Every timetable of the full
model has its profile in the list, so when every listed profile is refuted, no timetable
has that total. On events whose tables are nearly full this finds the timetable at the
optimum where the whole question searches for tens of seconds (tic-13crafc, docs/jair.md).

The race of the budget search (:mod:`matchsched.solver.breaks`) lists and decides profiles;
the models are built by the search (:mod:`matchsched.solver.search`).
"""

from __future__ import annotations

from dataclasses import dataclass

from ortools.sat.python import cp_model

Profile = dict[int, int]
"""Participant -> breaks above its proven minimum (only entries > 0)."""


@dataclass
class BreakProfiles:
    """The table-free model, and the break counts a profile is read from and pinned to."""

    table_free: cp_model.CpModel
    """The timetable model without the table rule."""
    free_total: cp_model.LinearExprT
    """Total breaks in :attr:`table_free`."""
    free_counts: dict[int, cp_model.LinearExprT]
    """Participant -> its breaks in :attr:`table_free`."""
    counts: dict[int, cp_model.LinearExprT]
    """Participant -> its breaks in the full model."""
    minimum: dict[int, int]
    """Proven minimum per participant (absent: 0)."""


def listing(profiles: BreakProfiles, budget: int) -> cp_model.CpModel:
    """A copy of the table-free model with exactly ``budget`` breaks, to list profiles from."""
    model = profiles.table_free.clone()
    model.clear_objective()
    model.add(profiles.free_total == budget)
    return model


def profile_of(profiles: BreakProfiles, solver: cp_model.CpSolver) -> Profile:
    """The profile of the table-free timetable that ``solver`` holds."""
    return {
        person: above
        for person, count in profiles.free_counts.items()
        if (above := solver.value(count) - profiles.minimum.get(person, 0)) > 0
    }


def pin(profiles: BreakProfiles, model: cp_model.CpModel, profile: Profile) -> None:
    """Every participant of the full ``model`` has exactly the breaks of ``profile``."""
    for person, count in profiles.counts.items():
        model.add(count == profiles.minimum.get(person, 0) + profile.get(person, 0))


def exclude(profiles: BreakProfiles, model: cp_model.CpModel, profile: Profile) -> None:
    """No more timetables with ``profile`` in the listing ``model``: someone in it has fewer
    breaks. With the total fixed, no other profile is at or above this one everywhere, so no
    other profile is lost."""
    fewer = []
    for person, above in profile.items():
        at_least = model.new_bool_var(f"above_{person}")
        target = profiles.minimum.get(person, 0) + above
        count = profiles.free_counts[person]
        model.add(count >= target).only_enforce_if(at_least)
        model.add(count < target).only_enforce_if(at_least.Not())
        fewer.append(at_least.Not())
    model.add_bool_or(fewer)


def describe(profile: Profile) -> str:
    """``{participant: +breaks above its minimum}`` in a short, stable form."""
    if not profile:
        return "{} (everyone at the minimum)"
    return "{" + ", ".join(f"{person}: +{above}" for person, above in sorted(profile.items())) + "}"
