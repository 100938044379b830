"""Where a district's scorecard lives: a local workbook, or (see ``google``) a Google Sheet.

A source answers two questions for the pull: has it changed since the last pull (its
*fingerprint*: cheap, asked of every district every month), and what are its rows (asked
only when it changed). Sources of one kind are fingerprinted together, so that Google
sources cost one Drive request per 1,000 files rather than one per district.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from sheetsync.errors import SourceUnavailable
from sheetsync.google.address import is_google
from sheetsync.read.fingerprint import Fingerprint

if TYPE_CHECKING:  # the reader loads when a file is read: a pull with nothing new reads none
    from sheetsync.read.source import WorkbookRows

__all__ = ["Fingerprint", "LocalSource", "Source", "SourceUnavailable", "fingerprint_all",
           "is_google", "resolve_source"]


class Source(Protocol):
    label: str

    def fingerprint(self) -> Fingerprint: ...

    def same_content(self, previous_hash: str | None) -> tuple[bool, str | None]:
        """For a changed token: is the content still what it was? Returns (same, hash)."""
        ...

    def read(self) -> WorkbookRows: ...


class LocalSource:
    """A .xlsx/.xlsm on disk (or a synced Drive/OneDrive folder)."""

    def __init__(self, path: Path, label: str) -> None:
        self.path = path
        self.label = label

    def fingerprint(self) -> Fingerprint:
        try:
            st = self.path.stat()
        except OSError:
            raise SourceUnavailable(self.label, "the file does not exist") from None
        modified = datetime.fromtimestamp(st.st_mtime).isoformat(timespec="seconds")
        return Fingerprint(f"{st.st_size}:{st.st_mtime_ns}", modified)

    def same_content(self, previous_hash: str | None) -> tuple[bool, str | None]:
        digest = self.content_hash()
        return digest == previous_hash, digest

    def content_hash(self) -> str:
        return hashlib.sha256(self.path.read_bytes()).hexdigest()

    def read(self) -> WorkbookRows:
        from sheetsync.read.source import open_workbook

        return open_workbook(self.path)


def fingerprint_all(sources: Iterable[Source]) -> dict[int, Fingerprint | SourceUnavailable]:
    """Fingerprints by ``id(source)``; kinds that can batch (Google) override ``prefetch``."""
    out: dict[int, Fingerprint | SourceUnavailable] = {}
    items = list(sources)
    for kind in {type(s) for s in items}:
        group = [s for s in items if type(s) is kind]
        prefetch = getattr(kind, "prefetch", None)
        if prefetch:
            prefetch(group)
    for s in items:
        try:
            out[id(s)] = s.fingerprint()
        except SourceUnavailable as exc:
            out[id(s)] = exc
    return out


def resolve_source(folder: Path, source: str, google: Any = None) -> Source:
    """The source a cohort entry names; ``google`` is the Google client for Google sources."""
    if not source.strip():  # a roster's district before `sheetsync distribute`
        raise SourceUnavailable("cohort.toml", "no scorecard yet: the district's source is "
                                "blank; `sheetsync distribute` makes its copy")
    if is_google(source):
        from sheetsync.read.google import google_source

        return google_source(source, google)
    return LocalSource(folder / source, source)
