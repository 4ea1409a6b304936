"""benchmarks/jair_trace.py: one JAIR instance solved with the solver's log on."""

from __future__ import annotations

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
