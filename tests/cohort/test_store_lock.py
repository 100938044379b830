"""One writer of the store at a time: `pull` and `remind --send` hold store.lock (an
operating-system lock beside store.sqlite), whichever process runs them (the CLI or
`sheetsync serve`); the next one is refused at once, naming the holder."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from sheetsync.cli.commands import main
from sheetsync.cohort.file import load_cohort
from sheetsync.cohort.store import store_lock
from sheetsync.errors import Busy
from sheetsync.pull.run import pull
from sheetsync.remind import remind
from tests.helpers import AS_OF
from tests.serve_process import copy_cohort

HOLD = """
import sys, time
from pathlib import Path
from sheetsync.cohort.store import store_lock
with store_lock(Path(sys.argv[1]), "pull"):
    print("held", flush=True)
    time.sleep(600)
"""


@pytest.fixture
def cohort(examples: Path, tmp_path: Path) -> Path:
    toml = copy_cohort(examples, tmp_path / "cohort")
    pull(load_cohort(toml), AS_OF)
    return toml


def store_of(toml: Path) -> Path:
    return toml.parent / ".sheetsync" / "store.sqlite"


def test_a_pull_is_refused_while_another_process_pulls(cohort: Path) -> None:
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(store_of(cohort))],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        with pytest.raises(Busy) as refused:
            pull(load_cohort(cohort), AS_OF)
        assert f"process {holder.pid}, pull, since " in str(refused.value)
        assert "wait for it to finish, then run this pull again" in str(refused.value)
        result = CliRunner().invoke(main, ["pull", "--cohort", str(cohort)])
        assert result.exit_code == 2 and "already using" in result.output
    finally:
        holder.kill()
        holder.wait()


def test_a_killed_holder_leaves_no_lock_behind(cohort: Path) -> None:
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(store_of(cohort))],
                              stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None and holder.stdout.readline() == "held\n"
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait()
    time.sleep(0.1)
    assert pull(load_cohort(cohort), AS_OF).totals()["districts"] == 6


def test_reminders_are_sent_only_when_no_pull_runs(cohort: Path, tmp_path: Path) -> None:
    c = load_cohort(cohort)
    with store_lock(store_of(cohort), "pull"):
        with pytest.raises(Busy, match="remind --send again"):
            remind(c, date(2027, 1, 5), send=True, transport=object())  # type: ignore[arg-type]
        drafts = remind(c, date(2027, 1, 5), outbox=tmp_path / "out")  # drafts need no lock
    assert drafts.month == "2026-12" and not drafts.send


def test_the_lock_is_let_go_after_each_pull(cohort: Path) -> None:
    c = load_cohort(cohort)
    pull(c, AS_OF)
    with store_lock(store_of(cohort), "test"):
        pass
    pull(c, AS_OF)
