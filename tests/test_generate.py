"""Synthetic events: deterministic, the asked size, valid, and shaped like real matchmaking."""

from __future__ import annotations

import json
import math
from collections import Counter
from datetime import date, time
from pathlib import Path

import pytest

import matchsched.cli
from matchsched.adapters.json_io import event_from_data, event_to_json, read_event
from matchsched.generate import KINDS, generate
from matchsched.model import Event


@pytest.fixture(scope="module")
def events() -> dict[str, Event]:
    """One mid-sized event of each kind."""
    return {kind: generate(kind, participants=300, seed=11) for kind in KINDS}


def _member_organization(event: Event) -> dict[str, str | None]:
    return {participant.id: participant.organization for participant in event.participants}


@pytest.mark.parametrize("kind", KINDS)
def test_same_seed_same_event(kind: str) -> None:
    first = generate(kind, participants=80, seed=5)
    assert event_to_json(first) == event_to_json(generate(kind, participants=80, seed=5))
    assert event_to_json(first) != event_to_json(generate(kind, participants=80, seed=6))


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(("participants", "per_participant"), [(50, 10), (137, 4.5), (400, 12)])
def test_sizes_are_respected(kind: str, participants: int, per_participant: float) -> None:
    event = generate(
        kind, participants=participants, seed=2, requests_per_participant=per_participant
    )
    assert len(event.participants) == participants
    assert len(event.requests) == round(participants * per_participant)


def test_large_event_has_the_asked_size() -> None:
    event = generate("brokerage", participants=2000, seed=0)
    assert len(event.participants) == 2000
    assert len(event.requests) == 20_000


def test_sessions_follow_the_day_plan() -> None:
    event = generate(
        "brokerage", participants=40, days=3, sessions_per_day=2, first_day=date(2026, 3, 2)
    )
    assert [session.id for session in event.sessions] == [
        "d1-am", "d1-pm", "d2-am", "d2-pm", "d3-am", "d3-pm"
    ]  # fmt: skip
    assert {session.start.time() for session in event.sessions} == {time(9), time(14)}
    assert event.sessions[-1].start.date() == date(2026, 3, 4)
    assert event.timezone.startswith("Europe/")
    single = generate("cluster", participants=40, days=1, sessions_per_day=1, timezone="UTC")
    assert [session.id for session in single.sessions] == ["d1-s1"]
    assert single.timezone == "UTC"


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_round_trips_as_a_valid_file(kind: str, events: dict[str, Event]) -> None:
    event = events[kind]
    again = event_from_data(json.loads(event_to_json(event)))
    assert again == event


@pytest.mark.parametrize("kind", KINDS)
def test_no_pair_meets_twice(kind: str, events: dict[str, Event]) -> None:
    event = events[kind]
    organization_of = _member_organization(event)
    party_sets = [frozenset(request.participants) for request in event.requests]
    assert len(set(party_sets)) == len(party_sets)
    # Across organizations no two parties share two requests (colleagues may join together).
    pairs: Counter[frozenset[str]] = Counter()
    for request in event.requests:
        parties = request.participants
        for index, first in enumerate(parties):
            for second in parties[index + 1 :]:
                if organization_of.get(first, first) != organization_of.get(second, second):
                    pairs[frozenset((first, second))] += 1
    assert max(pairs.values()) == 1


@pytest.mark.parametrize("kind", KINDS)
def test_nobody_asks_a_colleague_or_someone_never_there(
    kind: str, events: dict[str, Event]
) -> None:
    event = events[kind]
    organization_of = _member_organization(event)
    every_session = {session.id for session in event.sessions}
    attends = {p.id: set(p.sessions or every_session) for p in event.participants}
    for request in event.requests:
        requester, target = request.participants[:2]
        assert organization_of[requester] != organization_of.get(target, target)
        if target in attends:
            assert attends[requester] & attends[target]


@pytest.mark.parametrize("kind", KINDS)
def test_delegations_are_organizations(kind: str, events: dict[str, Event]) -> None:
    event = events[kind]
    sizes = Counter(participant.organization for participant in event.participants)
    assert None not in sizes
    assert set(sizes) == {organization.id for organization in event.organizations}
    assert max(sizes.values()) <= 10
    assert sizes.most_common()[-1][1] >= 1
    assert sum(size >= 2 for size in sizes.values()) >= 5
    delegations = [o for o in event.organizations if o.name and "delegation" in o.name]
    assert delegations
    assert all(sizes[delegation.id] >= 2 for delegation in delegations)


@pytest.mark.parametrize("kind", KINDS)
def test_exhibitors_host_at_their_booths(kind: str, events: dict[str, Event]) -> None:
    event = events[kind]
    hosts = [participant for participant in event.participants if participant.table]
    booths = [location for location in event.locations if location.id.startswith("booth-")]
    assert hosts
    assert len(hosts) == len(booths)
    assert all(booth.tables == 1 for booth in booths)
    assert {host.table.location for host in hosts if host.table} == {b.id for b in booths}
    assert all(host.sessions is None for host in hosts)


