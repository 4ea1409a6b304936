"""``python -m matchsched.cli``."""

from matchsched.cli import run

run()
