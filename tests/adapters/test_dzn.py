"""The JAIR 2022 B2B reader: every benchmark file against its published statistics, the
mapping of FORMAT.md section 5 on a hand-made file, and bad input."""

from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from matchsched.adapters.dzn import event_from_dzn_text, parse_dzn, read_dzn
from matchsched.errors import EventError
from matchsched.model import Event
from matchsched.options import Goal

INSTANCES = Path(__file__).resolve().parents[2] / ".." / "shared" / "instances"
JAIR = INSTANCES / "jair2022"
STATS = JAIR / "instance_stats.csv"
CATALAN = INSTANCES / "cp2014_legacy" / "forum2014_subsets_catalan"
TABLE_PHASE = INSTANCES / "cp2014_legacy" / "location_phase_taules"
MISSING = f"benchmark instances not found at {JAIR.resolve()} (shared/ beside the repo)"


def _stats_rows() -> list[Any]:
    if not STATS.is_file():
        return [pytest.param(None, marks=pytest.mark.skip(reason=MISSING))]
    with STATS.open(encoding="utf-8", newline="") as stream:
        return [pytest.param(row, id=row["file"]) for row in csv.DictReader(stream)]


def _global_slot(event: Event, session: str, slot: int) -> int:
    """1-based slot of the whole day, as in the .dzn files."""
    offset = 0
    for candidate in event.sessions:
        if candidate.id == session:
            return offset + slot + 1
        offset += candidate.slots
    raise KeyError(session)


def _statistics(event: Event) -> dict[str, str]:
    """The columns of instance_stats.csv, computed from the event and formatted as there."""
    degree = Counter(party for request in event.requests for party in request.participants)
    slots = sum(session.slots for session in event.sessions)
    tables = event.locations[0].tables
    forbidden = sum(len(participant.unavailable) for participant in event.participants)
    session_choice = Counter(
        "any" if request.sessions is None else request.sessions[0] for request in event.requests
    )
    values: dict[str, Any] = {
        "participants": len(event.participants),
        "active_participants": len(degree),
        "meetings": len(event.requests),
        "slots": slots,
        "tables": tables,
        "morning_slots": sum(s.slots for s in event.sessions if s.id == "am"),
        "req_morning": session_choice["am"],
        "req_afternoon": session_choice["pm"],
        "req_any": session_choice["any"],
        "max_meetings_per_participant": max(degree.values()),
        "forbidden_pct_of_PxT": f"{100 * forbidden / (len(event.participants) * slots):.1f}",
        "fixed_meetings": sum(request.pinned is not None for request in event.requests),
        "precedence_pairs": sum(len(request.after) for request in event.requests),
        "table_load_pct": f"{100 * len(event.requests) / (tables * slots):.1f}",
    }
    return {key: str(value) for key, value in values.items()}


@pytest.mark.parametrize("row", _stats_rows())
def test_jair_file_matches_published_statistics(row: dict[str, str]) -> None:
    event, options = read_dzn(JAIR / row["file"])

    expected = {key: row[key] for key in _statistics(event)}
    assert _statistics(event) == expected
    # Ids fixed by FORMAT.md section 5.
    assert event.name == Path(row["file"]).stem
    businesses, meetings = int(row["participants"]), int(row["meetings"])
    assert [p.id for p in event.participants] == [str(k) for k in range(1, businesses + 1)]
    assert [r.id for r in event.requests] == [str(i) for i in range(1, meetings + 1)]
    assert [s.id for s in event.sessions] == (
        ["am"] if row["morning_slots"] == row["slots"] else ["am", "pm"]
    )
    assert [(location.id, location.seats) for location in event.locations] == [("tables", None)]
    assert {s.start.date() for s in event.sessions} == {event.sessions[0].start.date()}
    for request in event.requests:
        assert len(request.participants) == 2
        assert request.required and request.priority == 1 and request.length == 1
    # The paper's problem, fairness d = 2.
    assert options.goals == [Goal.BREAKS]
    assert options.max_break_spread == 2
    idle = row["active_participants"] != row["participants"]
    assert options.max_breaks == (2 if idle else None)


