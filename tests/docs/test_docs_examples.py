"""The Python examples in the docs run as written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[2] / "docs"
PAGES = ["api.md"]


def python_blocks(page: str) -> str:
    """All ```python blocks of a page, joined in order (later blocks use earlier names)."""
    text = (DOCS / page).read_text(encoding="utf-8")
    return "\n".join(re.findall(r"```python\n(.*?)```", text, flags=re.DOTALL))


@pytest.mark.parametrize("page", PAGES)
def test_examples_run(page: str, capsys: pytest.CaptureFixture[str]) -> None:
    code = python_blocks(page)
    assert code, f"{page} has no python examples"
    exec(compile(code, str(DOCS / page), "exec"), {"__name__": "docs_example"})
    printed = capsys.readouterr().out
    if page == "api.md":
        assert "unknown id 'zoe'" in printed
