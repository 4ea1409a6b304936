"""The HTML report: content and escaping, and the page in a real headless Chromium."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from matchsched import cli
from matchsched.adapters.json_io import write_event, write_schedule
from matchsched.adapters.report import render_report, write_report
from matchsched.model import Event
from matchsched.schedule import Schedule


def test_page_is_self_contained_and_escaped(
    organiser_event: Event, organiser_schedule: Schedule
) -> None:
    page = render_report(organiser_event, organiser_schedule)
    assert page.startswith("<!DOCTYPE html>")
    # No network: no external scripts, styles, images or fonts.
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)
    assert "@import" not in page and "url(" not in page
    # Names are text, never markup.
    assert "<script>alert(1)</script>" not in page
    assert "Carol &lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "Tiny &lt;Cluster&gt; Matchmaking" in page
    assert "Acme &amp; Sons" in page
    assert page.count('<article class="agenda"') == 4
    assert page.count("<script>") == 1


def test_page_shows_figures_grids_and_agendas(
    organiser_event: Event, organiser_schedule: Schedule
) -> None:
    page = render_report(organiser_event, organiser_schedule)
    assert '<div class="value">3 (75%)</div><div class="label">meetings scheduled</div>' in page
    assert "Tables in use: d1-am" in page and "1 / 3" in page
    assert '<td class="busy" colspan="2"' in page  # the two-slot meeting r3
    assert "lower priority conflict" in page
    dave = page.split('data-participant="dave"')[1].split("</article>")[0]
    assert "Wed 10 Jun 14:20–15:00" in dave and "hall, table 1" in dave
    assert "1 meeting, 0 breaks" in dave
    assert "Requested, not scheduled" in dave and "lower priority conflict" in dave
    alice = page.split('data-participant="alice"')[1].split("</article>")[0]
    assert "2 meetings, 1 break" in alice


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None,
    reason="Chromium is not installed (apt-get install chromium): the browser test is skipped",
)


def chromium(tmp_path: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    """Run headless Chromium with a fresh profile and no background network use."""
    assert CHROMIUM is not None
    profile = tmp_path / "chromium-profile"
    return subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--no-first-run",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            "--enable-logging=stderr",
            "--v=0",
            *arguments,
        ],
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )


def console_messages(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if ":CONSOLE" in line]


def visible_agendas(dom: str) -> list[str]:
    agendas = re.findall(r'<article class="agenda" data-participant="([^"]*)"([^>]*)>', dom)
    return [participant for participant, rest in agendas if "hidden" not in rest]


@needs_chromium
def test_search_in_the_browser_shows_only_matching_agendas(
    tmp_path: Path, organiser_event: Event, organiser_schedule: Schedule
) -> None:
    page = tmp_path / "report.html"
    write_report(organiser_event, organiser_schedule, page)

    run = chromium(tmp_path, "--dump-dom", f"{page.as_uri()}#search=Beta%20srl")
    assert run.returncode == 0, run.stderr[-2000:]
    assert 'data-ready="ok"' in run.stdout, run.stdout[:500]
    assert console_messages(run.stderr) == []
    assert visible_agendas(run.stdout) == ["bob", "carol"]
    assert "2 of 4 agendas shown" in run.stdout

    run = chromium(tmp_path, "--dump-dom", page.as_uri())
    assert 'data-ready="ok"' in run.stdout
    assert visible_agendas(run.stdout) == ["alice", "bob", "carol", "dave"]


@needs_chromium
def test_a_script_error_is_reported_by_the_page(
    tmp_path: Path, organiser_event: Event, organiser_schedule: Schedule
) -> None:
    # The ready flag is how the tests see errors: prove that it catches one.
    page = tmp_path / "broken.html"
    html = render_report(organiser_event, organiser_schedule)
    page.write_text(html.replace("input.value = fromAddress();", "noSuchFunction();", 1))
    run = chromium(tmp_path, "--dump-dom", page.as_uri())
    assert 'data-ready="error: Uncaught ReferenceError: noSuchFunction' in run.stdout
    assert console_messages(run.stderr) != []


def pdf_pages(path: Path) -> int:
    return len(re.findall(rb"/Type\s*/Page[^s]", path.read_bytes()))


@needs_chromium
def test_each_shown_agenda_prints_on_its_own_page(
    tmp_path: Path, organiser_event: Event, organiser_schedule: Schedule
) -> None:
    page = tmp_path / "report.html"
    write_report(organiser_event, organiser_schedule, page)
    pages = []
    for address in (page.as_uri(), f"{page.as_uri()}#search=beta%20srl"):
        pdf = tmp_path / "report.pdf"
        run = chromium(tmp_path, "--no-pdf-header-footer", f"--print-to-pdf={pdf}", address)
        assert run.returncode == 0, run.stderr[-2000:]
        pages.append(pdf_pages(pdf))
    # Four agendas, then two: two pages fewer, and at least one page besides the agendas.
    assert pages[0] - pages[1] == 2
    assert pages[1] >= 3


@needs_chromium
def test_screenshot(tmp_path: Path, organiser_event: Event, organiser_schedule: Schedule) -> None:
    page = tmp_path / "report.html"
    write_report(organiser_event, organiser_schedule, page)
    shot = tmp_path / "report.png"
    run = chromium(tmp_path, f"--screenshot={shot}", "--window-size=1280,2000", page.as_uri())
    assert run.returncode == 0, run.stderr[-2000:]
    assert shot.read_bytes().startswith(b"\x89PNG")
    assert shot.stat().st_size > 10_000


def test_cli_report_to_file_and_stdout(
    tmp_path: Path,
    organiser_event: Event,
    organiser_schedule: Schedule,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(cli, "COMMAND_MODULES", ["matchsched.cli.report"])
    write_event(organiser_event, tmp_path / "event.json")
    write_schedule(organiser_schedule, tmp_path / "schedule.json")
    inputs = [str(tmp_path / "event.json"), str(tmp_path / "schedule.json")]
    assert cli.main(["report", *inputs, "-o", str(tmp_path / "report.html")]) == 0
    assert (tmp_path / "report.html").read_text().startswith("<!DOCTYPE html>")
    capsys.readouterr()
    assert cli.main(["report", *inputs, "-o", "-"]) == 0
    assert capsys.readouterr().out.startswith("<!DOCTYPE html>")
    missing = str(tmp_path / "missing.json")
    assert cli.main(["report", inputs[0], missing, "-o", str(tmp_path / "x.html")]) == 2
    assert not (tmp_path / "x.html").exists()
