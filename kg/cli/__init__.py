"""The ``mmkg`` command line (also ``python -m kg``): one module per command group.

:mod:`~kg.cli.common` holds the group and what the commands share; :mod:`~kg.cli.building`,
:mod:`~kg.cli.querying`, :mod:`~kg.cli.exporting`, :mod:`~kg.cli.linking` and :mod:`~kg.cli.drafting` add
their commands to it.
:func:`run` turns the project's errors into one line and an exit status, in one place.
"""

from __future__ import annotations

import sys

import click

from kg.cli import building, drafting, exporting, linking, querying
from kg.cli.common import main, open_store, release_dir, remote_options, remote_store
from kg.errors import MmkgError, QuerySyntaxError

__all__ = ["building", "drafting", "exporting", "linking", "main", "open_store", "querying", "release_dir",
           "remote_options", "remote_store", "run"]


def run() -> None:
    """Entry point: the project's errors become one line on stderr and their ``exit_code``, never a traceback."""
    try:
        main(standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(1)
    except QuerySyntaxError as exc:
        click.echo(f"error: the query does not parse: {exc.message}", err=True)
        sys.exit(exc.exit_code)
    except MmkgError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(exc.exit_code)
