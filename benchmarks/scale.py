"""Scale benchmark: large synthetic events, scheduled against a proven bound.

For each size (participants; about 10 requests each, 2 days x 2 sessions x 9 slots, tables
at 80 % of the demand per slot, ``generate("brokerage", seed=0)``), three methods run, each in
a fresh subprocess so that its peak memory (``ru_maxrss``) is its own:

- ``matchsched``: :func:`matchsched.solve` with the default goals and the largest time limit;
  the values at the smaller limits are read from its progress trace (every point of the trace
  is a valid timetable: the incumbent of the construction / LNS).
- ``cpsat``: the plain time-indexed CP-SAT model on the same event with the same limit
  (no LNS, no construction hint), values at the smaller limits from its progress trace.
- ``fcfs``: first come, first served, what self-booking platforms give: requests in arrival
  (request) order, each in the earliest slot where both are free and a table is free.

Every final schedule goes through the independent checker. The gap is measured against the
smallest proven bound any method reported for the event. Results go to a JSON file, the
table into ``docs/benchmarks.md`` (between ``<!-- scale:begin -->`` and ``<!-- scale:end -->``)
and the plot of gap against time to ``docs/img/scale.png``.

Run it on a quiet machine (other benchmarks take the same lock)::

    flock /tmp/matchsched-bench.lock python benchmarks/scale.py
    python benchmarks/scale.py --sizes 100,500 --limits 10,60   # quicker
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from docs_section import cpu_model, write_section

ROOT = Path(__file__).resolve().parents[1]
METHODS = ("matchsched", "cpsat", "fcfs")
MEMORY_CAP_GB = 16
"""Address-space cap of one run: a method that needs more fails with "out of memory"."""


# -- one run, in a subprocess -------------------------------------------------------------


def _event(size: int, seed: int):  # type: ignore[no-untyped-def]
    from matchsched.generate import generate

    return generate(
        "brokerage",
        participants=size,
        seed=seed,
        requests_per_participant=10,
        days=2,
        sessions_per_day=2,
        slots_per_session=9,
        table_ratio=0.8,
    )


def _run(method: str, size: int, seed: int, limit: float) -> dict[str, Any]:
    from matchsched import solve
    from matchsched.check import check, evaluate
    from matchsched.options import SolveOptions
    from matchsched.schedule import Schedule, SolveStatus
    from matchsched.solver import assemble, heuristics, lns
    from matchsched.solver.compile import compile_event
    from matchsched.solver.reasons import unscheduled_reasons
    from matchsched.solver.tables import assign_tables

    event = _event(size, seed)
    trace: list[tuple[float, float, float | None]] = []
    started = time.perf_counter()
    if method == "fcfs":
        compiled = compile_event(event)
        timetable = heuristics.first_come_first_served(compiled)
        chosen = timetable.candidates()
        tables = assign_tables(compiled, chosen, SolveOptions(), time_limit=0.01).tables
        schedule = Schedule(
            event=event.name,
            status=SolveStatus.FEASIBLE,
            meetings=assemble.meetings(compiled, chosen, tables),
            unscheduled=unscheduled_reasons(compiled, chosen, tables),
        )
        wall = time.perf_counter() - started
        objective = evaluate(event, schedule)
        trace.append((wall, float(objective.scheduled_priority), None))
        bound = None
        status = "feasible"
    else:
        if method == "cpsat":
            lns.LARGE_EVENT_CANDIDATES = sys.maxsize
            lns.HINT_FULL_MODEL = False
        result = solve(
            event,
            SolveOptions(time_limit=limit),
            progress=lambda p: (
                trace.append((p.elapsed_s, p.value, p.bound)) if p.stage == "scheduled" else None
            ),
        )
        wall = time.perf_counter() - started
        schedule = result.schedule
        status = result.status.value
        objective = result.objective
        bound = None if objective is None else objective.scheduled_priority_bound
    violations = check(event, schedule) if objective is not None else []
    return {
        "method": method,
        "size": size,
        "requests": len(event.requests),
        "limit": limit,
        "status": status,
        "wall": wall,
        "first": trace[0][0] if trace else None,
        "trace": trace,
        "scheduled": None if objective is None else objective.scheduled_priority,
        "bound": bound,
        "breaks": None if objective is None else objective.breaks,
        "table_changes": None if objective is None else objective.table_changes,
        "participants": len(event.participants),
        "violations": len(violations),
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def _worker(arguments: argparse.Namespace) -> None:
    cap = MEMORY_CAP_GB << 30
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    try:
        out = _run(arguments.method, arguments.size, arguments.seed, arguments.limit)
    except MemoryError:
        out = {"method": arguments.method, "size": arguments.size, "status": "out of memory"}
    print(json.dumps(out))


def _spawn(method: str, size: int, seed: int, limit: float) -> dict[str, Any]:
    command = [sys.executable, __file__, "--worker", "--method", method]
    command += ["--size", str(size), "--seed", str(seed), "--limit", str(limit)]
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, check=False, timeout=2 * limit + 120
        )
    except subprocess.TimeoutExpired:
        return {"method": method, "size": size, "status": f"killed after {2 * limit + 120:g} s"}
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        tail = done.stderr.strip().splitlines()[-1:] or ["no output"]
        status = "out of memory" if "MemoryError" in done.stderr or done.returncode < 0 else "error"
        return {"method": method, "size": size, "status": status, "error": tail[0]}
    return json.loads(lines[-1])


# -- reporting ----------------------------------------------------------------------------


def _at(run: dict[str, Any], seconds: float) -> float | None:
    """Best value of the run's trace at ``seconds`` (None before its first schedule)."""
    if run.get("scheduled") is None:
        return None
    if seconds >= run["limit"] or run["method"] == "fcfs":
        return run["scheduled"] if run["wall"] <= max(seconds, run["limit"]) * 1.05 else None
    values = [value for elapsed, value, _ in run.get("trace", []) if elapsed <= seconds]
    return max(values) if values else None


