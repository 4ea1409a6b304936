"""The JAIR 2022 B2B benchmark: solve every instance, check every schedule, write a table.

Run from the repository root::

    python benchmarks/jair.py --set original --time-limit 60
    python benchmarks/jair.py --set all --time-limit 60 --no-baseline
    python benchmarks/jair.py --set original --fairness 1 --no-baseline

Each instance is solved in a fresh Python process (this file's ``--worker`` entry), so the
time in the table is the wall time of a whole process, measured here in the parent: Python
start, imports, reading the ``.dzn`` file, the solve, writing the schedule and the exit (which
skips the interpreter's cleanup, as the ``matchsched`` command's does). That is how the
UWrMaxSat 2-core figures it is compared with were measured. Every schedule is then checked
with the independent checker (:func:`matchsched.check.check`) against the event and the
paper's options; a schedule with a violation is reported as invalid, whatever the solver said.

The table goes to stdout and into ``docs/benchmarks.md``, between markers of its own
(``<!-- jair:SET:dD:begin -->`` ... ``end``) so that other benchmarks and other runs keep
their sections. ``--baseline`` also runs the plain model (``formulation="plain"``) on each
instance in the same run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shlex
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from docs_section import write_section
from jair_instances import SETS, UWRMAXSAT_2CORE, Instance, instances

if TYPE_CHECKING:
    from matchsched.model import Event
    from matchsched.options import SolveOptions

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs" / "benchmarks.md"
PUBLISHED_FAIRNESS = 2
"""JAIR Table 5 (the published optima) is for d = 2."""


# --------------------------------------------------------------------------- worker


def read_instance(
    path: str | Path,
    *,
    fairness: int,
    time_limit: float,
    formulation: str = "strong",
    seed: int = 0,
    maxsat: bool = True,
) -> tuple[Event, SolveOptions]:
    """The event of a ``.dzn`` file and the options the benchmark solves it with."""
    from matchsched.adapters.dzn import read_dzn

    event, options = read_dzn(path, fairness=fairness)
    options = options.model_copy(
        update={
            "time_limit": time_limit,
            "formulation": formulation,
            "seed": seed,
            "maxsat": maxsat,
            "explain": False,  # the proof alone, as the published solvers report it
        }
    )
    return event, options


def worker(arguments: argparse.Namespace) -> int:
    """Solve one file and write the schedule (runs in the child process)."""
    from matchsched.adapters.json_io import write_schedule
    from matchsched.solver import solve

    event, options = read_instance(
        arguments.worker,
        fairness=arguments.fairness,
        time_limit=arguments.time_limit,
        formulation=arguments.formulation,
        seed=arguments.seed,
        maxsat=arguments.maxsat,
    )
    result = solve(event, options)
    write_schedule(result.schedule, arguments.output)
    return 0


# --------------------------------------------------------------------------- parent


@dataclass
class Run:
    """One solve of one instance, as measured and checked here."""

    status: str
    breaks: int | None
    seconds: float
    violations: int | None
    """Checker violations (``None`` when there is no schedule to check)."""
    note: str = ""

    @property
    def valid(self) -> bool:
        """A schedule that passes the checker, or an answer without one."""
        return not self.violations

    @property
    def solved(self) -> bool:
        """Proven optimal (with a valid schedule) or proven infeasible."""
        return (self.status == "optimal" and self.valid) or self.status == "infeasible"


def solve_in_process(
    instance: Instance,
    *,
    time_limit: float,
    fairness: int,
    formulation: str,
    seed: int,
    maxsat: bool = True,
) -> Run:
    """Solve ``instance`` in a fresh process; time it; check its schedule."""
    from matchsched.adapters.dzn import read_dzn
    from matchsched.adapters.json_io import read_schedule
    from matchsched.check import check, evaluate

    with tempfile.TemporaryDirectory(prefix="jair-") as folder:
        output = Path(folder) / "schedule.json"
        command = [
            sys.executable,
            __file__,
            "--worker",
            str(instance.path),
            "--output",
            str(output),
            "--time-limit",
            str(time_limit),
            "--fairness",
            str(fairness),
            "--formulation",
            formulation,
            "--seed",
            str(seed),
            "--maxsat" if maxsat else "--no-maxsat",
        ]
        started = time.perf_counter()
        finished = subprocess.run(
            command, capture_output=True, text=True, timeout=time_limit * 3 + 60
        )
        seconds = time.perf_counter() - started
        if finished.returncode != 0 or not output.exists():
            tail = (finished.stderr or "").strip().splitlines()[-1:] or ["no output"]
            return Run("error", None, seconds, None, note=tail[0][:120])
        schedule = read_schedule(output)
    event, options = read_dzn(instance.path, fairness=fairness)
    status = schedule.status.value
    if not status_has_schedule(status):
        return Run(status, None, seconds, None)
    violations = check(event, schedule, options)
    # The breaks as the checker counts them; the solver's own figure must agree.
    breaks = evaluate(event, schedule).breaks
    claimed = schedule.objective.breaks if schedule.objective is not None else None
    note = violations[0].message[:120] if violations else ""
    if claimed != breaks:
        violations = [*violations, "objective.breaks"]  # type: ignore[list-item]
        note = f"schedule claims {claimed} breaks, the checker counts {breaks}"
    return Run(status, breaks, seconds, len(violations), note=note)


def status_has_schedule(status: str) -> bool:
    """``optimal`` and ``feasible`` come with a schedule."""
    return status in ("optimal", "feasible")


# --------------------------------------------------------------------------- table


def _seconds(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}"


def _maxsat(instance: Instance) -> tuple[str, float | None]:
    """The UWrMaxSat 2-core figure as reported, and the value a ratio is taken against."""
    measured = UWRMAXSAT_2CORE.for_base(instance.base)
    if measured is None or instance.set != "original":
        return "–", None
    text = (
        f"{measured.low_s:g}"
        if measured.low_s == measured.high_s
        else f"{measured.low_s:g}–{measured.high_s:g}"
    )
    if not measured.per_instance:
        text += " (family)"
    # Against the low end of a family range: the ratio is never flattering to us.
    return text, measured.low_s


def _answer(run: Run) -> str:
    if run.status == "infeasible":
        return "infeasible"
    if run.breaks is None:
        return run.status
    mark = "" if run.valid else f" INVALID ({run.violations})"
    return f"{run.breaks}{mark}"


def _proven(run: Run) -> str:
    return {"optimal": "yes", "infeasible": "yes (infeasible)"}.get(run.status, "no")


def table(
    rows: list[tuple[Instance, Run, Run | None]], *, fairness: int, baseline: bool
) -> list[str]:
    """Markdown lines of the result table."""
    published = fairness == PUBLISHED_FAIRNESS
    header = [
        "instance",
        "P/M/T/L",
        "published opt" if published else "published opt (d=2)",
        "breaks",
        "proven",
        "s",
        "UWrMaxSat s",
        "ratio",
    ]
    if baseline:
        header += ["plain breaks", "plain proven", "plain s"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for instance, run, plain in rows:
        maxsat_text, maxsat = _maxsat(instance)
        ratio = "–" if maxsat is None else f"{run.seconds / maxsat:.2f}"
        opt = instance.paper_opt_breaks_d2
        cells = [
            instance.name,
            f"{instance.participants}/{instance.meetings}/{instance.slots}/{instance.tables}",
            "–" if opt is None else str(opt),
            _answer(run),
            _proven(run),
            _seconds(run.seconds),
            maxsat_text,
            ratio,
        ]
        if baseline:
            cells += (
                [_answer(plain), _proven(plain), _seconds(plain.seconds)]
                if plain is not None
                else ["–", "–", "–"]
            )
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def totals(rows: list[tuple[Instance, Run, Run | None]], *, fairness: int) -> list[str]:
    """Summary lines: solved counts, agreement with the paper, total time of the originals."""
    lines = []
    by_set: dict[str, list[tuple[Instance, Run, Run | None]]] = {}
    for row in rows:
        by_set.setdefault(row[0].set, []).append(row)
    for name, members in by_set.items():
        runs = [run for _, run, _ in members]
        solved = sum(run.solved for run in runs)
        optimal = sum(run.status == "optimal" and run.valid for run in runs)
        infeasible = sum(run.status == "infeasible" for run in runs)
        invalid = sum(not run.valid for run in runs)
        total = sum(run.seconds for run in runs)
        line = (
            f"- **{name}** (d = {fairness}): {solved}/{len(runs)} solved within the limit "
            f"({optimal} proven optimal, {infeasible} proven infeasible); "
            f"{invalid} invalid schedules; total {total:.1f} s"
        )
        if name == "original" and fairness == PUBLISHED_FAIRNESS:
            agree = sum(
                run.status == "optimal" and run.breaks == instance.paper_opt_breaks_d2
                for instance, run, _ in members
            )
            line += (
                f"; {agree}/{len(runs)} at the published optimum, proven; "
                f"UWrMaxSat 2-core total about {UWRMAXSAT_2CORE.total_s:g} s"
            )
            faster = [
                (instance, run)
                for instance, run, _ in members
                if (m := _maxsat(instance)[1]) is not None and run.seconds < m
            ]
            line += f"; faster than the UWrMaxSat figure on {len(faster)}/{len(runs)}"
        plain = [p for _, _, p in members if p is not None]
        if plain:
            line += (
                f". Plain model: {sum(p.solved for p in plain)}/{len(plain)} solved, "
                f"total {sum(p.seconds for p in plain):.1f} s"
            )
        lines.append(line + ".")
    return lines


def machine() -> str:
    """Cores and CPU model of this machine."""
    cpu = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores (nproc), {cpu}"


def maxsat_side(wanted: bool) -> str:
    """Whether the budget search races RC2 (``python-sat``), and which version."""
    from importlib.metadata import PackageNotFoundError, version

    if not wanted:
        return "MaxSAT side: off (`--no-maxsat`)"
    try:
        return f"MaxSAT side: on (python-sat {version('python-sat')})"
    except PackageNotFoundError:
        return "MaxSAT side: python-sat not installed"


def compile_bytecode() -> None:
    """Compile matchsched's modules once, as an installed wheel has them.

    With an editable install on a machine that sets ``PYTHONDONTWRITEBYTECODE`` (this one
    does), every worker would otherwise compile the package from source: about 0.25 s of
    each process (tic-12: 1.44 s against 1.19 s, median of 8). Workers read the files written
    here whatever that variable says.
    """
    import compileall

    import matchsched

    compileall.compile_dir(Path(matchsched.__file__).parent, quiet=1)


def write_jair_section(key: str, lines: list[str]) -> None:
    """Replace (or append) this run's section of docs/benchmarks.md."""
    write_section(f"jair:{key}", "\n".join(lines), DOCS)


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    """Parse arguments; run the worker or the whole benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--set", default="original", choices=[*SETS, "crafted", "all"])
    parser.add_argument("--time-limit", type=float, default=60.0, metavar="S")
    parser.add_argument("--fairness", type=int, default=2, metavar="D")
    parser.add_argument("--baseline", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument(
        "--baseline-time-limit", type=float, metavar="S", help="default: --time-limit"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--maxsat",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="race RC2 in the budget search (needs the maxsat extra; default: on)",
    )
    parser.add_argument("--only", metavar="TEXT", help="only instances whose name contains TEXT")
    parser.add_argument("--no-write", action="store_true", help="do not touch docs/benchmarks.md")
    parser.add_argument("--json", metavar="FILE", help="also write the raw results here")
    # The child process entry.
    parser.add_argument("--worker", metavar="DZN", help=argparse.SUPPRESS)
    parser.add_argument("--output", help=argparse.SUPPRESS)
    parser.add_argument("--formulation", default="strong", help=argparse.SUPPRESS)
    arguments = parser.parse_args(argv)
    if arguments.worker:
        from matchsched.cli import exit_now

        exit_now(worker(arguments))  # and ends as the ``matchsched`` command does

    if arguments.set == "all":
        chosen = instances()
    elif arguments.set == "crafted":
        chosen = [i for i in instances() if i.set != "original"]
    else:
        chosen = instances(arguments.set)
    if arguments.only:
        chosen = [i for i in chosen if arguments.only in i.name]
    plain_limit = arguments.baseline_time_limit or arguments.time_limit
    command = "python benchmarks/jair.py " + " ".join(
        shlex.quote(a) for a in (sys.argv[1:] if argv is None else argv)
    )
    print(f"# {command}\n# {machine()}\n# {maxsat_side(arguments.maxsat)}", flush=True)
    compile_bytecode()

    rows: list[tuple[Instance, Run, Run | None]] = []
    for instance in chosen:
        run = solve_in_process(
            instance,
            time_limit=arguments.time_limit,
            fairness=arguments.fairness,
            formulation="strong",
            seed=arguments.seed,
            maxsat=arguments.maxsat,
        )
        plain = None
        if arguments.baseline:
            plain = solve_in_process(
                instance,
                time_limit=plain_limit,
                fairness=arguments.fairness,
                formulation="plain",
                seed=arguments.seed,
            )
        rows.append((instance, run, plain))
        extra = "" if plain is None else f" | plain {_answer(plain)} {plain.seconds:.1f}s"
        print(
            f"{instance.file:45} {_answer(run):>12} {run.status:>10} {run.seconds:6.1f}s"
            f"{extra} {run.note}",
            flush=True,
        )

    today = dt.date.today().isoformat()
    set_name = arguments.set
    lines = [
        f"### JAIR 2022 B2B benchmark: {set_name}, fairness d = {arguments.fairness}",
        "",
        f"Command: `{command}`  ",
        f"Machine: {machine()}; date {today}; time limit {arguments.time_limit:g} s per "
        "instance"
        + (f" (plain model: {plain_limit:g} s)" if arguments.baseline else "")
        + "; seconds are whole-process wall times measured by the parent; every schedule "
        f"checked with `matchsched.check`. {maxsat_side(arguments.maxsat)}.",
        "",
        *totals(rows, fairness=arguments.fairness),
        "",
        *table(rows, fairness=arguments.fairness, baseline=arguments.baseline),
    ]
    print("\n".join(lines))
    if arguments.json:
        Path(arguments.json).write_text(
            json.dumps(
                [
                    {
                        "file": instance.file,
                        "strong": run.__dict__,
                        "plain": None if plain is None else plain.__dict__,
                    }
                    for instance, run, plain in rows
                ],
                indent=1,
            ),
            encoding="utf-8",
        )
    if not arguments.no_write:
        write_jair_section(f"{set_name}:d{arguments.fairness}", lines)
    return 0


if __name__ == "__main__":
    sys.exit(main())
