"""The agenda report: one self-contained HTML page for organisers (no network, inline CSS and JS).

It shows the key figures (requests, scheduled, meetings and breaks per participant, table use
per slot), the tables x slots grid of every session, and one printable agenda per participant
with a search box. ``report.html#search=rossi`` opens the page filtered to matching agendas;
printing puts every shown agenda on its own page.
"""

from __future__ import annotations

from matchsched.adapters.report.html import render_report, write_report

__all__ = ["render_report", "write_report"]
