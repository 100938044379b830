"""``sheetsync store restore``: a copy kept before a pull put back as the store."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sheetsync.cohort.copies import COPIES, Copy, copies
from sheetsync.cohort.store import Store, store_lock
from sheetsync.errors import NotWritable, SheetsyncError


@dataclass(frozen=True)
class Restored:
    """What ``restore`` did: the copy brought back, and where the store it replaced went."""

    copy: Copy
    replaced: Path | None
    pulls: int
    months: list[str]


def restore(store_path: Path, number: int = 1) -> Restored:
    """Bring back copy ``number`` (1: the newest) as the store, under the store's lock; the
    store it replaces (damaged or not) is moved into ``backups/`` as ``replaced-*.sqlite``,
    never deleted. The copy is checked first; the master is then stale."""
    kept = copies(store_path)
    if not kept:
        raise SheetsyncError(f"{store_path.parent / COPIES}: no copies of the store are kept "
                             "yet (one is made before each pull that writes the store).")
    if not 1 <= number <= len(kept):
        raise SheetsyncError(f"There is no copy {number}: {len(kept)} are kept, 1 the newest; "
                             "`sheetsync store restore --list` lists them.")
    chosen = kept[number - 1]
    with store_lock(store_path, "store restore"):
        with Store(chosen.path, readonly=True) as check:
            pulls = check.pull_count()
            months = check.months()
        replaced = None
        when = datetime.now().strftime("%Y%m%d-%H%M%S")
        try:
            tmp = store_path.with_name(f".{store_path.name}.restoring")
            shutil.copyfile(chosen.path, tmp)
            if store_path.exists():
                replaced = chosen.path.with_name(f"replaced-{when}.sqlite")
                os.replace(store_path, replaced)
            for tail in ("-wal", "-shm"):  # the replaced store's own; never the copy's
                side = store_path.with_name(store_path.name + tail)
                if side.exists() and replaced is not None:
                    os.replace(side, replaced.with_name(replaced.name + tail))
                elif side.exists():
                    side.unlink()
            os.replace(tmp, store_path)
        except OSError as exc:
            raise NotWritable(store_path, "the store", f"the copy could not be put back "
                              f"({exc.strerror or exc})") from None
        with Store(store_path) as store, store.transaction():
            store.set_meta("master_stale", "1")
            # master.build.GOOGLE_STAMP: the Google master shows a later store than this copy
            store.db.execute("DELETE FROM meta WHERE key = 'google_master'")
    return Restored(chosen, replaced, pulls, months)