def test_every_jair_file_is_listed_in_the_statistics() -> None:
    if not STATS.is_file():
        pytest.skip(MISSING)
    with STATS.open(encoding="utf-8", newline="") as stream:
        listed = {row["file"] for row in csv.DictReader(stream)}
    on_disk = {path.relative_to(JAIR).as_posix() for path in JAIR.glob("*/*.dzn")}
    assert on_disk == listed
    assert len(listed) == 140


def test_tic12_matches_the_readme_excerpt() -> None:
    """README: business 1 of tic-12 has meetings {1,2,3,4,5,12,47,66}; 42 businesses, 2 idle."""
    path = JAIR / "original" / "tic-12.original.dzn"
    if not path.is_file():
        pytest.skip(MISSING)
    event, options = read_dzn(path)
    own = {r.id for r in event.requests if "1" in r.participants}
    assert own == {"1", "2", "3", "4", "5", "12", "47", "66"}
    assert event.request("1").participants == ["1", "8"]
    assert [(s.id, s.slots) for s in event.sessions] == [("am", 8)]
    assert options.max_breaks == 2


def test_fairness_is_passed_through() -> None:
    path = JAIR / "original" / "forum-13.original.dzn"
    if not path.is_file():
        pytest.skip(MISSING)
    _, options = read_dzn(path, fairness=0)
    assert (options.max_break_spread, options.max_breaks) == (0, None)
    with pytest.raises(ValueError, match="fairness"):
        read_dzn(path, fairness=-1)


# --------------------------------------------------------------------------- the mapping

TINY = """\
% A hand-made B2B instance: 4 businesses, business 4 has no meetings.
nBusiness = 4;
nMeetings = 4;
nTables = 2;
nTotalSlots = 5;   /* slots 1..3 morning, 4..5 afternoon */
nMorningSlots = 3;

requested = [|1, 2, 1,
|1, 3, 2,
|2, 3, 3,
|3, 1, 3,
|];

meetingsxBusiness = [{1,2,3,5}, {1,2,4}, {1,3,4,5}, {1}];
nMeetingsBusiness = [3, 2, 3, 0, ];
forbidden = [{0}, {0,1,5}, {}, {4,}];
fixed = [0, 0, 4, 0];
precedences = [{}, {1}, {}, {1, 2}];
"""


def _tiny(**replace: str) -> str:
    """TINY with whole assignments replaced: ``field="new right-hand side"``."""
    text = TINY
    for name, value in replace.items():
        text, count = re.subn(rf"^{name} = [^;]*;", f"{name} = {value};", text, flags=re.M)
        assert count == 1, name
    return text


def test_mapping_of_a_small_file() -> None:
    event, options = event_from_dzn_text(TINY, name="tiny")

    assert event.name == "tiny"
    assert [(s.id, s.slots) for s in event.sessions] == [("am", 3), ("pm", 2)]
    morning, afternoon = event.sessions
    assert morning.end <= afternoon.start
    assert morning.start.date() == afternoon.start.date()
    assert [(loc.id, loc.tables) for loc in event.locations] == [("tables", 2)]
    assert [p.id for p in event.participants] == ["1", "2", "3", "4"]

    requests = {r.id: r for r in event.requests}
    assert [r.participants for r in event.requests] == [
        ["1", "2"],
        ["1", "3"],
        ["2", "3"],
        ["3", "1"],
    ]
    assert [r.sessions for r in event.requests] == [["am"], ["pm"], None, None]
    assert all(r.required and r.priority == 1 for r in event.requests)
    assert requests["3"].pinned is not None
    assert (requests["3"].pinned.session, requests["3"].pinned.slot) == ("pm", 0)
    assert [r.pinned for r in event.requests if r.id != "3"] == [None, None, None]
    assert [r.after for r in event.requests] == [[], ["1"], [], ["1", "2"]]

    unavailable = {p.id: [(s.session, s.slot) for s in p.unavailable] for p in event.participants}
    assert unavailable == {"1": [], "2": [("am", 0), ("pm", 1)], "3": [], "4": [("pm", 0)]}
    assert _global_slot(event, "pm", 1) == 5

    assert options.goals == [Goal.BREAKS]
    assert (options.max_break_spread, options.max_breaks) == (2, 2)


