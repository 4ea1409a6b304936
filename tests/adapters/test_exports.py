"""The timetable as a CSV meeting list and as an .xlsx workbook, and the export command."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from matchsched import cli
from matchsched.adapters.json_io import write_event, write_schedule
from matchsched.adapters.tabular import CSV_COLUMNS, schedule_to_csv, write_csv, write_xlsx
from matchsched.model import Event
from matchsched.schedule import Schedule


def test_csv_lists_meetings_in_time_order(
    organiser_event: Event, organiser_schedule: Schedule
) -> None:
    rows = list(csv.DictReader(io.StringIO(schedule_to_csv(organiser_event, organiser_schedule))))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert [r["request"] for r in rows] == ["r1", "r2", "r3"]
    first = rows[0]
    assert first["start"] == "2015-06-10T09:00:00+02:00"
    assert first["end"] == "2015-06-10T09:20:00+02:00"
    assert (first["location"], first["table"]) == ("booth-12", "1")
    assert first["names"] == "Alice Rossi; Bob Silva"
    assert first["organizations"] == "Acme & Sons; Beta Srl"
    assert rows[2]["organizations"] == "Beta Srl; "  # Dave has no organization
    assert rows[2]["length"] == "2"


def test_csv_file_starts_with_a_bom_for_excel(
    tmp_path: Path, organiser_event: Event, organiser_schedule: Schedule
) -> None:
    path = tmp_path / "meetings.csv"
    write_csv(organiser_event, organiser_schedule, path)
    assert path.read_bytes().startswith(b"\xef\xbb\xbfsession,slot")


def test_xlsx_has_a_meeting_list_and_a_grid_per_session(
    tmp_path: Path, organiser_event: Event, organiser_schedule: Schedule
) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    path = tmp_path / "timetable.xlsx"
    write_xlsx(organiser_event, organiser_schedule, path)
    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames == ["Meetings", "d1-am", "d1-pm"]

    meetings = list(workbook["Meetings"].iter_rows(values_only=True))
    assert meetings[0][:7] == ("Date", "Start", "End", "Session", "Location", "Table", "Attendees")
    assert meetings[1][:7] == (
        "2015-06-10", "09:00", "09:20", "d1-am", "booth-12", 1, "Alice Rossi; Bob Silva",
    )  # fmt: skip

    morning = list(workbook["d1-am"].iter_rows(values_only=True))
    assert morning[0] == ("d1-am (2015-06-10)", "09:00", "09:20", "09:40")
    assert [row[0] for row in morning[1:]] == [
        "hall, table 1",
        "hall, table 2",
        "booth-12, table 1",
    ]
    assert morning[3][1] == "Alice Rossi (Acme & Sons)\nBob Silva (Beta Srl)"
    assert morning[2][3] == "Alice Rossi (Acme & Sons)\nCarol <script>alert(1)</script> (Beta Srl)"

    afternoon = workbook["d1-pm"]
    # The booth is closed in the afternoon; the two-slot meeting is one merged cell.
    assert [row[0] for row in afternoon.iter_rows(values_only=True)][1:] == [
        "hall, table 1",
        "hall, table 2",
    ]
    assert "C2:D2" in {str(r) for r in afternoon.merged_cells.ranges}
    assert afternoon["C2"].value == "Bob Silva (Beta Srl)\nDave Ng"


@pytest.fixture
def files(tmp_path: Path, organiser_event: Event, organiser_schedule: Schedule) -> Path:
    write_event(organiser_event, tmp_path / "event.json")
    write_schedule(organiser_schedule, tmp_path / "schedule.json")
    return tmp_path


def run_cli(monkeypatch: pytest.MonkeyPatch, *argv: str) -> int:
    monkeypatch.setattr(cli, "COMMAND_MODULES", ["matchsched.cli.export"])
    return cli.main(list(argv))


def test_cli_export_csv_to_stdout_and_xlsx_to_file(
    files: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    event, schedule = str(files / "event.json"), str(files / "schedule.json")
    assert run_cli(monkeypatch, "export", event, schedule, "--to", "csv", "-o", "-") == 0
    assert capsys.readouterr().out.startswith("session,slot,length,start")
    target = files / "out" / "timetable.xlsx"
    assert run_cli(monkeypatch, "export", event, schedule, "--to", "xlsx", "-o", str(target)) == 0
    assert target.read_bytes().startswith(b"PK")


def test_cli_export_rejects_a_schedule_of_another_event(
    files: Path,
    organiser_event: Event,
    organiser_schedule: Schedule,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    other = organiser_schedule.model_copy(update={"event": "Another event"})
    write_schedule(other, files / "other.json")
    target = files / "meetings.csv"
    code = run_cli(
        monkeypatch, "export", str(files / "event.json"), str(files / "other.json"),
        "--to", "csv", "-o", str(target),
    )  # fmt: skip
    assert code == 2
    assert not target.exists()
    assert "the schedule is for 'Another event'" in capsys.readouterr().err


def test_cli_export_ics_needs_a_folder(
    files: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code = run_cli(
        monkeypatch, "export", str(files / "event.json"), str(files / "schedule.json"),
        "--to", "ics", "-o", "-",
    )  # fmt: skip
    assert code == 2
    assert "-o needs a folder" in capsys.readouterr().err
