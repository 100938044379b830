"""`sheetsync serve` and the store: a store that cannot be used is refused at start, as
every command refuses it; a cohort file cut short while it runs leaves the master whole."""

from __future__ import annotations

import sqlite3
import time

import pytest

from sheetsync.cohort.file import load_cohort
from sheetsync.pull.run import pull
from tests.helpers import AS_OF, free_port
from tests.serve_process import Service, copy_cohort, sheetsync

pytest.importorskip("starlette")


@pytest.mark.parametrize("harm", ["empty", "foreign"])
def test_serve_refuses_an_unusable_store_in_one_line_and_changes_nothing(
        examples, tmp_path, harm):
    """As every command does (exit 2, one line saying what to do); the unit in the README
    does not start it again and again on exit 2 (RestartPreventExitStatus=2)."""
    toml = copy_cohort(examples, tmp_path / "cohort")
    pull(load_cohort(toml), AS_OF)
    store = tmp_path / "cohort" / ".sheetsync" / "store.sqlite"
    if harm == "empty":
        store.write_bytes(b"")  # emptied by a copy gone wrong
    else:
        store.unlink()
        db = sqlite3.connect(store)
        db.execute("CREATE TABLE photos (id INTEGER)")
        db.commit()
        db.close()
    before = store.read_bytes()
    done = sheetsync("serve", "--port", str(free_port()), cwd=tmp_path / "cohort", timeout=60)
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), done.stderr
    assert {"empty": "is empty (0 bytes", "foreign": "is not a sheetsync store"}[harm] \
        in lines[0]
    assert "Traceback" not in done.stderr
    assert store.read_bytes() == before


def test_a_cohort_file_cut_short_while_serving_leaves_the_master_whole(examples, tmp_path):
    """A valid cohort.toml with [cohort] only, saved while the service runs: the next pull
    does not write a master of headers only; the log says why."""
    toml = copy_cohort(examples, tmp_path / "cohort")
    master = tmp_path / "cohort" / "cohort_master.xlsx"
    with Service(tmp_path / "cohort") as service:
        first = master.read_bytes()
        whole = toml.read_text(encoding="utf-8")
        toml.write_text(whole.split("\n[[district]]")[0] + "\n", encoding="utf-8")
        time.sleep(1.2)  # a new modification time for the reload to see
        pulled = service.pull()
        assert pulled["state"] == "done", pulled
        assert master.read_bytes() == first
        assert "master NOT written" in service.log() and "was not written again" in \
            service.log()
        toml.write_text(whole, encoding="utf-8")
        time.sleep(1.2)
        assert service.pull()["state"] == "done"
        assert master.read_bytes() == first  # built from the same store and cohort file
