"""Importing participants and requests from CSV and .xlsx platform exports."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from matchsched import cli
from matchsched.adapters.json_io import read_event
from matchsched.adapters.spreadsheet import (
    ColumnMap,
    column_map_from_data,
    import_event,
    read_column_map,
    slug,
)
from matchsched.errors import EventError

SETTINGS: dict[str, Any] = {
    "format": "matchsched/event@1",
    "name": "Cluster Matchmaking",
    "timezone": "Europe/Rome",
    "sessions": [
        {"id": "d1-am", "start": "2015-06-10T09:00", "slot_minutes": 20, "slots": 6},
        {"id": "d1-pm", "start": "2015-06-10T14:00", "slot_minutes": 20, "slots": 6},
    ],
    "locations": [{"id": "hall", "tables": 4}],
}

PARTICIPANTS = """\
First Name,Last Name,Email,Organization,Country,Participation Type,Sessions attended
Alice,Rossi,Alice.Rossi@Acme.example,Acme S.p.A.,Italy,Company,all
Bob,Silva,bob@beta.example,Beta Ltda,Brazil,Company,d1-am; D1-PM
Carol,Diaz,carol@beta.example,Beta Ltda,Chile,Research,d1-pm
Dave,Ng,dave@gamma.example,,Peru,Investor,
"""

REQUESTS = """\
Requester Email,Requested Email,Rank,Mutual,Status
alice.rossi@acme.example,bob@beta.example,1,no,accepted
bob@beta.example,alice.rossi@acme.example,2,,pending
alice.rossi@acme.example,carol@beta.example,3,no,Accepted
carol@beta.example,dave@gamma.example,1,yes,
dave@gamma.example,bob@beta.example,2,no,declined
"""


def write(folder: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = folder / name
    path.write_text(text, encoding=encoding)
    return path


@pytest.fixture
def settings_file(tmp_path: Path) -> Path:
    return write(tmp_path, "settings.json", json.dumps(SETTINGS))


def test_csv_import_builds_participants_organizations_and_requests(
    tmp_path: Path, settings_file: Path
) -> None:
    participants = write(tmp_path, "participants.csv", PARTICIPANTS)
    requests = write(tmp_path, "requests.csv", REQUESTS)

    result = import_event([participants, requests, settings_file])
    event = result.event

    assert result.problems == []
    assert event.name == "Cluster Matchmaking" and event.timezone == "Europe/Rome"
    alice = event.participant("alice.rossi@acme.example")
    assert alice.name == "Alice Rossi" and alice.organization == "org-acme-s-p-a"
    assert alice.sessions is None  # "all"
    assert event.participant("bob@beta.example").sessions == ["d1-am", "d1-pm"]
    assert event.participant("carol@beta.example").sessions == ["d1-pm"]
    assert event.participant("dave@gamma.example").organization is None
    assert {(o.id, o.name) for o in event.organizations} == {
        ("org-acme-s-p-a", "Acme S.p.A."),
        ("org-beta-ltda", "Beta Ltda"),
    }
    # Largest rank 3: rank r -> priority 4 - r; mutual pairs get +1.
    by_id = {r.id: r for r in event.requests}
    assert set(by_id) == {
        "alice.rossi@acme.example~bob@beta.example",
        "alice.rossi@acme.example~carol@beta.example",
        "carol@beta.example~dave@gamma.example",
    }
    both_ways = by_id["alice.rossi@acme.example~bob@beta.example"]
    assert both_ways.participants == ["alice.rossi@acme.example", "bob@beta.example"]
    assert both_ways.priority == 3 + 1  # best of ranks 1 and 2, plus the mutual bonus
    assert by_id["alice.rossi@acme.example~carol@beta.example"].priority == 1
    assert by_id["carol@beta.example~dave@gamma.example"].priority == 3 + 1  # mutual column
    assert any("1 request row(s) skipped by status (declined: 1)" in n for n in result.notes)


def test_semicolon_csv_with_bom_and_other_header_spelling(
    tmp_path: Path, settings_file: Path
) -> None:
    participants = write(
        tmp_path,
        "people.csv",
        "\ufeffFIRST_NAME;last-name;E-Mail;Company;Phone\nAna;Lima;ana@x.example;X;123\n"
        "Ben;Ode;ben@y.example;Y;456\n",
    )
    requests = write(tmp_path, "asks.csv", "from;to;priority\nana@x.example;BEN@y.example;5\n")
    result = import_event([settings_file, participants, requests])
    assert [p.name for p in result.event.participants] == ["Ana Lima", "Ben Ode"]
    assert result.event.requests[0].priority == 5
    assert any("people.csv: columns not used: Phone" in note for note in result.notes)


def test_xlsx_workbook_with_one_table_per_sheet(tmp_path: Path, settings_file: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Participants"
    for line in PARTICIPANTS.splitlines():
        sheet.append(line.split(","))
    requests = workbook.create_sheet("Requests")
    requests.append(["Requester email", "Requested email", "Priority"])
    requests.append(["bob@beta.example", "carol@beta.example", 2])  # a number cell
    notes = workbook.create_sheet("Notes")
    notes.append(["Remember the coffee"])
    path = tmp_path / "export.xlsx"
    workbook.save(path)

    result = import_event([settings_file, path])

    assert len(result.event.participants) == 4
    (request,) = result.event.requests
    assert request.participants == ["bob@beta.example", "carol@beta.example"]
    assert request.priority == 2
    assert any("export.xlsx [Notes]: sheet not used" in note for note in result.notes)


def test_column_map_from_json_renames_headers(tmp_path: Path, settings_file: Path) -> None:
    participants = write(
        tmp_path, "p.csv", "Mail Address,Full Name\nx@a.example,X A\ny@b.example,Y\n"
    )
    requests = write(tmp_path, "r.csv", "Sender,Receiver,Weight\nx@a.example,y@b.example,2\n")
    mapping = write(
        tmp_path,
        "columns.json",
        json.dumps({"email": "mail address", "requester": ["Sender"], "requested": "Receiver"}),
    )
    columns = read_column_map(mapping)
    assert columns.email == ("mail address",)
    event = import_event([settings_file, participants, requests], columns=columns).event
    assert [p.name for p in event.participants] == ["X A", "Y"]
    assert event.requests[0].priority == 2  # "weight" is a default priority header


def test_column_map_rejects_unknown_keys_and_bad_values() -> None:
    with pytest.raises(EventError) as caught:
        column_map_from_data({"emial": "x", "mutual_bonus": -1, "ids": "uuid", "rank": 3})
    text = str(caught.value)
    assert "emial: unknown key" in text
    assert "mutual_bonus: must be an integer >= 0" in text
    assert "ids: must be 'email' or 'slug'" in text
    assert "rank: must be a string or a list of strings" in text


def test_slug_ids(tmp_path: Path, settings_file: Path) -> None:
    participants = write(
        tmp_path, "p.csv", "Name,Email\nJosé Núñez,a@x.example\nJosé Núñez,b@x.example\n"
    )
    result = import_event([settings_file, participants], columns=ColumnMap(ids="slug"))
    assert [p.id for p in result.event.participants] == ["jose-nunez", "jose-nunez-2"]
    assert slug("Veneto Innovazione S.p.A.") == "veneto-innovazione-s-p-a"


BAD_PARTICIPANTS = """\
First Name,Last Name,Email,Sessions attended
Alice,Rossi,alice@acme.example,all
Bob,Silva,not-an-email,all
Carol,Diaz,carol@beta.example,d3-am
Dave,Ng,,all
Erin,Fox,ALICE@acme.example,all
Fay,Ho,fay@delta.example,d1-am
"""

BAD_REQUESTS = """\
Requester Email,Requested Email,Priority,Mutual,Status
alice@acme.example,fay@delta.example,2,no,accepted
alice@acme.example,carol@beta.example,1,no,accepted
alice@acme.example,zed@nowhere.example,1,no,accepted
fay@delta.example,fay@delta.example,1,no,accepted
fay@delta.example,alice@acme.example,high,no,accepted
fay@delta.example,alice@acme.example,1,maybe,accepted
fay@delta.example,alice@acme.example,1,no,on hold
"""


def test_bad_rows_are_an_error_naming_file_row_and_reason(
    tmp_path: Path, settings_file: Path
) -> None:
    participants = write(tmp_path, "participants.csv", BAD_PARTICIPANTS)
    requests = write(tmp_path, "requests.csv", BAD_REQUESTS)
    with pytest.raises(EventError) as caught:
        import_event([settings_file, participants, requests])
    problems = caught.value.problems
    assert problems == [
        "participants.csv, row 3: not an email address: 'not-an-email'",
        "participants.csv, row 4: unknown session 'd3-am' in sessions attended "
        "(sessions: d1-am, d1-pm)",
        "participants.csv, row 5: the email cell is empty",
        "participants.csv, row 6: email 'alice@acme.example' is already on participants.csv, row 2",
        "requests.csv, row 3: requested 'carol@beta.example' is on a participants row that "
        "could not be read",
        "requests.csv, row 4: requested 'zed@nowhere.example' is not among the participants",
        "requests.csv, row 5: 'fay@delta.example' requests a meeting with themselves",
        "requests.csv, row 6: priority must be a whole number >= 1 (got 'high')",
        "requests.csv, row 7: mutual must be yes or no (got 'maybe')",
        "requests.csv, row 8: unknown status 'on hold' (kept: 'accepted', 'pending', "
        "'confirmed', 'approved', 'requested', 'open', 'new', or empty; skipped: 'declined', "
        "'rejected', 'cancelled', 'canceled', 'withdrawn', 'deleted', 'expired')",
    ]


def test_skip_bad_rows_loads_the_rest(tmp_path: Path, settings_file: Path) -> None:
    participants = write(tmp_path, "participants.csv", BAD_PARTICIPANTS)
    requests = write(tmp_path, "requests.csv", BAD_REQUESTS)
    result = import_event([settings_file, participants, requests], skip_bad_rows=True)
    assert [p.id for p in result.event.participants] == ["alice@acme.example", "fay@delta.example"]
    assert [r.participants for r in result.event.requests] == [
        ["alice@acme.example", "fay@delta.example"]
    ]
    assert len(result.problems) == 10
    assert result.problems[0].source == "participants.csv" and result.problems[0].row == 3


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ([], "give exactly one event settings file"),
        (["settings.json", "settings.json"], "give exactly one event settings file"),
        (["settings.json", "odd.csv"], "cannot tell participants from requests"),
        (["settings.json", "old.xls"], "the old .xls format is not supported"),
        (["settings.json", "latin1.csv"], "not UTF-8 text"),
        (["settings.json", "requests.csv"], "no participants table"),
    ],
)
def test_unusable_files(
    tmp_path: Path, settings_file: Path, files: list[str], message: str
) -> None:
    write(tmp_path, "odd.csv", "Phone,Website\n1,x\n")
    write(tmp_path, "old.xls", "")
    write(tmp_path, "latin1.csv", "Name,Email\nJosé,j@x.example\n", encoding="latin-1")
    write(tmp_path, "requests.csv", REQUESTS)
    with pytest.raises(EventError, match=message):
        import_event([tmp_path / name for name in files])


def test_settings_file_errors_name_the_field(tmp_path: Path) -> None:
    bad = write(tmp_path, "settings.json", json.dumps({**SETTINGS, "timezone": "Mars/Base"}))
    people = write(tmp_path, "p.csv", "Email\na@x.example\n")
    with pytest.raises(EventError, match=r"timezone: .*Mars/Base"):
        import_event([bad, people])


def run_cli(monkeypatch: pytest.MonkeyPatch, *argv: str) -> int:
    monkeypatch.setattr(cli, "COMMAND_MODULES", ["matchsched.cli.import_cmd"])
    return cli.main(list(argv))


def test_cli_import_writes_the_event(
    tmp_path: Path,
    settings_file: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    participants = write(tmp_path, "participants.csv", PARTICIPANTS)
    requests = write(tmp_path, "requests.csv", REQUESTS)
    output = tmp_path / "event.json"
    code = run_cli(
        monkeypatch, "import", str(settings_file), str(participants), str(requests),
        "-o", str(output),
    )  # fmt: skip
    assert code == 0
    event = read_event(output)
    assert len(event.participants) == 4 and len(event.requests) == 3
    assert "imported 4 participants, 2 organizations, 3 requests" in capsys.readouterr().err


def test_cli_import_bad_rows_exit_2_and_write_nothing(
    tmp_path: Path,
    settings_file: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    participants = write(tmp_path, "participants.csv", BAD_PARTICIPANTS)
    output = tmp_path / "event.json"
    code = run_cli(monkeypatch, "import", str(settings_file), str(participants), "-o", str(output))
    assert code == 2
    assert not output.exists()
    assert "participants.csv, row 3: not an email address" in capsys.readouterr().err

    code = run_cli(
        monkeypatch, "import", str(settings_file), str(participants), "--skip-bad-rows",
        "-o", str(output),
    )  # fmt: skip
    assert code == 0 and output.exists()
    err = capsys.readouterr().err
    assert "warning: skipped participants.csv, row 4: unknown session 'd3-am'" in err
    assert "(4 bad row(s) skipped)" in err
