"""Spreadsheets in: participants and meeting requests from CSV and ``.xlsx`` platform exports.

An import takes three kinds of input:

* **event settings**: one ``matchsched/event@1`` JSON file with the sessions, locations and time
  zone (and, if wanted, organizations, resources, participants and requests that are kept as
  they are). It may have no participants at all; that is the usual case.
* **participants tables**: one row per participant (first name, last name, email, organization,
  country, participation type, sessions attended).
* **requests tables**: one row per meeting request (requester email, requested email, priority
  or rank, mutual, status).

A CSV file holds one table; an ``.xlsx`` workbook holds one table per sheet. Which table is
which is told by its header (row 1): a table with a requester and a requested column holds
requests, otherwise a table with an email column holds participants. Header matching ignores
case, spaces, ``_`` and ``-`` (``First_Name`` = ``first name`` = ``FirstName``); which headers
are accepted for which column is a :class:`ColumnMap`, overridable from a JSON file.

How values become an event (documented in ``docs/organisers.md``):

* participant id: the lower-cased email (``ids="email"``, default) or a slug of the name
  (``ids="slug"``; ``-2``, ``-3`` are appended to repeated slugs, in row order);
* organization: ``org-`` plus a slug of the organization cell; spellings with the same slug are
  one organization, named as first seen (or as in the settings file);
* sessions attended: session ids separated by ``;``, ``,`` or ``|``, matched ignoring case;
  ``all`` or an empty cell mean every session;
* priority: the priority cell (integer >= 1); else the rank cell, where rank ``r`` becomes
  priority ``R + 1 - r`` with ``R`` the largest rank in all request rows (rank 1 is worth most,
  the last rank is worth 1); else 1;
* mutual: a pair asked in both directions, or a row whose mutual cell is yes, is one request of
  the pair with the highest priority of its rows plus ``mutual_bonus`` (default 1); the requester
  is the requester of the pair's first row;
* status: rows whose status is in ``skip_status`` (declined, cancelled, ...) are skipped and
  counted; ``keep_status`` (accepted, pending, empty, ...) are kept; any other status is a bad row;
* request id: the two participant ids in sorted order joined by ``~``, so it does not change
  when rows are added, removed or reordered.

A row that cannot be read is a :class:`RowProblem` (file, row number, reason). By default any
problem is an :class:`~matchsched.errors.EventError` and nothing is imported; with
``skip_bad_rows=True`` the other rows load and the problems are returned.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import ValidationError

from matchsched.adapters.json_io import event_from_data
from matchsched.errors import EventError
from matchsched.model import Event

__all__ = [
    "ColumnMap",
    "ImportResult",
    "RowProblem",
    "Table",
    "import_event",
    "read_column_map",
    "read_tables",
    "slug",
]

_PARTICIPANT_COLUMNS = (
    "email",
    "first_name",
    "last_name",
    "name",
    "organization",
    "country",
    "participation_type",
    "sessions",
)
_REQUEST_COLUMNS = ("requester", "requested", "priority", "rank", "mutual", "status")


@dataclass(frozen=True)
class ColumnMap:
    """Which headers mean which column, and how cell values are read.

    Each column field lists the accepted headers (compared ignoring case, spaces, ``_`` and
    ``-``). A JSON file given to :func:`read_column_map` replaces the fields it names, e.g.
    ``{"email": "E-mail address", "requester": ["From", "Sender"], "mutual_bonus": 2}``.
    """

    # participants
    email: tuple[str, ...] = ("email", "e-mail", "email address", "mail")
    first_name: tuple[str, ...] = ("first name", "given name", "forename")
    last_name: tuple[str, ...] = ("last name", "surname", "family name")
    name: tuple[str, ...] = ("name", "full name")
    organization: tuple[str, ...] = ("organization", "organisation", "company", "company name")
    country: tuple[str, ...] = ("country",)
    """Read and not used: event@1 has no field for it."""
    participation_type: tuple[str, ...] = ("participation type", "participant type", "type")
    """Read and not used: event@1 has no field for it."""
    sessions: tuple[str, ...] = ("sessions attended", "sessions", "attends")
    # requests
    requester: tuple[str, ...] = ("requester email", "requester", "from", "from email")
    requested: tuple[str, ...] = (
        "requested email",
        "requested",
        "to",
        "to email",
        "receiver email",
        "recipient email",
    )
    priority: tuple[str, ...] = ("priority", "weight")
    rank: tuple[str, ...] = ("rank", "preference rank")
    mutual: tuple[str, ...] = ("mutual", "mutual interest")
    status: tuple[str, ...] = ("status", "request status", "meeting status")
    # values
    keep_status: tuple[str, ...] = (
        "",
        "accepted",
        "pending",
        "confirmed",
        "approved",
        "requested",
        "open",
        "new",
    )
    skip_status: tuple[str, ...] = (
        "declined",
        "rejected",
        "cancelled",
        "canceled",
        "withdrawn",
        "deleted",
        "expired",
    )
    all_sessions: tuple[str, ...] = ("all", "*", "all sessions")
    yes: tuple[str, ...] = ("yes", "y", "true", "1", "x", "mutual")
    no: tuple[str, ...] = ("", "no", "n", "false", "0")
    mutual_bonus: int = 1
    """Added to the priority of a mutual pair."""
    ids: Literal["email", "slug"] = "email"
    """How participant ids are made: the lower-cased email, or a slug of the name."""

    def headers(self, column: str) -> set[str]:
        """The normalised headers accepted for ``column``."""
        return {_normalise_header(text) for text in getattr(self, column)}


@dataclass(frozen=True)
class RowProblem:
    """A row that cannot be read: where it is and why."""

    source: str
    row: int
    reason: str

    def __str__(self) -> str:
        return f"{self.source}, row {self.row}: {self.reason}"


@dataclass
class Table:
    """One table of cells: a CSV file or a sheet of a workbook. ``rows`` are (row number, cells)."""

    source: str
    header: list[str]
    rows: list[tuple[int, list[str]]]


@dataclass
class ImportResult:
    """The imported event, the bad rows that were skipped, and notes about what was done."""

    event: Event
    problems: list[RowProblem] = field(default_factory=list)
    """Rows left out because they could not be read (only with ``skip_bad_rows``)."""
    notes: list[str] = field(default_factory=list)
    """What the import did that a reader should know: unused columns, skipped statuses, merges."""


# ----------------------------------------------------------------------------- column map


def read_column_map(path: str | os.PathLike[str]) -> ColumnMap:
    """Read a JSON column map; the keys it names replace the defaults of :class:`ColumnMap`."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise EventError([f"cannot read column map: {error.strerror}"], source=str(path)) from None
    except json.JSONDecodeError as error:
        raise EventError(
            [f"line {error.lineno}, column {error.colno}: invalid JSON ({error.msg})"],
            source=str(path),
        ) from None
    return column_map_from_data(data, source=str(path))


