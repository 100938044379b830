"""The store protects itself: checked when opened (an empty, damaged, foreign or newer store
is refused, with what to do, by every command that reads it), a copy kept before each pull
that writes it, and `sheetsync store restore` to bring one back."""

from __future__ import annotations

import os
import re
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from sheetsync.cli.commands import main
from sheetsync.cohort.store import KEEP_COPIES, SCHEMA_VERSION, Store, copies
from sheetsync.errors import SheetsyncError, StoreNotWritten, StoreUnusable
from tests.stores import older_store

# Every command that reads the store, as a user types it (the cohort file is appended).
READERS = [
    ("pull", "--as-of", "2027-01-20", "--any-date"),
    ("master", "rebuild"),
    ("history", "show", "--district", "KY-001", "--measure", "M1"),
    ("history", "drop", "--month", "2027-01"),
    ("remind", "--as-of", "2027-01-20"),
    ("report", "cohort", "-o", "out.html"),
]


@pytest.fixture
def cohort_dir(pulled_dir: Path) -> Path:
    """The example cohort pulled once (its store, a master), copied for this test."""
    return pulled_dir


def store_of(folder: Path) -> Path:
    return folder / ".sheetsync" / "store.sqlite"


def run(folder: Path, *args: str):
    return CliRunner().invoke(main, [*args, "--cohort", str(folder / "cohort.toml")],
                              catch_exceptions=False)


def empty(path: Path) -> None:
    path.write_bytes(b"")  # a sync client's copy gone wrong


def damage(path: Path) -> None:
    """Bytes in the middle of the file overwritten, the header left as it was."""
    data = bytearray(path.read_bytes())
    page = 4096
    for at in range(page * 2, len(data) - page, page * 3):
        data[at:at + 600] = os.urandom(600)
    path.write_bytes(bytes(data))


def truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3])


def foreign(path: Path) -> None:
    path.unlink()
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE photos (id INTEGER PRIMARY KEY, name TEXT)")
    db.commit()
    db.close()


def newer(path: Path) -> None:
    db = sqlite3.connect(path)
    db.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'",
               (str(SCHEMA_VERSION + 1),))
    db.commit()
    db.close()


HARM = {"empty": (empty, "is empty (0 bytes"), "damaged": (damage, "is damaged"),
        "truncated": (truncate, "is damaged"),
        "foreign": (foreign, "is not a sheetsync store"),
        "newer": (newer, "was written by a newer sheetsync")}


@pytest.mark.parametrize("harm", list(HARM))
def test_a_harmed_store_is_refused_by_every_command_that_reads_it(cohort_dir, harm):
    store = store_of(cohort_dir)
    HARM[harm][0](store)
    before = store.read_bytes()
    master = (cohort_dir / "cohort_master.xlsx").read_bytes()
    for args in READERS:
        result = run(cohort_dir, *args)
        assert result.exit_code == 2, (args, result.output)
        assert HARM[harm][1] in result.output, (args, result.output)
        assert "Traceback" not in result.output
        assert result.output.startswith("Error: "), result.output
    assert store.read_bytes() == before  # refused: never written to
    assert (cohort_dir / "cohort_master.xlsx").read_bytes() == master


def test_the_refusal_says_how_to_bring_the_store_back(cohort_dir):
    os.utime(cohort_dir / "districts" / "adair.xlsx")  # a pull with something to write
    assert run(cohort_dir, "pull", "--as-of", "2027-01-20", "--any-date", "--reread"
               ).exit_code == 0
    empty(store_of(cohort_dir))
    said = run(cohort_dir, "pull", "--as-of", "2027-01-20", "--any-date").output
    assert "`sheetsync store restore --list` lists the copies kept before each pull" in said
    assert "`sheetsync store restore` brings back the newest" in said


def test_with_no_copy_the_refusal_says_what_is_lost(tmp_path):
    path = tmp_path / ".sheetsync" / "store.sqlite"
    path.parent.mkdir()
    empty(path)
    with pytest.raises(StoreUnusable, match=r"no copy of it was kept.*months it held"):
        Store(path)


def test_an_older_store_is_brought_up_to_date_one_numbered_step_at_a_time(tmp_path):
    path = older_store(tmp_path / "store.sqlite", 1)
    db = sqlite3.connect(path)
    db.execute("INSERT INTO outcomes VALUES ('KY-1', 'A', 'a.xlsx', 1, NULL, NULL, NULL, NULL, "
               "'2027-01-20', NULL, '2027-01-20', '{}', NULL, NULL)")
    db.commit()
    db.close()
    with Store(path) as store:
        assert store.meta("schema_version") == str(SCHEMA_VERSION)
        (o,) = store.outcomes()
        assert o.district_id == "KY-1" and o.ok and not o.kept and o.findings == []
        assert store.state  # a store with data gets a state, so a copy can be kept of it


