"""A property test over random sequences of pulls, cohort file edits, files touched,
`history drop`, `master rebuild` and `cohort rollover` (into a new folder, where the steps
after it go on): after each step no month is lost, a month carried by rollover is never
replaced by a pull in the new folder (a pull for it is refused), and the master is a
function of the store and the cohort file, or the step said why it is not.

Hypothesis runs it derandomized (a fixed seed, the same examples on every run and in CI),
short, after two sequences written out that roll over after pulls (a short run seldom
draws one). For a longer run: SHEETSYNC_PROPERTY_EXAMPLES=500 python -m pytest THIS_FILE.
"""

from __future__ import annotations

import os
import shutil
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from sheetsync.cohort.file import load_cohort
from sheetsync.cohort.store import Store
from sheetsync.errors import (
    MasterShrinks,
    MonthNotInHistory,
    OutsideSchoolYear,
    SheetsyncError,
)
from sheetsync.master.build import is_current
from sheetsync.pull.history import drop_month
from sheetsync.pull.rebuild import rebuild
from sheetsync.pull.run import pull
from sheetsync.schema.schoolyear import SchoolYear, period_key
from sheetsync.year.cohort import rollover_cohort

EXAMPLES = int(os.environ.get("SHEETSYNC_PROPERTY_EXAMPLES", "12"))
MONTHS = [date(2026, 9, 30), date(2026, 10, 31), date(2026, 11, 30), date(2026, 12, 31),
          date(2027, 1, 20)]
SIZE = 3  # districts: enough for a cohort file cut short, small enough to be quick
MASTER = "cohort_master.xlsx"

steps = st.lists(st.one_of(
    st.tuples(st.just("pull"), st.integers(0, len(MONTHS) - 1)),
    st.tuples(st.just("remove"), st.integers(0, SIZE - 1)),
    st.tuples(st.just("whole"), st.just(0)),
    st.tuples(st.just("touch"), st.integers(0, SIZE - 1)),
    st.tuples(st.just("drop"), st.integers(0, len(MONTHS) - 1)),
    st.tuples(st.just("rebuild"), st.booleans()),
    st.tuples(st.just("rollover"), st.just(0)),
    st.tuples(st.just("carried"), st.integers(0, len(MONTHS) - 1)),
), min_size=1, max_size=8)


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
        self.months: set[tuple[str, str]] = set()
        self.years = 0  # rollovers so far: the pulls' dates move on a year each
        self.carried: dict[str, list[tuple[object, ...]]] = {}  # month: its rows as carried
        self.enter(folder)

    def enter(self, folder: Path) -> None:
        """Work in ``folder`` from now on (the first, or the one a rollover made)."""
        self.folder = folder
        self.toml = folder / "cohort.toml"
        self.whole = self.toml.read_text(encoding="utf-8")
        self.blocks = self.whole.split("\n[[district]]")
        self.named = list(range(len(self.blocks) - 1))  # which districts it names now
        self.ids = [d.id for d in load_cohort(self.toml).districts]

    def date(self, arg: int) -> date:
        """The ``arg``-th pull date of the cohort's year."""
        when = MONTHS[arg]
        return when.replace(year=when.year + self.years)

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
            self.named = list(range(len(self.blocks) - 1))
            self.write_cohort()
        elif kind == "touch":
            files = sorted((self.folder / "districts").glob("*.xlsx"))
            path = files[arg % len(files)]
            os.utime(path, (path.stat().st_atime, path.stat().st_mtime + 60))
        elif kind == "rollover":
            return self.rollover()
        elif kind == "carried":
            return self.pull_carried(MONTHS[arg].replace(year=MONTHS[arg].year +
                                                         self.years - 1))
        elif kind == "pull":
            cohort = load_cohort(self.toml)
            as_of = self.date(arg)
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
            month = period_key(self.date(arg))
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

    def rollover(self) -> str | None:
        """`cohort rollover` into a new folder: the old folder is only read; the new store
        holds every month; the steps after it go on in the new folder."""
        if self.years >= 2:  # two rollovers are enough to see a carried month carried again
            return None
        cohort = load_cohort(self.toml)
        to = SchoolYear.parse(cohort.cohort.school_year).start_year + 1
        old = {p: p.read_bytes() for p in (cohort.store_path, self.folder / MASTER)
               if p.exists()}
        folder = self.folder.parent / f"{to}-{to + 1 - 2000}"
        result = rollover_cohort(cohort, f"{to}-{str(to + 1)[2:]}", folder)
        assert not result.failed, [d.problem for d in result.failed]
        assert {p: p.read_bytes() for p in old} == old, "rollover changed the old folder"
        self.years += 1
        self.enter(folder)
        new = load_cohort(self.toml).store_path
        if not new.exists():
            assert not self.months
            return None
        with Store(new) as store:
            assert set(store.carried()) >= {m for _, m in self.months}
            self.carried = {m: _rows(store, m) for m in store.carried()}
        return None

    def pull_carried(self, as_of: date) -> str | None:
        """A pull in the rolled-over folder for a month it carried: refused, nothing
        written (the rows are compared after every step)."""
        month = period_key(as_of)
        if month not in self.carried:
            return None
        cohort = load_cohort(self.toml)
        try:
            pull(cohort, as_of, any_date=True)
        except OutsideSchoolYear as exc:
            assert "carried by `cohort rollover`" in str(exc)
            return str(exc)
        raise AssertionError(f"a pull for {month}, carried by rollover, was not refused")

    def check(self, kind: str, said: str | None, master_before: bytes | None) -> None:
        cohort = load_cohort(self.toml)
        store_path = cohort.store_path
        if not store_path.exists():
            assert not self.months
            return
        with Store(store_path) as store:
            held = set(store.db.execute("SELECT district_id, period FROM snapshots UNION "
                                        "SELECT district_id, period FROM history"))
            assert held == self.months, "a month was lost (or one appeared)"
            kept = {m for _, m in self.months}
            for month, rows in self.carried.items():  # as carried, unless dropped on purpose
                if month in kept:
                    assert _rows(store, month) == rows, f"carried {month} was replaced"
            if kind not in ("pull", "drop", "rebuild"):
                return
            if said:  # the master was not written, and that was said: it is as it was
                assert self.master_bytes() == master_before
                return
            assert is_current(cohort, store), "the master is not f(store, cohort file)"
            stored = set(store.district_ids())
        shown = _summary_ids(self.folder / MASTER)
        assert shown == [d.id for d in cohort.districts if d.id in stored]