def column_map_from_data(data: Any, *, source: str | None = None) -> ColumnMap:
    """Build a :class:`ColumnMap` from parsed JSON, naming every bad key or value."""
    if not isinstance(data, dict):
        raise EventError(["(document): a column map must be a JSON object"], source=source)
    known = {f.name for f in fields(ColumnMap)}
    changes: dict[str, Any] = {}
    problems: list[str] = []
    for key, value in data.items():
        if key not in known:
            problems.append(f"{key}: unknown key (known: {', '.join(sorted(known))})")
        elif key == "mutual_bonus":
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                problems.append(f"{key}: must be an integer >= 0 (got {value!r})")
            else:
                changes[key] = value
        elif key == "ids":
            if value not in ("email", "slug"):
                problems.append(f"{key}: must be 'email' or 'slug' (got {value!r})")
            else:
                changes[key] = value
        else:
            values = [value] if isinstance(value, str) else value
            if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
                problems.append(f"{key}: must be a string or a list of strings (got {value!r})")
            else:
                changes[key] = tuple(values)
    if problems:
        raise EventError(problems, source=source)
    return replace(ColumnMap(), **changes)


# ----------------------------------------------------------------------------- reading files


def _normalise_header(text: str) -> str:
    return re.sub(r"[\s_\-]+", "", text.casefold())


