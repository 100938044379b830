"""A property test over random sequences of pulls, cohort file edits, files touched,
`history drop` and `master rebuild`: after each step no month is lost, and the master is a
function of the store and the cohort file, or the step said why it is not.

Hypothesis runs it derandomized (a fixed seed, the same examples on every run and in CI),
short. For a longer run: SHEETSYNC_PROPERTY_EXAMPLES=500 python -m pytest THIS_FILE.
"""

from __future__ import annotations

import os
import shutil
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sheetsync.cohort.file import load_cohort
from sheetsync.cohort.store import Store
from sheetsync.errors import MasterShrinks, MonthNotInHistory, SheetsyncError
from sheetsync.master.build import is_current
from sheetsync.pull.history import drop_month
from sheetsync.pull.rebuild import rebuild
from sheetsync.pull.run import pull
from sheetsync.schema.schoolyear import period_key

EXAMPLES = int(os.environ.get("SHEETSYNC_PROPERTY_EXAMPLES", "12"))
MONTHS = [date(2026, 9, 30), date(2026, 10, 31), date(2026, 11, 30), date(2026, 12, 31),
          date(2027, 1, 20)]
SIZE = 3  # districts: enough for a cohort file cut short, small enough to be quick

steps = st.lists(st.one_of(
    st.tuples(st.just("pull"), st.integers(0, len(MONTHS) - 1)),
    st.tuples(st.just("remove"), st.integers(0, SIZE - 1)),
    st.tuples(st.just("whole"), st.just(0)),
    st.tuples(st.just("touch"), st.integers(0, SIZE - 1)),
    st.tuples(st.just("drop"), st.integers(0, len(MONTHS) - 1)),
    st.tuples(st.just("rebuild"), st.booleans()),
), min_size=1, max_size=7)


@pytest.fixture(scope="module")
def small_cohort(examples: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("small") / "cohort"
    shutil.copytree(examples, folder, ignore=shutil.ignore_patterns(".sheetsync", "*master*"))
    toml = folder / "cohort.toml"
    blocks = toml.read_text(encoding="utf-8").split("\n[[district]]")
    toml.write_text("\n[[district]]".join(blocks[:SIZE + 1]) + "\n", encoding="utf-8")
    return folder


class World:
    """The cohort folder, and what the store must hold: (district, month) pairs."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.toml = folder / "cohort.toml"
        self.whole = self.toml.read_text(encoding="utf-8")
        self.blocks = self.whole.split("\n[[district]]")
        self.named = list(range(SIZE))  # which districts cohort.toml names now
        self.months: set[tuple[str, str]] = set()
        self.ids = [d.id for d in load_cohort(self.toml).districts]

    def write_cohort(self) -> None:
        kept = [self.blocks[0], *(self.blocks[i + 1] for i in self.named)]
        self.toml.write_text("\n[[district]]".join(kept) + "\n", encoding="utf-8")

    def master_bytes(self) -> bytes | None:
        path = self.folder / "cohort_master.xlsx"
        return path.read_bytes() if path.exists() else None

    def step(self, kind: str, arg: int) -> str | None:
        """Do one step; what it said about the master not being written, if anything."""
        if kind == "remove" and arg in self.named:
            self.named.remove(arg)
            self.write_cohort()
        elif kind == "whole":
            self.named = list(range(SIZE))
            self.write_cohort()
        elif kind == "touch":
            path = sorted((self.folder / "districts").glob("*.xlsx"))[arg]
            os.utime(path, (path.stat().st_atime, path.stat().st_mtime + 60))
        elif kind == "pull":
            cohort = load_cohort(self.toml)
            as_of = MONTHS[arg]
            report = pull(cohort, as_of)
            assert not report.failed
            self.months |= {(d.id, period_key(as_of)) for d in cohort.districts}
            gone = set(self.ids) - {d.id for d in cohort.districts}
            stored = {i for i, _ in self.months}
            for did in gone & stored:  # a district taken out of the file is said
                assert any(n.startswith(f"{did} is no longer in cohort.toml") for n in
                           report.notes), report.notes
            if not (report.master_written or report.master_error):
                with Store(cohort.store_path, readonly=True) as store:
                    assert is_current(cohort, store), "said up to date, and it was not"
            return report.master_error
        elif kind == "drop":
            month = period_key(MONTHS[arg])
            try:
                dropped = drop_month(load_cohort(self.toml), month)
            except MonthNotInHistory as exc:  # said; nothing written
                assert month not in {m for _, m in self.months}
                return str(exc)
            self.months = {(d, m) for d, m in self.months if m != month}
            return dropped.master_error
        elif kind == "rebuild":
            try:
                rebuild(load_cohort(self.toml), force=bool(arg))
            except MasterShrinks as exc:
                assert not arg
                return str(exc)
            except SheetsyncError as exc:  # no pull yet
                assert "no pulls yet" in str(exc) and not self.months
                return str(exc)
        return None

    def check(self, kind: str, said: str | None, master_before: bytes | None) -> None:
        cohort = load_cohort(self.toml)
        store_path = cohort.store_path
        if not store_path.exists():
            assert not self.months
            return
        with Store(store_path) as store:
            held = {(d, m) for d in store.district_ids() for m in store.months(d)}
            assert held == self.months, "a month was lost (or one appeared)"
            if kind not in ("pull", "drop", "rebuild"):
                return
            if said:  # the master was not written, and that was said: it is as it was
                assert self.master_bytes() == master_before
                return
            assert is_current(cohort, store), "the master is not f(store, cohort file)"
            stored = set(store.district_ids())
        shown = _summary_ids(self.folder / "cohort_master.xlsx")
        assert shown == [d.id for d in cohort.districts if d.id in stored]


def _summary_ids(path: Path) -> list[str]:
    ws = openpyxl.load_workbook(path, read_only=True)["Summary"]
    return [r[0] for r in ws.iter_rows(min_row=2, values_only=True) if r[0]]


@settings(max_examples=EXAMPLES, derandomize=True, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                 HealthCheck.too_slow])
@given(sequence=steps)
def test_no_month_is_lost_and_the_master_is_a_function_of_store_and_cohort(
        small_cohort, tmp_path_factory, sequence):
    folder = tmp_path_factory.mktemp("run") / "cohort"
    shutil.copytree(small_cohort, folder)
    world = World(folder)
    for kind, arg in sequence:
        before = world.master_bytes()
        said = world.step(kind, arg)
        world.check(kind, said, before)
