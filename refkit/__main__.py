"""``python -m refkit``: the command line."""

import sys

from refkit.cli import main

sys.exit(main())
