"""``python -m matchsched.cli``."""

import sys

from matchsched.cli import main

sys.exit(main())
