"""Spreadsheets in -> solve -> workbook, calendars and report out, as an organiser runs it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from matchsched import cli
from matchsched.adapters.json_io import read_event, read_schedule

openpyxl = pytest.importorskip("openpyxl")
icalendar = pytest.importorskip("icalendar")

SETTINGS = {
    "format": "matchsched/event@1",
    "name": "Round trip fair",
    "timezone": "America/Santiago",
    "sessions": [{"id": "am", "start": "2015-06-10T09:00", "slot_minutes": 30, "slots": 4}],
    "locations": [{"id": "hall", "tables": 2}],
}
PARTICIPANTS = """\
First Name,Last Name,Email,Organization,Sessions attended
Ana,Lima,ana@a.example,Alfa,all
Ben,Ode,ben@b.example,Beta,all
Cy,Park,cy@c.example,Gamma,am
Di,Ruiz,di@d.example,Delta,
"""
REQUESTS = """\
Requester Email,Requested Email,Rank,Mutual,Status
ana@a.example,ben@b.example,1,,accepted
ben@b.example,ana@a.example,1,,accepted
ana@a.example,cy@c.example,2,no,pending
di@d.example,cy@c.example,1,no,
di@d.example,ben@b.example,2,no,declined
"""


def test_spreadsheets_to_timetable_calendars_and_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        cli,
        "COMMAND_MODULES",
        [
            "matchsched.cli.import_cmd",
            "matchsched.cli.solve",
            "matchsched.cli.export",
            "matchsched.cli.report",
        ],
    )
    (tmp_path / "settings.json").write_text(json.dumps(SETTINGS))
    (tmp_path / "participants.csv").write_text(PARTICIPANTS)
    (tmp_path / "requests.csv").write_text(REQUESTS)
    event_file, schedule_file = str(tmp_path / "event.json"), str(tmp_path / "schedule.json")
    inputs = [
        str(tmp_path / name) for name in ("settings.json", "participants.csv", "requests.csv")
    ]

    assert cli.main(["import", *inputs, "-o", event_file]) == 0
    assert len(read_event(event_file).requests) == 3
    assert (
        cli.main(["solve", event_file, "--quiet", "--time-limit", "10", "-o", schedule_file]) == 0
    )
    schedule = read_schedule(schedule_file)
    assert schedule.status == "optimal" and len(schedule.meetings) == 3
    assert cli.main(["export", event_file, schedule_file, "--to", "xlsx", "-o",
                     str(tmp_path / "timetable.xlsx")]) == 0  # fmt: skip
    assert cli.main(["export", event_file, schedule_file, "--to", "ics", "-o",
                     str(tmp_path / "calendars")]) == 0  # fmt: skip
    assert cli.main(["report", event_file, schedule_file, "-o", str(tmp_path / "report.html")]) == 0

    workbook = openpyxl.load_workbook(tmp_path / "timetable.xlsx")
    assert workbook.sheetnames == ["Meetings", "am"]
    grid = list(workbook["am"].iter_rows(values_only=True))
    assert grid[0] == ("am (2015-06-10)", "09:00", "09:30", "10:00", "10:30")
    assert [row[0] for row in grid[1:]] == ["hall, table 1", "hall, table 2"]
    cells = [cell for row in grid[1:] for cell in row[1:] if cell]
    assert len(cells) == 3 and any("Ana Lima (Alfa)" in c and "Ben Ode (Beta)" in c for c in cells)

    calendars = sorted(p.name for p in (tmp_path / "calendars").iterdir())
    assert calendars == ["ana@a.example.ics", "ben@b.example.ics", "cy@c.example.ics",
                         "di@d.example.ics"]  # fmt: skip
    ana = icalendar.Calendar.from_ical((tmp_path / "calendars" / "ana@a.example.ics").read_bytes())
    summaries = sorted(str(e["summary"]) for e in ana.walk("VEVENT"))
    assert summaries == ["Meeting with Ben Ode (Beta)", "Meeting with Cy Park (Gamma)"]
    for entry in ana.walk("VEVENT"):
        assert entry["dtstart"].params["TZID"] == "America/Santiago"

    page = (tmp_path / "report.html").read_text()
    assert page.count('<article class="agenda"') == 4 and "Di Ruiz" in page