def slug(text: str) -> str:
    """Lower-case ASCII letters, digits and single hyphens: ``"Veneto Innovazione S.p.A."`` ->
    ``"veneto-innovazione-s-p-a"``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).strip()


def _csv_table(path: Path) -> Table:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as error:
        raise EventError([f"cannot read file: {error.strerror}"], source=str(path)) from None
    except UnicodeDecodeError as error:
        raise EventError(
            [
                f"byte {error.start}: not UTF-8 text; save the sheet as 'CSV UTF-8' "
                "(Excel) or 'Text CSV' with character set UTF-8"
            ],
            source=str(path),
        ) from None
    first_line = text.split("\n", 1)[0]
    # The header tells the separator: Excel in many European locales writes ';'.
    delimiter = max([",", ";", "\t"], key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = [[cell.strip() for cell in row] for row in reader]
    if not rows:
        raise EventError(["the file is empty (row 1 must be the header)"], source=str(path))
    return Table(path.name, rows[0], list(enumerate(rows[1:], start=2)))


def _xlsx_tables(path: Path) -> list[Table]:
    try:
        import openpyxl
    except ImportError:  # pragma: no cover - depends on the installation
        raise ImportError(
            "reading .xlsx files needs openpyxl: pip install 'matchsched[spreadsheet]'"
        ) from None
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except OSError as error:
        raise EventError([f"cannot read file: {error.strerror}"], source=str(path)) from None
    except Exception as error:  # openpyxl raises many kinds on a damaged file
        raise EventError([f"not a readable .xlsx workbook ({error})"], source=str(path)) from None
    tables = []
    try:
        for sheet in workbook.worksheets:
            cells = [[_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
            if not cells or not any(cells[0]):
                continue
            tables.append(
                Table(f"{path.name} [{sheet.title}]", cells[0], list(enumerate(cells[1:], 2)))
            )
    finally:
        workbook.close()
    return tables


def read_tables(path: str | os.PathLike[str]) -> list[Table]:
    """The tables of a ``.csv`` file (one) or an ``.xlsx`` workbook (one per non-empty sheet)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return [_csv_table(path)]
    if suffix in (".xlsx", ".xlsm"):
        return _xlsx_tables(path)
    if suffix == ".xls":
        raise EventError(
            ["the old .xls format is not supported; save the workbook as .xlsx or CSV"],
            source=str(path),
        )
    raise EventError(
        [
            f"unknown file type {suffix or '(none)'!r}: "
            "expected .json (event settings), .csv or .xlsx"
        ],
        source=str(path),
    )


# ----------------------------------------------------------------------------- tables


@dataclass
class _Columns:
    """Positions of the known columns of one table."""

    table: Table
    position: dict[str, int]

    def get(self, cells: list[str], column: str) -> str:
        index = self.position.get(column)
        return cells[index].strip() if index is not None and index < len(cells) else ""


def _columns(table: Table, columns: ColumnMap, names: Sequence[str]) -> tuple[_Columns, list[str]]:
    """Find the columns ``names`` in ``table``'s header; also return the unused headers."""
    position: dict[str, int] = {}
    used: set[int] = set()
    for name in names:
        accepted = columns.headers(name)
        matches = [i for i, text in enumerate(table.header) if _normalise_header(text) in accepted]
        if len(matches) > 1:
            shown = " and ".join(repr(table.header[i]) for i in matches)
            raise EventError([f"row 1: columns {shown} both mean {name!r}"], source=table.source)
        if matches:
            position[name] = matches[0]
            used.add(matches[0])
    unused = [text for i, text in enumerate(table.header) if i not in used and text.strip()]
    return _Columns(table, position), unused


def _kind(table: Table, columns: ColumnMap) -> Literal["participants", "requests"] | None:
    header = {_normalise_header(text) for text in table.header}
    if header & columns.headers("requester") and header & columns.headers("requested"):
        return "requests"
    if header & columns.headers("email"):
        return "participants"
    return None


@dataclass
class _Person:
    id: str
    name: str
    email: str
    organization: str | None
    organization_name: str | None
    sessions: list[str] | None
    where: str


