"""What stops a rollover or an upgrade, each naming what to do instead."""

from __future__ import annotations

from pathlib import Path

from sheetsync.errors import YearError
from sheetsync.schema.layout import TEMPLATE_VERSION


def version_parts(text: str | None) -> tuple[int, ...] | None:
    """'1.2' -> (1, 2); None for no version or one that is not numbers and dots."""
    try:
        parts = [int(p) for p in str(text).strip().split(".")] if text else []
    except ValueError:
        return None
    while len(parts) > 1 and parts[-1] == 0:
        parts.pop()
    return tuple(parts) or None


def refuse_newer_template(found: str | None, path: str) -> None:
    """A workbook made by a newer sheetsync may hold what this one would drop: refuse it."""
    ours = version_parts(TEMPLATE_VERSION) or ()
    theirs = version_parts(found)
    if found and (theirs is None or theirs > ours):
        raise YearError(
            f"{path} is on template version {found}, newer than the version {TEMPLATE_VERSION} "
            "this sheetsync knows: its columns could be lost. Upgrade sheetsync "
            "(pip install -U sheetsync-scorecard) and run the command again.")


def refuse_output(output: Path, source: Path, force: bool) -> None:
    """Never write over the source; write over another file only with --force."""
    if output.resolve() == source.resolve():
        raise YearError(f"{output} is the workbook being read: choose another -o file (the "
                        "source is never changed).")
    if output.exists() and not force:
        raise YearError(f"{output} exists; choose another -o file, or pass --force to "
                        "replace it.")
