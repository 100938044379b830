"""``shared_sources``: two cohort entries on one file, however each names it. Each folder is
resolved once (not each file), so a file reached through a link, a linked folder or ``..``
must still be found to be the same file as its plain name."""

from __future__ import annotations

import os
from pathlib import Path

from sheetsync.pull.identity import shared_sources, source_identity
from sheetsync.read.sources import LocalSource


def sources(folder: Path, names: dict[str, str]) -> dict[str, LocalSource]:
    return {did: LocalSource(folder / name, name) for did, name in names.items()}


def test_one_file_however_it_is_named(tmp_path: Path) -> None:
    (tmp_path / "districts").mkdir()
    (tmp_path / "districts" / "adair.xlsx").write_bytes(b"x")
    (tmp_path / "districts" / "barren.xlsx").write_bytes(b"y")
    os.symlink(tmp_path / "districts" / "adair.xlsx", tmp_path / "districts" / "link.xlsx")
    os.symlink(tmp_path / "districts", tmp_path / "linked")
    found = shared_sources(sources(tmp_path, {
        "A": "districts/adair.xlsx", "B": "districts/link.xlsx", "C": "linked/adair.xlsx",
        "D": "districts/../districts/adair.xlsx", "E": "districts/barren.xlsx",
        "F": "districts/missing.xlsx"}))
    assert found == {"A": ("B", "C", "D"), "B": ("A", "C", "D"), "C": ("A", "B", "D"),
                     "D": ("A", "B", "C")}


def test_the_key_is_the_resolved_path(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    os.symlink(tmp_path / "real", tmp_path / "linked")
    for name in ("linked/a.xlsx", "real/../linked/a.xlsx", "missing/a.xlsx", "a.xlsx"):
        source = LocalSource(tmp_path / name, name)
        expected = ("file", os.path.normcase(str((tmp_path / name).resolve())))
        assert source_identity(source, {}) == expected == source_identity(source)