@pytest.mark.parametrize("kind", KINDS)
def test_partial_attendance_and_blocked_slots(kind: str, events: dict[str, Event]) -> None:
    event = events[kind]
    partial = [p for p in event.participants if p.sessions is not None]
    assert 0.05 * len(event.participants) < len(partial) < 0.4 * len(event.participants)
    assert any(len(p.sessions or []) == 1 for p in partial)
    assert any(len(p.sessions or []) == 2 for p in partial)  # one of the two days
    assert any(p.unavailable for p in event.participants)
    for participant in event.participants:
        attended = set(participant.sessions or [s.id for s in event.sessions])
        assert {ref.session for ref in participant.unavailable} <= attended


@pytest.mark.parametrize("kind", KINDS)
def test_priorities_and_popularity(kind: str, events: dict[str, Event]) -> None:
    event = events[kind]
    priorities = Counter(request.priority for request in event.requests)
    assert set(priorities) == {1, 2, 3}
    assert 0.05 < priorities[3] / len(event.requests) < 0.35
    asked = Counter(request.participants[1] for request in event.requests)
    mean = len(event.requests) / len(event.participants)
    assert asked.most_common(1)[0][1] > 3 * mean


def test_hall_tables_follow_the_demand() -> None:
    slots = 2 * 2 * 9
    for ratio in (0.8, 1.5):
        event = generate("brokerage", participants=200, seed=4, table_ratio=ratio)
        hosts = {p.id for p in event.participants if p.table}
        demand = sum(r.length for r in event.requests if not hosts & set(r.participants))
        hall = event.location("hall")
        assert hall.tables == max(1, math.ceil(ratio * demand / slots))


def test_cluster_requests_some_organizations(events: dict[str, Event]) -> None:
    event = events["cluster"]
    organization_ids = {organization.id for organization in event.organizations}
    to_organizations = [r for r in event.requests if r.participants[1] in organization_ids]
    assert 0.03 * len(event.requests) < len(to_organizations) < 0.2 * len(event.requests)
    assert all(len(event.members(r.participants[1])) >= 2 for r in to_organizations)
    names = [organization.name or "" for organization in event.organizations]
    assert all(name.endswith((" Cluster", ")")) for name in names)


def test_tradefair_has_groups_interpreters_and_rooms(events: dict[str, Event]) -> None:
    event = events["tradefair"]
    assert any(len(request.participants) == 3 for request in event.requests)
    assert any(request.length == 2 for request in event.requests)
    interpreters = {resource.id for resource in event.resources}
    assert interpreters and all(name.startswith("interpreter-") for name in interpreters)
    assert any(request.resources for request in event.requests)
    assert event.location("hall").seats == 2
    assert event.location("meeting-rooms").seats == 8
    booths = sum(location.id.startswith("booth-") for location in event.locations)
    assert booths >= 0.1 * len(event.participants)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"kind": "gala"}, "kind"),
        ({"participants": 1}, "participants"),
        ({"table_ratio": 0.0}, "table_ratio"),
        ({"days": 0}, "days"),
        ({"participants": 6, "requests_per_participant": 10}, "requests_per_participant"),
        ({"timezone": "Europe/Atlantis"}, "timezone"),
    ],
)
def test_bad_arguments_are_named(arguments: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        generate(**arguments)  # type: ignore[arg-type]


def test_tiny_and_empty_events() -> None:
    assert len(generate("brokerage", participants=2, requests_per_participant=0.5).requests) == 1
    assert generate("tradefair", participants=10, requests_per_participant=0).requests == []


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(matchsched.cli, "COMMAND_MODULES", ["matchsched.cli.generate"])


@pytest.mark.usefixtures("cli")
def test_cli_writes_a_valid_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "out" / "event.json"
    arguments = ["generate", "cluster", "--participants", "40", "--seed", "3", "--days", "1"]
    assert matchsched.cli.main([*arguments, "-o", str(path)]) == 0
    event = read_event(path)
    assert event == generate("cluster", participants=40, seed=3, days=1)
    assert "40 participants" in capsys.readouterr().err
    assert matchsched.cli.main(arguments) == 0
    assert event_from_data(json.loads(capsys.readouterr().out)) == event


@pytest.mark.usefixtures("cli")
@pytest.mark.parametrize(
    "arguments",
    [
        ["generate", "gala"],
        ["generate", "brokerage", "--participants", "many"],
        ["generate", "brokerage", "--table-ratio", "-1"],
        ["generate", "brokerage", "--first-day", "31/12/2025"],
    ],
)
def test_cli_rejects_bad_arguments(
    arguments: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "event.json"
    with pytest.raises(SystemExit) as stopped:
        matchsched.cli.main([*arguments, "-o", str(path)])
    assert stopped.value.code == 2
    assert "error: argument" in capsys.readouterr().err
    assert not path.exists()


@pytest.mark.usefixtures("cli")
def test_cli_reports_impossible_sizes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "event.json"
    arguments = ["generate", "brokerage", "--participants", "5", "-o", str(path)]
    assert matchsched.cli.main(arguments) == 2
    assert "requests_per_participant" in capsys.readouterr().err
    assert not path.exists()


def test_shipped_example_is_a_valid_cluster_day() -> None:
    path = Path(__file__).parents[1] / "examples" / "cluster_matchmaking.json"
    event = read_event(path)
    assert len(event.participants) == 40
    assert 150 <= len(event.requests) <= 250
    assert event.timezone == "Europe/Berlin"
    assert sum(participant.table is not None for participant in event.participants) >= 3
    assert any(participant.sessions for participant in event.participants)
    assert any(request.required for request in event.requests)
    assert any(event.is_organization(request.participants[1]) for request in event.requests)