def test_kept_is_a_column_not_a_search_of_the_findings_text(tmp_path):
    """A failed read whose reason mentions source-older is not `kept`."""
    path = older_store(tmp_path / "store.sqlite", 3)
    db = sqlite3.connect(path)
    row = "'2027-01-20', NULL, '2027-01-20', '{}', NULL, NULL"
    older = '[{"code": "source-older", "message": "older"}]'
    said = '[{"code": "district-id-mismatch", "message": "not source-older"}]'
    db.execute(f"INSERT INTO outcomes VALUES ('KY-1', 'A', 'a', 1, NULL, NULL, NULL, NULL, "
               f"{row}, ?)", (older,))
    db.execute(f"INSERT INTO outcomes VALUES ('KY-2', 'B', 'b', 1, NULL, NULL, NULL, NULL, "
               f"{row}, ?)", (said,))
    db.commit()
    db.close()
    with Store(path) as store:
        assert {o.district_id: o.kept for o in store.outcomes()} == {"KY-1": True,
                                                                     "KY-2": False}


def test_the_store_is_written_only_inside_a_transaction(tmp_path):
    with Store(tmp_path / "store.sqlite") as store:
        with pytest.raises(SheetsyncError, match=re.escape("inside `with store.transaction")):
            store.set_meta("x", "1")
        assert store.meta("x") is None


def test_a_write_the_disk_refuses_is_rolled_back_and_said(cohort_dir):
    with Store(store_of(cohort_dir)) as store:
        months = store.months()
        pages = store.db.execute("PRAGMA page_count").fetchone()[0]
        store.db.execute(f"PRAGMA max_page_count = {pages}")  # SQLite's own "disk full"
        with pytest.raises(StoreNotWritten, match=r"is as it was before\. Free space"), \
                store.transaction():
            store.drop_month(months[-1])
            for i in range(2000):
                store.set_meta(f"filler{i}", "x" * 2000)
        assert store.months() == months


# -- copies kept before each pull, and `store restore` -----------------------------------


def changed_pull(folder: Path) -> None:
    result = run(folder, "pull", "--as-of", "2027-01-20", "--any-date", "--reread")
    assert result.exit_code == 0, result.output


def test_a_copy_is_kept_before_each_pull_that_changes_the_store_and_pruned(cohort_dir):
    store = store_of(cohort_dir)
    assert copies(store) == []  # the first pull: nothing to keep yet
    changed_pull(cohort_dir)
    assert len(copies(store)) == 1  # the store as the first pull left it
    assert run(cohort_dir, "pull", "--as-of", "2027-01-20", "--any-date").exit_code == 0
    kept = copies(store)
    assert len(kept) == 2  # ... and as the re-read left it
    assert run(cohort_dir, "pull", "--as-of", "2027-01-20", "--any-date").exit_code == 0
    assert copies(store) == kept  # nothing changed since: the same state is not kept twice
    for _ in range(KEEP_COPIES + 1):
        changed_pull(cohort_dir)
    assert len(copies(store)) == KEEP_COPIES
    assert [c.number for c in copies(store)] == list(range(1, KEEP_COPIES + 1))


def test_store_restore_brings_back_a_copy_and_keeps_the_damaged_store(cohort_dir):
    store = store_of(cohort_dir)
    changed_pull(cohort_dir)
    with Store(store) as s:
        months = s.months()
    damage(store)
    listed = run(cohort_dir, "store", "restore", "--list")
    assert listed.exit_code == 0
    assert listed.output.startswith("1  ") and "1 pulls, 2027-01 to 2027-01" in listed.output
    restored = run(cohort_dir, "store", "restore")
    assert restored.exit_code == 0, restored.output
    assert "Restored copy 1" in restored.output and "master rebuild --force" in restored.output
    replaced = list((cohort_dir / ".sheetsync" / "backups").glob("replaced-*.sqlite"))
    assert len(replaced) == 1  # the damaged store moved aside, never deleted
    with Store(store) as s:
        assert s.months() == months
    assert run(cohort_dir, "master", "rebuild", "--force").exit_code == 0
    again = run(cohort_dir, "pull", "--as-of", "2027-01-20", "--any-date")
    assert again.exit_code == 0, again.output


def test_store_restore_of_a_copy_that_is_not_there_says_which_are(cohort_dir):
    changed_pull(cohort_dir)
    result = run(cohort_dir, "store", "restore", "7")
    assert result.exit_code == 2 and "There is no copy 7: 1 are kept" in result.output


def test_a_pull_that_cannot_keep_its_copy_does_not_write_the_store(cohort_dir, monkeypatch):
    os.utime(cohort_dir / "districts" / "adair.xlsx")
    changed_pull(cohort_dir)
    before = store_of(cohort_dir).read_bytes()

    real = sqlite3.connect

    def small_disk(path, *args, **kwargs):  # the copy's file cannot grow past 2 pages
        db = real(path, *args, **kwargs)
        if str(path).endswith(".partial"):
            db.execute("PRAGMA max_page_count = 2")
        return db

    monkeypatch.setattr(sqlite3, "connect", small_disk)
    result = run(cohort_dir, "pull", "--as-of", "2027-01-20", "--any-date", "--reread")
    assert result.exit_code == 2
    assert "the copy of the store kept before each pull could not be written" in result.output
    assert "disk may be full" in result.output and "Nothing was pulled" in result.output
    assert store_of(cohort_dir).read_bytes() == before
    assert not list((cohort_dir / ".sheetsync" / "backups").glob(".*partial"))
