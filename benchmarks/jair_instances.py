"""The JAIR 2022 B2B benchmark: instance files by set, and the results published for them.

Importable from the benchmark scripts in this folder (``from jair_instances import ...``;
Python puts a script's own folder on ``sys.path``). Running it prints a summary.

Sources
-------
- ``shared/instances/jair2022/instance_stats.csv``: sizes computed from the files and, for the
  20 originals, JAIR Table 5 (fairness d = 2): the MaxSAT time and optimum, and Chuffed's and
  the MIP solver's time and objective ("TO" = the paper's time limit was reached; the objective
  is then the best one found, not proven).
- :data:`UWRMAXSAT_2CORE`: MaxSAT times of the 20 originals measured again on a 2-core
  machine, as reported in a project issue (UWrMaxSat 1.8, time of the whole process,
  120 s limit). Some were reported per instance and some only per family of instances, as a
  range or a single typical value; they are kept exactly as reported, ranges as ranges.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from pathlib import Path

SETS: tuple[str, ...] = ("original", "forbidden", "fixed", "precedences")
"""The folders of the benchmark: the real events, then JAIR Tables 6, 7 and 8."""

ENVIRONMENT_VARIABLE = "MATCHSCHED_JAIR_DIR"


def jair_dir() -> Path:
    """The folder of the 140 ``.dzn`` files and ``instance_stats.csv``.

    ``$MATCHSCHED_JAIR_DIR`` when set, otherwise ``shared/instances/jair2022`` beside the repo.
    """
    override = os.environ.get(ENVIRONMENT_VARIABLE)
    if override:
        return Path(override)
    return (
        Path(__file__).resolve().parents[1] / ".." / "shared" / "instances" / "jair2022"
    ).resolve()


@dataclass(frozen=True, slots=True)
class PaperRun:
    """One solver's published result on one instance (JAIR Table 5, d = 2)."""

    seconds: float | None
    """Solving time; ``None`` when the run hit the time limit."""
    objective: int | None
    """Breaks in the best schedule found (optimal unless ``timed_out``)."""

    @property
    def timed_out(self) -> bool:
        """True when the paper reports "TO" for this run."""
        return self.seconds is None


@dataclass(frozen=True, slots=True)
class Instance:
    """One benchmark file, its size, and what the paper published for it."""

    file: str
    """Path relative to :func:`jair_dir`, e.g. ``"original/tic-12.original.dzn"``."""
    set: str
    """One of :data:`SETS`."""
    base: str
    """The original instance it derives from, e.g. ``"tic-12"``."""
    variant: str
    """``"original"``, ``"forb0003"``, ``"fixed020-Forb"``, ``"prec15"``, ..."""
    participants: int
    active_participants: int
    meetings: int
    slots: int
    tables: int
    morning_slots: int
    forbidden_pct: float
    fixed_meetings: int
    precedence_pairs: int
    table_load_pct: float
    paper_maxsat_s: float | None
    """JAIR Table 5: MaxSAT solving time (originals only)."""
    paper_opt_breaks_d2: int | None
    """JAIR Table 5: the optimal total number of breaks with d = 2 (originals only)."""
    paper_chuffed: PaperRun | None
    paper_mip: PaperRun | None

    @property
    def path(self) -> Path:
        """The file on disk."""
        return jair_dir() / self.file

    @property
    def name(self) -> str:
        """The file stem, which is also the name the reader gives the event."""
        return Path(self.file).stem


def _number(text: str) -> float | None:
    return None if text in ("", "TO") else float(text)


def _integer(text: str) -> int | None:
    return None if text == "" else int(text)


def _run(seconds: str, objective: str) -> PaperRun | None:
    if seconds == "" and objective == "":
        return None
    return PaperRun(seconds=_number(seconds), objective=_integer(objective))


def load_instances(root: Path | None = None) -> list[Instance]:
    """Every instance of ``instance_stats.csv``, in its order (by set, then name)."""
    folder = jair_dir() if root is None else root
    with (folder / "instance_stats.csv").open(encoding="utf-8", newline="") as stream:
        rows = list(csv.DictReader(stream))
    return [
        Instance(
            file=row["file"],
            set=row["file"].split("/", 1)[0],
            base=row["base"],
            variant=row["variant"],
            participants=int(row["participants"]),
            active_participants=int(row["active_participants"]),
            meetings=int(row["meetings"]),
            slots=int(row["slots"]),
            tables=int(row["tables"]),
            morning_slots=int(row["morning_slots"]),
            forbidden_pct=float(row["forbidden_pct_of_PxT"]),
            fixed_meetings=int(row["fixed_meetings"]),
            precedence_pairs=int(row["precedence_pairs"]),
            table_load_pct=float(row["table_load_pct"]),
            paper_maxsat_s=_number(row["paper_maxsat_s"]),
            paper_opt_breaks_d2=_integer(row["paper_opt_breaks_d2"]),
            paper_chuffed=_run(row["paper_chuffed_s"], row["paper_chuffed_obj"]),
            paper_mip=_run(row["paper_mip_s"], row["paper_mip_obj"]),
        )
        for row in rows
    ]


