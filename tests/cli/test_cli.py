"""The ``matchsched`` command: exit codes, atomic output, bad input, Ctrl-C."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from matchsched import check, read_event, read_schedule
from matchsched.cli import main

TINY: dict[str, Any] = {
    "format": "matchsched/event@1",
    "name": "CLI test",
    "timezone": "Europe/Madrid",
    "sessions": [{"id": "am", "start": "2025-05-06T09:00", "slot_minutes": 30, "slots": 3}],
    "locations": [{"id": "hall", "tables": 2}],
    "participants": [{"id": f"p{i}"} for i in range(4)],
    "requests": [
        {"id": "r1", "participants": ["p0", "p1"], "priority": 2},
        {"id": "r2", "participants": ["p0", "p2"]},
        {"id": "r3", "participants": ["p2", "p3"]},
    ],
}


def write(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_solve_writes_a_valid_schedule(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    event_file = write(tmp_path / "event.json", TINY)
    out = tmp_path / "schedule.json"
    assert main(["solve", str(event_file), "-o", str(out), "--time-limit", "10", "--quiet"]) == 0
    schedule = read_schedule(out)
    assert schedule.status.value == "optimal"
    assert check(read_event(event_file), schedule) == []
    assert main(["check", str(event_file), str(out)]) == 0
    assert "valid: 3 meetings" in capsys.readouterr().out


TRIANGLE_DZN = """\
nBusiness = 3;
nMeetings = 3;
nTables = 2;
nTotalSlots = 3;
nMorningSlots = 3;
requested = [|1, 2, 3, |1, 3, 3, |2, 3, 3, |];
meetingsxBusiness = [{1,2,3}, {1,2,4}, {1,3,4}];
nMeetingsBusiness = [2, 2, 2];
forbidden = [{0}, {0}, {0}];
fixed = [0, 0, 0];
precedences = [{}, {}, {}];
"""


def test_every_command_that_reads_an_event_reads_a_dzn_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    event = tmp_path / "triangle.dzn"
    event.write_text(TRIANGLE_DZN, encoding="utf-8")
    schedule = tmp_path / "schedule.json"
    assert main(["solve", str(event), "-o", str(schedule), "--quiet"]) == 0
    assert main(["check", str(event), str(schedule)]) == 0
    assert main(["export", str(event), str(schedule), "--to", "csv", "-o", "-"]) == 0
    assert main(["report", str(event), str(schedule), "-o", str(tmp_path / "r.html")]) == 0
    assert main(["diff", str(schedule), str(schedule), "--event", str(event)]) == 0
    pytest.importorskip("matplotlib")
    assert main(["plot", str(event), str(schedule), "-o", str(tmp_path / "plots")]) == 0
    assert (tmp_path / "plots" / "breaks.png").exists()


def test_solve_without_output_prints_the_schedule(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    event_file = write(tmp_path / "event.json", TINY)
    assert main(["solve", str(event_file), "--quiet", "--time-limit", "10"]) == 0
    assert json.loads(capsys.readouterr().out)["format"] == "matchsched/schedule@1"


def test_progress_as_json_lines(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    event_file = write(tmp_path / "event.json", TINY)
    out = tmp_path / "s.json"
    assert main(["solve", str(event_file), "-o", str(out), "--log-json"]) == 0
    lines = [line for line in capsys.readouterr().err.splitlines() if line.startswith("{")]
    assert lines and {"elapsed_s", "stage", "value"} <= json.loads(lines[0]).keys()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"requests": [{"id": "r1", "participants": ["p0", "p9"]}]},
            "requests[0].participants[1]: unknown id 'p9'",
        ),
        (
            {"requests": [{"id": "r1", "participants": ["p0", "p0"]}]},
            "requests[0].participants: 'p0' is listed more than once",
        ),
        (
            {
                "sessions": [
                    {"id": "am", "start": "2025-05-06T09:00", "slot_minutes": 0, "slots": 3}
                ]
            },
            "sessions[0].slot_minutes",
        ),
        ({"colour": "blue"}, "colour: unknown field"),
        ({"timezone": "Mars/Olympus"}, "timezone: unknown IANA time zone 'Mars/Olympus'"),
        ({"participants": [{"id": "p0"}, {"id": "p0"}]}, "participants[1].id: duplicate id 'p0'"),
    ],
)
def test_bad_event_exits_2_naming_the_field_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], change: dict[str, Any], message: str
) -> None:
    event_file = write(tmp_path / "event.json", {**TINY, **change})
    out = tmp_path / "schedule.json"
    assert main(["solve", str(event_file), "-o", str(out)]) == 2
    assert message in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == [event_file]


def test_unreadable_and_invalid_json_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["solve", str(tmp_path / "missing.json")]) == 2
    broken = tmp_path / "broken.json"
    broken.write_text('{"sessions": [', encoding="utf-8")
    assert main(["solve", str(broken)]) == 2
    assert "invalid JSON" in capsys.readouterr().err


def test_bad_options_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    event_file = write(tmp_path / "event.json", TINY)
    assert main(["solve", str(event_file), "--goals", "scheduled,happiness"]) == 2
    assert "--goals" in capsys.readouterr().err
    options = write(tmp_path / "options.json", {"time_limit": -1})
    assert main(["solve", str(event_file), "--options", str(options)]) == 2
    assert "time_limit" in capsys.readouterr().err


def test_infeasible_exits_1_with_the_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = {
        **TINY,
        "sessions": [{"id": "am", "start": "2025-05-06T09:00", "slot_minutes": 30, "slots": 1}],
        "requests": [
            {"id": "r1", "participants": ["p0", "p1"], "required": True},
            {"id": "r2", "participants": ["p0", "p2"], "required": True},
        ],
    }
    event_file = write(tmp_path / "event.json", data)
    out = tmp_path / "schedule.json"
    assert main(["solve", str(event_file), "-o", str(out), "--quiet"]) == 1
    schedule = read_schedule(out)
    assert schedule.status.value == "infeasible"
    assert {u.reason.value for u in schedule.unscheduled} == {"infeasible"}
    assert sorted(schedule.conflict) == ["r1", "r2"]

    assert main(["solve", str(event_file), "-o", str(out), "--quiet", "--no-explain"]) == 1
    unexplained = read_schedule(out)
    assert unexplained.status.value == "infeasible" and unexplained.conflict == []


def test_check_lists_violations_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    event_file = write(tmp_path / "event.json", TINY)
    out = tmp_path / "schedule.json"
    assert main(["solve", str(event_file), "-o", str(out), "--quiet"]) == 0
    data = json.loads(out.read_text())
    first, second = data["meetings"][0], data["meetings"][1]
    second.update({k: first[k] for k in ("session", "slot", "start", "end", "location", "table")})
    write(out, data)
    assert main(["check", str(event_file), str(out)]) == 1
    assert "table_double_booked" in capsys.readouterr().out


def test_schema_prints_the_json_schema(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert {"sessions", "participants", "requests"} <= schema["properties"].keys()
    assert main(["schema", "--kind", "schedule"]) == 0
    assert "meetings" in json.loads(capsys.readouterr().out)["properties"]


def _busy_event(path: Path) -> Path:
    """An event big enough that a search is still running after a few seconds."""
    people = [{"id": f"p{i}"} for i in range(120)]
    requests = [
        {
            "id": f"r{k}",
            "participants": [f"p{k % 120}", f"p{(k * 7 + 13) % 120}"],
            "priority": 1 + k % 3,
        }
        for k in range(900)
        if k % 120 != (k * 7 + 13) % 120
    ]
    data = {
        **TINY,
        "sessions": [
            {"id": "am", "start": "2025-05-06T09:00", "slot_minutes": 20, "slots": 9},
            {"id": "pm", "start": "2025-05-06T14:00", "slot_minutes": 20, "slots": 9},
        ],
        "locations": [{"id": "hall", "tables": 40}],
        "participants": people,
        "requests": requests,
    }
    return write(path, data)


@pytest.mark.skipif(os.name != "posix", reason="sends SIGINT")
def test_ctrl_c_stops_the_search_and_still_writes_the_best_schedule(tmp_path: Path) -> None:
    event_file = _busy_event(tmp_path / "event.json")
    out = tmp_path / "schedule.json"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "matchsched",
            "solve",
            str(event_file),
            "-o",
            str(out),
            "--time-limit",
            "120",
            "--log-json",
        ],
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None
    started = time.monotonic()
    for line in process.stderr:  # wait for the first improvement, then interrupt
        if line.startswith("{"):
            break
    process.send_signal(signal.SIGINT)
    process.communicate(timeout=60)
    assert time.monotonic() - started < 100
    assert process.returncode == 0
    schedule = read_schedule(out)
    assert schedule.status.value in ("feasible", "optimal")
    assert check(read_event(event_file), schedule) == []
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.parametrize("module", ["matchsched", "matchsched.cli"])
def test_the_command_flushes_its_output_before_its_quick_exit(tmp_path: Path, module: str) -> None:
    """The command ends with ``os._exit``: what it printed and wrote must be complete."""
    event_file = write(tmp_path / "event.json", TINY)
    out = tmp_path / "schedule.json"
    command = [sys.executable, "-m", module]
    buffered = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    solved = subprocess.run(
        [*command, "solve", str(event_file), "-o", str(out), "--time-limit", "10"],
        capture_output=True,
        text=True,
        timeout=120,
        env=buffered,
    )
    assert solved.returncode == 0, solved.stderr
    assert "breaks:" in solved.stderr  # the summary
    assert check(read_event(event_file), read_schedule(out)) == []
    schema = subprocess.run(
        [*command, "schema"], capture_output=True, text=True, timeout=120, env=buffered
    )
    assert schema.returncode == 0
    assert json.loads(schema.stdout)["title"] == "Event"
    assert schema.stdout.endswith("}\n")  # print's last newline waits in the buffer


def test_the_command_exits_with_the_code_of_bad_input(tmp_path: Path) -> None:
    bad = {**TINY, "locations": [{"id": "hall", "tables": -1}]}
    event_file = write(tmp_path / "event.json", bad)
    out = tmp_path / "schedule.json"
    failed = subprocess.run(
        [sys.executable, "-m", "matchsched", "solve", str(event_file), "-o", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert failed.returncode == 2
    assert "tables" in failed.stderr and "-1" in failed.stderr
    assert not out.exists()
