"""Spreadsheets out: the timetable as a CSV meeting list and as an ``.xlsx`` workbook.

The workbook has a *Meetings* sheet (one row per meeting: date, time, table, attendees, for
planning interpreters and printing table signs) and one sheet per session with the session's
tables as rows and its slots as columns, attendee names in the cells.
"""

from __future__ import annotations

import csv
import io
import os
import re

from matchsched.adapters._timetable import (
    Names,
    grid,
    meeting_rows,
    slot_label,
    table_label,
)
from matchsched.adapters.files import atomic_write_bytes, atomic_write_text
from matchsched.model import Event
from matchsched.schedule import Schedule

__all__ = ["CSV_COLUMNS", "schedule_to_csv", "schedule_to_xlsx", "write_csv", "write_xlsx"]

CSV_COLUMNS = (
    "session",
    "slot",
    "length",
    "start",
    "end",
    "location",
    "table",
    "request",
    "attendees",
    "names",
    "organizations",
)
"""Columns of the CSV meeting list. ``start``/``end`` are ISO 8601 with the event's offset;
``attendees``, ``names`` and ``organizations`` list one entry per attendee, joined by ``"; "``."""


def schedule_to_csv(event: Event, schedule: Schedule) -> str:
    """The meeting list as CSV text (comma-separated, header row, time order)."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in meeting_rows(event, schedule):
        writer.writerow(
            [
                row.session,
                row.slot,
                row.length,
                row.start.isoformat(),
                row.end.isoformat(),
                row.location,
                row.table,
                row.request,
                "; ".join(row.attendees),
                "; ".join(row.names),
                "; ".join(row.organizations),
            ]
        )
    return buffer.getvalue()


def write_csv(event: Event, schedule: Schedule, path: str | os.PathLike[str]) -> None:
    """Write the meeting list as a UTF-8 CSV file (with a byte-order mark, so Excel reads it)."""
    atomic_write_text(path, "\ufeff" + schedule_to_csv(event, schedule))


def _sheet_title(text: str, taken: set[str]) -> str:
    # Excel sheet names: at most 31 characters, none of []:*?/\ , unique ignoring case.
    base = re.sub(r"[\[\]:*?/\\]", "-", text).strip("'")[:31] or "Sheet"
    title, number = base, 1
    while title.casefold() in taken:
        number += 1
        suffix = f" ({number})"
        title = base[: 31 - len(suffix)] + suffix
    taken.add(title.casefold())
    return title


def schedule_to_xlsx(event: Event, schedule: Schedule) -> bytes:
    """The timetable as an ``.xlsx`` workbook (bytes): a meeting list and one grid per session."""
    try:
        from openpyxl import Workbook
        from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
        from openpyxl.utils import get_column_letter
    except ImportError:  # pragma: no cover - depends on the installation
        raise ImportError(
            "writing .xlsx files needs openpyxl: pip install 'matchsched[spreadsheet]'"
        ) from None

    names = Names(event)
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    busy = PatternFill("solid", fgColor="DDEBF7")
    thin = Side(style="thin", color="999999")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)

    workbook = Workbook()
    taken: set[str] = set()
    sheet = workbook.active
    sheet.title = _sheet_title("Meetings", taken)
    sheet.append(
        [
            "Date",
            "Start",
            "End",
            "Session",
            "Location",
            "Table",
            "Attendees",
            "Organizations",
            "Request",
        ]
    )
    for cell in sheet[1]:
        cell.font = bold
    for row in meeting_rows(event, schedule):
        sheet.append(
            [
                row.start.date().isoformat(),
                row.start.strftime("%H:%M"),
                row.end.strftime("%H:%M"),
                row.session,
                row.location,
                row.table,
                "; ".join(row.names),
                "; ".join(row.organizations),
                row.request,
            ]
        )
    for column, width in zip("ABCDEFGHI", (11, 7, 7, 10, 14, 6, 40, 40, 24), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions

    for session in event.sessions:
        sheet = workbook.create_sheet(_sheet_title(session.id, taken))
        date_text = session.start.date().isoformat()
        sheet.append(
            [f"{session.id} ({date_text})"] + [slot_label(session, s) for s in range(session.slots)]
        )
        for cell in sheet[1]:
            cell.font = bold
        for row_number, ((location, table), meetings) in enumerate(
            grid(event, schedule, session).items(), start=2
        ):
            label = sheet.cell(row=row_number, column=1, value=table_label(location, table))
            label.font = bold
            for slot, meeting in meetings.items():
                cell = sheet.cell(
                    row=row_number,
                    column=slot + 2,
                    value="\n".join(names.with_organization(a) for a in meeting.attendees),
                )
                cell.alignment = wrap
                cell.fill = busy
                cell.border = box
                last = min(slot + meeting.length, session.slots) - 1
                if last > slot:
                    sheet.merge_cells(
                        start_row=row_number,
                        start_column=slot + 2,
                        end_row=row_number,
                        end_column=last + 2,
                    )
        sheet.column_dimensions["A"].width = 18
        for slot in range(session.slots):
            sheet.column_dimensions[get_column_letter(slot + 2)].width = 24
        sheet.freeze_panes = "B2"

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def write_xlsx(event: Event, schedule: Schedule, path: str | os.PathLike[str]) -> None:
    """Write the timetable workbook to ``path`` atomically."""
    atomic_write_bytes(path, schedule_to_xlsx(event, schedule))