def _cell(value: float | None, bound: int | None) -> str:
    if value is None:
        return "-"
    return f"{int(value):,} ({_percent(value, bound)})"


def _percent(value: float | None, bound: int | None) -> str:
    if value is None or not bound:
        return "-"
    return f"{100 * value / bound:.2f} %"


def _table(results: list[dict[str, Any]], limits: list[float]) -> list[str]:
    sizes = sorted({r["size"] for r in results})
    lines = [
        "| participants | requests | method | first valid (s) | "
        + " | ".join(f"at {limit:g} s" for limit in limits)
        + " | wall (s) | breaks / participant | table changes | peak RSS (MB) | checker |",
        "|" + "---|" * (9 + len(limits)),
    ]
    for size in sizes:
        runs = {r["method"]: r for r in results if r["size"] == size}
        bounds = [r["bound"] for r in runs.values() if r.get("bound")]
        bound = min(bounds) if bounds else None
        for method in METHODS:
            run = runs.get(method)
            if run is None:
                continue
            if run.get("scheduled") is None:
                requests = run.get("requests")
                lines.append(
                    f"| {size:,} | {'-' if requests is None else f'{requests:,}'} | {method} | - | "
                    + " | ".join("-" for _ in limits)
                    + f" | {run.get('wall', 0):.1f} | - | - | {run.get('peak_mb', 0):,.0f} | "
                    f"{run['status']} |"
                )
                continue
            first = run["first"]
            cells = [_cell(_at(run, limit), bound) for limit in limits]
            lines.append(
                f"| {size:,} | {run['requests']:,} | {method} | "
                f"{'-' if first is None else f'{first:.1f}'} | "
                + " | ".join(cells)
                + f" | {run['wall']:.1f} | {run['breaks'] / run['participants']:.2f} | "
                f"{run['table_changes']:,} | {run['peak_mb']:,.0f} | "
                f"{'valid' if run['violations'] == 0 else str(run['violations']) + ' violations'} |"
            )
        if bound is not None:
            lines.append(f"| {size:,} | | proven bound | | {bound:,} |" + " |" * (len(limits) + 4))
    return lines


def _margins(results: list[dict[str, Any]]) -> list[str]:
    lines = []
    for size in sorted({r["size"] for r in results}):
        runs = {r["method"]: r for r in results if r["size"] == size}
        ours, greedy = runs.get("matchsched"), runs.get("fcfs")
        if not ours or not greedy or ours.get("scheduled") is None:
            continue
        gain = 100 * (ours["scheduled"] - greedy["scheduled"]) / greedy["scheduled"]
        fewer = 100 * (greedy["breaks"] - ours["breaks"]) / max(greedy["breaks"], 1)
        lines.append(
            f"- {size:,} participants: scheduled priority {ours['scheduled']:,} vs "
            f"{greedy['scheduled']:,} (+{gain:.1f} %), breaks {ours['breaks']:,} vs "
            f"{greedy['breaks']:,} ({fewer:.0f} % fewer)."
        )
    return lines


