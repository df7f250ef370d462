"""The command line: `newstui` and its subcommands (main.py), their handlers (commands.py).

The command's modules are imported with Python's cycle collector paused (and it is put back as
it was): what they build (classes, functions, tables) lives as long as the process, so the
collections that ran while they loaded found nothing to free. The reader keeps it paused until
its first paint (main.py's `_reader`); with the UI's imports, that was ~50 ms of an empty
library's ~400 ms of CPU until the first frame, ~80 ms at 20,000 feeds.
"""

import gc

_collecting = gc.isenabled()
gc.disable()
try:
    from newstui.cli.main import main as main
finally:
    if _collecting:
        gc.enable()
