"""Render the report page. Every text from the event or schedule goes through ``html.escape``."""

from __future__ import annotations

import os
from collections import Counter
from datetime import datetime
from html import escape
from importlib import resources

from matchsched.adapters._timetable import (
    Names,
    breaks_per_participant,
    grid,
    local,
    meetings_per_participant,
    slot_label,
    table_label,
    tables_available,
    tables_in_use,
)
from matchsched.adapters.files import atomic_write_text
from matchsched.model import Event
from matchsched.schedule import Meeting, Schedule


def _asset(name: str) -> str:
    return resources.files("matchsched.adapters.report").joinpath(name).read_text("utf-8")


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def _time_range(start: datetime, end: datetime) -> str:
    return f"{start:%a %d %b %H:%M}–{end:%H:%M}"


def _card(value: object, label: str) -> str:
    return (
        f'<div class="card"><div class="value">{_e(value)}</div>'
        f'<div class="label">{_e(label)}</div></div>'
    )


def _bars(title: str, rows: list[tuple[str, int, str]], largest: int) -> str:
    """A horizontal bar chart as a table: (label, value, text shown at the end)."""
    lines = [f'<div class="chart"><h3>{_e(title)}</h3><table class="bars">']
    for label, value, text in rows:
        width = 0.0 if largest <= 0 else 100.0 * value / largest
        zero = " zero" if value == 0 else ""
        lines.append(
            f'<tr><td class="key">{_e(label)}</td><td class="bar">'
            f'<div class="bar-fill{zero}" style="width:{width:.1f}%"></div></td>'
            f'<td class="num">{_e(text)}</td></tr>'
        )
    lines.append("</table></div>")
    return "\n".join(lines)


def _plural(number: int, word: str) -> str:
    return f"{number} {word}" if number == 1 else f"{number} {word}s"


def _distribution(title: str, unit: str, values: dict[str, int]) -> str:
    counts = Counter(values.values())
    largest = max(counts.values(), default=0)
    rows = [
        (_plural(k, unit), counts[k], _plural(counts[k], "participant"))
        for k in range(max(values.values(), default=0) + 1)
    ]
    return _bars(title, rows, largest)


def _figures(event: Event, schedule: Schedule) -> str:
    meetings = meetings_per_participant(event, schedule)
    breaks = breaks_per_participant(event, schedule)
    requests = len(event.requests)
    scheduled = len(schedule.meetings)
    share = f" ({100 * scheduled / requests:.0f}%)" if requests else ""
    cards = [
        _card(len(event.participants), "participants"),
        _card(requests, "requests"),
        _card(f"{scheduled}{share}", "meetings scheduled"),
        _card(len(schedule.unscheduled), "requests not scheduled"),
        _card(sum(1 for n in meetings.values() if n == 0), "participants without a meeting"),
        _card(sum(breaks.values()), "breaks in total"),
    ]
    objective = schedule.objective
    if objective is not None:
        bound = objective.scheduled_priority_bound
        cards.append(
            _card(
                f"{objective.scheduled_priority}" + (f" / {bound}" if bound is not None else ""),
                "scheduled priority" + (" / bound" if bound is not None else ""),
            )
        )
        cards.append(_card(objective.table_changes, "table changes"))
    parts = [
        '<section id="figures"><h2>Key figures</h2>',
        f'<div class="cards">{"".join(cards)}</div>',
        '<div class="charts">',
        _distribution("Meetings per participant", "meeting", meetings),
        _distribution("Breaks per participant", "break", breaks),
    ]
    for session in event.sessions:
        available = tables_available(event, session)
        busy = tables_in_use(event, schedule, session)
        rows = [
            (slot_label(session, slot), used, f"{used} / {available}")
            for slot, used in enumerate(busy)
        ]
        parts.append(
            _bars(f"Tables in use: {session.id}", rows, max(available, max(busy, default=0)))
        )
    parts.append("</div>")
    if schedule.unscheduled:
        reasons = Counter(item.reason.value for item in schedule.unscheduled)
        parts.append('<h3>Why requests are not scheduled</h3><table class="list">')
        parts.append("<tr><th>Reason</th><th>Requests</th></tr>")
        for reason, number in reasons.most_common():
            parts.append(f"<tr><td>{_e(reason.replace('_', ' '))}</td><td>{number}</td></tr>")
        parts.append("</table>")
    parts.append("</section>")
    return "\n".join(parts)


def _timetables(event: Event, schedule: Schedule, names: Names) -> str:
    parts = ['<section id="timetables"><h2>Timetables</h2>']
    for session in event.sessions:
        parts.append(
            f'<h3>{_e(session.id)} <span class="muted">{session.start:%a %d %b %Y}</span></h3>'
        )
        parts.append('<div class="scroll"><table class="grid">')
        header = "".join(f"<th>{_e(slot_label(session, s))}</th>" for s in range(session.slots))
        parts.append(f"<tr><th>Table</th>{header}</tr>")
        for (location, table), meetings in grid(event, schedule, session).items():
            cells = [f"<th>{_e(table_label(location, table))}</th>"]
            slot = 0
            while slot < session.slots:
                meeting = meetings.get(slot)
                if meeting is None:
                    cells.append("<td></td>")
                    slot += 1
                    continue
                span = max(1, min(meeting.length, session.slots - slot))
                people = "".join(f"<span>{_e(names.person(a))}</span>" for a in meeting.attendees)
                colspan = f' colspan="{span}"' if span > 1 else ""
                title = _e(f"request {meeting.request}")
                cells.append(f'<td class="busy"{colspan} title="{title}">{people}</td>')
                slot += span
            parts.append(f"<tr>{''.join(cells)}</tr>")
        parts.append("</table></div>")
    parts.append("</section>")
    return "\n".join(parts)


