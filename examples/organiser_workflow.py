"""An organiser's workflow: spreadsheets in, timetable, report, calendars and spreadsheet out.

Input (``examples/organiser/``): ``settings.json`` (event name, time zone, sessions, tables),
``participants.csv`` and ``requests.csv`` as a matchmaking platform exports them.

Run::

    python examples/organiser_workflow.py            # writes into out/
    python examples/organiser_workflow.py my-folder  # or elsewhere

Output: ``event.json``, ``schedule.json``, ``report.html``, ``timetable.xlsx``,
``meetings.csv``, ``calendars/<participant id>.ics`` and ``plots/*.png``.

``--docs-images DIR`` also copies the plots to DIR and, when Chromium is installed, takes a
screenshot of the report there (``report.png``); the images of ``docs/organisers.md`` are
made with ``--docs-images docs/img``.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import matchsched
from matchsched.adapters.ical import write_calendars
from matchsched.adapters.plot import write_plots
from matchsched.adapters.report import write_report
from matchsched.adapters.spreadsheet import import_event
from matchsched.adapters.tabular import write_csv, write_xlsx

HERE = Path(__file__).parent / "organiser"


def screenshot(page: Path, target: Path) -> bool:
    """A 1280 x 2000 screenshot of ``page`` with headless Chromium; False without Chromium."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        return False
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [
                browser,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--no-first-run",
                "--disable-component-update",
                "--disable-sync",
                f"--user-data-dir={profile}",
                f"--screenshot={target.resolve()}",
                "--window-size=1280,2000",
                page.resolve().as_uri(),
            ],
            capture_output=True,
            timeout=120,
            check=True,
        )
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", nargs="?", default="out", help="output folder (default: out)")
    parser.add_argument("--time-limit", type=float, default=10.0, help="seconds (default 10)")
    parser.add_argument("--docs-images", metavar="DIR", help="also write the docs images here")
    arguments = parser.parse_args(argv)
    out = Path(arguments.out)

    # 1. Import: one settings file and the platform's tables. Bad rows stop the import;
    #    skip_bad_rows=True would load the rest and list them in imported.problems.
    imported = import_event(
        [HERE / "settings.json", HERE / "participants.csv", HERE / "requests.csv"]
    )
    for note in imported.notes:
        print(f"note: {note}")
    event = imported.event
    matchsched.write_event(event, out / "event.json")
    print(
        f"imported {len(event.participants)} participants, {len(event.organizations)} "
        f"organizations, {len(event.requests)} requests"
    )

    # 2. Solve, and check the answer with the independent checker.
    options = matchsched.SolveOptions(time_limit=arguments.time_limit)
    result = matchsched.solve(event, options)
    schedule = result.schedule
    if not result.status.has_schedule:
        print(f"no schedule: {result.status.value}", file=sys.stderr)
        return 1
    violations = matchsched.check(event, schedule)
    if violations:
        print(f"the checker found {len(violations)} violation(s)", file=sys.stderr)
        return 1
    matchsched.write_schedule(schedule, out / "schedule.json")
    print(
        f"{result.status.value}: {len(schedule.meetings)} meetings, "
        f"{len(schedule.unscheduled)} requests not scheduled"
    )

    # 3. Everything the organisers and participants need.
    write_report(event, schedule, out / "report.html")
    write_xlsx(event, schedule, out / "timetable.xlsx")
    write_csv(event, schedule, out / "meetings.csv")
    calendars = write_calendars(event, schedule, out / "calendars")
    plots = write_plots(event, schedule, out / "plots", progress=result.progress)
    print(
        f"wrote report.html, timetable.xlsx, meetings.csv, {len(calendars)} calendars and "
        f"{len(plots)} plots into {out}/"
    )

    if arguments.docs_images:
        images = Path(arguments.docs_images)
        images.mkdir(parents=True, exist_ok=True)
        for plot in plots:
            shutil.copyfile(plot, images / plot.name)
        if screenshot(out / "report.html", images / "report.png"):
            print(f"docs images in {images}/")
        else:
            print("Chromium not found: no report screenshot", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
