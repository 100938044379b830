"""What every command exits with: one table of codes, and one error for "cannot be used"."""

from __future__ import annotations

import click

EXIT_FINDINGS = 1
EXIT_UNREADABLE = 2  # a file, a cohort, a folder or a service cannot be used
EXIT_DISTRICTS_FAILED = 3  # pull: some districts could not be read (the master lists them)
EXIT_MASTER_LOCKED = 4  # pull: the store was saved but the master could not be written


class Failure(click.ClickException):
    """A message for the user, and exit code 2."""

    exit_code = EXIT_UNREADABLE
