"""``python -m newscrawl.distributed``: the seed/status/reset command line."""

import sys

from newscrawl.distributed.cli import main

sys.exit(main())
