"""``python -m kg`` runs the ``mmkg`` command line."""

from kg.cli import run

run()
