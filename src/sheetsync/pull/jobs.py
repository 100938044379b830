"""How many processes a pull reads the files on (``sheetsync pull --jobs``)."""

from __future__ import annotations

import os

# Files to read below which a pull reads them in its own process: a pool costs about a
# tenth of a second to start, and a file about 6 ms to read and check.
POOL_MIN = 24


def workers(jobs: int | None = None) -> int:
    """``jobs``, or the cores this process may use."""
    if jobs:
        return jobs
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1