def _compliance(extra: list[dict[str, Any]]) -> list[str]:
    """Separate runs at smaller limits: wall time against the limit, and the value reached."""
    lines = [
        "| participants | time limit (s) | wall (s) | wall / limit | first valid (s) | "
        "scheduled priority (share of bound) | breaks / participant | checker |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for run in sorted(extra, key=lambda r: (r["limit"], r["size"])):
        if run.get("scheduled") is None:
            lines.append(
                f"| {run['size']:,} | {run.get('limit', 0):g} | {run.get('wall', 0):.1f} | | | "
                f"{run['status']} | | |"
            )
            continue
        lines.append(
            f"| {run['size']:,} | {run['limit']:g} | {run['wall']:.1f} | "
            f"{run['wall'] / run['limit']:.2f} | {run['first']:.1f} | "
            f"{_cell(run['scheduled'], run['bound'])} | "
            f"{run['breaks'] / run['participants']:.2f} | "
            f"{'valid' if run['violations'] == 0 else str(run['violations']) + ' violations'} |"
        )
    return lines


def _plot(results: list[dict[str, Any]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(7.5, 4.5))
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for i, size in enumerate(sorted({r["size"] for r in results})):
        runs = {r["method"]: r for r in results if r["size"] == size}
        bounds = [r["bound"] for r in runs.values() if r.get("bound")]
        if not bounds:
            continue
        bound = min(bounds)
        for method, style in (("matchsched", "-"), ("cpsat", ":")):
            run = runs.get(method)
            if not run or not run.get("trace"):
                continue
            points = sorted(run["trace"])
            times = [t for t, _, _ in points] + [run["wall"]]
            best, gaps = 0.0, []
            for _, value, _ in points:
                best = max(best, value)
                gaps.append(max(100 * (bound - best) / bound, 1e-3))
            gaps.append(gaps[-1])
            label = f"{size:,} ({'matchsched' if method == 'matchsched' else 'plain CP-SAT'})"
            axes.step(times, gaps, where="post", linestyle=style, color=colours[i], label=label)
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_xlabel("time since solve() started (s)")
    axes.set_ylabel("gap to the proven bound (%; 0 drawn at 0.001)")
    axes.set_title("Scheduled priority: gap to the bound (2 cores)")
    axes.grid(True, which="both", alpha=0.3)
    axes.legend(fontsize=7, ncol=2)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=120)


def _write_docs(
    results: list[dict[str, Any]],
    limits: list[float],
    command: str,
    docs: Path,
    extra: list[dict[str, Any]],
    extra_commands: list[str],
) -> None:
    section = [
        "## Scale: large synthetic events",
        "",
        f"Command: `{command}`  ",
        f"Machine: {os.cpu_count()} cores, {cpu_model()}, Python {platform.python_version()}  ",
        f"Date: {datetime.date.today().isoformat()}",
        "",
        'Events: `generate("brokerage", participants=N, seed=0, requests_per_participant=10,'
        " days=2, sessions_per_day=2, slots_per_session=9, table_ratio=0.8)`. "
        "Scheduled priority at each time, and its share of the smallest proven bound any "
        f"method reported. Each method ran once, with the largest limit ({max(limits):g} s); "
        "the values at smaller times come from its progress trace (the incumbent timetable at "
        "that moment, counted from the start of `solve()`, model building included). "
        "`fcfs` is first come, first served (no time limit; its own run time in *wall*). "
        "Peak RSS is that of a fresh process per run (the event generation included). "
        "Every final schedule was checked by `matchsched.check`. "
        "`cpsat` is the plain model's lexicographic search, which gives the first goal a share "
        "of the limit: when that share ends before CP-SAT has a timetable it returns `unknown` "
        "early, and a first level that ends with a poor timetable keeps it for the later goals.",
        "",
        *_table(results, limits),
        "",
        "Against first come, first served:",
        "",
        *_margins(results),
        "",
        *(
            [
                "Time limit: separate runs of matchsched with the smaller limits (wall time of "
                "`solve()`, the event given; share of the bound above). Commands: "
                + "; ".join(f"`{c}`" for c in extra_commands),
                "",
                *_compliance(extra),
                "",
            ]
            if extra
            else []
        ),
        "![gap against time](img/scale.png)",
    ]
    write_section("scale", "\n".join(section), docs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100,500,2000,5000,10000")
    parser.add_argument("--limits", default="10,60,300")
    parser.add_argument("--methods", default=",".join(METHODS))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--results", default="/tmp/matchsched-scale.json")
    parser.add_argument("--docs", default=str(ROOT / "docs" / "benchmarks.md"))
    parser.add_argument("--plot", default=str(ROOT / "docs" / "img" / "scale.png"))
    parser.add_argument("--render-only", action="store_true", help="redo docs from --results")
    parser.add_argument(
        "--limit-runs", default="", help="result files of runs at other limits, for the docs"
    )
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--method", help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--limit", type=float, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.worker:
        _worker(arguments)
        return
    limits = [float(x) for x in arguments.limits.split(",")]
    results_path = Path(arguments.results)
    command = "python benchmarks/scale.py " + " ".join(sys.argv[1:])
    if arguments.render_only:
        saved = json.loads(results_path.read_text())
        results, command = saved["results"], saved["command"]
    else:
        results = []
        for size in [int(x) for x in arguments.sizes.split(",")]:
            for method in arguments.methods.split(","):
                run = _spawn(method, size, arguments.seed, max(limits))
                results.append(run)
                print(
                    f"{size:>6} {method:<10} {run.get('status')} scheduled={run.get('scheduled')} "
                    f"bound={run.get('bound')} first={run.get('first')} wall={run.get('wall')} "
                    f"breaks={run.get('breaks')} peak={run.get('peak_mb')} "
                    f"violations={run.get('violations')}",
                    flush=True,
                )
                results_path.write_text(json.dumps({"command": command, "results": results}))
    extra: list[dict[str, Any]] = []
    extra_commands: list[str] = []
    for name in filter(None, arguments.limit_runs.split(",")):
        saved = json.loads(Path(name).read_text())
        extra.extend(saved["results"])
        extra_commands.append(saved["command"].strip())
    _plot(results, Path(arguments.plot))
    _write_docs(results, limits, command.strip(), Path(arguments.docs), extra, extra_commands)
    print("\n".join(_table(results, limits)))


if __name__ == "__main__":
    main()
