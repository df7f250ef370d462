"""`python -m newstui.cli`: the same as the `newstui` command."""

import sys

from newstui.cli.main import main

sys.exit(main())