def _agendas(event: Event, schedule: Schedule, names: Names) -> str:
    meetings = meetings_per_participant(event, schedule)
    breaks = breaks_per_participant(event, schedule)
    unscheduled = {item.request: item for item in schedule.unscheduled}
    waiting: dict[str, list[str]] = {}
    for request in event.requests:
        item = unscheduled.get(request.id)
        if item is None:
            continue
        for party in request.participants:
            members = (
                [p.id for p in event.members(party)] if event.is_organization(party) else [party]
            )
            others = [names.with_organization(o) for o in request.participants if o != party]
            for member in members:
                waiting.setdefault(member, []).append(
                    f"{', '.join(others)}: {item.reason.value.replace('_', ' ')}"
                )
    parts = [
        '<section id="agendas"><h2>Agendas</h2>',
        '<div class="controls"><label>Search participant '
        '<input id="search" type="search" placeholder="name, organization or id" '
        'autocomplete="off"></label><span id="shown-count" class="count"></span>'
        '<button id="print-agendas" type="button">Print shown agendas</button></div>',
    ]
    for participant in event.participants:
        name = names.person(participant.id)
        organization = names.organization(participant.id)
        search = " ".join(filter(None, (name, organization, participant.id))).lower()
        agenda: list[Meeting] = schedule.agenda(participant.id)
        who = " · ".join(filter(None, (organization, participant.id)))
        count = meetings[participant.id]
        summary = f"{_plural(count, 'meeting')}, {_plural(breaks.get(participant.id, 0), 'break')}"
        parts.append(
            f'<article class="agenda" data-participant="{_e(participant.id)}" '
            f'data-search="{_e(search)}">'
            f'<h3>{_e(name)}</h3><p class="who">{_e(who)} — {_e(summary)}</p>'
        )
        if agenda:
            parts.append(
                '<table class="list"><tr><th>Time</th><th>Table</th><th>With</th>'
                "<th>Organization</th></tr>"
            )
            for meeting in agenda:
                others = [a for a in meeting.attendees if a != participant.id]
                when = _time_range(local(meeting.start, event), local(meeting.end, event))
                parts.append(
                    f"<tr><td>{_e(when)}</td>"
                    f"<td>{_e(table_label(meeting.location, meeting.table))}</td>"
                    f"<td>{'<br>'.join(_e(names.person(o)) for o in others)}</td>"
                    f"<td>{'<br>'.join(_e(names.organization(o)) for o in others)}</td></tr>"
                )
            parts.append("</table>")
        else:
            parts.append('<p class="none">No meetings.</p>')
        if participant.id in waiting:
            items = "".join(f"<li>{_e(text)}</li>" for text in waiting[participant.id])
            parts.append(
                '<p class="unscheduled">Requested, not scheduled:</p>'
                f'<ul class="unscheduled">{items}</ul>'
            )
        parts.append("</article>")
    parts.append("</section>")
    return "\n".join(parts)


def render_report(event: Event, schedule: Schedule, *, generated: datetime | None = None) -> str:
    """The report page as HTML text.

    Parameters
    ----------
    generated
        Time shown as "generated at"; omit it for a page without one (reproducible output).
    """
    names = Names(event)
    status = schedule.status.value
    subtitle = [f"Schedule status: {status}", f"time zone {event.timezone}"]
    if generated is not None:
        subtitle.append(f"generated {generated:%Y-%m-%d %H:%M}")
    title = f"{event.name} — meeting report"
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en">',
            "<head>",
            '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{_e(title)}</title>",
            f"<style>\n{_asset('report.css')}</style>",
            "</head>",
            '<body data-ready="loading">',
            f'<header class="page"><h1>{_e(event.name)}</h1>'
            f"<p>{_e(' · '.join(subtitle))}</p></header>",
            '<nav><a href="#figures">Key figures</a><a href="#timetables">Timetables</a>'
            '<a href="#agendas">Agendas</a></nav>',
            "<main>",
            _figures(event, schedule),
            _timetables(event, schedule, names),
            _agendas(event, schedule, names),
            "</main>",
            f"<script>\n{_asset('report.js')}</script>",
            "</body>",
            "</html>",
            "",
        ]
    )


def write_report(
    event: Event,
    schedule: Schedule,
    path: str | os.PathLike[str],
    *,
    generated: datetime | None = None,
) -> None:
    """Write the report page to ``path`` atomically."""
    atomic_write_text(path, render_report(event, schedule, generated=generated))
