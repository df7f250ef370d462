"""`python -m newstui.cli`: the same as the `newstui` command."""

import sys

from newstui.cli import main

sys.exit(main())
