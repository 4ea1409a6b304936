"""``python -m matchsched``."""

import sys

from matchsched.cli import main

sys.exit(main())
