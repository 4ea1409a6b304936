"""benchmarks/jair_trace.py: one JAIR instance solved with the solver's log on."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
JAIR = ROOT / ".." / "shared" / "instances" / "jair2022"


def _trace(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "jair_trace.py"), *arguments],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.skipif(not JAIR.is_dir(), reason=f"benchmark instances not found at {JAIR}")
def test_the_trace_shows_each_probe_and_the_checked_result() -> None:
    run = _trace("tic-12", "--time-limit", "30")
    assert run.returncode == 0, run.stderr
    assert "breaks: 0 break(s): OPTIMAL in" in run.stdout
    assert run.stdout.splitlines()[-1].startswith("tic-12: optimal, breaks 0,")
    assert run.stdout.rstrip().endswith("0 violations")


def test_an_instance_that_does_not_exist_is_named_in_a_clear_error() -> None:
    run = _trace("no-such-instance")
    assert run.returncode == 2
    assert "no-such-instance.original.dzn" in run.stderr
    assert "Traceback" not in run.stderr


@pytest.mark.skipif(not JAIR.is_dir(), reason=f"benchmark instances not found at {JAIR}")
def test_more_tables_remove_the_breaks_that_the_tables_force() -> None:
    # tic-13crafc needs 4 breaks with its 19 tables (published optimum) and none without
    # a table limit: all its breaks are forced by the capacity.
    run = _trace("tic-13crafc", "--tables", "60", "--time-limit", "30")
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines()[-1].startswith("tic-13crafc: optimal, breaks 0,")


@pytest.mark.parametrize("tables", ["0", "-3", "many"])
def test_a_table_count_below_one_is_refused_by_name(tables: str) -> None:
    run = _trace("tic-12", "--tables", tables)
    assert run.returncode == 2
    assert f"argument --tables: must be an integer >= 1, got '{tables}'" in run.stderr


@pytest.mark.skipif(not JAIR.is_dir(), reason=f"benchmark instances not found at {JAIR}")
def test_the_relaxation_alone_shows_its_bound_beside_the_minima() -> None:
    run = _trace("forumt-14", "--relaxation", "--time-limit", "30")
    assert run.returncode == 0, run.stderr
    assert "relaxation bound 5" in run.stdout
    assert run.stdout.splitlines()[-1].startswith(
        "forumt-14: relaxation OPTIMAL, bound 5 (minima 5)"
    )


@pytest.mark.skipif(not JAIR.is_dir(), reason=f"benchmark instances not found at {JAIR}")
def test_a_profile_with_a_timetable_ends_the_run_with_a_checked_schedule() -> None:
    # forumt-14's minima are its optimum (5): no one needs a break above their minimum.
    run = _trace("forumt-14", "--profiles", "5", "--time-limit", "30")
    assert run.returncode == 0, run.stderr
    assert "profile {} (everyone at the minimum)" in run.stdout
    assert run.stdout.splitlines()[-1] == (
        "forumt-14: a timetable with 5 breaks, profile {} (everyone at the minimum), 0 violations"
    )


@pytest.mark.skipif(not JAIR.is_dir(), reason=f"benchmark instances not found at {JAIR}")
def test_a_budget_is_refuted_once_every_profile_is() -> None:
    # Without a table limit tic-13crafc needs no break; its 19 tables force 4.
    run = _trace("tic-13crafc", "--profiles", "0", "--time-limit", "30")
    assert run.returncode == 0, run.stderr
    assert "INFEASIBLE" in run.stdout
    assert run.stdout.splitlines()[-1] == "tic-13crafc: 0 breaks refuted: all 1 profile(s) refuted"


@pytest.mark.skipif(not JAIR.is_dir(), reason=f"benchmark instances not found at {JAIR}")
def test_a_budget_below_what_the_days_allow_is_refuted_without_the_tables() -> None:
    run = _trace("forumt-14", "--profiles", "4", "--time-limit", "30")
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines()[-1] == (
        "forumt-14: 4 breaks refuted without the tables: all 0 profile(s) refuted"
    )


@pytest.mark.parametrize("flag", ["--profiles", "--seed"])
def test_a_negative_budget_or_seed_is_refused_by_name(flag: str) -> None:
    run = _trace("tic-12", flag, "-1")
    assert run.returncode == 2
    assert f"argument {flag}: must be an integer >= 0, got '-1'" in run.stderr


@pytest.mark.skipif(not JAIR.is_dir(), reason=f"benchmark instances not found at {JAIR}")
def test_a_seeded_trace_solves_and_checks_as_the_default_one_does() -> None:
    run = _trace("tic-12", "--seed", "3", "--time-limit", "30")
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines()[-1].startswith("tic-12: optimal, breaks 0,")


@pytest.mark.skipif(not JAIR.is_dir(), reason=f"benchmark instances not found at {JAIR}")
def test_the_maxsat_encoding_alone_proves_the_optimum_and_its_timetable_passes() -> None:
    run = _trace("forumt-14crafd", "--maxsat", "--time-limit", "30")
    assert run.returncode == 0, run.stderr
    last = run.stdout.splitlines()[-1]
    assert last.startswith("forumt-14crafd: MaxSAT optimum 4 in"), last
    assert last.endswith("checker: 4 breaks, 0 violations")


@pytest.mark.skipif(not JAIR.is_dir(), reason=f"benchmark instances not found at {JAIR}")
def test_the_race_has_a_maxsat_side_unless_it_is_switched_off() -> None:
    # forumt-14crafe reaches the race: its relaxation proves 5 above the minima 4.
    runs = {
        flag: _trace("forumt-14crafe", "--time-limit", "30", *flag)
        for flag in [(), ("--no-maxsat",)]
    }
    for run in runs.values():
        assert run.returncode == 0, run.stderr
        # CP-SAT alone may need the whole 30 s on a slow machine: a checked timetable with at
        # least the optimum 5, and exactly 5 when the solver says it is optimal
        last = re.fullmatch(
            r"forumt-14crafe: (optimal|feasible), breaks (\d+), [\d.]+ s, 0 violations",
            run.stdout.splitlines()[-1],
        )
        assert last is not None, run.stdout
        assert int(last[2]) == 5 if last[1] == "optimal" else int(last[2]) >= 5
    assert "breaks: MaxSAT side starts" in runs[()].stdout
    assert "MaxSAT side" not in runs[("--no-maxsat",)].stdout
