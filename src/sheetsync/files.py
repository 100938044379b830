"""Writing files so that a reader sees the old file or the new one, whole.

A place sheetsync cannot write is an error that says which and why: a folder the user may
not write to (``FolderNotWritable``) is not a file open in another program (``FileLocked``,
which names the lock file when one is there).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sheetsync.errors import Busy, FileLocked, FolderNotWritable, SheetsyncError


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


@contextmanager
def exclusive(path: Path, what: str) -> Iterator[None]:
    """Hold an operating-system lock on ``path`` (made if missing) while the block runs;
    ``Busy`` at once, naming the holder, when another process, or another block of this
    one, holds it. The system lets go when the process ends, however it ends, so a pull
    that was killed never leaves the lock behind."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        if not _try_lock(fd):
            raise Busy(path, _holder(path), what)
        try:
            os.ftruncate(fd, 0)
            since = time.strftime("%Y-%m-%d %H:%M:%S")
            os.write(fd, f"process {os.getpid()}, {what}, since {since}".encode())
            yield
        finally:
            _unlock(fd)
    finally:
        os.close(fd)


def _holder(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace").strip()
    except OSError:  # Windows: the holder's lock covers the text
        return ""


if sys.platform == "win32":
    import msvcrt

    def _try_lock(fd: int) -> bool:
        os.lseek(fd, 0, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)
