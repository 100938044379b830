"""A file saved again as it was (or copied, or touched by a sync) has a new fingerprint and
the same content: the pull hashes it to know, reuses its read, and keeps its new
fingerprint, so the next pull does not hash it again. A real change is still read."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import openpyxl
import pytest

from sheetsync.cohort.file import load_cohort
from sheetsync.pull.run import pull
from sheetsync.read.sources import LocalSource
from tests.helpers import AS_OF


def outcome(folder: Path, district_id: str) -> dict:
    with sqlite3.connect(folder / ".sheetsync" / "store.sqlite") as db:
        db.row_factory = sqlite3.Row
        row = db.execute("SELECT * FROM outcomes WHERE district_id = ?",
                         (district_id,)).fetchone()
    return dict(row)


def test_a_touched_file_is_hashed_once(cohort_dir: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    cohort = load_cohort(cohort_dir / "cohort.toml")
    pull(cohort, AS_OF)
    entry = next(d for d in cohort.districts if d.source.endswith("adair.xlsx"))
    target = cohort.folder / entry.source
    before = outcome(cohort_dir, entry.id)
    st = target.stat()
    os.utime(target, ns=(st.st_atime_ns, st.st_mtime_ns + 5_000_000_000))  # 5 s later
    hashed: list[str] = []
    real = LocalSource.content_hash

    def counted(self: LocalSource) -> str:
        hashed.append(self.path.name)
        return real(self)

    monkeypatch.setattr(LocalSource, "content_hash", counted)
    again = pull(cohort, AS_OF)
    assert hashed == ["adair.xlsx"]
    assert again.totals()["reused"] == 6 and not again.master_written
    after = outcome(cohort_dir, entry.id)
    assert after["token"] == f"{st.st_size}:{st.st_mtime_ns + 5_000_000_000}"
    same = ("token", "pulled_at")  # the rest (modified, sha256, read_at, data) as it was
    assert {k: v for k, v in after.items() if k not in same} == \
        {k: v for k, v in before.items() if k not in same}
    hashed.clear()
    third = pull(cohort, AS_OF)
    assert hashed == [] and third.totals()["reused"] == 6 and not third.master_written
    wb = openpyxl.load_workbook(target)
    wb["Goals"]["G5"] = "All students in grades 3-5"
    wb.save(target)
    fourth = pull(cohort, AS_OF)
    assert fourth.totals()["read"] == 1 and fourth.master_written