def test_no_idle_business_means_no_max_breaks() -> None:
    text = _tiny(
        nBusiness="3",
        meetingsxBusiness="[{1,2,3,5}, {1,2,4}, {1,3,4,5}]",
        nMeetingsBusiness="[3, 2, 3]",
        forbidden="[{0}, {0,1,5}, {}]",
    )
    _, options = event_from_dzn_text(text, name="tiny", fairness=1)
    assert (options.max_break_spread, options.max_breaks) == (1, None)


def test_morning_only_file_has_one_session() -> None:
    text = _tiny(nMorningSlots="5", requested="[| 1, 2, 1 | 1, 3, 3 | 2, 3, 3 | 3, 1, 1 |]")
    event, _ = event_from_dzn_text(text, name="tiny")
    assert [(s.id, s.slots) for s in event.sessions] == [("am", 5)]
    assert event.request("3").pinned is not None
    assert (event.request("3").pinned.session, event.request("3").pinned.slot) == ("am", 3)
    assert [(s.session, s.slot) for s in event.participant("2").unavailable] == [
        ("am", 0),
        ("am", 4),
    ]


def test_optional_fields_may_be_left_out() -> None:
    text = "\n".join(
        line
        for line in TINY.splitlines()
        if not line.startswith(
            ("meetingsxBusiness", "nMeetingsBusiness", "forbidden", "fixed", "precedences")
        )
    )
    event, _ = event_from_dzn_text(text, name="bare")
    assert all(not p.unavailable for p in event.participants)
    assert all(r.pinned is None and not r.after for r in event.requests)


def test_parser_subset() -> None:
    values = parse_dzn(
        "a = 3; % comment\n b = {}; c = 2..4; d = [{0,}, {1, 3..4}]; e = [| 1, 2 | 3, 4 |];"
        " f = [||]; g = [-1, 2,];"
    )
    assert values == {
        "a": 3,
        "b": frozenset(),
        "c": frozenset({2, 3, 4}),
        "d": [frozenset({0}), frozenset({1, 3, 4})],
        "e": [[1, 2], [3, 4]],
        "f": [],
        "g": [-1, 2],
    }


# --------------------------------------------------------------------------- legacy files


def test_catalan_files_read_with_the_same_mapping() -> None:
    path = CATALAN / "dadesF2014-105r-10t-50e.dzn"
    if not path.is_file():
        pytest.skip(f"legacy instances not found at {CATALAN.resolve()}")
    event, options = read_dzn(path)
    assert event.name == "dadesF2014-105r-10t-50e"
    assert (len(event.participants), len(event.requests)) == (50, 105)
    assert [(s.id, s.slots) for s in event.sessions] == [("am", 12), ("pm", 10)]
    assert event.locations[0].tables == 10
    # prohibides[4] = {18,19,20,15,16,17}: the whole afternoon from slot 15 on.
    assert [(s.session, s.slot) for s in event.participant("4").unavailable] == [
        ("pm", slot) for slot in range(2, 8)
    ]
    assert options.max_breaks == 2  # empresesZero = 7
    for other in sorted(CATALAN.glob("*.dzn")):
        read_dzn(other)


def test_table_assignment_files_are_rejected() -> None:
    paths = sorted(TABLE_PHASE.glob("*.dzn"))
    if not paths:
        pytest.skip(f"legacy instances not found at {TABLE_PHASE.resolve()}")
    for path in paths:
        with pytest.raises(EventError, match="table-assignment") as caught:
            read_dzn(path)
        assert caught.value.source == str(path)


# --------------------------------------------------------------------------- bad input


def _problems(text: str) -> str:
    with pytest.raises(EventError) as caught:
        event_from_dzn_text(text, name="bad")
    return "\n".join(caught.value.problems)


def test_truncated_file() -> None:
    path = JAIR / "original" / "forum-14.original.dzn"
    text = path.read_text(encoding="utf-8") if path.is_file() else TINY
    cut = text.index("requested") + 16  # inside the requested matrix
    problems = _problems(text[:cut])
    assert "cannot parse: requested" in problems
    assert "end of file" in problems


def test_file_cut_after_a_statement_lacks_fields() -> None:
    problems = _problems(TINY[: TINY.index("requested")])
    assert "requested or demanades: missing" in problems


