"""MiniZinc data files of the B2B meeting-scheduling benchmark (JAIR 2022), FORMAT.md section 5.

The files of Bofill et al., "Constraint Solving Approaches to the Business-to-Business Meeting
Scheduling Problem", JAIR 74 (2022), describe one day of bilateral meetings that must all be
held, with the number of breaks to minimise. :func:`read_dzn` turns one into an
:class:`~matchsched.model.Event` plus the :class:`~matchsched.options.SolveOptions` of the
paper's problem. Ids are fixed so that schedules can be compared across tools: participant
``"k"`` is business k, request ``"i"`` is row i of ``requested`` (both 1-based), the sessions
are ``"am"`` and ``"pm"`` and the one location is ``"tables"``.

The older files of the CP 2014 work with Catalan field names (``nEmpreses``, ``demanades``,
``prohibides``, ``fixat``, ...) are read with the same mapping. Their table-assignment
("location phase") files are a different problem and are rejected.

Only the part of the MiniZinc data language these files use is understood: integer
assignments, sets of integers (``{1,2}``, ``{}``, ``1..3``), one-dimensional arrays of
integers or sets, two-dimensional arrays ``[| a, b | c, d |]``, trailing commas, and ``%``
and ``/* */`` comments.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, NoReturn, cast

from pydantic import ValidationError

from matchsched.errors import EventError
from matchsched.model import Event
from matchsched.options import Goal, SolveOptions

__all__ = ["DznValue", "event_from_dzn_text", "parse_dzn", "read_dzn"]

DznValue = int | frozenset[int] | list[int] | list[frozenset[int]] | list[list[int]]
"""A parsed right-hand side: an integer, a set, a 1-D array or a 2-D array (list of rows)."""

MORNING = "am"
AFTERNOON = "pm"
LOCATION = "tables"

# The files carry no clock times. These make a plausible single day: the morning session
# starts at 09:00, the afternoon one at 15:00 or an hour after the morning ends, whichever
# is later. Slots are 30 minutes, shortened only if the day would otherwise run past midnight
# (a second calendar day would split the participants' days and change what a break is).
_DAY = datetime(2014, 1, 1)
_MORNING_START = 9 * 60
_AFTERNOON_START = 15 * 60
_LUNCH = 60
_SLOT_MINUTES = 30
_MINUTES_PER_DAY = 24 * 60

# Canonical (JAIR appendix) field names and the older names that mean the same thing.
_ALIASES: dict[str, tuple[str, ...]] = {
    "nBusiness": ("nEmpreses",),
    "nMeetings": ("nReunions",),
    "nTables": ("nTaules",),
    "nTotalSlots": ("nFrangesTotal",),
    "nMorningSlots": ("nFrangesMati",),
    "requested": ("demanades",),
    "meetingsxBusiness": (),
    "nMeetingsBusiness": ("nReunionsEmpresa",),
    "forbidden": ("prohibides",),
    "fixed": ("fixat",),
    "precedences": (),
    "empresesZero": (),
}
_REQUIRED = ("nBusiness", "nMeetings", "nTables", "nTotalSlots", "nMorningSlots", "requested")
# Fields of the CP 2014 table-assignment files (timetable given, tables to choose).
_LOCATION_PHASE = ("reunions", "listReunions", "fixades", "nForats")


# --------------------------------------------------------------------------- parsing


class _SyntaxProblem(Exception):
    """A parse error; the message names the field (when known) and the line."""


_TOKEN = re.compile(
    r"""
      (?P<space>\s+|%[^\n]*|/\*.*?\*/)
    | (?P<int>-?\d+)
    | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
    | (?P<symbol>\[\||\|\]|\.\.|[\[\]{}|,;=])
    | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


@dataclass(slots=True)
class _Token:
    kind: str  # "int", "name", "symbol" or "end"
    text: str
    position: int


