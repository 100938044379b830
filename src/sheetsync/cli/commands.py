"""The ``sheetsync`` command: a thin layer over the library, one module per command group.

Each command lives in its module (``cli.pull``, ``cli.check``, ...), imported when it runs:
``sheetsync --help`` reads the one-line summaries below and imports no command, and a pull
imports what a pull needs. ``tests/test_cli_commands.py`` holds each summary to its
command's own help.

Exit codes (``cli.exit``): 0 success; 1 the check found errors; 2 a file cannot be read or
the command was misused (or the store cannot be used, or written); 3 a pull could not read
some districts; 4 the master could not be written (locked, a full disk, or it would shrink).
"""

from __future__ import annotations

import click

from sheetsync import __version__
from sheetsync.cli.exit import (  # noqa: F401  (the exit codes are named from here too)
    EXIT_DISTRICTS_FAILED,
    EXIT_FINDINGS,
    EXIT_MASTER_LOCKED,
    EXIT_UNREADABLE,
)
from sheetsync.cli.lazy import LazyGroup

# name -> ("module:command", its one-line summary, as --help lists it)
COMMANDS = {
    "auth": ("sheetsync.cli.google:auth", "Google sign-in: who sheetsync reads Google Sheets as."),
    "check": ("sheetsync.cli.check:check",
              "Check one district's scorecard (or a school's plan) and show its statuses."),
    "cohort": ("sheetsync.cli.cohort:cohort", "Create and extend the cohort file (cohort.toml)."),
    "distribute": ("sheetsync.cli.distribute:distribute",
                   "Give every district its own copy of the template, shared with its contacts."),
    "example": ("sheetsync.cli.example:example",
                "Write example district workbooks and a cohort.toml into FOLDER."),
    "export": ("sheetsync.cli.export:export",
               "Write a scorecard in another body's format, or the store as tidy tables."),
    "history": ("sheetsync.cli.history:history",
                "The monthly snapshots the store keeps (the master's History sheet and trend)."),
    "master": ("sheetsync.cli.master:master", "The cohort master workbook."),
    "publish": ("sheetsync.cli.publish:publish",
                "Publish the month: the cohort report (HTML and PDF), every district's board "
                "report (PDF), the public site and an index, in OUT/YYYY-MM/; again, only "
                "what changed."),
    "pull": ("sheetsync.cli.pull:pull",
             "Read every district of the cohort and write the cohort master."),
    "remind": ("sheetsync.cli.remind:remind",
               "Remind every district whose monthly update is due and not submitted."),
    "report": ("sheetsync.cli.report:report",
               "Reports people read: a district's monthly status report, the cohort report, "
               "a site."),
    "rollover": ("sheetsync.cli.year:rollover",
                 "Draft next school year's scorecard from FILE (FILE is never changed)."),
    "rules": ("sheetsync.cli.check:rules",
              "List every rule a check applies, with its code and meaning."),
    "schema": ("sheetsync.cli.template:schema",
               "Show the template layout: sheets, columns, letters and types."),
    "serve": ("sheetsync.cli.serve:serve",
              "Pull on a schedule and serve the dashboard (/), the JSON API (/api/...) and "
              "metrics (/metrics)."),
    "store": ("sheetsync.cli.store:store",
              "The store: the copies kept before each pull, and bringing one back."),
    "template": ("sheetsync.cli.template:template",
                 "Write the District Scorecard template workbook (or create it as a Google "
                 "Sheet); with --level school, a school's improvement plan nested under its "
                 "district's goals."),
    "upgrade": ("sheetsync.cli.year:upgrade",
                "Rewrite FILE onto the current template, every value carried (FILE is never "
                "changed)."),
}


@click.group(cls=LazyGroup, lazy=COMMANDS,
             context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="sheetsync")  # the source's, not pip's metadata
def main() -> None:
    """District Scorecards: templates, checks, progress status and the monthly cohort pull."""