def _rows(store: Store, month: str) -> list[tuple[object, ...]]:
    """A month's snapshots and History rows, as stored."""
    return [*store.db.execute("SELECT * FROM snapshots WHERE period = ? ORDER BY district_id",
                              (month,)),
            *store.db.execute("SELECT * FROM history WHERE period = ? ORDER BY district_id, "
                              "measure_id", (month,))]


def _summary_ids(path: Path) -> list[str]:
    ws = openpyxl.load_workbook(path, read_only=True)["Summary"]
    return [r[0] for r in ws.iter_rows(min_row=2, values_only=True) if r[0]]


@settings(max_examples=EXAMPLES, derandomize=True, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                 HealthCheck.too_slow])
@given(sequence=steps)
@example(sequence=[("pull", 1), ("pull", 3), ("rollover", 0), ("carried", 1), ("pull", 0),
                   ("remove", 0), ("pull", 1), ("rollover", 0), ("carried", 0),
                   ("carried", 3), ("pull", 2), ("whole", 0), ("rebuild", False),
                   ("drop", 3)])
@example(sequence=[("remove", 2), ("pull", 4), ("rollover", 0), ("pull", 4), ("whole", 0),
                   ("drop", 4), ("carried", 4), ("rebuild", True)])
def test_no_month_is_lost_and_the_master_is_a_function_of_store_and_cohort(
        small_cohort, tmp_path_factory, sequence):
    folder = tmp_path_factory.mktemp("run") / "cohort"
    shutil.copytree(small_cohort, folder)
    world = World(folder)
    for kind, arg in sequence:
        before = world.master_bytes()
        said = world.step(kind, arg)
        world.check(kind, said, before)