def _tokens(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        assert kind is not None
        if kind == "space":
            continue
        if kind == "other":
            raise _SyntaxProblem(
                f"line {_line(text, match.start())}: unexpected character {match.group()!r}"
            )
        tokens.append(_Token(kind, match.group(), match.start()))
    tokens.append(_Token("end", "end of file", len(text)))
    return tokens


def _line(text: str, position: int) -> int:
    return text.count("\n", 0, position) + 1


class _Parser:
    """Recursive descent over the token list; one instance per text."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokens(text)
        self.index = 0
        self.field = ""

    def parse(self) -> dict[str, DznValue]:
        values: dict[str, DznValue] = {}
        while self.peek().kind != "end":
            self.field = ""
            name = self.take()
            if name.kind != "name":
                self.fail(f"expected a field name, got {name.text!r}", name)
            self.field = name.text
            if name.text in values:
                self.fail("is assigned twice", name)
            self.expect("=")
            values[name.text] = self.value()
            self.expect(";")
        return values

    # Grammar: value := int | set | "[" items "]" | "[|" rows "|]"
    def value(self) -> DznValue:
        token = self.peek()
        if token.text == "[|":
            return self.matrix()
        if token.text == "[":
            return self.array()
        if token.text == "{":
            return self.set()
        number = self.integer()
        if self.peek().text == "..":
            self.take()
            return frozenset(range(number, self.integer() + 1))
        return number

    def integer(self) -> int:
        token = self.take()
        if token.kind != "int":
            self.fail(f"expected an integer, got {token.text!r}", token)
        return int(token.text)

    def set(self) -> frozenset[int]:
        self.expect("{")
        members: list[int] = []
        while self.peek().text != "}":
            low = self.integer()
            if self.peek().text == "..":
                self.take()
                members.extend(range(low, self.integer() + 1))
            else:
                members.append(low)
            if not self.comma_or("}"):
                break
        self.expect("}")
        return frozenset(members)

    def array(self) -> list[Any]:
        self.expect("[")
        items: list[Any] = []
        while self.peek().text != "]":
            items.append(self.set() if self.peek().text == "{" else self.integer())
            if not self.comma_or("]"):
                break
        self.expect("]")
        kinds = {type(item) for item in items}
        if len(kinds) > 1:
            self.fail("mixes integers and sets in one array", self.peek())
        return items

    def matrix(self) -> list[list[int]]:
        self.expect("[|")
        rows: list[list[int]] = [[]]
        while True:
            token = self.peek()
            if token.text == "|]":
                self.take()
                break
            if token.text == "|":
                self.take()
                rows.append([])
                continue
            rows[-1].append(self.integer())
            self.comma_or("|", "|]")
        # "[| a, b, | c, d, |]" and "[| a, b | c, d | |]" both end without a further row.
        if rows and not rows[-1]:
            rows.pop()
        return rows

    def comma_or(self, *closers: str) -> bool:
        """Consume a comma (True) or see a closer (False); anything else is an error."""
        token = self.peek()
        if token.text == ",":
            self.take()
            return True
        if token.text in closers:
            return False
        wanted = " or ".join(repr(text) for text in (",", *closers))
        self.fail(f"expected {wanted}, got {token.text!r}", token)

    def peek(self) -> _Token:
        return self.tokens[self.index]

    def take(self) -> _Token:
        token = self.tokens[self.index]
        if token.kind != "end":
            self.index += 1
        return token

    def expect(self, text: str) -> None:
        token = self.take()
        if token.text != text:
            self.fail(f"expected {text!r}, got {token.text!r}", token)

    def fail(self, message: str, token: _Token) -> NoReturn:
        where = f"line {_line(self.text, token.position)}"
        prefix = f"{self.field} ({where})" if self.field else where
        raise _SyntaxProblem(f"{prefix}: {message}")


def parse_dzn(text: str, *, source: str | None = None) -> dict[str, DznValue]:
    """Parse MiniZinc data text into ``{name: value}``.

    Parameters
    ----------
    text
        The contents of a ``.dzn`` file (the subset described in the module docstring).
    source
        File name used in error messages.

    Raises
    ------
    EventError
        When the text is not valid data of that subset; the message names the field and line.
    """
    try:
        return _Parser(text).parse()
    except _SyntaxProblem as problem:
        raise EventError([f"cannot parse: {problem}"], source=source) from None


# --------------------------------------------------------------------------- checking


class _Fields:
    """The parsed fields under their canonical names, with typed, checked accessors.

    Problems are collected in ``problems`` rather than raised, so that one error lists them all;
    accessors return ``None`` (or an empty default) for a field that is unusable.
    """

    def __init__(self, values: dict[str, DznValue]) -> None:
        self.problems: list[str] = []
        self.values: dict[str, DznValue] = {}
        self.names: dict[str, str] = {}
        known = {alias: canonical for canonical, aliases in _ALIASES.items() for alias in aliases}
        known.update({canonical: canonical for canonical in _ALIASES})
        for name, value in values.items():
            canonical = known.get(name)
            if canonical is None:
                self.problems.append(f"{name}: unknown field (not part of the B2B data format)")
            elif canonical in self.values:
                self.problems.append(
                    f"{name}: given twice, also as {self.names[canonical]} (the same field)"
                )
            else:
                self.values[canonical] = value
                self.names[canonical] = name
        for canonical in _REQUIRED:
            if canonical not in self.values:
                spelled = " or ".join((canonical, *_ALIASES[canonical]))
                self.problems.append(f"{spelled}: missing")

    def name(self, canonical: str) -> str:
        """The field's name as the file spells it."""
        return self.names.get(canonical, canonical)

    def integer(self, canonical: str, *, minimum: int) -> int | None:
        value = self.values.get(canonical)
        if value is None:
            return None
        if not isinstance(value, int):
            self.problems.append(f"{self.name(canonical)}: expected an integer, got {_show(value)}")
            return None
        if value < minimum:
            self.problems.append(f"{self.name(canonical)}: must be at least {minimum}, got {value}")
            return None
        return value

    def array(self, canonical: str, length: int, element: type) -> list[Any] | None:
        """A 1-D array of ``element`` (int or frozenset) with exactly ``length`` entries."""
        value = self.values.get(canonical)
        if value is None:
            return None
        name = self.name(canonical)
        kind = "integers" if element is int else "sets"
        if not isinstance(value, list) or any(not isinstance(item, element) for item in value):
            self.problems.append(f"{name}: expected an array of {kind}, got {_show(value)}")
            return None
        if len(value) != length:
            self.problems.append(f"{name}: has {len(value)} entries, expected {length}")
            return None
        return value


def _show(value: object) -> str:
    if isinstance(value, frozenset):
        return _set_text(value)
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _set_text(values: Iterable[int]) -> str:
    return "{" + ",".join(str(value) for value in sorted(values)) + "}"


@dataclass(frozen=True, slots=True)
class _Day:
    """How the 1-based global slots 1..total split into the two sessions."""

    morning: int
    total: int

    @property
    def afternoon(self) -> int:
        return self.total - self.morning

    def slot_ref(self, slot: int) -> dict[str, Any]:
        """The session and 0-based slot of global slot ``slot`` (1..total)."""
        if slot <= self.morning:
            return {"session": MORNING, "slot": slot - 1}
        return {"session": AFTERNOON, "slot": slot - self.morning - 1}

    def sessions(self) -> list[dict[str, Any]]:
        minutes = _slot_minutes(self.morning, self.afternoon)
        if minutes is None:
            raise EventError([f"nTotalSlots: {self.total} slots do not fit in one day"])
        sessions = []
        if self.morning:
            sessions.append(_session(MORNING, _MORNING_START, minutes, self.morning))
        if self.afternoon:
            start = _afternoon_start(self.morning, minutes)
            sessions.append(_session(AFTERNOON, start, minutes, self.afternoon))
        return sessions


def _afternoon_start(morning: int, minutes: int) -> int:
    if not morning:
        return _AFTERNOON_START
    return max(_AFTERNOON_START, _MORNING_START + morning * minutes + _LUNCH)


def _slot_minutes(morning: int, afternoon: int) -> int | None:
    for minutes in range(_SLOT_MINUTES, 0, -1):
        if not afternoon:
            end = _MORNING_START + morning * minutes
        else:
            end = _afternoon_start(morning, minutes) + afternoon * minutes
        if end <= _MINUTES_PER_DAY:
            return minutes
    return None


def _session(session_id: str, start_minute: int, minutes: int, slots: int) -> dict[str, Any]:
    start = _DAY + timedelta(minutes=start_minute)
    return {"id": session_id, "start": start, "slot_minutes": minutes, "slots": slots}


_SESSION_CHOICES = {1: "morning", 2: "afternoon", 3: "either"}


def _event_data(fields: _Fields, name: str) -> tuple[dict[str, Any], bool]:
    """The event as plain data, and whether some business has no meetings."""
    problems = fields.problems
    businesses = fields.integer("nBusiness", minimum=1)
    meetings = fields.integer("nMeetings", minimum=0)
    tables = fields.integer("nTables", minimum=1)
    total = fields.integer("nTotalSlots", minimum=1)
    morning = fields.integer("nMorningSlots", minimum=0)
    if total is not None and morning is not None and morning > total:
        problems.append(
            f"{fields.name('nMorningSlots')}: {morning} morning slots but only {total} slots "
            f"in all ({fields.name('nTotalSlots')})"
        )
        morning = None
    if businesses is None or meetings is None or tables is None or total is None or morning is None:
        raise _Stop
    day = _Day(morning=morning, total=total)

    rows = _requested_rows(fields, businesses, meetings, day)
    if rows is None:
        raise _Stop
    degree = [0] * (businesses + 1)
    rows_of: list[list[int]] = [[] for _ in range(businesses + 1)]
    for index, (first, second, _) in enumerate(rows, start=1):
        for business in (first, second):
            degree[business] += 1
            rows_of[business].append(index)
    idle = any(count == 0 for count in degree[1:])
    _check_degrees(fields, businesses, degree, rows_of)

    unavailable = _forbidden_slots(fields, businesses, day)
    pins = _fixed_slots(fields, meetings, day)
    before = _precedences(fields, meetings)
    if problems:
        raise _Stop

    participants = []
    for business in range(1, businesses + 1):
        participant: dict[str, Any] = {"id": str(business)}
        if unavailable[business]:
            participant["unavailable"] = [day.slot_ref(slot) for slot in unavailable[business]]
        participants.append(participant)
    requests = []
    for index, (first, second, choice) in enumerate(rows, start=1):
        request: dict[str, Any] = {
            "id": str(index),
            "participants": [str(first), str(second)],
            "priority": 1,
            "required": True,
        }
        if choice == 1:
            request["sessions"] = [MORNING]
        elif choice == 2:
            request["sessions"] = [AFTERNOON]
        if pins[index]:
            request["pinned"] = day.slot_ref(pins[index])
        if before[index]:
            request["after"] = [str(other) for other in before[index]]
        requests.append(request)
    data = {
        "name": name,
        "sessions": day.sessions(),
        "locations": [{"id": LOCATION, "tables": tables}],
        "participants": participants,
        "requests": requests,
    }
    return data, idle


class _Stop(Exception):
    """The collected problems make further checks pointless."""


def _requested_rows(
    fields: _Fields, businesses: int, meetings: int, day: _Day
) -> list[tuple[int, int, int]] | None:
    problems = fields.problems
    name = fields.name("requested")
    value = fields.values.get("requested")
    # An empty "[]" (a 1-D array) passes too: it is also an empty matrix.
    if not isinstance(value, list) or any(not isinstance(row, list) for row in value):
        problems.append(f"{name}: expected a 2-D array [| p1, p2, s | ... |], got {_show(value)}")
        return None
    matrix = cast(list[list[int]], value)
    if len(matrix) != meetings:
        problems.append(
            f"{name}: has {len(matrix)} rows, expected {meetings} ({fields.name('nMeetings')})"
        )
        return None
    rows: list[tuple[int, int, int]] = []
    start = len(problems)
    for index, row in enumerate(matrix, start=1):
        path = f"{name}[{index}]"
        if len(row) != 3:
            problems.append(f"{path}: expected 3 values (p1, p2, s), got {_show(row)}")
            continue
        first, second, choice = row
        for position, business in enumerate((first, second), start=1):
            if not 1 <= business <= businesses:
                problems.append(
                    f"{path}: business {business} (column {position}) is not in "
                    f"1..{businesses} ({fields.name('nBusiness')})"
                )
        if first == second:
            problems.append(f"{path}: business {first} cannot meet itself")
        if choice not in _SESSION_CHOICES:
            problems.append(
                f"{path}: session value {choice} (column 3) is not 1 (morning), 2 (afternoon) "
                "or 3 (either)"
            )
        elif choice == 2 and not day.afternoon:
            problems.append(
                f"{path}: session value 2 (afternoon) but there is no afternoon: "
                f"{fields.name('nMorningSlots')} = {fields.name('nTotalSlots')} = {day.total}"
            )
        elif choice == 1 and not day.morning:
            problems.append(
                f"{path}: session value 1 (morning) but there is no morning: "
                f"{fields.name('nMorningSlots')} = 0"
            )
        rows.append((first, second, choice))
    return rows if len(problems) == start else None


def _check_degrees(
    fields: _Fields, businesses: int, degree: list[int], rows_of: list[list[int]]
) -> None:
    problems = fields.problems
    counts = fields.array("nMeetingsBusiness", businesses, int)
    requested = fields.name("requested")
    for business, count in enumerate(counts or [], start=1):
        if count != degree[business]:
            problems.append(
                f"{fields.name('nMeetingsBusiness')}[{business}]: {count}, but business "
                f"{business} is in {degree[business]} rows of {requested}"
            )
    meeting_sets = fields.array("meetingsxBusiness", businesses, frozenset)
    for business, listed in enumerate(meeting_sets or [], start=1):
        # Meeting ids are shifted by +1 in this field; 1 is the "no meeting" dummy.
        expected = {index + 1 for index in rows_of[business]}
        if set(listed) - {1} != expected:
            problems.append(
                f"meetingsxBusiness[{business}]: {_set_text(listed)}, but business {business} "
                f"is in rows {_set_text(rows_of[business])} of {requested} "
                f"(expected {_set_text(expected | {1})} after the +1 shift)"
            )
    zero = fields.integer("empresesZero", minimum=0)
    without = sum(1 for count in degree[1:] if count == 0)
    if zero is not None and zero != without:
        problems.append(
            f"empresesZero: {zero}, but {without} businesses are in no row of {requested}"
        )


def _forbidden_slots(fields: _Fields, businesses: int, day: _Day) -> list[list[int]]:
    slots: list[list[int]] = [[] for _ in range(businesses + 1)]
    sets = fields.array("forbidden", businesses, frozenset)
    for business, forbidden in enumerate(sets or [], start=1):
        for slot in sorted(forbidden - {0}):  # 0 is a placeholder so that no set is empty
            if 1 <= slot <= day.total:
                slots[business].append(slot)
            else:
                fields.problems.append(
                    f"{fields.name('forbidden')}[{business}]: slot {slot} is not in "
                    f"1..{day.total} ({fields.name('nTotalSlots')})"
                )
    return slots


def _fixed_slots(fields: _Fields, meetings: int, day: _Day) -> list[int]:
    pins = [0] * (meetings + 1)
    values = fields.array("fixed", meetings, int)
    for meeting, slot in enumerate(values or [], start=1):
        if 0 <= slot <= day.total:
            pins[meeting] = slot
        else:
            fields.problems.append(
                f"{fields.name('fixed')}[{meeting}]: slot {slot} is not 0 (free) or in "
                f"1..{day.total} ({fields.name('nTotalSlots')})"
            )
    return pins


def _precedences(fields: _Fields, meetings: int) -> list[list[int]]:
    before: list[list[int]] = [[] for _ in range(meetings + 1)]
    sets = fields.array("precedences", meetings, frozenset)
    for meeting, earlier in enumerate(sets or [], start=1):
        for other in sorted(earlier):
            if other == meeting:
                fields.problems.append(
                    f"precedences[{meeting}]: meeting {meeting} cannot come before itself"
                )
            elif 1 <= other <= meetings:
                before[meeting].append(other)
            else:
                fields.problems.append(
                    f"precedences[{meeting}]: meeting {other} is not in 1..{meetings} "
                    f"({fields.name('nMeetings')})"
                )
    return before


# --------------------------------------------------------------------------- public API


def event_from_dzn_text(
    text: str, *, name: str, fairness: int = 2, source: str | None = None
) -> tuple[Event, SolveOptions]:
    """Build the event and the paper's solve options from B2B MiniZinc data text.

    Parameters
    ----------
    text
        The ``.dzn`` data (JAIR 2022 field names, or the older Catalan ones).
    name
        The event's name.
    fairness
        The paper's d: the most breaks of a participant minus the fewest is at most d.
    source
        File name used in error messages.

    Returns
    -------
    tuple[Event, SolveOptions]
        Every meeting required, goal ``breaks`` alone, ``max_break_spread = fairness`` and,
        when some business has no meetings, ``max_breaks = fairness`` (FORMAT.md section 5).

    Raises
    ------
    EventError
        When the text cannot be parsed or is inconsistent; each message names the field.
    """
    if isinstance(fairness, bool) or not isinstance(fairness, int) or fairness < 0:
        raise ValueError(f"fairness must be an integer >= 0, got {fairness!r}")
    values = parse_dzn(text, source=source)
    table_phase = [field for field in _LOCATION_PHASE if field in values]
    if table_phase:
        raise EventError(
            [
                f"{table_phase[0]}: this is a table-assignment (location phase) file of the "
                "CP 2014 work, with the timetable already given; only timetabling files "
                "(requested/demanades) can be read"
            ],
            source=source,
        )
    fields = _Fields(values)
    try:
        data, idle = _event_data(fields, name)
    except _Stop:
        raise EventError(fields.problems, source=source) from None
    except EventError as error:
        raise EventError(error.problems, source=source) from None
    try:
        event = Event.model_validate(data)
    except ValidationError as error:
        raise EventError.from_validation(error, source=source) from None
    options = SolveOptions(
        goals=[Goal.BREAKS],
        max_break_spread=fairness,
        max_breaks=fairness if idle else None,
    )
    return event, options


def read_dzn(path: str | os.PathLike[str], *, fairness: int = 2) -> tuple[Event, SolveOptions]:
    """Read a JAIR 2022 B2B benchmark file (MiniZinc ``.dzn``); the event is named after its stem.

    See :func:`event_from_dzn_text` for the parameters and the result.
    """
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) else "not UTF-8 text"
        raise EventError([f"cannot read .dzn file: {reason}"], source=str(file)) from None
    return event_from_dzn_text(text, name=file.stem, fairness=fairness, source=str(file))