@dataclass
class _Ask:
    requester: str
    requested: str
    priority: int | None
    rank: int | None
    mutual: bool
    source: str
    row: int


class _Importer:
    def __init__(self, settings: Event, columns: ColumnMap) -> None:
        self.settings = settings
        self.columns = columns
        self.problems: list[RowProblem] = []
        self.notes: list[str] = []
        self.people: dict[str, _Person] = {}  # by lower-cased email
        self.unreadable: set[str] = set()  # emails of participant rows that were bad
        self.asks: list[_Ask] = []
        self.status_skipped: Counter[str] = Counter()
        self.taken_ids = {p.id for p in settings.participants} | {
            o.id for o in settings.organizations
        }
        self.session_ids = {s.id.casefold(): s.id for s in settings.sessions}

    def problem(self, source: str, row: int, reason: str) -> None:
        self.problems.append(RowProblem(source, row, reason))

    # participants

    def read_participants(self, table: Table) -> None:
        found, unused = _columns(table, self.columns, _PARTICIPANT_COLUMNS)
        if unused:
            self.notes.append(f"{table.source}: columns not used: {', '.join(unused)}")
        for row, cells in table.rows:
            if not any(cells):
                continue
            person = self._person(found, row, cells)
            if person is not None:
                self.people[person.email] = person
            else:
                self.unreadable.add(found.get(cells, "email").lower())

    def _person(self, found: _Columns, row: int, cells: list[str]) -> _Person | None:
        source = found.table.source
        email = found.get(cells, "email").lower()
        if not email:
            self.problem(source, row, "the email cell is empty")
            return None
        if not re.fullmatch(r"[^@\s]+@[^@\s]+", email):
            self.problem(source, row, f"not an email address: {email!r}")
            return None
        if email in self.people:
            self.problem(source, row, f"email {email!r} is already on {self.people[email].where}")
            return None
        name = found.get(cells, "name") or " ".join(
            part for part in (found.get(cells, "first_name"), found.get(cells, "last_name")) if part
        )
        organization_name = found.get(cells, "organization") or None
        organization = None
        if organization_name is not None:
            organization_slug = slug(organization_name)
            if not organization_slug:
                self.problem(
                    source, row, f"organization {organization_name!r} has no letters or digits"
                )
                return None
            organization = f"org-{organization_slug}"
        sessions = self._sessions(found.get(cells, "sessions"), source, row)
        if sessions == "bad":
            return None
        if self.columns.ids == "email":
            participant_id = email
        else:
            base = slug(name) or slug(email.split("@")[0]) or "participant"
            participant_id, number = base, 1
            while participant_id in self.taken_ids:
                number += 1
                participant_id = f"{base}-{number}"
        if participant_id in self.taken_ids:
            self.problem(
                source, row, f"participant id {participant_id!r} is already in the event settings"
            )
            return None
        self.taken_ids.add(participant_id)
        return _Person(
            id=participant_id,
            name=name,
            email=email,
            organization=organization,
            organization_name=organization_name,
            sessions=sessions,
            where=f"{source}, row {row}",
        )

    def _sessions(self, text: str, source: str, row: int) -> list[str] | Literal["bad"] | None:
        if text.casefold() in self.columns.all_sessions or not text:
            return None
        chosen: list[str] = []
        for part in re.split(r"[;,|\n]", text):
            part = part.strip()
            if not part:
                continue
            session = self.session_ids.get(part.casefold())
            if session is None:
                known = ", ".join(s.id for s in self.settings.sessions)
                self.problem(
                    source,
                    row,
                    f"unknown session {part!r} in sessions attended (sessions: {known})",
                )
                return "bad"
            if session not in chosen:
                chosen.append(session)
        return chosen or None

    # requests

    def read_requests(self, table: Table) -> None:
        found, unused = _columns(table, self.columns, _REQUEST_COLUMNS)
        if unused:
            self.notes.append(f"{table.source}: columns not used: {', '.join(unused)}")
        for row, cells in table.rows:
            if not any(cells):
                continue
            ask = self._ask(found, row, cells)
            if ask is not None:
                self.asks.append(ask)

    def _ask(self, found: _Columns, row: int, cells: list[str]) -> _Ask | None:
        source = found.table.source
        status = found.get(cells, "status").casefold()
        if status in self.columns.skip_status:
            self.status_skipped[status] += 1
            return None
        if status not in self.columns.keep_status:
            kept = ", ".join(repr(s) for s in self.columns.keep_status if s)
            skipped = ", ".join(repr(s) for s in self.columns.skip_status)
            self.problem(
                source,
                row,
                f"unknown status {status!r} (kept: {kept}, or empty; skipped: {skipped})",
            )
            return None
        ids = []
        for column in ("requester", "requested"):
            email = found.get(cells, column).lower()
            if not email:
                self.problem(source, row, f"the {column} cell is empty")
                return None
            person = self.people.get(email)
            if person is None:
                where = (
                    "is on a participants row that could not be read"
                    if email in self.unreadable
                    else "is not among the participants"
                )
                self.problem(source, row, f"{column} {email!r} {where}")
                return None
            ids.append(person.id)
        if ids[0] == ids[1]:
            self.problem(source, row, f"{ids[0]!r} requests a meeting with themselves")
            return None
        numbers: dict[str, int | None] = {}
        for column in ("priority", "rank"):
            text = found.get(cells, column)
            if not text:
                numbers[column] = None
                continue
            try:
                value = int(text)
            except ValueError:
                value = 0
            if value < 1:
                self.problem(source, row, f"{column} must be a whole number >= 1 (got {text!r})")
                return None
            numbers[column] = value
        mutual_text = found.get(cells, "mutual").casefold()
        if mutual_text in self.columns.yes:
            mutual = True
        elif mutual_text in self.columns.no:
            mutual = False
        else:
            self.problem(source, row, f"mutual must be yes or no (got {mutual_text!r})")
            return None
        return _Ask(ids[0], ids[1], numbers["priority"], numbers["rank"], mutual, source, row)

    # the event

    def event(self) -> Event:
        settings = self.settings
        organizations = [o.model_dump(exclude_defaults=True) for o in settings.organizations]
        known_organizations = {o.id for o in settings.organizations}
        participants = [p.model_dump(exclude_defaults=True) for p in settings.participants]
        for person in self.people.values():
            if person.organization is not None and person.organization not in known_organizations:
                if person.organization in self.taken_ids:
                    raise EventError(
                        [
                            f"{person.where}: organization id {person.organization!r} is also a "
                            "participant id"
                        ]
                    )
                known_organizations.add(person.organization)
                organizations.append({"id": person.organization, "name": person.organization_name})
            entry: dict[str, Any] = {"id": person.id}
            if person.name:
                entry["name"] = person.name
            if person.organization is not None:
                entry["organization"] = person.organization
            if person.sessions is not None:
                entry["sessions"] = person.sessions
            participants.append(entry)

        requests = [r.model_dump(exclude_defaults=True) for r in settings.requests]
        requests.extend(self._requests({r.id for r in settings.requests}))
        if self.status_skipped:
            counts = ", ".join(
                f"{status}: {n}" for status, n in sorted(self.status_skipped.items())
            )
            total = sum(self.status_skipped.values())
            self.notes.append(f"{total} request row(s) skipped by status ({counts})")

        data = settings.model_dump(exclude_defaults=True)
        data.update(organizations=organizations, participants=participants, requests=requests)
        try:
            return Event.model_validate(data)
        except ValidationError as error:  # pragma: no cover - built consistent above
            raise EventError.from_validation(error, source="imported event") from None

    def _requests(self, taken: set[str]) -> list[dict[str, Any]]:
        largest_rank = max((a.rank for a in self.asks if a.rank is not None), default=0)
        pairs: dict[frozenset[str], list[_Ask]] = {}
        for ask in self.asks:
            pairs.setdefault(frozenset((ask.requester, ask.requested)), []).append(ask)
        requests = []
        for asks in pairs.values():
            first = asks[0]
            seen: dict[tuple[str, str], _Ask] = {}
            for ask in asks:
                direction = (ask.requester, ask.requested)
                if direction in seen:
                    earlier = seen[direction]
                    self.notes.append(
                        f"{ask.source}, row {ask.row}: repeats the request of "
                        f"{earlier.source}, row {earlier.row} ({ask.requester} -> "
                        f"{ask.requested}); merged, the highest priority is kept"
                    )
                else:
                    seen[direction] = ask
            priorities = []
            for ask in asks:
                if ask.priority is not None:
                    priorities.append(ask.priority)
                elif ask.rank is not None:
                    priorities.append(largest_rank + 1 - ask.rank)
                else:
                    priorities.append(1)
            mutual = len(seen) == 2 or any(ask.mutual for ask in asks)
            priority = max(priorities) + (self.columns.mutual_bonus if mutual else 0)
            request_id = "~".join(sorted((first.requester, first.requested)))
            if request_id in taken:
                self.problem(
                    first.source,
                    first.row,
                    f"request id {request_id!r} is already in the event settings",
                )
                continue
            requests.append(
                {
                    "id": request_id,
                    "participants": [first.requester, first.requested],
                    "priority": priority,
                }
            )
        return requests


