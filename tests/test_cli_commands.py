"""`sheetsync --help` lists each command from the summary its group declares (so listing them
imports none): each summary is the command's own, and the listing is click's."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from sheetsync.cli.cohort import cohort
from sheetsync.cli.commands import main
from sheetsync.cli.lazy import LazyGroup

GROUPS = [main, cohort]


@pytest.mark.parametrize("group", GROUPS, ids=lambda g: g.name)
def test_each_declared_summary_is_the_command_s_own(group: LazyGroup) -> None:
    for name, (_, summary) in group.lazy.items():
        command = group.load(name)
        assert summary == click.utils.make_default_short_help(command.help or "", 10**6), name


@pytest.mark.parametrize("group", GROUPS, ids=lambda g: g.name)
def test_the_listing_is_what_click_would_print(group: LazyGroup) -> None:
    ctx = click.Context(group)
    formatter = ctx.make_formatter()
    group.format_commands(ctx, formatter)
    ours = formatter.getvalue()
    formatter = ctx.make_formatter()
    click.Group.format_commands(group, ctx, formatter)  # loads every command
    assert ours == formatter.getvalue()
    assert "Commands:" in ours


def test_help_lists_every_command() -> None:
    out = CliRunner().invoke(main, ["--help"]).output
    for name in main.lazy:
        assert f"  {name} " in out, name
