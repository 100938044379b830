"""What every command exits with: one table of codes, one error for "cannot be used", and
the one place a library error becomes that error (``Group`` and ``Command`` below).

The library raises ``SheetsyncError`` (``errors.py``), whose message says what is wrong and
where; a command lets it through, and ``invoke`` here prints the message and exits 2. A
command catches one itself only to say more (``pull``: "Nothing was pulled.").
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click

from sheetsync.errors import SheetsyncError

EXIT_FINDINGS = 1
EXIT_UNREADABLE = 2  # a file, a cohort, a folder, the store or a service cannot be used;
# also a store write the disk refused (nothing of that run was saved)
# 3: part of the work could not be done; what was done is kept and the rest is tried again
# next run: some districts could not be read (pull; the master lists them), some reminders
# could not be sent (remind; listed).
EXIT_DISTRICTS_FAILED = 3
EXIT_NOT_SENT = EXIT_DISTRICTS_FAILED
EXIT_CANNOT_OPEN = EXIT_DISTRICTS_FAILED  # auth check: some districts cannot be opened
EXIT_NOT_ROLLED = EXIT_DISTRICTS_FAILED  # cohort rollover: some districts not rolled over
# 4: pull (and history drop): the store was saved but the master could not be written: open
# in another program, a full disk, or it would show fewer districts or months than it does.
EXIT_MASTER_LOCKED = 4
EXIT_MASTER_NOT_WRITTEN = EXIT_MASTER_LOCKED


class Failure(click.ClickException):
    """A message for the user, and exit code 2."""

    exit_code = EXIT_UNREADABLE


class Refused(Failure):
    """A command that would lose data as asked: it says how to ask, and exits 1."""

    exit_code = EXIT_FINDINGS


@contextmanager
def library_errors() -> Iterator[None]:
    """A ``SheetsyncError`` raised inside becomes a ``Failure`` with its message."""
    try:
        yield
    except SheetsyncError as exc:
        raise Failure(str(exc)) from None


class Command(click.Command):
    r"""A sheetsync command: run on its own (as the tests do), its library errors are said
    as ``Failure``\ s, as under the ``sheetsync`` group."""

    def invoke(self, ctx: click.Context) -> Any:
        with library_errors():
            return super().invoke(ctx)


class Group(click.Group):
    """A sheetsync command group (``sheetsync`` itself and each group under it): every
    command run under it says a library error as a ``Failure``; its commands and groups
    are ``Command`` and ``Group``."""

    command_class = Command
    group_class = type  # a group's groups are of its class

    def invoke(self, ctx: click.Context) -> Any:
        with library_errors():
            return super().invoke(ctx)
