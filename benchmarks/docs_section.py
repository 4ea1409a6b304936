"""Write one benchmark's section of docs/benchmarks.md, keeping the other sections."""

from __future__ import annotations

import datetime
import os
import platform
import sys
from pathlib import Path

BENCHMARKS_MD = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"
HEADER = """# Benchmarks

Measured, not asserted: each section below is written by a program in `benchmarks/`, with the
exact command that produced it, the machine and the date. Every schedule behind these figures
passed the independent checker (`matchsched.check`).
"""


def cpu_model() -> str:
    """The CPU's model name, from /proc/cpuinfo where there is one."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def machine() -> str:
    """A one-line description of this machine."""
    return f"{os.cpu_count()} cores ({cpu_model()}), Python {platform.python_version()}"


def command() -> str:
    """The command line that is running, as one would type it."""
    return "python " + " ".join(sys.argv)


def stamp() -> str:
    """Command, machine and date, for the top of a section."""
    today = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d")
    return f"Command: `{command()}`  \nMachine: {machine()}  \nDate: {today}\n"


def write_section(name: str, body: str, path: Path = BENCHMARKS_MD) -> None:
    """Replace (or append) the section between ``<!-- name:begin -->`` and ``<!-- name:end -->``."""
    begin, end = f"<!-- {name}:begin -->", f"<!-- {name}:end -->"
    text = path.read_text(encoding="utf-8") if path.exists() else HEADER
    block = f"{begin}\n{body.rstrip()}\n{end}"
    if begin in text and end in text:
        before, rest = text.split(begin, 1)
        after = rest.split(end, 1)[1]
        text = before + block + after
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
