"""`sheetsync pull --jobs`: districts read and checked on a pool of processes, with the
store and the master exactly what one process writes, and no process left behind."""

from __future__ import annotations

import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from sheetsync.cli.commands import main
from sheetsync.cohort.file import load_cohort
from sheetsync.pull import pool, run
from sheetsync.pull.jobs import POOL_MIN
from sheetsync.pull.run import pull
from tests.helpers import AS_OF, alive, children
from tests.serve_process import big_cohort

N = POOL_MIN + 6  # enough files for a pool


@pytest.fixture(scope="module")
def many(examples: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A cohort of N copies of the examples, one unreadable file and one missing."""
    folder = tmp_path_factory.mktemp("jobs") / "cohort"
    toml = big_cohort(examples, folder, N)
    (folder / "districts" / "broken.xlsx").write_bytes(b"PK\x03\x04 not a workbook")
    with toml.open("a") as fh:
        fh.write('\n[[district]]\nid = "BROKEN"\nname = "Broken"\n'
                 'source = "districts/broken.xlsx"\n'
                 '\n[[district]]\nid = "GONE"\nname = "Gone"\nsource = "districts/gone.xlsx"\n')
    return folder


def store_rows(folder: Path) -> dict[str, list[tuple]]:
    """Every table of the store, sorted; of meta, what is not random, a time or a path."""
    with sqlite3.connect(folder / ".sheetsync" / "store.sqlite") as db:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        rows = {t: sorted(db.execute(f"SELECT * FROM {t}"), key=repr) for t in tables}
    random = ("state", "last_pull_json", "master_sha256", "master_stamp")  # ids, paths, time
    rows["meta"] = [r for r in rows["meta"] if r[0] not in random]
    return rows


def master_parts(folder: Path) -> dict[str, bytes]:
    """The master's parts, but for what differs between any two builds: the time it was
    written and the store's state (a random id for each write of the store)."""
    with sqlite3.connect(folder / ".sheetsync" / "store.sqlite") as db:
        state = db.execute("SELECT value FROM meta WHERE key = 'state'").fetchone()[0]
    with zipfile.ZipFile(folder / "cohort_master.xlsx") as zf:
        parts = {name: zf.read(name) for name in zf.namelist()}
    parts["docProps/custom.xml"] = parts["docProps/custom.xml"].replace(state.encode(), b"S")
    parts["docProps/core.xml"] = re.sub(rb"<dcterms:(created|modified)[^<]*</dcterms:\1>", b"",
                                        parts["docProps/core.xml"])
    return parts


def test_two_processes_store_and_write_what_one_does(many: Path, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(run, "_now", lambda: "2027-01-20T09:00:00")  # read_at, pulled_at
    pools: list[dict[str, Any]] = []  # each pool the pull made: its processes, its reads
    plain = pool.ProcessPoolExecutor

    class Spy(plain):  # type: ignore[misc,valid-type]
        """The pool as it is, counting what it is given (in this process: whether its
        workers fork or start from a fork server, which another test's thread decides)."""

        def __init__(self, workers: int, **kwargs: Any) -> None:
            super().__init__(workers, **kwargs)
            pools.append({"workers": workers, "reads": 0})

        def submit(self, *args: Any, **kwargs: Any) -> Any:
            pools[-1]["reads"] += 1
            return super().submit(*args, **kwargs)

    monkeypatch.setattr(pool, "ProcessPoolExecutor", Spy)
    folder = tmp_path / "cohort"  # one folder: the store keeps each file's path
    folder.mkdir()
    os.symlink(many / "districts", folder / "districts", target_is_directory=True)
    (folder / "cohort.toml").write_bytes((many / "cohort.toml").read_bytes())
    reports, stores, masters = {}, {}, {}
    for jobs in (1, 2):
        shutil.rmtree(folder / ".sheetsync", ignore_errors=True)
        (folder / "cohort_master.xlsx").unlink(missing_ok=True)
        pools.clear()
        reports[jobs] = pull(load_cohort(folder / "cohort.toml"), AS_OF, jobs=jobs)
        if jobs == 1:
            assert pools == []  # read in this process
        else:  # the pool read every file there was to read
            assert [p["workers"] for p in pools] == [2] and pools[0]["reads"] >= N, pools
        stores[jobs] = store_rows(folder)
        masters[jobs] = master_parts(folder)
    one, two = reports[1], reports[2]
    assert one.totals() == two.totals()
    assert [d["reason"] for d in one.failed] == [d["reason"] for d in two.failed]
    assert len(one.failed) == 2 and one.totals()["read"] == N
    assert one.districts == two.districts
    assert stores[1] == stores[2]
    first, second = masters[1], masters[2]
    assert first.keys() == second.keys()
    differ = [name for name in first if first[name] != second[name]]
    assert differ == [], differ


def test_a_process_with_threads_reads_on_a_forkserver_pool(many: Path, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch
                                                           ) -> None:
    """Forking a process with other threads could copy a lock one of them holds: then the
    workers start from a fork server, and read the same."""
    folder = tmp_path / "cohort"
    folder.mkdir()
    os.symlink(many / "districts", folder / "districts", target_is_directory=True)
    (folder / "cohort.toml").write_bytes((many / "cohort.toml").read_bytes())
    methods = []
    plain = pool.ProcessPoolExecutor

    def started(*args: Any, **kwargs: Any) -> Any:
        methods.append(kwargs["mp_context"].get_start_method())
        return plain(*args, **kwargs)

    monkeypatch.setattr(pool, "ProcessPoolExecutor", started)
    stop = threading.Event()
    other = threading.Thread(target=stop.wait, daemon=True)
    other.start()
    try:
        report = pull(load_cohort(folder / "cohort.toml"), AS_OF, jobs=2)
    finally:
        stop.set()
    assert methods == ["forkserver"]
    assert report.totals()["read"] == N and len(report.failed) == 2


def test_a_small_cohort_is_read_without_a_pool(cohort_dir: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    def no_pool(*args: object, **kwargs: object) -> None:
        raise AssertionError("a pool was started for six districts")

    monkeypatch.setattr(pool, "ProcessPoolExecutor", no_pool)
    report = pull(load_cohort(cohort_dir / "cohort.toml"), AS_OF, jobs=4)
    assert report.master_written and report.totals()["read"] == 6


def test_jobs_is_an_option_of_pull() -> None:
    result = CliRunner().invoke(main, ["pull", "--help"])
    assert "--jobs" in result.output
    result = CliRunner().invoke(main, ["pull", "--jobs", "0"])
    assert result.exit_code == 2 and "--jobs" in result.output


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_a_pull_killed_mid_read_leaves_no_reader_behind(many: Path, tmp_path: Path) -> None:
    folder = tmp_path / "cohort"
    folder.mkdir()
    os.symlink(many / "districts", folder / "districts", target_is_directory=True)
    (folder / "cohort.toml").write_bytes((many / "cohort.toml").read_bytes())
    cmd = [sys.executable, "-m", "sheetsync.cli", "pull", "--as-of", AS_OF.isoformat(),
           "--any-date", "--jobs", "2"]
    proc = subprocess.Popen(cmd, cwd=folder, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    end = time.monotonic() + 60
    kids: list[int] = []
    while len(kids) < 2 and time.monotonic() < end and proc.poll() is None:
        kids = children(proc.pid)
        time.sleep(0.01)
    assert len(kids) == 2, "the pull started no pool"
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    end = time.monotonic() + 5
    while any(alive(k) for k in kids) and time.monotonic() < end:
        time.sleep(0.05)
    assert not [k for k in kids if alive(k)], "readers outlived the pull"
    store = folder / ".sheetsync" / "store.sqlite"
    if store.exists():
        with sqlite3.connect(store) as db:
            assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            assert db.execute("SELECT COUNT(*) FROM pulls").fetchone() == (0,)

