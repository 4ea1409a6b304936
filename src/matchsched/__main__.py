"""``python -m matchsched``."""

from matchsched.cli import run

run()
