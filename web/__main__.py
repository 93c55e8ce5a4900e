"""``python -m web`` runs the full ``mmkg`` command line, ``serve`` included."""

from web.cli import run

run()