def test_wrong_degree() -> None:
    problems = _problems(_tiny(nMeetingsBusiness="[3, 2, 2, 0]"))
    assert "nMeetingsBusiness[3]: 2, but business 3 is in 3 rows of requested" in problems


def test_meetings_per_business_must_be_shifted() -> None:
    problems = _problems(_tiny(meetingsxBusiness="[{1,2,4}, {1,2,4}, {1,3,4,5}, {1}]"))
    assert "meetingsxBusiness[1]: {1,2,4}" in problems
    assert "expected {1,2,3,5} after the +1 shift" in problems


def test_afternoon_request_without_afternoon() -> None:
    problems = _problems(_tiny(nMorningSlots="5"))
    assert "requested[2]: session value 2 (afternoon) but there is no afternoon" in problems


@pytest.mark.parametrize(
    ("replace", "message"),
    [
        ({"requested": "[| 1, 2, 1 | 1, 3, 2 | 2, 3, 3 |]"}, "requested: has 3 rows, expected 4"),
        ({"requested": "[| 1, 2, 1 | 1, 3, 2 | 2, 3, 3 | 3, 9, 3 |]"}, "requested[4]: business 9"),
        (
            {"requested": "[| 1, 2, 1 | 1, 3, 2 | 2, 2, 3 | 3, 1, 3 |]"},
            "requested[3]: business 2 cannot meet itself",
        ),
        (
            {"requested": "[| 1, 2, 1 | 1, 3, 2 | 2, 3, 4 | 3, 1, 3 |]"},
            "requested[3]: session value 4",
        ),
        ({"requested": "[| 1, 2 | 1, 3 | 2, 3 | 3, 1 |]"}, "requested[1]: expected 3 values"),
        ({"forbidden": "[{0}, {0,1,6}, {}, {4}]"}, "forbidden[2]: slot 6 is not in 1..5"),
        ({"forbidden": "[{0}, {0,1,5}, {}]"}, "forbidden: has 3 entries, expected 4"),
        ({"fixed": "[0, 0, 7, 0]"}, "fixed[3]: slot 7"),
        ({"fixed": "[{0}, {0}, {0}, {0}]"}, "fixed: expected an array of integers"),
        (
            {"precedences": "[{}, {2}, {}, {}]"},
            "precedences[2]: meeting 2 cannot come before itself",
        ),
        ({"precedences": "[{}, {9}, {}, {}]"}, "precedences[2]: meeting 9 is not in 1..4"),
        ({"nMorningSlots": "6"}, "nMorningSlots: 6 morning slots but only 5 slots"),
        ({"nTables": "0"}, "nTables: must be at least 1, got 0"),
        ({"nTables": "{2}"}, "nTables: expected an integer"),
    ],
)
def test_inconsistent_file(replace: dict[str, str], message: str) -> None:
    assert message in _problems(_tiny(**replace))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("nBusiness = 4", "nBusiness (line 1): expected ';', got 'end of file'"),
        ("nBusiness = 4;\nnBusiness = 5;", "nBusiness (line 2): is assigned twice"),
        ("nBusiness = 4;\nx = [1, {2}];", "x (line 2): mixes integers and sets"),
        ("nBusiness = 4;\n = 5;", "line 2: expected a field name, got '='"),
        ("nBusiness = 4 # 5;", "line 1: unexpected character '#'"),
    ],
)
def test_syntax_errors_name_field_and_line(text: str, message: str) -> None:
    assert message in _problems(text)


def test_unknown_and_duplicate_fields() -> None:
    problems = _problems(TINY + "colour = 3;\nnEmpreses = 4;\n")
    assert "colour: unknown field" in problems
    assert "nEmpreses: given twice, also as nBusiness" in problems


def test_unreadable_file_names_the_path(tmp_path: Path) -> None:
    missing = tmp_path / "absent.dzn"
    with pytest.raises(EventError, match="cannot read") as caught:
        read_dzn(missing)
    assert caught.value.source == str(missing)
    broken = tmp_path / "broken.dzn"
    broken.write_text(_tiny(nMeetingsBusiness="[3, 2, 2, 0]"), encoding="utf-8")
    with pytest.raises(EventError, match="nMeetingsBusiness") as caught:
        read_dzn(broken)
    assert str(broken) in str(caught.value)
