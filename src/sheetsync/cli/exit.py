"""What every command exits with: one table of codes, and one error for "cannot be used"."""

from __future__ import annotations

import click

EXIT_FINDINGS = 1
EXIT_UNREADABLE = 2  # a file, a cohort, a folder or a service cannot be used
# 3: part of the work could not be done; what was done is kept and the rest is tried again
# next run: some districts could not be read (pull; the master lists them), some reminders
# could not be sent (remind; listed).
EXIT_DISTRICTS_FAILED = 3
EXIT_NOT_SENT = EXIT_DISTRICTS_FAILED
EXIT_MASTER_LOCKED = 4  # pull: the store was saved but the master could not be written


class Failure(click.ClickException):
    """A message for the user, and exit code 2."""

    exit_code = EXIT_UNREADABLE


class Refused(Failure):
    """A command that would lose data as asked: it says how to ask, and exits 1."""

    exit_code = EXIT_FINDINGS
