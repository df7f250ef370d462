"""The command line: `newstui` and its subcommands (main.py), their handlers (commands.py)."""

from newstui.cli.main import main as main