def import_event(
    paths: Iterable[str | os.PathLike[str]],
    *,
    columns: ColumnMap | None = None,
    skip_bad_rows: bool = False,
) -> ImportResult:
    """Build an event from an event settings JSON file and participants/requests tables.

    Parameters
    ----------
    paths
        Exactly one ``.json`` event settings file, and ``.csv``/``.xlsx`` files with the
        participants and requests tables, in any order.
    columns
        Accepted headers and value rules; :class:`ColumnMap` defaults when omitted.
    skip_bad_rows
        Load the readable rows and return the others as ``problems``, instead of raising.

    Raises
    ------
    EventError
        A file cannot be read, a table has no known header, or (without ``skip_bad_rows``)
        some row cannot be read; the messages name the file, row and reason.
    """
    columns = columns or ColumnMap()
    settings_files: list[Path] = []
    tables: list[Table] = []
    for path in map(Path, paths):
        if path.suffix.lower() == ".json":
            settings_files.append(path)
        else:
            tables.extend(read_tables(path))
    if len(settings_files) != 1:
        given = ", ".join(map(str, settings_files)) or "none"
        raise EventError(
            [
                "give exactly one event settings file (.json, a matchsched/event@1 file with "
                f"sessions and locations); given: {given}"
            ]
        )
    settings_path = settings_files[0]
    try:
        settings_data = json.loads(settings_path.read_text(encoding="utf-8"))
    except OSError as error:
        raise EventError(
            [f"cannot read file: {error.strerror}"], source=str(settings_path)
        ) from None
    except json.JSONDecodeError as error:
        raise EventError(
            [f"line {error.lineno}, column {error.colno}: invalid JSON ({error.msg})"],
            source=str(settings_path),
        ) from None
    settings = event_from_data(settings_data, source=str(settings_path))

    importer = _Importer(settings, columns)
    participant_tables, request_tables = [], []
    for table in tables:
        kind = _kind(table, columns)
        if kind == "participants":
            participant_tables.append(table)
        elif kind == "requests":
            request_tables.append(table)
        elif "[" in table.source:
            importer.notes.append(
                f"{table.source}: sheet not used, its header has neither an email column nor "
                f"requester and requested columns: {', '.join(h for h in table.header if h)}"
            )
        else:
            raise EventError(
                [
                    "row 1: cannot tell participants from requests: the header needs an email "
                    "column (participants) or requester and requested columns (requests); "
                    f"found {', '.join(repr(h) for h in table.header)}"
                ],
                source=table.source,
            )
    if not participant_tables and not settings.participants:
        raise EventError(["no participants table among the files (a header with an email column)"])
    if not request_tables:
        importer.notes.append("no requests table among the files: the event has no new requests")
    for table in participant_tables:
        importer.read_participants(table)
    for table in request_tables:
        importer.read_requests(table)
    event = importer.event()
    if importer.problems and not skip_bad_rows:
        raise EventError([str(problem) for problem in importer.problems])
    return ImportResult(event=event, problems=importer.problems, notes=importer.notes)