def instances(set_name: str | None = None, *, root: Path | None = None) -> list[Instance]:
    """The instances of one set (``"original"``, ...), or all 140 when ``set_name`` is None."""
    if set_name is not None and set_name not in SETS:
        raise ValueError(f"unknown set {set_name!r}; one of {', '.join(SETS)}")
    return [i for i in load_instances(root) if set_name is None or i.set == set_name]


# --------------------------------------------------------------------------- 2-core MaxSAT times


@dataclass(frozen=True, slots=True)
class MeasuredTime:
    """A reported wall time for one original instance or a family of them."""

    bases: tuple[str, ...]
    """The original instances it covers (their ``base`` names)."""
    low_s: float
    high_s: float
    """Equal to ``low_s`` when a single value was reported."""
    per_instance: bool
    """False for a family figure: each member took between ``low_s`` and ``high_s``, and no
    per-instance numbers were reported."""


@dataclass(frozen=True, slots=True)
class Measurement:
    """A set of reported times with how they were measured."""

    solver: str
    machine: str
    timing: str
    time_limit_s: float
    total_s: float
    """Approximate time of all the instances together, as reported."""
    provenance: str
    times: tuple[MeasuredTime, ...]

    def for_base(self, base: str) -> MeasuredTime | None:
        """The reported time that covers ``base``, if any."""
        return next((time for time in self.times if base in time.bases), None)


def _one(base: str, seconds: float) -> MeasuredTime:
    return MeasuredTime(bases=(base,), low_s=seconds, high_s=seconds, per_instance=True)


def _family(bases: tuple[str, ...], low_s: float, high_s: float | None = None) -> MeasuredTime:
    high = low_s if high_s is None else high_s
    return MeasuredTime(bases=bases, low_s=low_s, high_s=high, per_instance=False)


UWRMAXSAT_2CORE = Measurement(
    solver="UWrMaxSat 1.8",
    machine="2 cores",
    timing="whole process",
    time_limit_s=120.0,
    total_s=58.0,
    provenance=(
        "Reported in a project issue (2-core machine, UWrMaxSat 1.8, whole-process time, "
        "120 s limit; all 20 originals together about 58 s). Families were reported as a "
        "range or one typical value, without per-instance numbers."
    ),
    times=(
        _one("forum-13", 2.6),
        _one("forum-13crafb", 10.1),
        _one("forum-13crafc", 4.1),
        _one("forum-14", 5.6),
        _family(("forumt-14", "forumt-14crafc", "forumt-14crafd", "forumt-14crafe"), 0.8, 1.2),
        _family(("tic-12", "tic-12crafc"), 0.3),
        _family(("tic-13", "tic-13crafb", "tic-13crafc"), 0.5, 2.2),
        _family(("tic-14crafa", "tic-14crafc", "tic-14crafd"), 0.8),
        _one("ticf-13crafa", 2.5),
        _one("ticf-13crafb", 13.9),
        _one("ticf-13crafc", 4.4),
        _one("ticf-14crafa", 5.2),
    ),
)


def _summary() -> None:
    originals = instances("original")
    print(f"{'instance':16} {'P':>3} {'M':>4} {'T':>3} {'L':>3}  paper: maxsat_s opt  2-core s")
    for instance in originals:
        measured = UWRMAXSAT_2CORE.for_base(instance.base)
        if measured is None:
            two_core = "-"
        elif measured.low_s == measured.high_s:
            two_core = f"{measured.low_s:g}"
        else:
            two_core = f"{measured.low_s:g}-{measured.high_s:g}"
        if measured is not None and not measured.per_instance:
            two_core += " (family)"
        print(
            f"{instance.base:16} {instance.participants:3} {instance.meetings:4} "
            f"{instance.slots:3} {instance.tables:3}  {instance.paper_maxsat_s!s:>15} "
            f"{instance.paper_opt_breaks_d2!s:>3}  {two_core}"
        )
    counts = ", ".join(f"{name} {len(instances(name))}" for name in SETS)
    print(f"\n{len(instances())} files: {counts}")


if __name__ == "__main__":
    _summary()
