"""Writing files so that a reader sees the old file or the new one, whole.

A place sheetsync cannot write is an error that says which and why: a folder the user may
not write to (``FolderNotWritable``) is not a file open in another program (``FileLocked``,
which names the lock file when one is there).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sheetsync.errors import FileLocked, FolderNotWritable, SheetsyncError


def lock_file(path: Path) -> Path | None:
    """The lock file Excel (``~$name``) or LibreOffice (``.~lock.name#``) keeps beside
    ``path`` while it is open, if one is there."""
    for name in (f".~lock.{path.name}#", f"~${path.name}", f"~${path.name[2:]}"):
        lock = path.parent / name
        if lock.exists():
            return lock
    return None


def is_lock_file(path: Path) -> bool:
    return path.name.startswith(("~$", ".~lock."))


def cannot_create_in(folder: Path) -> str | None:
    """Why a file cannot be created in ``folder`` (the system's words), or None when it can.
    A real probe, so it answers for ACLs and read-only mounts too."""
    try:
        fd, name = tempfile.mkstemp(prefix=".sheetsync-probe.", dir=folder)
    except OSError as exc:
        return exc.strerror or str(exc)
    os.close(fd)
    os.unlink(name)
    return None


def writable_folder(folder: Path, what: str = "") -> Path:
    """``folder`` (made if missing) when a file can be created in it, else
    ``FolderNotWritable``."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise FolderNotWritable(folder, exc.strerror or str(exc), what) from None
    reason = cannot_create_in(folder)
    if reason:
        raise FolderNotWritable(folder, reason, what)
    return folder


def read_text(path: Path, what: str = "file") -> str:
    """A text file people saved: UTF-8 with or without a BOM, UTF-16 with its BOM (Excel's
    "Unicode Text"), or Windows-1252 (Excel's "CSV" on Windows); else an error naming the
    encoding to use."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SheetsyncError(f"{path}: the {what} cannot be read "
                             f"({exc.strerror or exc})") from None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise SheetsyncError(
            f"{path}: the {what} is neither UTF-8 nor Windows-1252 text (byte "
            f"0x{data[exc.start]:02X} at position {exc.start}); save it as UTF-8 (in Excel: "
            "Save As, \"CSV UTF-8\")") from None


@contextmanager
def replacing(path: Path, suffix: str = ".tmp", mode: int | None = None) -> Iterator[Path]:
    """A temporary file beside ``path`` to write; when the block ends without an error it
    replaces ``path`` in one step (``os.replace``), else it is removed. ``mode`` sets the
    permissions (0o600 for secrets); by default the usual ones (0o666 less the umask).
    Raises ``FolderNotWritable`` or ``FileLocked`` when the file cannot be written."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=suffix, dir=path.parent)
    except OSError as exc:
        raise FolderNotWritable(path.parent, exc.strerror or str(exc), path.name) from None
    os.close(fd)
    tmp = Path(name)
    try:
        os.chmod(tmp, 0o600 if mode is None else mode)  # private while it is written
        yield tmp
        os.chmod(tmp, mode if mode is not None else 0o666 & ~_umask())
        try:
            os.replace(tmp, path)
        except PermissionError as exc:  # Windows: the file is open in Excel
            raise FileLocked(path, lock_file(path), exc.strerror or str(exc)) from None
    finally:
        tmp.unlink(missing_ok=True)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
